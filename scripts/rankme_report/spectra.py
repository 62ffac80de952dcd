"""The singular values that rankme --spectrum FILE.h5 writes (app/spectrum_file.hpp): one 1-D float64 dataset
per scored dataset at spectrum_path(file, dataset), descending, with the result's rankme, metrics, rows, cols
and status as attributes."""
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np

from .results import Result, spectrum_path


class SpectrumError(Exception):
    """A spectrum file that cannot be opened."""


@dataclass
class Spectrum:
    path: str                  # inside the spectrum file
    values: np.ndarray         # singular values, descending
    rankme: Optional[float]    # the attribute, None when absent or not finite
    status: str
    result: Optional[Result]   # the result it belongs to, when the results file has it


def _attribute_number(attributes, name) -> Optional[float]:
    if name not in attributes:
        return None
    value = float(np.asarray(attributes[name]).reshape(-1)[0])
    return value if np.isfinite(value) else None


def _attribute_text(attributes, name) -> str:
    if name not in attributes:
        return ""
    value = attributes[name]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def read_spectra(path: str, results: List[Result]) -> List[Spectrum]:
    """Every spectrum in the file, matched to its result by spectrum_path. Raises SpectrumError when the
    file cannot be opened."""
    import h5py  # only the spectra need HDF5

    by_path: Dict[str, Result] = {spectrum_path(r.file, r.named_dataset): r for r in results}
    spectra: List[Spectrum] = []

    def visit(name, item):
        if isinstance(item, h5py.Dataset) and item.ndim == 1 and item.dtype.kind == "f":
            where = "/" + name
            spectra.append(Spectrum(path=where, values=np.asarray(item[()], dtype=float),
                                    rankme=_attribute_number(item.attrs, "rankme"),
                                    status=_attribute_text(item.attrs, "status"), result=by_path.get(where)))

    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise SpectrumError(f"cannot open spectrum file '{path}': {error}") from error
    with handle:
        handle.visititems(visit)
    return spectra
