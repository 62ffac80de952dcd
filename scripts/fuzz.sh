#!/usr/bin/env bash
# Fuzzes "open an HDF5 file, list, validate and read its datasets" (tests/fuzz/), or with --target the .npy,
# .npz, safetensors or torch.save readers, for a bounded time: installs clang and libFuzzer when missing,
# builds the target in build-fuzz/ (the `fuzz` preset), copies its seed corpus into a working directory
# outside the repository and runs the target there.
#
#   scripts/fuzz.sh [--target NAME] [--seconds N] [--work DIR] [--keep-going] [-- LIBFUZZER_ARGS...]
#
#   --target NAME which target: fuzz_open_and_read_dataset (HDF5, the default), fuzz_npy, fuzz_npz,
#                 fuzz_safetensors or fuzz_torch_pickle; each starts from its own seed corpus
#                 (tests/fuzz/corpus, corpus_npy, corpus_npz, corpus_safetensors, corpus_torch)
#   --seconds N   fuzzing time (libFuzzer's -max_total_time; default 600)
#   --work DIR    working directory (default /tmp/rankme-fuzz, /tmp/rankme-NAME for the others): DIR/corpus
#                 grows with every input that found new coverage and is reused by the next run,
#                 DIR/artifacts gets crash-*, timeout-*,
#                 leak-*, oom-* inputs, DIR/fuzz-<round>.log the fuzzer's output
#   --keep-going  after a crash, hang, leak or out-of-memory, start the fuzzer again on the grown corpus
#                 until the time is used, collecting every artifact (libFuzzer's own -fork mode loses
#                 the crash reports of its child processes)
#
# Without --keep-going libFuzzer stops at the first crash. Either way the script lists the inputs to
# turn into regression tests (tests/fuzz/regressions/, see docs/development.md, Fuzzing) and exits 1
# when there are any; exit 0: nothing found in the time.
# Not part of the test suite: tests/fuzz/test_fuzz_regressions.cpp (HDF5), test_tensor_fuzz_regressions.cpp
# (.npy, .npz), tests/formats/test_safetensors_file.cpp and test_torch_file.cpp replay the corpora and the
# regressions there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=600
target=fuzz_open_and_read_dataset
work=
keep_going=false
extra=()
while (($#)); do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep-going) keep_going=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds needs a whole number >= 1" >&2; exit 2; }
case "$target" in
  fuzz_open_and_read_dataset) seeds=corpus; pattern='*.h5'; work=${work:-/tmp/rankme-fuzz} ;;
  fuzz_npy) seeds=corpus_npy; pattern='*.npy'; work=${work:-/tmp/rankme-$target} ;;
  fuzz_npz) seeds=corpus_npz; pattern='*.npz'; work=${work:-/tmp/rankme-$target} ;;
  fuzz_safetensors) seeds=corpus_safetensors; pattern='*'; work=${work:-/tmp/rankme-$target} ;;
  fuzz_torch_pickle) seeds=corpus_torch; pattern='*'; work=${work:-/tmp/rankme-$target} ;;
  *) echo "fuzz.sh: unknown --target '$target' (fuzz_open_and_read_dataset, fuzz_npy, fuzz_npz, fuzz_safetensors," \
          "fuzz_torch_pickle)" >&2; exit 2 ;;
esac

"$root/scripts/install_dependencies.sh" --fuzz
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build build-fuzz --target "$target" -- -j2
fuzzer="$root/build-fuzz/$target"  # CMAKE_RUNTIME_OUTPUT_DIRECTORY

mkdir -p "$work/corpus" "$work/artifacts"
cp -n "$root"/tests/fuzz/$seeds/$pattern "$work/corpus/"

# As root OpenMPI refuses to start (and MPI_Init in the target would exit) without these.
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# One BLAS thread: the Gram of <= 256 columns gains nothing from more, and the machine is shared.
export OPENBLAS_NUM_THREADS=1
# Stop at the first sanitizer report with a stack; UBSan's reports abort (so libFuzzer keeps the input).
# Leaks are checked per input (libFuzzer does that when an input mallocs more than it frees), not at exit:
# OpenMPI's MPI_Init leaves a few hundred bytes behind that are not rankme's and happen once.
# A malloc() the machine cannot satisfy returns NULL, as glibc's does without ASan: HDF5 1.10.8 asks for
# sizes it read from the file (850 GB for a 7 KB file), fails cleanly on NULL, and rankme reports an error;
# allocations that do succeed beyond -malloc_limit_mb are still reported.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:leak_check_at_exit=0:allocator_may_return_null=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The leaks of OpenMPI and of HDF5 itself (see the file); rankme's own are still reported.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan_suppressions.txt:print_suppressions=0}

# -timeout: an input running 20 s is a hang (the seeds take milliseconds); -rss_limit_mb also bounds
# single allocations (-malloc_limit_mb defaults to it): a header declaring a huge chunk must not make
# rankme or HDF5 allocate gigabytes. -max_len: mutations may grow the 10 KB seeds, but not without end.
started=$(date +%s)
executions=0
round=0
status=0
while :; do
  left=$((seconds - ($(date +%s) - started)))
  ((left > 0)) || break
  round=$((round + 1))
  log="$work/fuzz-$round.log"
  status=0
  "$fuzzer" -max_total_time="$left" -timeout=20 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "${extra[@]}" "$work/corpus" 2>&1 | tee "$log" || status=$?
  ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  executions=$((executions + ${ran:-0}))
  [[ $keep_going == true && $status -ne 0 ]] || break
  echo "fuzz.sh: round $round ended with status $status (log $log); starting again" >&2
done
elapsed=$(($(date +%s) - started))

corpus_files=$(find "$work/corpus" -type f | wc -l)
artifacts=$(find "$work/artifacts" -type f | wc -l)
echo "fuzz.sh: $executions executions in $elapsed s ($((executions / (elapsed > 0 ? elapsed : 1))) exec/s)," \
     "$round round(s); corpus $corpus_files files; $artifacts crash/hang/leak input(s) in $work/artifacts" >&2
if ((status != 0 || artifacts > 0)); then
  echo "fuzz.sh: replay an input with $fuzzer FILE (logs: $work/fuzz-*.log), then copy it to" \
       "tests/fuzz/regressions/" >&2
  exit 1
fi
