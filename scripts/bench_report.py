#!/usr/bin/python3
"""The markdown report of scripts/bench: machine, results per size, targets, and the cost model.

render(raw, out) turns the measurements scripts/bench collected (also saved with --raw) into docs/benchmarks.md;
machine_info() describes the machine, the BLAS and the build. Everything derived (medians, ratios,
pass/miss, the model's constants and predictions) is computed here from the measurements of the run.
"""
import ctypes
import math
import os
import platform
import statistics
import subprocess

import bench_methods

PYTHON = "/usr/bin/python3"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The peers the targets name, at these sizes (quick runs stand in with their own sizes).
TARGET_SIZES = ("25600x2048", "100000x2048")
FLOOR_TARGET = 1.10
LAYOUT_TARGET = 1.10
FORMAT_TARGET = 1.10            # .npy and safetensors against the HDF5 contiguous file of the same matrix
FORMAT_LABELS = {"hdf5": "HDF5 contiguous", "npy": ".npy", "safetensors": "safetensors"}
MEMORY_FRACTION_TARGET = 0.25   # "peak memory a small fraction of theirs": at most a quarter
PEER_TARGETS_DEFAULT = [("numpy_svd_f64", 6.0), ("torch_svdvals_f32", 3.0), ("numpy_gram_f32", 1.3)]
PEER_TARGETS_DOUBLE = [("numpy_svd_f64", 3.5), ("numpy_gram_f64", 1.1)]

# The cost model's assumptions that are not measured here.
NETWORK_BANDWIDTH = 10e9        # bytes/s per link, for the Gram allreduce
NETWORK_LATENCY = 5e-6          # seconds per message
NODES = 64
CORES_PER_NODE = 64
BIG_ROWS, BIG_COLS = 10**9, 4096
SWEEP_DATASETS, SWEEP_ROWS, SWEEP_COLS = 1000, 25600, 2048
BIG_LAYOUT = (2, 32)            # ranks x threads per node
SWEEP_LAYOUT = (16, 4)          # enough one-rank groups for the whole sweep in one round

PEER_LABELS = {
    "numpy_svd_f64": "numpy.linalg.svd, float64",
    "torch_svdvals_f32": "torch.linalg.svdvals, float32",
    "scipy_svdvals_f32": "scipy.linalg.svdvals, float32",
    "numpy_gram_f32": "numpy Gram float32 + eigvalsh",
    "numpy_gram_f64": "numpy Gram float64 + eigvalsh",
}
PHASES = ["open", "read", "decode", "read_wait", "convert", "gram", "reduce", "eigensolve", "metrics", "total"]


# ---------------------------------------------------------------------------------------------------
# The machine


def run_text(command, timeout=120):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def lscpu():
    fields = {}
    for line in run_text(["lscpu"]).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def openblas_info():
    info = {}
    for name in ("libopenblas.so.0", "libopenblas.so"):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        for function in ("openblas_get_config", "openblas_get_corename"):
            try:
                getattr(library, function).restype = ctypes.c_char_p
                info[function] = getattr(library, function)().decode()
            except AttributeError:
                pass
        break
    return info


def linked_libraries(binary):
    found = []
    for line in run_text(["ldd", binary]).splitlines():
        parts = line.split("=>")
        if len(parts) == 2 and any(word in parts[0] for word in ("blas", "lapack", "scalapack", "hdf5", "libmpi")):
            path = parts[1].split("(")[0].strip()
            found.append(f"{parts[0].strip()} -> {os.path.realpath(path)}")
    return found


def python_versions():
    script = (
        "import json, numpy, scipy, h5py\n"
        "v = {'numpy': numpy.__version__, 'scipy': scipy.__version__, 'h5py': h5py.__version__,"
        " 'hdf5 (h5py)': h5py.version.hdf5_version}\n"
        "try:\n"
        "    import torch; v['torch'] = torch.__version__\n"
        "    c = torch.__config__.show()\n"
        "    v['torch BLAS'] = ' '.join(p.strip() for p in c.replace(',', ' ').split() if p.startswith(('BLAS_INFO=', 'LAPACK_INFO=')))\n"
        "except Exception as e:\n"
        "    v['torch'] = 'not importable: %s' % e\n"
        "print(json.dumps(v))\n")
    import json
    text = run_text([PYTHON, "-c", script])
    try:
        return json.loads(text.splitlines()[-1])
    except (ValueError, IndexError):
        return {}


