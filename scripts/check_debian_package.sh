#!/usr/bin/env bash
# CI's check of the .deb (scripts/run_tests.sh runs it after the release suite): builds the package from a
# built release tree (cpack -G DEB), installs it with apt-get as an administrator would, runs the installed
# tools from a directory outside the source tree (rankme-example writes the example, rankme scores it on two
# ranks, rankme-merge and rankme-report read the results), checks the man page, and removes the package again:
# remove only, never purge or autoremove, and also when a step failed.
#
#   scripts/check_debian_package.sh [BUILD_DIR]      (default: build/; as root, or with sudo)
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$source_dir/build}" && pwd)

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
# Another apt-get or dpkg (unattended upgrades, a parallel job) may hold the lock: wait for it.
apt_get=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq)

fail() {
  echo "check_debian_package: $*" >&2
  exit 1
}

if dpkg-query -W -f='${Status}' rankme 2>/dev/null | grep -q "install ok installed"; then
  fail "a rankme package is installed already; this check installs and removes its own (apt-get remove rankme first)"
fi

(cd "$build_dir" && rm -f rankme_*.deb && cpack -G DEB >/dev/null)
shopt -s nullglob
debs=("$build_dir"/rankme_*.deb)
((${#debs[@]} == 1)) || fail "cpack wrote ${#debs[@]} packages rankme_*.deb in $build_dir, expected one"
deb=${debs[0]}
echo "check_debian_package: $(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"

work=$(mktemp -d)
installed=0
cleanup() {
  local status=$?
  if ((installed)); then
    "${apt_get[@]}" remove rankme >/dev/null || { echo "check_debian_package: apt-get remove rankme failed" >&2; status=1; }
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# apt-get resolves Depends (and Recommends) from the archive; the path must contain a slash.
installed=1
"${apt_get[@]}" install "$deb" >/dev/null

# The launcher of the stack the package depends on.
case $(dpkg-deb -f "$deb" Depends) in
  *openmpi-bin*) mpiexec=(mpiexec.openmpi -n 2 --oversubscribe) ;;
  *mpich*) mpiexec=(mpiexec.mpich -n 2) ;;
  *) fail "the package depends on no MPI launcher (openmpi-bin or mpich)" ;;
esac
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

cd "$work"  # nothing of the source or build tree is reachable from here but through /usr
[[ "$(command -v rankme)" == /usr/bin/rankme ]] || fail "rankme on PATH is '$(command -v rankme)', not /usr/bin/rankme"
/usr/bin/rankme --version | grep -qx "rankme [0-9][0-9.]*" || fail "rankme --version: $(/usr/bin/rankme --version)"
/usr/bin/rankme-example sweep.h5 >/dev/null
"${mpiexec[@]}" /usr/bin/rankme --quiet --lidar --groups /object_ids --format jsonl --output results.jsonl sweep.h5 \
  >stdout.jsonl 2>stderr.txt || { cat stderr.txt >&2; fail "rankme failed on the example"; }
/usr/bin/python3 "$source_dir/tests/install/check_example_results.py" results.jsonl || fail "the example's results are not sane"
/usr/bin/rankme-merge results.jsonl --best-per run | grep -q "lr=0.001_wd=0.05" ||
  fail "rankme-merge --best-per run does not list the example's runs"
if /usr/bin/python3 -c "import numpy, matplotlib, h5py" 2>/dev/null; then
  /usr/bin/rankme-report results.jsonl --x lr --color wd --out report >/dev/null
  [[ -s report/report.html ]] || fail "rankme-report wrote no report/report.html"
fi
# The man page is in the package (help2man at build time); where dpkg installs man pages (minimal images may
# exclude /usr/share/man) and man is there, man finds it.
contents=$(dpkg-deb -c "$deb")
grep -q "/usr/share/man/man1/rankme.1" <<<"$contents" || fail "the package has no man page man1/rankme.1"
if [[ -e /usr/share/man/man1/rankme.1 ]] && command -v man >/dev/null; then
  [[ "$(man -w rankme)" == /usr/share/man/man1/rankme.1* ]] || fail "man -w rankme: '$(man -w rankme 2>&1)'"
fi
# The Python module, when the build has it: Debian's python3 imports it from the package's dist-packages and
# scores an array in process (no launcher, no file) to the command line's number on the same data.
if grep -q "dist-packages/rankme/__init__.py" <<<"$contents"; then
  /usr/bin/python3 - <<'EOF' || fail "the installed Python module does not score like the installed rankme"
import json, subprocess, numpy as np, rankme
assert rankme.__file__.startswith("/usr/lib/python3"), rankme.__file__
z = np.random.default_rng(0).standard_normal((300, 40)) * np.logspace(0, -3, 40)
np.save("z.npy", z)
cli = json.loads(subprocess.run(["/usr/bin/rankme", "--format", "jsonl", "--quiet", "z.npy"],
                                capture_output=True, text=True, check=True).stdout)
module = rankme.score(z)
assert abs(module["rankme"] - cli["rankme"]) <= 1e-12 * cli["rankme"], (module["rankme"], cli["rankme"])
EOF
fi
[[ -f /usr/share/rankme/slurm/score_sweep.sbatch && -f /usr/share/doc/rankme/README.md ]] ||
  fail "the SLURM templates or the docs are missing from /usr/share"
echo "check_debian_package: ok: installed, scored the example from $work (removing the package)"
