#!/usr/bin/python3
"""Writes the tensor-file fixtures of tests/app/test_cli_tensor_formats.cpp, and their manifest.

Every file here is written by the tool a lab would use (numpy, torch.save, h5py with hdf5plugin) or, for
safetensors, which Debian does not package, by the small writer below that follows the format's spec.
The manifest (manifest.json) says, for every case, what to put on rankme's command line (the input and
the options) and what rankme must print: rows, cols, dtype, and the RankMe of float64 numpy SVD with the
paper's formula (p_k = s_k / sum(s) + 1e-7, exp(-sum p log p) over min(N, K) singular values) of the
matrix as rankme should see it: an N-D array (d0, d1, ..., dk) as d0 x (d1 * ... * dk) in C order,
pooled (--pool) or concatenated (--concat) where the case says so.

The values are small integers (-8..8; 0..16 for unsigned types), so every dtype holds them exactly,
float16 and bfloat16 included: the reference is then the SVD of exactly what is stored. Each file gets
its own seed, so no two cases share a spectrum and a mixed-up file cannot pass.

Run from anywhere: /usr/bin/python3 tests/data/formats/make_format_fixtures.py
It rewrites the folder's fixture files deterministically (same bytes each run, but for torch's and zip's
timestamps) and checks the folder stays under 1 MB.
"""
import collections
import json
import os
import shutil
import struct
import sys

import h5py
import hdf5plugin
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-7
SIZE_LIMIT = 1 << 20

cases = []
seed_counter = [1000]


def next_seed():
    seed_counter[0] += 1
    return seed_counter[0]


def integer_array(shape, unsigned=False):
    """Small integers from a generator seeded per file: exact in every dtype, full column rank."""
    rng = np.random.default_rng(next_seed())
    low, high = (0, 16) if unsigned else (-8, 8)
    return rng.integers(low, high + 1, size=shape).astype(np.float64)


def as_matrix(values):
    """An N-D array as rankme presents it: d0 x (d1 * ... * dk), logical C order."""
    values = np.asarray(values, dtype=np.float64)
    return values.reshape(values.shape[0], -1)


def rankme_of(matrix):
    s = np.linalg.svd(np.asarray(matrix, dtype=np.float64), compute_uv=False)
    p = s / s.sum() + EPS
    return float(np.exp(-(p * np.log(p)).sum()))


def expected(dataset, matrix, dtype):
    matrix = np.asarray(matrix, dtype=np.float64)
    return {"dataset": dataset, "rows": int(matrix.shape[0]), "cols": int(matrix.shape[1]), "dtype": dtype,
            "rankme": rankme_of(matrix)}


def add_case(name, inputs, expect, options=(), note=""):
    """inputs: one command-line input (FILE, FILE:DATASET, a directory) or a list of them, in order."""
    inputs = [inputs] if isinstance(inputs, str) else list(inputs)
    cases.append({"name": name, "inputs": inputs, "options": list(options), "expect": expect, "note": note})


def rel(path):
    return os.path.relpath(path, HERE)


