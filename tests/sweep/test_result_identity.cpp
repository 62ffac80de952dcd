// A result's identity is the file's, however its path was spelled: relative, absolute, "./", "sub/..",
// through a symlinked directory or a symlink to the file. Another file of the same name, or the same file
// rewritten, is another identity.
#include "rankme/sweep/result_identity.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/sweep/results_file.hpp"
#include "rankme/sweep/resume.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

namespace fs = std::filesystem;
using testing::TemporaryDirectory;

// Runs the test from `directory`, so that relative spellings mean something, and goes back after.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& directory) : previous_(fs::current_path()) { fs::current_path(directory); }
  ~WorkingDirectory() { fs::current_path(previous_); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path previous_;
};

void write_embeddings(const std::string& file, double scale) {
  std::vector<double> values(6 * 3);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = scale * static_cast<double>(i + 1);
  testing::write_matrix(file, "/emb", values, 6, 3, {testing::StoredType::Kind::floating, 8});
}

// The target discovery lists for `file` as spelled (size, modification time and canonical path stamped).
DatasetTarget listed(const std::string& file) {
  const Discovery discovery = discover_targets({InputSpec{file, std::string("/emb")}});
  EXPECT_EQ(discovery.targets.size(), 1u) << file;
  if (discovery.targets.empty()) return {};
  EXPECT_TRUE(discovery.targets[0].scorable()) << discovery.targets[0].error;
  return discovery.targets[0];
}

// What scoring the target reports (score_dataset copies these from the target).
DatasetResult result_of(const DatasetTarget& target) {
  DatasetResult result;
  result.file = target.file;
  result.dataset = target.dataset;
  result.rows = target.rows;
  result.cols = target.cols;
  result.dtype = target.dtype;
  result.rankme = 2.5;
  result.file_size = target.file_size;
  result.file_mtime_ns = target.file_mtime_ns;
  result.canonical_file = target.canonical_file;
  return result;
}

void set_mtime(const std::string& file, const timespec& when) {
  const timespec times[2] = {when, when};
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0) << file;
}

timespec mtime_of(const std::string& file) {
  struct stat status {};
  EXPECT_EQ(::stat(file.c_str(), &status), 0) << file;
  return status.st_mtim;
}

class ResultIdentitySpellings : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(directory_.path() / "data");
    fs::create_directories(directory_.path() / "sub");
    fs::create_directories(directory_.path() / "other");
    write_embeddings(directory_.file("data/x.h5"), 1.0);
    // The same name, the same bytes and modification time, in another directory: another file.
    fs::copy_file(directory_.file("data/x.h5"), directory_.file("other/x.h5"));
    set_mtime(directory_.file("other/x.h5"), mtime_of(directory_.file("data/x.h5")));
    fs::create_directory_symlink("data", directory_.path() / "linked");
    fs::create_symlink("data/x.h5", directory_.path() / "alias.h5");
  }

  // Every spelling of data/x.h5, from the temporary directory.
  std::vector<std::string> spellings() const {
    return {"data/x.h5", directory_.file("data/x.h5"), "./data/x.h5", "sub/../data/x.h5", "linked/x.h5",
            "alias.h5", directory_.file("linked/../data/./x.h5")};
  }

  TemporaryDirectory directory_{"rankme-identity-"};
};

TEST_F(ResultIdentitySpellings, EverySpellingOfAFileIsOneIdentityAndItsResultsMatch) {
  const WorkingDirectory here(directory_.path());
  const DatasetTarget first = listed("data/x.h5");
  ASSERT_FALSE(first.canonical_file.empty());
  EXPECT_EQ(first.canonical_file, fs::canonical(directory_.path() / "data/x.h5").string());
  for (const std::string& spelling : spellings()) {
    SCOPED_TRACE(spelling);
    const DatasetTarget target = listed(spelling);
    EXPECT_EQ(target.file, spelling);  // reports keep the file as given
    EXPECT_EQ(identity_of(target), identity_of(first));
    EXPECT_EQ(identity_of(result_of(target)), identity_of(first));
    EXPECT_EQ(identity_of(result_of(first)), identity_of(target));
  }
}

