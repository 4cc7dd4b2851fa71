"""The Atlas: every layer the product shows or exports, with its style key and provenance.

Built once from the sources (embedded default data or the analyst's files) and read by both
``maps`` (Folium) and the GeoPackage writer, so both show the same numbers. All spatial layers
are in EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.borders import Boundaries
from geo.generalise import largest_reaches
from geo.io import LINE_TYPES, POLYGON_TYPES, REGION, read_vector
from geo.network import RiverNetwork
from geo.reach_attributes import reach_attributes
from layers.basins import basin_id_column, basins_layer
from layers.register import Register, River, load_register
from layers.river_network import load_network, source_titles
from layers.rivers import TracedRivers, lakes_layer, trace_rivers
from layers.sources import Provenance, Sources, default_sources
from layers.subset import choose_basins, lakes_mask, network_mask, region_of

Progress = Callable[[str], None]

#: reaches in the ``network`` layer of a large network: the overview draws each in about
#: 60-100 bytes after simplification, so this many add at most ~0.4 MB to the page
NETWORK_REACHES = 4_000
#: the box (lon/lat degrees) a large network's drawn reaches are chosen in: the product's region
NETWORK_BOX = (REGION.west, REGION.south, REGION.east, REGION.north)
NETWORK_BOX_TEXT = str(REGION)


@dataclass
class Layer:
    """One layer or table of the Atlas.

    ``name`` is the GeoPackage table name and the style key; ``frame`` a GeoDataFrame (EPSG:4326)
    or a plain DataFrame for non-spatial tables; ``provenance`` lists every source it derives from.
    """

    name: str
    title: str
    frame: gpd.GeoDataFrame | pd.DataFrame
    description: str
    provenance: tuple[Provenance, ...]

    @property
    def spatial(self) -> bool:
        return isinstance(self.frame, gpd.GeoDataFrame)


@dataclass
class Atlas:
    """All layers plus what they were built from; ``notes`` collects report lines for the user."""

    register: Register
    rivers: tuple[River, ...]
    sources: Sources
    network: RiverNetwork
    traced: TracedRivers
    layers: dict[str, Layer] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: rasters for display, by name: ``(array (bands, rows, cols), affine transform, CRS)``
    rasters: dict[str, tuple] = field(default_factory=dict)
    #: the country polygons (EPSG:4326) read once for tracing and areas, reused by later steps
    countries: gpd.GeoDataFrame | None = None
    #: repair invalid input geometries (and report it) instead of failing, in every step
    fix_geometries: bool = False
    #: the CRS of vector inputs that declare none (``--assume-crs``), in every step
    assume_crs: str | None = None
    #: the candidate discharge figures of the traced reaches (``layers.discharge.Figures``),
    #: set by the flows step and extended by each analyst table
    discharge: object = None
    #: the analysts' tables joined so far (``layers.user_flows.JoinedTable``), in order
    flow_tables: list = field(default_factory=list)
    #: the chosen rivers' basins and drainage trees (``layers.subset.Region``) when a subset
    #: of the register's rivers was asked for; None for all
    region: object = None

    def add(self, layer: Layer, *, first: bool = False) -> None:
        """Add (or replace) a layer; ``first`` puts it before the others (GeoPackage order)."""
        if first:
            self.layers = {layer.name: layer, **self.layers}
        else:
            self.layers[layer.name] = layer

    def __getitem__(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame:
        return self.layers[name].frame

    def __contains__(self, name: str) -> bool:
        return name in self.layers

    def provenance(self) -> list[Provenance]:
        """Every distinct source used by the layers, in first-use order."""
        seen: dict[str, Provenance] = {}
        for layer in self.layers.values():
            for p in layer.provenance:
                seen.setdefault(p.file, p)
        return list(seen.values())


def _quiet(_: str) -> None:
    return None


def build_atlas(
    sources: Sources | None = None,
    register: Register | None = None,
    river_ids: list[str] | None = None,
    *,
    fix_geometries: bool = False,
    progress: Progress = _quiet,
    steps: tuple[str, ...] | None = None,
    assume_crs: str | None = None,
    bad_values: str = "error",
) -> Atlas:
    """Read every source, trace the register's rivers and assemble the layers.

    ``river_ids`` limits the traced rivers (all register rivers by default); ``steps`` names
    the optional enrichment steps to run (see :data:`STEPS`; all by default); ``assume_crs``
    is the CRS of vector inputs that declare none; ``bad_values`` (``"error"`` or
    ``"warning"``) what a bad numeric attribute of the network does (:mod:`geo.attributes`).
    """
    sources = sources or default_sources()
    register = register or load_register()
    rivers = register.select(river_ids)
    progress("reading borders, countries and lakes")
    borders_gdf, rep_borders = read_vector(
        sources.path("borders"),
        sources.layer("borders"),
        geom_types=LINE_TYPES,
        assume_crs=assume_crs,
    )
    countries, rep_countries = read_vector(
        sources.path("countries"),
        sources.layer("countries"),
        geom_types=POLYGON_TYPES,
        assume_crs=assume_crs,
    )
    lakes_raw, rep_lakes = read_vector(
        sources.path("lakes"),
        sources.layer("lakes"),
        geom_types=POLYGON_TYPES,
        assume_crs=assume_crs,
    )
    lakes = lakes_layer(lakes_raw, register)
    progress("reading the river network")
    net, notes = load_network(
        sources,
        lakes=lakes_raw,
        fix_geometries=fix_geometries,
        assume_crs=assume_crs,
        bad_values=bad_values,
    )
    notes += rep_borders.lines() + rep_countries.lines() + rep_lakes.lines()
    progress("tracing rivers")
    traced = trace_rivers(
        net,
        rivers,
        Boundaries.from_lines(borders_gdf, source=str(sources.path("borders"))),
        countries,
        lakes,
        source_titles=source_titles(sources),
        register_rivers=register.rivers,
    )
    rivers = traced.rivers
    notes += traced.notes
    atlas = Atlas(
        register,
        rivers,
        sources,
        net,
        traced,
        notes=notes,
        countries=countries,
        fix_geometries=fix_geometries,
        assume_crs=assume_crs,
        region=region_of(net, traced, {r.id for r in rivers}) if river_ids else None,
    )
    p = sources.about
    atlas.add(
        Layer(
            "lakes",
            "Lakes and reservoirs",
            lakes,
            "Lakes and reservoirs; the register's lakes carry names in en/kk/ru/zh.",
            (p("lakes"),),
        )
    )
    atlas.add(
        Layer(
            "borders",
            "International borders",
            borders_gdf,
            "International land boundaries with the country left and right of each line.",
            (p("borders"),),
        )
    )
    network = _network_frame(net, traced)
    atlas.notes.extend(_network_note(net, network))
    atlas.add(
        Layer(
            "network",
            "River network",
            network,
            "Every reach of the river network; river_id names the traced river holding it, "
            "on_courses every traced course through it."
            if len(network) == len(net)
            else f"The {len(network):,} reaches draining most of the river network's "
            f"{len(net):,} in {NETWORK_BOX_TEXT} (by upstream area or longest upstream path) and "
            "every traced reach; river_id names the traced river holding it, on_courses every "
            "traced course through it.",
            (p("rivers"),),
        )
    )
    atlas.add(
        Layer(
            "rivers",
            "Traced rivers (reaches by country)",
            traced.pieces,
            "Reaches of the traced rivers split at borders: river, country, distance from "
            "the source (km, geodesic WGS 84).",
            (p("rivers"), p("borders")),
        )
    )
    atlas.add(
        Layer(
            "river_courses",
            "River courses",
            traced.courses,
            "One line per traced river from its source to its mouth; lengths in km "
            "(geodesic, WGS 84), in total and per country.",
            (p("rivers"), p("borders"), p("lakes")),
        )
    )
    atlas.add(
        Layer(
            "crossings",
            "Border crossings",
            traced.crossings,
            "Where a traced river crosses an international border; direction from the "
            "network's flow direction; km from the source along the river.",
            (p("rivers"), p("borders")),
        )
    )
    for name in steps if steps is not None else tuple(STEPS):
        progress(STEPS[name][0])
        STEPS[name][1](atlas)
    return atlas


def network_positions(net: RiverNetwork, traced: TracedRivers) -> np.ndarray:
    """Reach positions of the ``network`` layer: every reach of a network of at most
    :data:`NETWORK_REACHES`; of a larger one, the :data:`NETWORK_REACHES` draining most
    (:func:`geo.generalise.largest_reaches`) in the product's region, plus every traced reach."""
    shown = largest_reaches(net, NETWORK_REACHES, box=NETWORK_BOX)
    traced_reaches = [c.reaches for c in traced.course.values()]
    return np.union1d(shown, np.concatenate([np.zeros(0, np.int64), *traced_reaches]))


