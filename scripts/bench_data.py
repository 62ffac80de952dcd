#!/usr/bin/python3
"""The benchmark's synthetic embedding matrices (scripts/bench): generated once, cached, reused.

Each file holds one float32 dataset /embeddings of N x K rows, contiguous, or gzip-chunked. Row i is

    z_i = r_i * (g_i + mu) * diag(c),   g_i ~ N(0, I_K),  r_i ~ lognormal(0, 0.3),
    c_k = (k + 1)^-0.5,  mu = 0.2

so the rows have unequal norms (as real embeddings do), the raw (uncentred) matrix has one strong mean
direction, and the column scales decay as a mild power law: RankMe is well below K, not K. The values
depend only on (N, K) and DATA_VERSION (numpy's PCG64, seeded per block of rows), so the gzip file of
a shape holds the same numbers as the contiguous one, and a file is regenerated only when its shape,
layout or version differ.
"""
import io
import json
import os
import struct

import h5py
import numpy as np

DATA_VERSION = 1
DATASET = "/embeddings"
SEED = 20230401
GENERATION_ROWS = 32768   # rows generated (and written) at a time: 32768 x 8192 float32 = 1 GiB at most
ROW_SCALE_SIGMA = 0.3
MEAN_OFFSET = 0.2
DECAY_POWER = 0.5


def file_name(rows, cols, gzip_level=None):
    suffix = f"_gzip{gzip_level}" if gzip_level else ""
    return f"embeddings_{rows}x{cols}{suffix}.h5"


def chunk_shape(rows, cols):
    """Chunks of 256 rows (fewer when the matrix is smaller), whole rows: (256, K)."""
    return (min(256, rows), cols)


def is_current(path, rows, cols, gzip_level):
    """Whether `path` already holds this shape, in this layout, from this generator version."""
    try:
        with h5py.File(path, "r") as f:
            d = f[DATASET]
            if d.shape != (rows, cols) or d.dtype != np.float32:
                return False
            if f.attrs.get("rankme_bench_data_version") != DATA_VERSION:
                return False
            if gzip_level:
                return d.compression == "gzip" and d.compression_opts == gzip_level and \
                    d.chunks == chunk_shape(rows, cols)
            return d.chunks is None and d.compression is None
    except (OSError, KeyError):
        return False


def block(rows, cols, first, count):
    """Rows [first, first + count) of the N x K matrix (first is a multiple of GENERATION_ROWS)."""
    rng = np.random.default_rng([SEED, DATA_VERSION, rows, cols, first // GENERATION_ROWS])
    scales = (np.arange(1, cols + 1, dtype=np.float64) ** -DECAY_POWER).astype(np.float32)
    g = rng.standard_normal((count, cols), dtype=np.float32)
    g += np.float32(MEAN_OFFSET)
    g *= scales
    g *= rng.lognormal(0.0, ROW_SCALE_SIGMA, size=(count, 1)).astype(np.float32)
    return g


def ensure(directory, rows, cols, gzip_level=None, log=print):
    """The path of the cached file for this shape, generating it first when missing or stale."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, file_name(rows, cols, gzip_level))
    if is_current(path, rows, cols, gzip_level):
        return path, False
    log(f"generating {path} ({rows} x {cols} float32{', gzip ' + str(gzip_level) if gzip_level else ''}, "
        f"{rows * cols * 4 / 1e9:.2f} GB uncompressed)")
    partial = path + ".partial"
    with h5py.File(partial, "w") as f:
        options = {}
        if gzip_level:
            options = dict(chunks=chunk_shape(rows, cols), compression="gzip", compression_opts=gzip_level)
        d = f.create_dataset(DATASET, shape=(rows, cols), dtype=np.float32, **options)
        for first in range(0, rows, GENERATION_ROWS):
            count = min(GENERATION_ROWS, rows - first)
            d[first:first + count] = block(rows, cols, first, count)
        f.attrs["rankme_bench_data_version"] = DATA_VERSION
        f.attrs["generator"] = "scripts/bench_data.py: r_i * (g_i + 0.2) * (k+1)^-0.5, r_i ~ lognormal(0, 0.3)"
    os.replace(partial, path)   # a run interrupted while writing leaves no file that looks complete
    return path, True


# ---------------------------------------------------------------------------------------------------
# The same matrix as .npy and safetensors, for the format rows (scripts/bench compares their times with
# the HDF5 contiguous file's): written block by block from block(), so they hold exactly the values of
# the HDF5 file of that shape.

SAFETENSORS_NAME = "embeddings"   # the tensor's name: rankme's dataset /embeddings, as in the HDF5 file


def tensor_copy_name(rows, cols, kind):
    return f"embeddings_{rows}x{cols}.{kind}"


def safetensors_header(rows, cols):
    """The 8-byte length and the JSON header (padded with spaces to a multiple of 8) of one F32 tensor."""
    header = {SAFETENSORS_NAME: {"dtype": "F32", "shape": [rows, cols], "data_offsets": [0, rows * cols * 4]},
              "__metadata__": {"generator": "scripts/bench_data.py", "data_version": str(DATA_VERSION)}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text


def npy_header(rows, cols):
    header = {"descr": "<f4", "fortran_order": False, "shape": (rows, cols)}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)   # what np.save writes for a shape like this
    return buffer.getvalue()


def ensure_tensor_copy(directory, rows, cols, kind, hdf5_path, log=print):
    """The path of the .npy ('npy') or safetensors ('safetensors') copy of the HDF5 file of this shape,
    written when missing, of the wrong size, or older than the HDF5 file (regenerated since)."""
    path = os.path.join(directory, tensor_copy_name(rows, cols, kind))
    header = npy_header(rows, cols) if kind == "npy" else safetensors_header(rows, cols)
    expected_size = len(header) + rows * cols * 4
    try:
        if os.path.getsize(path) == expected_size and os.path.getmtime(path) >= os.path.getmtime(hdf5_path):
            return path, False
    except OSError:
        pass
    log(f"writing {path} (the values of {os.path.basename(hdf5_path)})")
    partial = path + ".partial"
    with open(partial, "wb") as out:
        out.write(header)
        for first in range(0, rows, GENERATION_ROWS):
            count = min(GENERATION_ROWS, rows - first)
            out.write(np.ascontiguousarray(block(rows, cols, first, count), dtype="<f4").tobytes())
    os.replace(partial, path)
    return path, True