def path_of(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def numpy_dtype_name(dtype):
    """rankme's name of a stored type (StoredType::name): numpy's name, 'be' appended for big-endian."""
    dtype = np.dtype(dtype)
    name = dtype.newbyteorder("=").name
    big = dtype.byteorder == ">" or (dtype.byteorder == "=" and sys.byteorder == "big")
    return name + ("be" if big and dtype.itemsize > 1 else "")


# ---------------------------------------------------------------------------------------------------
# .npy and .npz

INT_TYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_TYPES = ["float16", "float32", "float64"]


def write_npy_cases():
    for dtype in FLOAT_TYPES + INT_TYPES:
        for order in ("C", "F"):
            for endian in ("<", ">"):
                if np.dtype(dtype).itemsize == 1 and endian == ">":
                    continue  # one byte has no order
                values = integer_array((24, 7), unsigned=dtype.startswith("uint"))
                stored = np.asarray(values.astype(np.dtype(dtype).newbyteorder(endian)), order=order)
                suffix = {"<": "le", ">": "be"}[endian]
                path = path_of("npy", f"{dtype}_{order.lower()}_{suffix}.npy")
                np.save(path, stored)
                add_case(f"npy {dtype} {order} order {suffix}", rel(path),
                         [expected("/", values, numpy_dtype_name(stored.dtype))])
    # Format versions 2.0 and 3.0 (np.save picks 1.0 for small headers): the header length field widens.
    for version in ((1, 0), (2, 0), (3, 0)):
        values = integer_array((30, 9))
        path = path_of("npy", f"version{version[0]}.npy")
        with open(path, "wb") as out:
            np.lib.format.write_array(out, values.astype(np.float32), version=version)
        add_case(f"npy format version {version[0]}.0", rel(path), [expected("/", values, "float32")])
    # Fewer rows than columns: min(N, K) singular values.
    values = integer_array((6, 20))
    path = path_of("npy", "wide.npy")
    np.save(path, values)
    add_case("npy wider than tall", rel(path), [expected("/", values, "float64")])
    # Fortran order of a 3-D array (logical C order is what rankme presents) is covered in the pool cases.


def write_npz_cases():
    a, b, c = integer_array((20, 6)), integer_array((15, 4)), integer_array((18, 5))
    path = path_of("npz", "several.npz")
    np.savez(path, train=a.astype(np.float32), val=b.astype(np.float64), test=c.astype(np.int16))
    add_case("npz stored, scanned whole", rel(path),
             [expected("/train", a, "float32"), expected("/val", b, "float64"), expected("/test", c, "int16")])
    d, e = integer_array((22, 6)), integer_array((17, 8), unsigned=True)
    f = integer_array((19, 5))
    path = path_of("npz", "compressed.npz")
    np.savez_compressed(path, emb=d.astype(np.float32), ids=e.astype(np.uint16),
                        fortran=np.asfortranarray(f.astype(">f8")))
    add_case("npz deflated, one member", rel(path) + ":/emb", [expected("/emb", d, "float32")])
    add_case("npz deflated, uint16", rel(path) + ":/ids", [expected("/ids", e, "uint16")])
    add_case("npz deflated, Fortran order big-endian", rel(path) + ":/fortran", [expected("/fortran", f, "float64be")])
    # A larger deflated member, so that inflating spans more than one zlib window / read buffer.
    g = integer_array((600, 32))
    path = path_of("npz", "compressed_large.npz")
    np.savez_compressed(path, x=g.astype(np.float32))
    add_case("npz deflated, 600 x 32", rel(path), [expected("/x", g, "float32")])


# ---------------------------------------------------------------------------------------------------
# torch.save

TORCH_TYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
               "bfloat16": torch.bfloat16, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
               "int64": torch.int64, "uint8": torch.uint8}


def tensor_of(values, dtype_name):
    return torch.from_numpy(np.ascontiguousarray(values)).to(TORCH_TYPES[dtype_name])


