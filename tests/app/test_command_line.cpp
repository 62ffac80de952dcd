#include "rankme/app/command_line.hpp"

#include <gtest/gtest.h>

namespace rankme {
namespace {

ParsedCommandLine parse(std::vector<const char*> arguments) {
  arguments.insert(arguments.begin(), "rankme");
  return parse_command_line(static_cast<int>(arguments.size()), arguments.data());
}

TEST(CommandLine, DefaultsAreTheDocumentedOnes) {
  const ParsedCommandLine parsed = parse({"a.h5", "b.h5:/x"});
  EXPECT_EQ(parsed.exit_code, -1);
  EXPECT_EQ(parsed.command_line.inputs, (std::vector<std::string>{"a.h5", "b.h5:/x"}));
  EXPECT_EQ(parsed.command_line.format, OutputFormat::table);
  EXPECT_EQ(parsed.command_line.score.solver, SolverChoice::automatic);
  EXPECT_EQ(parsed.command_line.score.block_rows, 0u);
  EXPECT_EQ(parsed.command_line.score.eps, 1e-7);
  EXPECT_EQ(parsed.command_line.score.precision, Precision::automatic);
  EXPECT_FALSE(parsed.command_line.score.timings);
  EXPECT_EQ(parsed.command_line.threads, 0);
  EXPECT_FALSE(parsed.command_line.verbose);
}

TEST(CommandLine, PrecisionTimingsThreadsAndVerbose) {
  EXPECT_EQ(parse({"--precision", "double", "a.h5"}).command_line.score.precision, Precision::double_precision);
  EXPECT_EQ(parse({"--precision", "mixed", "a.h5"}).command_line.score.precision, Precision::mixed);
  EXPECT_EQ(parse({"--precision", "auto", "a.h5"}).command_line.score.precision, Precision::automatic);
  const ParsedCommandLine parsed = parse({"--timings", "--threads", "3", "--verbose", "a.h5"});
  EXPECT_TRUE(parsed.command_line.score.timings);
  EXPECT_EQ(parsed.command_line.threads, 3);
  EXPECT_TRUE(parsed.command_line.verbose);
  for (const auto& arguments : std::vector<std::vector<const char*>>{
           {"--precision", "single", "a.h5"}, {"--threads", "0", "a.h5"}, {"--threads", "-2", "a.h5"}, {"--threads", "x", "a.h5"}}) {
    EXPECT_EQ(parse(arguments).exit_code, exit_usage) << arguments[0] << " " << arguments[1];
  }
}

TEST(CommandLine, EveryOption) {
  const ParsedCommandLine parsed =
      parse({"--format", "jsonl", "--solver", "scalapack", "--block-rows", "128", "--eps", "0", "a.h5"});
  EXPECT_EQ(parsed.exit_code, -1);
  EXPECT_EQ(parsed.command_line.format, OutputFormat::jsonl);
  EXPECT_EQ(parsed.command_line.score.solver, SolverChoice::scalapack);
  EXPECT_EQ(parsed.command_line.score.block_rows, 128u);
  EXPECT_EQ(parsed.command_line.score.eps, 0.0);
  EXPECT_EQ(parse({"--format", "csv", "--solver", "lapack", "a.h5"}).command_line.format, OutputFormat::csv);
}

TEST(CommandLine, BestPer) {
  EXPECT_TRUE(parse({"a.h5"}).command_line.best_per.empty());
  EXPECT_EQ(parse({"--best-per", "run", "a.h5"}).command_line.best_per, (std::vector<std::string>{"run"}));
  EXPECT_EQ(parse({"--best-per", "lr, wd", "a.h5"}).command_line.best_per, (std::vector<std::string>{"lr", "wd"}));
  for (const char* keys : {"", ",", "lr,,wd", "lr,lr"}) {
    const ParsedCommandLine parsed = parse({"--best-per", keys, "a.h5"});
    EXPECT_EQ(parsed.exit_code, exit_usage) << keys;
    EXPECT_NE(parsed.message.find("--best-per"), std::string::npos) << parsed.message;
  }
}

TEST(CommandLine, PoolAndConcat) {
  EXPECT_EQ(parse({"a.h5"}).command_line.pool, PoolMode::none);
  EXPECT_EQ(parse({"a.h5"}).command_line.concat, ConcatMode::none);
  for (const PoolMode mode : {PoolMode::mean, PoolMode::first, PoolMode::last, PoolMode::flatten}) {
    EXPECT_EQ(parse({"--pool", pool_mode_name(mode), "a.h5"}).command_line.pool, mode);
  }
  EXPECT_EQ(parse({"--pool", "median", "a.h5"}).exit_code, exit_usage);
  EXPECT_EQ(parse({"--concat", "a.npy", "b.npy"}).command_line.concat, ConcatMode::all);
  EXPECT_EQ(parse({"--concat-by", "directory", "runs"}).command_line.concat, ConcatMode::by_directory);
  EXPECT_EQ(parse({"--concat-by", "all", "runs"}).command_line.concat, ConcatMode::all);
  EXPECT_EQ(parse({"--concat-by", "file", "runs"}).exit_code, exit_usage);
  EXPECT_EQ(parse({"--concat", "--concat-by", "directory", "runs"}).exit_code, exit_usage);
  // --concat takes no value: the next argument is an input.
  EXPECT_EQ(parse({"--concat", "runs"}).command_line.inputs, std::vector<std::string>{"runs"});
}

TEST(CommandLine, ProgressChoicesAndQuiet) {
  using Choice = ProgressReport::Choice;
  EXPECT_EQ(parse({"a.h5"}).command_line.progress, Choice::automatic);
  EXPECT_EQ(parse({"--progress", "bar", "a.h5"}).command_line.progress, Choice::bar);
  EXPECT_EQ(parse({"--progress", "lines", "a.h5"}).command_line.progress, Choice::lines);
  EXPECT_EQ(parse({"--quiet", "--progress", "bar", "a.h5"}).command_line.progress, Choice::none);
  EXPECT_EQ(parse({"--progress", "fancy", "a.h5"}).exit_code, exit_usage);
}

TEST(CommandLine, UsageErrorsExitTwoWithAMessage) {
  for (const auto& arguments : std::vector<std::vector<const char*>>{
           {}, {"--bogus", "a.h5"}, {"--format", "xml", "a.h5"}, {"--block-rows", "0", "a.h5"},
           {"--eps", "-1", "a.h5"}, {"--eps", "nan", "a.h5"}, {"--eps", "inf", "a.h5"}, {"--solver", "magma", "a.h5"}, {"--block-rows", "many", "a.h5"}}) {
    const ParsedCommandLine parsed = parse(arguments);
    EXPECT_EQ(parsed.exit_code, exit_usage) << (arguments.empty() ? "(none)" : arguments.front());
    EXPECT_TRUE(parsed.message_is_error);
    EXPECT_NE(parsed.message.find("rankme: usage error:"), std::string::npos) << parsed.message;
  }
}

TEST(CommandLine, HelpAndVersionExitZero) {
  const ParsedCommandLine help = parse({"--help"});
  EXPECT_EQ(help.exit_code, exit_success);
  EXPECT_NE(help.message.find("--format"), std::string::npos);
  const ParsedCommandLine version = parse({"--version"});
  EXPECT_EQ(version.exit_code, exit_success);
  EXPECT_EQ(version.message.rfind("rankme ", 0), 0u);
}

}  // namespace
}  // namespace rankme
