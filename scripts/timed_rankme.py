"""One whole rankme process under OpenMPI's own launcher, timed from outside: what the measurement scripts
(measure_gzip_decoding.py, measure_lidar.py) compare side by side."""
import json
import os
import subprocess
import time


def run_rankme_once(binary, arguments, ranks, threads):
    """Runs `binary ARGUMENTS --format jsonl --quiet --timings` on RANKS ranks of THREADS OpenBLAS threads each;
    returns (wall seconds, the first result line as a dict). Exits with rankme's stderr when it fails."""
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    command = ["mpiexec.openmpi", "--oversubscribe", "-n", str(ranks), "--bind-to", "none",
               "-x", f"OPENBLAS_NUM_THREADS={threads}", binary, *arguments, "--format", "jsonl", "--quiet",
               "--timings"]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return wall, json.loads(done.stdout.splitlines()[0])
