#!/usr/bin/python3
"""Plots a sweep scored by rankme: (a) the normalised spectra s_k / s_1 on log-log axes, coloured by
RankMe, and (b) RankMe against a hyperparameter parsed from the dataset paths, the best run marked.

    rankme --output results.jsonl --spectrum spectra.h5 sweep.h5
    scripts/plot_spectra.py spectra.h5 results.jsonl --param 'lr=([0-9.e+-]+)' --out spectra.png

Results come from rankme's results file, JSON lines or CSV (read by scripts/rankme_report/results.py, as
scripts/report reads them; the last line per file and dataset wins, as after --resume); only status "ok" rows
with a RankMe are drawn. Each one's spectrum is read from the spectrum file at
/<file name, '%' -> %25, '/' -> %2F><dataset path>. --param is a Python regular expression searched in
the dataset path (then in the file name when the path has no match); its first group (or the whole
match) must read as a number.
"""
import argparse
import os
import re
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from rankme_report.results import ResultsError, read_results as read_results_file, spectrum_path  # noqa: E402


def fail(message):
    print(f"plot_spectra.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def read_results(path):
    try:
        results = read_results_file(path)
    except ResultsError as error:
        fail(str(error))
    for problem in results.skipped:
        print(f"plot_spectra.py: note: '{path}' {problem}; ignored", file=sys.stderr)
    return [{"file": r.file, "dataset": r.dataset, "named_dataset": r.named_dataset, "rankme": r.rankme}
            for r in results.results if r.scored]


def parameter_of(pattern, row):
    for text in (row["dataset"], row["file"]):
        match = pattern.search(text)
        if match:
            value = match.group(1) if pattern.groups else match.group(0)
            try:
                return float(value)
            except ValueError:
                fail(f"--param matched '{value}' in '{text}', which is not a number")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spectrum", help="HDF5 file written by rankme --spectrum")
    parser.add_argument("results", help="results file (.jsonl or .csv) written by rankme --output or --format")
    parser.add_argument("--param", required=True,
                        help="regular expression for the hyperparameter in the dataset paths, e.g. 'lr=([0-9.e+-]+)'")
    parser.add_argument("--param-name", help="axis label for the hyperparameter (default: taken from --param)")
    parser.add_argument("--out", default="spectra.png", help="PNG to write (default: %(default)s)")
    parser.add_argument("--title", default=None, help="figure title")
    args = parser.parse_args()

    try:
        pattern = re.compile(args.param)
    except re.error as error:
        fail(f"--param '{args.param}' is not a regular expression: {error}")
    rows = read_results(args.results)
    if not rows:
        fail(f"no scored result (status ok with a RankMe) in '{args.results}'")

    spectra = []  # (rankme, normalised spectrum, row)
    try:
        spectrum_file = h5py.File(args.spectrum, "r")
    except OSError as error:
        fail(f"cannot open spectrum file '{args.spectrum}': {error}")
    with spectrum_file:
        for row in rows:
            path = spectrum_path(row["file"], row["named_dataset"])
            if path not in spectrum_file:
                print(f"plot_spectra.py: note: no spectrum for '{row['dataset']}' in '{row['file']}' "
                      f"(looked for '{path}' in '{args.spectrum}')", file=sys.stderr)
                continue
            values = np.asarray(spectrum_file[path][()], dtype=float)
            if values.size == 0 or not values[0] > 0:
                continue
            spectra.append((float(row["rankme"]), values / values[0], row))
    if not spectra:
        fail(f"none of the {len(rows)} results in '{args.results}' has a spectrum in '{args.spectrum}' "
             "(was it written by the same run, with --spectrum?)")

    points = []
    for row in rows:
        value = parameter_of(pattern, row)
        if value is not None:
            points.append((value, float(row["rankme"]), row))
    if not points:
        examples = ", ".join(sorted({row["dataset"] for row in rows})[:3])
        fail(f"--param '{args.param}' matches none of the {len(rows)} dataset paths (e.g. {examples})")
    if len(points) < len(rows):
        print(f"plot_spectra.py: note: --param matched {len(points)} of {len(rows)} results; the others are "
              "left out of the RankMe plot", file=sys.stderr)
    points.sort(key=lambda point: point[0])

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
    rankmes = [rankme for rankme, _, _ in spectra]
    norm = matplotlib.colors.Normalize(vmin=min(rankmes), vmax=max(rankmes) if max(rankmes) > min(rankmes) else min(rankmes) + 1)
    colours = matplotlib.colormaps["viridis"]
    for rankme, values, _ in sorted(spectra, key=lambda item: item[0]):
        k = np.arange(1, values.size + 1)
        positive = values > 0  # exact zeros (a rank-deficient matrix) have no place on a log axis
        left.loglog(k[positive], values[positive], color=colours(norm(rankme)), linewidth=1.5)
    left.set_xlabel("k")
    left.set_ylabel("$s_k / s_1$")
    left.set_title("(a) normalised singular value spectra")
    left.grid(True, which="major", alpha=0.3)
    bar = figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=colours), ax=left)
    bar.set_label("RankMe")

    name = args.param_name or (re.sub(r"[^A-Za-z0-9_]+$", "", args.param.split("(")[0]) or "parameter")
    xs = np.array([point[0] for point in points])
    ys = np.array([point[1] for point in points])
    right.plot(xs, ys, "o-", color="tab:blue")
    positive_x = xs[xs > 0]
    if positive_x.size == xs.size and positive_x.max() / positive_x.min() >= 100:  # two decades or more
        right.set_xscale("log")
    best = int(np.argmax(ys))
    right.plot([xs[best]], [ys[best]], marker="*", markersize=18, color="tab:red", linestyle="none",
               label=f"best: {name} = {xs[best]:g}, RankMe {ys[best]:.1f}")
    right.set_xlabel(name)
    right.set_ylabel("RankMe")
    right.set_title(f"(b) RankMe against {name}")
    right.grid(True, which="major", alpha=0.3)
    right.legend(loc="best")
    if args.title:
        figure.suptitle(args.title)
    try:
        figure.savefig(args.out, dpi=110)
    except OSError as error:
        fail(f"cannot write '{args.out}': {error}")
    print(f"plot_spectra.py: wrote {args.out} ({len(spectra)} spectra, {len(points)} points)", file=sys.stderr)


if __name__ == "__main__":
    main()
