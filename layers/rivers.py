"""The register's rivers traced on the network: courses, per-country pieces, crossings, lakes.

Everything is in EPSG:4326; lengths are geodesic (WGS 84) in km.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.borders import (
    Boundaries,
    country_at,
    length_by_country,
    merge_crossings,
    raw_crossings,
)
from geo.course import Course, lakes_on_course, point_at, split_course, trace_course
from geo.network import RiverNetwork
from layers.register import LANGS, Register, River

#: crossings closer than this along the river are one crossing (a river running on the border)
MERGE_CROSSINGS_WITHIN_M = 25_000.0
#: a register mouth must lie this close to a reach (metres)
MOUTH_TOLERANCE_M = 5_000.0


@dataclass
class TracedRivers:
    """Traced register rivers.

    ``courses``: one line per river (``river_courses``); ``pieces``: each river's reaches split
    at borders, each reach given to the most specific river holding it (the Tekes, not the
    Ili, for the Ili's headwater); ``crossings``: merged border crossings as points;
    ``raw``: every raw boundary intersection; ``course``: the geo Course objects by river id;
    ``owner``: per reach position of the network, the river id holding it ("" for none);
    ``stretches``: per river id, ``(km from source at start, at end, title)`` of each stretch
    drawn from one input (see :func:`drawn_from`).
    """

    courses: gpd.GeoDataFrame
    pieces: gpd.GeoDataFrame
    crossings: gpd.GeoDataFrame
    raw: pd.DataFrame
    course: dict[str, Course]
    owner: np.ndarray
    stretches: dict[str, list[tuple[float, float, str]]] = field(default_factory=dict)


def _names(river: River) -> dict[str, str]:
    return {f"name_{lang}": river.names[lang] for lang in LANGS}


def trace_rivers(
    net: RiverNetwork,
    rivers: tuple[River, ...],
    borders: Boundaries,
    countries: gpd.GeoDataFrame,
    lakes: gpd.GeoDataFrame,
    *,
    country_code: str = "ADM0_A3",
    lake_name: str = "display_name",
    merge_within_m: float = MERGE_CROSSINGS_WITHIN_M,
    source_titles: dict[str, str] | None = None,
) -> TracedRivers:
    """Trace each register river from its mouth upstream along the mainstem and measure it.

    ``source_titles`` maps the network's reach source labels to what a reader sees ("World
    Data Bank II, 1:1-3M"); courses say which stretch was drawn from which (``drawn_from``),
    pieces carry ``source`` and ``source_title``.
    """
    labels = reach_labels(net)
    titles = source_titles or {}
    course = {
        r.id: trace_course(
            net,
            r.mouth,
            via=r.via,
            max_snap_m=MOUTH_TOLERANCE_M,
            what=f"register river {r.id!r}: mouth",
        )
        for r in rivers
    }
    raws, rows, crossings = [], [], []
    stretches = {
        rid: [(a, b, titles.get(lab, lab)) for a, b, lab in drawn_from(c, labels)]
        for rid, c in course.items()
    }
    lengths: dict[str, dict[str, float]] = {}
    for r in rivers:
        c = course[r.id]
        raw = raw_crossings(c, borders).assign(river_id=r.id)
        raws.append(raw)
        mid = shapely.Point(point_at(c, [c.length_m / 2])[0])
        per_country = length_by_country(c, raw, country_at(mid, countries, country_code))
        lengths[r.id] = per_country
        merged = merge_crossings(raw, merge_within_m)
        on_lakes = lakes_on_course(c, lakes, lake_name)
        headwaters = [
            o.id
            for o in rivers
            if o.id != r.id
            and np.isin(course[o.id].reaches, c.reaches).all()
            and course[o.id].source_lonlat == c.source_lonlat
        ]
        rows.append(
            {
                "river_id": r.id,
                **_names(r),
                "length_km": c.length_m / 1000.0,
                **{f"length_km_{k.lower()}": v / 1000.0 for k, v in per_country.items()},
                "countries": " > ".join(_country_sequence(merged, per_country)),
                "n_crossings": len(merged),
                "lakes_on_course": "; ".join(f"{n} (km {km:.0f})" for n, km in on_lakes),
                "ends_in": r.ends_in,
                "source_via": ", ".join(headwaters),
                "drawn_from": "; ".join(
                    f"km {a:,.0f}–{b:,.0f} {title}" for a, b, title in stretches[r.id]
                ),
                "source_lon": c.source_lonlat[0],
                "source_lat": c.source_lonlat[1],
                "mouth_lon": c.mouth_lonlat[0],
                "mouth_lat": c.mouth_lonlat[1],
                "parent": r.parent or "",
                "note": r.note,
                "geometry": c.line,
            }
        )
        for k, row in enumerate(merged.itertuples(index=False)):
            crossings.append(
                {
                    "crossing_id": f"{r.id}-{k + 1}",
                    "river_id": r.id,
                    **_names(r),
                    "from_country": row.from_country,
                    "to_country": row.to_country,
                    "direction": f"{row.from_country} → {row.to_country}",
                    "km_from_source": row.km_from_source,
                    "raw_crossings": int(row.raw_crossings),
                    "border_zone_km": row.border_zone_km,
                    "lon": row.lon,
                    "lat": row.lat,
                    "geometry": shapely.Point(row.lon, row.lat),
                }
            )
    courses = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    length_cols = [c for c in courses.columns if c.startswith("length_km_")]
    courses[length_cols] = courses[length_cols].fillna(0.0)
    raw_all = pd.concat(raws, ignore_index=True) if raws else pd.DataFrame()
    cross = gpd.GeoDataFrame(
        crossings or None,
        columns=None if crossings else ["geometry"],
        geometry="geometry",
        crs=4326,
    )
    owner = reach_owner(len(net), course)
    pieces = _pieces(net, rivers, course, raw_all, lengths, owner)
    if len(pieces):
        src = labels[net.position_of(pieces["reach_id"].to_numpy())]
        pieces["source"] = src
        pieces["source_title"] = [titles.get(x, x) for x in src]
    return TracedRivers(courses, pieces, cross, raw_all, course, owner, stretches)


def reach_labels(net: RiverNetwork) -> np.ndarray:
    """Per reach, the label of the input it was drawn from ("network" where unknown)."""
    if net.reach_source is None:
        return np.full(len(net), "network", dtype=object)
    return np.asarray(net.reach_source, dtype=object)


def drawn_from(course: Course, labels: np.ndarray) -> list[tuple[float, float, str]]:
    """The course's stretches by input: ``(km from source at start, at end, label)``."""
    lab = labels[course.reaches]
    change = np.r_[True, lab[1:] != lab[:-1]]
    start_km = course.reach_start_m[change] / 1000.0
    end_km = np.r_[start_km[1:], course.length_m / 1000.0]
    return [
        (float(a), float(b), str(x)) for a, b, x in zip(start_km, end_km, lab[change], strict=True)
    ]


def _country_sequence(merged: pd.DataFrame, per_country: dict[str, float]) -> list[str]:
    if merged.empty:
        return list(per_country)
    return [merged["from_country"].iloc[0], *merged["to_country"]]


def reach_owner(n_reaches: int, course: dict[str, Course]) -> np.ndarray:
    """For every reach position, the id of the most specific traced river holding it (the
    shortest course wins: the Tekes, not the Ili, for the Ili's headwater); "" elsewhere."""
    owner = np.full(n_reaches, "", dtype=object)
    for rid, c in sorted(course.items(), key=lambda kv: -kv[1].length_m):
        owner[c.reaches] = rid
    return owner


def _pieces(
    net: RiverNetwork,
    rivers: tuple[River, ...],
    course: dict[str, Course],
    raw: pd.DataFrame,
    fallback: dict[str, dict[str, float]],
    owner: np.ndarray,
) -> gpd.GeoDataFrame:
    """Each river's reaches split at borders; ``fallback`` is its per-country length,
    ``owner`` the river each reach position belongs to (:func:`reach_owner`)."""
    rows = []
    for r in rivers:
        c = course[r.id]
        mine = raw.loc[raw["river_id"] == r.id] if not raw.empty else raw
        only = next(iter(fallback[r.id]))
        cuts = np.concatenate([c.reach_start_m, mine["distance_m"].to_numpy() if len(mine) else []])
        for start_m, end_m, line in split_course(c, cuts):
            mid = (start_m + end_m) / 2
            k = int(np.searchsorted(c.reach_start_m, mid, side="right") - 1)
            pos = int(c.reaches[k])
            if owner[pos] != r.id:
                continue
            rows.append(
                {
                    "river_id": r.id,
                    **_names(r),
                    "reach_id": net.ids[pos].item(),
                    "country": _country_at_distance(mine, mid) if len(mine) else only,
                    "km_from_source_start": start_m / 1000.0,
                    "km_from_source_end": end_m / 1000.0,
                    "length_km": (end_m - start_m) / 1000.0,
                    "geometry": line,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def _country_at_distance(raw: pd.DataFrame, distance_m: float) -> str:
    k = int(np.searchsorted(raw["distance_m"].to_numpy(), distance_m))
    return str(raw["from_country"].iloc[0] if k == 0 else raw["to_country"].iloc[k - 1])


def lakes_layer(lakes: gpd.GeoDataFrame, register: Register) -> gpd.GeoDataFrame:
    """Natural Earth lakes with register names: ``display_name``, ``name_en`` … ``name_zh``.

    Lakes not in the register keep Natural Earth's name (or "unnamed lake").
    """
    out = lakes.copy()
    by_ne = {lk.ne_name: lk for lk in register.lakes}
    ne = out["name"].astype(object).where(out["name"].notna(), None)
    out["lake_id"] = [by_ne[n].id if n in by_ne else "" for n in ne]
    for lang in LANGS:
        out[f"name_{lang}"] = [
            by_ne[n].names[lang] if n in by_ne else (n if lang == "en" and n else "") for n in ne
        ]
    out["display_name"] = out["name_en"].where(out["name_en"] != "", "unnamed lake")
    return out
