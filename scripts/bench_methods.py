#!/usr/bin/python3
"""The benchmark's method rows (scripts/bench; --no-methods skips them), each measured side by side in one run:

  - --method auto against gram and tsqr on steep spectra, where the Gram route is off (the collapsed runs
    RankMe exists to catch), and on an ordinary one: the error against numpy's float64 SVD of the same stored
    values, the wall time, and whether auto fell back to TSQR;
  - TSQR against the Gram route, both in double, on the benchmark's 25,600 x 2,048 and 100,000 x 2,048 files,
    at 1 x CORES and CORES x 1 (target: TSQR <= 2x);
  - the gzip file against the same values stored uncompressed, default options, 1 x CORES (target <= 1.25x),
    with the rate at which rankme decompressed.

Every configuration of a group runs once per repeat, in turn, so that all of them see the same machine state;
the tables give medians of whole-process wall times.
"""
import os
import statistics

import h5py
import numpy as np

import bench_data

STEEP_FILE = "steep_spectra_v1.h5"
TSQR_SIZES = [(25600, 2048), (100000, 2048)]
QUICK_TSQR_SIZES = [(8192, 512)]
TSQR_TARGET = 2.0
GZIP_TARGET = 1.25
GZIP_SHAPE = (25600, 2048)
QUICK_GZIP_SHAPE = (4096, 256)
MIN_REPEATS = 3
AUTO_TOLERANCE = 1e-6
GZIP_LEVEL = 4   # as scripts/bench's gzip sizes


def steep_spectra():
    """(dataset, rows, cols, dtype, singular values, what): the issue's cases, larger, and a control."""
    def power(cols, exponent):
        return np.arange(1, cols + 1, dtype=np.float64) ** -exponent

    def log_spaced(cols, last):
        return np.logspace(0, last, cols)

    reach = np.log(1 / 1.6e-8)   # s_min / s_1 = 1.6e-8, as in issue 13's float32 report
    return [
        ("/float32_power_to_1.6e-8", 25600, 512, np.float32, power(512, reach / np.log(512)),
         "float32, power law, s_min / s_1 = 1.6e-8"),
        ("/float64_log_to_1e-8", 8192, 256, np.float64, log_spaced(256, -8), "float64, log-spaced 1 .. 1e-8"),
        ("/float64_log_to_1e-10", 8192, 256, np.float64, log_spaced(256, -10), "float64, log-spaced 1 .. 1e-10"),
        ("/float32_power_3", 25600, 1024, np.float32, power(1024, 3), "float32, power law k^-3 (collapsed)"),
        ("/float32_power_0.5", 25600, 1024, np.float32, power(1024, 0.5), "float32, power law k^-0.5 (ordinary)"),
    ]


def rankme_of(singular_values, eps=1e-7):
    p = singular_values / singular_values.sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


def ensure_steep_file(data_dir, log):
    """Z = U diag(s) V^T for every spectrum, stored in its dtype, with the float64 SVD's RankMe of exactly the
    stored values as the attribute reference_rankme. Written once and cached."""
    path = os.path.join(data_dir, STEEP_FILE)
    wanted = [name for name, *_ in steep_spectra()]
    try:
        with h5py.File(path, "r") as f:
            if all(name in f and "reference_rankme" in f[name].attrs for name in wanted):
                return path
    except OSError:
        pass
    log(f"methods: writing {path}")
    rng = np.random.default_rng(20261206)
    with h5py.File(path + ".tmp", "w") as f:
        for name, rows, cols, dtype, s, what in steep_spectra():
            u, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
            v, _ = np.linalg.qr(rng.standard_normal((cols, cols)))
            stored = ((u * s) @ v.T).astype(dtype)
            d = f.create_dataset(name, data=stored)
            d.attrs["reference_rankme"] = rankme_of(np.linalg.svd(stored.astype(np.float64), compute_uv=False))
            d.attrs["what"] = what
    os.replace(path + ".tmp", path)
    return path


def interleaved(configs, repeats, run, log, group):
    """Every config once per repeat, in turn; run(config) -> run dict."""
    for repeat in range(repeats):
        for key, config in configs.items():
            result = run(config)
            config["runs"].append(result)
            log(f"{group}: {key} run {repeat + 1}/{repeats}: "
                f"{result.get('error') or '%.3f s wall, RankMe %.6f' % (result['wall'], result['rankme'])}")


