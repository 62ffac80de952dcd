#!/usr/bin/python3
"""Writes the hostile tensor files of tests/app/test_cli_hostile_tensor_files.cpp, and their manifest.

Each file is small and wrong in one way a reader must survive: truncated data or headers, headers that
lie about shapes, offsets or lengths, declared sizes far beyond the file (refused before allocating),
a zip member declared huge whose deflate stream is tiny, zip names with "..", pickles that would run
os.system or builtins.eval if unpickled by Python, and torch's legacy (pre-1.6, non-zip) format.
rankme must answer each with one clear error line naming the file, exit 1, and no crash, hang or huge
allocation, and still score a good file given in the same command.

manifest.json: for every file, "mentions": words the error must contain (case-insensitive), beside the
file's name. The pickles would create MARKER if executed; the test checks it never appears.

Run: /usr/bin/python3 tests/data/hostile/make_hostile_fixtures.py
"""
import io
import json
import os
import pickle
import shutil
import struct
import zipfile
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "/tmp/rankme-hostile-pickle-was-executed"
cases = []


def add(name, data, mentions=(), note=""):
    path = os.path.join(HERE, "files", name)
    with open(path, "wb") as out:
        out.write(data)
    cases.append({"file": "files/" + name, "mentions": list(mentions), "note": note})


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npy_with_header(header_text, payload=b"", version=1):
    """An .npy whose header says `header_text` (padded so the data starts 64-byte aligned)."""
    prefix_len = 10 if version == 1 else 12
    text = header_text.encode("latin1")
    pad = -(prefix_len + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    length = struct.pack("<H", len(text)) if version == 1 else struct.pack("<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text + payload


def safetensors_bytes(header, payload, header_length=None):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    text += b" " * (-len(text) % 8)
    length = len(text) if header_length is None else header_length
    return struct.pack("<Q", length) + text + payload


def zip_bytes(members):
    """members: (name, data, compress). Written with zipfile, which accepts any name, '..' included."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compress in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(info, data)
    return buffer.getvalue()


def zip_bomb_npz():
    """One deflated member 'x.npy' whose local and central headers declare ~4 GB inflated (an .npy of
    488,281 x 1,024 float64, consistent with its own header), while its deflate stream holds the header
    and 8 KiB of zeros. A reader that trusts the declared size allocates 4 GB; one that streams must
    stop at the stream's early end with an error, not spin."""
    header = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (488281, 1024), }")
    actual = header + bytes(8192)
    declared = len(header) + 488281 * 1024 * 8
    assert declared < 2**32
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = compressor.compress(actual) + compressor.flush()
    crc = zlib.crc32(actual)
    name = b"x.npy"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(compressed), declared, len(name), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(compressed), declared,
                          len(name), 0, 0, 0, 0, 0, 0)
    body = local + name + compressed
    directory = central + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


class RunsOsSystem:
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


class RunsEval:
    def __reduce__(self):
        return (eval, ("open('" + MARKER + "', 'w').close()",))


def torch_zip_with_pickle(pickled, storages=()):
    """A zip laid out as torch.save writes it (archive/data.pkl, archive/version, archive/data/<key>)."""
    members = [("archive/data.pkl", pickled, False), ("archive/version", b"3\n", False)]
    members += [(f"archive/data/{key}", data, False) for key, data in storages]
    return zip_bytes(members)


def torch_bytes(obj, **options):
    buffer = io.BytesIO()
    torch.save(obj, buffer, **options)
    return buffer.getvalue()


