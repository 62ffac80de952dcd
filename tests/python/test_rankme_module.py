#!/usr/bin/python3
"""The Python module (src/python/, docs/python.md) against the command line on the same data: every number of
the JSON line to 1e-12 relative (the array saved with np.save, `rankme --format jsonl` on the file); against
numpy's float64 SVD; the inputs it refuses and how; read_results on files the command line wrote, with and
without pandas.

Usage: test_rankme_module.py RANKME_EXECUTABLE (with PYTHONPATH at the build's python/ directory)."""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import rankme

RANKME = None  # the command line, from argv

# What both report about the same data (seconds, file and identity keys differ by nature).
SAME_TEXT = ["status", "dtype", "method", "precision", "solver", "rows", "cols", "rows_used", "precision_fallback",
             "method_fallback", "error"]


def known_spectrum(rows, cols, decay, seed, dtype):
    """U diag(s) V^T with orthonormal U, V and s_k = decay^k: a spectrum known before any SVD."""
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    v, _ = np.linalg.qr(rng.standard_normal((cols, cols)))
    s = decay ** np.arange(cols, dtype=np.float64)
    return np.ascontiguousarray(((u * s) @ v.T).astype(dtype)), s


def numpy_rankme(z, eps=1e-7):
    """RankMe (Garrido et al. 2023) from numpy's float64 SVD: exp of the entropy of s / sum(s) + eps."""
    s = np.linalg.svd(np.asarray(z, dtype=np.float64), compute_uv=False)
    p = s / s.sum() + eps
    return math.exp(-float(np.sum(p * np.log(p))))


def close(a, b, rtol=1e-12):
    return a == b or abs(a - b) <= rtol * max(abs(a), abs(b))


class ModuleAgainstCommandLine(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="rankme-python-")
        self.addCleanup(self.directory.cleanup)

    def cli(self, array, *options):
        path = os.path.join(self.directory.name, "z.npy")
        np.save(path, array)
        run = subprocess.run([RANKME, "--format", "jsonl", "--quiet", *options, path], capture_output=True, text=True,
                             timeout=300)
        lines = [line for line in run.stdout.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, run.stdout + run.stderr)
        return json.loads(lines[0])

    def assert_same(self, array, cli_options, **keywords):
        expected = self.cli(array, *cli_options)
        got = rankme.score(array, **keywords)
        self.assertEqual(set(got) - {"singular_values"}, set(expected), "the same keys as the JSON line")
        for key in SAME_TEXT:
            self.assertEqual(got[key], expected[key], key)
        numbers = ["rankme", "predicted_error", "mixed_error_estimate", *rankme.metric_names()[1:]]
        compared = 0
        for key in numbers:
            if expected[key] is None:
                self.assertIsNone(got[key], key)
                continue
            self.assertTrue(close(got[key], expected[key]), "%s: module %r, command line %r" % (key, got[key], expected[key]))
            compared += 1
        self.assertGreater(compared, 0)
        self.assertEqual(got["status"], "ok")
        return got, expected

    def test_float32_known_spectrum(self):
        z, _ = known_spectrum(3000, 96, 0.93, 1, np.float32)
        got, _ = self.assert_same(z, [])
        self.assertEqual(got["dtype"], "float32")
        self.assertIsNotNone(got["stable_rank"])  # metrics="all" by default, as --metrics
        # --tolerance moves --precision auto's and --method auto's thresholds alike.
        self.assert_same(z, ["--tolerance", "1e-3"], tolerance=1e-3)

    def test_float64_centred(self):
        z, _ = known_spectrum(2000, 80, 0.9, 2, np.float64)
        z += 3.0  # a mean that centring takes away
        got, _ = self.assert_same(z, ["--center"], center=True)
        self.assertIsNotNone(got["nesum"])  # only with --center
        self.assertEqual(got["precision"], "double")

    def test_tsqr_double_and_a_metrics_subset(self):
        z, _ = known_spectrum(1500, 64, 0.8, 3, np.float32)
        got, _ = self.assert_same(z, ["--method", "tsqr", "--precision", "double", "--metrics", "stable_rank,effective_rank"],
                                  method="tsqr", precision="double", metrics="stable_rank,effective_rank")
        self.assertEqual(got["method"], "tsqr")
        self.assertIsNotNone(got["stable_rank"])
        self.assertIsNone(got["alpha_req"])  # not asked for

    def test_gram_mixed_float16_and_eps(self):
        z, _ = known_spectrum(1200, 48, 0.9, 4, np.float16)
        self.assert_same(z, ["--method", "gram", "--precision", "mixed", "--eps", "1e-5"], method="gram",
                         precision="mixed", eps=1e-5)

    def test_integer_dtypes_as_the_command_line_reads_them(self):
        # The command line reads 8- to 64-bit integer .npy files (formats/npy_header.cpp): so does the module.
        rng = np.random.default_rng(5)
        for dtype in (np.int16, np.uint8, np.int64):
            z = rng.integers(0, 100, size=(500, 24)).astype(dtype)
            got, _ = self.assert_same(z, [])
            self.assertEqual(got["dtype"], np.dtype(dtype).name)

    def test_big_endian_as_stored(self):
        z, _ = known_spectrum(800, 32, 0.85, 6, np.dtype(">f8"))
        got, _ = self.assert_same(z, [])
        self.assertEqual(got["dtype"], "float64be")

    def test_rows_and_sample(self):
        z, _ = known_spectrum(1000, 40, 0.9, 7, np.float32)
        got, _ = self.assert_same(z, ["--rows", "300"], rows=300)
        self.assertEqual(got["rows_used"], 300)
        got, _ = self.assert_same(z, ["--sample", "250", "--seed", "9"], sample=250, seed=9)
        self.assertEqual(got["rows_used"], 250)

    def test_torch_tensors(self):
        try:
            import torch
        except ImportError:
            # python3-torch comes with install_dependencies.sh --bench only; the buffer protocol is checked
            # below without it.
            print("note: torch is not installed; torch tensors not checked", file=sys.stderr)
            return
        z, _ = known_spectrum(1000, 32, 0.9, 8, np.float32)
        tensor = torch.from_numpy(z.copy())
        expected = rankme.score(z)
        for given in (tensor.numpy(), tensor, tensor.requires_grad_(True)):
            got = rankme.score(given)
            self.assertEqual(got["rankme"], expected["rankme"])
        # bfloat16, which numpy cannot hold: the same matrix as its exact float32 values.
        half = torch.from_numpy(z).to(torch.bfloat16)
        got = rankme.score(half)
        self.assertEqual(got["dtype"], "bfloat16")
        reference = rankme.score(half.to(torch.float32).numpy())
        self.assertTrue(close(got["rankme"], reference["rankme"]), (got["rankme"], reference["rankme"]))
        self.assertAlmostEqual(got["rankme"], numpy_rankme(half.to(torch.float64).numpy()), delta=1e-3 * got["rankme"])

    def test_any_buffer(self):
        z, _ = known_spectrum(600, 16, 0.9, 10, np.float64)
        self.assertEqual(rankme.score(memoryview(z))["rankme"], rankme.score(z)["rankme"])


