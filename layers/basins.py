"""Basin polygons with their area in total and per country (km², Albers equal-area)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import equal_area_crs
from geo.errors import FieldError


def area_by_country(
    basins: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    basin_id: str,
    country_code: str = "ADM0_A3",
) -> pd.DataFrame:
    """Long table ``basin_id, country, area_km2``: each basin intersected with each country.

    Both inputs in EPSG:4326; areas are computed in an Albers equal-area conic fitted to the
    basins' extent (:func:`geo.crs.equal_area_crs`). Parts of a basin outside every country
    polygon appear with country ``"other"`` so that the parts add up to the basin's area.
    """
    crs = equal_area_crs(basins.total_bounds)
    b = basins.to_crs(crs).reset_index(drop=True)
    c = countries.to_crs(crs).reset_index(drop=True)
    bi, ci = c.sindex.query(b.geometry.values, predicate="intersects")
    parts = shapely.intersection(b.geometry.values[bi], c.geometry.values[ci])
    table = pd.DataFrame(
        {
            basin_id: b[basin_id].to_numpy()[bi],
            "country": c[country_code].astype(str).to_numpy()[ci],
            "area_km2": shapely.area(parts) / 1e6,
        }
    )
    table = table.loc[table["area_km2"] > 0]
    total = pd.Series(shapely.area(b.geometry.values) / 1e6, index=b[basin_id].to_numpy())
    covered = table.groupby(basin_id)["area_km2"].sum().reindex(total.index, fill_value=0.0)
    rest = (total - covered).clip(lower=0.0)
    other = pd.DataFrame(
        {basin_id: rest.index, "country": "other", "area_km2": rest.to_numpy()}
    ).loc[rest.to_numpy() > 0.5]
    return pd.concat([table, other], ignore_index=True)


#: columns accepted as a basin's id, in order of preference (the portal's, then HydroBASINS')
BASIN_ID_COLUMNS = ("WATERSHED_ID", "HYBAS_ID", "basin_id", "BASIN_ID", "id")


def basin_id_column(basins: gpd.GeoDataFrame, source: str) -> str:
    """The id column of a basins layer; FieldError listing the columns when there is none."""
    for col in BASIN_ID_COLUMNS:
        if col in basins.columns:
            if basins[col].duplicated().any():
                dup = basins.loc[basins[col].duplicated(), col].iloc[0]
                raise FieldError(
                    f"{source}: column {col!r} has duplicate basin id {dup!r}; ids must be unique"
                )
            return col
    raise FieldError(
        f"{source}: no basin id column; expected one of {', '.join(BASIN_ID_COLUMNS)}, "
        f"found {', '.join(map(str, basins.columns.drop(basins.geometry.name)))}"
    )


def basins_layer(
    basins: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    basin_id: str = "WATERSHED_ID",
    country_code: str = "ADM0_A3",
) -> gpd.GeoDataFrame:
    """Basins with ``area_km2`` (equal-area) and ``area_km2_<country>`` columns (lower case)."""
    long = area_by_country(basins, countries, basin_id=basin_id, country_code=country_code)
    wide = long.pivot_table(index=basin_id, columns="country", values="area_km2", aggfunc="sum")
    wide.columns = [f"area_km2_{str(c).lower()}" for c in wide.columns]
    out = basins.copy()
    crs = equal_area_crs(basins.total_bounds)
    out["area_km2"] = basins.to_crs(crs).area.to_numpy() / 1e6
    out = out.merge(wide, left_on=basin_id, right_index=True, how="left")
    cols = [c for c in out.columns if c.startswith("area_km2_")]
    out[cols] = out[cols].fillna(0.0)
    return out.set_geometry(basins.geometry.name)


def main_country(row: pd.Series) -> str:
    """Code of the country holding most of a basins_layer row's area."""
    cols = [c for c in row.index if c.startswith("area_km2_") and c != "area_km2_other"]
    if not cols:
        return ""
    values = np.array([row[c] for c in cols], dtype=float)
    return cols[int(values.argmax())].removeprefix("area_km2_").upper()