def write_torch_cases():
    for dtype in TORCH_TYPES:
        values = integer_array((26, 6), unsigned=dtype == "uint8")
        path = path_of("torch", f"tensor_{dtype}.pt")
        torch.save(tensor_of(values, dtype), path)
        add_case(f"torch bare tensor {dtype}", rel(path), [expected("/", values, dtype)],
                 note="a file that is one tensor: dataset '/'")
    a, b = integer_array((21, 5)), integer_array((16, 7))
    path = path_of("torch", "dict.pth")
    torch.save({"train": tensor_of(a, "float32"), "labels_not_matrix": torch.arange(5), "val": tensor_of(b, "float64")},
               path)
    add_case("torch dict", rel(path) + ":/train", [expected("/train", a, "float32")])
    add_case("torch dict, second key", rel(path) + ":/val", [expected("/val", b, "float64")])
    c, d = integer_array((19, 6)), integer_array((23, 6))
    path = path_of("torch", "ordered.pt")
    torch.save(collections.OrderedDict([("first", tensor_of(c, "float16")), ("second", tensor_of(d, "bfloat16"))]), path)
    add_case("torch OrderedDict", rel(path),
             [expected("/first", c, "float16"), expected("/second", d, "bfloat16")])
    # {"feats": [t0, t1]}: t0 and t1 are views of one storage (torch.chunk), the second at a storage offset.
    whole = integer_array((40, 6))
    t0, t1 = torch.chunk(tensor_of(whole, "float32"), 2, dim=0)
    path = path_of("torch", "nested.pt")
    torch.save({"feats": [t0, t1], "epoch": 3}, path)
    add_case("torch nested list", rel(path),
             [expected("/feats/0", whole[:20], "float32"), expected("/feats/1", whole[20:], "float32")])
    # A transposed view saved as is (strides (1, 9) over a 9 x 31 storage), and a slice with storage offset.
    z = integer_array((9, 31))
    path = path_of("torch", "transposed.pt")
    torch.save({"zt": tensor_of(z, "float64").t()}, path)
    add_case("torch transposed view", rel(path) + ":/zt", [expected("/zt", z.T, "float64")])
    w = integer_array((30, 8))
    sliced = tensor_of(w, "float32")[7:25]
    assert sliced.storage_offset() == 7 * 8
    path = path_of("torch", "slice.pt")
    torch.save({"part": sliced}, path)
    add_case("torch slice with storage offset", rel(path) + ":/part", [expected("/part", w[7:25], "float32")])
    # A column slice: rows not contiguous (stride 10, 6 columns), storage offset 2.
    v = integer_array((25, 10))
    path = path_of("torch", "column_slice.pt")
    torch.save({"cols": tensor_of(v, "float32")[:, 2:8]}, path)
    add_case("torch column slice (row stride > cols)", rel(path) + ":/cols", [expected("/cols", v[:, 2:8], "float32")])
    # A tuple of tensors.
    p, q = integer_array((14, 5)), integer_array((12, 5))
    path = path_of("torch", "tuple.pt")
    torch.save((tensor_of(p, "int64"), tensor_of(q, "int32")), path)
    add_case("torch tuple", rel(path), [expected("/0", p, "int64"), expected("/1", q, "int32")])


# ---------------------------------------------------------------------------------------------------
# safetensors, by its spec (https://github.com/huggingface/safetensors#format): an 8-byte little-endian
# header length, a JSON header {name: {dtype, shape, data_offsets: [begin, end]}} padded with spaces to a
# multiple of 8, then the little-endian data, offsets relative to its start.

SAFETENSORS_TYPES = {"F64": ("<f8", "float64"), "F32": ("<f4", "float32"), "F16": ("<f2", "float16"),
                     "BF16": (None, "bfloat16"), "I8": ("i1", "int8"), "I16": ("<i2", "int16"),
                     "I32": ("<i4", "int32"), "I64": ("<i8", "int64"), "U8": ("u1", "uint8"),
                     "U16": ("<u2", "uint16"), "U32": ("<u4", "uint32"), "U64": ("<u8", "uint64")}


def bfloat16_bytes(values):
    bits = np.ascontiguousarray(values, dtype="<f4").view("<u4")
    assert np.all(bits & 0xFFFF == 0), "not exactly a bfloat16"
    return (bits >> 16).astype("<u2").tobytes()


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, safetensors dtype, float64 array)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, values in tensors:
        numpy_type = SAFETENSORS_TYPES[dtype][0]
        blob = bfloat16_bytes(values) if dtype == "BF16" else np.ascontiguousarray(values.astype(numpy_type)).tobytes()
        header[name] = {"dtype": dtype, "shape": list(values.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)


def write_safetensors_cases():
    tensors = []
    for dtype, (_, name) in SAFETENSORS_TYPES.items():
        tensors.append((f"layer.{dtype.lower()}", dtype, integer_array((18, 6), unsigned=dtype.startswith("U"))))
    path = path_of("safetensors", "every_dtype.safetensors")
    write_safetensors(path, tensors, metadata={"format": "pt"})
    add_case("safetensors every dtype, scanned whole", rel(path),
             [expected("/" + name, values, SAFETENSORS_TYPES[dtype][1]) for name, dtype, values in tensors])
    hidden = integer_array((33, 16))
    path = path_of("safetensors", "hidden_states.safetensors")
    write_safetensors(path, [("hidden_states", "BF16", hidden)])
    add_case("safetensors one bfloat16 tensor by name", rel(path) + ":/hidden_states",
             [expected("/hidden_states", hidden, "bfloat16")])


# ---------------------------------------------------------------------------------------------------
# HDF5 with filters: lzf and gzip (h5py's own), and blosc, bzip2 and lz4 through hdf5plugin.

HDF5_FILTERS = {
    "lzf": dict(compression="lzf"),
    "gzip": dict(compression="gzip", compression_opts=6, shuffle=True),
    "blosc": dict(hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)),
    "bzip2": dict(hdf5plugin.BZip2(blocksize=9)),
    "lz4": dict(hdf5plugin.LZ4()),
}


