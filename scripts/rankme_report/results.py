"""rankme's results, from either of its formats: JSON lines (--format jsonl, --output x.jsonl) or CSV
(--format csv, --output x.csv). Each scored dataset becomes one Result; a dataset scored again (--resume, a
second run appending to the same --output) keeps its last ok or nonfinite line, else its last error, as
rankme-merge does.

What a result says about its run (rankme_report/path_params.py is a port of rankme's own path rules):
- params: as rankme wrote them; a result without any (written before rankme had params) gets what its path
  spells, which is what rankme finds there today;
- its checkpoint position: params["epoch"] or params["step"] when they are numbers;
- its run, as `rankme --best-per run` defines it: params["run"] when there is one, else the file as given and
  the dataset path with the number of every checkpoint position replaced by '*' ("sweep.h5:/lr=0.1/epoch_*/emb"),
  so that every checkpoint of one run shares it whatever the layout (one file per run, one group per run, one
  file per checkpoint). docs/report.md says the same.
"""
import csv
import io
import json
import math
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Dict, List, Optional, Tuple

from .path_params import ParamValue, param_value_of, params_of_dataset_path, without_positions

# The spectral metrics other than RankMe, in rankme's column order (numerics/spectrum_metrics.cpp).
METRIC_NAMES = ("effective_rank", "stable_rank", "participation_ratio", "nesum", "alpha_req", "alpha_req_r2",
                "condition_number", "numerical_rank", "top_eigenvalue_share")
POSITION_KEYS = ("epoch", "step")
STATUSES = ("ok", "nonfinite", "error")


class ResultsError(Exception):
    """A results file that cannot be read (missing, not JSONL nor CSV, no result at all)."""


def format_value(value) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


@dataclass
class Result:
    file: str
    dataset: str
    status: str
    rankme: Optional[float]
    rows: Optional[int] = None
    rows_used: Optional[int] = None
    cols: Optional[int] = None
    dtype: str = ""
    error: str = ""
    pool: str = ""
    params: Dict[str, ParamValue] = field(default_factory=dict)
    lidar: Optional[float] = None
    metrics: Dict[str, Optional[float]] = field(default_factory=dict)
    line: int = 0  # where it was read (1-based line number, the header being line 1 in CSV)

    @property
    def key(self) -> Tuple[str, str, str]:
        """What names one scored dataset: a later line with the same key replaces an earlier one."""
        return (self.file, self.dataset, self.pool)

    @property
    def named_dataset(self) -> str:
        return self.dataset + ("@" + self.pool if self.pool else "")

    @property
    def scored(self) -> bool:
        """A RankMe to draw: status ok with a finite number."""
        return self.status == "ok" and self.rankme is not None and math.isfinite(self.rankme)

    @property
    def diverged(self) -> bool:
        """The embeddings held NaN or infinity (status nonfinite): a run that blew up, drawn as such."""
        return self.status == "nonfinite"

    @cached_property  # results are not changed once read
    def position(self) -> Dict[str, float]:
        """epoch and/or step, when params hold them as numbers."""
        return {key: self.params[key] for key in POSITION_KEYS if isinstance(self.params.get(key), float)}

    @cached_property  # results are not changed once read
    def hyperparams(self) -> Dict[str, ParamValue]:
        """params without the checkpoint position."""
        return {key: value for key, value in self.params.items() if key not in POSITION_KEYS}

    @cached_property  # results are not changed once read
    def run(self) -> str:
        """The run this checkpoint belongs to, as --best-per run groups (sweep/best_per_group.cpp)."""
        if "run" in self.params:
            return format_value(self.params["run"])
        return without_positions(self.file, True) + (":" + without_positions(self.dataset, False) if self.dataset else "")


@dataclass
class Results:
    path: str
    format: str  # "jsonl" or "csv"
    results: List[Result]
    skipped: List[str]  # "line 7: why", for lines that are not results

    @property
    def param_keys(self) -> List[str]:
        keys = []
        for result in self.results:
            for key in result.params:
                if key not in keys:
                    keys.append(key)
        return keys

    @property
    def metrics_present(self) -> List[str]:
        return [name for name in METRIC_NAMES if any(r.metrics.get(name) is not None for r in self.results)]

    @property
    def has_lidar(self) -> bool:
        return any(r.lidar is not None for r in self.results)