def _network_frame(net: RiverNetwork, traced: TracedRivers) -> gpd.GeoDataFrame:
    """The reaches the network layer holds (:func:`network_positions`): our columns, then
    every column of the source file (names and types kept). A source column whose name equals
    one of ours (GeoPackage names ignore case: HydroRIVERS' ``LENGTH_KM``) keeps its name;
    ours is left out where it holds the same values, else it becomes ``rivermap_<name>``."""
    pos = network_positions(net, traced)
    down = net.next_down[pos]
    has_down = down >= 0
    next_down_id = pd.array(np.where(has_down, net.ids[np.maximum(down, 0)], 0))
    next_down_id[~has_down] = pd.NA
    ours = pd.DataFrame(
        {
            "reach_id": net.ids[pos],
            "next_down_id": next_down_id,
            "length_km": net.length_m[pos] / 1000.0,
            "longest_upstream_km": net.longest_upstream_m[pos] / 1000.0,
            "river_id": traced.owner[pos],
            "source": None if net.reach_source is None else net.reach_source[pos],
            "on_courses": traced.on_courses[pos],
        }
    )
    theirs = reach_attributes(net, pos)
    if theirs is not None:
        same_name = {str(c).casefold(): c for c in theirs.columns}
        for c in list(ours.columns):
            other = same_name.get(c.casefold())
            if other is None:
                continue
            if _same_values(ours[c], theirs[other]):
                ours = ours.drop(columns=c)
            else:
                ours = ours.rename(columns={c: f"rivermap_{c}"})
        ours = pd.concat([ours, theirs], axis=1)
    return gpd.GeoDataFrame(ours, geometry=net.lines(pos), crs=4326)


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    """Equal cell by cell (numbers within 1e-9 relative, missing equals missing)."""
    x, y = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    if x.notna().equals(a.notna()) and y.notna().equals(b.notna()):
        return bool(np.allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-9, equal_nan=True))
    return a.astype(object).where(a.notna(), None).equals(b.astype(object).where(b.notna(), None))


