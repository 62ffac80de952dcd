"""scripts/report: the command line and the order of the sections."""
import argparse
import io
import os
import sys
from typing import List, Optional

from .results import Results, ResultsError, read_results
from .runs import MAX_DISCRETE_COLOURS, automatic_axes, is_identifier, position_key, varying_params
from .page import Page, best_per_run_rows, leaderboard_order, leaderboard_table, summary

DESCRIPTION = """Writes a self-contained HTML report of a sweep scored by rankme (one file, the figures inline),
plus the figures as PNGs, into --out.

    rankme --output results.jsonl --spectrum spectra.h5 sweep/
    scripts/report results.jsonl --spectrum spectra.h5 --out report/
    xdg-open report/report.html

Sections: the leaderboard and each run's best checkpoint; RankMe against epoch (or step), one line per run;
RankMe against a hyperparameter (--x) coloured by another (--color), diverged runs marked; the spectra
(--spectrum); LiDAR beside RankMe when the results carry it. docs/report.md describes each."""


def fail(message: str) -> None:
    print(f"report: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_arguments(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="report", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="results written by rankme: JSON lines or CSV (--output or --format)")
    parser.add_argument("--spectrum", metavar="FILE", help="the HDF5 file written by rankme --spectrum")
    parser.add_argument("--out", metavar="DIR", default="report",
                        help="directory for report.html and the PNGs (created; default: %(default)s)")
    parser.add_argument("--x", metavar="PARAM", help="hyperparameter on the x axis (default: the numeric one that "
                        "takes the most values)")
    parser.add_argument("--color", "--colour", dest="color", metavar="PARAM",
                        help="hyperparameter that colours the points (default: the next one that varies most)")
    parser.add_argument("--at", choices=("last", "best", "all"), default="last",
                        help="which checkpoints of a run RankMe-against-a-hyperparameter draws (default: %(default)s)")
    parser.add_argument("--title", help="the page's title (default: 'RankMe report: <results file name>')")
    return parser.parse_args(argv)


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


class Writer:
    """Puts each figure on the page and beside it as a PNG; a section without data gets its note."""

    def __init__(self, page: Page, directory: str):
        self.page = page
        self.directory = directory
        self.written: List[str] = []

    def figure(self, name: str, made, alt: str) -> None:
        figure, caption = made
        if figure is None:
            self.page.note(f"Not drawn: {caption}.")
            return
        png = _png(figure)
        path = os.path.join(self.directory, name + ".png")
        with open(path, "wb") as stream:
            stream.write(png)
        self.written.append(path)
        self.page.figure(png, alt, caption)


def choose_axes(results: Results, x: Optional[str], colour: Optional[str]):
    """(x, colour): the user's choices, checked, or the automatic ones (runs.automatic_axes)."""
    keys = [k for k in results.param_keys if k not in ("epoch", "step")]
    for name, flag in ((x, "--x"), (colour, "--color")):
        if name in ("epoch", "step"):
            fail(f"{flag} {name}: a checkpoint position, drawn in RankMe against {name}; choose a hyperparameter" +
                 (f" ({', '.join(keys)})" if keys else ""))
        if name is not None and name not in keys:
            fail(f"{flag} {name}: no result has that param" +
                 (f" (the params are: {', '.join(keys)})" if keys else " (the results carry no params)"))
    automatic_x, automatic_colour = automatic_axes(results.results, MAX_DISCRETE_COLOURS)
    if x is None:
        x = automatic_x
    if x is None:
        return None, None
    if colour is None:
        colour = automatic_colour
        if colour == x or colour is None:  # --x took the automatic colour: the next one
            others = [k for k in varying_params(results.results) if k != x and not is_identifier(k)]
            colour = others[0] if others else None
    return x, (None if colour == x else colour)


def build(arguments: argparse.Namespace) -> str:
    from . import figures  # matplotlib loads only once the arguments are good

    try:
        results = read_results(arguments.results)
    except ResultsError as error:
        fail(str(error))
    x, colour = choose_axes(results, arguments.x, arguments.color)
    spectra = None
    if arguments.spectrum is not None:  # read before anything is written: a bad file leaves no half report
        from .spectra import SpectrumError, read_spectra

        try:
            spectra = read_spectra(arguments.spectrum, results.results)
        except SpectrumError as error:
            fail(str(error))
    try:
        os.makedirs(arguments.out, exist_ok=True)
    except OSError as error:
        fail(f"cannot create '{arguments.out}': {error.strerror}")
    title = arguments.title or f"RankMe report: {os.path.basename(arguments.results)}"
    page = Page(title)
    writer = Writer(page, arguments.out)
    page.paragraph(summary(results), "summary")
    rows = results.results

    page.heading("Leaderboard", "leaderboard")
    page.paragraph("Every result, highest RankMe first; diverged (nonfinite) and unreadable results last.")
    page.raw(leaderboard_table(results, leaderboard_order(rows), with_run=False))
    key = position_key(rows)
    if key:
        page.heading("Best checkpoint per run", "best-per-run")
        page.paragraph(f"Each run's checkpoint with the highest RankMe, with its {key}.")
        page.raw(leaderboard_table(results, best_per_run_rows(rows), with_run=True))

    page.heading(f"RankMe against {key or 'epoch'}", "rankme-position")
    writer.figure("rankme_vs_" + (key or "epoch"), figures.rankme_against_position(rows), "RankMe against checkpoint")

    page.heading("RankMe against a hyperparameter", "rankme-param")
    if x is None:
        page.note("Not drawn: no hyperparameter (a param other than epoch and step) takes two or more values.")
    else:
        writer.figure("rankme_vs_param", figures.rankme_against_param(rows, x, colour, arguments.at),
                      f"RankMe against {x}")

    page.heading("Spectra", "spectra")
    if spectra is None:
        page.note("Not drawn: no --spectrum file given (rankme --spectrum FILE.h5 writes one).")
    else:
        writer.figure("spectra", figures.spectra_figure(spectra), "singular value spectra")

    page.heading("LiDAR", "lidar")
    if not results.has_lidar:
        page.note("Not drawn: no result carries a LiDAR (rankme --lidar with view groups computes it).")
    else:
        writer.figure("lidar_vs_rankme", figures.lidar_against_rankme(rows), "LiDAR against RankMe")
        writer.figure("lidar_vs_" + (key or "epoch"), figures.lidar_against_position(rows), "LiDAR against checkpoint")

    path = os.path.join(arguments.out, "report.html")
    try:
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(page.text())
    except OSError as error:
        fail(f"cannot write '{path}': {error.strerror}")
    print(f"report: wrote {path} ({len(rows)} results, {len(writer.written)} figures)", file=sys.stderr)
    return path


def main(argv: Optional[List[str]] = None) -> None:
    build(parse_arguments(argv))
