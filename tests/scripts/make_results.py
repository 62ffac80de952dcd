#!/usr/bin/python3
"""Realistic rankme results for the report's tests, written as rankme writes them: a sweep of 8 runs
(lr x wd, one optimiser name each) x 5 epochs, one file per run with a group per epoch:

    sweep/lr=<lr>_wd=<wd>.h5  /epoch_<e>/emb

The run lr=0.01, wd=0 diverges (status nonfinite, RankMe and LiDAR null) from epoch 30 on, one dataset could
not be read (status error), and every result carries params (lr, wd, opt, epoch) and a LiDAR. Each spectrum is a
power law whose exponent falls with training; RankMe and the other metrics are computed from it, so the
spectrum file agrees with the results.

    make_results.py DIR   writes DIR/results.jsonl, DIR/results.csv and DIR/spectra.h5
"""
import json
import math
import os
import sys

import numpy as np

METRICS = ("effective_rank", "stable_rank", "participation_ratio", "nesum", "alpha_req", "alpha_req_r2",
           "condition_number", "numerical_rank", "top_eigenvalue_share")
CSV_HEADER = ["file", "dataset", "rows", "cols", "dtype", "rankme", "status", "error", "seconds", "ranks", "solver",
              *METRICS, "file_size", "file_mtime_ns", "canonical_file", "pool", "parts"]
LEARNING_RATES = (1e-4, 1e-3, 3e-3, 1e-2)
WEIGHT_DECAYS = (0.0, 0.05)
EPOCHS = (10, 20, 30, 40, 50)
COLUMNS = 64
ROWS = 2048
DIVERGED = (1e-2, 0.0)  # (lr, wd) of the run that blows up
DIVERGES_AT = 30


def rankme_of(singular_values, eps=1e-7):
    p = singular_values / singular_values.sum() + eps
    return float(math.exp(-(p * np.log(p)).sum()))


def spectrum(lr, wd, epoch):
    """A power law s_k = k^-alpha: training flattens it, towards a floor that a learning rate near 1e-3 and
    weight decay lower."""
    quality = math.exp(-((math.log10(lr) + 3.2) ** 2) / 2.0) + 4.0 * wd
    alpha = 0.95 - 0.45 * quality + 1.2 * math.exp(-epoch / 15.0)
    return np.arange(1, COLUMNS + 1, dtype=float) ** -alpha


def sweep():
    """Every result as rankme's JSON object (with its spectrum under "singular_values", None when diverged)."""
    rows = []
    for lr in LEARNING_RATES:
        for wd in WEIGHT_DECAYS:
            opt = "sgd" if lr >= 1e-2 else "adamw"
            file = f"sweep/lr={lr:g}_wd={wd:g}.h5"
            for epoch in EPOCHS:
                diverged = (lr, wd) == DIVERGED and epoch >= DIVERGES_AT
                values = None if diverged else spectrum(lr, wd, epoch)
                lam = None if values is None else values ** 2
                row = {"file": file, "dataset": f"/epoch_{epoch}/emb", "rows": ROWS, "cols": COLUMNS,
                       "dtype": "float32", "error": "", "rows_used": ROWS,
                       "rankme": None if values is None else rankme_of(values),
                       "status": "nonfinite" if diverged else "ok", "seconds": 0.01 * epoch, "ranks": 2,
                       "solver": "syevd"}
                for name in METRICS:
                    row[name] = None
                if values is not None:
                    row["effective_rank"] = rankme_of(values, 0.0)
                    row["stable_rank"] = float(lam.sum() / lam[0])
                row["lidar"] = None if values is None else 0.6 * row["rankme"] + 2.0 * math.sin(epoch + 10 * lr)
                row["params"] = {"lr": lr, "wd": wd, "opt": opt, "epoch": epoch}
                row["singular_values"] = values
                rows.append(row)
    rows.append({"file": "sweep/broken.h5", "dataset": "/epoch_10/emb", "rows": 0, "cols": 0, "dtype": "",
                 "error": "cannot open the file: truncated", "rows_used": 0, "rankme": None, "status": "error",
                 "seconds": 0.0, "ranks": 2, "solver": "", **{name: None for name in METRICS}, "lidar": None,
                 "params": {"epoch": 10}, "singular_values": None})
    return rows


def json_line(row):
    return json.dumps({key: value for key, value in row.items() if key != "singular_values"}, allow_nan=False)


def csv_field(text):
    text = text.replace("\n", " ").replace("\r", " ")
    if "," not in text and '"' not in text:
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_number(value):
    return "" if value is None else repr(float(value))


def csv_text(rows):
    """The CSV as rankme writes it (sweep/result_lines.cpp), with lidar and param.<key> columns, the same set
    in every row, empty where a result has no such param."""
    keys = []
    for row in rows:
        for key in row["params"]:
            if key not in keys:
                keys.append(key)
    header = CSV_HEADER + ["lidar"] + [f"param.{key}" for key in keys]
    lines = [",".join(header)]
    for row in rows:
        cells = [csv_field(row["file"]), csv_field(row["dataset"]), str(row["rows"]), str(row["cols"]),
                 csv_field(row["dtype"]), csv_number(row["rankme"]), row["status"], csv_field(row["error"]),
                 f"{row['seconds']:.6f}", str(row["ranks"]), csv_field(row["solver"])]
        cells += [csv_number(row[name]) for name in METRICS]
        cells += ["1000", "0", csv_field(os.path.abspath(row["file"])), "", "", csv_number(row["lidar"])]
        for key in keys:
            value = row["params"].get(key)
            cells.append("" if value is None else repr(float(value)) if isinstance(value, float) else
                         csv_field(str(value)))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def spectrum_path(file, dataset):
    return "/" + file.replace("%", "%25").replace("/", "%2F") + dataset


def write_spectra(path, rows):
    """The spectrum file as rankme --spectrum writes it (app/spectrum_file.cpp): the diverged results' spectra
    hold NaN, as a nonfinite Gram gives."""
    import h5py

    with h5py.File(path, "w") as handle:
        for row in rows:
            if row["status"] == "error":
                continue
            values = row["singular_values"]
            if values is None:
                values = np.full(COLUMNS, np.nan)
            dataset = handle.create_dataset(spectrum_path(row["file"], row["dataset"]), data=np.asarray(values, float))
            dataset.attrs["rankme"] = np.nan if row["rankme"] is None else row["rankme"]
            dataset.attrs["rows"] = np.uint64(row["rows"])
            dataset.attrs["cols"] = np.uint64(row["cols"])
            dataset.attrs["status"] = row["status"]


def write_all(directory):
    rows = sweep()
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "results.jsonl"), "w", encoding="utf-8") as stream:
        stream.write("".join(json_line(row) + "\n" for row in rows))
    with open(os.path.join(directory, "results.csv"), "w", encoding="utf-8", newline="") as stream:
        stream.write(csv_text(rows))
    write_spectra(os.path.join(directory, "spectra.h5"), rows)
    return rows


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    write_all(sys.argv[1])
