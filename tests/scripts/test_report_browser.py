#!/usr/bin/python3
"""scripts/report's HTML in a real browser (headless chromium): every image loads, nothing is fetched from
elsewhere, and a screenshot of the page is a picture of the right size with the figures in it.

    test_report_browser.py [--keep DIR]   (DIR keeps the reports and screenshots to look at)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "..", "scripts", "report")
sys.path.insert(0, HERE)

import browser  # noqa: E402
import make_results  # noqa: E402

SCREEN = (1280, 2400)
KEEP = None


def read_text(path):
    with open(path, encoding="utf-8") as stream:
        return stream.read()


def run_report(*arguments):
    completed = subprocess.run([sys.executable, REPORT, *arguments], capture_output=True, text=True, timeout=180)
    if completed.returncode != 0:
        raise AssertionError(f"scripts/report {' '.join(arguments)} failed ({completed.returncode}):\n"
                             f"{completed.stderr}")
    return completed


class ReportInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        browser.chromium()  # fails, saying how to install it, when chromium is missing
        cls.directory = tempfile.mkdtemp(prefix="rankme-report-browser-")
        cls.data = os.path.join(cls.directory, "data")
        make_results.write_all(cls.data)

    @classmethod
    def tearDownClass(cls):
        if KEEP:
            shutil.copytree(cls.directory, KEEP, dirs_exist_ok=True)
        shutil.rmtree(cls.directory, ignore_errors=True)

    def check_page(self, out, expected_images):
        html_path = os.path.join(out, "report.html")
        pngs = sorted(name for name in os.listdir(out) if name.endswith(".png"))
        self.assertEqual(len(pngs), expected_images, pngs)
        page = browser.page_images(html_path)
        self.assertEqual(page.references, [], "the page must reference nothing outside itself")
        self.assertEqual(len(page.images), expected_images)
        states = [image.get("data-loaded") for image in page.images]
        self.assertEqual(states, ["true"] * expected_images, "every image loaded (naturalWidth > 0)")
        self.assertEqual(page.body.get("data-images-loaded"), f"{expected_images}/{expected_images}")
        for image in page.images:
            self.assertTrue(image["src"].startswith("data:image/png;base64,"))

        shot = os.path.join(out, "screenshot.png")
        browser.screenshot(html_path, shot, SCREEN)
        self.assertEqual(browser.png_size(shot), SCREEN)
        self.assertGreater(os.path.getsize(shot), 50_000, "a page of tables and plots, not a blank one")
        # Text alone gives a few hundred shades (anti-aliasing); the plots' colour maps give thousands.
        self.assertGreater(browser.distinct_colours(shot), 1000)
        return read_text(html_path)

    def test_jsonl_with_spectra_and_lidar(self):
        out = os.path.join(self.directory, "jsonl")
        run_report(os.path.join(self.data, "results.jsonl"), "--spectrum", os.path.join(self.data, "spectra.h5"),
                   "--out", out)
        text = self.check_page(out, 5)  # RankMe/epoch, RankMe/lr, spectra, LiDAR/RankMe, LiDAR/epoch
        self.assertIn("x: lr, colour: wd; each run&#x27;s last checkpoint: 7 scored, 1 diverged", text)
        self.assertIn('<tr class="nonfinite">', text)

    def test_csv_without_spectra(self):
        out = os.path.join(self.directory, "csv")
        run_report(os.path.join(self.data, "results.csv"), "--out", out, "--x", "wd", "--color", "lr", "--at", "best")
        text = self.check_page(out, 4)
        self.assertIn("Not drawn: no --spectrum file given", text)
        self.assertIn("x: wd, colour: lr; each run&#x27;s best checkpoint: 8 scored, 0 diverged", text)

    def test_a_broken_image_is_seen(self):
        # The check itself: a page whose second image is not a PNG must come back with that image not loaded.
        out = os.path.join(self.directory, "broken")
        run_report(os.path.join(self.data, "results.csv"), "--out", out)
        html_path = os.path.join(out, "report.html")
        text = read_text(html_path)
        sources = re.findall(r'src="(data:image/png;base64,[^"]+)"', text)
        self.assertGreaterEqual(len(sources), 2)
        with open(html_path, "w", encoding="utf-8") as stream:
            stream.write(text.replace(sources[1], "data:image/png;base64,bm90IGEgcG5n", 1))
        page = browser.page_images(html_path)
        self.assertEqual([image.get("data-loaded") for image in page.images][:2], ["true", "false"])
        self.assertEqual(page.body.get("data-images-loaded"), f"{len(sources) - 1}/{len(sources)}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--keep":
        KEEP = sys.argv[2]
        del sys.argv[1:3]
    unittest.main(verbosity=2)
