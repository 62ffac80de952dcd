#!/usr/bin/python3
"""rankme.score (the Python module, in process) beside the command line on the same array saved as .npy, and
beside numpy's float64 SVD: median wall seconds of 5 runs each, with the OpenBLAS kernel. Measures, asserts
nothing (docs/python.md).

Usage: PYTHONPATH=build/python scripts/measure_python_module.py [--rows 25600] [--cols 2048] [--rankme build/rankme]"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openblas_kernel import openblas_corename  # noqa: E402

import rankme  # noqa: E402


def median_seconds(run, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=25600)
    parser.add_argument("--cols", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rankme", default=os.path.join(os.path.dirname(__file__), "..", "build", "rankme"))
    options = parser.parse_args()

    rng = np.random.default_rng(0)
    z = rng.standard_normal((options.rows, options.cols), dtype=np.float32)
    z *= np.geomspace(1.0, 1e-3, options.cols, dtype=np.float32)  # a decaying spectrum, as embeddings have
    print(f"{options.rows} x {options.cols} float32; OpenBLAS kernel {openblas_corename()}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")

    rankme.score(z[:1000])  # starts MPI once, as the first call of a session does
    result = {}

    def module():
        result.update(rankme.score(z))

    seconds, runs = median_seconds(module, options.repeats)
    print(f"rankme.score          {seconds:8.3f} s  (runs {', '.join(f'{t:.3f}' for t in runs)}); "
          f"rankme {result['rankme']:.6f}, method {result['method']}, precision {result['precision']}, "
          f"kernel {result['blas']['kernel']} chosen by {result['blas']['chosen_by']}, its own seconds {result['seconds']:.3f}")

    with tempfile.TemporaryDirectory(prefix="rankme-measure-python-") as directory:
        path = os.path.join(directory, "z.npy")
        np.save(path, z)
        line = {}

        def command_line():
            done = subprocess.run([options.rankme, "--format", "jsonl", "--quiet", path], capture_output=True,
                                  text=True, check=True)
            line.update(json.loads(done.stdout.splitlines()[0]))

        seconds, runs = median_seconds(command_line, options.repeats)
        print(f"rankme (command line) {seconds:8.3f} s  (runs {', '.join(f'{t:.3f}' for t in runs)}); "
              f"rankme {line['rankme']:.6f}, kernel {line['blas']['kernel']} chosen by {line['blas']['chosen_by']}, "
              f"its own seconds {line['seconds']:.3f}")

    wide = z.astype(np.float64)
    seconds, runs = median_seconds(lambda: np.linalg.svd(wide, compute_uv=False), options.repeats)
    print(f"numpy svd float64     {seconds:8.3f} s  (runs {', '.join(f'{t:.3f}' for t in runs)}; "
          f"the float64 copy not counted)")


if __name__ == "__main__":
    main()
