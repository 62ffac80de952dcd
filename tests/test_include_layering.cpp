// The layering rule, checked on the tree: a file in an area's folder (include/rankme/<area>/, src/<area>/,
// tests/<area>/) may include the headers of its own area and of the areas below it, as declared by
// rankme_add_area in CMakeLists.txt (the graph CMake writes to RANKME_AREA_GRAPH), and the headers of the
// external libraries those areas link (mpi.h only from parallel up, hdf5.h only from io up). An include
// that points up, a folder that is no declared area, or a cycle in the graph fails the test.
// src/main.cpp, src/tools/, src/python/ (the Python module, a consumer of the core like the tools), tests/support/
// and tests/fuzz/ sit above every area and are not checked. Folders without C++: tests/data/ (fixture files),
// tests/scripts/ (the Python tests of scripts/), tests/python/ (those of the module), tests/install/ (the shell
// tests of the installed tree), tests/docs/ (the check of README.md and docs/),
// tests/cmake/ (the tests of cmake/).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Area {
  std::set<std::string> depends;    // direct
  std::set<std::string> externals;  // direct: blas, mpi, scalapack, hdf5, libdeflate, json, zlib, cli11
};
using AreaGraph = std::map<std::string, Area>;

// "area|dep dep|ext ext" per line, as cmake/RankmeAreas.cmake writes it.
AreaGraph parse_area_graph(const std::string& text) {
  AreaGraph graph;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream parts(line);
    for (std::string field; std::getline(parts, field, '|');) fields.push_back(field);
    fields.resize(3);
    Area& area = graph[fields[0]];
    std::istringstream depends(fields[1]), externals(fields[2]);
    for (std::string name; depends >> name;) area.depends.insert(name);
    for (std::string name; externals >> name;) area.externals.insert(name);
  }
  return graph;
}

// The areas on a cycle (empty for a DAG), by depth-first search.
std::set<std::string> areas_on_cycles(const AreaGraph& graph) {
  std::set<std::string> on_cycle;
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    state[name] = 1;
    stack.push_back(name);
    const auto found = graph.find(name);
    if (found != graph.end()) {
      for (const std::string& next : found->second.depends) {
        if (state[next] == 1) {
          for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
            on_cycle.insert(*it);
            if (*it == next) break;
          }
        } else if (state[next] == 0) {
          visit(next);
        }
      }
    }
    stack.pop_back();
    state[name] = 2;
  };
  for (const auto& [name, area] : graph) {
    if (state[name] == 0) visit(name);
  }
  return on_cycle;
}

// The area itself and every area below it; the external libraries all of those link.
struct Reach {
  std::set<std::string> areas;
  std::set<std::string> externals;
};

Reach reach_of(const AreaGraph& graph, const std::string& start) {
  Reach reach;
  std::vector<std::string> pending = {start};
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    if (!reach.areas.insert(name).second) continue;
    const auto found = graph.find(name);
    if (found == graph.end()) continue;
    reach.externals.insert(found->second.externals.begin(), found->second.externals.end());
    pending.insert(pending.end(), found->second.depends.begin(), found->second.depends.end());
  }
  return reach;
}

// Which external library a system header belongs to; "" for the standard library and POSIX.
std::string external_of(const std::string& header) {
  if (header == "mpi.h") return "mpi";
  if (header == "hdf5.h" || header.rfind("H5", 0) == 0) return "hdf5";
  if (header == "cblas.h" || header.rfind("lapack", 0) == 0) return "blas";
  if (header.rfind("CLI/", 0) == 0) return "cli11";
  if (header.rfind("nlohmann/", 0) == 0) return "json";
  if (header == "zlib.h") return "zlib";
  if (header == "libdeflate.h") return "libdeflate";
  return "";
}

// The header an #include line names ("x" or <x>); nothing for other lines. String scanning, not <regex>:
// GCC 12 warns inside libstdc++'s regex at -O1 with the sanitizers.
std::optional<std::string> included_header(const std::string& line) {
  std::size_t at = line.find_first_not_of(" \t");
  if (at == std::string::npos || line[at] != '#') return std::nullopt;
  at = line.find_first_not_of(" \t", at + 1);
  if (at == std::string::npos || line.compare(at, 7, "include") != 0) return std::nullopt;
  at = line.find_first_not_of(" \t", at + 7);
  if (at == std::string::npos || (line[at] != '"' && line[at] != '<')) return std::nullopt;
  const char close = line[at] == '<' ? '>' : '"';
  const std::size_t end = line.find(close, at + 1);
  if (end == std::string::npos) return std::nullopt;
  return line.substr(at + 1, end - at - 1);
}

// "rankme/<area>/..." -> "<area>"; nothing for any other header.
std::optional<std::string> product_area(const std::string& header) {
  if (header.rfind("rankme/", 0) != 0) return std::nullopt;
  const std::size_t slash = header.find('/', 7);
  if (slash == std::string::npos || slash == 7) return std::nullopt;
  return header.substr(7, slash - 7);
}

