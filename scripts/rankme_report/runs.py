"""Results grouped by run and ordered by checkpoint, and the choices the report makes from them: which
position axis (epoch or step), which checkpoint stands for a run, which hyperparameters vary."""
import math
import os
from typing import Dict, List, Optional, Tuple

from .results import ParamValue, Result, format_value

# A colour param with at most this many values gets a legend entry per value; more get a colour bar.
MAX_DISCRETE_COLOURS = 8


def position_key(results: List[Result]) -> Optional[str]:
    """"epoch" when any result has one, else "step" when any has one, else None."""
    for key in ("epoch", "step"):
        if any(key in r.position for r in results):
            return key
    return None


def by_run(results: List[Result]) -> Dict[str, List[Result]]:
    """Each run's results, the runs in order of first appearance, each run's checkpoints by position."""
    key = position_key(results)
    runs: Dict[str, List[Result]] = {}
    for result in results:
        runs.setdefault(result.run, []).append(result)
    if key:
        for members in runs.values():
            members.sort(key=lambda r: r.position.get(key, math.inf))
    return runs


def best_of(members: List[Result]) -> Optional[Result]:
    """The checkpoint with the highest RankMe, None when none was scored."""
    scored = [r for r in members if r.scored]
    return max(scored, key=lambda r: r.rankme) if scored else None


def representative(members: List[Result], at: str) -> List[Result]:
    """The checkpoints that stand for a run in RankMe-against-a-hyperparameter: "last" (the latest
    position, which shows a run that diverged late as diverged), "best" (the highest RankMe, else the
    diverged checkpoint when none was scored) or "all"."""
    if at == "all":
        return list(members)
    if at == "best":
        best = best_of(members)
        if best is not None:
            return [best]
        diverged = [r for r in members if r.diverged]
        return diverged[-1:]
    return members[-1:]  # "last": members are in position order


def _distinct(values: List[ParamValue]) -> int:
    return len({format_value(v) for v in values})


def varying_params(results: List[Result]) -> List[str]:
    """The hyperparameters (params without epoch/step) that take two or more values, the numeric ones first,
    then by how many values they take (most first), then in order of first appearance."""
    order: List[str] = []
    values: Dict[str, List[ParamValue]] = {}
    for result in results:
        for key, value in result.hyperparams.items():
            if key not in values:
                order.append(key)
                values[key] = []
            values[key].append(value)
    varying = [key for key in order if _distinct(values[key]) >= 2]
    numeric = {key: all(isinstance(v, float) for v in values[key]) for key in varying}
    return sorted(varying, key=lambda key: (not numeric[key], -_distinct(values[key]), order.index(key)))


def is_identifier(key: str) -> bool:
    """A param that names a run rather than configures it (run, id, seed, data_seed, ...): never chosen as
    an axis or a colour automatically."""
    lower = key.lower()
    return lower in ("run", "id", "name") or "seed" in lower


def automatic_axes(results: List[Result], discrete_colours: int) -> Tuple[Optional[str], Optional[str]]:
    """(x, colour) when not given: x is the hyperparameter that varies most (numbers first); the colour is the
    next one, preferring those with at most `discrete_colours` values (a legend reads better than a colour
    bar). Identifiers (is_identifier) are left out."""
    varying = [key for key in varying_params(results) if not is_identifier(key)]
    if not varying:
        return None, None
    x, others = varying[0], varying[1:]
    counts = {key: _distinct([r.params[key] for r in results if key in r.params]) for key in others}
    few = [key for key in others if counts[key] <= discrete_colours]
    return x, (few or others or [None])[0]


def short_labels(names: List[str]) -> Dict[str, str]:
    """Run names without what they all share: the common leading directory and a common ":/dataset" end."""
    if len(names) < 2:
        return {name: name for name in names}
    prefix = os.path.commonprefix(names)
    prefix = prefix[:prefix.rfind("/") + 1] if "/" in prefix else ""
    reversed_suffix = os.path.commonprefix([name[::-1] for name in names])[::-1]
    suffix = reversed_suffix[reversed_suffix.find(":"):] if ":" in reversed_suffix else ""
    labels = {}
    for name in names:
        label = name[len(prefix):len(name) - len(suffix)] if suffix else name[len(prefix):]
        labels[name] = label or name
    if len(set(labels.values())) < len(names):
        return {name: name for name in names}
    return labels


def ellipsis(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[:width - 1] + "\u2026"


def axis_scale(values: List[float]) -> Tuple[str, Optional[float]]:
    """"log" for positive values spanning a decade or more, "symlog" (linear below the smallest positive
    value) when zero joins such values, else "linear"."""
    positive = [v for v in values if v > 0]
    if not positive or any(v < 0 for v in values) or max(positive) / min(positive) < 10:
        return "linear", None
    if len(positive) == len(values):
        return "log", None
    return "symlog", min(positive)
