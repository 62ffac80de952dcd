#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, which is then moved (so nothing can point at where it was
# installed, nor into the build tree), and the installed tools run from a third directory: rankme --version,
# rankme-example writing the example, rankme scoring it on two ranks, rankme-merge, rankme-report (when
# numpy, matplotlib and h5py are there), the SLURM templates finding the installed binaries, the man page
# and the docs. No root needed (the .deb: scripts/check_debian_package.sh).
#   usage: test_install.sh CMAKE BUILD_DIR MPIEXEC
set -euo pipefail
cmake=$1 build_dir=$2 mpiexec=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "test_install: $*" >&2
  exit 1
}

"$cmake" --install "$build_dir" --prefix "$tmp/installed" >/dev/null
mv "$tmp/installed" "$tmp/prefix"
prefix=$tmp/prefix
mkdir "$tmp/work"
cd "$tmp/work"

for tool in rankme rankme-merge rankme-agree rankme-example rankme-report rankme-plot-spectra; do
  [[ -x "$prefix/bin/$tool" ]] || fail "bin/$tool is not installed"
done
for binary in rankme rankme-merge rankme-agree rankme-example; do
  # No RUNPATH into the build tree (CMake's build RPATH must be gone).
  if readelf -d "$prefix/bin/$binary" | grep -E "R(UN)?PATH" | grep -qF "$build_dir"; then
    fail "bin/$binary keeps a RUNPATH into the build tree: $(readelf -d "$prefix/bin/$binary" | grep -E 'R(UN)?PATH')"
  fi
done

version=$("$prefix/bin/rankme" --version)
[[ "$version" =~ ^rankme\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "rankme --version printed '$version'"

"$prefix/bin/rankme-example" sweep.h5 >/dev/null
[[ -s sweep.h5 ]] || fail "rankme-example wrote no sweep.h5"
oversubscribe=()
[[ "$(basename "$(realpath "$mpiexec")")" == *orterun* || "$mpiexec" == *openmpi* ]] && oversubscribe=(--oversubscribe)
"$mpiexec" -n 2 "${oversubscribe[@]}" "$prefix/bin/rankme" --quiet --format jsonl --output results.jsonl sweep.h5 \
  >/dev/null
/usr/bin/python3 "$here/check_example_results.py" results.jsonl || fail "the example's results are not sane"
"$prefix/bin/rankme-merge" results.jsonl --best-per run | grep -q "lr=0.001_wd=0.05" ||
  fail "rankme-merge --best-per run does not list the example's runs"

if /usr/bin/python3 -c "import numpy, matplotlib, h5py" 2>/dev/null; then
  "$prefix/bin/rankme-report" --help | grep -q "usage:" || fail "rankme-report --help printed no usage"
  "$prefix/bin/rankme-report" results.jsonl --x lr --color wd --out report >/dev/null
  [[ -s report/report.html ]] || fail "rankme-report wrote no report/report.html"
  "$prefix/bin/rankme-plot-spectra" --help | grep -q "usage:" || fail "rankme-plot-spectra --help printed no usage"
fi

# The SLURM merge template, run by hand, finds the installed rankme-merge through its own path.
cp results.jsonl shards.shard-0.jsonl
env -u RANKME_MERGE PATH=/usr/bin:/bin bash "$prefix/share/rankme/slurm/merge_shards.sh" "$tmp/work/shards" 2>/dev/null
[[ -s shards.jsonl && $(wc -l <shards.jsonl) == "$(wc -l <results.jsonl)" ]] || fail "merge_shards.sh did not merge the shard"

if [[ -n "$(command -v help2man)" ]]; then
  [[ -s "$prefix/share/man/man1/rankme.1" ]] || fail "no man page share/man/man1/rankme.1"
  grep -qF -- '\-\-output' "$prefix/share/man/man1/rankme.1" || fail "the man page does not describe --output"
fi
[[ -f "$prefix/share/doc/rankme/README.md" ]] || fail "no share/doc/rankme/README.md"
[[ -f "$prefix/share/doc/rankme/docs/benchmarks.md" && -f "$prefix/share/doc/rankme/docs/cli.md" ]] ||
  fail "the docs (docs/cli.md, docs/benchmarks.md) are not beside the installed README"
[[ -f "$prefix/share/rankme/slurm/score_sweep.sbatch" ]] || fail "no share/rankme/slurm/score_sweep.sbatch"
echo "test_install: installed into a prefix, moved it, and ran the tools from $tmp/work"
