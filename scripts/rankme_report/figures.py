"""The report's figures. Each function returns (figure, caption) or (None, why not): a section without data
is left out with a one-line note, never drawn empty."""
import math
from typing import Dict, List, Optional, Tuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402

from .results import Result, format_value  # noqa: E402
from .runs import (MAX_DISCRETE_COLOURS, axis_scale, best_of, by_run, ellipsis, is_identifier,  # noqa: E402
                   position_key, representative, short_labels)
from .spectra import Spectrum  # noqa: E402

FIGURE_SIZE = (9.0, 5.0)  # inches, at 100 dpi: 900 x 500 pixels
DIVERGED_COLOUR = "tab:red"
MAX_LEGEND = 12
MAX_JOINED_X = 12  # more x values than this (a random search) are points, not curves


def run_colours(runs: List[str]) -> Dict[str, tuple]:
    """One colour per run, the same in every figure: tab10/tab20 for few runs, viridis for many."""
    if len(runs) <= 10:
        palette = matplotlib.colormaps["tab10"]
        return {run: palette(i) for i, run in enumerate(runs)}
    if len(runs) <= 20:
        palette = matplotlib.colormaps["tab20"]
        return {run: palette(i) for i, run in enumerate(runs)}
    palette = matplotlib.colormaps["viridis"]
    return {run: palette(i / (len(runs) - 1)) for i, run in enumerate(runs)}


def _legend(axes, count: int) -> None:
    if 0 < count <= MAX_LEGEND:
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)


def _integer_ticks(axes, positions: List[float]) -> None:
    """Epochs and steps are whole numbers: no tick at epoch 1.25."""
    if axes.get_xscale() == "linear" and all(float(p).is_integer() for p in positions):
        axes.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def _mark_diverged_at_bottom(axes, xs: List[float], label: str) -> None:
    """Diverged checkpoints as red crosses on the bottom edge (x in data, y in axes coordinates), so that
    they show where they are on x without claiming a RankMe."""
    if not xs:
        return
    if axes.lines:  # room below the lowest score, so that no cross sits on a point
        low, high = axes.get_ylim()
        axes.set_ylim(low - 0.12 * (high - low), high)
    transform = axes.get_xaxis_transform()
    axes.plot(xs, [0.03] * len(xs), linestyle="none", marker="x", markersize=10, markeredgewidth=2.5,
              color=DIVERGED_COLOUR, transform=transform, clip_on=False, label=label, zorder=5)
    if len(xs) <= 8:
        for x in xs:
            axes.annotate("diverged", (x, 0.03), xycoords=transform, xytext=(6, 4), textcoords="offset points",
                          color=DIVERGED_COLOUR, fontsize="x-small")


def rankme_against_position(results: List[Result]):
    key = position_key(results)
    if key is None:
        return None, "no result has an epoch or step (in its params or its path), so there is no curve per run"
    runs = by_run(results)
    positioned = {run: [r for r in members if key in r.position] for run, members in runs.items()}
    positioned = {run: members for run, members in positioned.items() if members}
    if not any(r.scored for members in positioned.values() for r in members):
        return None, f"no checkpoint with a {key} has a RankMe"
    labels = short_labels(list(runs))
    colours = run_colours(list(runs))
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, constrained_layout=True)
    diverged_xs = []
    crowded = len(positioned) > MAX_LEGEND  # thin lines, and no circles, for many runs
    for run, members in positioned.items():
        scored = [r for r in members if r.scored]
        if scored:
            axes.plot([r.position[key] for r in scored], [r.rankme for r in scored], marker="o",
                      markersize=2 if crowded else 4, linewidth=0.7 if crowded else 1.5, alpha=0.6 if crowded else 1,
                      color=colours[run], label=ellipsis(labels[run]))
            best = best_of(members)
            if not crowded:
                axes.plot([best.position[key]], [best.rankme], marker="o", markersize=10, fillstyle="none",
                          color=colours[run], linestyle="none")
        diverged_xs += [r.position[key] for r in members if r.diverged]
    _mark_diverged_at_bottom(axes, diverged_xs, f"diverged (nonfinite): {len(diverged_xs)}")
    xs = [r.position[key] for members in positioned.values() for r in members]
    if key == "step" and axis_scale(xs)[0] == "log" and max(xs) / min(xs) >= 1000:
        axes.set_xscale("log")
    _integer_ticks(axes, xs)
    axes.set_xlabel(key)
    axes.set_ylabel("RankMe")
    axes.set_title(f"RankMe against {key}, one line per run" + ("" if crowded else " (circled: each run's best)"))
    axes.grid(True, alpha=0.3)
    _legend(axes, len(positioned) + (1 if diverged_xs else 0))
    caption = (f"{len(positioned)} runs, as --best-per run groups them: the run param, else the path with the "
               "checkpoint's number as * (docs/report.md).")
    if len(positioned) > MAX_LEGEND:
        caption += f" Legend left out for {len(positioned)} runs; the leaderboard names them."
    missing = sum(1 for members in runs.values() for r in members if key not in r.position)
    if missing:
        caption += f" {missing} results without a {key} are not drawn."
    return figure, caption


