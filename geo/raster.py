"""Reading rasters (any GDAL format: GeoTIFF, COG, others) with checks, in bounded memory.

- :func:`raster_info` opens a raster once and checks it up front: the file opens
  (:class:`~geo.errors.DataSourceError` otherwise), it has a CRS and a north-up grid, the band
  exists (:class:`~geo.errors.RasterError` otherwise).
- :func:`window_for` turns a lon/lat box (degrees, EPSG:4326) into the raster's window, and fails
  with RasterError when the raster does not cover it.
- :func:`chunks` cuts a window into block-aligned pieces of at most ``max_cells`` cells: readers
  iterate over them, so memory stays bounded whatever the file size. :func:`bounded_cache`
  limits GDAL's block cache (by default 5 % of the RAM, which would otherwise hold a whole file).
- :func:`sample_cells` / :func:`sample_points` read only the blocks holding the points asked for.
- :class:`ElevationSource` stacks several rasters of different resolution (an analyst's DEM
  tiles, the embedded 15″ and 5′ grids): each point takes the finest raster that has data there.

Values come out as float (nodata, masked cells, non-finite values and cells outside the raster
are NaN; without a declared nodata value, the nodata markers of :mod:`geo.numeric` too).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import rasterio.errors
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.io import DatasetReader
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from geo import containers, numeric
from geo.errors import DataSourceError, RasterError

WGS84 = CRS.from_epsg(4326)
#: GDAL block cache (MB) while this module reads: small, the reads are block-aligned anyway
CACHE_MB = 64
#: cells per chunk when a window is read piece by piece (float32: 4 MB)
MAX_CHUNK_CELLS = 1_000_000
#: metres per degree of latitude (mean), only to rank rasters by resolution
_M_PER_DEGREE = 111_320.0

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class RasterInfo:
    """One checked raster band: what a reader needs without keeping the file open.

    ``transform`` maps (col, row) to x/y in ``crs``; ``block_shape`` is (rows, cols) of the
    file's internal blocks (tiles or strips).
    """

    path: str
    band: int
    crs: CRS
    transform: Affine
    width: int
    height: int
    nodata: float | None
    dtype: str
    block_shape: tuple[int, int]

    @property
    def name(self) -> str:
        """The file name without extension (``dem_5arcmin_region``), as shown in tables."""
        return Path(self.path).stem

    @property
    def bounds(self) -> Bounds:
        """(west, south, east, north) in the raster's CRS."""
        return rasterio.transform.array_bounds(self.height, self.width, self.transform)[:4]

    def bounds_lonlat(self) -> Bounds:
        """(west, south, east, north) in degrees, EPSG:4326 (densified edges)."""
        if self.crs == WGS84:
            return tuple(float(v) for v in self.bounds)
        return transform_bounds(self.crs, WGS84, *self.bounds, densify_pts=21)

    @property
    def cell_size_m(self) -> float:
        """Approximate cell height in metres (for ranking rasters by resolution only)."""
        res = abs(self.transform.e)
        if self.crs.is_geographic:
            return res * _M_PER_DEGREE
        return res * (self.crs.linear_units_factor[1] if self.crs.linear_units else 1.0)

    def masked_values(self, data: np.ma.MaskedArray) -> np.ndarray:
        """A masked read as float (float32 for integer and float32 bands), NaN where there is
        no data: masked cells, non-finite values and, when the raster declares no nodata
        value, the nodata markers of :mod:`geo.numeric` (``-9999``, ``-32768``, …)."""
        dtype = np.float64 if np.dtype(self.dtype) == np.float64 else np.float32
        out = np.ma.filled(data.astype(dtype), np.nan)
        gone = numeric.current().mask(out) if self.nodata is None else ~np.isfinite(out)
        out[gone] = np.nan
        return out


def raster_info(path: str | Path, band: int = 1) -> RasterInfo:
    """Open and check a raster band; DataSourceError / RasterError with a one-line message."""
    with open_raster(path, band) as src:
        return RasterInfo(
            path=str(path),
            band=band,
            crs=src.crs,
            transform=src.transform,
            width=src.width,
            height=src.height,
            nodata=src.nodatavals[band - 1],
            dtype=src.dtypes[band - 1],
            block_shape=tuple(src.block_shapes[band - 1]),
        )


