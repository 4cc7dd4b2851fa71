"""What the stored QGIS project is made of, gathered from the tables being written.

Also the one check of the export CRS that needs the data: a projected CRS whose area of use
covers little of the data's extent distorts lengths and areas there, which deserves a
warning (one line, with what to use instead) but never a refusal.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS, Transformer

from layers.gpkg_qgis import crs_label, layer_style, table_extent
from layers.gpkg_rasters import Raster
from layers.gpkg_tables import Table
from layers.qgis_metadata import Extent
from layers.qgis_project import ProjectInput
from layers.relations import Relation

if TYPE_CHECKING:
    from layers.atlas import Atlas

#: warn when less than this share of the data's lon/lat box lies in the CRS's area of use
MIN_AREA_OF_USE_SHARE = 0.5
#: what to suggest instead (covers the whole region, equal-area)
SUGGESTED_CRS = "ESRI:102025 (Asia North Albers Equal Area Conic) or EPSG:4326"


class CRSAreaWarning(UserWarning):
    """The export CRS is meant for a much smaller area than the data covers."""


def lonlat_bounds(tables: Sequence[Table], crs: CRS) -> tuple[float, float, float, float] | None:
    """The spatial tables' bounds in lon/lat degrees (WGS 84), or None without features."""
    boxes = [t.frame.total_bounds for t in tables if t.spatial and len(t.frame)]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return None
    b = np.array(boxes)
    box = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    if crs.is_geographic:
        return tuple(float(v) for v in box)
    to_ll = Transformer.from_crs(crs, 4326, always_xy=True)
    return tuple(float(v) for v in to_ll.transform_bounds(*box))


def crs_area_warning(crs: CRS, bounds: tuple[float, float, float, float] | None) -> str | None:
    """One line when ``crs`` is projected and its area of use holds less than half of the
    data's lon/lat ``bounds``; None otherwise (or when the CRS states no area of use)."""
    area = crs.area_of_use
    if not crs.is_projected or area is None or bounds is None:
        return None
    w, s, e, n = bounds
    east = area.east + 360.0 if area.east < area.west else area.east  # across 180°
    ow = max(0.0, min(e, east) - max(w, area.west))
    oh = max(0.0, min(n, area.north) - max(s, area.south))
    whole = max((e - w) * (n - s), 1e-12)
    share = ow * oh / whole
    if share >= MIN_AREA_OF_USE_SHARE:
        return None
    return (
        f"--crs {crs_label(crs)} ({crs.name}) is meant for lon {area.west:g}–{east:g}°, "
        f"lat {area.south:g}–{area.north:g}°, but the data span lon {w:.0f}–{e:.0f}°, "
        f"lat {s:.0f}–{n:.0f}° ({share:.0%} inside): lengths and areas far from it are "
        f"distorted; for the whole region use {SUGGESTED_CRS}"
    )


def warn_crs_area(crs: CRS, tables: Sequence[Table]) -> None:
    """Emit :class:`CRSAreaWarning` (see :func:`crs_area_warning`); the CLI prints it."""
    message = crs_area_warning(crs, lonlat_bounds(tables, crs))
    if message:
        warnings.warn(message, CRSAreaWarning, stacklevel=3)


def extents(tables: Sequence[Table], rasters: Sequence[Raster], crs: CRS) -> dict[str, Extent]:
    """Every table's and raster's extent (metadata and project)."""
    out = {t.name: table_extent(t, crs) for t in tables}
    out |= {r.name: Extent(r.bounds, crs_label(r.crs)) for r in rasters}
    return out


def view_extent(tables: Sequence[Table]) -> tuple[float, float, float, float]:
    """The initial map view: the traced river courses (else every layer), 8 % margin."""
    courses = [t for t in tables if t.name == "river_courses" and len(t.frame)]
    chosen = courses or [t for t in tables if t.spatial and len(t.frame)]
    if not chosen:
        return (0.0, 0.0, 1.0, 1.0)
    b = np.array([t.frame.total_bounds for t in chosen])
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    dx, dy = 0.08 * (x1 - x0), 0.08 * (y1 - y0)
    return (float(x0 - dx), float(y0 - dy), float(x1 + dx), float(y1 + dy))


def project_title(tables: Sequence[Table]) -> str:
    """The project's title from the main rivers written (a subset names only its own), e.g.
    "Irtysh, Ili, Emel: rivers from China into Kazakhstan"."""
    courses = next((t.frame for t in tables if t.name == "river_courses"), None)
    if courses is None or not len(courses):
        return "rivermap"
    main = courses.loc[courses["parent"].isna(), "name_en"]
    names = ", ".join(main if len(main) else courses["name_en"])
    return f"{names}: rivers from China into Kazakhstan"


def project_input(
    atlas: Atlas,
    tables: Sequence[Table],
    rasters: Sequence[Raster],
    relations: Sequence[Relation],
    crs: CRS,
    file_name: str,
    created: str,
) -> ProjectInput:
    """The project of ``tables`` (views included) and ``rasters`` as written to
    ``file_name``."""
    ext = extents(tables, rasters, crs)
    periods = [ext[n].period for n in ("basins_monthly", "water_balance_monthly") if n in ext]
    periods = [p for p in periods if p]
    return ProjectInput(
        tables=tables,
        styles={t.name: layer_style(t) for t in tables},
        extents=ext,
        rasters=rasters,
        relations=relations,
        crs=crs,
        file_name=file_name,
        title=project_title(tables),
        abstract=(
            "Rivers traced from China into Kazakhstan with their border crossings, flow "
            "figures, GRDC gauges, basins and their water balance, on the relief; every "
            "layer documented (Layer Properties → Metadata, field aliases) and related "
            "(a feature's form lists its rows in the tables). Where the data has no figure "
            "the layers say so (NULL, 'no figure')."
        ),
        created=created,
        view_extent=view_extent(tables),
        time_range=_whole_months(periods[0]) if periods else None,
    )


def _whole_months(period: tuple[str, str]) -> tuple[str, str]:
    """``(first month's day 1, the day after the last month)``: the last month is a frame."""
    last = dt.date.fromisoformat(period[1])
    after = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return period[0], after.isoformat()
