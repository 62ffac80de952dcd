#include "rankme/pipeline/input_spec.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

class InputSpecTest : public ::testing::Test {
 protected:
  void touch(const std::string& name) { std::ofstream(directory.file(name)) << "x"; }
  testing::TemporaryDirectory directory;
};

TEST_F(InputSpecTest, AnExistingFileIsTheWholeArgument) {
  touch("plain.h5");
  const InputSpec spec = parse_input_spec(directory.file("plain.h5"));
  EXPECT_EQ(spec.file, directory.file("plain.h5"));
  EXPECT_FALSE(spec.dataset.has_value());
}

TEST_F(InputSpecTest, SplitsAtTheFirstColonAfterAnExistingFile) {
  touch("a.h5");
  const InputSpec spec = parse_input_spec(directory.file("a.h5") + ":/train/embeddings");
  EXPECT_EQ(spec.file, directory.file("a.h5"));
  EXPECT_EQ(spec.dataset, "/train/embeddings");
}

TEST_F(InputSpecTest, ColonsInFileNamesAndDatasetPaths) {
  touch("run:1.h5");
  const InputSpec spec = parse_input_spec(directory.file("run:1.h5") + ":/emb:v2/epoch:10");
  EXPECT_EQ(spec.file, directory.file("run:1.h5"));
  EXPECT_EQ(spec.dataset, "/emb:v2/epoch:10");
}

TEST_F(InputSpecTest, RelativeDatasetPathsBecomeAbsolute) {
  touch("b.h5");
  EXPECT_EQ(parse_input_spec(directory.file("b.h5") + ":group/ds").dataset, "/group/ds");
}

TEST_F(InputSpecTest, MissingFilesKeepTheirNameForTheErrorMessage) {
  const InputSpec with_dataset = parse_input_spec(directory.file("missing.h5") + ":/x");
  EXPECT_EQ(with_dataset.file, directory.file("missing.h5"));
  EXPECT_EQ(with_dataset.dataset, "/x");
  const InputSpec bare = parse_input_spec(directory.file("missing.h5"));
  EXPECT_EQ(bare.file, directory.file("missing.h5"));
  EXPECT_FALSE(bare.dataset.has_value());
}

}  // namespace
}  // namespace rankme
