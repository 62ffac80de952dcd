"""A run's hyperparameters and checkpoint position as its path spells them: a line-by-line port of rankme's
pipeline/path_params.cpp (params_of_dataset_path, without_positions), so that the report finds the same
epochs and the same runs as `rankme --best-per run`. Keep the two in step.

Tokens are separated by ',', ';', space, tab and '/', and by '_' where another `key=` follows; brackets are
ignored; a number value ends at its first '_'. Positions: `epoch=`/`step=` keys, or words such as `epoch_100`,
`epoch 100`, `ep100`, `step_5000`, `checkpoint-5000`, `ckpt250` (ep -> epoch; checkpoint, ckpt -> step).
"""
import math
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union

ParamValue = Union[float, str]

# std::from_chars (general format): no '+', no leading space, no hex; finite values only.
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SEPARATORS = ",; /\t"
_BRACKETS = "[](){}"


def number_of(text: str) -> Optional[float]:
    """The finite number the whole text spells, else None ("1e-3" -> 0.001; "adamw", "inf", "+1" -> None)."""
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def param_value_of(text: str) -> ParamValue:
    number = number_of(text)
    return number if number is not None else text


def _is_key_start(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _is_key_char(c: str) -> bool:
    return (c.isascii() and c.isalnum()) or c in "_.-"


@dataclass
class _Spelled:
    key: str
    value: str
    at: int  # where the value lies in its component
    position: bool  # from a word such as "epoch_100" rather than an explicit key=value


def _key_starts_at(word: str, at: int) -> bool:
    if at >= len(word) or not _is_key_start(word[at]):
        return False
    for i in range(at, len(word)):
        if word[i] == "=":
            return i > at
        if not _is_key_char(word[i]):
            return False
    return False


def _add_pairs(word: str, start: int, spelled: List[_Spelled], plain: List[Tuple[str, int]]) -> None:
    key_start = 0
    while key_start < len(word):
        equals = word.find("=", key_start)
        if equals < 0:
            plain.append((word[key_start:], start + key_start))
            return
        key = word[key_start:equals]
        value_start = equals + 1
        next_equals = word.find("=", value_start)
        if next_equals < 0:
            next_equals = len(word)
        value_end = len(word)
        first_underscore = word.find("_", value_start)
        if first_underscore >= 0 and number_of(word[value_start:first_underscore]) is not None:
            value_end = first_underscore
        else:
            for i in range(value_start, min(len(word), next_equals)):
                if word[i] == "_" and _key_starts_at(word, i + 1):
                    value_end = i
        if key and _is_key_start(key[0]):
            spelled.append(_Spelled(key, word[value_start:value_end], start + value_start, False))
        if value_end == len(word):
            return
        key_start = value_end + 1


def _position_key(name: str) -> str:
    lower = name.lower()
    if lower in ("epoch", "ep"):
        return "epoch"
    if lower in ("step", "checkpoint", "ckpt"):
        return "step"
    return ""


def _is_digits(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)


def _add_positions(words: List[Tuple[str, int]], spelled: List[_Spelled]) -> None:
    parts: List[Tuple[str, int]] = []
    for text, at in words:
        part, part_at = "", at
        for i, c in enumerate(text):
            if c in "_-":
                if part:
                    parts.append((part, part_at))
                part, part_at = "", at + i + 1
            else:
                part += c
        if part:
            parts.append((part, part_at))
    i = 0
    while i < len(parts):
        text, at = parts[i]
        key = _position_key(text)
        if key and i + 1 < len(parts) and _is_digits(parts[i + 1][0]):
            spelled.append(_Spelled(key, parts[i + 1][0], parts[i + 1][1], True))
            i += 2
            continue
        digits = len(text)  # a name glued to its number: "ep100", "step5000"
        while digits > 0 and "0" <= text[digits - 1] <= "9":
            digits -= 1
        if 0 < digits < len(text):
            key = _position_key(text[:digits])
            if key:
                spelled.append(_Spelled(key, text[digits:], at + digits, True))
        i += 1


def _spelled_in(component: str) -> List[_Spelled]:
    words: List[Tuple[str, int]] = []
    text, at = "", 0
    for i, c in enumerate(component):
        if c in _SEPARATORS or c in _BRACKETS:
            if text:
                words.append((text, at))
            text, at = "", i + 1
        else:
            text += c
    if text:
        words.append((text, at))
    spelled: List[_Spelled] = []
    plain: List[Tuple[str, int]] = []
    for word, start in words:
        if "=" in word:
            _add_pairs(word, start, spelled, plain)
        else:
            plain.append((word, start))
    _add_positions(plain, spelled)
    return spelled


def _is_position(s: _Spelled) -> bool:
    return s.key in ("epoch", "step") and number_of(s.value) is not None


def _stem_length(name: str) -> int:
    """`name` without its extension: a '.' and 1-12 letters or digits starting with a letter."""
    dot = name.rfind(".")
    if dot < 0 or dot + 1 >= len(name) or len(name) - dot - 1 > 12 or not _is_key_start(name[dot + 1]):
        return len(name)
    if not all(c.isascii() and c.isalnum() for c in name[dot + 1:]):
        return len(name)
    return dot


def params_of_component(component: str) -> Dict[str, ParamValue]:
    params: Dict[str, ParamValue] = {}
    positions: Dict[str, ParamValue] = {}
    for s in _spelled_in(component):
        (positions if s.position else params)[s.key] = param_value_of(s.value)
    for key, value in positions.items():
        params.setdefault(key, value)  # an explicit epoch= wins
    return params


def params_of_path(path: str, file_name_last: bool) -> Dict[str, ParamValue]:
    components = [c for c in path.split("/") if c]
    if file_name_last and components:
        components[-1] = components[-1][:_stem_length(components[-1])]
    params: Dict[str, ParamValue] = {}
    for component in components:
        params.update(params_of_component(component))
    return params


def params_of_dataset_path(file: str, dataset: str) -> Dict[str, ParamValue]:
    """What the file as given (directories too) and then the dataset path spell, inner overriding outer."""
    params = params_of_path(file, True)
    params.update(params_of_path(dataset, False))
    return params


def without_positions(path: str, file_name_last: bool) -> str:
    """The path with the number of every checkpoint position replaced by '*': "runs/lr=0.1_epoch_10.h5" ->
    "runs/lr=0.1_epoch_*.h5", "/run_a/ep100" -> "/run_a/ep*", "step=5000" -> "step=*"."""
    components = path.split("/")
    for index, component in enumerate(components):
        last = index == len(components) - 1
        stem = _stem_length(component) if file_name_last and last else len(component)
        # From the back of the component, so that earlier offsets stay valid as numbers shrink to one '*'.
        for s in sorted(_spelled_in(component[:stem]), key=lambda s: -s.at):
            if _is_position(s):
                component = component[:s.at] + "*" + component[s.at + len(s.value):]
        components[index] = component
    return "/".join(components)
