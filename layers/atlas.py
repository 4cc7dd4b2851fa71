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
from geo.io import LINE_TYPES, POLYGON_TYPES, read_vector
from geo.network import RiverNetwork
from layers.basins import basin_id_column, basins_layer
from layers.register import Register, River, load_register
from layers.river_network import load_network, source_titles
from layers.rivers import TracedRivers, lakes_layer, trace_rivers
from layers.sources import Provenance, Sources, default_sources

Progress = Callable[[str], None]


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

    def add(self, layer: Layer) -> None:
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
) -> Atlas:
    """Read every source, trace the register's rivers and assemble the layers.

    ``river_ids`` limits the traced rivers (all register rivers by default); ``steps`` names
    the optional enrichment steps to run (see :data:`STEPS`; all by default).
    """
    sources = sources or default_sources()
    register = register or load_register()
    rivers = register.select(river_ids)
    progress("reading borders, countries and lakes")
    borders_gdf, _ = read_vector(
        sources.path("borders"), sources.layer("borders"), geom_types=LINE_TYPES
    )
    countries, _ = read_vector(
        sources.path("countries"), sources.layer("countries"), geom_types=POLYGON_TYPES
    )
    lakes_raw, _ = read_vector(
        sources.path("lakes"), sources.layer("lakes"), geom_types=POLYGON_TYPES
    )
    lakes = lakes_layer(lakes_raw, register)
    progress("reading the river network")
    net, notes = load_network(sources, lakes=lakes_raw, fix_geometries=fix_geometries)
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
    progress("measuring basins")
    basins_raw, rep = read_vector(
        sources.path("basins"),
        sources.layer("basins"),
        geom_types=POLYGON_TYPES,
        fix_geometries=fix_geometries,
    )
    notes += rep.lines()
    basin_id = basin_id_column(basins_raw, str(sources.path("basins")))
    basins = basins_layer(basins_raw, countries, basin_id=basin_id)
    atlas = Atlas(register, rivers, sources, net, traced, notes=notes, countries=countries)
    p = sources.about
    atlas.add(
        Layer(
            "basins",
            "Basins",
            basins,
            "Watersheds with area in total and per country (km², Albers equal-area).",
            (p("basins"), p("countries")),
        )
    )
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
    atlas.add(
        Layer(
            "network",
            "River network",
            _network_frame(net, traced),
            "Every reach of the river network; river_id names the traced river holding it, "
            "on_courses every traced course through it.",
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


def _network_frame(net: RiverNetwork, traced: TracedRivers) -> gpd.GeoDataFrame:
    has_down = net.next_down >= 0
    next_down_id = pd.array(np.where(has_down, net.ids[np.maximum(net.next_down, 0)], 0))
    next_down_id[~has_down] = pd.NA
    return gpd.GeoDataFrame(
        {
            "reach_id": net.ids,
            "next_down_id": next_down_id,
            "length_km": net.length_m / 1000.0,
            "longest_upstream_km": net.longest_upstream_m / 1000.0,
            "river_id": traced.owner,
            "source": net.reach_source,
            "on_courses": traced.on_courses,
        },
        geometry=net.geometry.values,
        crs=4326,
    )


#: optional enrichment steps, in order: name -> (progress text, function(atlas)).
#: Each step module adds layers/columns to the Atlas in place; register new steps here.
STEPS: dict[str, tuple[str, Callable[[Atlas], None]]] = {}


def _flows(atlas: Atlas) -> None:
    from layers.flows import attach_flows

    attach_flows(atlas)


STEPS["flows"] = ("joining flow tables", _flows)


def _elevation(atlas: Atlas) -> None:
    from layers.elevation import attach_elevation

    attach_elevation(atlas)


STEPS["elevation"] = ("sampling elevation", _elevation)
