// DatasetResult <-> JSON: every key written and read back (as JSON text and as the CBOR messages that carry
// results to rank 0), the optional keys of older files, and what is missing named when reading fails.
#include "rankme/sweep/dataset_result_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "rankme/sweep/result_lines.hpp"
#include "support/result_samples.hpp"

namespace rankme {
namespace {

using nlohmann::json;

DatasetResult scored(const std::string& file, const std::string& dataset, double rankme) {
  return testing::scored_with_metrics(file, dataset, rankme);
}

DatasetResult through_cbor(const DatasetResult& result) {
  return result_from_json(json::from_cbor(json::to_cbor(result_to_json(result))));
}

TEST(DatasetResultJson, EveryFieldSurvivesTheCborRoundTripExactly) {
  DatasetResult result = scored("dir/a,b.h5", "/lr=0.01/emb", 1.0 / 3.0);
  result.rows_used = 500;
  result.dtype = "float16";
  result.seconds = 0.125;
  result.ranks = 3;
  result.solver = "scalapack 2x2/64";
  result.precision = "mixed";
  result.precision_fallback = true;
  result.mixed_error_estimate = 2.5e-9;
  PhaseTimings timings;
  timings.open = 0.5;
  timings.gram = 1.25;
  timings.total = 2.0;
  timings.block_rows = 4096;
  result.timings = timings;
  result.file_size = 123456789012ull;
  result.file_mtime_ns = -5;  // before 1970: signed
  result.pool = "flatten";
  result.parts = {{"runs/a/emb_rank0.h5", "/emb", 600, "/scratch/runs/a/emb_rank0.h5", 4096, 17},
                  {"runs/a/emb_rank1.h5", "/emb", 400, "", 2048, -3}};
  result.part_count = 2;
  const DatasetResult back = through_cbor(result);
  EXPECT_EQ(back.pool, "flatten");
  ASSERT_EQ(back.parts.size(), 2u);
  EXPECT_EQ(back.part_count, 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back.parts[i].file, result.parts[i].file);
    EXPECT_EQ(back.parts[i].dataset, result.parts[i].dataset);
    EXPECT_EQ(back.parts[i].rows, result.parts[i].rows);
    EXPECT_EQ(back.parts[i].canonical_file, result.parts[i].canonical_file);
    EXPECT_EQ(back.parts[i].file_size, result.parts[i].file_size);
    EXPECT_EQ(back.parts[i].file_mtime_ns, result.parts[i].file_mtime_ns);
  }
  // One dataset, not pooled: both keys are there, null.
  const json plain = result_to_json(scored("a.h5", "/x", 2.0));
  EXPECT_TRUE(plain.at("pool").is_null());
  EXPECT_TRUE(plain.at("parts").is_null());
  EXPECT_EQ(back.file, result.file);
  EXPECT_EQ(back.dataset, result.dataset);
  EXPECT_EQ(back.rows, 1000u);
  EXPECT_EQ(back.rows_used, 500u);
  EXPECT_EQ(back.cols, 3u);
  EXPECT_EQ(back.dtype, "float16");
  ASSERT_TRUE(back.rankme.has_value());
  EXPECT_EQ(*back.rankme, 1.0 / 3.0);
  EXPECT_EQ(back.status, ResultStatus::ok);
  EXPECT_EQ(back.seconds, 0.125);
  EXPECT_EQ(back.ranks, 3);
  EXPECT_EQ(back.solver, "scalapack 2x2/64");
  EXPECT_EQ(back.precision, "mixed");
  EXPECT_TRUE(back.precision_fallback);
  EXPECT_EQ(back.mixed_error_estimate.value_or(0), 2.5e-9);
  ASSERT_TRUE(back.timings.has_value());
  EXPECT_EQ(back.timings->open, 0.5);
  EXPECT_EQ(back.timings->gram, 1.25);
  EXPECT_EQ(back.timings->total, 2.0);
  EXPECT_EQ(back.timings->block_rows, 4096u);
  EXPECT_EQ(back.file_size, 123456789012ull);
  EXPECT_EQ(back.file_mtime_ns, -5);
  // CBOR keeps the non-finite metrics as they are (JSON text would make them null).
  EXPECT_EQ(back.metrics.at("stable_rank"), 1.5);
  EXPECT_TRUE(std::isinf(back.metrics.at("condition_number")));
  EXPECT_TRUE(std::isnan(back.metrics.at("alpha_req")));
}

TEST(DatasetResultJson, AnErrorHasNullRankmeAndItsMessage) {
  DatasetResult failed;
  failed.file = "a.h5";
  failed.dataset = "/x";
  failed.status = ResultStatus::error;
  failed.error = "no such dataset";
  const json written = result_to_json(failed);
  EXPECT_TRUE(written.at("rankme").is_null());
  EXPECT_EQ(written.at("status"), "error");
  EXPECT_EQ(written.at("error"), "no such dataset");
  EXPECT_TRUE(written.at("solver").is_null());
  EXPECT_FALSE(written.contains("timings"));
  const DatasetResult back = result_from_json(written);
  EXPECT_FALSE(back.rankme.has_value());
  EXPECT_EQ(back.status, ResultStatus::error);
  EXPECT_EQ(back.error, "no such dataset");
  EXPECT_FALSE(back.timings.has_value());
}

TEST(DatasetResultJson, OlderLinesWithoutTheOptionalKeysStillRead) {
  const json old = {{"file", "a.h5"}, {"dataset", "/x"}, {"rows", 10}, {"cols", 4}, {"status", "ok"}, {"rankme", 2.5}};
  const DatasetResult back = result_from_json(old);
  EXPECT_EQ(*back.rankme, 2.5);
  EXPECT_EQ(back.ranks, 1);
  EXPECT_EQ(back.file_size, 0u) << "no identity: never taken for a scored file by --resume";
  EXPECT_EQ(back.file_mtime_ns, 0);
  EXPECT_TRUE(back.metrics.empty());
}

TEST(DatasetResultJson, WhatIsMissingOrWrongIsAnError) {
  EXPECT_THROW(result_from_json(json::array()), std::runtime_error);
  const json complete = {{"file", "a.h5"}, {"dataset", "/x"}, {"rows", 10}, {"cols", 4}, {"status", "ok"}, {"rankme", 2.5}};
  for (const char* key : {"file", "dataset", "rows", "cols", "status", "rankme"}) {
    json partial = complete;
    partial.erase(key);
    EXPECT_THROW(result_from_json(partial), std::runtime_error) << "without " << key;
  }
  json wrong = complete;
  wrong["rows"] = "ten";
  EXPECT_THROW(result_from_json(wrong), std::runtime_error);
  wrong = complete;
  wrong["status"] = "finished";
  EXPECT_THROW(result_from_json(wrong), std::runtime_error);
}

TEST(DatasetResultJson, TheBlasKernelRoundTripsAndIsNullWhenUnknown) {
  DatasetResult result = scored("a.h5", "/x", 2.0);
  EXPECT_TRUE(result_to_json(result).at("blas").is_null()) << "the key is there, null";
  EXPECT_FALSE(result_from_json(result_to_json(result)).blas.has_value());

  result.blas = BlasKernelReport{"OpenBLAS", "0.3.21", "Cooperlake", KernelChooser::rankme, "Prescott"};
  const json written = result_to_json(result);
  EXPECT_EQ(written.at("blas"), json({{"library", "OpenBLAS"},
                                      {"version", "0.3.21"},
                                      {"kernel", "Cooperlake"},
                                      {"chosen_by", "rankme"},
                                      {"library_kernel", "Prescott"}}));
  EXPECT_EQ(through_cbor(result).blas, result.blas);
  EXPECT_EQ(result_from_json(json::parse(to_json_line(result))).blas, result.blas);

  // library_kernel only when rankme chose.
  result.blas = BlasKernelReport{"OpenBLAS", "0.3.21", "Haswell", KernelChooser::user, ""};
  EXPECT_FALSE(result_to_json(result).at("blas").contains("library_kernel"));
  EXPECT_EQ(through_cbor(result).blas, result.blas);
}

TEST(DatasetResultJson, AnUnreadableBlasObjectLeavesTheResultReadable) {
  json line = result_to_json(scored("a.h5", "/x", 2.0));
  for (const json& odd : {json("OpenBLAS"), json::object(), json({{"library", "OpenBLAS"}, {"version", "0.3.21"},
                                                                   {"kernel", "Haswell"}, {"chosen_by", "someone"}})}) {
    line["blas"] = odd;
    const DatasetResult back = result_from_json(line);
    EXPECT_FALSE(back.blas.has_value()) << odd.dump();
    EXPECT_EQ(*back.rankme, 2.0);
  }
}

TEST(DatasetResultJson, SingularValuesTravelToRankZeroButStayOutOfTheReports) {
  DatasetResult result = scored("a.h5", "/emb", 2.0);
  EXPECT_FALSE(result_to_json(result).contains("singular_values"));
  result.singular_values = {3.0, 2.0, 1e-300};
  const DatasetResult back = result_from_json(nlohmann::json::from_cbor(nlohmann::json::to_cbor(result_to_json(result))));
  EXPECT_EQ(back.singular_values, result.singular_values);
  EXPECT_FALSE(nlohmann::json::parse(to_json_line(result)).contains("singular_values"));
}

}  // namespace
}  // namespace rankme
