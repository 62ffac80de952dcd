#!/usr/bin/python3
"""Writes the fuzzer's seed corpus (tests/fuzz/corpus/): small, valid HDF5 files that between them hold
every stored type, layout and structure rankme's reader knows, so that the mutations start from each
code path of discovery and reading rather than from random bytes.

    scripts/make_fuzz_corpus.py [DIRECTORY]     (default: tests/fuzz/corpus beside this script)

The data is fixed (no randomness beyond a seeded generator), so running it again rewrites the same
content; HDF5 itself stamps no times into these files (h5py turns object time tracking off).
Each file is kept to a few KB: small seeds make fast executions and let the mutations hit the metadata.
"""
import os
import sys

import h5py
import numpy as np

rng = np.random.default_rng(20261201)


def matrix(rows, cols, dtype):
    return (rng.standard_normal((rows, cols)) * 10).astype(dtype)


def compact_dataset(parent, name, data):
    """h5py has no high-level switch for the compact layout (data stored in the object header)."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dcpl.set_obj_track_times(False)  # as h5py's high level does: no time stamps, reproducible bytes
    space = h5py.h5s.create_simple(data.shape)
    dataset = h5py.h5d.create(parent.id, name.encode(), h5py.h5t.py_create(data.dtype), space, dcpl=dcpl)
    dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data))


def write_corpus(directory):
    os.makedirs(directory, exist_ok=True)
    path = lambda name: os.path.join(directory, name)

    with h5py.File(path("float32_contiguous.h5"), "w") as f:
        f.create_dataset("embeddings", data=matrix(16, 4, np.float32))

    with h5py.File(path("float64_chunked_gzip_shuffle.h5"), "w") as f:
        f.create_dataset("embeddings", data=matrix(20, 3, np.float64), chunks=(4, 3), compression="gzip",
                         shuffle=True)

    with h5py.File(path("float16_compact.h5"), "w") as f:
        compact_dataset(f, "embeddings", matrix(6, 4, np.float16))

    with h5py.File(path("big_endian_column_chunks_fletcher32.h5"), "w") as f:
        f.create_dataset("float64be", data=matrix(8, 4, ">f8"), chunks=(8, 1), fletcher32=True)
        f.create_dataset("float32be", data=matrix(8, 4, ">f4"))

    with h5py.File(path("integers.h5"), "w") as f:
        f.create_dataset("int8", data=rng.integers(-128, 127, (8, 3), dtype=np.int8))
        f.create_dataset("uint16", data=rng.integers(0, 65535, (8, 3), dtype=np.uint16), chunks=(3, 3))
        f.create_dataset("int32be", data=rng.integers(-2**31, 2**31 - 1, (8, 3)).astype(">i4"))
        f.create_dataset("uint64", data=rng.integers(0, 2**63, (8, 3), dtype=np.uint64), compression="gzip")

    # Datasets a whole-file scan skips (labels, strings, 3-D, scalar, bool enum) beside one it scores.
    with h5py.File(path("skipped_kinds.h5"), "w") as f:
        f.create_dataset("embeddings", data=matrix(5, 2, np.float32))
        f.create_dataset("labels", data=np.arange(5, dtype=np.int64))
        f.create_dataset("names", data=np.array([b"a", b"bc"], dtype="S2"))
        f.create_dataset("cube", data=np.zeros((2, 2, 2), dtype=np.float32))
        f.create_dataset("scalar", data=np.float64(1.5))
        f.create_dataset("mask", data=np.ones((3, 2), dtype=bool))
        f.create_dataset("empty", shape=(0, 4), dtype=np.float32)
        f.create_dataset("null", data=h5py.Empty("f4"))

    # Groups several levels deep, a hard link to a group (reached under two names), a soft link, a
    # dangling soft link and an external link to a missing file: discovery follows hard links only.
    with h5py.File(path("group_tree_links.h5"), "w") as f:
        for lr in ("0.1", "0.01"):
            f.create_dataset(f"runs/lr={lr}/epoch 1/embeddings", data=matrix(4, 3, np.float32))
        f["final"] = f["runs/lr=0.1"]
        f["soft"] = h5py.SoftLink("/runs/lr=0.01/epoch 1/embeddings")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["external"] = h5py.ExternalLink("missing.h5", "/embeddings")

    # Never fully written: a chunked dataset with one of its four chunks, and one with no storage at all.
    with h5py.File(path("incomplete_chunks.h5"), "w") as f:
        partial = f.create_dataset("partial", shape=(16, 4), dtype=np.float32, chunks=(4, 4))
        partial[0:4] = matrix(4, 4, np.float32)
        f.create_dataset("unallocated", shape=(8, 4), dtype=np.float64)

    # The newest file format (version 2 object headers, a version 3 superblock) and a group past the
    # compact-links limit (dense link storage: fractal heap and v2 B-tree), with creation order tracked.
    # The root group's header is made by the file creation: its times are switched off there.
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    with h5py.File(h5py.h5f.create(path("latest_format_dense_group.h5").encode(), h5py.h5f.ACC_TRUNC,
                                   fcpl=fcpl, fapl=fapl)) as f:
        gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
        gcpl.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
        gcpl.set_obj_track_times(False)  # create_group would stamp the time: not reproducible
        group = h5py.Group(h5py.h5g.create(f.id, b"sweep", gcpl=gcpl))
        for run in range(10):
            group.create_dataset(f"run{run}", data=matrix(3, 2, np.float32))

    # A diverged run: a NaN among finite values (scored as `nonfinite`), and all zeros (RankMe 0).
    with h5py.File(path("nonfinite_and_zero.h5"), "w") as f:
        diverged = matrix(6, 3, np.float32)
        diverged[2, 1] = np.nan
        f.create_dataset("diverged", data=diverged)
        f.create_dataset("zeros", data=np.zeros((6, 3), dtype=np.float64), chunks=(2, 3), compression="gzip")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    write_corpus(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests", "fuzz", "corpus"))
