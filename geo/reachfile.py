"""Reach geometries left in their file and read on demand: by feature id or by a bounding box.

A continental HydroRIVERS file (10⁶–10⁷ reaches, gigabytes of lines) is never read whole: the
network is built from its attribute columns alone, and only the reaches a step needs are read —
those near a point to snap (a bounding-box read answered by the file's spatial index, the
GeoPackage's R-tree) and those drawn or traced (by feature id). Geometries come out in
EPSG:4326 whatever the file's CRS; boxes go in as lon/lat degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.errors import GeometryError

#: metres per degree of latitude at the equator (the shortest), and of longitude at the equator
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0
#: boxes around points are this much larger than the radius asked for
BOX_MARGIN = 1.05

WGS84 = CRS.from_epsg(4326)


def boxes_around(lon: np.ndarray, lat: np.ndarray, radius_m: float) -> np.ndarray:
    """``(n, 4)`` lon/lat boxes (west, south, east, north) holding every point within a
    geodesic ``radius_m`` metres of each point (degrees, EPSG:4326; 5 % margin)."""
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    dlat = BOX_MARGIN * radius_m / M_PER_DEG_LAT
    far = np.minimum(np.abs(lat) + dlat, 89.0)
    dlon = np.minimum(BOX_MARGIN * radius_m / (M_PER_DEG_LON * np.cos(np.radians(far))), 180.0)
    return np.column_stack([lon - dlon, lat - dlat, lon + dlon, lat + dlat])


@dataclass
class ReachFile:
    """The lines of a vector layer, one per reach position, read when asked for.

    ``path``: the name GDAL opens; ``layer``: the layer (None for the only one); ``fids``: the
    feature id of each reach position; ``crs``: the layer's CRS; ``bounds``: its extent in
    EPSG:4326 degrees; ``source`` names it in messages; ``ids`` are the reaches' ids (for
    messages about a geometry).
    """

    path: str
    layer: str | None
    fids: np.ndarray
    crs: CRS
    bounds: tuple[float, float, float, float]
    source: str
    ids: np.ndarray

    def __post_init__(self) -> None:
        self.fids = np.asarray(self.fids, dtype=np.int64)
        self._sorted = bool(np.all(self.fids[1:] > self.fids[:-1]))
        self._order = None if self._sorted else np.argsort(self.fids, kind="stable")
        self._to_wgs84 = (
            None
            if self.crs.equals(WGS84, ignore_axis_order=True)
            else Transformer.from_crs(self.crs, WGS84, always_xy=True)
        )

    def __len__(self) -> int:
        return int(self.fids.size)

    def positions_of(self, fids: np.ndarray) -> np.ndarray:
        """Reach positions of feature ids read from the file."""
        fids = np.asarray(fids, dtype=np.int64)
        if self._sorted:
            return np.searchsorted(self.fids, fids)
        return self._order[np.searchsorted(self.fids, fids, sorter=self._order)]

    def lines(self, positions: np.ndarray) -> np.ndarray:
        """The lines (EPSG:4326) of reach ``positions``, in the order asked for."""
        import pyogrio.raw

        positions = np.asarray(positions, dtype=np.int64)
        if positions.size == 0:
            return np.empty(0, dtype=object)
        unique, back = np.unique(positions, return_inverse=True)
        _, table = pyogrio.raw.read_arrow(
            self.path, layer=self.layer, fids=self.fids[unique], columns=[], return_fids=True
        )
        got = self.positions_of(np.asarray(table.column(0)))
        geoms = np.empty(unique.size, dtype=object)
        geoms[np.searchsorted(unique, got)] = self._geometries(table, got)
        return geoms[back]

    def in_box(
        self, box: tuple[float, float, float, float], *, geometry: bool = True
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Reach positions (ascending) whose bounding boxes meet a lon/lat box, and their
        lines (EPSG:4326) when ``geometry``; the file's spatial index answers the box."""
        import pyogrio.raw

        _, table = pyogrio.raw.read_arrow(
            self.path,
            layer=self.layer,
            bbox=self._file_box(box),
            columns=[],
            read_geometry=geometry,
            return_fids=True,
        )
        pos = self.positions_of(np.asarray(table.column(0)))
        order = np.argsort(pos, kind="stable")
        if not geometry:
            return pos[order], None
        return pos[order], self._geometries(table, pos)[order]

    def _file_box(self, box) -> tuple[float, float, float, float]:
        if self._to_wgs84 is None:
            return tuple(float(v) for v in box)
        back = Transformer.from_crs(WGS84, self.crs, always_xy=True)
        return tuple(float(v) for v in back.transform_bounds(*box, densify_pts=21))

    def _geometries(self, table, positions: np.ndarray) -> np.ndarray:
        geoms = shapely.from_wkb(np.asarray(table.column(table.num_columns - 1)))
        bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if bad.any():
            ids = ", ".join(str(i) for i in self.ids[positions[bad]][:5])
            raise GeometryError(
                f"{self.source}: reach(es) {ids} have an empty or missing geometry; "
                "every reach needs a line"
            )
        kinds = np.isin(shapely.get_type_id(geoms), (1, 5))
        if not kinds.all():
            first = np.flatnonzero(~kinds)[0]
            raise GeometryError(
                f"{self.source}: reach {self.ids[positions[first]]} is a "
                f"{shapely.GeometryType(int(shapely.get_type_id(geoms[first]))).name.title()}; "
                "accepted: LineString, MultiLineString"
            )
        coords, idx = shapely.get_coordinates(geoms, return_index=True)
        bad = np.unique(idx[~np.isfinite(coords).all(axis=1)])
        if bad.size:
            ids = ", ".join(str(i) for i in self.ids[positions[bad]][:5])
            raise GeometryError(
                f"{self.source}: reach(es) {ids} have non-finite coordinates (NaN or infinite); "
                "every vertex needs finite x and y"
            )
        if self._to_wgs84 is not None:
            geoms = shapely.transform(
                geoms, lambda xy: np.column_stack(self._to_wgs84.transform(xy[:, 0], xy[:, 1]))
            )
        return geoms