def machine_info(rankme, data_dir):
    cpu = lscpu()
    memory = None
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    status = run_text(["git", "-C", REPO, "status", "--porcelain", "--", "src", "include", "CMakeLists.txt"])
    return {
        "cpu_model": cpu.get("Model name") or platform.processor(),
        "cpus": os.cpu_count(),
        "sockets": cpu.get("Socket(s)"),
        "cores_per_socket": cpu.get("Core(s) per socket"),
        "threads_per_core": cpu.get("Thread(s) per core"),
        "hypervisor": cpu.get("Hypervisor vendor"),
        "memory_bytes": memory,
        "kernel": platform.release(),
        "openblas": openblas_info(),
        "openblas_packages": "\n".join(line[3:] for line in run_text(
            ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}${Package} ${Version}\\n", "libopenblas*"]).splitlines()
            if line.startswith("ii ")),
        "openblas_environment": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
        "rankme_libraries": linked_libraries(rankme),
        "blas_alternative": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
        "python": python_versions(),
        "mpirun": run_text(["mpiexec.openmpi", "--version"]).splitlines()[0] if run_text(["mpiexec.openmpi", "--version"]) else "",
        "rankme_version": run_text([rankme, "--version"]),
        "git_commit": run_text(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"]),
        "git_uncommitted": len([line for line in status.splitlines() if line.strip()]),
        "data_dir": data_dir,
        "data_filesystem": run_text(["stat", "-f", "-c", "%T", data_dir]) if os.path.isdir(data_dir) else "",
    }


# ---------------------------------------------------------------------------------------------------
# Formatting


def table(headers, rows, align=None):
    align = align or ["l"] + ["r"] * (len(headers) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join("" if cell is None else str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(value):
    if value is None:
        return "n/a"
    if value < 10:
        return f"{value:.3f}"
    if value < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def duration(value):
    """A predicted time, in the unit that reads best."""
    if value is None:
        return "n/a"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"


def mib(kib):
    return "n/a" if kib is None else f"{kib / 1024:,.0f}"


def gib(nbytes):
    return "n/a" if nbytes is None else f"{nbytes / 2**30:.2f} GiB"


def ratio(value):
    return "n/a" if value is None else f"{value:.2f}x"


def shape_text(size):
    text = f"{size['rows']:,} x {size['cols']:,}"
    return text + (f", gzip {size['gzip']}, chunks (256, {size['cols']:,})" if size.get("gzip") else "")


# ---------------------------------------------------------------------------------------------------
# Summaries of the runs


def ok_runs(config):
    return [run for run in (config or {}).get("runs", []) if "error" not in run and run.get("wall") is not None]


def summary(config):
    """Medians of the successful runs, or why there is none: {'cell': text} when nothing succeeded."""
    if not config:
        return {"cell": "not run"}
    if config.get("not_run"):
        return {"cell": config["not_run"]}
    good = ok_runs(config)
    runs = config.get("runs", [])
    if not good:
        reason = next((run["error"] for run in runs if "error" in run), "not run")
        return {"cell": reason}
    def median_of(key):
        values = [run[key] for run in good if run.get(key) is not None]
        return statistics.median(values) if values else None
    result = {key: median_of(key) for key in ("wall", "internal", "read", "rankme")}
    rss = [run["maxrss_kib"] for run in good if run.get("maxrss_kib")]
    tree = [run["tree_rss_kib"] for run in good if run.get("tree_rss_kib")]
    result["maxrss_kib"] = max(rss) if rss else None
    result["tree_rss_kib"] = max(tree) if tree else None
    result["precision"] = next((run.get("precision") for run in good if run.get("precision")), None)
    result["solver"] = next((run.get("solver") for run in good if run.get("solver")), None)
    result["runs"] = len(good)
    result["failed"] = len(runs) - len(good)
    result["failure"] = next((run["error"] for run in runs if "error" in run), None)
    timings = [run["timings"] for run in good if isinstance(run.get("timings"), dict)]
    if timings:
        keys = list(dict.fromkeys(key for t in timings for key in t))
        result["timings"] = {key: statistics.median(t[key] for t in timings if isinstance(t.get(key), (int, float)))
                             for key in keys if any(isinstance(t.get(key), (int, float)) for t in timings)}
    if result["read"] is None and result.get("timings"):
        result["read"] = result["timings"].get("read")
    return result


def size_summaries(size):
    return {key: summary(config) for key, config in size.get("configs", {}).items()}


def wall(summaries, key):
    return summaries.get(key, {}).get("wall")


def floor_value(size, precision):
    floor = size.get("floor", {}).get(precision or "double")
    return None if not floor or "error" in floor else floor.get("floor")


def reference_rankme(summaries):
    return summaries.get("peer/numpy_svd_f64", {}).get("rankme")


def relative_difference(value, reference):
    if value is None or reference in (None, 0):
        return "n/a"
    return f"{abs(value - reference) / abs(reference):.1e}"


def config_label(key, config):
    if config["kind"] == "rankme":
        return f"rankme `--precision {config['precision']}`" if config["precision"] != "default" else "rankme (default)"
    return PEER_LABELS.get(config.get("method"), key)


# ---------------------------------------------------------------------------------------------------
# Sections


def kernel_text(blas):
    """One `blas` object of rankme's JSON: "`Cooperlake` (chosen by rankme; the library picked `Prescott`)"."""
    text = f"`{blas.get('kernel', '?')}` (chosen by {blas.get('chosen_by', '?')}"
    if blas.get("library_kernel"):
        text += f"; the library picked `{blas['library_kernel']}`"
    return text + ")"


def kernels_used(machine):
    """The kernels rankme and rankme-floor reported (their JSON `blas`, set by rankme's BLAS kernel guard)."""
    used = machine.get("blas_kernels_used") or {}
    ran = used.get("rankme") or []
    floor = used.get("rankme-floor") or []
    if not ran:
        return "kernel rankme ran: not reported (a rankme without the BLAS kernel guard)"
    text = "kernel rankme ran " + ", ".join(kernel_text(blas) for blas in ran)
    if floor and floor != ran:
        text += "; rankme-floor ran " + ", ".join(kernel_text(blas) for blas in floor)
    elif floor:
        text += "; rankme-floor the same"
    return text


def machine_section(raw):
    m = raw["machine"]
    blas = m.get("openblas", {})
    cores = m.get("cores_per_socket")
    sockets = m.get("sockets")
    cpu = (f"{m.get('cpu_model')}: {m.get('cpus')} CPUs online, {sockets} socket(s) x {cores} core(s) x "
           f"{m.get('threads_per_core')} thread(s)" + (f", virtual machine ({m['hypervisor']})" if m.get("hypervisor") else ""))
    environment = ", ".join(f"`{k}={v}`" for k, v in m.get("openblas_environment", {}).items()) or "none"
    python = m.get("python", {})
    rows = [
        ["CPU", cpu],
        ["Memory", gib(m.get("memory_bytes"))],
        ["Kernel", m.get("kernel")],
        ["BLAS", f"{blas.get('openblas_get_config', 'OpenBLAS (openblas_get_config not found)')}; "
                 f"kernel the library picks here `{blas.get('openblas_get_corename', '?')}` (openblas_get_corename, "
                 f"in the benchmark's environment); {kernels_used(m)}"],
        ["BLAS packages", "; ".join(m.get("openblas_packages", "").splitlines()) or "n/a"],
        ["BLAS environment", environment],
        ["rankme links", "<br>".join(m.get("rankme_libraries", [])) or "n/a"],
        ["numpy/scipy BLAS", f"libblas.so.3 -> {m.get('blas_alternative')} (Debian alternatives)"],
        ["Python peers", ", ".join(f"{k} {v}" for k, v in python.items())],
        ["MPI", m.get("mpirun")],
        ["rankme", f"{m.get('rankme_version')}, commit {m.get('git_commit')}"
                   + (f" with uncommitted changes in {m['git_uncommitted']} file(s) of src/, include/, CMakeLists.txt"
                      if m.get("git_uncommitted") else "")],
        ["Data", f"{m.get('data_dir')} ({m.get('data_filesystem') or 'unknown'} file system)"],
        ["Command", f"`{raw.get('command')}`"],
        ["Run", f"{raw.get('started')} to {raw.get('finished', '(unfinished)')}"],
    ]
    return "## Machine\n\n" + table(["", ""], rows, ["l", "l"])


def method_section(raw):
    settings = raw.get("settings", {})
    cores = settings.get("cores", 2)
    features = settings.get("features", {})
    missing = [f"`--{name}`" for name, present in features.items() if not present]
    text = f"""## How it was measured

- **Whole process against whole process.** Every number in the *wall* column is the wall time of one
  whole process, timed from outside by a fresh `scripts/bench_run.py` per run: for rankme the whole
  `mpirun -n P --bind-to none -x OPENBLAS_NUM_THREADS=T build/rankme FILE:/embeddings --format jsonl --quiet ...`
  (MPI start-up, HDF5 open and read, Gram, reduction, eigensolve, exit); for a Python peer the whole
  `/usr/bin/python3 scripts/bench_peer.py METHOD FILE /embeddings` (interpreter start-up and imports, h5py load,
  computation). *internal* is the program's own compute time: rankme's `seconds`, a peer's time after the
  load (a float64 copy counts), the floor's products + eigensolve.
- **Median of {settings.get('repeats')} run(s)** of each configuration, run in turn (one run of each, then the next round),
  with a warm page cache: the file is read once and rankme runs once untimed before the timed runs.
- **Threads.** {cores} cores are used everywhere: rankme as 1 rank x {cores} BLAS threads and {cores} ranks x 1 thread;
  the floor and the peers with `OPENBLAS_NUM_THREADS={cores}` (also `OMP_NUM_THREADS`, and `torch.set_num_threads({cores})`:
  torch would pick fewer by itself here).
- **Peak RSS** is `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` of the wrapper after the run: the largest
  single process of the tree (Linux passes a reaped rank's peak up through mpirun). For 2 ranks it is one
  rank's peak; the *tree* column is the largest sum over the whole tree seen by psutil polling every 50 ms.
- **RankMe** of every program is printed beside rankme's, with its relative difference to the float64 SVD's
  value (p = s / sum(s) + 1e-7, exp(-sum p log p); s = sqrt(max(eig, 0)) for the Gram routes).
- **The floor** (`build/rankme-floor`) holds the whole matrix in memory (read untimed) and times only what
  any Gram-route RankMe must do: per block of rankme's block rows, `cblas_dsyrk` on the widened block
  (double) or `cblas_ssyrk` into a float scratch (mixed; adding it into the double Gram is reported apart as
  *accumulate*), then rankme's own eigensolver. `rankme / floor` is rankme's whole-process wall time over
  the floor of the precision rankme reported, and in brackets rankme's own time for the dataset (open to
  result: read, convert, products, reduce, eigensolve, metrics) over the floor; the 1.10x target is judged on
  the latter, since the floor, timed inside one process, has no process or MPI start-up either.
- **Data**: float32, generated once with numpy (`scripts/bench_data.py`): rows r_i (g_i + 0.2) diag((k+1)^-0.5),
  g_i Gaussian, r_i lognormal(0, 0.3), so RankMe is well below K; the gzip file holds the same numbers."""
    startup = raw.get("startup") or {}
    if startup:
        text += ("\n- **Start-up** (wall time of processes that do nothing, medians; every whole-process number includes "
                 "its share): " + "; ".join(f"`{label}` {seconds(value)} s" for label, value in startup.items()) + ".")
    if missing:
        text += (f"\n- **This rankme lacks {', '.join(missing)}** (or `--old-interface` was given): those runs and "
                 "columns are missing; without `--precision` rankme's precision is taken to be double.")
    return text


def overview_section(sizes):
    headers = ["size", "rankme default", "rankme double", "floor (default's precision)", "numpy svd f64",
               "torch svdvals f32", "scipy svdvals f32", "numpy Gram f32", "numpy Gram f64"]
    rows = []
    for size in sizes:
        if "error" in size:
            rows.append([size["name"], size["error"]] + [""] * (len(headers) - 2))
            continue
        s = size_summaries(size)
        default = s.get("rankme/default/1x2", {}) if "rankme/default/1x2" in s else next(
            (v for k, v in s.items() if k.startswith("rankme/default/1x")), {})
        precision = default.get("precision")

        def cell(key):
            value = s.get(key, {})
            return seconds(value["wall"]) if value.get("wall") is not None else value.get("cell", "not run")
        double_key = next((k for k in s if k.startswith("rankme/double/1x")), None)
        default_key = next((k for k in s if k.startswith("rankme/default/1x")), None)
        rows.append([shape_text(size), cell(default_key) + (f" ({precision})" if precision else ""),
                     cell(double_key) if double_key else "not run",
                     seconds(floor_value(size, precision)),
                     cell("peer/numpy_svd_f64"), cell("peer/torch_svdvals_f32"), cell("peer/scipy_svdvals_f32"),
                     cell("peer/numpy_gram_f32"), cell("peer/numpy_gram_f64")])
    return ("## Overview: wall time of the whole process, seconds (median)\n\n"
            "rankme at 1 rank x all cores; the floor is its internal time (products + eigensolve, no I/O, no start-up).\n\n"
            + table(headers, rows))


def size_section(size):
    name = size["name"]
    title = f"## {shape_text(size)} float32 (`{name}`)"
    if "error" in size:
        return f"{title}\n\n{size['error']}"
    s = size_summaries(size)
    configs = size["configs"]
    reference = reference_rankme(s)
    reference_note = ""
    if reference is None:
        fallback = next((k for k in s if k.startswith("rankme/double/1x")), None)
        reference = s.get(fallback, {}).get("rankme") if fallback else None
        if reference is not None:
            reference_note = ("No float64 SVD at this size: the *rel. diff* column is to rankme "
                              "`--precision double` instead.")
    default_key = next((k for k in s if k.startswith("rankme/default/1x")), None)
    double_key = next((k for k in s if k.startswith("rankme/double/1x")), None)
    rankme_wall = wall(s, default_key)
    rankme_double_wall = wall(s, double_key) if double_key else None
    megabytes = size["file_bytes"] / 1e6
    intro = (f"{title}\n\nFile {size['file']} ({megabytes:,.0f} MB on disk, {size['data_bytes'] / 1e6:,.0f} MB of "
             f"float32). Default precision (`auto`) chose: {size.get('default_precision') or 'n/a'}.")
    headers = ["program", "ranks x threads", "precision", "wall s", "internal s", "of which read s",
               "peak RSS MiB", "tree RSS MiB", "RankMe", "rel. diff vs f64 SVD", "rankme / floor",
               "peer / rankme default", "peer / rankme double"]
    rows = []
    for key, config in configs.items():
        value = s[key]
        label = config_label(key, config)
        layout = f"{config['ranks']} x {config['threads']}"
        if "cell" in value:
            rows.append([label, layout, config.get("precision", ""), value["cell"]] + [""] * (len(headers) - 4))
            continue
        vs_floor, vs_default, vs_double = "", "", ""
        precision = value.get("precision") or ("float64" if key.endswith("f64") else "float32" if key.endswith("f32") else "")
        if config["kind"] == "rankme":
            floor = floor_value(size, value.get("precision"))
            if floor:
                vs_floor = f"{ratio(value['wall'] / floor)} (internal {ratio(value['internal'] / floor) if value.get('internal') else 'n/a'})"
            if config["precision"] == "default" and value.get("precision"):
                precision = f"auto -> {value['precision']}"
        else:
            vs_default = ratio(value["wall"] / rankme_wall) if rankme_wall else "n/a"
            vs_double = ratio(value["wall"] / rankme_double_wall) if rankme_double_wall else "n/a"
        note = f" ({value['failed']} of {value['failed'] + value['runs']} failed: {value['failure']})" if value["failed"] else ""
        rows.append([label, layout, precision, seconds(value["wall"]) + note, seconds(value.get("internal")),
                     seconds(value.get("read")), mib(value.get("maxrss_kib")), mib(value.get("tree_rss_kib")),
                     f"{value['rankme']:.10g}" if value.get("rankme") is not None else "n/a",
                     relative_difference(value.get("rankme"), reference), vs_floor, vs_default, vs_double])
    parts = [intro, table(headers, rows)] + ([reference_note] if reference_note else [])

    floor_rows = []
    for precision, floor in size.get("floor", {}).items():
        if "error" in floor:
            floor_rows.append([precision, floor["error"]] + [""] * 10)
            continue
        floor_rows.append([precision, f"{floor['block_rows']} ({floor.get('block_rows_source', '')})",
                           seconds(floor["products"]), seconds(floor["accumulate"]), seconds(floor["convert"]),
                           seconds(floor["eigensolve"]), seconds(floor["floor"]), seconds(floor["floor_with_accumulate"]),
                           f"{floor['gflops']:.1f}", floor.get("solver", ""),
                           f"{floor['rankme']:.10g} ({relative_difference(floor['rankme'], reference)})"])
    if floor_rows:
        parts.append("The floor (`build/rankme-floor`, in memory, medians inside one process; GFLOP/s = N K^2 / products):\n\n"
                     + table(["precision", "block rows", "products s", "accumulate s", "convert s", "eigensolve s",
                              "floor s", "floor + accumulate s", "GFLOP/s", "solver", "RankMe (rel. diff)"], floor_rows))

    phase_rows = []
    for key, config in configs.items():
        timings = s[key].get("timings")
        if config["kind"] != "rankme" or not timings:
            continue
        extra = [k for k in timings if k not in PHASES and k != "block_rows"]
        phase_rows.append([config_label(key, config), f"{config['ranks']} x {config['threads']}"]
                          + [seconds(timings.get(k)) for k in PHASES]
                          + [str(int(timings["block_rows"])) if timings.get("block_rows") else "n/a",
                             ", ".join(f"{k} {seconds(timings[k])}" for k in extra)])
    if phase_rows:
        parts.append("rankme's phases (`--timings`, rank 0, medians, seconds):\n\n"
                     + table(["program", "ranks x threads"] + PHASES + ["block rows", "other"], phase_rows))
    for note in size.get("notes", []):
        parts.append(note)
    return "\n\n".join(parts)


def cold_section(sizes):
    rows = []
    for size in sizes:
        cold = size.get("cold")
        if not cold or "error" in size:
            continue
        s = size_summaries(size)
        warm = s.get(cold["config"], {})
        if cold.get("not_run"):
            rows.append([shape_text(size), cold["config"], seconds(warm.get("wall")), cold["not_run"], "", "", "", ""])
            continue
        c = summary({"runs": cold["runs"]})
        if "cell" in c:
            rows.append([shape_text(size), cold["config"], seconds(warm.get("wall")), c["cell"], "", "", "", ""])
            continue
        warm_read = (warm.get("timings") or {}).get("read")
        cold_read = (c.get("timings") or {}).get("read")
        bandwidth = f"{size['file_bytes'] / cold_read / 1e9:.2f}" if cold_read else "n/a"
        resident = [r for r in cold["resident_after_eviction"] if r is not None]
        resident_text = (f"{max(resident) / size['file_bytes']:.1%} of {size['file_bytes'] / 1e6:,.0f} MB"
                         if resident else "unknown (no fincore, mincore failed)")
        rows.append([shape_text(size), cold["config"], seconds(warm.get("wall")), seconds(c["wall"]),
                     seconds(warm_read), seconds(cold_read), bandwidth, resident_text])
    if not rows:
        return "## Page cache: cold reads\n\nNot measured (`--no-cold`)."
    return ("## Page cache: cold reads\n\nThe same rankme run right after `os.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)` "
            "on the file (after an fsync), residency checked with `fincore` (util-linux) or mincore(2) just before the run. "
            "Read bandwidth = bytes on disk / rankme's read phase.\n\n"
            + table(["size", "configuration", "warm wall s", "cold wall s", "warm read phase s", "cold read phase s",
                     "cold read GB/s", "resident after eviction"], rows))


# ---------------------------------------------------------------------------------------------------
# Targets


def targets_section(sizes):
    rows = []

    def add(target, size_name, measured, needed, met, note=""):
        result = "not measured" if met is None else ("**met**" if met else "**missed**")
        rows.append([target, size_name, measured, needed, result + (f" ({note})" if note else "")])

    measured = [size for size in sizes if "error" not in size]
    for size in measured:
        s = size_summaries(size)
        key = next((k for k in s if k.startswith("rankme/default/1x")), None)
        value = s.get(key, {})
        precision = value.get("precision")
        floor = floor_value(size, precision)
        if value.get("internal") is not None and floor:
            # Like with like: the floor is timed inside one process, so rankme's end-to-end time here is its
            # own for the dataset (open, read, convert, products, reduce, eigensolve, metrics), without the
            # process and MPI start-up that the whole-process column shows beside it.
            r = value["internal"] / floor
            add(f"default end-to-end (open to result) <= {FLOOR_TARGET:.2f} x floor ({precision})", size["name"], ratio(r),
                f"<= {FLOOR_TARGET:.2f}x", r <= FLOOR_TARGET,
                f"whole process {ratio(value['wall'] / floor)}" if value.get("wall") else "")
        else:
            add("default end-to-end <= 1.10 x floor", size["name"], value.get("cell", "n/a"), "<= 1.10x", None)

    peer_sizes = [size for size in measured if size["name"] in TARGET_SIZES]
    stand_in = ""
    if not peer_sizes:
        peer_sizes = [size for size in measured if not size.get("gzip")]
        stand_in = "stand-in size"
    for size in peer_sizes:
        s = size_summaries(size)
        default = s.get(next((k for k in s if k.startswith("rankme/default/1x")), ""), {})
        double = s.get(next((k for k in s if k.startswith("rankme/double/1x")), ""), {})
        for mode, base, targets in (("default", default, PEER_TARGETS_DEFAULT), ("`--precision double`", double, PEER_TARGETS_DOUBLE)):
            for method, needed in targets:
                peer = s.get(f"peer/{method}", {})
                label = f"{mode}: >= {needed}x faster than {PEER_LABELS[method]}"
                if base.get("wall") and peer.get("wall"):
                    r = peer["wall"] / base["wall"]
                    add(label, size["name"], ratio(r), f">= {needed}x", r >= needed, stand_in)
                else:
                    add(label, size["name"], peer.get("cell") or base.get("cell") or "n/a", f">= {needed}x", None, stand_in)
        for method, _ in PEER_TARGETS_DOUBLE:
            peer = s.get(f"peer/{method}", {})
            label = f"`--precision double`: peak RSS <= {MEMORY_FRACTION_TARGET} x {PEER_LABELS[method]}'s"
            if double.get("maxrss_kib") and peer.get("maxrss_kib"):
                r = double["maxrss_kib"] / peer["maxrss_kib"]
                add(label, size["name"], f"{r:.3f} ({mib(double['maxrss_kib'])} / {mib(peer['maxrss_kib'])} MiB)",
                    f"<= {MEMORY_FRACTION_TARGET}", r <= MEMORY_FRACTION_TARGET, stand_in)
            else:
                add(label, size["name"], "n/a", f"<= {MEMORY_FRACTION_TARGET}", None, stand_in)

    for size in measured:
        s = size_summaries(size)
        for precision in ("default", "double", "mixed"):
            one = next((k for k in s if k.startswith(f"rankme/{precision}/1x")), None)
            many = next((k for k in s if k.startswith(f"rankme/{precision}/") and not k.startswith(f"rankme/{precision}/1x")), None)
            if not one or not many:
                continue
            a, b = s[one].get("wall"), s[many].get("wall")
            label = f"{precision}: {many.split('/')[-1]} within {LAYOUT_TARGET - 1:.0%} of {one.split('/')[-1]} (ranks x threads)"
            if a and b:
                add(label, size["name"], ratio(b / a), f"<= {LAYOUT_TARGET:.2f}x", b / a <= LAYOUT_TARGET)
            else:
                add(label, size["name"], "n/a", f"<= {LAYOUT_TARGET:.2f}x", None)
    met = sum(1 for row in rows if row[4].startswith("**met**"))
    missed = sum(1 for row in rows if row[4].startswith("**missed**"))
    return (f"## Targets\n\nRatios from this run. Met {met}, missed {missed}, not measured {len(rows) - met - missed}.\n\n"
            + table(["target", "size", "measured", "needed", "result"], rows, ["l", "l", "r", "r", "l"]))


# ---------------------------------------------------------------------------------------------------
# The cost model


def measured_constants(sizes, cores):
    """Per K: product rate per core (floor), eigensolve time, rankme's peak RSS; and the read bandwidths."""
    by_cols = {}
    read_warm, read_cold = None, None
    # In order of size, so that the read bandwidth comes from the largest file (the least noisy).
    for size in sorted((s for s in sizes if "error" not in s), key=lambda s: s["data_bytes"]):
        s = size_summaries(size)
        key = next((k for k in s if k.startswith("rankme/default/1x")), None)
        default = s.get(key, {})
        precision = default.get("precision") or "double"
        entry = by_cols.setdefault(size["cols"], {})
        if size.get("gzip"):
            continue
        for p in ("double", "mixed"):
            floor = size.get("floor", {}).get(p)
            if floor and "error" not in floor:
                entry[f"rate_{p}"] = floor["gflops"] * 1e9 / cores
                entry[f"rate_{p}_from"] = size["name"]
                entry.setdefault("eig_floor", floor["eigensolve"])
        eig = (default.get("timings") or {}).get("eigensolve")
        if eig:
            entry["eig"] = eig
            entry["eig_from"] = f"rankme --timings, {size['name']}"
        elif "eig_floor" in entry:
            entry["eig"] = entry["eig_floor"]
            entry["eig_from"] = f"rankme-floor, {size['name']}"
        if default.get("maxrss_kib"):
            entry["rss"] = max(entry.get("rss", 0), default["maxrss_kib"] * 1024)
        entry["precision"] = precision
        read = (default.get("timings") or {}).get("read")
        if read:
            read_warm = (size["file_bytes"] / read, size["name"])
        elif size.get("warm_read_seconds"):
            read_warm = (size["file_bytes"] / size["warm_read_seconds"], f"{size['name']} (plain sequential read)")
        cold = size.get("cold")
        if cold and not cold.get("not_run"):
            c = summary({"runs": cold["runs"]})
            cold_read = (c.get("timings") or {}).get("read")
            if cold_read:
                read_cold = (size["file_bytes"] / cold_read, size["name"])
    return by_cols, read_warm, read_cold


def at_k(by_cols, k, field):
    """A constant at order K: measured at K, else scaled from the nearest measured K (rates as they are,
    eigensolve times by K^3, memory by K^2); returns (value, where it came from)."""
    if k in by_cols and field in by_cols[k]:
        return by_cols[k][field], f"measured at K = {k}"
    candidates = [c for c in by_cols if field in by_cols[c]]
    if not candidates:
        return None, "not measured"
    nearest = min(candidates, key=lambda c: abs(math.log(c / k)))
    value = by_cols[nearest][field]
    if field == "eig":
        return value * (k / nearest) ** 3, f"scaled by K^3 from K = {nearest}"
    if field == "rss":
        # What grows with K^2 is the Gram matrix and the eigensolver's copy of it (2 x 8 K^2 bytes); the
        # rest (libraries, MPI, the 32 MiB blocks) stays.
        return max(value + 16 * (k * k - nearest * nearest), 16 * k * k), \
            f"from K = {nearest} plus 16 (K^2 - {nearest}^2) bytes"
    return value, f"taken from K = {nearest}"


def rate_at(by_cols, k):
    """The product rate per core in the precision rankme's default chose at (or nearest) K."""
    candidates = [c for c in by_cols if by_cols[c].get("precision")]
    nearest = min(candidates, key=lambda c: abs(math.log(c / k))) if candidates else None
    precision = by_cols[nearest]["precision"] if nearest else "double"
    rate, where = at_k(by_cols, k, f"rate_{precision}")
    if rate is None and precision != "double":
        precision = "double"
        rate, where = at_k(by_cols, k, "rate_double")
    return rate, where, precision


def allreduce_seconds(k, ranks):
    """Ring allreduce of the K x K double Gram over `ranks` ranks on the assumed network."""
    if ranks <= 1:
        return 0.0
    volume = 8 * k * k
    return 2 * (ranks - 1) * NETWORK_LATENCY + 2 * (ranks - 1) / ranks * volume / NETWORK_BANDWIDTH


def scaling_section(sizes, cores):
    by_cols, read_warm, read_cold = measured_constants(sizes, cores)
    if not by_cols:
        return "## Scaling on paper\n\nNothing measured."
    bandwidth, bandwidth_from = (read_cold[0], f"cold, {read_cold[1]}") if read_cold else \
        ((read_warm[0], f"warm page cache, {read_warm[1]}") if read_warm else (None, "not measured"))

    constant_rows = []
    for k in sorted(by_cols):
        e = by_cols[k]
        constant_rows.append([f"{k:,}",
                              f"{e['rate_double'] / 1e9:.1f}" if "rate_double" in e else "n/a",
                              f"{e['rate_mixed'] / 1e9:.1f}" if "rate_mixed" in e else "n/a",
                              f"{seconds(e.get('eig'))} ({e.get('eig_from', 'n/a')})",
                              f"{e['rss'] / 2**20:,.0f}" if "rss" in e else "n/a"])
    parts = [f"""## Scaling on paper

The cost model, with the constants measured in this run:

    time(N, K, P) = read(N K 4 bytes / bandwidth) + N K^2 / (P rate) + allreduce(K^2, P) + eig(K)

- *rate*: the floor's product rate (N K^2 / products), per core = measured / {cores} threads.
- *bandwidth*: the file's bytes over rankme's read phase, {gib_per_s(bandwidth)} ({bandwidth_from}),
  taken as the read bandwidth of one node (it is one process on this machine's disk); the nodes read in parallel
  without a shared limit (a parallel file system's aggregate limit would add to the read term).
- *allreduce*: assumed network, ring allreduce of the K x K double Gram: 2 (P-1) x {NETWORK_LATENCY * 1e6:.0f} us
  + 2 (P-1)/P x 8 K^2 bytes / {NETWORK_BANDWIDTH / 1e9:.0f} GB/s.
- *eig*: rankme's eigensolve phase at that K here ({cores} cores), not scaled down with P: an upper bound (ScaLAPACK
  on more cores is faster, but at K of a few thousand it does not scale far).
- *memory per rank*: rankme's peak RSS here at that K (O(K^2 + block rows x K), independent of N).
- Cores of the cluster are taken to be as fast as these, and the products in the precision rankme's default
  chose at that K here. A constant not measured at the K of a prediction is taken from the nearest K measured
  (rates as they are, eigensolve times scaled by K^3, memory as said): the *from* column says which.

""" + table(["K", "rate double GFLOP/s/core", "rate mixed GFLOP/s/core", "eigensolve s", "rankme peak RSS MiB"],
                      constant_rows)]

    # 10^9 x 4,096 on 64 nodes.
    ranks_per_node, threads = BIG_LAYOUT
    ranks = NODES * ranks_per_node
    rate, rate_from, precision = rate_at(by_cols, BIG_COLS)
    eig, eig_from = at_k(by_cols, BIG_COLS, "eig")
    rss, rss_from = at_k(by_cols, BIG_COLS, "rss")
    total_bytes = BIG_ROWS * BIG_COLS * 4
    read = total_bytes / (NODES * bandwidth) if bandwidth else None
    products = BIG_ROWS * BIG_COLS**2 / (NODES * CORES_PER_NODE * rate) if rate else None
    reduce = allreduce_seconds(BIG_COLS, ranks)
    total = sum(v for v in (read, products, reduce, eig) if v is not None) if None not in (read, products, eig) else None
    big_rows = [
        ["read", duration(read), f"{total_bytes / 1e12:.1f} TB over {NODES} nodes at {gib_per_s(bandwidth)} each"],
        ["products", duration(products), f"{BIG_ROWS:.0e} x {BIG_COLS}^2 over {NODES * CORES_PER_NODE:,} cores at "
                                         f"{rate / 1e9 if rate else float('nan'):.1f} GFLOP/s/core ({precision}, {rate_from})"],
        ["allreduce", duration(reduce), f"{8 * BIG_COLS**2 / 2**20:.0f} MiB over {ranks} ranks"],
        ["eigensolve", duration(eig), eig_from],
        ["**total**", f"**{duration(total)}**", ""],
        ["memory per node", gib(ranks_per_node * rss) if rss else "n/a",
         f"{ranks_per_node} ranks x {gib(rss)} ({rss_from}); the {total_bytes / 1e12:.1f} TB are streamed, never held"],
    ]
    parts.append(f"### {BIG_ROWS:.0e} rows x {BIG_COLS:,} on {NODES} nodes\n\nAssumed: {NODES} nodes of {CORES_PER_NODE} cores, "
                 f"{ranks_per_node} ranks x {threads} BLAS threads per node ({ranks} ranks), float32 input.\n\n"
                 + table(["term", "predicted", "from"], big_rows, ["l", "r", "l"]))

    # A sweep of 1,000 datasets of 25,600 x 2,048.
    rate, rate_from, precision = rate_at(by_cols, SWEEP_COLS)
    eig, eig_from = at_k(by_cols, SWEEP_COLS, "eig")
    rss, rss_from = at_k(by_cols, SWEEP_COLS, "rss")
    dataset_bytes = SWEEP_ROWS * SWEEP_COLS * 4
    sweep_rows = []
    for layout in (BIG_LAYOUT, SWEEP_LAYOUT):
        per_node, layout_threads = layout
        groups = NODES * per_node
        rounds = math.ceil(SWEEP_DATASETS / groups)
        read_one = dataset_bytes / (bandwidth / per_node) if bandwidth else None   # the node's ranks share its bandwidth
        products_one = SWEEP_ROWS * SWEEP_COLS**2 / (layout_threads * rate) if rate else None
        one = (read_one + products_one + eig) if None not in (read_one, products_one, eig) else None
        sweep_rows.append([f"{per_node} ranks x {layout_threads} threads per node: {groups} one-rank groups, {rounds} round(s)",
                           duration(one), duration(one * rounds if one else None),
                           gib(per_node * rss) if rss else "n/a"])
    sizes_2048 = [size for size in sizes if size.get("name") == f"{SWEEP_ROWS}x{SWEEP_COLS}"]
    here = "not measured at this size"
    if sizes_2048:
        s = size_summaries(sizes_2048[0])
        default = s.get(next((k for k in s if k.startswith("rankme/default/1x")), ""), {})
        if default.get("wall"):
            here = (f"{duration(SWEEP_DATASETS * default['wall'])} as {SWEEP_DATASETS:,} separate processes, "
                    f"{duration(SWEEP_DATASETS * default['internal'])} in one rankme process (internal time x {SWEEP_DATASETS:,})"
                    if default.get("internal") else duration(SWEEP_DATASETS * default["wall"]))
    parts.append(f"### A sweep of {SWEEP_DATASETS:,} datasets of {SWEEP_ROWS:,} x {SWEEP_COLS:,} on {NODES} nodes\n\n"
                 f"Each dataset on one rank (rankme's grouping picks groups of one rank for many small datasets: no "
                 f"allreduce); per dataset: read + N K^2 / (threads rate) + eig; a node's ranks share its read bandwidth. "
                 f"Rate {precision}, {rate_from}; eigensolve {eig_from} "
                 f"(taken as is for 4 or 32 threads), memory {rss_from}.\n\n"
                 + table(["layout", "per dataset", "sweep", "memory per node"], sweep_rows, ["l", "r", "r", "r"])
                 + f"\n\nOn this machine, from the measured runs: {here}.")
    return "\n\n".join(parts)


def gib_per_s(bandwidth):
    return "n/a" if not bandwidth else f"{bandwidth / 1e9:.2f} GB/s"


# ---------------------------------------------------------------------------------------------------


def baseline_section(raw, sizes):
    """This build against --baseline (another commit's build), run interleaved in the same repeats."""
    rows = []
    for size in sizes:
        for key, twin in size.get("baseline", {}).items():
            mine, theirs = summary(size.get("configs", {}).get(key)), summary(twin)
            ours_wall, their_wall = mine.get("wall"), theirs.get("wall")
            same = "n/a"
            if mine.get("rankme") is not None and theirs.get("rankme") is not None:
                same = relative_difference(mine["rankme"], theirs["rankme"])
            rows.append([shape_text(size), key.replace("rankme/", ""),
                         seconds(ours_wall) if ours_wall is not None else mine.get("cell"),
                         seconds(their_wall) if their_wall is not None else theirs.get("cell"),
                         ratio(ours_wall / their_wall) if ours_wall and their_wall else "n/a", same])
    if not rows:
        return None
    baseline = raw.get("settings", {}).get("baseline")
    return ("## This build against the baseline build\n\n"
            f"`{baseline}` ran in every rankme configuration right after this build's run of it, in each repeat "
            "(medians of the wall times of whole processes; ratio = this build / baseline; RankMe difference "
            "relative).\n\n"
            + table(["shape", "precision/ranks x threads", "this build (s)", "baseline (s)", "ratio",
                     "RankMe rel. diff."], rows))


def formats_section(raw):
    """The same matrix as HDF5 contiguous, .npy and safetensors: rankme's median wall time on each, and each
    one's ratio to the HDF5 file's in the same ranks x threads layout."""
    formats = raw.get("formats")
    if not formats:
        return None
    title = f"## Input formats: {formats['rows']:,} x {formats['cols']:,} float32 as HDF5, .npy and safetensors\n\n"
    if formats.get("error"):
        return title + f"Not measured: {formats['error']}."
    blas = raw.get("machine", {}).get("openblas", {})
    rows = []
    for key, config in formats.get("configs", {}).items():
        s = summary(config)
        layout = f"{config['ranks']} x {config['threads']}"
        hdf5 = summary(formats["configs"].get(f"hdf5/{layout.replace(' ', '')}"))
        value, reference = s.get("wall"), hdf5.get("wall")
        if value is None:
            rows.append([FORMAT_LABELS.get(config["format"], config["format"]), layout, s.get("cell"), "", "", "", "", ""])
            continue
        r = value / reference if reference else None
        met = "" if config["format"] == "hdf5" or r is None else ("**met**" if r <= FORMAT_TARGET else "**missed**")
        same = "" if config["format"] == "hdf5" else relative_difference(s.get("rankme"), hdf5.get("rankme"))
        read = (s.get("timings") or {}).get("read")
        rows.append([FORMAT_LABELS.get(config["format"], config["format"]), layout, seconds(value),
                     "1.00x (reference)" if config["format"] == "hdf5" else ratio(r), met, seconds(read), same,
                     s.get("solver") or "n/a"])
    files = ", ".join(f"`{os.path.basename(path)}`" for path in formats.get("files", {}).values())
    return (title + f"One file per format with the same values ({files}; written by `scripts/bench_data.py`), rankme in "
            f"the default precision, each format's runs interleaved with the others' in every one of {formats['repeats']} "
            f"repeats (medians of whole-process wall times, warm page cache). Ratio = format / HDF5 contiguous in the same "
            f"layout; target <= {FORMAT_TARGET:.2f}x; the read phase is rankme's own time in reading (and, for a deflated or chunked file, decompressing), from `--timings`. BLAS: {blas.get('openblas_get_config', 'OpenBLAS (openblas_get_config not found)')}, "
            f"kernel core `{blas.get('openblas_get_corename', '?')}` (openblas_get_corename).\n\n"
            + table(["format", "ranks x threads", "wall (s)", "ratio to HDF5", f"<= {FORMAT_TARGET:.2f}x",
                     "read phase (s, --timings)", "RankMe rel. diff. to HDF5", "solver"], rows,
                    ["l", "l", "r", "r", "l", "r", "r", "l"]))


# The other measurement files beside docs/benchmarks.md, linked from its header (relative to docs/).
OTHER_REPORTS = [
    ("BENCHMARKS-K8192.md", "the same benchmark at K = 8,192 (rankme and the floor only)"),
    ("BENCHMARKS-baseline.md", "this build against the build of the commit before the move to area folders (`--baseline`)"),
    ("BENCHMARKS-formats.md", "`.npy`, safetensors and HDF5 side by side, and peak memory against N"),
    ("BENCHMARKS-lidar.md", "LiDAR's cost beside RankMe's (`scripts/measure_lidar.py`)"),
    ("BENCHMARKS-python.md", "the Python module beside the command line and numpy's SVD (`scripts/measure_python_module.py`)"),
]


def header_section(out):
    """The title, how the file was made, and links to the other measurement files (not to itself)."""
    own = os.path.basename(out) if out else None
    others = "".join(f"\n- [{name}]({name}): {what}" for name, what in OTHER_REPORTS if name != own)
    return ("# rankme benchmarks\n\nWritten by `scripts/bench` (all numbers from one run, on the same files and machine; "
            "rerun it to refresh this file; how: [development.md](development.md#benchmarks)). Other measurements, "
            "each from a run of its own:\n" + others)


def render(raw, out=None):
    sizes = raw.get("sizes", [])
    cores = raw.get("settings", {}).get("cores", 2)
    sections = [
        header_section(out),
        "\n\n".join(f"**Warning:** {w}" for w in raw.get("warnings", [])) or None,
        machine_section(raw),
        method_section(raw),
        overview_section(sizes),
        baseline_section(raw, sizes),
        targets_section(sizes),
        formats_section(raw),
    ] + bench_methods.sections(raw)
    sections += [size_section(size) for size in sizes]
    sections += [cold_section(sizes), scaling_section(sizes, cores)]
    return "\n\n".join(section for section in sections if section) + "\n"