def write_hdf5_cases():
    for filter_name, options in HDF5_FILTERS.items():
        values = integer_array((50, 12))
        path = path_of("hdf5", f"{filter_name}.h5")
        with h5py.File(path, "w") as out:
            out.create_dataset("emb", data=values.astype(np.float32), chunks=(16, 12), **options)
        add_case(f"hdf5 {filter_name}", rel(path) + ":/emb", [expected("/emb", values, "float32")])
    # bfloat16 as an HDF5 float type (sign 15, exponent 7..14 with bias 127, mantissa 0..6).
    values = integer_array((28, 8))
    path = path_of("hdf5", "bfloat16.hdf5")
    bf16 = h5py.h5t.IEEE_F32LE.copy()
    bf16.set_fields(15, 7, 8, 0, 7)
    bf16.set_offset(0)
    bf16.set_precision(16)
    bf16.set_size(2)
    bf16.set_ebias(127)
    raw = np.frombuffer(bfloat16_bytes(values), dtype="<u2").reshape(values.shape)
    with h5py.File(path, "w") as out:
        space = h5py.h5s.create_simple(values.shape)
        dataset = h5py.h5d.create(out.id, b"bf16", bf16, space)
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, raw, mtype=bf16)
    with h5py.File(path, "r") as check:  # h5py converts it to float32 on read: the values must be back
        assert np.array_equal(check["bf16"][...].astype(np.float64), values)
    add_case("hdf5 bfloat16 (8-bit exponent float type)", rel(path) + ":/bf16",
             [expected("/bf16", values, "bfloat16")])


# ---------------------------------------------------------------------------------------------------
# 3-D and 4-D arrays (samples x tokens x features) for --pool.

POOLINGS = {
    "mean": lambda x: x.reshape(x.shape[0], -1, x.shape[-1]).mean(axis=1),
    "first": lambda x: x.reshape(x.shape[0], -1, x.shape[-1])[:, 0, :],
    "last": lambda x: x.reshape(x.shape[0], -1, x.shape[-1])[:, -1, :],
    "flatten": lambda x: x.reshape(-1, x.shape[-1]),
}


def pool_cases(label, input_, dataset, values, dtype, kinds=tuple(POOLINGS)):
    for kind in kinds:
        add_case(f"{label} --pool {kind}", input_, [expected(dataset, POOLINGS[kind](values), dtype)],
                 options=["--pool", kind])


def write_token_cases():
    tokens = integer_array((20, 5, 8))
    path = path_of("tokens", "tokens_f32.npy")
    np.save(path, tokens.astype(np.float32))
    pool_cases("npy 20x5x8", rel(path), "/", tokens, "float32")
    tokens = integer_array((18, 4, 6))
    path = path_of("tokens", "tokens_fortran_f64.npy")
    np.save(path, np.asfortranarray(tokens))
    pool_cases("npy Fortran order 18x4x6", rel(path), "/", tokens, "float64")
    tokens = integer_array((16, 6, 7))
    path = path_of("tokens", "tokens.pt")
    torch.save({"hidden": tensor_of(tokens, "bfloat16")}, path)
    pool_cases("torch bfloat16 16x6x7", rel(path) + ":/hidden", "/hidden", tokens, "bfloat16")
    tokens = integer_array((22, 3, 9))
    path = path_of("tokens", "tokens.h5")
    with h5py.File(path, "w") as out:
        out.create_dataset("tok", data=tokens.astype(np.float32), chunks=(7, 3, 9), compression="gzip")
    pool_cases("hdf5 gzip 22x3x9", rel(path) + ":/tok", "/tok", tokens, "float32")
    tokens = integer_array((15, 4, 5))
    path = path_of("tokens", "tokens.safetensors")
    write_safetensors(path, [("tok", "F16", tokens)])
    pool_cases("safetensors float16 15x4x5", rel(path) + ":/tok", "/tok", tokens, "float16", kinds=("mean", "last"))
    # samples x views x tokens x features: mean over both middle axes.
    views = integer_array((12, 2, 3, 5))
    path = path_of("tokens", "views_4d.npy")
    np.save(path, views.astype(np.float64))
    pool_cases("npy 4-D 12x2x3x5", rel(path), "/", views, "float64", kinds=("mean", "first", "last"))


