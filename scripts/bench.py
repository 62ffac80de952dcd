#!/usr/bin/python3
"""rankme's benchmark: rankme against its floor and its Python peers, in one run on the same files.

    scripts/bench                      # the standard sizes, 3 repeats, writes docs/benchmarks.md
    scripts/bench --quick              # tiny sizes, 1 repeat: a smoke test of the whole pipeline
    scripts/bench --large --huge       # adds 25,600 x 8,192 and 1,000,000 x 2,048 (8 GB)
    scripts/bench --sizes 25600x2048,25600x2048-gzip --repeats 5
    scripts/bench --quick --sizes 25600x2048 --baseline /tmp/build-old --repeats 5   # this build against another

For every size (float32 HDF5 files generated once with numpy and cached in --data-dir) it runs, each as
its own whole process timed from outside (bench_run.py: wall time and peak RSS of a fresh process tree):
rankme at 1 rank x 2 threads and 2 ranks x 1 thread in each precision, rankme-floor (only the block
products and the eigensolve, on data already in memory), and numpy / torch / scipy SVDs and numpy Gram
routes (bench_peer.py). Medians of --repeats runs with a warm page cache, plus cold-cache runs of rankme.
It prints a markdown report (tables, targets, a cost model) and writes it to --out; progress goes to
stderr. Build first: cmake --build --preset release.

Every run (--quick included) also times the same 25,600 x 2,048 matrix as an HDF5 contiguous file, an .npy
and a safetensors file (bench_data.ensure_tensor_copy: written from the same generator, so the values are
identical), interleaved in each repeat (at least 3), at 1 x CORES and CORES x 1, default precision; the report
gives each format's median wall time and its ratio to the HDF5 file's (target <= 1.10x). --no-formats skips it.

--baseline DIR names the build directory of another commit (say, the one before a change): its rankme then runs
in every rankme configuration too, right after this build's run of the same configuration in each repeat, so
that both see the same machine state, and the report adds a table of the medians side by side with their ratio.
"""
import argparse
import datetime
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # no __pycache__ in the source tree

import bench_data      # noqa: E402  (the helpers live beside this script)
import bench_methods   # noqa: E402
import bench_report    # noqa: E402

PYTHON = "/usr/bin/python3"   # Debian's, with numpy, scipy, torch, h5py (the python3 on PATH may lack them)
# OpenMPI's own launcher: build/ is the OpenMPI build (the release preset), and the -x and --bind-to flags
# below are OpenMPI's; a bare mpirun follows Debian's alternatives, perhaps to MPICH's.
MPIEXEC = "mpiexec.openmpi"
DATASET = bench_data.DATASET
GZIP_LEVEL = 4

# name -> (rows, cols, gzip level or None)
STANDARD_SIZES = ["25600x2048", "100000x2048", "25600x4096", "400000x1024", "25600x2048-gzip"]
LARGE_SIZES = ["25600x8192"]
HUGE_SIZES = ["1000000x2048"]
QUICK_SIZES = ["4096x256", "8192x512", "4096x256-gzip"]
# The format rows: this shape as HDF5 contiguous, .npy and safetensors; dataset (None: the file's only
# array, as for a bare .npy) per format.
FORMAT_SHAPE = (25600, 2048)
FORMAT_DATASETS = {"hdf5": DATASET, "npy": None, "safetensors": "/" + bench_data.SAFETENSORS_NAME}
FORMAT_MIN_REPEATS = 3   # a ratio of single runs is mostly noise, even for --quick