class ModuleAgainstNumpy(unittest.TestCase):
    def test_known_spectrum_to_1e_12(self):
        z, s = known_spectrum(4000, 128, 0.95, 11, np.float64)
        reference = numpy_rankme(z)
        # Independent of any SVD too: the spectrum was chosen.
        p = s / s.sum() + 1e-7
        self.assertTrue(close(reference, math.exp(-float(np.sum(p * np.log(p)))), 1e-12))
        for keywords in ({"precision": "double"}, {"method": "tsqr"}, {"method": "gram", "precision": "double"}):
            got = rankme.score(z, **keywords)
            self.assertTrue(close(got["rankme"], reference), "%s: %r vs numpy %r" % (keywords, got["rankme"], reference))
        # The spectrum itself (spectrum=True, as --spectrum) against numpy's.
        got = rankme.score(z, method="tsqr", spectrum=True)
        values = np.linalg.svd(z, compute_uv=False)
        self.assertEqual(len(got["singular_values"]), len(values))
        np.testing.assert_allclose(got["singular_values"], values, rtol=1e-12, atol=1e-14 * values[0])


class BadInput(unittest.TestCase):
    def setUp(self):
        self.z, _ = known_spectrum(200, 16, 0.9, 12, np.float32)

    def test_one_dimensional(self):
        with self.assertRaisesRegex(ValueError, "1-D, not a 2-D rows x columns matrix"):
            rankme.score(np.ones(10, dtype=np.float32))

    def test_three_dimensional(self):
        with self.assertRaisesRegex(ValueError, "3-D; rankme.score takes a 2-D rows x columns matrix"):
            rankme.score(np.ones((4, 3, 5)))

    def test_empty(self):
        with self.assertRaisesRegex(ValueError, "no rows"):
            rankme.score(np.ones((0, 5)))
        with self.assertRaisesRegex(ValueError, "no columns"):
            rankme.score(np.ones((5, 0)))

    def test_nan_is_a_status_not_an_exception(self):
        z = self.z.copy()
        z[17, 3] = np.nan
        got = rankme.score(z)
        self.assertEqual(got["status"], "nonfinite")
        self.assertIsNone(got["rankme"])
        z[17, 3] = np.inf
        self.assertEqual(rankme.score(z, method="tsqr")["status"], "nonfinite")

    def test_non_contiguous_views_are_refused(self):
        for view in (self.z.T, self.z[:, ::2], self.z[::2], self.z[::-1]):
            with self.assertRaisesRegex(ValueError, r"not C-contiguous.*np\.ascontiguousarray"):
                rankme.score(view)
        # A view whose rows do follow each other is read in place.
        self.assertEqual(rankme.score(self.z[10:50])["rows"], 40)
        self.assertEqual(rankme.score(np.ascontiguousarray(self.z.T))["rows"], 16)

    def test_types_rankme_does_not_read(self):
        for array in (self.z > 0, self.z.astype(np.complex64), np.array([["a", "b"], ["c", "d"]]),
                      np.array([[1, None], [2, 3]], dtype=object)):
            with self.assertRaisesRegex(TypeError, "element type is not numeric"):
                rankme.score(array)
        with self.assertRaisesRegex(TypeError, "rankme.score takes a numpy array"):
            rankme.score(object())

    def test_keyword_values(self):
        with self.assertRaisesRegex(ValueError, "unknown method 'foo' \\(expected auto, gram or tsqr\\)"):
            rankme.score(self.z, method="foo")
        with self.assertRaisesRegex(ValueError, "unknown precision 'single' \\(expected auto, mixed or double\\)"):
            rankme.score(self.z, precision="single")
        with self.assertRaisesRegex(ValueError, "rankne"):
            rankme.score(self.z, metrics="rankne")
        with self.assertRaisesRegex(ValueError, "eps must be a finite number >= 0"):
            rankme.score(self.z, eps=-1)
        with self.assertRaisesRegex(ValueError, "unknown solver"):
            rankme.score(self.z, solver="magma")
        with self.assertRaisesRegex(ValueError, "rows or sample, not both"):
            rankme.score(self.z, rows=5, sample=5)
        with self.assertRaises(TypeError):
            rankme.score(self.z, centre=True)  # a misspelt keyword is Python's own TypeError


