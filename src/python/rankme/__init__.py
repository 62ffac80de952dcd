"""rankme in Python: score an array you hold, read the results files rankme writes (docs/python.md).

    import numpy as np, rankme
    z = np.load("embeddings.npy")          # rows x columns, any dtype rankme reads
    r = rankme.score(z)                    # a dict with the keys of `rankme --format jsonl`
    print(r["rankme"], r["status"])
    df = rankme.read_results("results.jsonl")   # pandas DataFrame (a list of dicts without pandas)

score() runs rankme's own C++ pipeline in this process (the extension rankme._rankme), on the array's
memory: no file, no subprocess, no MPI launcher.
"""

import atexit
import csv
import json
import os

from . import _rankme

__all__ = ["score", "read_results", "metric_names"]

# MPI, when score() started it, ends with the interpreter.
atexit.register(_rankme.finalize)


def metric_names():
    """Every metric `metrics=` knows (as --metrics), rankme first."""
    return list(_rankme.metric_names())


def _as_array(array):
    """The array as numpy sees it, and the descr rankme reads it by. No copy: np.asarray of an ndarray, of
    a CPU torch tensor (through its .numpy()) or of any object with the buffer protocol shares its memory.
    torch.bfloat16, which numpy has no dtype for, is read through its bits (a uint16 view)."""
    import numpy as np

    module = type(array).__module__ or ""
    if module.startswith("torch"):
        import torch

        if array.device.type != "cpu":
            raise ValueError("rankme.score: the tensor is on " + str(array.device) +
                             "; move it to the CPU first (t.cpu())")
        array = array.detach()
        if array.dtype == torch.bfloat16:
            return array.view(torch.int16).numpy(), "bfloat16"
        return array.numpy(), None
    if isinstance(array, np.ndarray):
        values = array
    else:
        try:
            values = np.asarray(memoryview(array)) if not hasattr(array, "__array__") else np.asarray(array)
        except TypeError as error:
            raise TypeError("rankme.score takes a numpy array, a CPU torch tensor or an object with the buffer "
                            "protocol, not " + type(array).__name__) from error
    if values.dtype.name == "bfloat16":  # ml_dtypes' bfloat16 (JAX): numpy calls it void
        return values.view(np.uint16), "bfloat16"
    return values, None


def score(array, center=False, method="auto", precision="auto", metrics="all", eps=_rankme.DEFAULT_EPS, *,
          tolerance=_rankme.DEFAULT_TOLERANCE,
          solver="auto", threads=None, rows=None, sample=None, seed=0, spectrum=False, name="<array>"):
    """RankMe and the other metrics of `array` (rows x columns), as `rankme --format jsonl` reports them.

    array      a 2-D numpy array, CPU torch tensor or buffer, C-contiguous: float16/32/64, bfloat16 (torch,
               ml_dtypes) or 8- to 64-bit integers, as rankme reads them from .npy files.
    center     --center: subtract the column means first.
    method     --method: "auto", "gram" or "tsqr".
    precision  --precision: "auto", "mixed" or "double".
    metrics    --metrics: "all" or comma-separated names (metric_names()).
    eps        --eps: RankMe's epsilon (1e-7, as the command line).
    tolerance  --tolerance (1e-6); solver --solver; threads --threads (else OPENBLAS_NUM_THREADS, ... as the CLI);
    rows       --rows N; sample --sample N with seed --seed.
    spectrum   also return the singular values (key "singular_values"), as --spectrum writes them.
    name       the result's "file".

    Returns a dict with the keys of the JSON line: rankme, status ("ok", "nonfinite", "error"), error,
    the metrics, method, precision, solver, blas, ... A NaN or infinity in the data gives status
    "nonfinite", not an exception. Raises ValueError or TypeError for what rankme would not score as a
    matrix (1-D, 3-D, empty, not numeric, not C-contiguous) and for a keyword value it does not know.
    """
    values, descr = _as_array(array)
    if descr is None:
        descr = values.dtype.str
    return _rankme.score_array(values, descr, list(values.shape), bool(center), str(method), str(precision), str(metrics), float(eps),
                               float(tolerance), str(solver), threads, rows, sample, int(seed), bool(spectrum),
                               str(name))


def _csv_value(text):
    """A CSV cell as rankme wrote it: empty is None, a whole number an int, a number a float, else text."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    if text in ("true", "false"):
        return text == "true"
    return text


def read_results(path):
    """A results file written by `rankme --output` (.jsonl or .csv): a pandas DataFrame when pandas is
    installed, else a list of dicts (one per dataset, in the file's order)."""
    extension = os.path.splitext(str(path))[1].lower()
    if extension not in (".jsonl", ".csv"):
        raise ValueError("rankme.read_results: '" + str(path) + "' is neither .jsonl nor .csv (rankme --output "
                         "writes one of these)")
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None:
        if extension == ".jsonl":
            return pandas.read_json(path, lines=True)
        return pandas.read_csv(path)
    with open(path, newline="", encoding="utf-8") as file:
        if extension == ".jsonl":
            return [json.loads(line) for line in file if line.strip()]
        return [{key: _csv_value(value) for key, value in row.items()} for row in csv.DictReader(file)]