def _network_note(net: RiverNetwork, frame: gpd.GeoDataFrame) -> list[str]:
    if len(frame) == len(net):
        return []
    key = "upstream area" if net.upstream_area_km2 is not None else "longest upstream path"
    return [
        f"{net.source}: the network layer holds {len(frame):,} of {len(net):,} reaches "
        f"(those draining most in {NETWORK_BOX_TEXT}, by {key}, and every traced reach)"
    ]


#: optional enrichment steps, in order: name -> (progress text, function(atlas)).
#: Each step module adds layers/columns to the Atlas in place; register new steps here.
STEPS: dict[str, tuple[str, Callable[[Atlas], None]]] = {}


def attach_basins(atlas: Atlas) -> None:
    """The ``basins`` layer (first in the Atlas): watersheds with their area in total and per
    country (km², Albers equal-area). ``rivermap trace`` does without it."""
    if "basins" in atlas:
        return
    sources = atlas.sources
    basins_raw, rep = read_vector(
        sources.path("basins"),
        sources.layer("basins"),
        geom_types=POLYGON_TYPES,
        fix_geometries=atlas.fix_geometries,
        assume_crs=atlas.assume_crs,
    )
    atlas.notes.extend(rep.lines())
    basin_id = basin_id_column(basins_raw, str(sources.path("basins")))
    if atlas.region is not None:
        _cut_to_region(atlas, basins_raw)
        basins_raw = basins_raw.loc[basins_raw[basin_id].astype(str).isin(atlas.region.basin_ids)]
    p = sources.about
    atlas.add(
        Layer(
            "basins",
            "Basins",
            basins_layer(basins_raw, atlas.countries, basin_id=basin_id),
            "Watersheds with area in total and per country (km², Albers equal-area).",
            (p("basins"), p("countries")),
        ),
        first=True,
    )


def _cut_to_region(atlas: Atlas, basins: gpd.GeoDataFrame) -> None:
    """A subset of rivers: choose their basins, keep the network reaches and lakes there."""
    region = atlas.region
    choose_basins(basins, region, atlas.register.rivers, atlas.network)
    for name, mask in (
        ("network", lambda f: network_mask(f, atlas.network, region)),
        ("lakes", lambda f: lakes_mask(f, atlas["river_courses"], region)),
    ):
        frame = atlas[name]
        atlas.layers[name].frame = frame.loc[mask(frame)]


STEPS["basins"] = ("measuring basins", attach_basins)


def _flows(atlas: Atlas) -> None:
    from layers.flows import attach_flows

    attach_basins(atlas)
    attach_flows(atlas)


STEPS["flows"] = ("joining flow tables", _flows)


def _elevation(atlas: Atlas) -> None:
    from layers.elevation import attach_elevation

    attach_basins(atlas)
    attach_elevation(atlas)


STEPS["elevation"] = ("sampling elevation", _elevation)
