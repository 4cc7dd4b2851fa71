"""Border crossings of a traced course, with direction from the flow, and length per country.

Boundaries are lines with the country on each side (Natural Earth's ``adm0_a3_l`` /
``adm0_a3_r``: left and right of the line's digitised direction). A river that runs along a
border crosses it many times in generalised data; crossings closer together than
``merge_within_m`` along the river are reported as one, from the country before the first to the
country after the last. Lengths per country always use every raw crossing kept, so they add up.

Such a river also leaves *slivers*: pieces between two raw crossings far shorter than the
data can place (the Tekes on the embedded data has one of 17 m). :func:`merge_slivers` drops
the crossings that bound a piece shorter than :data:`SLIVER_M`, so the piece joins its
neighbours, and lists what it merged.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.course import Course
from geo.errors import FieldError
from geo.measure import segment_lengths_m

#: an interior piece shorter than this (metres along the river) between two raw crossings is a
#: sliver, merged into its neighbours. Why 1 km: Natural Earth's 1:10M boundary lines have
#: vertices a median 3.2 km apart on the Kazakhstan–China border, 2.1 km over the whole region
#: (0.1 mm at 1:10M is 1 km), and
#: the portal's 15″ river lines a median 0.57 km apart (one cell is 0.34–0.46 km here): a piece
#: shorter than two river vertices lies within the error of both lines, so the country it
#: seems to fall in is not a fact of the data. Measured on the embedded data (``layers/data``).
SLIVER_M = 1_000.0

CROSSING_COLUMNS = [
    "lon",
    "lat",
    "from_country",
    "to_country",
    "km_from_source",
    "raw_crossings",
    "border_zone_km",
]


@dataclass
class Boundaries:
    """Boundary lines split into segments (lon/lat degrees) with the country on each side."""

    start: np.ndarray
    end: np.ndarray
    left: np.ndarray
    right: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def from_lines(
        cls,
        lines: gpd.GeoDataFrame,
        left: str = "adm0_a3_l",
        right: str = "adm0_a3_r",
        *,
        source: str = "boundaries",
    ) -> Boundaries:
        """Split boundary (multi)lines in EPSG:4326 into segments carrying left/right codes."""
        for col in (left, right):
            if col not in lines.columns:
                raise FieldError(
                    f"{source}: no column {col!r} (country left/right of the line); "
                    f"columns are {', '.join(map(str, lines.columns))}"
                )
        parts, line_of = shapely.get_parts(lines.geometry.to_crs(4326).values, return_index=True)
        coords, part_of = shapely.get_coordinates(parts, return_index=True)
        same = part_of[:-1] == part_of[1:]
        start, end = coords[:-1][same], coords[1:][same]
        seg_line = line_of[part_of[:-1][same]]
        segs = shapely.linestrings(np.stack([start, end], axis=1))
        return cls(
            start=start,
            end=end,
            left=lines[left].to_numpy()[seg_line].astype(str),
            right=lines[right].to_numpy()[seg_line].astype(str),
            tree=shapely.STRtree(segs),
        )


def raw_crossings(course: Course, borders: Boundaries) -> pd.DataFrame:
    """Every intersection of the course with a boundary segment, in flow order.

    Columns: ``lon``, ``lat`` (degrees), ``distance_m`` (geodesic, from the source),
    ``from_country``, ``to_country`` (the side the upstream vertex lies on, then the other).
    """
    coords = shapely.get_coordinates(course.line)
    p0, p1 = coords[:-1], coords[1:]
    segs = shapely.linestrings(np.stack([p0, p1], axis=1))
    ri, bi = borders.tree.query(segs, predicate="intersects")
    d = p1[ri] - p0[ri]
    e = borders.end[bi] - borders.start[bi]
    w = borders.start[bi] - p0[ri]
    denom = d[:, 0] * e[:, 1] - d[:, 1] * e[:, 0]
    ok = denom != 0  # a segment lying exactly along the border is not a crossing
    ri, bi, d, e, w, denom = ri[ok], bi[ok], d[ok], e[ok], w[ok], denom[ok]
    t = np.clip((w[:, 0] * e[:, 1] - w[:, 1] * e[:, 0]) / denom, 0.0, 1.0)
    pt = p0[ri] + t[:, None] * d
    seg_m = segment_lengths_m(coords)
    dist = course.vertex_m[ri] + t * seg_m[ri]
    # the upstream vertex is left of the boundary when cross(e, p0 - q0) > 0
    side = e[:, 0] * (-w[:, 1]) - e[:, 1] * (-w[:, 0])
    upstream_left = side > 0
    frame = pd.DataFrame(
        {
            "lon": pt[:, 0],
            "lat": pt[:, 1],
            "distance_m": dist,
            "from_country": np.where(upstream_left, borders.left[bi], borders.right[bi]),
            "to_country": np.where(upstream_left, borders.right[bi], borders.left[bi]),
        }
    )
    frame = frame.sort_values("distance_m", kind="stable")
    # a crossing exactly on a boundary vertex is found on both adjacent segments: keep one
    frame = frame.loc[~np.isclose(frame["distance_m"].diff().fillna(np.inf), 0.0, atol=1e-3)]
    return frame.reset_index(drop=True)


def merge_slivers(
    raw: pd.DataFrame, min_piece_m: float = SLIVER_M
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop raw crossings so that no piece between two of them is shorter than ``min_piece_m``.

    ``raw`` as from :func:`raw_crossings` (in flow order). The shortest such piece goes first,
    repeatedly: a dip into a country and back (``A → B → A``) loses both crossings; a sliver
    at a junction of three countries (``A → B → C``) becomes one crossing ``A → C`` at the
    first point. The first and last pieces (source and mouth ends) are never slivers. Returns
    the crossings kept and the slivers merged: ``country``, ``length_m``, ``start_m`` (from the
    source). Loops over crossings (a handful per river), never over vertices.
    """
    kept = raw.reset_index(drop=True).copy()
    gone = []
    while len(kept) >= 2:
        d = kept["distance_m"].to_numpy()
        gaps = np.diff(d)
        i = int(np.argmin(gaps))
        if gaps[i] >= min_piece_m:
            break
        gone.append((kept.at[i, "to_country"], float(gaps[i]), float(d[i])))
        if kept.at[i, "from_country"] == kept.at[i + 1, "to_country"]:
            kept = kept.drop(index=[i, i + 1])
        else:
            kept.at[i, "to_country"] = kept.at[i + 1, "to_country"]
            kept = kept.drop(index=[i + 1])
        kept = kept.reset_index(drop=True)
    slivers = pd.DataFrame(gone, columns=["country", "length_m", "start_m"])
    return kept, slivers.sort_values("start_m", ignore_index=True)


