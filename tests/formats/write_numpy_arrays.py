"""Writes the arrays test_numpy_written_arrays.cpp reads, with numpy itself (an independent writer): every
dtype, byte order, memory order and .npy version rankme reads, 3-D arrays, and .npz archives stored and
compressed. Values: element [i, ...] whose C-order position within row i is c holds (37 i + 11 c) % 101,
minus 50 for signed and floating types (exact in every type)."""
import os
import sys
import zipfile

import numpy as np

out = sys.argv[1]


def values(shape, dtype):
    rows, cols = shape[0], int(np.prod(shape[1:]))
    v = (np.arange(rows)[:, None] * 37 + np.arange(cols)[None, :] * 11) % 101
    if np.dtype(dtype).kind != "u":
        v = v - 50
    return v.reshape(shape).astype(dtype)


def save(name, shape, dtype, fortran=False, version=None):
    a = values(shape, dtype)
    if fortran:
        a = np.asfortranarray(a)
    with open(os.path.join(out, name), "wb") as f:
        if version is None:
            np.save(f, a)
        else:
            np.lib.format.write_array(f, a, version=version)


save("c_float32.npy", (50, 7), "<f4")
save("fortran_float64.npy", (50, 7), "<f8", fortran=True)
save("big_endian_float32.npy", (33, 5), ">f4")
save("big_endian_float16_fortran.npy", (33, 5), ">f2", fortran=True)
save("float16.npy", (20, 9), "<f2")
save("int8.npy", (20, 9), "|i1")
save("uint8_fortran.npy", (20, 9), "|u1", fortran=True)
save("int16_big_endian.npy", (20, 9), ">i2")
save("uint32.npy", (20, 9), "<u4")
save("int64.npy", (20, 9), "<i8")
save("uint64_big_endian.npy", (20, 9), ">u8")
save("version2.npy", (12, 6), "<f4", version=(2, 0))
save("version3.npy", (12, 6), "<f8", fortran=True, version=(3, 0))
save("c_3d.npy", (10, 3, 4), "<f4")
save("fortran_3d.npy", (10, 3, 4), "<f8", fortran=True)
save("one_axis.npy", (15,), "<f4")

np.savez(os.path.join(out, "stored.npz"), a=values((40, 6), "<f4"), b=np.asfortranarray(values((8, 3, 5), "<f8")))
np.savez_compressed(os.path.join(out, "compressed.npz"), emb=values((5000, 64), "<f4"),
                    f=np.asfortranarray(values((300, 17), ">i2")), small=values((3, 2), "<u2"))
with zipfile.ZipFile(os.path.join(out, "nested_zip64.npz"), "w", zipfile.ZIP_DEFLATED) as archive:
    with archive.open("run1/emb.npy", "w", force_zip64=True) as member:
        np.lib.format.write_array(member, values((64, 10), "<f8"))