def _detect_format(path: str, text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("{"):
            return "jsonl"
        if next(csv.reader([stripped]))[:2] == ["file", "dataset"]:
            return "csv"
        break
    extension = os.path.splitext(path)[1].lower()
    if extension in (".jsonl", ".json"):
        return "jsonl"
    if extension == ".csv":
        return "csv"
    raise ResultsError(f"'{path}' is neither rankme's JSON lines (a '{{' first) nor its CSV (a header "
                       "'file,dataset,...' first)")


def _optional_number(value) -> Optional[float]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return float(text)  # "inf" and "nan" as rankme writes them in CSV
        except ValueError:
            return None
    return None


def _optional_int(value) -> Optional[int]:
    number = _optional_number(value)
    return int(number) if number is not None and math.isfinite(number) else None


def _checked(result: Result) -> Result:
    if result.status not in STATUSES:
        raise ValueError(f"status '{result.status}' is none of {', '.join(STATUSES)}")
    return result


def _result_of_json(row, number: int) -> Result:
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    for key in ("file", "dataset", "status"):
        if not isinstance(row.get(key), str):
            raise ValueError(f"no text '{key}'")
    params = {}
    raw_params = row.get("params")
    if isinstance(raw_params, dict):
        for key, value in raw_params.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                params[key] = float(value)
            elif isinstance(value, str):
                params[key] = value
    if not params:  # written before rankme had params, or nothing to find: what the path spells
        params = params_of_dataset_path(row["file"], row["dataset"])
    return _checked(Result(
        file=row["file"], dataset=row["dataset"], status=row["status"], rankme=_optional_number(row.get("rankme")),
        rows=_optional_int(row.get("rows")), rows_used=_optional_int(row.get("rows_used")),
        cols=_optional_int(row.get("cols")), dtype=row.get("dtype") or "", error=row.get("error") or "",
        pool=row.get("pool") or "", params=params, lidar=_optional_number(row.get("lidar")),
        metrics={name: _optional_number(row.get(name)) for name in METRIC_NAMES if name in row}, line=number))


def _read_jsonl(text: str, skipped: List[str]) -> List[Result]:
    results = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            results.append(_result_of_json(json.loads(line), number))
        except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
            skipped.append(f"line {number}: {error}")
    return results


def _read_csv(text: str, skipped: List[str]) -> List[Result]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    missing = [name for name in ("file", "dataset", "rankme", "status") if name not in header]
    if missing:
        raise ResultsError(f"the CSV header has no {', '.join(missing)} column")
    results = []
    for number, cells in enumerate(reader, 2):
        if not cells or cells == [""]:
            continue
        if len(cells) != len(header):
            skipped.append(f"line {number}: {len(cells)} fields, the header has {len(header)}")
            continue
        row = dict(zip(header, cells))
        params = {}
        for column, cell in row.items():
            if column.startswith("param.") and cell != "":
                params[column[len("param."):]] = param_value_of(cell)
        if not params:  # written before rankme had params, or nothing to find: what the path spells
            params = params_of_dataset_path(row["file"], row["dataset"])
        try:
            results.append(_checked(Result(
                file=row["file"], dataset=row["dataset"], status=row["status"],
                rankme=_optional_number(row["rankme"]), rows=_optional_int(row.get("rows")),
                rows_used=_optional_int(row.get("rows_used")), cols=_optional_int(row.get("cols")),
                dtype=row.get("dtype", ""), error=row.get("error", ""), pool=row.get("pool", ""), params=params,
                lidar=_optional_number(row.get("lidar")),
                metrics={name: _optional_number(row[name]) for name in METRIC_NAMES if name in row}, line=number)))
        except ValueError as error:
            skipped.append(f"line {number}: {error}")
    return results


def read_results(path: str) -> Results:
    """Every result of a results file, one per dataset (see the module's notes). Raises ResultsError when
    the file cannot be read or holds no result."""
    try:
        with open(path, "rb") as stream:
            text = stream.read().decode("utf-8", errors="replace")
    except OSError as error:
        raise ResultsError(f"cannot read results file '{path}': {error.strerror}") from error
    format_name = _detect_format(path, text)
    skipped: List[str] = []
    rows = _read_jsonl(text, skipped) if format_name == "jsonl" else _read_csv(text, skipped)
    # As rankme-merge keeps them: per dataset the last ok or nonfinite line, or the last error when there
    # is nothing else (a failed re-read does not hide an earlier score).
    latest: Dict[Tuple[str, str, str], Result] = {}
    for result in rows:
        earlier = latest.get(result.key)
        if earlier is not None and result.status == "error" and earlier.status != "error":
            continue
        latest.pop(result.key, None)  # a re-score moves to where it was last written
        latest[result.key] = result
    if not latest:
        raise ResultsError(f"no result in '{path}'" + (f" ({skipped[0]})" if skipped else ""))
    return Results(path=path, format=format_name, results=list(latest.values()), skipped=skipped)


def spectrum_path(file: str, named_dataset: str) -> str:
    """Where rankme's --spectrum file holds a result's singular values (app/spectrum_file.cpp): the input file
    name as one link name ('%' -> %25, '/' -> %2F), then the dataset path ("@pool" appended when pooled); the
    one array of a bare .npy (dataset "/") is the file's entry itself."""
    name = file.replace("%", "%25").replace("/", "%2F")
    return "/" + name if named_dataset == "/" else "/" + name + named_dataset
