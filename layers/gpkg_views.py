"""Spatial views: the monthly water balance on the basins' shapes, for QGIS's time slider.

``basins_monthly`` is a SQL view (no copy of the polygons): one feature per basin and month,
the basin's geometry with that month's precipitation, evapotranspiration and P − ET; its
style classes P − ET by value (:data:`layers.styles.MONTHLY_FILL`) in QGIS expressions, so
the view holds only columns of declared types. Registered in ``gpkg_contents`` and ``gpkg_geometry_columns`` as
the GeoPackage specification allows for views; its first column is the monthly table's
``fid`` (unique). The QGIS project gives it temporal properties (one month from ``date``).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np

from layers.fields import describe
from layers.gpkg_tables import FID_COLUMN, GEOMETRY_COLUMN, Table, gpkg_timestamp

MONTHLY_VIEW = "basins_monthly"
#: the view's columns: (source table alias, column)
_MONTHLY_COLUMNS = (
    ("b", "WATERSHED_ID"),
    ("b", "WATERSHED_NAME"),
    ("w", "date"),
    ("w", "year"),
    ("w", "month"),
    ("w", "precipitation_mm"),
    ("w", "evapotranspiration_mm"),
    ("w", "delta_s_mm"),
)


def monthly_view(tables: list[Table]) -> Table | None:
    """The ``basins_monthly`` view's Table (frame: what the view returns, for its style and
    checks), or None when the basins or the monthly table (or their key) are missing."""
    by = {t.name: t for t in tables}
    basins, monthly = by.get("basins"), by.get("water_balance_monthly")
    if basins is None or monthly is None:
        return None
    cols = {"b": set(basins.frame.columns), "w": set(monthly.frame.columns)}
    if not all(c in cols[a] for a, c in _MONTHLY_COLUMNS):
        return None
    shapes = basins.frame[["WATERSHED_ID", "WATERSHED_NAME", GEOMETRY_COLUMN]]
    rows = monthly.frame.drop(columns=["WATERSHED_ID"]).assign(
        WATERSHED_ID=monthly.frame["WATERSHED_ID"], _fid=np.arange(1, len(monthly.frame) + 1)
    )
    joined = rows.merge(shapes, on="WATERSHED_ID", how="inner").sort_values("_fid")
    names = [c for _, c in _MONTHLY_COLUMNS]
    frame = gpd.GeoDataFrame(
        joined[names].reset_index(drop=True),
        geometry=gpd.GeoSeries(joined[GEOMETRY_COLUMN].values, crs=basins.frame.crs).values,
        crs=basins.frame.crs,
    ).rename_geometry(GEOMETRY_COLUMN)
    fields = {FID_COLUMN: describe("water_balance_monthly", FID_COLUMN)}
    fields[GEOMETRY_COLUMN] = describe("basins", "geom")
    for alias, c in _MONTHLY_COLUMNS:
        fields[c] = describe("basins" if alias == "b" else "water_balance_monthly", c)
    return Table(
        MONTHLY_VIEW,
        "Basins by month",
        "Each basin once per month with that month's precipitation, evapotranspiration and "
        "P − ET (mm): a view joining water_balance_monthly to the basins' shapes, for QGIS's "
        "temporal controller (one month per step).",
        basins.provenance + monthly.provenance[:1],
        frame,
        basins.geometry_type,
        fields,
    )


def view_sql(view: Table) -> str:
    """The ``CREATE VIEW`` statement of ``view`` (only the monthly view is known)."""
    select = ", ".join(f'{a}."{c}" AS "{c}"' for a, c in _MONTHLY_COLUMNS)
    return (
        f'CREATE VIEW "{view.name}" AS SELECT w."{FID_COLUMN}" AS "{FID_COLUMN}", '
        f'b."{GEOMETRY_COLUMN}" AS "{GEOMETRY_COLUMN}", {select} '
        'FROM "water_balance_monthly" w JOIN "basins" b ON b."WATERSHED_ID" = w."WATERSHED_ID"'
    )


def write_views(tmp: Path, views: list[Table], identifiers: dict[str, str]) -> None:
    """Create each view and register it as a feature table with the basins' extent and CRS."""
    now = gpkg_timestamp()
    with closing(sqlite3.connect(tmp)) as con, con:
        for v in views:
            con.execute(view_sql(v))
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change, min_x, min_y, max_x, max_y, srs_id) SELECT ?, 'features', ?, ?, "
                "?, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents "
                "WHERE table_name = 'basins'",
                (v.name, identifiers.get(v.name, v.title), v.description, now),
            )
            con.execute(
                "INSERT INTO gpkg_geometry_columns (table_name, column_name, "
                "geometry_type_name, srs_id, z, m) SELECT ?, column_name, geometry_type_name, "
                "srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = 'basins'",
                (v.name,),
            )
