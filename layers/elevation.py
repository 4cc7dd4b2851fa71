"""Elevation in the Atlas: river profiles, basin statistics and the display hillshade.

The elevation source is every DEM role of the sources (``dem_fine``: the embedded 15″ GEBCO
grid of the Ili valley; ``dem``: the 5′ whole-region grid; an analyst's DEM replaces either),
used as one: at each place the finest raster with data (:class:`geo.raster.ElevationSource`).

Layers added (plain tables, no geometry):

- ``profiles``: ``river_id, km_from_source, lon, lat, elevation_m, country, dem,
  elevation_never_rising_m`` — every traced river sampled every :data:`PROFILE_SPACING_KM` km
  (geodesic, WGS 84) from its source; ``country`` follows the ``crossings`` layer; ``dem`` names
  the raster that gave the value; ``elevation_never_rising_m`` is the closest profile that never
  rises downstream (:func:`geo.monotone.never_rising`), the one the maps draw.
- ``basin_elevation``: one row per basin of a traced river (register ``basin``) with
  ``country = "all"``, then one row per country part of it (``"other"`` for cells outside every
  country polygon): ``area_km2`` (true cell areas, WGS 84 ellipsoid), ``nodata_km2``,
  ``mean_m``, ``min_m``, ``max_m``, band areas as COLUMNS ``km2_below_500``, ``km2_500_1000``,
  …, ``km2_4000_up`` (they add up to ``area_km2``), and ``dem``.

``atlas.rasters["hillshade"]`` holds ``(array (1, rows, cols) uint8, transform, EPSG:4326)``
over the traced basins, for the map's relief overlay; ``atlas.rasters["elevation"]`` the
elevation it was shaded from on the same grid (float32 m, NaN without data), for the
GeoPackage's terrain.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import OutputError
from geo.monotone import never_rising
from geo.profile import PROFILE_COLUMNS, river_profile
from geo.raster import Bounds, ElevationSource, raster_info, window_for
from geo.rasterdata import require_data
from geo.terrain import clip_to_cog, display_hillshade, display_terrain, write_cog
from geo.zonal import DEFAULT_BANDS_M, zonal_elevation
from layers.atlas import Atlas, Layer
from layers.basins import basin_id_column
from layers.sources import Sources, default_sources, load_provenance
from layers.stretches import stretches_text

#: sampling interval of the profiles along the river (km, geodesic)
PROFILE_SPACING_KM = 2.0
#: the DEM roles of :mod:`layers.sources`, in no particular order (finest wins)
DEM_ROLES = ("dem_fine", "dem")
#: vertical exaggeration of the display hillshade (the 5′ grid's relief is faint otherwise)
DISPLAY_Z_FACTOR = 3.0
#: cells of the display hillshade at most
DISPLAY_MAX_PIXELS = 1_000_000
#: country code column of the countries layer
COUNTRY_CODE = "ADM0_A3"


def elevation_source(
    sources: Sources, area: Bounds | None = None, notes: list[str] | None = None
) -> ElevationSource:
    """The DEM roles present in ``sources`` as one elevation source (finest first).

    An analyst's ``dem`` is used beside the embedded 5′ grid, never instead of it: where the
    analyst's raster has no data, the embedded grids still give elevation. With ``area``
    (lon/lat box, degrees): a DEM the user supplied must overlap it and hold data there
    (RasterError otherwise; a partly empty one is used where it has data, and ``notes`` say
    how much); an embedded DEM that does not overlap (the 15″ Ili grid when only the Irtysh is
    traced) is left out.
    """
    roles = [r for r in DEM_ROLES if r in sources.paths]
    paths = [sources.path(r) for r in roles]
    if "dem" in sources.user_roles:
        paths.append(default_sources().path("dem"))
    source = ElevationSource.from_paths(paths)
    if area is None:
        return source
    what = "the traced rivers and their basins"
    for role in roles:
        if role in sources.user_roles:
            info = raster_info(sources.path(role))
            window_for(info, area, what=what)
            found = require_data(info, area, what=what)
            if found.share < 1 and notes is not None:
                notes.append(
                    f"{info.path}: holds data on {found.share:.0%} of the raster cells over "
                    f"{what}; the embedded DEMs give elevation elsewhere"
                )
    return source.overlapping(area, what=what)


def traced_basins(atlas: Atlas) -> gpd.GeoDataFrame:
    """Basins (EPSG:4326) named by the traced rivers' register ``basin`` field.

    A register basin missing from the basins layer (an analyst's own basins) gets a note.
    """
    basins = atlas["basins"]
    id_col = basin_id_column(basins, "basins")
    wanted = list(dict.fromkeys(r.basin for r in atlas.rivers if r.basin))
    have = set(basins[id_col].astype(str))
    for b in wanted:
        if b not in have:
            atlas.notes.append(
                f"elevation: basin {b!r} (register) is not in the basins layer; "
                "no basin statistics for it"
            )
    return basins.loc[basins[id_col].astype(str).isin(wanted)].reset_index(drop=True)


def river_profiles(
    atlas: Atlas, source: ElevationSource, spacing_km: float = PROFILE_SPACING_KM
) -> pd.DataFrame:
    """Profiles of every traced river, one table (see the module docstring)."""
    crossings = atlas.traced.crossing_rivers
    if crossings is None:
        crossings = atlas["crossings"]
    courses = atlas["river_courses"].set_index("river_id")
    frames = []
    for rid, course in atlas.traced.course.items():
        if rid not in courses.index:  # traced for ownership only, not asked for
            continue
        mine = (
            crossings.loc[crossings["river_id"] == rid]
            if "river_id" in crossings.columns
            else crossings.iloc[:0]
        )
        fallback = (
            str(courses.loc[rid, "countries"]).split(" > ")[0] if rid in courses.index else ""
        )
        frame = river_profile(
            course, source, spacing_km=spacing_km, crossings=mine, fallback_country=fallback
        )
        smooth = never_rising(frame["km_from_source"], frame["elevation_m"])
        frames.append(frame.assign(river_id=rid, elevation_never_rising_m=smooth))
    columns = ["river_id", *PROFILE_COLUMNS, "elevation_never_rising_m"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def profile_dem_text(profile: pd.DataFrame, titles: dict[str, str]) -> str:
    """Which DEM gave which stretch of one river's profile, e.g. ``km 0–1,056 GEBCO 2023
    (15″); km 1,056–1,301 …`` (``titles``: DEM label -> how a reader sees it)."""
    p = profile.sort_values("km_from_source")
    dem = p["dem"].astype(str).to_numpy()
    km = p["km_from_source"].to_numpy(dtype=float)
    if not dem.size:
        return ""
    change = np.r_[True, dem[1:] != dem[:-1]]
    start = km[change]
    end = np.r_[start[1:], km[-1]]
    return stretches_text(
        [
            (float(a), float(b), titles.get(d, d) if d else "no DEM data")
            for a, b, d in zip(start, end, dem[change], strict=True)
        ]
    )


def dem_titles(sources: Sources, source: ElevationSource) -> dict[str, str]:
    """DEM label (file name without extension) -> its provenance title, for the profiles."""
    by_file = {Path(p.file).stem: p for p in load_provenance().values()}
    by_path = {str(sources.path(r)): sources.about(r) for r in DEM_ROLES if r in sources.paths}
    out = {}
    for info, label in zip(source.rasters, source.labels, strict=True):
        p = by_path.get(str(info.path)) or by_file.get(label)
        out[label] = p.label() if p is not None else label
    return out


def basin_elevation(
    atlas: Atlas, source: ElevationSource, bands_m: Sequence[float] = DEFAULT_BANDS_M
) -> pd.DataFrame:
    """Elevation statistics of the traced rivers' basins, whole and per country."""
    basins = traced_basins(atlas)
    id_col = basin_id_column(atlas["basins"], "basins")
    if basins.empty:
        return pd.DataFrame(columns=[id_col, "country", "mean_m", "min_m", "max_m"])
    return zonal_elevation(
        source, basins, id_col, parts=atlas.countries, part_column=COUNTRY_CODE, bands_m=bands_m
    )


def area_of_interest(atlas: Atlas) -> Bounds:
    """Lon/lat box (degrees) of the traced basins and courses together."""
    boxes = [atlas["river_courses"].total_bounds]
    basins = traced_basins(atlas)
    if not basins.empty:
        boxes.append(basins.total_bounds)
    b = np.array(boxes)
    return (
        float(b[:, 0].min()),
        float(b[:, 1].min()),
        float(b[:, 2].max()),
        float(b[:, 3].max()),
    )


def attach_elevation(
    atlas: Atlas,
    *,
    spacing_km: float = PROFILE_SPACING_KM,
    bands_m: Sequence[float] = DEFAULT_BANDS_M,
    max_pixels: int = DISPLAY_MAX_PIXELS,
) -> None:
    """Add ``profiles``, ``basin_elevation`` and ``atlas.rasters["hillshade"]`` to the Atlas.

    RasterError when a DEM has no CRS, a missing band or does not overlap the traced rivers'
    area; DataSourceError when it cannot be read.
    """
    area = area_of_interest(atlas)
    source = elevation_source(atlas.sources, area, atlas.notes)
    p = atlas.sources.about
    used = {info.path for info in source.rasters}
    dem_prov = tuple(
        p(r) for r in DEM_ROLES if r in atlas.sources.paths and str(atlas.sources.path(r)) in used
    )
    embedded = default_sources()
    if "dem" in atlas.sources.user_roles and str(embedded.path("dem")) in used:
        dem_prov += (embedded.about("dem"),)
    profiles = river_profiles(atlas, source, spacing_km)
    titles = dem_titles(atlas.sources, source)
    courses = atlas.layers["river_courses"].frame
    courses["profile_dem"] = [
        profile_dem_text(profiles.loc[profiles["river_id"] == rid], titles)
        for rid in courses["river_id"]
    ]
    atlas.add(
        Layer(
            "profiles",
            "River profiles",
            profiles,
            f"Elevation (m) along each traced river every {spacing_km:g} km from the source "
            "(geodesic, WGS 84), interpolated bilinearly from the finest DEM with data there "
            "(column dem); country from the border crossings.",
            (p("rivers"), p("borders"), *dem_prov),
        )
    )
    atlas.add(
        Layer(
            "basin_elevation",
            "Basin elevation",
            basin_elevation(atlas, source, bands_m),
            "Elevation of the traced rivers' basins, whole (country 'all') and per country: "
            "mean (area-weighted), min and max (m), and area (km², true cell areas on the "
            "WGS 84 ellipsoid) by elevation band; each place from the finest DEM with data.",
            (p("basins"), p("countries"), *dem_prov),
        )
    )
    shade, dem, transform, crs = display_terrain(
        source, area, max_pixels=max_pixels, z_factor=DISPLAY_Z_FACTOR
    )
    atlas.rasters["hillshade"] = (shade, transform, crs)
    atlas.rasters["elevation"] = (dem, transform, crs)


def export_elevation_cogs(atlas: Atlas, out_dir: str | Path) -> list[Path]:
    """Write Cloud-Optimised GeoTIFFs into ``out_dir``: ``hillshade.tif`` (the display
    hillshade) and ``dem_<raster>.tif`` per DEM, clipped to the traced rivers' area (values,
    CRS and nodata of the source; copied chunk by chunk)."""
    out = Path(out_dir)
    if not out.is_dir():
        raise OutputError(f"{out}: COG output folder does not exist; create it first")
    area = area_of_interest(atlas)
    source = elevation_source(atlas.sources, area)
    if "hillshade" not in atlas.rasters:
        atlas.rasters["hillshade"] = display_hillshade(
            source, area, max_pixels=DISPLAY_MAX_PIXELS, z_factor=DISPLAY_Z_FACTOR
        )
    array, transform, crs = atlas.rasters["hillshade"]
    written = [write_cog(out / "hillshade.tif", array, transform, crs)]
    for info, label in zip(source.rasters, source.labels, strict=True):
        written.append(clip_to_cog(info, area, out / f"dem_{label.removeprefix('dem_')}.tif"))
    return written
