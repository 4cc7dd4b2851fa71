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
    SLIVER_M,
    Boundaries,
    country_at,
    length_by_country,
    merge_crossings,
    merge_slivers,
    raw_crossings,
)
from geo.course import Course, lakes_on_course, point_at, split_course, trace_course
from geo.errors import NetworkError, ViaPointError
from geo.network import RiverNetwork
from layers.crossings import crossings_layer, group_places, river_crossings, sliver_notes
from layers.register import LANGS, Register, River
from layers.stretches import Stretch, reach_labels, stretches, stretches_text

#: crossings closer than this along the river are one crossing (a river running on the border)
MERGE_CROSSINGS_WITHIN_M = 25_000.0
#: a register mouth must lie this close to a reach (metres)
MOUTH_TOLERANCE_M = 5_000.0


@dataclass
class TracedRivers:
    """Traced register rivers.

    ``rivers``: the rivers shown (those asked for, and the rivers holding part of their
    courses: the Tekes for the Ili); ``courses``: one line per shown river
    (``river_courses``); ``pieces``: the shown rivers' reaches split at borders, each reach
    once, given to the most specific river holding it (the Tekes, not the Ili, for the Ili's
    headwater) and listing in ``on_courses`` every traced course it belongs to;
    ``crossings``: one point per place where a shown river crosses a border
    (:mod:`layers.crossings`); ``crossing_rivers``: per river, its crossings (place id, km on
    that river); ``raw``: the raw boundary intersections kept (border slivers merged);
    ``slivers``: the slivers merged; ``course``: the geo Course objects of every river traced,
    by id; ``owner``/``on_courses``: per reach position of the network, the river id holding
    it ("" for none) and every course through it. Ownership is computed over every register
    river that traces on the network, so it never depends on which rivers were asked for.
    ``stretches``: per river id, where each stretch of its course was drawn from
    (:mod:`layers.stretches`).
    """

    courses: gpd.GeoDataFrame
    pieces: gpd.GeoDataFrame
    crossings: gpd.GeoDataFrame
    raw: pd.DataFrame
    course: dict[str, Course]
    owner: np.ndarray
    rivers: tuple[River, ...] = ()
    on_courses: np.ndarray | None = None
    crossing_rivers: pd.DataFrame | None = None
    slivers: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    stretches: dict[str, list[Stretch]] = field(default_factory=dict)


def _names(river: River) -> dict[str, str]:
    return {f"name_{lang}": river.names[lang] for lang in LANGS}


def trace_rivers(
    net: RiverNetwork,
    rivers: tuple[River, ...],
    borders: Boundaries,
    countries: gpd.GeoDataFrame,
    lakes: gpd.GeoDataFrame,
    *,
    register_rivers: tuple[River, ...] | None = None,
    country_code: str = "ADM0_A3",
    lake_name: str = "display_name",
    merge_within_m: float = MERGE_CROSSINGS_WITHIN_M,
    sliver_m: float = SLIVER_M,
    source_titles: dict[str, str] | None = None,
) -> TracedRivers:
    """Trace each register river from its mouth upstream along the mainstem and measure it.

    ``rivers`` are the rivers asked for (each must trace: NetworkError otherwise);
    ``register_rivers`` (default: ``rivers``) are every river of the register, traced too where
    the network holds them, so that which river holds a reach does not depend on the choice.
    ``source_titles`` maps the network's reach source labels to what a reader sees ("World
    Data Bank II (1:1–3M)"): courses say which stretch was drawn from which (``drawn_from``),
    pieces carry ``source`` and ``source_title``.
    """
    everyone = _union(register_rivers or rivers, rivers)
    via_notes: list[str] = []
    course = _trace_all(net, everyone, {r.id for r in rivers}, via_notes)
    traced = tuple(r for r in everyone if r.id in course)
    owner = reach_owner(len(net), course)
    shown = shown_rivers({r.id for r in rivers}, course, owner)
    shown_list = tuple(r for r in traced if r.id in shown)
    raws, merged, lengths, slivers = {}, {}, {}, []
    for r in traced:
        c = course[r.id]
        raw, gone = merge_slivers(raw_crossings(c, borders).assign(river_id=r.id), sliver_m)
        raws[r.id] = raw
        slivers.append(gone.assign(river_id=r.id))
        mid = shapely.Point(point_at(c, [c.length_m / 2])[0])
        lengths[r.id] = length_by_country(c, raw, country_at(mid, countries, country_code))
        merged[r.id] = merge_crossings(raw, merge_within_m)
    course_m = {rid: c.length_m for rid, c in course.items()}
    per_river = group_places(river_crossings(merged), course_m)
    titles = source_titles or {}
    drawn = stretches(net, course, titles)
    rows = [
        {
            **_course_row(r, course, traced, merged[r.id], lengths[r.id], lakes, lake_name),
            "drawn_from": stretches_text(drawn[r.id]),
        }
        for r in shown_list
    ]
    courses = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    length_cols = [c for c in courses.columns if c.startswith("length_km_")]
    courses[length_cols] = courses[length_cols].fillna(0.0)
    raw_all = pd.concat([raws[r.id] for r in shown_list], ignore_index=True)
    on_courses = courses_through(len(net), course)
    pieces = _pieces(net, shown_list, course, raws, lengths, owner, on_courses)
    if len(pieces):
        src = reach_labels(net)[net.position_of(pieces["reach_id"].to_numpy())]
        pieces["source"] = src
        pieces["source_title"] = [titles.get(x, x) for x in src]
    sliver_table = pd.concat(slivers, ignore_index=True)
    sliver_table = sliver_table.loc[sliver_table["river_id"].isin(shown)].reset_index(drop=True)
    notes = via_notes + sliver_notes(sliver_table, _owner_at(sliver_table, course, owner), sliver_m)
    return TracedRivers(
        courses=courses,
        pieces=pieces,
        crossings=crossings_layer(per_river, traced, shown, course_m),
        raw=raw_all,
        course=course,
        owner=owner,
        rivers=shown_list,
        on_courses=on_courses,
        crossing_rivers=per_river.loc[per_river["river_id"].isin(shown)].reset_index(drop=True),
        slivers=sliver_table,
        notes=notes,
        stretches=drawn,
    )