def measure(bench, log):
    args = bench.args
    repeats = max(args.repeats, MIN_REPEATS)
    cores = args.cores
    methods = {"repeats": repeats, "cores": cores}

    # 1. auto, gram and tsqr on the steep spectra (1 x CORES).
    try:
        path = ensure_steep_file(args.data_dir, log)
        steep = {"file": path, "datasets": {}}
        with h5py.File(path, "r") as f:
            for name, rows, cols, dtype, _, what in steep_spectra():
                steep["datasets"][name] = {"rows": rows, "cols": cols, "dtype": np.dtype(dtype).name, "what": what,
                                           "reference": float(f[name].attrs["reference_rankme"]), "configs": {}}
        for name, entry in steep["datasets"].items():
            for method in ("gram", "tsqr", "auto"):
                entry["configs"][method] = {"method": method, "runs": []}
            bench.run_rankme(path, "default", 1, cores, dataset=name)   # untimed first run
            interleaved(entry["configs"], repeats,
                        lambda c, name=name: bench.run_rankme(path, "default", 1, cores, dataset=name,
                                                              extra=["--method", c["method"]]),
                        log, f"methods {name}")
        methods["steep"] = steep
    except (OSError, MemoryError) as error:
        methods["steep"] = {"error": f"not measured: {error}"}

    # 2. TSQR against the Gram route, both in double.
    tsqr = {}
    for rows, cols in (QUICK_TSQR_SIZES if args.quick else TSQR_SIZES):
        name = f"{rows}x{cols}"
        try:
            path, _ = bench_data.ensure(args.data_dir, rows, cols, None, log=log)
        except (OSError, MemoryError) as error:
            tsqr[name] = {"error": f"not measured: {error}"}
            continue
        configs = {}
        for ranks, threads in [(1, cores), (cores, 1)]:
            for method in ("gram", "tsqr"):
                configs[f"{method}/{ranks}x{threads}"] = {"method": method, "ranks": ranks, "threads": threads, "runs": []}
        interleaved(configs, repeats,
                    lambda c, path=path: bench.run_rankme(path, "double", c["ranks"], c["threads"],
                                                          extra=["--method", c["method"]]),
                    log, f"tsqr {name}")
        tsqr[name] = {"file": path, "configs": configs}
    methods["tsqr"] = tsqr

    # 3. gzip against uncompressed, default options.
    rows, cols = QUICK_GZIP_SHAPE if args.quick else GZIP_SHAPE
    try:
        plain, _ = bench_data.ensure(args.data_dir, rows, cols, None, log=log)
        gzip, _ = bench_data.ensure(args.data_dir, rows, cols, GZIP_LEVEL, log=log)
        configs = {"uncompressed": {"path": plain, "runs": []}, "gzip": {"path": gzip, "runs": []}}
        for config in configs.values():
            bench.run_rankme(config["path"], "default", 1, cores)   # untimed first run, warm page cache
        interleaved(configs, max(repeats, 5), lambda c: bench.run_rankme(c["path"], "default", 1, cores), log, "gzip")
        methods["gzip"] = {"rows": rows, "cols": cols, "configs": configs,
                           "data_bytes": rows * cols * 4, "gzip_bytes": os.path.getsize(gzip)}
    except (OSError, MemoryError) as error:
        methods["gzip"] = {"error": f"not measured: {error}"}
    return methods


# ---------------------------------------------------------------------------------------------------
# The report


def median(runs, key):
    values = [run[key] for run in runs if "error" not in run and isinstance(run.get(key), (int, float))]
    return statistics.median(values) if values else None


def first(runs, key):
    return next((run.get(key) for run in runs if "error" not in run and run.get(key) is not None), None)


def failure(runs):
    return next((run["error"] for run in runs if "error" in run), "no successful run")


def steep_section(methods, report):
    steep = methods.get("steep")
    if not steep:
        return None
    title = "## `--method auto` on steep spectra: error and time against `gram` and `tsqr`\n\n"
    if steep.get("error"):
        return title + steep["error"]
    rows, fallbacks, total, within = [], 0, 0, 0
    for name, entry in steep["datasets"].items():
        reference = entry["reference"]
        for method, config in entry["configs"].items():
            runs = config["runs"]
            value = median(runs, "rankme")
            if value is None:
                rows.append([f"`{name}`", entry["what"], method, failure(runs), "", "", "", ""])
                continue
            error = abs(value - reference) / reference
            fell_back = first(runs, "method_fallback")
            if method == "auto":
                total += 1
                fallbacks += 1 if fell_back else 0
                within += 1 if error <= AUTO_TOLERANCE else 0
            predicted = first(runs, "predicted_error")
            rows.append([f"`{name}`", f"{entry['rows']:,} x {entry['cols']:,} {entry['what']}", f"`{method}`",
                         report.seconds(median(runs, "wall")), f"{error:.1e}",
                         "n/a" if predicted is None else f"{predicted:.1e}", first(runs, "method") or "?",
                         "yes" if fell_back else "no"])
    return (title + f"File `{os.path.basename(steep['file'])}` (`scripts/bench_methods.py`: Z = U diag(s) V^T stored in "
            f"its dtype; the reference is numpy's float64 SVD of the stored values). rankme at 1 x {methods['cores']}, "
            f"default precision, medians of {methods['repeats']} interleaved runs. *predicted* is the Gram route's "
            f"predicted relative error (JSON `predicted_error`); auto rescores by TSQR above the tolerance, 1e-6. "
            f"Auto was within 1e-6 on {within} of {total} spectra and fell back to TSQR on {fallbacks} of {total}.\n\n"
            + report.table(["dataset", "spectrum", "method", "wall (s)", "rel. error vs f64 SVD", "predicted",
                            "route used", "fell back"], rows, ["l", "l", "l", "r", "r", "r", "l", "l"]))


