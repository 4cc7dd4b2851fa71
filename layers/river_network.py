"""The Atlas' river network: the ``rivers`` role, extended upstream by the ``headwaters`` role.

The embedded default (``rivers_merged.geojson``) is the portal's lines already extended with
World Data Bank II's headwaters by :func:`merge_network_files` (``rivermap merge-network``,
``make network``); an analyst can pair their own files the same way, at run time
(``--data rivers=... --data headwaters=...``) or once into a file. Every reach carries the
input it was drawn from (:attr:`geo.network.RiverNetwork.reach_source`), described by
:func:`source_titles` for the maps, the export and ``rivermap trace``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.atomic import atomic_path
from geo.headwaters import Merged, extend_network
from geo.io import LINE_TYPES, POLYGON_TYPES, read_vector, source_name
from geo.network import RiverNetwork
from geo.network_build import HYDRORIVERS_COLUMNS, read_network
from layers.sources import DATA_DIR, Sources, default_sources, load_provenance

HEADWATERS = "headwaters"
#: the embedded inputs the default network is built from (keys of provenance.toml)
EMBEDDED_PAIR = ("wh_rivers", "wdb_rivers")
#: prefix of the secondary file's own columns in a merged file, by its label
SECONDARY_PREFIX = "wdb"


def load_network(
    sources: Sources,
    *,
    lakes: gpd.GeoDataFrame | None = None,
    fix_geometries: bool = False,
    assume_crs: str | None = None,
    bad_values: str = "error",
) -> tuple[RiverNetwork, list[str]]:
    """Read the ``rivers`` network and, when the ``headwaters`` role is given, extend it.

    ``lakes`` (EPSG:4326 polygons) keep delta arms from being taken for headwaters. Reaches
    without a ``source`` column are labelled with their role's provenance key.
    ``assume_crs`` and ``bad_values`` as for :func:`geo.network.read_network`. The merge
    needs every primary line, so with ``headwaters`` even a continental file is read whole.
    """
    merging = HEADWATERS in sources.paths
    net, notes = _read_primary(
        sources,
        whole=merging,
        fix_geometries=fix_geometries,
        assume_crs=assume_crs,
        bad_values=bad_values,
    )
    if not merging:
        return net, notes
    merged, _ = _extend(net, sources, lakes, fix_geometries)
    return merged.network, [*notes, *merged.notes]


def _read_primary(sources: Sources, *, whole: bool, **options) -> tuple[RiverNetwork, list[str]]:
    """The ``rivers`` network, every reach labelled with its input; ``whole``: read every
    line even of a continental file (the merge needs them)."""
    net, notes = read_network(
        str(sources.path("rivers")),
        layer=sources.layer("rivers"),
        whole_read_limit=np.iinfo(np.int64).max if whole else None,
        **options,
    )
    if net.reach_source is None:
        net.reach_source = np.full(len(net), sources.about("rivers").key, dtype=object)
    return net, notes


def _extend(
    net: RiverNetwork,
    sources: Sources,
    lakes: gpd.GeoDataFrame | None,
    fix_geometries: bool,
) -> tuple[Merged, gpd.GeoDataFrame]:
    from layers.elevation import elevation_source  # elevation imports the Atlas

    path, layer = sources.path(HEADWATERS), sources.layer(HEADWATERS)
    lines, _ = read_vector(path, layer, geom_types=LINE_TYPES, fix_geometries=fix_geometries)
    dem = elevation_source(sources)
    merged = extend_network(
        net,
        lines,
        secondary_name=source_name(path, layer),
        labels=(sources.about("rivers").key, sources.about(HEADWATERS).key),
        elevation=lambda lon, lat: dem.sample(lon, lat)[0],
        sinks=None if lakes is None else lakes.geometry,
    )
    return merged, lines


def source_titles(sources: Sources) -> dict[str, str]:
    """Reach source label -> how a reader sees it ("World Data Bank II (1:1–3M)").

    Labels are provenance keys of the embedded data or the roles of the analyst's files.
    """
    out = {key: p.label() for key, p in {**load_provenance(), **sources.provenance}.items()}
    for p in sources.provenance.values():
        out.setdefault(p.key, p.label())
    return out


# -- building a merged network file -----------------------------------------------------------
def embedded_pair() -> Sources:
    """The embedded inputs of the default network as ``rivers`` and ``headwaters`` roles."""
    base = default_sources()
    prov = load_provenance()
    rivers, heads = (prov[k] for k in EMBEDDED_PAIR)
    return Sources(
        paths={**base.paths, "rivers": DATA_DIR / rivers.file, HEADWATERS: DATA_DIR / heads.file},
        provenance={**base.provenance, "rivers": rivers, HEADWATERS: heads},
        user_roles=base.user_roles,
        layer_names=base.layer_names,
    )


def merge_network_files(sources: Sources, out: str | Path) -> list[str]:
    """Write ``rivers`` extended by ``headwaters`` as one GeoJSON of lines digitised
    downstream (EPSG:4326); returns the notes. Same inputs, same bytes.

    Columns: ``source`` (each reach's input), the primary file's own columns (a split reach
    keeps its parent's; HydroRIVERS ``HYRIV_ID``/``NEXT_DOWN``/``LENGTH_KM``/``UPLAND_SKM``
    are rewritten for the new reaches), then the secondary file's own columns prefixed
    ``wdb_`` (the whole source line's attributes).
    """
    lakes, _ = read_vector(sources.path("lakes"), sources.layer("lakes"), geom_types=POLYGON_TYPES)
    primary, _ = read_vector(sources.path("rivers"), sources.layer("rivers"), geom_types=LINE_TYPES)
    net, notes = _read_primary(sources, whole=True)
    merged, secondary = _extend(net, sources, lakes, False)
    frame = merged_frame(merged, primary, secondary)
    with atomic_path(out) as tmp:
        frame.to_file(
            tmp, layer=Path(out).stem, driver="GeoJSON", COORDINATE_PRECISION=7, engine="pyogrio"
        )
    return [*notes, *merged.notes]


def merged_frame(
    merged: Merged, primary: gpd.GeoDataFrame, secondary: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The merged network as a table of lines (see :func:`merge_network_files`)."""
    net = merged.network
    cols: dict[str, object] = {"source": net.reach_source.astype(str)}
    own = primary.drop(columns=[primary.geometry.name, "source"], errors="ignore")
    taken = _rows(own.reset_index(drop=True), merged.primary_row)
    if all(c in own.columns for c in HYDRORIVERS_COLUMNS):
        has = net.next_down >= 0
        taken["HYRIV_ID"] = net.ids
        taken["NEXT_DOWN"] = np.where(has, net.ids[np.maximum(net.next_down, 0)], 0)
        if "LENGTH_KM" in taken:
            taken["LENGTH_KM"] = net.length_m / 1000.0
        if "UPLAND_SKM" in taken and net.upstream_area_km2 is not None:
            taken["UPLAND_SKM"] = net.upstream_area_km2
    theirs = secondary.drop(columns=[secondary.geometry.name], errors="ignore")
    theirs = _rows(theirs.reset_index(drop=True), merged.secondary_row)
    theirs.columns = [f"{SECONDARY_PREFIX}_{c}" for c in theirs.columns]
    table = pd.concat([pd.DataFrame(cols), taken, theirs], axis=1)
    return gpd.GeoDataFrame(table, geometry=net.geometry.values, crs=4326)


def _rows(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """Rows of ``frame`` at ``positions``; -1 gives an empty (missing) row. Whole-number
    columns stay whole numbers (nullable) instead of turning into floats."""
    picked = frame.reindex(np.where(positions >= 0, positions, -1)).reset_index(drop=True)
    for col in frame.columns:
        if pd.api.types.is_integer_dtype(frame[col].dtype):
            picked[col] = picked[col].astype("Int64")
    return picked
