#!/usr/bin/python3
"""Writes the seed corpora of the .npy and .npz fuzz targets (tests/fuzz/corpus_npy, corpus_npz): small
arrays of every kind the readers handle (versions, byte orders, orders, dtypes, 3-D, 0-d, stored and
deflated members, zip64), so that mutations start from every path. Deterministic: rerun to regenerate."""
import io
import os
import sys
import zipfile

import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz")
npy_dir = os.path.join(root, "corpus_npy")
npz_dir = os.path.join(root, "corpus_npz")
values = np.arange(24, dtype=np.float64).reshape(4, 6) / 7.0


def save(name, array, version=None):
    with open(os.path.join(npy_dir, name), "wb") as out:
        if version is None:
            np.save(out, array)
        else:
            np.lib.format.write_array(out, array, version=version)


save("float32_c.npy", values.astype("<f4"))
save("float64_fortran.npy", np.asfortranarray(values))
save("float16_big_endian.npy", values.astype(">f2"))
save("int8_version2.npy", np.arange(12, dtype=np.int8).reshape(3, 4), version=(2, 0))
save("uint64_version3.npy", np.arange(6, dtype=">u8").reshape(2, 3), version=(3, 0))
save("float32_3d_fortran.npy", np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)))
save("zero_d.npy", np.array(3.5))
save("complex.npy", np.ones((2, 2), dtype=np.complex64))
save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i2")]))

np.savez(os.path.join(npz_dir, "stored.npz"), a=values.astype(np.float32), b=np.asfortranarray(values))
np.savez_compressed(os.path.join(npz_dir, "deflated.npz"), emb=values.astype(np.float32),
                    f=np.asfortranarray(np.arange(24, dtype=np.int16).reshape(4, 6)))
with zipfile.ZipFile(os.path.join(npz_dir, "zip64.npz"), "w", zipfile.ZIP_DEFLATED) as archive:
    with archive.open("x/y.npy", "w", force_zip64=True) as member:
        np.save(member, values.astype(">f8"))
    archive.writestr("notes.txt", "not an array")
print("wrote", len(os.listdir(npy_dir)), "npy and", len(os.listdir(npz_dir)), "npz seeds", file=sys.stderr)
