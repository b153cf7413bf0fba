"""Which layer of a GeoPackage, or sheet of a workbook, an import reads, and its import's name."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path

from geo.errors import ImportFileError

logger = logging.getLogger(__name__)


def file_error(path: Path, problem: str, fix: str) -> ImportFileError:
    """Return the error of a file that cannot be used: the file, what is wrong, the fix."""
    return ImportFileError(f"{path}: {problem}. {fix}")


def layer_sha(sha: str, layer: str) -> str:
    """Return the hash that names the import of one layer or sheet of a file.

    Each layer of a file is imported once, not only the first one imported: the file's hash
    alone would call the second "imported before".
    """
    return hashlib.sha256(f"{sha}\0{layer}".encode()).hexdigest()


def choose_layer(
    path: Path,
    counts: Mapping[str, int],
    layer: str | None,
    *,
    noun: str = "layer",
    unit: str = "features",
    first_if_none: bool = False,
) -> str | None:
    """Return the layer (or sheet) of a file to read: the one named, else the only filled one.

    Parameters
    ----------
    path
        The file (for errors and the warning).
    counts
        Each layer's name and its features (or a sheet's rows under a header), in the
        file's order.
    layer
        The layer ``--layer`` names, or ``None``.
    noun, unit
        ``"layer"`` and ``"features"``, or ``"sheet"`` and ``"rows"``.
    first_if_none
        When no layer is filled, read the first (whose columns the import then names)
        rather than refuse the file.

    Returns
    -------
    str or None
        The layer to read; ``layer`` (maybe ``None``) for a file of one layer.

    Raises
    ------
    ImportFileError
        If ``layer`` is none of the file's, or, with no layer named, several are filled
        (or none is, without ``first_if_none``), listing them with their counts.
    """
    names = list(counts)
    if layer is not None and layer not in counts:
        raise file_error(
            path,
            f"no {noun} {layer!r}; its {noun}s are {', '.join(map(repr, names))}",
            "Give one of them with --layer",
        )
    if layer is not None or len(names) <= 1:
        return layer
    filled = [name for name in names if counts[name]]
    if not filled and first_if_none:
        return names[0]
    if len(filled) != 1:
        said = ", ".join(f"{name!r} ({counts[name]} {unit})" for name in names)
        raise file_error(
            path,
            f"{len(names)} {noun}s: {said}",
            f"Choose the incidents' {noun} with --layer, e.g. --layer {(filled or names)[0]!r}"
            f" (each {noun} is imported once)",
        )
    what = "features" if unit == "features" else "a table"
    logger.warning(
        "%s: %d %ss; read %r, the only one with %s (--layer to choose)",
        path,
        len(names),
        noun,
        filled[0],
        what,
    )
    return filled[0]
