#!/usr/bin/python3
"""scripts/rankme_report: reading rankme's JSONL and CSV results (the same results either way; nonfinite
rows; missing params; mixed numeric and string params; re-scored datasets; torn and invalid lines), the
checkpoint positions and runs of the common layouts, the report's choices, and plot_spectra.py on CSV."""
import math
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
sys.path.insert(0, HERE)
sys.path.insert(0, SCRIPTS)

import make_results  # noqa: E402
from rankme_report import path_params  # noqa: E402
from rankme_report import results as reader  # noqa: E402
from rankme_report.runs import automatic_axes, by_run, representative, varying_params  # noqa: E402


class Files(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="rankme-report-reader-")
        self.addCleanup(self.directory.cleanup)

    def write(self, name, text):
        path = os.path.join(self.directory.name, name)
        with open(path, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        return path


class WithSweep(unittest.TestCase):
    """The generator's sweep, written both ways once per class."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="rankme-report-sweep-")
        cls.rows = make_results.write_all(cls.directory.name)
        cls.jsonl = reader.read_results(os.path.join(cls.directory.name, "results.jsonl"))
        cls.csv = reader.read_results(os.path.join(cls.directory.name, "results.csv"))

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()


class GeneratedSweep(WithSweep):
    """The generator's sweep reads back as what was written, from either format."""

    def test_formats_are_detected(self):
        self.assertEqual(self.jsonl.format, "jsonl")
        self.assertEqual(self.csv.format, "csv")

    def test_both_formats_give_the_written_results(self):
        for results in (self.jsonl, self.csv):
            self.assertEqual(results.skipped, [])
            self.assertEqual(len(results.results), len(self.rows))
            for row, result in zip(self.rows, results.results):
                self.assertEqual((result.file, result.dataset, result.status), (row["file"], row["dataset"], row["status"]))
                self.assertEqual(result.rows, row["rows"])
                if row["rankme"] is None:
                    self.assertIsNone(result.rankme)
                else:
                    self.assertEqual(result.rankme, row["rankme"])  # %.17g / repr round-trip exactly
                self.assertEqual(result.lidar, row["lidar"])
                self.assertEqual(result.metrics["stable_rank"], row["stable_rank"])
                self.assertIsNone(result.metrics["nesum"])
                expected = {key: float(v) if isinstance(v, (int, float)) else v for key, v in row["params"].items()}
                self.assertEqual(result.params, expected)

    def test_nonfinite_rows_are_diverged_not_scored(self):
        for results in (self.jsonl, self.csv):
            diverged = [r for r in results.results if r.status == "nonfinite"]
            self.assertEqual(len(diverged), 3)
            for r in diverged:
                self.assertTrue(r.diverged)
                self.assertFalse(r.scored)
                self.assertIsNone(r.rankme)
                self.assertIsNone(r.lidar)
                self.assertEqual(r.params["lr"], 0.01)
            broken = [r for r in results.results if r.status == "error"]
            self.assertEqual(len(broken), 1)
            self.assertFalse(broken[0].scored or broken[0].diverged)
            self.assertEqual(broken[0].error, "cannot open the file: truncated")

    def test_runs_and_positions(self):
        for results in (self.jsonl, self.csv):
            runs = by_run(results.results)
            self.assertEqual(len(runs), 9)  # 8 trained runs and the unreadable file
            trained = [members for members in runs.values() if len(members) == 5]
            self.assertEqual(len(trained), 8)
            for members in trained:
                self.assertEqual([r.position["epoch"] for r in members], [10, 20, 30, 40, 50])
                self.assertEqual(len({r.file for r in members}), 1)
            self.assertEqual(results.metrics_present, ["effective_rank", "stable_rank"])
            self.assertTrue(results.has_lidar)
            self.assertEqual(results.param_keys, ["lr", "wd", "opt", "epoch"])

    def test_representative_checkpoints(self):
        runs = by_run(self.jsonl.results)
        diverging = next(m for m in runs.values() if m[0].params.get("lr") == 0.01 and m[0].params["wd"] == 0)
        self.assertEqual([r.status for r in representative(diverging, "last")], ["nonfinite"])
        best = representative(diverging, "best")
        self.assertEqual(len(best), 1)
        self.assertEqual(best[0].position["epoch"], 20)  # the best scored checkpoint before it blew up
        self.assertEqual(len(representative(diverging, "all")), 5)

    def test_automatic_axes_leave_identifiers_out_and_prefer_few_colours(self):
        results = [reader.Result(file=f"r{i}.h5", dataset="/x", status="ok", rankme=1.0,
                                 params={"seed": float(i), "lr": 10.0 ** -(i % 10), "bs": float(16 * (i % 9)),
                                         "wd": float(i % 2), "epoch": 1.0})
                   for i in range(40)]
        self.assertEqual(varying_params(results), ["seed", "lr", "bs", "wd"])
        # seed names runs; bs takes 9 values (a colour bar), wd 2 (a legend): x lr, colour wd.
        self.assertEqual(automatic_axes(results, 8), ("lr", "wd"))
        self.assertEqual(automatic_axes(results, 9), ("lr", "bs"))
        self.assertEqual(automatic_axes(results[:1], 8), (None, None))

    def test_the_params_that_vary_most_come_first(self):
        # lr takes 4 values, wd 2, opt 2 (a string: after the numbers); epoch is a position, not a choice.
        self.assertEqual(varying_params(self.jsonl.results), ["lr", "wd", "opt"])


class Reading(Files):
    def test_missing_params(self):
        jsonl = self.write("a.jsonl",
                           '{"file":"a.h5","dataset":"/x","rankme":3.5,"status":"ok"}\n'
                           '{"file":"b.h5","dataset":"/x","rankme":4.5,"status":"ok","params":{}}\n')
        csv_path = self.write("a.csv", "file,dataset,rows,cols,dtype,rankme,status,error\n"
                                       "a.h5,/x,10,4,float32,3.5,ok,\n")
        for path in (jsonl, csv_path):
            results = reader.read_results(path)
            self.assertEqual([r.params for r in results.results], [{}] * len(results.results))
            self.assertEqual(results.param_keys, [])
            self.assertFalse(results.has_lidar)
            self.assertEqual(varying_params(results.results), [])

    def test_mixed_numeric_and_string_params(self):
        csv_path = self.write("m.csv", "file,dataset,rankme,status,param.lr,param.opt,param.wd,param.tag\n"
                                       "a.h5,/x,1,ok,1e-3,adamw,0,\n"
                                       "b.h5,/x,2,ok,0.01,sgd,none,v2\n"
                                       "c.h5,/x,3,ok,0.1,lion,0.05,\n")
        jsonl = self.write("m.jsonl",
                           '{"file":"a.h5","dataset":"/x","rankme":1,"status":"ok","params":{"lr":0.001,"opt":"adamw","wd":0}}\n'
                           '{"file":"b.h5","dataset":"/x","rankme":2,"status":"ok","params":{"lr":0.01,"opt":"sgd","wd":"none","tag":"v2"}}\n'
                           '{"file":"c.h5","dataset":"/x","rankme":3,"status":"ok","params":{"lr":0.1,"opt":"lion","wd":0.05,"bad":[1]}}\n')
        for path in (csv_path, jsonl):
            results = reader.read_results(path)
            a, b, c = results.results
            self.assertEqual(a.params, {"lr": 0.001, "opt": "adamw", "wd": 0.0})  # an empty cell is no param
            self.assertEqual(b.params, {"lr": 0.01, "opt": "sgd", "wd": "none", "tag": "v2"})
            self.assertEqual(c.params, {"lr": 0.1, "opt": "lion", "wd": 0.05})  # an array is no param value
            # wd holds a number and a name: not numeric, so it comes after lr, and opt (3 names) before it.
            self.assertEqual(varying_params(results.results), ["lr", "opt", "wd"])

    def test_csv_cells_as_rankme_quotes_them(self):
        path = self.write("q.csv", 'file,dataset,rankme,status,error,condition_number,lidar,param.name\n'
                                   '"dir,1/a.h5","/say ""hi""",inf,ok,,inf,nan,"x,y"\n'
                                   'b.h5,/x,,error,"cannot read, truncated",,,\n')
        first, second = reader.read_results(path).results
        self.assertEqual((first.file, first.dataset), ("dir,1/a.h5", '/say "hi"'))
        self.assertTrue(math.isinf(first.rankme))
        self.assertFalse(first.scored)  # an infinite RankMe is nothing to draw
        self.assertTrue(math.isinf(first.metrics["condition_number"]))
        self.assertTrue(math.isnan(first.lidar))
        self.assertEqual(first.params, {"name": "x,y"})
        self.assertEqual((second.status, second.error, second.rankme), ("error", "cannot read, truncated", None))

    def test_a_rescored_dataset_keeps_its_last_score(self):
        path = self.write("r.jsonl",
                          '{"file":"a.h5","dataset":"/x","rankme":1.0,"status":"ok"}\n'
                          '{"file":"b.h5","dataset":"/x","rankme":null,"status":"error","error":"gone"}\n'
                          '{"file":"a.h5","dataset":"/x","rankme":2.0,"status":"ok"}\n'
                          '{"file":"b.h5","dataset":"/x","rankme":5.0,"status":"ok"}\n'
                          '{"file":"b.h5","dataset":"/x","rankme":null,"status":"error","error":"later failure"}\n'
                          '{"file":"a.h5","dataset":"/x","pool":"mean","rankme":7.0,"status":"ok"}\n')
        results = reader.read_results(path).results
        self.assertEqual([(r.file, r.pool, r.rankme) for r in results],
                         [("a.h5", "", 2.0), ("b.h5", "", 5.0), ("a.h5", "mean", 7.0)])

    def test_torn_and_invalid_lines_are_skipped_and_counted(self):
        path = self.write("t.jsonl",
                          '{"file":"a.h5","dataset":"/x","rankme":1.0,"status":"ok"}\n'
                          'not json\n'
                          '{"file":"a.h5","dataset":"/y","rankme":1.0,"status":"maybe"}\n'
                          '[1,2]\n'
                          '{"file":"a.h5","dataset":"/z","rankme":2.0,"sta')
        results = reader.read_results(path)
        self.assertEqual([r.dataset for r in results.results], ["/x"])
        self.assertEqual(len(results.skipped), 4)
        self.assertTrue(results.skipped[0].startswith("line 2:"))
        self.assertIn("maybe", results.skipped[1])

    def test_format_by_content_then_extension(self):
        jsonl_in_txt = self.write("r.txt", '\n{"file":"a.h5","dataset":"/x","rankme":1.0,"status":"ok"}\n')
        csv_in_txt = self.write("r2.txt", "file,dataset,rankme,status\na.h5,/x,1.5,ok\n")
        self.assertEqual(reader.read_results(jsonl_in_txt).format, "jsonl")
        self.assertEqual(reader.read_results(csv_in_txt).format, "csv")
        with self.assertRaisesRegex(reader.ResultsError, "neither"):
            reader.read_results(self.write("r3.txt", "rankme was here\n"))
        with self.assertRaisesRegex(reader.ResultsError, "no result"):
            reader.read_results(self.write("empty.jsonl", ""))
        with self.assertRaisesRegex(reader.ResultsError, "header has no rankme, status"):
            reader.read_results(self.write("bad.csv", "file,dataset,score\na,b,1\n"))
        with self.assertRaisesRegex(reader.ResultsError, "cannot read"):
            reader.read_results(os.path.join(self.directory.name, "missing.jsonl"))


class Paths(unittest.TestCase):
    """The port of rankme's path rules (pipeline/path_params.cpp) and --best-per's run."""

    def test_positions_in_paths(self):
        cases = {
            ("runs/run_lr=0.1.h5", "/epoch_100/emb"): {"epoch": 100},
            ("sweep.h5", "/lr=0.1/wd=0/epoch 100/emb"): {"epoch": 100},
            ("lr=0.1_epoch_3.h5", "/emb"): {"epoch": 3},
            ("model_ep12.h5", "/emb"): {"epoch": 12},
            ("x/Epoch-7/lr=1e-3.pt", "/"): {"epoch": 7},
            ("ckpt_250.h5", "/emb"): {"step": 250},
            ("ckpt250.h5", "/emb"): {"step": 250},
            ("a/checkpoint-5000.safetensors", "/w"): {"step": 5000},
            ("a.h5", "/step=5000/emb"): {"step": 5000},
            ("run 03 [lr=0.001, epoch=3].h5", "/x"): {"epoch": 3},
            ("a/epoch_3.h5", "/epoch_4/emb"): {"epoch": 4},  # the dataset path is inner: it wins
            ("deep100.h5", "/keep_3/sweep7"): {},  # "ep" and "step" inside other words are no positions
            ("a.h5", "/sched=step_100/emb"): {},  # a value, not a position
            ("lr=0.1.h5", "/emb"): {},
        }
        for (file, dataset), expected in cases.items():
            params = path_params.params_of_dataset_path(file, dataset)
            self.assertEqual({k: v for k, v in params.items() if k in ("epoch", "step")}, expected, (file, dataset))

    def test_params_in_paths(self):
        self.assertEqual(path_params.params_of_dataset_path("sweep/opt=adamw_bs=256_weight_decay=0.05.h5", "/z"),
                         {"opt": "adamw", "bs": 256.0, "weight_decay": 0.05})
        self.assertEqual(path_params.params_of_dataset_path("run 03 [lr=0.001, wd=0].h5", "/z"), {"lr": 0.001, "wd": 0.0})
        self.assertEqual(path_params.params_of_dataset_path("m.h5", "/model=vit_b_lr=0.1/epoch=2/emb"),
                         {"model": "vit_b", "lr": 0.1, "epoch": 2.0})
        self.assertEqual(path_params.params_of_dataset_path("lr=0.1_epoch_3.h5", "/x"), {"lr": 0.1, "epoch": 3.0})
        self.assertEqual(path_params.params_of_dataset_path("lr=inf.h5", "/x"), {"lr": "inf"})  # finite numbers only

    def test_positions_masked_as_rankme_masks_them(self):
        # The examples of path_params.hpp and best_per_group.hpp.
        self.assertEqual(path_params.without_positions("runs/lr=0.1_epoch_10.h5", True), "runs/lr=0.1_epoch_*.h5")
        self.assertEqual(path_params.without_positions("/run_a/ep100", False), "/run_a/ep*")
        self.assertEqual(path_params.without_positions("step=5000", False), "step=*")
        self.assertEqual(path_params.without_positions("/run_a/epoch_10/z", False), "/run_a/epoch_*/z")
        self.assertEqual(path_params.without_positions("run 03 [lr=0.001, epoch=3].h5", True), "run 03 [lr=0.001, epoch=*].h5")
        self.assertEqual(path_params.without_positions("lr=0.1.h5", True), "lr=0.1.h5")
        self.assertEqual(path_params.without_positions("ckpt_250.h5", True), "ckpt_*.h5")
        # Two positions in one component, the longer number first: each masked where it is.
        self.assertEqual(path_params.without_positions("epoch_100 step=5.h5", True), "epoch_* step=*.h5")

    def run_of(self, file, dataset, params=None):
        return reader.Result(file=file, dataset=dataset, status="ok", rankme=1.0, params=params or {}).run

    def test_runs_of_the_common_layouts(self):
        # One file per run, a group per checkpoint.
        self.assertEqual(self.run_of("s/lr=0.1.h5", "/epoch_1/emb"), "s/lr=0.1.h5:/epoch_*/emb")
        self.assertEqual(self.run_of("s/lr=0.1.h5", "/epoch_1/emb"), self.run_of("s/lr=0.1.h5", "/epoch_2/emb"))
        self.assertNotEqual(self.run_of("s/lr=0.1.h5", "/epoch_1/emb"), self.run_of("s/lr=0.2.h5", "/epoch_1/emb"))
        # One group per run in one file.
        self.assertEqual(self.run_of("s.h5", "/lr=0.1/epoch_1/emb"), self.run_of("s.h5", "/lr=0.1/epoch_2/emb"))
        self.assertNotEqual(self.run_of("s.h5", "/lr=0.1/epoch_1/emb"), self.run_of("s.h5", "/lr=0.2/epoch_1/emb"))
        # One file per checkpoint.
        self.assertEqual(self.run_of("s/lr=0.1_epoch_1.h5", "/emb"), self.run_of("s/lr=0.1_epoch_2.h5", "/emb"))
        # Different datasets of one checkpoint are different embeddings, so different runs.
        self.assertNotEqual(self.run_of("s.h5", "/epoch_1/student"), self.run_of("s.h5", "/epoch_1/teacher"))
        # A run param (an attribute or a run= token) names the run whatever the paths.
        self.assertEqual(self.run_of("c/a.h5", "/emb", {"run": "r7", "epoch": 1.0}),
                         self.run_of("c/b.h5", "/emb", {"run": "r7", "epoch": 2.0}))
        self.assertEqual(self.run_of("c/a.h5", "/emb", {"run": 7.0}), "7")

    def test_results_without_params_get_their_paths(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "old.jsonl")
            with open(path, "w", encoding="utf-8") as stream:
                stream.write('{"file":"sweep/lr=0.1_wd=0.h5","dataset":"/epoch_3/emb","rankme":2.0,"status":"ok"}\n'
                             '{"file":"sweep/lr=0.2_wd=0.h5","dataset":"/epoch_3/emb","rankme":2.0,"status":"ok",'
                             '"params":{"lr":0.5}}\n')
            old, new = reader.read_results(path).results
            self.assertEqual(old.params, {"lr": 0.1, "wd": 0.0, "epoch": 3.0})
            self.assertEqual(old.position, {"epoch": 3.0})
            self.assertEqual(new.params, {"lr": 0.5})  # rankme's params as written (attributes win there)
            self.assertEqual(new.position, {})

    def test_spectrum_paths_as_rankme_writes_them(self):
        self.assertEqual(reader.spectrum_path("runs/a%b.h5", "/x/emb"), "/runs%2Fa%25b.h5/x/emb")
        self.assertEqual(reader.spectrum_path("a.npy", "/"), "/a.npy")
        result = reader.Result(file="t.h5", dataset="/tokens", status="ok", rankme=1.0, pool="mean")
        self.assertEqual(reader.spectrum_path(result.file, result.named_dataset), "/t.h5/tokens@mean")


class Figures(WithSweep):
    """What the figures draw, read back from matplotlib's artists."""

    @staticmethod
    def crosses(axes):
        return [line for line in axes.lines if line.get_marker() == "x"]

    def test_rankme_against_the_hyperparameter_marks_the_diverged_run(self):
        from rankme_report import figures

        figure, caption = figures.rankme_against_param(self.jsonl.results, "lr", "wd", "last")
        axes = figure.axes[0]
        self.assertEqual(axes.get_xscale(), "log")  # lr spans two decades
        (cross,) = self.crosses(axes)
        self.assertEqual(list(cross.get_xdata()), [0.01])  # the run that blew up, at its lr
        self.assertEqual(cross.get_color(), figures.DIVERGED_COLOUR)
        labels = [text.get_text() for text in axes.get_legend().get_texts()]
        self.assertEqual(labels, ["wd = 0", "wd = 0.05", "diverged (nonfinite): 1"])
        curves = [line for line in axes.lines if line.get_marker() == "o"]
        self.assertEqual(sorted(len(line.get_xdata()) for line in curves), [3, 4])  # 3 + 4 scored runs
        self.assertIn("7 scored, 1 diverged", caption)
        # Its best checkpoint was scored (epoch 20): with --at best nothing is diverged.
        figure, caption = figures.rankme_against_param(self.jsonl.results, "lr", "wd", "best")
        self.assertEqual(self.crosses(figure.axes[0]), [])
        self.assertIn("8 scored, 0 diverged", caption)

    def test_rankme_against_epoch_has_a_line_per_run(self):
        from rankme_report import figures

        figure, _ = figures.rankme_against_position(self.csv.results)
        axes = figure.axes[0]
        curves = [line for line in axes.lines if line.get_marker() == "o" and line.get_linestyle() == "-"]
        self.assertEqual(len(curves), 8)
        self.assertEqual(sorted(len(line.get_xdata()) for line in curves), [2] + [5] * 7)
        (cross,) = self.crosses(axes)
        self.assertEqual(list(cross.get_xdata()), [30, 40, 50])

    def test_sections_without_data_give_their_reason(self):
        from rankme_report import figures

        flat = [reader.Result(file="a.h5", dataset="/x", status="ok", rankme=2.0)]
        for made in (figures.rankme_against_position(flat), figures.lidar_against_rankme(flat),
                     figures.rankme_against_param(flat, "lr", None, "last"), figures.spectra_figure([])):
            self.assertIsNone(made[0])
            self.assertTrue(made[1])


class CommandLine(Files):
    def report(self, *arguments):
        return subprocess.run([sys.executable, os.path.join(SCRIPTS, "report"), *arguments], capture_output=True,
                              text=True, timeout=120)

    def test_usage_errors_are_one_line_and_write_nothing(self):
        make_results.write_all(self.directory.name)
        results = os.path.join(self.directory.name, "results.jsonl")
        out = os.path.join(self.directory.name, "out")
        cases = [(("--x", "momentum"), "--x momentum: no result has that param (the params are: lr, wd, opt)"),
                 (("--color", "epoch"), "--color epoch: a checkpoint position"),
                 (("--spectrum", os.path.join(self.directory.name, "none.h5")), "cannot open spectrum file"),
                 (("--at", "first"), "invalid choice: 'first'")]
        for arguments, message in cases:
            completed = self.report(results, "--out", out, *arguments)
            self.assertEqual(completed.returncode, 2, arguments)
            self.assertIn(message, completed.stderr)
            self.assertFalse(os.path.exists(out), arguments)
        completed = self.report(os.path.join(self.directory.name, "none.jsonl"), "--out", out)
        self.assertEqual(completed.returncode, 2)
        self.assertIn("report: error: cannot read results file", completed.stderr)

    def test_sections_without_data_say_so_and_draw_nothing(self):
        path = self.write("flat.jsonl", '{"file":"a.h5","dataset":"/x","rankme":3.0,"status":"ok"}\n'
                                        '{"file":"b.h5","dataset":"/x","rankme":null,"status":"nonfinite"}\n')
        out = os.path.join(self.directory.name, "flat")
        completed = self.report(path, "--out", out)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(os.listdir(out), ["report.html"])
        with open(os.path.join(out, "report.html"), encoding="utf-8") as stream:
            text = stream.read()
        self.assertNotIn("<img", text)
        for note in ("no result has an epoch or step", "no hyperparameter", "no --spectrum file given",
                     "no result carries a LiDAR"):
            self.assertIn(note, text)


class PlotSpectra(Files):
    def test_plot_spectra_reads_rankmes_csv(self):
        make_results.write_all(self.directory.name)
        pictures = []
        for name in ("results.csv", "results.jsonl"):
            png = os.path.join(self.directory.name, name + ".png")
            completed = subprocess.run([sys.executable, os.path.join(SCRIPTS, "plot_spectra.py"),
                                        os.path.join(self.directory.name, "spectra.h5"),
                                        os.path.join(self.directory.name, name), "--param", "lr=([0-9.e+-]+)",
                                        "--out", png], capture_output=True, text=True, timeout=120)
            self.assertEqual(completed.returncode, 0, completed.stderr)
            self.assertIn("(37 spectra, 37 points)", completed.stderr)  # the 37 scored of 41
            with open(png, "rb") as stream:
                pictures.append(stream.read())
        self.assertEqual(pictures[0][:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(pictures[0], pictures[1], "the same picture from either format")


if __name__ == "__main__":
    unittest.main(verbosity=2)
