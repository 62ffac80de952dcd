#!/usr/bin/env bash
# Configures rankme (configure only, no build) with one part of the other Debian MPI stack mixed in, and
# checks that each mix is refused with a message naming the part and both stacks: ScaLAPACK, parallel HDF5,
# the launcher; and an empty SCALAPACK_LIBRARIES where the compiler does not link ScaLAPACK by itself.
# Needs both of Debian's stacks (scripts/install_dependencies.sh --tests installs them).
#
#   usage: test_mpi_stack_refusals.sh SOURCE_DIR STACK MULTIARCH    (STACK: this build's, openmpi or mpich)
set -uo pipefail
source_dir=$1 stack=$2 multiarch=$3
case $stack in
  openmpi) other=mpich ;;
  mpich) other=openmpi ;;
  *) echo "test_mpi_stack_refusals: this build's stack is '$stack', not one of Debian's two" >&2; exit 1 ;;
esac
lib=/usr/lib/$multiarch
for needed in "$lib/libscalapack-$other.so" "$lib/hdf5/$other/include/H5pubconf.h" "/usr/bin/mpiexec.$other" \
              "/usr/bin/mpicc.$stack"; do
  if [[ ! -e $needed ]]; then
    echo "FAIL: $needed is missing: both MPI stacks are needed (scripts/install_dependencies.sh --tests)"
    exit 1
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rankme-refusals.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0
# expect_refusal NAME PATTERN CMAKE_ARGS...: the configure fails, and its output matches PATTERN (a grep -E).
expect_refusal() {
  local name=$1 pattern=$2
  shift 2
  local output
  output=$(cmake -S "$source_dir" -B "$tmp/$name" -DRANKME_MPI="$stack" -DBUILD_TESTING=OFF "$@" 2>&1)
  local status=$?
  # CMake wraps long messages: compare on one line.
  local flat
  flat=$(tr -s ' \n' '  ' <<<"$output")
  if ((status == 0)); then
    echo "FAIL: $name: configure succeeded"
    failed=1
  elif ! grep -Eq "$pattern" <<<"$flat"; then
    echo "FAIL: $name: configure failed without saying /$pattern/:"
    echo "$output" | tail -n 20
    failed=1
  else
    echo "PASS: $name"
  fi
}

expect_refusal scalapack "ScaLAPACK \(SCALAPACK_LIBRARIES\) belongs to $other, but MPI is $stack" \
  -DSCALAPACK_LIBRARIES="$lib/libscalapack-$other.so"
expect_refusal legacy_scalapack "ScaLAPACK \(RANKME_SCALAPACK_LIBRARY\) belongs to $other, but MPI is $stack" \
  -DRANKME_SCALAPACK_LIBRARY="$lib/libscalapack-$other.so"
expect_refusal hdf5 "parallel HDF5 belongs to $other, but MPI is $stack" -DHDF5_ROOT="$lib/hdf5/$other"
expect_refusal launcher "the launcher /usr/bin/mpiexec.$other belongs to $other, but MPI is $stack" \
  -DMPIEXEC_EXECUTABLE="/usr/bin/mpiexec.$other"
expect_refusal empty_scalapack "SCALAPACK_LIBRARIES is empty, but .* does not link ScaLAPACK" -DSCALAPACK_LIBRARIES=
exit $failed