def tsqr_section(methods, report):
    tsqr = methods.get("tsqr")
    if not tsqr:
        return None
    rows = []
    for name, entry in tsqr.items():
        if entry.get("error"):
            rows.append([name, "", "", "", "", entry["error"]])
            continue
        configs = entry["configs"]
        layouts = sorted({key.split("/")[1] for key in configs})
        for layout in layouts:
            gram, tsqr_runs = configs[f"gram/{layout}"]["runs"], configs[f"tsqr/{layout}"]["runs"]
            a, b = median(gram, "wall"), median(tsqr_runs, "wall")
            ga, gb = median(gram, "rankme"), median(tsqr_runs, "rankme")
            r = b / a if a and b else None
            rows.append([name, layout.replace("x", " x "), report.seconds(a), report.seconds(b),
                         "n/a" if r is None else report.ratio(r),
                         "n/a" if r is None else ("**met**" if r <= TSQR_TARGET else "**missed**"),
                         "n/a" if ga is None or gb is None else f"{abs(ga - gb) / ga:.1e}"])
    return ("## TSQR against the Gram route (both double)\n\n"
            f"`--method tsqr` against `--method gram --precision double` on the benchmark files, each pair interleaved, "
            f"medians of {methods['repeats']} whole-process wall times. Target: TSQR <= {TSQR_TARGET:.0f}x the Gram route.\n\n"
            + report.table(["size", "ranks x threads", "gram double (s)", "tsqr (s)", "tsqr / gram",
                            f"<= {TSQR_TARGET:.0f}x", "RankMe rel. diff."], rows, ["l", "l", "r", "r", "r", "l", "r"]))


def gzip_section(methods, report):
    gzip = methods.get("gzip")
    if not gzip:
        return None
    title = "## gzip against uncompressed\n\n"
    if gzip.get("error"):
        return title + gzip["error"]
    plain, packed = gzip["configs"]["uncompressed"]["runs"], gzip["configs"]["gzip"]["runs"]
    a, b = median(plain, "wall"), median(packed, "wall")
    rows = []
    chunk_rows, chunk_cols = bench_data.chunk_shape(gzip["rows"], gzip["cols"])
    for label, runs in (("uncompressed (contiguous)", plain),
                        (f"gzip {GZIP_LEVEL}, chunks ({chunk_rows:,}, {chunk_cols:,})", packed)):
        timings = [run.get("timings") or {} for run in runs if "error" not in run]

        def phase(name):
            values = [t[name] for t in timings if isinstance(t.get(name), (int, float))]
            return statistics.median(values) if values else None
        read, decode = phase("read"), phase("decode")
        rate = gzip["data_bytes"] / decode / 1e9 if decode else None
        rows.append([label, report.seconds(median(runs, "wall")), report.seconds(read), report.seconds(decode),
                     "n/a" if rate is None else f"{rate:.2f}", first(runs, "precision") or "?"])
    r = b / a if a and b else None
    verdict = "n/a" if r is None else f"{report.ratio(r)}: **{'met' if r <= GZIP_TARGET else 'missed'}**"
    return (title + f"{gzip['rows']:,} x {gzip['cols']:,} float32, the same values ({gzip['gzip_bytes'] / 1e6:.0f} MB "
            f"compressed), rankme default options at 1 x {methods['cores']}, interleaved, medians. gzip / uncompressed "
            f"(whole process) = {verdict} (target <= {GZIP_TARGET}x). From `--timings`: *read* is the stored bytes' "
            f"reads (`H5Dread_chunk` for gzip chunks), *decode* the inflating and unshuffling on rankme's decoding "
            f"threads (both on the prefetcher, hidden behind the products as far as they can be); GB/s = decoded bytes "
            f"/ decode phase.\n\n"
            + report.table(["file", "wall (s)", "read phase (s)", "decode phase (s)", "GB/s decoded", "precision"], rows,
                           ["l", "r", "r", "r", "r", "l"]))


def sections(raw):
    methods = raw.get("methods")
    if not methods:
        return []
    import bench_report as report   # imported here: bench_report imports this module
    return [steep_section(methods, report), tsqr_section(methods, report), gzip_section(methods, report)]
