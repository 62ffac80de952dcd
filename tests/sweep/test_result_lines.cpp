// One result as one line (sweep/result_lines.hpp): the JSON object's documented keys, names that are not
// UTF-8, and the file identity that --resume and rankme-merge read back. The CSV side is in test_result_csv
// (written and read back) and test_report (the report on stdout).
#include "rankme/sweep/result_lines.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "support/result_samples.hpp"

namespace rankme {
namespace {

using testing::failed_sample;
using testing::report_sample;
using testing::scored;

TEST(JsonLine, HasEveryDocumentedKeyWithTheRightTypes) {
  const auto ok = nlohmann::json::parse(to_json_line(report_sample()));
  for (const char* key : {"file", "dataset", "rows", "cols", "dtype", "rankme", "status", "error", "seconds", "ranks", "solver"}) {
    EXPECT_TRUE(ok.contains(key)) << key;
  }
  EXPECT_EQ(ok["rows"].get<std::uint64_t>(), 25600u);
  EXPECT_EQ(ok["rankme"].get<double>(), 123.456789012345678);  // printed to full (round-trip) precision
  EXPECT_EQ(ok["status"], "ok");
  EXPECT_TRUE(ok["error"].is_null());
  const auto bad = nlohmann::json::parse(to_json_line(failed_sample()));
  EXPECT_TRUE(bad["rankme"].is_null());
  EXPECT_EQ(bad["status"], "error");
  EXPECT_EQ(bad["error"], failed_sample().error);
}

TEST(JsonLine, InvalidUtf8InNamesDoesNotBreakTheLine) {
  DatasetResult result = report_sample();
  result.dataset = std::string("/bad\xff\xfe");
  const auto json = nlohmann::json::parse(to_json_line(result));
  EXPECT_EQ(json["dataset"].get<std::string>().substr(0, 4), "/bad");
}

TEST(JsonLine, CarriesTheFileIdentity) {
  const auto json = nlohmann::json::parse(to_json_line(scored("/a", 1)));
  EXPECT_EQ(json.at("file_size").get<std::uint64_t>(), 123456u);
  EXPECT_EQ(json.at("file_mtime_ns").get<std::int64_t>(), 1700000000123456789);
  EXPECT_TRUE(json.at("canonical_file").is_null());  // unknown
  DatasetResult known = scored("/a", 1);
  known.canonical_file = "/data/runs/sweep.h5";
  EXPECT_EQ(nlohmann::json::parse(to_json_line(known)).at("canonical_file"), "/data/runs/sweep.h5");
}

}  // namespace
}  // namespace rankme
