#!/usr/bin/python3
"""Writes the torch.save fixtures of tests/formats/test_torch_file.cpp (run from anywhere; rewrites them here).

Debian's python3-torch (1.13) writes them; the test suite reads them without torch. Every value comes from
a formula the C++ test recomputes, exact in every dtype:
    value(i, j)    = ((i * 7 + j * 3) % 11) - 5           (2-D, "base" tensors)
    value(i, j, k) = ((i * 7 + j * 3 + k * 5) % 11) - 5   (3-D)
unsigned types store value + 5, bool stores value > 0. Views (transposed, sliced, a column) are saved as
they are, so the file holds the base tensor's storage and the view's offset and strides.
"""
import collections
import os
import zipfile

import torch

here = os.path.dirname(os.path.abspath(__file__))


def base(rows, cols, dtype=torch.float32):
    values = [[((i * 7 + j * 3) % 11) - 5 for j in range(cols)] for i in range(rows)]
    tensor = torch.tensor(values, dtype=torch.float64)
    if dtype == torch.uint8:
        tensor = tensor + 5
    if dtype == torch.bool:
        return tensor > 0
    return tensor.to(dtype)


def base3(a, b, c):
    values = [[[((i * 7 + j * 3 + k * 5) % 11) - 5 for k in range(c)] for j in range(b)] for i in range(a)]
    return torch.tensor(values, dtype=torch.float32)


def save(name, obj, **kwargs):
    torch.save(obj, os.path.join(here, name), **kwargs)


def rezip(source, target, transform):
    """Copies a fixture's members to a new zip, each through transform(name, bytes) -> (bytes, compression)."""
    with zipfile.ZipFile(os.path.join(here, source)) as old, zipfile.ZipFile(os.path.join(here, target), "w") as new:
        for info in old.infolist():
            data, compression = transform(info.filename, old.read(info.filename))
            new.writestr(info.filename, data, compress_type=compression)
        prefix = old.infolist()[0].filename.split("/")[0]
        extra = transform(prefix + "/byteorder", None)
        if extra[0] is not None:
            new.writestr(prefix + "/byteorder", extra[0], compress_type=zipfile.ZIP_STORED)


save("float32.pt", base(5, 4))
save("float16.pt", base(6, 3, torch.float16))
save("bfloat16.pt", base(6, 3, torch.bfloat16))
save("float64.pt", base(3, 5, torch.float64))
save("int64.pt", base(4, 4, torch.int64))
save("int8.pt", base(7, 2, torch.int8))
save("uint8.pt", base(3, 3, torch.uint8))
save("bool.pt", base(3, 4, torch.bool))
save("dict.pt", {"a": base(3, 4), "b": base(2, 5, torch.float64)})
save("ordered_dict.pt", collections.OrderedDict([("y", base(2, 3)), ("x", base(4, 2))]))
save("nested.pt", {"feats": [base(3, 2), base(2, 2)], 7: (base(1, 3),), "epoch": 3, "name": "run", "none": None})
save("transposed.pt", base(4, 6).t())
save("slice.pt", base(8, 4)[3:])
full = base(6, 5)
save("shared.pt", {"full": full, "tail": full[2:], "column": full[:, 1]})
save("three_d.pt", base3(3, 4, 5))
linear = torch.nn.Linear(4, 3)
with torch.no_grad():
    linear.weight.copy_(base(3, 4))
    linear.bias.copy_(base(1, 3)[0])
save("state_dict.pt", {"model": linear.state_dict(), "param": linear.weight})
save("legacy.pt", base(2, 2), _use_new_zipfile_serialization=False)
# Protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, ...) instead of torch's default 2.
save("protocol4.pt", {"emb": base(4, 3), "ids": [base(2, 2, torch.int64)]}, pickle_protocol=4)


def big_endian(name, data):
    """float32.pt with its storage byte-swapped and a byteorder member saying "big" (torch >= 2.1 honours it)."""
    if data is None:
        return (b"big", None) if name.endswith("byteorder") else (None, None)
    if name.endswith("/byteorder"):
        return b"big", zipfile.ZIP_STORED
    if "/data/" in name:
        data = b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))
    return data, zipfile.ZIP_STORED


def deflated(name, data):
    """dict.pt re-zipped with every member deflated (as `zip -r` would)."""
    if data is None:
        return None, None
    return data, zipfile.ZIP_DEFLATED


rezip("float32.pt", "big_endian.pt", big_endian)
rezip("dict.pt", "deflated.pt", deflated)

# The seeds of the fuzz target tests/fuzz/fuzz_torch_pickle.cpp: every fixture's data.pkl, and a few whole files.
corpus = os.path.join(here, "..", "..", "fuzz", "corpus_torch")
os.makedirs(corpus, exist_ok=True)
for name in sorted(os.listdir(here)):
    if not name.endswith(".pt") or name == "legacy.pt":
        continue
    with zipfile.ZipFile(os.path.join(here, name)) as archive:
        pickle = next(member for member in archive.namelist() if member.endswith("/data.pkl"))
        with open(os.path.join(corpus, name[:-3] + ".pkl"), "wb") as out:
            out.write(archive.read(pickle))
for name in ("float32.pt", "shared.pt", "deflated.pt", "big_endian.pt", "protocol4.pt"):
    with open(os.path.join(here, name), "rb") as source, open(os.path.join(corpus, name), "wb") as out:
        out.write(source.read())