@contextmanager
def open_raster(path: str | Path, band: int = 1) -> Iterator[DatasetReader]:
    """Open a raster for reading after checking the file, its CRS, grid and band."""
    src = _open(path)
    try:
        _check(src, str(path), band)
        yield src
    finally:
        src.close()


def _open(path: str | Path) -> DatasetReader:
    p = str(path)
    if "://" not in p:
        if not containers.exists(p):
            raise DataSourceError(f"{p}: raster file not found")
        containers.check_file(p)
    try:
        return rasterio.open(containers.gdal_path(p) if containers.is_virtual(p) else p)
    except rasterio.errors.RasterioIOError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataSourceError(
            f"{p}: cannot open as a raster ({reason}); expected a file GDAL reads "
            "(GeoTIFF, Cloud-Optimised GeoTIFF, …)"
        ) from exc


def _check(src: DatasetReader, path: str, band: int) -> None:
    if not isinstance(band, int | np.integer) or not 1 <= band <= src.count:
        raise RasterError(
            f"{path}: band {band!r} does not exist; the raster has {src.count} band(s), "
            f"accepted: 1..{src.count}"
        )
    if src.crs is None:
        raise RasterError(
            f"{path}: raster has no CRS; accepted: a georeferenced raster with a CRS "
            "(set one with gdal_edit.py -a_srs EPSG:4326)"
        )
    t = src.transform
    if t.b != 0 or t.d != 0 or t.a <= 0 or t == Affine.identity():
        raise RasterError(
            f"{path}: grid {tuple(round(v, 9) for v in t[:6])} is rotated or not georeferenced; "
            "accepted: a north-up grid (warp it first with gdalwarp)"
        )


@contextmanager
def bounded_cache(mb: int = CACHE_MB) -> Iterator[None]:
    """Limit GDAL's block cache to ``mb`` megabytes while reading (otherwise 5 % of the RAM)."""
    with rasterio.Env(GDAL_CACHEMAX=mb):
        yield


def window_for(info: RasterInfo, bounds: Bounds, *, what: str = "the area asked for") -> Window:
    """The raster's window (whole cells, inside the raster) over a lon/lat box in degrees.

    RasterError when the raster and the box do not overlap.
    """
    west, south, east, north = bounds
    box = (
        (west, south, east, north)
        if info.crs == WGS84
        else transform_bounds(WGS84, info.crs, west, south, east, north, densify_pts=21)
    )
    win = rasterio.windows.from_bounds(*box, transform=info.transform)
    col0, row0 = math.floor(win.col_off + 1e-9), math.floor(win.row_off + 1e-9)
    col1 = math.ceil(win.col_off + win.width - 1e-9)
    row1 = math.ceil(win.row_off + win.height - 1e-9)
    col0, row0 = max(col0, 0), max(row0, 0)
    col1, row1 = min(col1, info.width), min(row1, info.height)
    if col1 <= col0 or row1 <= row0:
        rb = info.bounds_lonlat()
        raise RasterError(
            f"{info.path}: raster (lon {rb[0]:.3f}..{rb[2]:.3f}, lat {rb[1]:.3f}..{rb[3]:.3f}) "
            f"does not cover {what} (lon {west:.3f}..{east:.3f}, lat {south:.3f}..{north:.3f}); "
            "accepted: a raster overlapping it"
        )
    return Window(col0, row0, col1 - col0, row1 - row0)


def coverage(info: RasterInfo, bounds: Bounds) -> float:
    """Fraction (0..1) of a lon/lat box covered by the raster's extent (box arithmetic)."""
    rb = info.bounds_lonlat()
    w = max(0.0, min(rb[2], bounds[2]) - max(rb[0], bounds[0]))
    h = max(0.0, min(rb[3], bounds[3]) - max(rb[1], bounds[1]))
    area = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])
    return w * h / area if area > 0 else 0.0