// Every violation in the tree below `root`, one line each: "src/numerics/x.cpp:3 includes ...".
std::vector<std::string> layering_violations(const fs::path& root, const AreaGraph& graph) {
  std::vector<std::string> violations;
  for (const std::string& name : areas_on_cycles(graph)) {
    violations.push_back("the area graph has a cycle through '" + name + "'");
  }
  const std::vector<fs::path> area_roots = {"include/rankme", "src", "tests"};
  const std::set<std::string> above_every_area = {"tools", "support", "fuzz", "slurm", "multihost", "sanitizers", "data",
                                                   "scripts", "install", "python", "docs", "cmake"};
  for (const fs::path& area_root : area_roots) {
    if (!fs::is_directory(root / area_root)) continue;
    for (const fs::directory_entry& folder : fs::directory_iterator(root / area_root)) {
      if (!folder.is_directory()) continue;
      const std::string area = folder.path().filename().string();
      if (above_every_area.count(area) && area_root != "include/rankme") continue;
      if (!graph.count(area)) {
        violations.push_back((area_root / area).string() + "/ is not an area declared with rankme_add_area");
        continue;
      }
      const Reach reach = reach_of(graph, area);
      for (const fs::directory_entry& entry : fs::recursive_directory_iterator(folder.path())) {
        const std::string extension = entry.path().extension().string();
        if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp" && extension != ".in")) continue;
        const std::string relative = fs::relative(entry.path(), root).string();
        std::ifstream in(entry.path());
        int number = 0;
        for (std::string line; std::getline(in, line);) {
          ++number;
          const std::optional<std::string> included = included_header(line);
          if (!included) continue;
          const std::string& header = *included;
          const std::string where = relative + ":" + std::to_string(number) + " (area " + area + ") includes ";
          if (const std::optional<std::string> product = product_area(header)) {
            if (!reach.areas.count(*product)) {
              violations.push_back(where + header + ": '" + *product + "' is not below '" + area + "'");
            }
            continue;
          }
          const std::string external = external_of(header);
          if (!external.empty() && !reach.externals.count(external)) {
            violations.push_back(where + "<" + header + ">: '" + area + "' does not link " + external);
          }
        }
      }
    }
  }
  return violations;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(IncludeLayering, TheTreeFollowsTheAreaGraph) {
  const AreaGraph graph = parse_area_graph(read_text(RANKME_AREA_GRAPH));
  ASSERT_GE(graph.size(), 8u) << "the graph CMake wrote: " << RANKME_AREA_GRAPH;
  // The rule's reason for being: the numerical core knows neither MPI nor HDF5.
  const Reach numerics = reach_of(graph, "numerics");
  EXPECT_FALSE(numerics.externals.count("mpi"));
  EXPECT_FALSE(numerics.externals.count("hdf5"));
  EXPECT_FALSE(reach_of(graph, "parallel").areas.count("io"));
  const std::vector<std::string> violations = layering_violations(RANKME_SOURCE_DIR, graph);
  EXPECT_TRUE(violations.empty()) << joined(violations);
}

// The checker itself, on a made-up tree: it must see a back-edge, an external header out of place, an
// undeclared folder and a cycle, and accept what follows the rule.
class MadeUpTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("rankme_layering_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  fs::path root_;
};

TEST_F(MadeUpTree, DownwardIncludesPass) {
  const AreaGraph graph = parse_area_graph("low||blas\nhigh|low|mpi\n");
  write("include/rankme/low/a.hpp", "#include <cblas.h>\n#include <vector>\n");
  write("src/high/b.cpp", "#include \"rankme/low/a.hpp\"\n#include <mpi.h>\n#include <cblas.h>\n");
  write("src/tools/t.cpp", "#include \"rankme/high/b.hpp\"\n");
  EXPECT_TRUE(layering_violations(root_, graph).empty()) << joined(layering_violations(root_, graph));
}

TEST_F(MadeUpTree, ABackEdgeFails) {
  const AreaGraph graph = parse_area_graph("low||\nhigh|low|\n");
  write("src/low/a.cpp", "#include \"rankme/low/a.hpp\"\n\n  #  include \"rankme/high/b.hpp\"\n// #include \"rankme/high/c.hpp\"\n");
  const std::vector<std::string> violations = layering_violations(root_, graph);
  ASSERT_EQ(violations.size(), 1u) << joined(violations);
  EXPECT_NE(violations[0].find("src/low/a.cpp:3"), std::string::npos) << violations[0];
  EXPECT_NE(violations[0].find("'high' is not below 'low'"), std::string::npos) << violations[0];
}

TEST_F(MadeUpTree, AnExternalHeaderOutsideItsAreasFails) {
  const AreaGraph graph = parse_area_graph("numerics||blas\nparallel|numerics|mpi\nio|parallel|hdf5\n");
  write("include/rankme/numerics/m.hpp", "#include <mpi.h>\n");
  write("tests/parallel/test_p.cpp", "#include <hdf5.h>\n#include <mpi.h>\n");
  const std::vector<std::string> violations = layering_violations(root_, graph);
  ASSERT_EQ(violations.size(), 2u) << joined(violations);
  EXPECT_NE(joined(violations).find("'numerics' does not link mpi"), std::string::npos);
  EXPECT_NE(joined(violations).find("'parallel' does not link hdf5"), std::string::npos);
}

TEST_F(MadeUpTree, AnUndeclaredFolderAndACycleFail) {
  const AreaGraph graph = parse_area_graph("a|b|\nb|a|\n");
  write("src/c/x.cpp", "\n");
  const std::string text = joined(layering_violations(root_, graph));
  EXPECT_NE(text.find("src/c/ is not an area"), std::string::npos) << text;
  EXPECT_NE(text.find("cycle through 'a'"), std::string::npos) << text;
  EXPECT_NE(text.find("cycle through 'b'"), std::string::npos) << text;
}

}  // namespace
