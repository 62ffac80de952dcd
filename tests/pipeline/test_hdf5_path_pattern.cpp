// The FILE:PATTERN syntax: glob matching of HDF5 paths, wildcard detection and escapes, and the compiled
// pattern that discovery walks one component at a time. Pure strings, no file.
#include "rankme/pipeline/hdf5_path_pattern.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rankme {
namespace {

struct GlobCase {
  std::string pattern, path;
  bool matches;
};

TEST(Hdf5PathMatches, Table) {
  const std::vector<GlobCase> cases = {
      // '*' within one component, never across '/'
      {"/runs/*/embeddings", "/runs/lr=0.1, wd=1e-4/embeddings", true},
      {"/runs/*/embeddings", "/runs/a/b/embeddings", false},
      {"/runs/*", "/runs/a/b", false},
      {"/runs/*", "/runs", false},
      {"/*/*", "/a", false},
      {"/run*", "/run", true},
      {"/run*", "/runs=3", true},
      {"/*x*y*", "/axbxcy", true},
      {"/*x*y", "/axbxcyz", false},
      {"/*.h5", "/a.h5", true},
      {"/x**y", "/xaay", true},  // "**" inside a component is a '*'
      {"/x**y", "/xa/ay", false},
      // names as users write them: spaces, '=', ',', '+', '%', '#'
      {"/runs/*/epoch 100/embeddings", "/runs/lr=0.1, wd=1e-4/epoch 100/embeddings", true},
      {"/runs/*/epoch 100/embeddings", "/runs/lr=0.1/epoch 1000/embeddings", false},
      {"/runs/lr=*, wd=1e-4/emb", "/runs/lr=0.3, wd=1e-4/emb", true},
      {"/runs/lr=*, wd=1e-4/emb", "/runs/lr=0.3, wd=1e-5/emb", false},
      {"/a,b/c+d/e%f#g", "/a,b/c+d/e%f#g", true},
      {"/runs/*/epoch 1?0/embeddings", "/runs/x/epoch 100/embeddings", true},
      {"/runs/*/epoch 1?0/embeddings", "/runs/x/epoch 10/embeddings", false},
      // "**": zero or more whole components
      {"/runs/**", "/runs/a/b", true},
      {"/runs/**/embeddings", "/runs/embeddings", true},
      {"/runs/**/embeddings", "/runs/a/b/c/embeddings", true},
      {"/runs/**/embeddings", "/runs/a/b/c/labels", false},
      {"/**/embeddings", "/embeddings", true},
      {"/**", "/x", true},
      {"/**/**/e", "/e", true},
      {"/**/epoch */embeddings", "/a/b/epoch 3/embeddings", true},
      {"/**/epoch */embeddings", "/a/b/epoch 3/x/embeddings", false},
      {"**/emb", "/a/emb", true},  // a pattern without its leading '/'
      {"//runs//*/", "/runs/x", true},  // repeated and trailing separators
      // sets
      {"/lr=0.[0-9]*", "/lr=0.01", true},
      {"/lr=0.[!0]*", "/lr=0.01", false},
      {"/lr=0.[!0]*", "/lr=0.3", true},
      {"/lr=0.[^0]*", "/lr=0.3", true},
      {"/seed [12]", "/seed 1", true},
      {"/seed [12]", "/seed 3", false},
      {"/seed [a-cx]", "/seed x", true},
      {"/seed [a-cx]", "/seed d", false},
      {"/[]]x", "/]x", true},  // ']' first is a member
      {"/[!]]x", "/ax", true},
      {"/[!]]x", "/]x", false},
      {"/[a-]", "/-", true},  // '-' last is a member
      {"/a[", "/a[", true},   // an unterminated '[' is itself
      {"/a[b", "/a[b", true},
      {"/a[b", "/ab", false},
      {"/[seed 1]", "/[seed 1]", false},  // a set: one character of "seed 1"
      {"/[seed 1]", "/e", true},
      // escapes
      {"/\\*", "/*", true},
      {"/\\*", "/x", false},
      {"/a\\?b", "/a?b", true},
      {"/a\\?b", "/axb", false},
      {"/\\[seed 1\\]", "/[seed 1]", true},
      {"/\\[seed 1\\]", "/s", false},
      {"/a\\\\b", "/a\\b", true},
      {"/[\\]]", "/]", true},
      {"/\\*\\*/x", "/**/x", true},  // an escaped "**" is two stars, not a globstar
      {"/\\*\\*/x", "/a/b/x", false},
      // characters, not bytes
      {"/?", "/\xc3\xa9", true},
      {"/??", "/\xc3\xa9", false},
      {"/[\xc3\xa0-\xc3\xbc]", "/\xc3\xa9", true},
      {"/*\xc3\xa9", "/caf\xc3\xa9", true},
      {"/?", "/\xff", true},  // invalid UTF-8: one byte is one character
  };
  for (const GlobCase& c : cases) {
    EXPECT_EQ(hdf5_path_matches(c.pattern, c.path), c.matches) << "pattern '" << c.pattern << "', path '" << c.path << "'";
  }
}

TEST(Hdf5PathMatches, WildcardDetectionAndUnescaping) {
  EXPECT_FALSE(has_unescaped_wildcards("/runs/lr=0.1, wd=1e-4/epoch 100/embeddings"));
  EXPECT_TRUE(has_unescaped_wildcards("/runs/*/embeddings"));
  EXPECT_TRUE(has_unescaped_wildcards("/runs/epoch 1?0"));
  EXPECT_TRUE(has_unescaped_wildcards("/seed [12]"));
  EXPECT_FALSE(has_unescaped_wildcards("/runs/\\*/embeddings"));
  EXPECT_FALSE(has_unescaped_wildcards("/a\\?\\[b]"));
  EXPECT_TRUE(has_unescaped_wildcards("/a\\\\*"));  // an escaped backslash, then a star
  EXPECT_FALSE(has_unescaped_wildcards("/lr[0.1"));   // no ']'
  EXPECT_FALSE(has_unescaped_wildcards("/a[b/c]"));   // '[' and ']' in different components

  EXPECT_EQ(unescape_hdf5_path("/a\\*b\\[c\\]"), "/a*b[c]");
  EXPECT_EQ(unescape_hdf5_path("/a\\\\b"), "/a\\b");
  EXPECT_EQ(unescape_hdf5_path("/a\\"), "/a\\");
  EXPECT_EQ(unescape_hdf5_path("/plain name=1, x"), "/plain name=1, x");
}

// Discovery walks a file's groups with the compiled pattern: a group whose state is dead is not opened.
TEST(Hdf5PathPattern, WalkedComponentByComponentItTellsWhereNothingCanMatch) {
  const Hdf5PathPattern pattern("/runs/*/embeddings");
  const Hdf5PathPattern::States start = pattern.start();
  EXPECT_FALSE(pattern.accepts(start));
  EXPECT_TRUE(Hdf5PathPattern::is_dead(pattern.advance(start, "other")));  // nothing below "/other" matches
  const Hdf5PathPattern::States runs = pattern.advance(start, "runs");
  EXPECT_FALSE(Hdf5PathPattern::is_dead(runs));
  EXPECT_FALSE(pattern.accepts(runs));
  const Hdf5PathPattern::States run = pattern.advance(runs, "lr=0.1, wd=0");
  EXPECT_FALSE(pattern.accepts(run));
  EXPECT_TRUE(Hdf5PathPattern::is_dead(pattern.advance(run, "labels")));
  const Hdf5PathPattern::States leaf = pattern.advance(run, "embeddings");
  EXPECT_TRUE(pattern.accepts(leaf));
  EXPECT_TRUE(Hdf5PathPattern::is_dead(pattern.advance(leaf, "deeper")));

  // "**" keeps every depth alive, and accepts as soon as what follows it does.
  const Hdf5PathPattern globstar("/**/emb");
  Hdf5PathPattern::States states = globstar.start();
  for (const std::string group : {"a", "b b", "c"}) {
    states = globstar.advance(states, group);
    EXPECT_FALSE(Hdf5PathPattern::is_dead(states)) << group;
    EXPECT_FALSE(globstar.accepts(states)) << group;
  }
  EXPECT_TRUE(globstar.accepts(globstar.advance(states, "emb")));
  EXPECT_TRUE(globstar.accepts(globstar.advance(globstar.start(), "emb")));

  // A whole-file scan is "/**": everything at every depth.
  const Hdf5PathPattern scan("/**");
  EXPECT_TRUE(scan.accepts(scan.advance(scan.start(), "x")));
  EXPECT_TRUE(scan.accepts(scan.advance(scan.advance(scan.start(), "x"), "y")));
}
}  // namespace
}  // namespace rankme