# Peak memory of each Python peer, in bytes per matrix element (N K): the float32 copy h5py loads plus
# what the method copies (the bench does not run a peer that would not fit in the available memory).
PEERS = {
    "numpy_svd_f64": ("numpy.linalg.svd f64", 20, "float32 load + float64 copy + LAPACK's own copy"),
    "torch_svdvals_f32": ("torch.linalg.svdvals f32", 12, "float32 load + LAPACK copies"),
    "scipy_svdvals_f32": ("scipy.linalg.svdvals f32", 8, "float32 load + LAPACK's copy"),
    "numpy_gram_f32": ("numpy Gram f32 + eigvalsh", 4, "float32 load"),
    "numpy_gram_f64": ("numpy Gram f64 + eigvalsh", 12, "float32 load + float64 copy"),
}


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_size(name):
    """'25600x2048' or '25600x2048-gzip' -> (rows, cols, gzip level or None)."""
    shape, _, layout = name.partition("-")
    try:
        rows, cols = (int(part.replace(",", "").replace("_", "")) for part in shape.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad size {name!r}: expected ROWSxCOLS or ROWSxCOLS-gzip")
    if rows <= 0 or cols <= 0 or layout not in ("", "gzip"):
        raise argparse.ArgumentTypeError(f"bad size {name!r}: expected ROWSxCOLS or ROWSxCOLS-gzip")
    return rows, cols, (GZIP_LEVEL if layout == "gzip" else None)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"tiny sizes ({', '.join(QUICK_SIZES)}), 1 repeat")
    parser.add_argument("--large", action="store_true", help="also 25,600 x 8,192")
    parser.add_argument("--huge", action="store_true",
                        help="also 1,000,000 x 2,048 (8 GB; rankme and the floor only)")
    parser.add_argument("--sizes", help="comma-separated ROWSxCOLS[-gzip] to run instead of the standard set")
    parser.add_argument("--repeats", type=int, help="timed runs per configuration (default 3; 1 with --quick)")
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"), help="markdown report (default %(default)s)")
    parser.add_argument("--raw", help="also write every measurement as JSON to this file")
    parser.add_argument("--report-only", metavar="RAW", help="rewrite the report from a --raw file, measuring nothing")
    parser.add_argument("--data-dir", default="/tmp/rankme-bench", help="cached data files (default %(default)s)")
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"), help="where rankme and rankme-floor are")
    parser.add_argument("--cores", type=int, default=2, help="configurations 1 x CORES threads and CORES x 1 (default 2)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a run is killed (default %(default)s)")
    parser.add_argument("--no-peers", action="store_true", help="rankme and the floor only")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold page cache runs")
    parser.add_argument("--no-formats", action="store_true",
                        help="skip the .npy and safetensors rows (25,600 x 2,048 against the HDF5 contiguous file)")
    parser.add_argument("--no-methods", action="store_true",
                        help="skip the method rows (auto/gram/tsqr on steep spectra, TSQR / Gram, gzip / uncompressed)")
    parser.add_argument("--old-interface", action="store_true",
                        help="do not pass --precision, --timings or --threads to rankme even if it has them")
    parser.add_argument("--baseline", metavar="BUILD_DIR",
                        help="also run BUILD_DIR/rankme (another commit's build) beside this build's, interleaved")
    parser.add_argument("--huge-peers", action="store_true",
                        help="run the Python peers at --huge too when the memory check allows it")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.sizes:
        names = [name.strip() for name in args.sizes.split(",") if name.strip()]
    elif args.quick:
        names = list(QUICK_SIZES)
    else:
        names = list(STANDARD_SIZES) + (LARGE_SIZES if args.large else []) + (HUGE_SIZES if args.huge else [])
    for name in names:
        try:
            parse_size(name)
        except argparse.ArgumentTypeError as error:
            parser.error(str(error))
    args.size_names = names
    return args


# ---------------------------------------------------------------------------------------------------
# Running one measured process


def base_environment(threads):
    env = dict(os.environ)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    return env


def describe_failure(result, program):
    if result.get("timed_out"):
        return "failed: timed out (--timeout)"
    code = result.get("returncode")
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"failed: killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    # mpirun's banners are framed by lines of dashes; a program's own "error:" line says the most.
    lines = [line.strip() for line in result.get("stderr", "").splitlines() if line.strip().strip("-")]
    text = " ".join(lines)
    # mpirun's words (and exit code 128 + 9) for a rank the OOM killer took.
    if "signal 9" in text or "Killed" in text or code == 128 + signal.SIGKILL:
        return "failed: killed by SIGKILL (out of memory?)"
    errors = [line for line in lines if "error" in line.lower()]
    reason = (errors or lines or [f"{program} exited with {code}"])[-1]
    return "failed: " + reason.replace("|", "/")[:160]


