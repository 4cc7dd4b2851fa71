"""Border crossings as places: one feature where the water passes, listing every river there.

Each traced river's crossings are found on its own course (:mod:`geo.borders`), numbered along
it (``ili-1``, ``ili-2``) and then grouped by place: rivers that share a crossing (the Tekes is
the Ili's headwater, so both courses cross the border at the same point) are listed on one
feature. The place takes the id, names and km of its most specific river (the shortest course
there, the same rule that gives a reach to a river), so neither its id nor the rivers it lists
depend on which rivers were asked for. Coordinates are lon/lat degrees (EPSG:4326); distances
geodesic (WGS 84).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from layers.register import LANGS, River

#: crossings of different rivers closer than this (metres) are one place
PLACE_M = 50.0
EARTH_RADIUS_M = 6_371_008.8

#: columns of the per-river table (``TracedRivers.crossing_rivers``)
RIVER_CROSSING_COLUMNS = [
    "crossing_id",
    "river_id",
    "own_id",
    "from_country",
    "to_country",
    "km_from_source",
    "raw_crossings",
    "border_zone_km",
    "lon",
    "lat",
]


def river_crossings(merged: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every river's merged crossings (:func:`geo.borders.merge_crossings`) in one table,
    numbered along each river: ``own_id`` is ``<river>-<k>`` (1 = nearest the source)."""
    frames = [
        m.assign(river_id=rid, own_id=[f"{rid}-{k + 1}" for k in range(len(m))])
        for rid, m in merged.items()
        if len(m)
    ]
    if not frames:
        return pd.DataFrame(columns=RIVER_CROSSING_COLUMNS[1:])
    return pd.concat(frames, ignore_index=True)


def group_places(per_river: pd.DataFrame, course_m: dict[str, float]) -> pd.DataFrame:
    """``per_river`` with ``crossing_id``: the ``own_id`` of the place's most specific river.

    Crossings in the same direction closer than :data:`PLACE_M` are one place (haversine on
    the mean Earth radius: a few dozen crossings, compared pairwise in numpy). The most
    specific river is the one with the shortest course (``course_m``, metres).
    """
    out = per_river.copy()
    n = len(out)
    if not n:
        out["crossing_id"] = pd.Series(dtype=object)
        return out[RIVER_CROSSING_COLUMNS]
    lon, lat = np.radians(out["lon"].to_numpy(float)), np.radians(out["lat"].to_numpy(float))
    a = (
        np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
        + np.cos(lat[:, None])
        * np.cos(lat[None, :])
        * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    )
    dist = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    direction = (out["from_country"] + ">" + out["to_country"]).to_numpy()
    same = (dist < PLACE_M) & (direction[:, None] == direction[None, :])
    _, place = csgraph.connected_components(sparse.csr_matrix(same), directed=False)
    out["_length"] = out["river_id"].map(course_m).astype(float)
    out["_place"] = place
    first = out.sort_values(["_place", "_length", "river_id"]).drop_duplicates("_place")
    out["crossing_id"] = out["_place"].map(first.set_index("_place")["own_id"])
    return out.drop(columns=["_length", "_place"])[RIVER_CROSSING_COLUMNS]


def crossings_layer(
    per_river: pd.DataFrame,
    rivers: tuple[River, ...],
    shown: set[str],
    course_m: dict[str, float],
) -> gpd.GeoDataFrame:
    """One point per place (EPSG:4326) where a river of ``shown`` crosses a border.

    Columns: ``crossing_id``, ``river_id`` and the names of the place's most specific river,
    ``rivers`` (every traced river through it, most specific first, ``"tekes, ili"``),
    ``crossing_ids`` (each river's own numbering there, ``"tekes-1, ili-1"``), direction,
    ``km_from_source`` (on the most specific river's course), ``raw_crossings``,
    ``border_zone_km``, ``lon``, ``lat``. Places in register order of the first river through
    them, then downstream.
    """
    by_id = {r.id: r for r in rivers}
    order = {r.id: k for k, r in enumerate(rivers)}
    pr = per_river.assign(
        _length=per_river["river_id"].map(course_m).astype(float),
        _order=per_river["river_id"].map(order),
    ).sort_values(["_length", "river_id"])
    listed = pr.groupby("crossing_id", sort=False).agg(
        rivers=("river_id", ", ".join),
        crossing_ids=("own_id", ", ".join),
        first=("_order", "min"),
    )
    mine = pr.loc[pr["own_id"] == pr["crossing_id"]].set_index("crossing_id")
    touched = pr.loc[pr["river_id"].isin(shown), "crossing_id"].unique()
    places = mine.loc[mine.index.isin(touched)].join(listed)
    places = places.sort_values(["first", "km_from_source"]).reset_index()
    rows = [
        {
            "crossing_id": p.crossing_id,
            "river_id": p.river_id,
            **{f"name_{lang}": by_id[p.river_id].names[lang] for lang in LANGS},
            "rivers": p.rivers,
            "crossing_ids": p.crossing_ids,
            "from_country": p.from_country,
            "to_country": p.to_country,
            "direction": f"{p.from_country} → {p.to_country}",
            "km_from_source": p.km_from_source,
            "raw_crossings": int(p.raw_crossings),
            "border_zone_km": p.border_zone_km,
            "lon": p.lon,
            "lat": p.lat,
        }
        for p in places.itertuples(index=False)
    ]
    if not rows:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(frame["lon"], frame["lat"]), crs=4326)


def sliver_notes(
    slivers: pd.DataFrame, owner_at: dict[str, np.ndarray], min_m: float, limit: int = 6
) -> list[str]:
    """One line per river on the border slivers merged on the reaches it holds.

    ``slivers``: ``river_id, country, length_m, start_m``; ``owner_at``: per river, the owner
    (river id) of the reach at each sliver's start, so a sliver shared by two courses (the Ili
    and its headwater) is reported once, by the river that holds it; ``min_m`` the threshold.
    """
    lines = []
    for rid, s in slivers.groupby("river_id", sort=False):
        s = s.loc[owner_at[rid] == rid]
        if s.empty:
            continue
        listed = "; ".join(
            f"{m / 1000:.2f} km in {c} at km {a / 1000:.1f}"
            for c, m, a in zip(
                s["country"][:limit], s["length_m"][:limit], s["start_m"][:limit], strict=True
            )
        )
        more = f" (+{len(s) - limit} more)" if len(s) > limit else ""
        lines.append(
            f"{rid}: {len(s)} border sliver(s) shorter than {min_m / 1000:g} km merged into "
            f"the pieces beside them ({s['length_m'].sum() / 1000:.2f} km in all): {listed}{more}"
        )
    return lines
