#!/usr/bin/python3
"""From an HDF5 sweep to the report in a browser: rankme (2 ranks) scores a small sweep written with h5py
(4 runs x 3 epochs, one group per run, one checkpoint full of NaN) with --output results.jsonl and --spectrum;
scripts/report reads both; chromium loads the page.

    test_report_end_to_end.py RANKME MPIEXEC

RANKME_MPIEXEC_FLAGS (space-separated) are the launcher's own flags: --oversubscribe for OpenMPI, none for
MPICH's hydra, which refuses it (tests/CMakeLists.txt).
"""
import math
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
sys.path.insert(0, HERE)
sys.path.insert(0, SCRIPTS)

import browser  # noqa: E402
from rankme_report.results import read_results  # noqa: E402
from rankme_report.runs import by_run  # noqa: E402

RANKME = MPIEXEC = None
MPIEXEC_FLAGS = os.environ.get("RANKME_MPIEXEC_FLAGS", "").split()
ROWS, COLUMNS = 300, 24
LEARNING_RATES = (0.001, 0.01)
WEIGHT_DECAYS = (0, 0.1)
EPOCHS = (1, 2, 3)


def embedding(rng, lr, wd, epoch):
    """Gaussian rows with column scales k^-alpha: training (epoch) and the run (lr, wd) flatten the spectrum."""
    alpha = 1.5 / epoch + (0.3 if lr == 0.01 else 0.0) - wd
    return (rng.standard_normal((ROWS, COLUMNS)) * np.arange(1, COLUMNS + 1) ** -alpha).astype(np.float32)


def reference_rankme(matrix):
    s = np.linalg.svd(matrix.astype(np.float64), compute_uv=False)
    p = s / s.sum() + 1e-7
    return float(np.exp(-(p * np.log(p)).sum()))


class EndToEnd(unittest.TestCase):
    def test_rankme_then_report_then_browser(self):
        browser.chromium()
        with tempfile.TemporaryDirectory(prefix="rankme-report-e2e-") as directory:
            sweep = os.path.join(directory, "sweep.h5")
            rng = np.random.default_rng(14)
            expected = {}
            with h5py.File(sweep, "w") as handle:
                for lr in LEARNING_RATES:
                    for wd in WEIGHT_DECAYS:
                        for epoch in EPOCHS:
                            matrix = embedding(rng, lr, wd, epoch)
                            name = f"/lr={lr:g}_wd={wd:g}/epoch_{epoch}/emb"
                            if (lr, wd, epoch) == (0.01, 0, 3):
                                matrix[5, 3] = np.nan  # the run diverged at its last checkpoint
                                expected[name] = None
                            else:
                                expected[name] = reference_rankme(matrix)
                            handle.create_dataset(name, data=matrix)
            results_path = os.path.join(directory, "results.jsonl")
            spectra_path = os.path.join(directory, "spectra.h5")
            scored = subprocess.run([MPIEXEC, "-n", "2", *MPIEXEC_FLAGS, RANKME, "--quiet", "--output",
                                     results_path, "--spectrum", spectra_path, sweep],
                                    capture_output=True, text=True, timeout=240)
            self.assertEqual(scored.returncode, 0, scored.stderr)

            results = read_results(results_path)
            self.assertEqual(sorted(r.dataset for r in results.results), sorted(expected))
            for r in results.results:
                if expected[r.dataset] is None:
                    self.assertEqual((r.status, r.rankme), ("nonfinite", None))
                else:
                    self.assertEqual(r.status, "ok")
                    self.assertLess(abs(r.rankme - expected[r.dataset]), 1e-6 * expected[r.dataset], r.dataset)
                    self.assertEqual(r.position, {"epoch": float(r.dataset.split("/")[2][len("epoch_"):])})
            runs = by_run(results.results)
            self.assertEqual(len(runs), len(LEARNING_RATES) * len(WEIGHT_DECAYS))
            self.assertTrue(all(len(members) == len(EPOCHS) for members in runs.values()))

            out = os.path.join(directory, "report")
            made = subprocess.run([sys.executable, os.path.join(SCRIPTS, "report"), results_path, "--spectrum",
                                   spectra_path, "--out", out], capture_output=True, text=True, timeout=180)
            self.assertEqual(made.returncode, 0, made.stderr)
            # lr and wd vary (rankme's params, or what the paths spell when it wrote none): RankMe against lr too.
            for r in results.results:
                self.assertEqual(set(r.params), {"lr", "wd", "epoch"}, r.dataset)
            figures = {"rankme_vs_epoch.png", "rankme_vs_param.png", "spectra.png"}
            self.assertEqual({n for n in os.listdir(out) if n.endswith(".png")}, figures)

            page = browser.page_images(os.path.join(out, "report.html"))
            self.assertEqual(page.references, [])
            self.assertEqual([i.get("data-loaded") for i in page.images], ["true"] * len(figures))
            shot = os.path.join(directory, "screenshot.png")
            browser.screenshot(os.path.join(out, "report.html"), shot, (1200, 1800))
            self.assertEqual(browser.png_size(shot), (1200, 1800))
            self.assertGreater(browser.distinct_colours(shot), 1000)
            with open(os.path.join(out, "report.html"), encoding="utf-8") as stream:
                text = stream.read()
            self.assertIn(f"{len(expected)} results from", text)
            self.assertIn("1 diverged (nonfinite)", text)
            self.assertIn("x: lr, colour: wd; each run&#x27;s last checkpoint: 3 scored, 1 diverged", text)
            self.assertTrue(math.isfinite(max(r.rankme for r in results.results if r.scored)))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    RANKME, MPIEXEC = sys.argv[1], sys.argv[2]
    del sys.argv[1:3]
    unittest.main(verbosity=2)