def measured_run(command, env, timeout):
    """Runs `command` under bench_run.py; returns its measurement dict (see bench_run.py)."""
    wrapper = [PYTHON, os.path.join(HERE, "bench_run.py"), "--timeout", str(timeout), "--"] + command
    completed = subprocess.run(wrapper, env=env, capture_output=True, text=True)
    try:
        return json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"wall": None, "returncode": completed.returncode, "timed_out": False, "stdout": "",
                "stderr": "bench_run.py failed: " + completed.stderr[-400:]}


def last_json(text, key):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if key in value:
                return value
    return None


def common_fields(result):
    return {"wall": result["wall"], "maxrss_kib": result.get("maxrss_kib"), "tree_rss_kib": result.get("tree_rss_kib")}


# ---------------------------------------------------------------------------------------------------
# The programs


class Bench:
    def __init__(self, args):
        self.args = args
        self.rankme = os.path.join(args.build_dir, "rankme")
        self.floor = os.path.join(args.build_dir, "rankme-floor")
        self.features = self.probe_features(self.rankme)
        self.baseline = os.path.join(args.baseline, "rankme") if args.baseline else None
        self.baseline_features = self.probe_features(self.baseline) if self.baseline else None
        # The BLAS kernels rankme and rankme-floor reported running (their JSON `blas`: kernel, who chose it,
        # the library's own pick when rankme's kernel guard changed it), each distinct one once.
        self.kernels = {"rankme": [], "rankme-floor": []}

    def note_kernel(self, program, blas):
        if isinstance(blas, dict) and blas not in self.kernels[program]:
            self.kernels[program].append(blas)

    def probe_features(self, binary):
        """Which of the newer options this rankme has (its --help lists them)."""
        features = {"precision": False, "timings": False, "threads": False}
        if self.args.old_interface or not os.access(binary, os.X_OK):
            return features
        try:
            text = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=60,
                                  env=base_environment(1)).stdout
        except (OSError, subprocess.SubprocessError):
            return features
        for name in features:
            features[name] = f"--{name}" in text
        return features

    def rankme_command(self, path, precision, ranks, threads, timings=True, baseline=False, dataset=DATASET, extra=()):
        """dataset None: the file alone on the command line (a bare .npy is one dataset); extra: more options."""
        binary, features = (self.baseline, self.baseline_features) if baseline else (self.rankme, self.features)
        spec = path if dataset is None else f"{path}:{dataset}"
        command = [MPIEXEC, "-n", str(ranks), "--bind-to", "none", "-x", f"OPENBLAS_NUM_THREADS={threads}",
                   "-x", f"OMP_NUM_THREADS={threads}", binary, spec, "--format", "jsonl", "--quiet"]
        if features["threads"]:
            command += ["--threads", str(threads)]
        if precision != "default" and features["precision"]:
            command += ["--precision", precision]
        if timings and features["timings"]:
            command += ["--timings"]
        return command + list(extra)

    def run_rankme(self, path, precision, ranks, threads, baseline=False, dataset=DATASET, extra=()):
        command = self.rankme_command(path, precision, ranks, threads, baseline=baseline, dataset=dataset, extra=extra)
        result = measured_run(command, base_environment(threads), self.args.timeout)
        line = last_json(result.get("stdout", ""), "rankme")
        if line is None or result.get("timed_out") or (result.get("returncode") not in (0, 1)):
            return {"error": describe_failure(result, "rankme"), **common_fields(result)}
        if line.get("status") != "ok" or line.get("rankme") is None:
            return {"error": f"failed: status {line.get('status')}: {line.get('error')}", **common_fields(result)}
        timings = line.get("timings") if isinstance(line.get("timings"), dict) else None
        if not baseline:
            self.note_kernel("rankme", line.get("blas"))
        return {
            **common_fields(result),
            "internal": line.get("seconds"),
            "rankme": line.get("rankme"),
            "precision": line.get("precision") or ("double" if not (self.baseline_features if baseline else self.features)["precision"] else None),
            "solver": line.get("solver"),
            "method": line.get("method"),
            "method_fallback": line.get("method_fallback"),
            "predicted_error": line.get("predicted_error"),
            "blas": line.get("blas"),
            "timings": timings,
            "block_rows": (timings or {}).get("block_rows", line.get("block_rows")),
        }

    def run_peer(self, method, path, threads):
        command = [PYTHON, os.path.join(HERE, "bench_peer.py"), method, path, DATASET, "--threads", str(threads)]
        result = measured_run(command, base_environment(threads), self.args.timeout)
        line = last_json(result.get("stdout", ""), "rankme")
        if line is None or result.get("returncode") != 0:
            return {"error": describe_failure(result, method), **common_fields(result)}
        return {**common_fields(result), "internal": line["compute"], "read": line["load"],
                "import": line["import"], "rankme": line["rankme"]}

    def run_floor(self, path, precision, block_rows, threads, repeats):
        if not os.access(self.floor, os.X_OK):
            return {"error": f"failed: {self.floor} is not built", "command": ""}
        command = [self.floor, path, DATASET, "--precision", precision, "--block-rows", str(block_rows),
                   "--repeats", str(repeats)]
        result = measured_run(command, base_environment(threads), self.args.timeout)
        line = last_json(result.get("stdout", ""), "floor")
        if line is None or result.get("returncode") != 0:
            return {"error": describe_failure(result, "rankme-floor"), "command": shlex.join(command),
                    **common_fields(result)}
        self.note_kernel("rankme-floor", line.get("blas"))
        return {**line, **common_fields(result), "command": shlex.join(command)}