TEST_F(ResultIdentitySpellings, AResultsFileWrittenUnderOneSpellingSettlesEveryOther) {
  const WorkingDirectory here(directory_.path());
  for (const char* name : {"results.jsonl", "results.csv"}) {
    SCOPED_TRACE(name);
    ResultsFile::open_for_append(name).append(result_of(listed("./data/x.h5")));
    const ResultsFileContents contents = read_results_file(name);
    ASSERT_EQ(contents.results.size(), 1u) << contents.first_problem;
    EXPECT_EQ(contents.results[0].file, "./data/x.h5");
    std::vector<DatasetTarget> targets;
    for (const std::string& spelling : spellings()) targets.push_back(listed(spelling));
    EXPECT_TRUE(targets_to_resume(targets, contents).empty());
  }
}

TEST_F(ResultIdentitySpellings, TheSameNameInAnotherDirectoryIsAnotherFile) {
  const WorkingDirectory here(directory_.path());
  const DatasetTarget mine = listed("data/x.h5"), theirs = listed("other/x.h5");
  ASSERT_EQ(mine.file_size, theirs.file_size);
  ASSERT_EQ(mine.file_mtime_ns, theirs.file_mtime_ns);  // only the file tells them apart
  EXPECT_FALSE(identity_of(mine) == identity_of(theirs));
  EXPECT_FALSE(identity_of(result_of(mine)) == identity_of(theirs));
  // Reached through the other directory, the same relative name is the other file too.
  const WorkingDirectory there(directory_.path() / "other");
  EXPECT_FALSE(identity_of(listed("x.h5")) == identity_of(mine));
  EXPECT_EQ(identity_of(listed("x.h5")), identity_of(theirs));
}

TEST_F(ResultIdentitySpellings, ARewrittenFileIsAnotherIdentity) {
  const WorkingDirectory here(directory_.path());
  const DatasetResult before = result_of(listed("data/x.h5"));
  // The same size, a later modification time.
  const timespec then = mtime_of("data/x.h5");
  fs::remove("data/x.h5");
  write_embeddings("data/x.h5", 3.0);
  set_mtime("data/x.h5", {then.tv_sec + 1, then.tv_nsec});
  const DatasetTarget rewritten = listed("linked/x.h5");
  EXPECT_EQ(rewritten.file_size, before.file_size);
  EXPECT_FALSE(identity_of(before) == identity_of(rewritten));
  // Another size: a larger dataset is another shape as well as another file size.
  fs::remove("data/x.h5");
  std::vector<double> values(60 * 3, 1.0);
  testing::write_matrix("data/x.h5", "/emb", values, 60, 3, {testing::StoredType::Kind::floating, 8});
  set_mtime("data/x.h5", then);
  const DatasetTarget resized = listed("data/x.h5");
  EXPECT_NE(resized.file_size, before.file_size);
  EXPECT_FALSE(identity_of(before) == identity_of(resized));
}

// Lines written before rankme recorded canonical_file: the file as spelled is resolved now, from the
// current directory (where --resume runs the same command line again).
TEST_F(ResultIdentitySpellings, AResultWithoutCanonicalFileIsResolvedAsSpelled) {
  const WorkingDirectory here(directory_.path());
  DatasetResult old_result = result_of(listed("./data/x.h5"));
  old_result.canonical_file.clear();
  EXPECT_EQ(identity_of(old_result), identity_of(listed("linked/x.h5")));
  EXPECT_EQ(identity_of(old_result), identity_of(listed(directory_.file("data/x.h5"))));
  // A file that is gone: the spelling as given, as before canonical paths, which no existing file has.
  old_result.file = "gone/x.h5";
  EXPECT_EQ(identity_of(old_result).file, "gone/x.h5");
  EXPECT_FALSE(identity_of(old_result) == identity_of(listed("data/x.h5")));
}