# ---------------------------------------------------------------------------------------------------
# DDP shards emb_rank0.npy .. emb_rank10.npy for --concat. RankMe does not depend on the order of the
# rows, so the order is checked with --rows: the first R rows of the natural order (rank0, rank1, rank2,
# ..., rank10) are not the first R of the lexicographic order (rank0, rank1, rank10, rank2, ...).

def write_shard_cases():
    shard_dir = path_of("shards", "x")
    os.makedirs(os.path.dirname(shard_dir), exist_ok=True)
    shards = []
    for rank in range(11):
        values = integer_array((7 + rank % 4, 6))   # taller than wide: no "RankMe capped by the rows" warning
        path = path_of("shards", f"emb_rank{rank}.npy")
        np.save(path, values.astype(np.float32))
        shards.append((path, values))
    whole = np.vstack([values for _, values in shards])
    directory = rel(os.path.join(HERE, "shards"))
    add_case("concat a directory of 11 shards", directory, [expected(None, whole, "float32")], options=["--concat"],
             note="one matrix: every shard's rows, in natural order")
    first_rows = sum(len(v) for _, v in shards[:3]) + 2  # rank0, rank1, rank2 and two rows of rank3
    add_case("concat a directory: natural order (rank2 before rank10), checked with --rows", directory,
             [expected(None, whole[:first_rows], "float32")], options=["--concat", "--rows", str(first_rows)])
    given = [shards[i] for i in (10, 0, 5)]
    rows = len(given[0][1]) + 1
    add_case("concat files in the order given (rank10, rank0, rank5), with --rows",
             [rel(p) for p, _ in given], [expected(None, np.vstack([v for _, v in given])[:rows], "float32")],
             options=["--concat", "--rows", str(rows)])


# ---------------------------------------------------------------------------------------------------
# A file whose extension lies: an .npy named .h5. The format comes from the magic bytes.

def write_lying_extension_case():
    values = integer_array((27, 5))
    path = path_of("misnamed", "really_npy.h5")
    with open(path, "wb") as out:
        np.save(out, values.astype(np.float64))
    add_case("an .npy named .h5 (format from the magic bytes)", rel(path), [expected("/", values, "float64")])
    values = integer_array((13, 4))
    path = path_of("misnamed", "really_safetensors.npy")
    write_safetensors(path, [("x", "F32", values)])
    add_case("a safetensors file named .npy", rel(path) + ":/x", [expected("/x", values, "float32")])


def main():
    for folder in ("npy", "npz", "torch", "safetensors", "hdf5", "tokens", "shards", "misnamed"):
        shutil.rmtree(os.path.join(HERE, folder), ignore_errors=True)
    write_npy_cases()
    write_npz_cases()
    write_torch_cases()
    write_safetensors_cases()
    write_hdf5_cases()
    write_token_cases()
    write_shard_cases()
    write_lying_extension_case()
    names = [case["name"] for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    manifest = {
        "about": "Cases of tests/app/test_cli_tensor_formats.cpp, written by make_format_fixtures.py. Paths are "
                 "relative to this folder. 'expect' lists the JSONL rows rankme must print for the input: "
                 "dataset (null: not checked, as for --concat), rows, cols, dtype (StoredType::name) and "
                 "RankMe of float64 numpy SVD, p_k = s_k / sum(s) + 1e-7.",
        "eps": EPS,
        "cases": cases,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as out:
        json.dump(manifest, out, indent=1)
        out.write("\n")
    total = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(HERE) for f in files)
    print(f"{len(cases)} cases, {total} bytes in {HERE}")
    assert total < SIZE_LIMIT, "the fixtures must stay under 1 MB"


if __name__ == "__main__":
    main()