def _union(register: tuple[River, ...], asked: tuple[River, ...]) -> tuple[River, ...]:
    ids = {r.id for r in register}
    return tuple(register) + tuple(r for r in asked if r.id not in ids)


def _trace_all(
    net: RiverNetwork, rivers: tuple[River, ...], asked: set[str], notes: list[str]
) -> dict:
    """Course per river id; a river not asked for that the network does not hold is left out
    (it holds no reach there, whichever rivers are asked for). A via point that lies on no
    reach (an analyst's network without that branch) is dropped with a note: the river then
    follows its mainstem."""
    out = {}
    for r in rivers:
        what = f"register river {r.id!r}: mouth"
        try:
            try:
                out[r.id] = trace_course(
                    net, r.mouth, via=r.via, max_snap_m=MOUTH_TOLERANCE_M, what=what
                )
            except ViaPointError:
                out[r.id] = trace_course(net, r.mouth, max_snap_m=MOUTH_TOLERANCE_M, what=what)
                if r.id in asked:
                    lon, lat = r.via
                    notes.append(
                        f"register river {r.id!r}: via point lon {lon:.4f}, lat {lat:.4f} lies on "
                        f"no reach of {net.source} within {MOUTH_TOLERANCE_M / 1000:g} km; traced "
                        "along its mainstem instead (the register's note may describe a head "
                        "this network lacks)"
                    )
        except NetworkError:
            if r.id in asked:
                raise
    return out


def shown_rivers(asked: set[str], course: dict[str, Course], owner: np.ndarray) -> set[str]:
    """The river ids asked for and, repeatedly, the rivers holding reaches of their courses
    (the Tekes for the Ili)."""
    shown = set(asked)
    while True:
        more = {str(o) for rid in shown for o in np.unique(owner[course[rid].reaches])} - {""}
        if more <= shown:
            return shown
        shown |= more


def _course_row(
    r: River,
    course: dict[str, Course],
    traced: tuple[River, ...],
    merged: pd.DataFrame,
    per_country: dict[str, float],
    lakes: gpd.GeoDataFrame,
    lake_name: str,
) -> dict:
    c = course[r.id]
    headwaters = [
        o.id
        for o in traced
        if o.id != r.id
        and np.isin(course[o.id].reaches, c.reaches).all()
        and course[o.id].source_lonlat == c.source_lonlat
    ]
    on_lakes = lakes_on_course(c, lakes, lake_name)
    return {
        "river_id": r.id,
        **_names(r),
        "length_km": c.length_m / 1000.0,
        **{f"length_km_{k.lower()}": v / 1000.0 for k, v in per_country.items()},
        "countries": " > ".join(_country_sequence(merged, per_country)),
        "n_crossings": len(merged),
        "lakes_on_course": "; ".join(f"{n} (km {km:.0f})" for n, km in on_lakes),
        "ends_in": r.ends_in,
        "source_via": ", ".join(headwaters),
        "source_lon": c.source_lonlat[0],
        "source_lat": c.source_lonlat[1],
        "mouth_lon": c.mouth_lonlat[0],
        "mouth_lat": c.mouth_lonlat[1],
        "parent": r.parent or "",
        "note": r.note,
        "geometry": c.line,
    }


def _owner_at(slivers: pd.DataFrame, course: dict[str, Course], owner: np.ndarray) -> dict:
    """Per river, the owner of the reach at each of its slivers' start (for the notes)."""
    out = {}
    for rid, s in slivers.groupby("river_id", sort=False):
        c = course[rid]
        k = np.searchsorted(c.reach_start_m, s["start_m"].to_numpy(), side="right") - 1
        out[rid] = owner[c.reaches[np.clip(k, 0, len(c.reaches) - 1)]]
    return out


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


def courses_through(n_reaches: int, course: dict[str, Course]) -> np.ndarray:
    """For every reach position, the ids of every traced course through it, most specific
    (shortest) first, joined by ``", "`` (``"tekes, ili"``); "" elsewhere."""
    on = np.full(n_reaches, "", dtype=object)
    for rid, c in sorted(course.items(), key=lambda kv: kv[1].length_m):
        mine = np.unique(c.reaches)  # only the course's reaches: no string per network reach
        held = on[mine]
        on[mine] = np.where(held != "", held + ", " + rid, rid)
    return on


def _pieces(
    net: RiverNetwork,
    rivers: tuple[River, ...],
    course: dict[str, Course],
    raws: dict[str, pd.DataFrame],
    fallback: dict[str, dict[str, float]],
    owner: np.ndarray,
    on_courses: np.ndarray,
) -> gpd.GeoDataFrame:
    """Each river's reaches split at borders; ``fallback`` is its per-country length,
    ``owner`` the river each reach position belongs to (:func:`reach_owner`), ``on_courses``
    the courses through it (:func:`courses_through`)."""
    rows = []
    for r in rivers:
        c = course[r.id]
        mine = raws[r.id]
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
                    "on_courses": on_courses[pos],
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
