#!/usr/bin/python3
"""The README and docs/ as a new user meets them.

    test_docs.py SOURCE_DIR RANKME RANKME_MERGE

- README.md has at most 250 lines, its first code block is the two set-up commands (which exist), and its
  first screenful (60 lines) shows one-file scoring, a sweep to pandas and SLURM;
- every relative link in README.md and docs/*.md reaches an existing file, and every #anchor into a
  markdown file names one of its headings (GitHub's rule: lower case, punctuation but - and _ dropped,
  spaces to -);
- every option that `rankme --help` and `rankme-merge --help` define is in docs/cli.md;
- the benchmark lives in docs/benchmarks.md (scripts/bench writes it there) and nothing points at the old
  BENCHMARKS.md at the top of the tree.
"""
import glob
import os
import re
import subprocess
import sys
import unittest

SOURCE, RANKME, RANKME_MERGE = sys.argv[1:4] if len(sys.argv) >= 4 else (None, None, None)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def without_code(text):
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def anchors(path):
    found = set()
    for line in without_code(read(path)).splitlines():
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if heading:
            words = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower())
            found.add(words.replace(" ", "-"))
    return found


def defined_options(program):
    text = subprocess.run([program, "--help"], capture_output=True, text=True, check=True).stdout
    return {m.group(2) for m in re.finditer(r"^\s+(-\w,)?(--[a-z][a-z0-9-]*)", text, flags=re.M)}


class Readme(unittest.TestCase):
    def setUp(self):
        self.lines = read(os.path.join(SOURCE, "README.md")).splitlines()

    def test_at_most_250_lines(self):
        self.assertLessEqual(len(self.lines), 250)

    def test_first_code_block_is_the_two_setup_commands(self):
        start = self.lines.index("```")
        block = self.lines[start + 1:self.lines.index("```", start + 1)]
        commands = [line.split()[0] for line in block]
        self.assertEqual(commands, ["scripts/run_example.sh", "scripts/run_tests.sh"])
        for command in commands:
            self.assertTrue(os.access(os.path.join(SOURCE, command), os.X_OK), command)

    def test_first_screenful_has_one_file_pandas_and_slurm(self):
        screen = "\n".join(self.lines[:60])
        self.assertRegex(screen, r"build/rankme embeddings\.h5\s")
        self.assertIn('pd.read_csv("results.csv")', screen)
        self.assertIn('pd.read_json("results.jsonl", lines=True)', screen)
        self.assertRegex(screen, r"sbatch [^\n]*scripts/slurm/score_sweep\.sbatch")


class Links(unittest.TestCase):
    def test_every_relative_link_resolves(self):
        files = [os.path.join(SOURCE, "README.md")] + sorted(glob.glob(os.path.join(SOURCE, "docs", "*.md")))
        broken = []
        for page in files:
            for link in re.findall(r"\]\(([^)\s]+)\)", without_code(read(page))):
                if re.match(r"[a-z]+:", link):
                    continue
                path, _, anchor = link.partition("#")
                target = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                where = f"{os.path.relpath(page, SOURCE)}: {link}"
                if not os.path.exists(target):
                    broken.append(where + " (no such file)")
                elif anchor and target.endswith(".md") and anchor not in anchors(target):
                    broken.append(where + " (no such heading)")
        self.assertEqual(broken, [])

    def test_link_check_catches_a_broken_link(self):
        # The check above must be able to fail: a heading's anchor is found, a made-up one is not.
        cli = os.path.join(SOURCE, "docs", "cli.md")
        self.assertIn("exit-codes", anchors(cli))
        self.assertNotIn("no-such-heading", anchors(cli))


class CommandLineReference(unittest.TestCase):
    def test_every_option_is_documented(self):
        cli = read(os.path.join(SOURCE, "docs", "cli.md"))
        for program in (RANKME, RANKME_MERGE):
            options = defined_options(program)
            self.assertIn("--help", options)
            self.assertGreater(len(options), 3, program)
            missing = sorted(option for option in options if f"`{option}" not in cli)
            self.assertEqual(missing, [], f"{os.path.basename(program)} options not in docs/cli.md")


class Benchmarks(unittest.TestCase):
    def test_benchmarks_live_in_docs(self):
        self.assertTrue(os.path.exists(os.path.join(SOURCE, "docs", "benchmarks.md")))
        self.assertFalse(os.path.exists(os.path.join(SOURCE, "BENCHMARKS.md")))
        self.assertIn('"docs", "benchmarks.md"', read(os.path.join(SOURCE, "scripts", "bench.py")))
        stale = []
        for path in [os.path.join(SOURCE, "README.md")] + glob.glob(os.path.join(SOURCE, "docs", "*.md")):
            if re.search(r"\((\.\./)?BENCHMARKS\.md[)#]", read(path)):
                stale.append(os.path.relpath(path, SOURCE))
        self.assertEqual(stale, [])


if __name__ == "__main__":
    if SOURCE is None:
        sys.exit(__doc__)
    unittest.main(argv=sys.argv[:1], verbosity=2)
