"""The report as one self-contained HTML page: inline CSS, every image a data: URI, no external reference.
A small inline script marks each image's load state on window load (data-loaded="true|false" on the <img>,
data-images-loaded="loaded/total" on <body>), which tests/scripts/test_report_browser.py reads back from a
headless browser."""
import base64
import html
import math
from typing import List, Optional

from .results import Result, Results, format_value
from .runs import best_of, by_run, position_key

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1200px;
       color: #222; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.summary { color: #555; margin-top: 0; }
p.note { color: #777; font-style: italic; }
figure { margin: 0.8em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.table-wrap { overflow-x: auto; max-height: 640px; overflow-y: auto; border: 1px solid #eee; }
table { border-collapse: collapse; font-size: 0.85em; white-space: nowrap; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; }
th { background: #f6f6f6; position: sticky; top: 0; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.nonfinite td { color: #b00; }
tr.error td { color: #888; }
"""

LOAD_CHECK = """
window.addEventListener("load", function () {
  var images = document.images, loaded = 0;
  for (var i = 0; i < images.length; i++) {
    var ok = images[i].complete && images[i].naturalWidth > 0;
    images[i].setAttribute("data-loaded", ok ? "true" : "false");
    if (ok) loaded++;
  }
  document.body.setAttribute("data-images-loaded", loaded + "/" + images.length);
});
"""


def _number(value: Optional[float], digits: int = 4) -> str:
    if value is None:
        return ""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # numerical_rank, counts
    return f"{value:.{digits}f}" if abs(value) < 1e6 else f"{value:.4g}"


def _cell(text: str, number: bool = False) -> str:
    return f'<td class="number">{html.escape(text)}</td>' if number else f"<td>{html.escape(text)}</td>"


def leaderboard_order(results: List[Result]) -> List[Result]:
    """Scored results by RankMe, highest first; then the diverged; then those that could not be read."""
    rank = {"ok": 0, "nonfinite": 1, "error": 2}
    return sorted(results, key=lambda r: (0 if r.scored else 1 + rank.get(r.status, 2),
                                          -(r.rankme if r.scored else 0.0)))


def leaderboard_table(results: Results, rows: List[Result], with_run: bool) -> str:
    params = results.param_keys
    metrics = results.metrics_present
    lidar = results.has_lidar
    errors = any(r.error for r in rows)
    # What picks a checkpoint first (its scores and hyperparameters, then where it is), the other metrics after.
    header = ["#", "status", "RankMe"] + (["LiDAR"] if lidar else []) + params + (["run"] if with_run else [])
    header += ["file", "dataset"] + metrics + ["rows", "cols", "dtype"] + (["error"] if errors else [])
    lines = ["<div class=\"table-wrap\"><table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"]
    for index, r in enumerate(rows, 1):
        cells = [_cell(str(index), True), _cell(r.status), _cell(_number(r.rankme) if r.rankme is not None else "", True)]
        if lidar:
            cells.append(_cell(_number(r.lidar), True))
        cells += [_cell(format_value(r.params[key]) if key in r.params else "", isinstance(r.params.get(key), float))
                  for key in params]
        if with_run:
            cells.append(_cell(r.run))
        cells += [_cell(r.file), _cell(r.named_dataset)]
        cells += [_cell(_number(r.metrics.get(name)), True) for name in metrics]
        rows_text = "" if r.rows is None else (str(r.rows) if r.rows_used in (None, 0, r.rows) else f"{r.rows_used} of {r.rows}")
        cells += [_cell(rows_text, True), _cell("" if r.cols is None else str(r.cols), True), _cell(r.dtype)]
        if errors:
            cells.append(_cell(r.error))
        lines.append(f'<tr class="{html.escape(r.status)}">' + "".join(cells) + "</tr>")
    lines.append("</table></div>")
    return "\n".join(lines)


def image_tag(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


class Page:
    def __init__(self, title: str):
        self.title = title
        self.parts: List[str] = []

    def heading(self, text: str, anchor: str) -> None:
        self.parts.append(f'<h2 id="{anchor}">{html.escape(text)}</h2>')

    def paragraph(self, text: str, css: str = "") -> None:
        klass = f' class="{css}"' if css else ""
        self.parts.append(f"<p{klass}>{html.escape(text)}</p>")

    def note(self, text: str) -> None:
        self.paragraph(text, "note")

    def raw(self, markup: str) -> None:
        self.parts.append(markup)

    def figure(self, png: bytes, alt: str, caption: str) -> None:
        self.parts.append(f"<figure>{image_tag(png, alt)}<figcaption>{html.escape(caption)}</figcaption></figure>")

    def text(self) -> str:
        return "\n".join([
            "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(self.title)}</title>", f"<style>{STYLE}</style>",
            f"<script>{LOAD_CHECK}</script>", "</head>", "<body>", f"<h1>{html.escape(self.title)}</h1>",
            *self.parts, "</body>", "</html>", ""])


def summary(results: Results) -> str:
    counts = {status: sum(1 for r in results.results if r.status == status) for status in ("ok", "nonfinite", "error")}
    runs = by_run(results.results)
    text = (f"{len(results.results)} results from {results.path} ({results.format}): {counts['ok']} ok, "
            f"{counts['nonfinite']} diverged (nonfinite), {counts['error']} unreadable; {len(runs)} runs")
    key = position_key(results.results)
    if key:
        text += f", checkpoints by {key}"
    if results.skipped:
        text += f"; {len(results.skipped)} lines skipped (first: {results.skipped[0]})"
    return text + "."


def best_per_run_rows(results: List[Result]) -> List[Result]:
    """Each run's best checkpoint by RankMe, as --best-per run picks it (sweep/best_per_group.cpp): the first
    of equal scores; a run with none scored shows its first diverged checkpoint, else its first error."""
    chosen = []
    for members in by_run(results).values():
        best = best_of(members)
        diverged = [r for r in members if r.diverged]
        chosen.append(best if best is not None else diverged[0] if diverged else members[0])
    return leaderboard_order(chosen)