def chunks(
    window: Window, block_shape: tuple[int, int], max_cells: int = MAX_CHUNK_CELLS
) -> Iterator[Window]:
    """Block-aligned sub-windows covering ``window``, each at most ``max_cells`` cells.

    Chunks are whole strips of the window when a strip fits, else tiles; edges follow the file's
    block grid so that each block is decoded once.
    """
    bh, bw = block_shape
    c0, r0 = int(window.col_off), int(window.row_off)
    c1, r1 = c0 + int(window.width), r0 + int(window.height)
    width = c1 - c0
    if width * bh <= max_cells:
        step_r = max(1, max_cells // (width * bh)) * bh
        step_c = width
    else:
        step_r = bh
        step_c = max(1, max_cells // (bh * bw)) * bw
    row_edges = _edges(r0, r1, step_r, bh)
    col_edges = _edges(c0, c1, step_c, bw) if step_c < width else np.array([c0, c1])
    for ra, rb in zip(row_edges[:-1], row_edges[1:], strict=True):
        for ca, cb in zip(col_edges[:-1], col_edges[1:], strict=True):
            yield Window(int(ca), int(ra), int(cb - ca), int(rb - ra))


def _edges(start: int, stop: int, step: int, block: int) -> np.ndarray:
    """Edges from start to stop, every ``step`` cells on the block grid (first one may be short)."""
    first = (start // block) * block + step
    inner = np.arange(first, stop, step)
    return np.unique(np.concatenate([[start], inner[inner > start], [stop]]))


def read_chunk(src: DatasetReader, info: RasterInfo, window: Window) -> np.ndarray:
    """Read one window of the band as float, nodata/masked cells NaN."""
    return info.masked_values(src.read(info.band, window=window, masked=True))


def sample_cells(info: RasterInfo, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Values at integer cell indices; NaN outside the raster or where it has no data.

    Cells are grouped by the file's blocks and each block touched is read once (a river
    crossing a 20,000 × 20,000 tiled file reads a few hundred tiles, not the file).
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    out = np.full(rows.shape, np.nan)
    inside = (rows >= 0) & (rows < info.height) & (cols >= 0) & (cols < info.width)
    if not inside.any():
        return out
    bh, bw = info.block_shape
    r, c = rows[inside], cols[inside]
    block = (r // bh) * (info.width // bw + 1) + c // bw
    order = np.argsort(block, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(block[order]) != 0])
    ends = np.r_[starts[1:], order.size]
    values = np.empty(r.size)
    with bounded_cache(), open_raster(info.path, info.band) as src:
        for a, b in zip(starts, ends, strict=True):
            idx = order[a:b]
            br, bc = int(r[idx[0]] // bh * bh), int(c[idx[0]] // bw * bw)
            win = Window(bc, br, min(bw, info.width - bc), min(bh, info.height - br))
            data = read_chunk(src, info, win)
            values[idx] = data[r[idx] - br, c[idx] - bc]
    out[inside] = values
    return out


def to_pixel(info: RasterInfo, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional (col, row) of lon/lat points (degrees): cell (i, j) spans [i, i+1)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if info.crs != WGS84:
        x, y = Transformer.from_crs(WGS84, info.crs, always_xy=True).transform(x, y)
    inv = ~info.transform
    col = inv.a * x + inv.b * y + inv.c
    row = inv.d * x + inv.e * y + inv.f
    return np.asarray(col, dtype=float), np.asarray(row, dtype=float)


def window_transform(window: Window, transform: Affine) -> Affine:
    """The affine transform of a window's top-left cell (same cell size as ``transform``)."""
    col, row = float(window.col_off), float(window.row_off)
    x, y = xy_of(transform, np.array(col), np.array(row))
    return Affine(transform.a, transform.b, float(x), transform.d, transform.e, float(y))


def xy_of(transform: Affine, col: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x/y (in the grid's CRS) of fractional (col, row) positions; +0.5 gives cell centres."""
    col, row = np.asarray(col, dtype=float), np.asarray(row, dtype=float)
    return (
        transform.a * col + transform.b * row + transform.c,
        transform.d * col + transform.e * row + transform.f,
    )


def sample_points(
    info: RasterInfo, lon: np.ndarray, lat: np.ndarray, *, method: str = "bilinear"
) -> np.ndarray:
    """Raster values at lon/lat points (degrees, EPSG:4326); NaN outside or without data.

    ``method="bilinear"`` interpolates between the four nearest cell centres (exact for a
    plane), falling back to the containing cell where a neighbour has no data; ``"nearest"``
    takes the containing cell.
    """
    if method not in ("bilinear", "nearest"):
        raise RasterError(f"sampling method {method!r}; accepted: bilinear, nearest")
    col, row = to_pixel(info, lon, lat)
    ok = (col >= 0) & (col < info.width) & (row >= 0) & (row < info.height)
    ci = np.where(ok, np.floor(col), -1).astype(np.int64)
    ri = np.where(ok, np.floor(row), -1).astype(np.int64)
    if method == "nearest":
        return _unique_sample(info, ri, ci)
    c0 = np.floor(col - 0.5).astype(np.int64)
    r0 = np.floor(row - 0.5).astype(np.int64)
    tx, ty = col - 0.5 - c0, row - 0.5 - r0
    cc = np.clip(np.stack([c0, c0 + 1, c0, c0 + 1]), 0, info.width - 1)
    rr = np.clip(np.stack([r0, r0, r0 + 1, r0 + 1]), 0, info.height - 1)
    rr = np.where(ok, rr, -1)
    both = _unique_sample(info, np.concatenate([rr.ravel(), ri]), np.concatenate([cc.ravel(), ci]))
    corners, nearest = both[: rr.size].reshape(rr.shape), both[rr.size :]
    w = np.stack([(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty])
    value = (corners * w).sum(axis=0)
    return np.where(np.isnan(value), nearest, value)


def _unique_sample(info: RasterInfo, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    key = np.where(rows >= 0, rows * info.width + cols, -1)
    uniq, inverse = np.unique(key, return_inverse=True)
    got = sample_cells(info, np.where(uniq >= 0, uniq // info.width, -1), uniq % info.width)
    return got[inverse]


@dataclass(frozen=True)
class ElevationSource:
    """Several elevation rasters used as one: the finest raster with data wins at each point.

    ``rasters`` are ordered finest first (by cell size in metres); ``labels`` name them in
    tables (``dem`` column), by default the file names.
    """

    rasters: tuple[RasterInfo, ...]
    labels: tuple[str, ...]

    @classmethod
    def from_paths(
        cls, paths: Sequence[str | Path], labels: Sequence[str] | None = None, band: int = 1
    ) -> ElevationSource:
        """Check every raster and order them finest first."""
        if not paths:
            raise RasterError("elevation source: no raster given; accepted: one or more files")
        infos = [raster_info(p, band) for p in paths]
        names = list(labels) if labels is not None else [i.name for i in infos]
        order = sorted(range(len(infos)), key=lambda k: infos[k].cell_size_m)
        return cls(tuple(infos[k] for k in order), tuple(names[k] for k in order))

    def overlapping(self, bounds: Bounds, *, what: str = "the area asked for") -> ElevationSource:
        """The rasters that overlap a lon/lat box (finest first); RasterError when none does."""
        keep = [k for k, info in enumerate(self.rasters) if coverage(info, bounds) > 0]
        if not keep:
            self.check_covers(bounds, what=what)
        return ElevationSource(
            tuple(self.rasters[k] for k in keep), tuple(self.labels[k] for k in keep)
        )

    def check_covers(self, bounds: Bounds, *, what: str = "the area asked for") -> None:
        """RasterError naming the first raster that does not overlap a lon/lat box."""
        for info in self.rasters:
            window_for(info, bounds, what=what)

    def sample(
        self, lon: np.ndarray, lat: np.ndarray, *, method: str = "bilinear"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Elevations at lon/lat points and the index of the raster that gave each (-1: none)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        value = np.full(lon.shape, np.nan)
        which = np.full(lon.shape, -1, dtype=np.int64)
        for k, info in enumerate(self.rasters):
            todo = np.flatnonzero(np.isnan(value))
            if todo.size == 0:
                break
            got = sample_points(info, lon[todo], lat[todo], method=method)
            hit = ~np.isnan(got)
            value[todo[hit]] = got[hit]
            which[todo[hit]] = k
        return value, which

    def label_of(self, which: np.ndarray) -> np.ndarray:
        """Raster labels for indices from :meth:`sample` (empty string where none)."""
        names = np.array([*self.labels, ""], dtype=object)
        return names[np.where(which >= 0, which, len(self.labels))]