def main():
    shutil.rmtree(os.path.join(HERE, "files"), ignore_errors=True)
    os.makedirs(os.path.join(HERE, "files"))
    good = np.arange(50 * 8, dtype=np.float64).reshape(50, 8) % 7 - 3
    good_npy = npy_bytes(good)
    header_end = good_npy.index(b"\n") + 1

    # .npy
    add("truncated_data.npy", good_npy[: header_end + 100], [], "50 x 8 float64 declared, 100 data bytes")
    add("truncated_header.npy", good_npy[:20], [], "cut inside the header")
    add("shape_lies.npy", npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (100, 8), }", good.tobytes()),
        [], "declares 100 rows, holds 50")
    add("huge_shape.npy", npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1024), }",
                                          good.tobytes()), [], "8 PB declared")
    add("overflowing_shape.npy", npy_with_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }", good.tobytes()),
        [], "rows x cols x 8 overflows 64 bits")
    add("negative_shape.npy", npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (-50, 8), }", good.tobytes()))
    add("header_length_huge.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{'descr'",
        [], "a v2 header of 4 GiB declared in a 20-byte file")
    add("header_with_code.npy", npy_with_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (50, 8), '__import__(\"os\").system(\"touch " + MARKER + "\")': 1}",
        good.tobytes()), [], "a header key that is Python code: it must be parsed, never evaluated")
    add("object_dtype.npy", npy_bytes(np.array([[{"a": 1}, None]] * 3, dtype=object)), [],
        "dtype |O (pickled objects): not a numeric array")
    add("bad_version.npy", b"\x93NUMPY\x09\x00" + good_npy[8:], ["version"])
    # .npz
    add("bomb.npz", zip_bomb_npz(), [], "a 4 GB member declared, 8 KiB in its deflate stream")
    add("dotdot.npz", zip_bytes([("../evil.npy", good_npy, False)]), [".."], "a member named ../evil.npy")
    add("truncated.npz", zip_bytes([("x.npy", good_npy, True), ("y.npy", good_npy, True)])[:400], [],
        "cut before the central directory")
    stored = bytearray(zip_bytes([("x.npy", good_npy, False)]))
    central = stored.rindex(b"PK\x01\x02")
    struct.pack_into("<I", stored, central + 20, 0x7FFFFFF0)  # compressed size far beyond the file
    struct.pack_into("<I", stored, central + 24, 0x7FFFFFF0)
    add("member_beyond_file.npz", bytes(stored), [], "a stored member whose declared size runs past the file")
    # safetensors
    data = good.astype("<f4").tobytes()
    entry = {"x": {"dtype": "F32", "shape": [50, 8], "data_offsets": [0, len(data)]}}
    add("truncated.safetensors", safetensors_bytes(entry, data[:300]), [], "1600 data bytes declared, 300 present")
    add("header_length_huge.safetensors", safetensors_bytes(entry, data, header_length=2**62), [],
        "an 8-byte header length of 2^62")
    add("header_length_past_file.safetensors", safetensors_bytes(entry, data, header_length=10_000_000))
    add("offsets_outside.safetensors", safetensors_bytes(
        {"x": {"dtype": "F32", "shape": [50, 8], "data_offsets": [1 << 40, (1 << 40) + len(data)]}}, data))
    add("offsets_reversed.safetensors", safetensors_bytes(
        {"x": {"dtype": "F32", "shape": [50, 8], "data_offsets": [len(data), 0]}}, data))
    add("overlap.safetensors", safetensors_bytes(
        {"x": {"dtype": "F32", "shape": [50, 8], "data_offsets": [0, len(data)]},
         "y": {"dtype": "F32", "shape": [25, 8], "data_offsets": [800, 1600]}}, data), ["overlap"])
    add("shape_mismatch.safetensors", safetensors_bytes(
        {"x": {"dtype": "F32", "shape": [60, 8], "data_offsets": [0, len(data)]}}, data), [],
        "shape 60 x 8 float32 is 1920 bytes, offsets span 1600")
    add("huge_shape.safetensors", safetensors_bytes(
        {"x": {"dtype": "F32", "shape": [1 << 40, 1 << 30], "data_offsets": [0, len(data)]}}, data))
    add("header_not_json.safetensors", safetensors_bytes(b"{\"x\": {\"dtype\": \"F32\", \"shape\": [50, ", data))
    # torch
    tensor_file = torch_bytes({"x": torch.from_numpy(good.astype(np.float32))})
    add("truncated.pt", tensor_file[: len(tensor_file) // 2], [])
    add("os_system.pt", torch_zip_with_pickle(pickle.dumps(RunsOsSystem(), protocol=2)), ["system"],
        "a pickle whose global is os.system (posix.system)")
    add("eval.pt", torch_zip_with_pickle(pickle.dumps(RunsEval(), protocol=2)), ["eval"],
        "a pickle whose global is builtins.eval")
    add("legacy_format.pt", torch_bytes({"x": torch.zeros(4, 3)}, _use_new_zipfile_serialization=False), [],
        "torch's pre-1.6 format")
    # A tensor of 10^9 x 1024 over a storage file of 64 bytes: torch's own pickle, storage entry replaced.
    small = torch_bytes({"x": torch.zeros(2, 8)})
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        names = archive.namelist()
        pickled = archive.read(next(n for n in names if n.endswith("data.pkl")))
    # torch pickles the size tuple (2, 8) as BININT1 2, BININT1 8, TUPLE2: edited in the bytes to
    # BININT 10^9, BININT2 1024, and its strides to (1024, 1) (the pickle is never loaded here).
    edited = pickled.replace(b"K\x02K\x08\x86", b"J\x00\xca\x9a;M\x00\x04\x86", 1)
    edited = edited.replace(b"K\x08K\x01\x86", b"M\x00\x04K\x01\x86", 1)  # strides (1024, 1)
    assert edited != pickled, "torch's pickle of the size tuple changed; update the edit"
    add("storage_too_small.pt", torch_zip_with_pickle(edited, [("0", bytes(64))]), [],
        "a 10^9 x 1024 tensor over a 64-byte storage")
    # Not a tensor file at all (the format comes from the magic bytes; these have none rankme knows).
    add("not_a_tensor.pt", b"this is a text file, not a tensor\n" * 4, [])
    add("empty.npy", b"", [])

    with open(os.path.join(HERE, "manifest.json"), "w") as out:
        json.dump({"about": "Hostile files of tests/app/test_cli_hostile_tensor_files.cpp, written by "
                            "make_hostile_fixtures.py. Each must give one error naming the file (and the "
                            "'mentions' words), exit 1, no crash or hang; MARKER must never be created.",
                   "marker": MARKER, "cases": cases}, out, indent=1)
        out.write("\n")
    total = sum(os.path.getsize(os.path.join(HERE, "files", f)) for f in os.listdir(os.path.join(HERE, "files")))
    print(f"{len(cases)} hostile files, {total} bytes")


if __name__ == "__main__":
    main()
