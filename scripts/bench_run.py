#!/usr/bin/python3
"""One measured run for scripts/bench, in a fresh process so that its rusage covers this run only.

    bench_run.py [--timeout S] -- COMMAND ARGS...

Runs COMMAND (its stdout and stderr captured), and prints one JSON object on stdout:
  wall         seconds from just before the fork to the end of waitpid (the whole process: mpirun or the
               Python interpreter's start-up, the HDF5 read, the computation, the exit)
  maxrss_kib   resource.getrusage(RUSAGE_CHILDREN).ru_maxrss after the wait: the peak resident set of the
               largest single process of the tree (Linux carries a reaped grandchild's peak up to its
               parent, so mpirun's rank processes are covered; it is a maximum, not a sum)
  tree_rss_kib the largest sum of RSS over the whole process tree seen by psutil polling every 50 ms
               (null without psutil; short-lived peaks between two polls are missed)
  returncode   the exit status (negative: killed by that signal), or null on timeout
  timed_out, stdout, stderr (its last 4,000 characters)
"""
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time

try:
    import psutil
except ImportError:  # the tree sum is optional; ru_maxrss is the primary figure
    psutil = None

POLL_SECONDS = 0.05


def tree_rss(process):
    total = 0
    for member in [process] + process.children(recursive=True):
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def poll_tree(pid, stop, peak):
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], tree_rss(process))
        except psutil.NoSuchProcess:
            return
        stop.wait(POLL_SECONDS)


def main(argv):
    timeout = None
    if argv[:1] == ["--timeout"]:
        timeout = float(argv[1])
        argv = argv[2:]
    if argv[:1] != ["--"] or len(argv) < 2:
        print("usage: bench_run.py [--timeout S] -- COMMAND ARGS...", file=sys.stderr)
        return 2
    command = argv[1:]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        peak = [0]
        stop = threading.Event()
        start = time.perf_counter()
        # A session of its own, so that a timeout can stop the child and everything it started (mpirun's
        # ranks) by the child's process-group id.
        child = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True)
        poller = None
        if psutil is not None:
            poller = threading.Thread(target=poll_tree, args=(child.pid, stop, peak), daemon=True)
            poller.start()
        timed_out = False
        try:
            returncode = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            returncode = None
        wall = time.perf_counter() - start
        stop.set()
        if poller is not None:
            poller.join()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        err.seek(0)
        result = {
            "wall": wall,
            "maxrss_kib": usage.ru_maxrss,
            "tree_rss_kib": peak[0] // 1024 if psutil is not None else None,
            "returncode": returncode,
            "timed_out": timed_out,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace")[-4000:],
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