def _positions_on_axis(values: List, numeric: bool) -> Tuple[List[float], List[str]]:
    if numeric:
        return [float(v) for v in values], []
    categories = sorted({format_value(v) for v in values})
    return [float(categories.index(format_value(v))) for v in values], categories


def rankme_against_param(results: List[Result], x: str, colour: Optional[str], at: str):
    runs = by_run(results)
    chosen = [r for members in runs.values() for r in representative(members, at)]
    with_x = [r for r in chosen if x in r.hyperparams and (r.scored or r.diverged)]
    if not any(r.scored for r in with_x) and not any(r.diverged for r in with_x):
        return None, f"no result has the hyperparameter '{x}' and a RankMe (or a divergence) to draw"
    numeric = all(isinstance(r.hyperparams[x], float) for r in with_x)
    positions, categories = _positions_on_axis([r.hyperparams[x] for r in with_x], numeric)
    where = {id(r): p for r, p in zip(with_x, positions)}

    figure, axes = plt.subplots(figsize=FIGURE_SIZE, constrained_layout=True)
    scored = [r for r in with_x if r.scored]
    colour_values = [r.hyperparams.get(colour) for r in scored] if colour else []
    colour_numeric = bool(colour_values) and all(isinstance(v, float) for v in colour_values)
    groups: Dict[str, List[Result]] = {}
    for r in scored:
        value = r.hyperparams.get(colour) if colour else None
        groups.setdefault("(none)" if value is None else format_value(value), []).append(r)
    # The runs of one colour joined along x when that makes a curve, as in a grid sweep: a few x values, one
    # point per x in every colour (not with --at all), and nothing else varying along the line (a third
    # hyperparameter would make it zigzag between unrelated runs).
    others = {key for r in scored for key in r.hyperparams if key not in (x, colour) and not is_identifier(key)}
    one_per_x = all(len({where[id(r)] for r in members}) == len(members) for members in groups.values())
    nothing_else = all(len({format_value(r.hyperparams.get(key, "")) for r in members}) == 1
                       for members in groups.values() for key in others)
    few_x = len(set(positions)) <= MAX_JOINED_X
    linestyle = "-" if one_per_x and nothing_else and few_x else "none"
    if colour_numeric and len(groups) > MAX_DISCRETE_COLOURS:
        # Many values: a colour scale (log for positive values spanning a decade or more) and its bar; points
        # only, as a value shared by a few runs makes no curve.
        values = [float(v) for v in colour_values]
        norm = (matplotlib.colors.LogNorm(vmin=min(values), vmax=max(values)) if axis_scale(values)[0] == "log" else
                matplotlib.colors.Normalize(vmin=min(values), vmax=max(values)))
        palette = matplotlib.colormaps["viridis"]
        for members in groups.values():
            members.sort(key=lambda r: where[id(r)])
            axes.plot([where[id(r)] for r in members], [r.rankme for r in members], linestyle="none", marker="o",
                      color=palette(norm(float(members[0].hyperparams[colour]))), alpha=0.9)
        figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=palette), ax=axes).set_label(colour)
    else:
        # Few values (or names): one legend entry each, numbers in their order along a colour scale.
        if colour_numeric:
            names = sorted(groups, key=lambda name: float(name))
            palette = matplotlib.colormaps["viridis"]
            tones = {name: palette(0.85 * i / max(len(names) - 1, 1)) for i, name in enumerate(names)}
        else:
            names = sorted(groups)
            palette = matplotlib.colormaps["tab10"]
            tones = {name: palette(i % 10) for i, name in enumerate(names)}
        for name in names:
            members = sorted(groups[name], key=lambda r: where[id(r)])
            axes.plot([where[id(r)] for r in members], [r.rankme for r in members], linestyle=linestyle, marker="o",
                      color=tones[name] if colour else "tab:blue", label=f"{colour} = {name}" if colour else None)
    diverged = [r for r in with_x if r.diverged]
    _mark_diverged_at_bottom(axes, [where[id(r)] for r in diverged], f"diverged (nonfinite): {len(diverged)}")
    if numeric:
        scale, threshold = axis_scale(positions)
        if scale == "log":
            axes.set_xscale("log")
        elif scale == "symlog":
            axes.set_xscale("symlog", linthresh=threshold)
    else:
        axes.set_xticks(range(len(categories)), categories, rotation=30 if len(categories) > 6 else 0)
    if not scored:
        axes.set_ylim(0, 1)
    axes.set_xlabel(x)
    axes.set_ylabel("RankMe")
    which = {"last": "each run's last checkpoint", "best": "each run's best checkpoint",
             "all": "every checkpoint"}[at]
    axes.set_title(f"RankMe against {x}" + (f", coloured by {colour}" if colour else "") + f" ({which})")
    axes.grid(True, alpha=0.3)
    handles, _ = axes.get_legend_handles_labels()
    _legend(axes, len(handles))
    left_out = len([r for r in chosen if x not in r.hyperparams])
    caption = (f"x: {x}, colour: {colour or '(none)'}; {which}: {len(scored)} scored, {len(diverged)} diverged "
               "(red crosses on the bottom edge: the embeddings held NaN or infinity, so there is no RankMe).")
    if left_out:
        caption += f" {left_out} without '{x}' are not drawn."
    errors = sum(1 for r in chosen if x in r.hyperparams and r.status == "error")
    if errors:
        caption += f" {errors} that could not be read are in the leaderboard only."
    return figure, caption