def merge_crossings(raw: pd.DataFrame, merge_within_m: float) -> pd.DataFrame:
    """Collapse runs of crossings closer than ``merge_within_m`` metres along the river.

    A run counts as one crossing from the first one's ``from_country`` to the last one's
    ``to_country``, placed at the last one (where the river finally enters); runs that end in
    the country they started from are not crossings and are dropped.
    """
    if raw.empty:
        return pd.DataFrame(columns=CROSSING_COLUMNS)
    gap = raw["distance_m"].diff().fillna(np.inf).to_numpy()
    run = np.cumsum(gap > merge_within_m)
    grouped = raw.groupby(run, sort=True)
    first, last = grouped.first(), grouped.last()
    out = pd.DataFrame(
        {
            "lon": last["lon"],
            "lat": last["lat"],
            "from_country": first["from_country"],
            "to_country": last["to_country"],
            "km_from_source": last["distance_m"] / 1000.0,
            "raw_crossings": grouped.size(),
            "border_zone_km": (last["distance_m"] - first["distance_m"]) / 1000.0,
        }
    )
    return out.loc[out["from_country"] != out["to_country"]].reset_index(drop=True)


def length_by_country(
    course: Course, raw: pd.DataFrame, fallback_country: str | None
) -> dict[str, float]:
    """Course length in metres per country code, split at every raw crossing.

    Pieces take the country the river enters at the crossing before them (the first piece the
    country it leaves at the first crossing). Without crossings the whole course belongs to
    ``fallback_country`` (the country containing it). The values add up to the course length.
    """
    total = course.length_m
    if raw.empty:
        return {fallback_country or "unknown": total}
    cuts = np.concatenate([[0.0], raw["distance_m"].to_numpy(), [total]])
    countries = np.concatenate([[raw["from_country"].iloc[0]], raw["to_country"].to_numpy()])
    lengths = np.diff(cuts)
    series = pd.Series(lengths).groupby(countries).sum()
    return {str(k): float(v) for k, v in series.items()}


def country_at(point: shapely.Point, countries: gpd.GeoDataFrame, code: str) -> str | None:
    """Code of the country polygon (EPSG:4326) containing a lon/lat point, else ``None``."""
    hit = countries.sindex.query(point, predicate="intersects")
    return str(countries[code].iloc[hit[0]]) if hit.size else None