class ReadResults(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="rankme-python-results-")
        self.addCleanup(self.directory.cleanup)
        self.arrays = {}
        for name, seed in (("run_lr=0.1.npy", 13), ("run_lr=0.01.npy", 14)):
            self.arrays[name], _ = known_spectrum(300, 20, 0.8, seed, np.float32)
            np.save(os.path.join(self.directory.name, name), self.arrays[name])

    def written(self, extension):
        output = os.path.join(self.directory.name, "results" + extension)
        files = [os.path.join(self.directory.name, name) for name in sorted(self.arrays)]
        run = subprocess.run([RANKME, "--quiet", "--output", output, *files], capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr)
        return output

    def expected(self):
        return {name: rankme.score(self.arrays[name])["rankme"] for name in self.arrays}

    def check_rows(self, rows):
        self.assertEqual(len(rows), 2)
        expected = self.expected()
        for row in rows:
            name = os.path.basename(row["file"])
            self.assertTrue(close(row["rankme"], expected[name]), (row["rankme"], expected[name]))
            self.assertEqual(row["status"], "ok")
            self.assertEqual(row["cols"], 20)

    def test_with_pandas(self):
        import pandas

        for extension in (".jsonl", ".csv"):
            frame = rankme.read_results(self.written(extension))
            self.assertIsInstance(frame, pandas.DataFrame)
            self.check_rows(frame.to_dict("records"))

    def test_without_pandas(self):
        saved = sys.modules.get("pandas")
        sys.modules["pandas"] = None  # `import pandas` now raises ImportError
        try:
            for extension in (".jsonl", ".csv"):
                rows = rankme.read_results(self.written(extension))
                self.assertIsInstance(rows, list)
                self.assertIsInstance(rows[0], dict)
                self.check_rows(rows)
        finally:
            if saved is None:
                del sys.modules["pandas"]
            else:
                sys.modules["pandas"] = saved

    def test_other_files(self):
        with self.assertRaisesRegex(ValueError, "neither .jsonl nor .csv"):
            rankme.read_results(os.path.join(self.directory.name, "results.txt"))


if __name__ == "__main__":
    RANKME = os.path.abspath(sys.argv.pop(1))
    unittest.main()