# ---------------------------------------------------------------------------------------------------
# Page cache


def read_whole_file(path):
    """Reads the file once (fills the page cache); returns the seconds it took."""
    start = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        while f.read(16 << 20):
            pass
    return time.perf_counter() - start


def evict_from_page_cache(path):
    """Drops the file's clean pages from the page cache (dirty ones are written first)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def resident_bytes(path):
    """Bytes of the file in the page cache: fincore (util-linux), else mincore(2) through ctypes; None if neither."""
    if shutil.which("fincore"):
        try:
            out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", path],
                                 capture_output=True, text=True, timeout=60).stdout.strip()
            return int(out.split()[0])
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            pass
    try:
        import ctypes
        import mmap
        size = os.path.getsize(path)
        if size == 0:
            return 0
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
        libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        fd = os.open(path, os.O_RDONLY)
        try:
            address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
            if address in (None, ctypes.c_void_p(-1).value):
                return None
            page = mmap.PAGESIZE
            vector = ctypes.create_string_buffer((size + page - 1) // page)
            ok = libc.mincore(address, size, vector) == 0
            libc.munmap(address, size)
            return sum(byte & 1 for byte in vector.raw) * page if ok else None
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        return None


def filesystem_type(path):
    try:
        return subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------------------------------
# One size


def available_memory():
    try:
        import psutil
        return psutil.virtual_memory().available
    except ImportError:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    return None


def default_block_rows(cols, precision):
    element = 4 if precision == "mixed" else 8
    return max(1, (32 << 20) // (element * cols))


def measure_size(bench, name, path):
    args = bench.args
    rows, cols, gzip_level = parse_size(name)
    cores = args.cores
    huge = name in HUGE_SIZES
    size = {"name": name, "rows": rows, "cols": cols, "gzip": gzip_level, "file": path,
            "file_bytes": os.path.getsize(path), "data_bytes": rows * cols * 4, "configs": {}, "floor": {},
            "cold": None, "notes": [], "baseline": {}}
    size["warm_read_seconds"] = read_whole_file(path)
    log(f"{name}: file read once into the page cache in {size['warm_read_seconds']:.2f} s")

    # The untimed first run: warms everything up and tells which precision `auto` picks, and the block rows.
    probe = bench.run_rankme(path, "default", 1, cores)
    default_precision = probe.get("precision")
    size["default_precision"] = default_precision
    size["probe"] = {key: probe.get(key) for key in ("error", "precision", "block_rows", "wall")}
    log(f"{name}: untimed first run: {probe.get('error') or 'precision %s, %.3f s' % (default_precision, probe['wall'])}")

    layouts = [(1, cores), (cores, 1)]
    precisions = ["default"]
    if bench.features["precision"]:
        precisions.append("double")
        if default_precision != "mixed":
            precisions.append("mixed")
        else:
            size["notes"].append("`--precision mixed` not run separately: the default already ran in mixed precision.")
    configs = {}
    for precision in precisions:
        for ranks, threads in layouts:
            key = f"rankme/{precision}/{ranks}x{threads}"
            configs[key] = {"kind": "rankme", "precision": precision, "ranks": ranks, "threads": threads,
                            "command": shlex.join(bench.rankme_command(path, precision, ranks, threads)), "runs": []}
            if bench.baseline:
                size["baseline"][key] = {
                    "kind": "rankme", "precision": precision, "ranks": ranks, "threads": threads, "runs": [],
                    "command": shlex.join(bench.rankme_command(path, precision, ranks, threads, baseline=True))}
    if not args.no_peers:
        available = available_memory()
        for method, (label, bytes_per_element, what) in PEERS.items():
            needed = bytes_per_element * rows * cols
            config = {"kind": "peer", "method": method, "label": label, "ranks": 1, "threads": cores, "runs": [],
                      "command": shlex.join([PYTHON, "scripts/bench_peer.py", method, path, DATASET, "--threads", str(cores)])}
            if huge and not args.huge_peers:
                config["not_run"] = f"not run: needs ~{needed / 1e9:.0f} GB ({what})"
            elif available is not None and needed > 0.8 * available:
                config["not_run"] = (f"not run: needs ~{needed / 1e9:.0f} GB ({what}), "
                                     f"{available / 1e9:.0f} GB available")
            configs[f"peer/{method}"] = config
    size["configs"] = configs

    for repeat in range(args.repeats):
        for key, config in configs.items():
            if config.get("not_run"):
                continue
            if config["kind"] == "rankme":
                run = bench.run_rankme(path, config["precision"], config["ranks"], config["threads"])
            else:
                run = bench.run_peer(config["method"], path, config["threads"])
            config["runs"].append(run)
            log(f"{name}: {key} run {repeat + 1}/{args.repeats}: "
                f"{run.get('error') or '%.3f s wall, RankMe %.6f' % (run['wall'], run['rankme'])}")
            twin = size["baseline"].get(key)
            if twin is not None:   # right after this build's run of the same configuration
                run = bench.run_rankme(path, twin["precision"], twin["ranks"], twin["threads"], baseline=True)
                twin["runs"].append(run)
                log(f"{name}: baseline {key} run {repeat + 1}/{args.repeats}: "
                    f"{run.get('error') or '%.3f s wall, RankMe %.6f' % (run['wall'], run['rankme'])}")

    # The floor of each precision, with the block rows rankme used in that precision.
    for precision in ("double", "mixed"):
        block_rows, source = None, "fallback 32 MiB"
        for key, config in configs.items():
            if config["kind"] != "rankme" or config["ranks"] != 1:
                continue
            for run in config["runs"]:
                if run.get("precision") == precision and run.get("block_rows"):
                    block_rows, source = int(run["block_rows"]), f"rankme's --timings ({key})"
                    break
            if block_rows:
                break
        if not block_rows:
            block_rows = default_block_rows(cols, precision)
        floor = bench.run_floor(path, precision, block_rows, cores, args.repeats)
        floor["block_rows_source"] = source
        size["floor"][precision] = floor
        log(f"{name}: floor {precision} (block rows {block_rows}): "
            f"{floor.get('error') or '%.3f s (products %.3f s, %.1f GFLOP/s, eigensolve %.3f s)' % (floor['floor'], floor['products'], floor['gflops'], floor['eigensolve'])}")

    if not args.no_cold:
        size["cold"] = measure_cold(bench, name, path, cores)
    return size


def measure_cold(bench, name, path, cores):
    """rankme (default precision, 1 rank) right after evicting its file from the page cache."""
    kind = filesystem_type(os.path.dirname(path))
    cold = {"config": f"rankme/default/1x{cores}", "filesystem": kind, "runs": [], "resident_after_eviction": []}
    if kind in ("tmpfs", "ramfs"):
        cold["not_run"] = f"not run: {kind} cannot drop its pages"
        return cold
    for repeat in range(bench.args.repeats):
        try:
            evict_from_page_cache(path)
        except OSError as error:
            cold["not_run"] = f"not run: posix_fadvise failed: {error}"
            return cold
        resident = resident_bytes(path)
        cold["resident_after_eviction"].append(resident)
        run = bench.run_rankme(path, "default", 1, cores)
        cold["runs"].append(run)
        log(f"{name}: cold run {repeat + 1}: resident after eviction "
            f"{'unknown' if resident is None else '%d bytes' % resident}: "
            f"{run.get('error') or '%.3f s wall' % run['wall']}")
    return cold


def measure_formats(bench):
    """The 25,600 x 2,048 matrix as HDF5 contiguous, .npy and safetensors: rankme (default precision) on each,
    interleaved in every repeat so that all three see the same machine state."""
    args = bench.args
    rows, cols = FORMAT_SHAPE
    formats = {"rows": rows, "cols": cols, "files": {}, "configs": {}, "repeats": max(args.repeats, FORMAT_MIN_REPEATS)}
    try:
        hdf5_path, _ = bench_data.ensure(args.data_dir, rows, cols, None, log=log)
        formats["files"]["hdf5"] = hdf5_path
        for kind in ("npy", "safetensors"):
            formats["files"][kind], _ = bench_data.ensure_tensor_copy(args.data_dir, rows, cols, kind, hdf5_path, log=log)
    except (OSError, MemoryError) as error:
        formats["error"] = f"data not generated: {error}"
        return formats
    for kind, path in formats["files"].items():
        read_whole_file(path)   # warm page cache for all three, as for the sizes
        bench.run_rankme(path, "default", 1, args.cores, dataset=FORMAT_DATASETS[kind])   # untimed first run
    for ranks, threads in [(1, args.cores), (args.cores, 1)]:
        for kind, path in formats["files"].items():
            formats["configs"][f"{kind}/{ranks}x{threads}"] = {
                "kind": "rankme", "format": kind, "precision": "default", "ranks": ranks, "threads": threads,
                "file_bytes": os.path.getsize(path), "runs": [],
                "command": shlex.join(bench.rankme_command(path, "default", ranks, threads, dataset=FORMAT_DATASETS[kind]))}
    for repeat in range(formats["repeats"]):
        for key, config in formats["configs"].items():
            path = formats["files"][config["format"]]
            run = bench.run_rankme(path, "default", config["ranks"], config["threads"], dataset=FORMAT_DATASETS[config["format"]])
            config["runs"].append(run)
            log(f"formats: {key} run {repeat + 1}/{formats['repeats']}: "
                f"{run.get('error') or '%.3f s wall, RankMe %.6f' % (run['wall'], run['rankme'])}")
    return formats


def stale_binaries(build_dir):
    """rankme and rankme-floor must be built from the same libraries, or the floor measures other code."""
    libraries = [os.path.join(build_dir, name) for name in os.listdir(build_dir)
                 if name.startswith("librankme_") and name.endswith(".a")] if os.path.isdir(build_dir) else []
    if not libraries:
        return []
    library = max(libraries, key=os.path.getmtime)   # the newest area library
    warnings = []
    for name in ("rankme", "rankme-floor"):
        binary = os.path.join(build_dir, name)
        if os.path.exists(binary) and os.path.getmtime(binary) < os.path.getmtime(library):
            warnings.append(f"{binary} is older than {library}: rebuild (cmake --build --preset release)")
    return warnings


def measure_startup(bench):
    """Wall time of processes that do nothing: what every whole-process number above includes."""
    cores = bench.args.cores
    commands = {
        "mpirun -n 1 rankme --version": [MPIEXEC, "-n", "1", "--bind-to", "none", bench.rankme, "--version"],
        f"mpirun -n {cores} rankme --version": [MPIEXEC, "-n", str(cores), "--bind-to", "none", bench.rankme, "--version"],
        "python3 -c pass": [PYTHON, "-c", "pass"],
        "python3: import numpy, h5py": [PYTHON, "-c", "import numpy, h5py"],
        "python3: import numpy, h5py, scipy.linalg": [PYTHON, "-c", "import numpy, h5py, scipy.linalg"],
        "python3: import numpy, h5py, torch": [PYTHON, "-c", "import numpy, h5py, torch"],
    }
    startup = {}
    for label, command in commands.items():
        walls = []
        for _ in range(max(3, bench.args.repeats)):
            result = measured_run(command, base_environment(cores), bench.args.timeout)
            if result.get("returncode") == 0 and result.get("wall") is not None:
                walls.append(result["wall"])
        startup[label] = sorted(walls)[len(walls) // 2] if walls else None
        log(f"start-up: {label}: " + ("failed" if startup[label] is None else f"{startup[label]:.3f} s"))
    return startup


# ---------------------------------------------------------------------------------------------------


def main(argv):
    args = parse_arguments(argv)
    command = "scripts/bench" + ("" if not argv else " " + shlex.join(argv))
    if args.report_only:
        with open(args.report_only) as f:
            raw = json.load(f)
    else:
        bench = Bench(args)
        if not os.access(bench.rankme, os.X_OK):
            print(f"bench: {bench.rankme} not found: build first (cmake --build --preset release)", file=sys.stderr)
            return 2
        if shutil.which(MPIEXEC) is None:
            print(f"bench: {MPIEXEC} not found (Debian: openmpi-bin)", file=sys.stderr)
            return 2
        warnings = stale_binaries(args.build_dir)
        for warning in warnings:
            log("warning: " + warning)
        log(f"rankme options found: {', '.join(k for k, v in bench.features.items() if v) or 'none of --precision, --timings, --threads'}")
        os.makedirs(args.data_dir, exist_ok=True)
        raw = {"command": command, "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "machine": bench_report.machine_info(bench.rankme, args.data_dir),
               "settings": {"repeats": args.repeats, "cores": args.cores, "features": bench.features,
                            "data_dir": args.data_dir, "timeout": args.timeout, "quick": args.quick,
                            "baseline": bench.baseline},
               "warnings": warnings, "sizes": []}
        raw["machine"]["blas_kernels_used"] = bench.kernels   # filled as rankme and rankme-floor run
        # Python's own start-up files into the page cache once, so that the first peer is not the one paying.
        subprocess.run([PYTHON, "-c", "import numpy, h5py, scipy.linalg, torch"], capture_output=True)
        raw["startup"] = measure_startup(bench)
        for name in args.size_names:
            rows, cols, gzip_level = parse_size(name)
            try:
                path, generated = bench_data.ensure(args.data_dir, rows, cols, gzip_level, log=log)
            except (OSError, MemoryError) as error:
                raw["sizes"].append({"name": name, "rows": rows, "cols": cols, "gzip": gzip_level,
                                     "error": f"data not generated: {error}"})
                continue
            if generated:
                log(f"{name}: generated {path}")
            raw["sizes"].append(measure_size(bench, name, path))
            if args.raw:   # after every size, so that an interrupted run keeps what it measured
                with open(args.raw, "w") as f:
                    json.dump(raw, f, indent=1)
        if not args.no_formats:
            raw["formats"] = measure_formats(bench)
            if args.raw:
                with open(args.raw, "w") as f:
                    json.dump(raw, f, indent=1)
        if not args.no_methods:
            raw["methods"] = bench_methods.measure(bench, log)
            if args.raw:
                with open(args.raw, "w") as f:
                    json.dump(raw, f, indent=1)
        raw["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        if args.raw:
            with open(args.raw, "w") as f:
                json.dump(raw, f, indent=1)
    report = bench_report.render(raw, args.out)
    with open(args.out, "w") as f:
        f.write(report)
    print(report)
    log(f"report written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
