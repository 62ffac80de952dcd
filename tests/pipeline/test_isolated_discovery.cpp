// Discovery in child processes: what each input found comes back through the discovery message, a crash
// costs only its input (an error target naming it), an exception is a failure of the whole discovery, and
// RANKME_ISOLATE_DISCOVERY=0 turns the isolation off.
#include "rankme/pipeline/isolated_discovery.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace rankme {
namespace {

InputSpec input_of(const std::string& file, const std::string& dataset) { return InputSpec{file, dataset, false}; }

// What each input "finds": its name, the process that looked, and a note; "crash.h5" crashes that process.
Discovery pretend_to_discover(const InputSpec& input) {
  if (input.file == "crash.h5") std::raise(SIGSEGV);
  Discovery found;
  DatasetTarget target;
  target.file = input.file;
  target.dataset = input.dataset.value_or("") + "/\xff found";
  target.object_identity = std::to_string(::getpid());
  target.rows = 3;
  found.targets.push_back(target);
  found.notes.push_back("note of " + input.file);
  return found;
}

TEST(IsolatedDiscovery, EachInputIsListedInAChildAndACrashCostsOnlyItsInput) {
  const std::vector<InputSpec> inputs = {input_of("a.h5", "/x"), input_of("crash.h5", "/runs/*"),
                                         input_of("b.h5", "/y")};
  const Discovery discovery = discover_in_child_processes(inputs, pretend_to_discover);
  ASSERT_EQ(discovery.targets.size(), 3u);
  EXPECT_EQ(discovery.targets[0].file, "a.h5");
  EXPECT_EQ(discovery.targets[0].dataset, "/x/\xff found");
  EXPECT_EQ(discovery.targets[0].rows, 3u);
  EXPECT_NE(discovery.targets[0].object_identity, std::to_string(::getpid()));  // another process looked

  const DatasetTarget& crashed = discovery.targets[1];
  EXPECT_EQ(crashed.file, "crash.h5");
  EXPECT_EQ(crashed.dataset, "/runs/*");
  EXPECT_FALSE(crashed.scorable());
  EXPECT_NE(crashed.error.find("HDF5 crashed"), std::string::npos) << crashed.error;
  EXPECT_NE(crashed.error.find("'crash.h5'"), std::string::npos) << crashed.error;
  EXPECT_NE(crashed.error.find("not scored"), std::string::npos) << crashed.error;

  EXPECT_EQ(discovery.targets[2].file, "b.h5");
  EXPECT_EQ(discovery.targets[2].dataset, "/y/\xff found");
  EXPECT_EQ(discovery.notes, (std::vector<std::string>{"note of a.h5", "note of b.h5"}));
}

TEST(IsolatedDiscovery, AnExceptionIsAFailureOfTheWholeDiscovery) {
  const auto failing = [](const InputSpec& input) -> Discovery {
    if (input.file == "bad.h5") throw std::runtime_error("out of memory listing \xff");
    return Discovery{};
  };
  try {
    discover_in_child_processes({input_of("ok.h5", "/x"), input_of("bad.h5", "/x")}, failing);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), "out of memory listing \xff");
  }
}

TEST(IsolatedDiscovery, NoInputsNoTargets) {
  const Discovery discovery = discover_in_child_processes({}, pretend_to_discover);
  EXPECT_TRUE(discovery.targets.empty());
  EXPECT_TRUE(discovery.notes.empty());
}

TEST(IsolatedDiscovery, TurnedOffOnlyByZero) {
  unsetenv("RANKME_ISOLATE_DISCOVERY");
  EXPECT_TRUE(discovery_isolation_enabled());
  setenv("RANKME_ISOLATE_DISCOVERY", "1", 1);
  EXPECT_TRUE(discovery_isolation_enabled());
  setenv("RANKME_ISOLATE_DISCOVERY", "0", 1);
  EXPECT_FALSE(discovery_isolation_enabled());
  unsetenv("RANKME_ISOLATE_DISCOVERY");
}

}  // namespace
}  // namespace rankme