TEST(ResultIdentity, AnUnreachableTargetIsKnownByItsSpelling) {
  DatasetTarget missing;
  missing.file = "no/such/file.h5";
  missing.dataset = "/emb";
  missing.error = "cannot open";
  EXPECT_EQ(identity_of(missing).file, "no/such/file.h5");
  DatasetResult failed;
  failed.file = "no/such/file.h5";
  failed.dataset = "/emb";
  failed.status = ResultStatus::error;
  EXPECT_EQ(identity_of(failed), identity_of(missing));
}

}  // namespace
}  // namespace rankme

namespace rankme {
namespace {

// A pooled or stacked target, and the result scoring it reports (score_dataset copies these fields).
DatasetTarget pooled_or_stacked(PoolMode pool, std::size_t parts) {
  DatasetTarget target;
  target.file = "runs/lr0.1";
  target.dataset = "/emb";
  target.rows = 40;
  target.cols = 8;
  target.canonical_file = "/scratch/runs/lr0.1";
  target.pool = pool;
  for (std::size_t i = 0; i < parts; ++i) {
    DatasetTarget part;
    part.file = "runs/lr0.1/emb_rank" + std::to_string(i) + ".h5";
    part.dataset = "/emb";
    part.rows = 10;
    part.canonical_file = "/scratch/" + part.file;
    part.file_size = 1000 + i;
    part.file_mtime_ns = static_cast<std::int64_t>(7000 + i);
    target.parts.push_back(part);
  }
  return target;
}

DatasetResult reported(const DatasetTarget& target) {
  DatasetResult result;
  result.file = target.file;
  result.dataset = target.dataset;
  result.rows = target.rows;
  result.cols = target.cols;
  result.canonical_file = target.canonical_file;
  if (target.pool != PoolMode::none) result.pool = pool_mode_name(target.pool);
  for (const DatasetTarget& part : target.parts) {
    result.parts.push_back({part.file, part.dataset, part.rows, part.canonical_file, part.file_size, part.file_mtime_ns});
  }
  result.part_count = result.parts.size();
  return result;
}

TEST(ResultIdentity, AnotherPoolingIsAnotherResult) {
  const DatasetTarget mean = pooled_or_stacked(PoolMode::mean, 0);
  EXPECT_EQ(identity_of(reported(mean)), identity_of(mean));
  EXPECT_FALSE(identity_of(reported(mean)) == identity_of(pooled_or_stacked(PoolMode::first, 0)));
  EXPECT_FALSE(identity_of(reported(mean)) == identity_of(pooled_or_stacked(PoolMode::none, 0)));
}

TEST(ResultIdentity, AStackedMatrixIsKnownByEveryPart) {
  const DatasetTarget stacked = pooled_or_stacked(PoolMode::none, 3);
  EXPECT_EQ(identity_of(reported(stacked)), identity_of(stacked));
  DatasetTarget rewritten = stacked;
  rewritten.parts[1].file_mtime_ns += 1;
  EXPECT_FALSE(identity_of(reported(stacked)) == identity_of(rewritten));
  DatasetTarget resized = stacked;
  resized.parts[2].file_size += 1;
  EXPECT_FALSE(identity_of(reported(stacked)) == identity_of(resized));
  DatasetTarget reordered = stacked;
  std::swap(reordered.parts[0], reordered.parts[1]);
  EXPECT_FALSE(identity_of(reported(stacked)) == identity_of(reordered));
  EXPECT_FALSE(identity_of(reported(stacked)) == identity_of(pooled_or_stacked(PoolMode::none, 2)));
  // A CSV line says only how many parts: it never settles a stacked target.
  DatasetResult from_csv = reported(stacked);
  from_csv.parts.clear();
  EXPECT_FALSE(identity_of(from_csv) == identity_of(stacked));
}

}  // namespace
}  // namespace rankme