def spectra_figure(spectra: List[Spectrum]):
    drawn = []
    for spectrum in spectra:
        values = spectrum.values
        if values.size == 0 or not np.all(np.isfinite(values)) or not values[0] > 0:
            continue
        rankme = spectrum.rankme
        if rankme is None and spectrum.result is not None and spectrum.result.scored:
            rankme = spectrum.result.rankme
        drawn.append((rankme, values / values[0]))
    if not drawn:
        return None, "the spectrum file holds no finite, non-zero spectrum"
    with_rankme = [rankme for rankme, _ in drawn if rankme is not None]
    low, high = (min(with_rankme), max(with_rankme)) if with_rankme else (0.0, 1.0)
    norm = matplotlib.colors.Normalize(vmin=low, vmax=high if high > low else low + 1)
    palette = matplotlib.colormaps["viridis"]
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, constrained_layout=True)
    for rankme, values in sorted(drawn, key=lambda item: -math.inf if item[0] is None else item[0]):
        k = np.arange(1, values.size + 1)
        positive = values > 0  # exact zeros (a rank-deficient matrix) have no place on a log axis
        axes.loglog(k[positive], values[positive], linewidth=1.2,
                    color="0.6" if rankme is None else palette(norm(rankme)))
    bar = figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=palette), ax=axes)
    bar.set_label("RankMe")
    axes.set_xlabel("k")
    axes.set_ylabel("$s_k / s_1$")
    axes.set_title("Normalised singular value spectra, coloured by RankMe")
    axes.grid(True, which="major", alpha=0.3)
    skipped = len(spectra) - len(drawn)
    caption = f"{len(drawn)} spectra (a flatter spectrum is a higher RankMe)."
    if skipped:
        caption += f" {skipped} not drawn (empty, all zero or not finite: diverged)."
    return figure, caption


def lidar_against_rankme(results: List[Result]):
    both = [r for r in results if r.scored and r.lidar is not None and math.isfinite(r.lidar)]
    if not both:
        return None, "no result has both a RankMe and a LiDAR"
    every_run = list(by_run(results))
    colours = run_colours(every_run)
    labels = short_labels(every_run)
    runs = list(dict.fromkeys(r.run for r in both))
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, constrained_layout=True)
    for run in runs:
        members = [r for r in both if r.run == run]
        axes.scatter([r.rankme for r in members], [r.lidar for r in members], s=25, color=colours[run],
                     label=ellipsis(labels[run]))
    correlation = ""
    if len(both) >= 3:
        rankmes = np.array([r.rankme for r in both])
        lidars = np.array([r.lidar for r in both])
        if np.ptp(rankmes) > 0 and np.ptp(lidars) > 0:
            correlation = f"; Pearson r = {np.corrcoef(rankmes, lidars)[0, 1]:.3f}"
    axes.set_xlabel("RankMe")
    axes.set_ylabel("LiDAR")
    axes.set_title(f"LiDAR against RankMe ({len(both)} checkpoints{correlation})")
    axes.grid(True, alpha=0.3)
    _legend(axes, len(runs))
    return figure, "Each point is one checkpoint, coloured by run."


def lidar_against_position(results: List[Result]):
    key = position_key(results)
    if key is None:
        return None, "no result has an epoch or step, so LiDAR has no curve per run"
    with_lidar = [r for r in results if key in r.position and r.lidar is not None and math.isfinite(r.lidar)]
    if not with_lidar:
        return None, f"no result has both a {key} and a LiDAR"
    runs = by_run(with_lidar)
    every_run = list(by_run(results))
    colours = run_colours(every_run)
    labels = short_labels(every_run)
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, constrained_layout=True)
    for run, members in runs.items():
        axes.plot([r.position[key] for r in members], [r.lidar for r in members], marker="s", markersize=4,
                  color=colours[run], label=ellipsis(labels[run]))
    _integer_ticks(axes, [r.position[key] for r in with_lidar])
    axes.set_xlabel(key)
    axes.set_ylabel("LiDAR")
    axes.set_title(f"LiDAR against {key}, one line per run")
    axes.grid(True, alpha=0.3)
    _legend(axes, len(runs))
    return figure, "The same runs and colours as RankMe against " + key + "."
