// Params as CSV columns (param_columns.hpp): the union of keys, the cells, and a line read back.
#include "rankme/sweep/param_columns.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rankme/sweep/result_csv.hpp"
#include "rankme/sweep/result_lines.hpp"
#include "support/result_samples.hpp"

namespace rankme {
namespace {

TEST(ParamColumns, NumbersInTheirShortestRoundTripForm) {
  EXPECT_EQ(param_text(0.001), "0.001");
  EXPECT_EQ(param_text(100.0), "100");
  EXPECT_EQ(param_text(-3.5), "-3.5");
  EXPECT_EQ(param_text(1e-5), "1e-05");
  EXPECT_EQ(param_text(0.1 + 0.2), "0.30000000000000004") << "exactly the double, not a rounded one";
  EXPECT_EQ(param_text(std::string("adamw")), "adamw");
}

TEST(ParamColumns, TheUnionOfKeysIsSorted) {
  std::vector<DatasetTarget> targets(3);
  targets[0].params = {{"wd", 0.0}, {"lr", 0.1}};
  targets[2].params = {{"epoch", 3.0}, {"lr", 0.2}};
  EXPECT_EQ(param_keys_of(targets), (std::vector<std::string>{"epoch", "lr", "wd"}));
  EXPECT_EQ(union_of_keys({"b", "d"}, {"a", "b", "c"}), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(param_keys_of(std::vector<DatasetResult>{}).empty());
}

TEST(ParamColumns, EveryRowHasEveryColumnAndReadsBack) {
  const std::vector<std::string> keys = {"a,b", "epoch", "lr", "opt"};
  EXPECT_EQ(param_header_columns(keys), ",\"param.a,b\",param.epoch,param.lr,param.opt");
  DatasetResult full = testing::scored("/runs/a", 12.5);
  full.params = {{"a,b", std::string("x \"y\"")}, {"epoch", 10.0}, {"lr", 1e-3}, {"opt", std::string("0.5")}};
  DatasetResult sparse = testing::scored("/runs/b", 11.5);
  sparse.params = {{"lr", 0.1}};
  EXPECT_EQ(param_cells(sparse.params, keys), ",,,0.1,");
  const std::string header = csv_header(CsvColumns::with_file_identity, keys);
  const ResultCsvLayout layout(header);
  const std::size_t columns = split_csv_line(header).size();
  for (const DatasetResult* written_pointer : {&full, &sparse}) {
    const DatasetResult& written = *written_pointer;
    const std::string line = to_csv_line(written, CsvColumns::with_file_identity, keys);
    EXPECT_EQ(split_csv_line(line).size(), columns) << line;
    const DatasetResult read = layout.parse(line);
    if (&written == &sparse) {
      EXPECT_EQ(read.params, sparse.params) << "an empty cell is no param";
    } else {
      EXPECT_EQ(read.params.at("a,b"), ParamValue(std::string("x \"y\"")));
      EXPECT_EQ(read.params.at("epoch"), ParamValue(10.0));
      EXPECT_EQ(read.params.at("lr"), ParamValue(1e-3));
      // CSV has no types: text that spells a number reads back as one (as a path's would).
      EXPECT_EQ(read.params.at("opt"), ParamValue(0.5));
    }
  }
}

TEST(ParamColumns, OnlyPrefixedNamesAreParamColumns) {
  EXPECT_TRUE(is_param_column("param.lr"));
  EXPECT_EQ(param_key_of_column("param.lr"), "lr");
  EXPECT_EQ(param_key_of_column("param.param.x"), "param.x");
  EXPECT_FALSE(is_param_column("param."));
  EXPECT_FALSE(is_param_column("params"));
  EXPECT_FALSE(is_param_column("lr"));
}

}  // namespace
}  // namespace rankme
