"""Square analysis grids aligned to multiples of the cell size, with stable cell ids."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely

from geo import settings
from geo.errors import DataError

logger = logging.getLogger(__name__)

#: ``cell_id = row * ID_STRIDE + col``, ``col = floor(x / cell)``, ``row = floor(y / cell)``.
ID_STRIDE = 10_000_000

#: Most grid cells a hotspot analysis or forecast runs on: a 250 m grid over Örebro län is
#: about 150,000 cells, 10 m cells over Lekeberg alone about 10.5 million (over 10 GB for the
#: emerging steps; the forecast's blend holds 13 components × 8 origins per cell).
MAX_GRID_CELLS = 1_000_000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _check_cell_size(cell_size_m: float) -> None:
    if not np.isfinite(cell_size_m) or cell_size_m <= 0:
        msg = f"cell_size_m must be a positive number of metres, got {cell_size_m!r}; try 250."
        raise DataError(msg)


def area_bounds(
    area: shapely.Geometry | tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    """Return ``(left, bottom, right, top)`` of a polygon, or the bounds given."""
    if isinstance(area, tuple):
        return area
    left, bottom, right, top = (float(v) for v in shapely.bounds(area))
    return left, bottom, right, top


def check_grid_size(
    bounds: tuple[float, float, float, float],
    *,
    cell_size_m: float,
    max_cells: int = MAX_GRID_CELLS,
) -> None:
    """Refuse a grid of more than ``max_cells`` cells, naming the smallest cell size that fits.

    Parameters
    ----------
    bounds
        ``(left, bottom, right, top)`` of the grid in metres.
    cell_size_m
        Cell side in metres.
    max_cells
        Most cells allowed; default :data:`MAX_GRID_CELLS`.

    Raises
    ------
    DataError
        If the cell size is not positive, or the bounds hold more cells (``--cell-size-m``
        and the least size that fits named).
    """
    _check_cell_size(cell_size_m)
    left, bottom, right, top = bounds
    width, height = right - left, top - bottom
    n = (width / cell_size_m + 1) * (height / cell_size_m + 1)
    if n <= max_cells:
        return
    # (w/s + 1)(h/s + 1) <= max: the least s, rounded up to 10 m
    a, b, c = max_cells - 1.0, -(width + height), -width * height
    least = float(np.ceil((-b + np.sqrt(b * b - 4 * a * c)) / (2 * a) / 10) * 10)
    msg = (
        f"A grid of {cell_size_m:g} m cells over {width / 1000:.1f} × {height / 1000:.1f} km "
        f"has about {n:,.0f} cells, more than {max_cells:,} (memory and time grow with them); "
        f"use --cell-size-m {least:g} or more."
    )
    raise DataError(msg)


def cell_index(
    x: npt.ArrayLike, y: npt.ArrayLike, *, cell_size_m: float
) -> tuple[IntArray, IntArray]:
    """Return the column and row of the grid cell holding each point.

    Parameters
    ----------
    x, y
        Coordinates in a projected CRS in metres (non-negative).
    cell_size_m
        Cell side.

    Returns
    -------
    tuple of numpy.ndarray
        ``col = floor(x / cell_size_m)`` and ``row = floor(y / cell_size_m)`` as int64.

    Raises
    ------
    DataError
        If a coordinate is negative or not finite, or the cell size is not positive.
    """
    _check_cell_size(cell_size_m)
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.size and (
        not (np.isfinite(xa).all() and np.isfinite(ya).all()) or xa.min() < 0 or ya.min() < 0
    ):
        msg = (
            "Grid coordinates must be finite and non-negative metres (e.g. EPSG:3006 or UTM); "
            "reproject the data first."
        )
        raise DataError(msg)
    col = np.floor(xa / cell_size_m).astype(np.int64)
    row = np.floor(ya / cell_size_m).astype(np.int64)
    if col.size and col.max() >= ID_STRIDE:
        msg = (
            f"cell_size_m={cell_size_m!r} is too small for x = {xa.max():.0f} m; use a larger cell."
        )
        raise DataError(msg)
    return col, row


def cell_ids(x: npt.ArrayLike, y: npt.ArrayLike, *, cell_size_m: float) -> IntArray:
    """Return the stable id of the cell holding each point (``row * ID_STRIDE + col``).

    Parameters
    ----------
    x, y
        Coordinates in metres.
    cell_size_m
        Cell side.

    Returns
    -------
    numpy.ndarray
        int64 cell ids.
    """
    col, row = cell_index(x, y, cell_size_m=cell_size_m)
    return row * ID_STRIDE + col


def cell_polygons(ids: npt.ArrayLike, *, cell_size_m: float) -> npt.NDArray[np.object_]:
    """Return the square polygon of each cell id.

    Parameters
    ----------
    ids
        Cell ids as made by :func:`cell_ids`.
    cell_size_m
        Cell side.

    Returns
    -------
    numpy.ndarray
        shapely Polygons.
    """
    ida = np.asarray(ids, dtype=np.int64)
    col = (ida % ID_STRIDE).astype(float)
    row = (ida // ID_STRIDE).astype(float)
    return np.asarray(
        shapely.box(
            col * cell_size_m, row * cell_size_m, (col + 1) * cell_size_m, (row + 1) * cell_size_m
        ),
        dtype=object,
    )


def make_grid(
    area: shapely.Geometry | tuple[float, float, float, float], *, cell_size_m: float
) -> gpd.GeoDataFrame:
    """Make a square grid over an area, cells aligned to multiples of ``cell_size_m``.

    Parameters
    ----------
    area
        A shapely geometry in the working CRS (cells that intersect it are kept), or bounds
        ``(left, bottom, right, top)`` in metres (every cell overlapping them is kept).
    cell_size_m
        Cell side in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``cell_id`` (int64, ``row * 10_000_000 + col``) and ``geometry`` (square
        Polygon), CRS EPSG:3006 (``settings.working_crs``), sorted by ``cell_id``.

    Raises
    ------
    DataError
        If the area is empty or the cell size is not positive.
    """
    _check_cell_size(cell_size_m)
    geom: shapely.Geometry | None
    if isinstance(area, tuple):
        left, bottom, right, top = (float(v) for v in area)
        geom = None
    else:
        if area is None or shapely.is_empty(area):
            msg = "Cannot make a grid over an empty area; pass a polygon or bounds."
            raise DataError(msg)
        left, bottom, right, top = (float(v) for v in shapely.bounds(area))
        geom = area
    if not right >= left or not top >= bottom:
        msg = f"Bounds {(left, bottom, right, top)!r} are not (left, bottom, right, top)."
        raise DataError(msg)
    c0, r0 = cell_index([left], [bottom], cell_size_m=cell_size_m)
    c1 = int(np.ceil(right / cell_size_m)) - 1
    r1 = int(np.ceil(top / cell_size_m)) - 1
    cols = np.arange(int(c0[0]), max(c1, int(c0[0])) + 1, dtype=np.int64)
    rows = np.arange(int(r0[0]), max(r1, int(r0[0])) + 1, dtype=np.int64)
    cc, rr = np.meshgrid(cols, rows)
    ids = (rr * ID_STRIDE + cc).ravel()
    polys = cell_polygons(ids, cell_size_m=cell_size_m)
    if geom is not None:
        shapely.prepare(geom)
        keep = shapely.intersects(geom, polys)
        ids, polys = ids[keep], polys[keep]
    grid = gpd.GeoDataFrame({"cell_id": ids}, geometry=polys, crs=settings.working_crs)
    logger.debug("grid of %d cells of %g m", len(grid), cell_size_m)
    return grid


@dataclass(frozen=True)
class Raster:
    """A dense rectangular raster view of a set of cells, for filters and convolutions.

    Attributes
    ----------
    col0, row0
        Column and row of the raster's lower-left cell.
    n_cols, n_rows
        Raster size.
    cell_size_m
        Cell side.
    """

    col0: int
    row0: int
    n_cols: int
    n_rows: int
    cell_size_m: float

    @classmethod
    def covering(cls, ids: npt.ArrayLike, *, cell_size_m: float, pad: int = 0) -> Raster:
        """Return the smallest raster holding all ``ids``, padded by ``pad`` cells."""
        ida = np.asarray(ids, dtype=np.int64)
        if ida.size == 0:
            return cls(0, 0, 1, 1, cell_size_m)
        col = ida % ID_STRIDE
        row = ida // ID_STRIDE
        col0 = max(int(col.min()) - pad, 0)
        row0 = max(int(row.min()) - pad, 0)
        return cls(
            col0,
            row0,
            int(col.max()) + pad - col0 + 1,
            int(row.max()) + pad - row0 + 1,
            cell_size_m,
        )

    def positions(self, ids: npt.ArrayLike) -> tuple[IntArray, IntArray]:
        """Return raster (row, col) positions of cell ids (may fall outside the raster)."""
        ida = np.asarray(ids, dtype=np.int64)
        return ida // ID_STRIDE - self.row0, ida % ID_STRIDE - self.col0

    def rasterize(self, ids: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> FloatArray:
        """Sum ``weights`` (default 1) per cell into a ``(n_rows, n_cols)`` array."""
        r, c = self.positions(ids)
        inside = (r >= 0) & (r < self.n_rows) & (c >= 0) & (c < self.n_cols)
        w = np.ones(r.shape) if weights is None else np.asarray(weights, dtype=float)
        out = np.zeros((self.n_rows, self.n_cols))
        np.add.at(out, (r[inside], c[inside]), w[inside])
        return out

    def sample(self, raster: FloatArray, ids: npt.ArrayLike) -> FloatArray:
        """Read raster values at cell ids (0 outside the raster)."""
        r, c = self.positions(ids)
        inside = (r >= 0) & (r < self.n_rows) & (c >= 0) & (c < self.n_cols)
        out = np.zeros(r.shape)
        out[inside] = raster[r[inside], c[inside]]
        return out


def neighbour_matrix(ids: npt.ArrayLike, *, rings: int = 1) -> sp.csr_matrix:
    """Return binary contiguity between cells within ``rings`` cells (queen), self excluded.

    Parameters
    ----------
    ids
        Cell ids; the matrix rows/columns follow this order.
    rings
        Neighbourhood radius in cells (1 = the 8 surrounding cells).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n × n`` matrix with 1 where two cells are neighbours.
    """
    ida = np.asarray(ids, dtype=np.int64)
    index = pd.Index(ida)
    rows_list, cols_list = [], []
    for dr in range(-rings, rings + 1):
        for dc in range(-rings, rings + 1):
            if dr == 0 and dc == 0:
                continue
            target = index.get_indexer(pd.Index(ida + dr * ID_STRIDE + dc))
            found = target >= 0
            rows_list.append(np.flatnonzero(found))
            cols_list.append(target[found])
    r = np.concatenate(rows_list) if rows_list else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols_list) if cols_list else np.zeros(0, dtype=np.int64)
    n = ida.size
    return sp.csr_matrix((np.ones(r.size), (r, c)), shape=(n, n))
