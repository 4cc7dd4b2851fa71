"""The field registry's entries: what each column of each Atlas layer means (with its unit).

Add a column's description here when you add the column (``tests/test_fields.py`` fails on any
column of the default build without one). Read through :mod:`layers.fields`.
"""

from __future__ import annotations

from layers.field_registry_figures import FIGURE_FIELDS
from layers.field_types import Field
from layers.field_types import class_field as _class_field
from layers.styles import BASIN_FILL, FLOW_WIDTH, GAUGE_RADIUS

_NAMES = {
    "name_en": Field("Name (English)", "Name in English (river register)."),
    "name_kk": Field("Name (Kazakh)", "Name in Kazakh, Cyrillic script (river register)."),
    "name_ru": Field("Name (Russian)", "Name in Russian (river register)."),
    "name_zh": Field("Name (Chinese)", "Name in Chinese, simplified characters (river register)."),
}
_FLOW = {
    "mean_discharge_m3s": Field(
        "Mean discharge (m³/s)",
        "Mean discharge (m³/s) over the period in flow_period_start–flow_period_end; NULL: "
        "no figure.",
    ),
    "flow_status": Field(
        "Flow figure?", "'figure' where a flow figure is joined, else 'no figure'."
    ),
    "flow_period": Field(
        "Flow period", "Period of the flow figure (first and last day, inclusive).", "period"
    ),
    "flow_source": Field("Flow source", "Where the flow figure comes from; NULL: no figure."),
    "flow_note": Field("Flow note", "How the flow figure was obtained or why there is none."),
}

#: columns with the same meaning wherever they appear
COMMON: dict[str, Field] = {
    "fid": Field("Feature id", "GeoPackage row id (primary key)."),
    "geom": Field("Geometry", "Geometry in the GeoPackage's CRS (see gpkg_geometry_columns)."),
    "river_id": Field("River id", "Id of the traced river in the river register (rivers.toml)."),
    **_NAMES,
    "country": Field("Country", "ISO 3166-1 alpha-3 code of the country (CHN, KAZ, RUS …)."),
    "lon": Field("Longitude (°)", "Longitude in degrees east (WGS 84)."),
    "lat": Field("Latitude (°)", "Latitude in degrees north (WGS 84)."),
    "km_from_source": Field(
        "km from source", "Distance from the river's source along the river (km, geodesic, WGS 84)."
    ),
    "length_km": Field("Length (km)", "Length (km, geodesic on the WGS 84 ellipsoid)."),
    "WATERSHED_ID": Field("Watershed id", "Watershed id (WaterHydro-Kazakhstan-Portal)."),
    "dem": Field("DEM", "The elevation raster that gave the value (finest with data there)."),
    **_FLOW,
}

#: columns by layer (they take precedence over COMMON)
LAYERS: dict[str, dict[str, Field]] = {
    "basins": {
        "WATERSHED_NAME": Field("Watershed", "Watershed name (WaterHydro-Kazakhstan-Portal)."),
        "WATERSHED_AREA": Field(
            "Watershed area, source (km²)",
            "Watershed area as given by the WaterHydro-Kazakhstan-Portal (km²).",
        ),
        "WATERSHED_REGION": Field(
            "Region",
            "Region of Kazakhstan the watershed belongs to (WaterHydro-Kazakhstan-Portal).",
        ),
        "area_km2": Field("Area (km²)", "Area of the basin (km², Albers equal-area, WGS 84)."),
        "p_mm_per_year": Field(
            "Precipitation (mm/yr)", "Mean annual precipitation over the full years (mm/yr)."
        ),
        "et_mm_per_year": Field(
            "Evapotranspiration (mm/yr)",
            "Mean annual evapotranspiration (GLEAM 4.2) over the full years (mm/yr).",
        ),
        "p_minus_et_mm_per_year": Field(
            "P − ET (mm/yr)",
            "Mean annual precipitation minus evapotranspiration over the full years (mm/yr); "
            "NULL: no figure.",
        ),
        "p_minus_et_km3_per_year": Field(
            "P − ET (km³/yr)", "P − ET times the basin's area (km³/yr); NULL: no figure."
        ),
        "balance_status": Field("Water balance?", "'figure' or 'no figure' for P − ET."),
        "balance_years": Field(
            "Full years", "Number of calendar years with all twelve months of P and ET."
        ),
        "balance_period": Field(
            "Water balance period", "First and last day of the monthly water balance.", "period"
        ),
        "fill_class": _class_field(BASIN_FILL, "P − ET", "basin fill", "p_minus_et_class"),
    },
    "lakes": {
        "name": Field("Name (Natural Earth)", "Name as given by Natural Earth; NULL: unnamed."),
        "name_alt": Field("Other name", "Alternative name (Natural Earth); NULL: none."),
        "featurecla": Field("Feature class", "Natural Earth feature class (Lake, Reservoir …)."),
        "scalerank": Field(
            "Scale rank", "Natural Earth scale rank: 0 shown at the smallest scales, higher later."
        ),
        "lake_id": Field(
            "Lake id", "Id of the lake in the river register; NULL: a lake not in the register."
        ),
        "display_name": Field("Label", "The name shown on the maps ('unnamed lake' without one)."),
    },
    "borders": {
        "name": Field("Name", "Name of the boundary line (Natural Earth); NULL: none."),
        "adm0_left": Field("Country left", "Country on the left of the line (Natural Earth)."),
        "adm0_right": Field("Country right", "Country on the right of the line (Natural Earth)."),
        "adm0_a3_l": Field("Country left (code)", "ISO alpha-3 code of the country on the left."),
        "adm0_a3_r": Field("Country right (code)", "ISO alpha-3 code of the country on the right."),
        "type": Field("Boundary type", "Natural Earth boundary type (Land …)."),
    },
    "network": {
        "reach_id": Field("Reach id", "Id of the reach in the river network."),
        "next_down_id": Field(
            "Next reach downstream", "reach_id of the reach this one flows into; NULL: an outlet."
        ),
        "longest_upstream_km": Field(
            "Longest path upstream (km)",
            "Length of the longest path from a source down to the end of this reach (km).",
        ),
        "river_id": Field("Traced river", "Id of the traced river holding this reach; NULL: none."),
        "source": Field(
            "Drawn from",
            "The input this reach was drawn from: wh_rivers (the portal's lines, 15″ grid "
            "lines), wdb_rivers (World Data Bank II, 1:1–3M, added upstream), or the role of "
            "the analyst's file (see gpkg_metadata).",
        ),
    },
    "rivers": {
        "source": Field(
            "Drawn from",
            "The input this piece's reach was drawn from (key of the data sources, see "
            "source_title).",
        ),
        "source_title": Field(
            "Drawn from (title)", "The input this piece was drawn from, with its scale."
        ),
        "reach_id": Field("Reach id", "Id of the network reach this piece comes from."),
        "country": Field("Country", "ISO alpha-3 code of the country the piece lies in."),
        "km_from_source_start": Field(
            "km from source (start)", "Distance from the source where the piece begins (km)."
        ),
        "km_from_source_end": Field(
            "km from source (end)", "Distance from the source where the piece ends (km)."
        ),
        "width_class": _class_field(FLOW_WIDTH, "Mean discharge", "line width", "discharge_class"),
    },
    "river_courses": {
        "length_km": Field("Length (km)", "Length from source to mouth (km, geodesic, WGS 84)."),
        "countries": Field("Countries", "Countries the river flows through, from its source."),
        "n_crossings": Field("Border crossings", "Number of border crossings on the course."),
        "lakes_on_course": Field(
            "Lakes on the course", "Lakes and reservoirs the river passes, with km from source."
        ),
        "ends_in": Field("Ends in", "The water body the river ends in (river register)."),
        "source_via": Field(
            "Source via", "The headwater followed to the source; NULL: the river's own name."
        ),
        "source_lon": Field("Source longitude (°)", "Longitude of the traced source (WGS 84)."),
        "source_lat": Field("Source latitude (°)", "Latitude of the traced source (WGS 84)."),
        "profile_dem": Field(
            "Profile drawn from",
            "Which DEM gave the elevation profile along which stretch (km from the source); the "
            "finest DEM with data wins at each point.",
        ),
        "drawn_from": Field(
            "Drawn from",
            "Which stretch of the course was drawn from which input and at which scale, as "
            "km from the source (e.g. 'km 0–105 World Data Bank II (1:1–3M); km 105–1,301 …').",
        ),
        "mouth_lon": Field("Mouth longitude (°)", "Longitude of the mouth (WGS 84)."),
        "mouth_lat": Field("Mouth latitude (°)", "Latitude of the mouth (WGS 84)."),
        "parent": Field("Tributary of", "river_id this river flows into; NULL: a main river."),
        "note": Field("Note", "About the river (river register)."),
        "width_class": _class_field(FLOW_WIDTH, "Mean discharge", "line width", "discharge_class"),
    },
    "crossings": {
        "crossing_id": Field(
            "Crossing id",
            "Id of the crossing place: id of its most specific river and the crossing's number "
            "from that river's source.",
        ),
        "from_country": Field("From", "ISO alpha-3 code of the country upstream."),
        "to_country": Field("To", "ISO alpha-3 code of the country downstream."),
        "direction": Field("Direction", "From → to, following the network's flow direction."),
        "raw_crossings": Field(
            "Border intersections", "Border intersections merged into this crossing (≥ 1)."
        ),
        "border_zone_km": Field(
            "Along the border (km)",
            "Length of river between the first and last merged intersection (km).",
        ),
        "h1_2025_volume_km3": Field(
            "Volume H1 2025 (km³)", "Volume received in January–June 2025 (km³); NULL: no figure."
        ),
        "h1_2025_mean_m3s": Field(
            "Mean discharge H1 2025 (m³/s)",
            "That volume over the period's 181 days (m³/s); NULL: no figure.",
        ),
    },
    "gauges": {
        "grdc_no": Field("GRDC number", "GRDC station number."),
        "river": Field("River (GRDC)", "River name as spelled by GRDC."),
        "station": Field("Station", "Station name as spelled by GRDC."),
        "country_code": Field("Country (GRDC)", "ISO 3166-1 alpha-2 country code (GRDC)."),
        "area_km2": Field(
            "Catchment area (km²)", "Catchment area upstream of the gauge (km², GRDC)."
        ),
        "m_start": Field("Monthly record from (m_start)", "First year of monthly data (GRDC)."),
        "m_end": Field("Monthly record to (m_end)", "Last year of monthly data (GRDC)."),
        "m_yrs": Field("Monthly record years (m_yrs)", "Years of monthly data (GRDC)."),
        "mean_discharge_m3s": Field(
            "Long-term mean discharge (m³/s)",
            "Long-term mean discharge (m³/s, GRDC); NULL: no figure.",
        ),
        "mean_volume_km3_per_year": Field(
            "Long-term mean volume (km³/yr)",
            "Long-term mean yearly volume (km³/yr, GRDC); NULL: no figure.",
        ),
        "WATERSHED_ID": Field("Watershed id", "Watershed the gauge lies in (GRDC catalogue)."),
        "snapped_reach_id": Field(
            "Snapped reach", "reach_id of the network reach the gauge was placed on; NULL: none."
        ),
        "snap_distance_km": Field(
            "Snap distance (km)", "Distance to the nearest reach (km, geodesic, WGS 84)."
        ),
        "snap_status": Field(
            "Snap status",
            "'snapped', or why the gauge was not placed on the nearest reach: too far, or a "
            "catchment that does not fit the river there (see nearest_reach_above_km, "
            "hack_length_km, nearest_reach_area_km2; the cause is not known from the data).",
        ),
        "river_id": Field("Traced river", "Traced river the gauge's reach belongs to; NULL: none."),
        "km_from_source": Field(
            "km from source", "Distance from the traced river's source (km); NULL: not on one."
        ),
        "order_downstream": Field(
            "Order downstream", "1 = farthest upstream gauge on its river; NULL: not on one."
        ),
        "crossing_upstream": Field(
            "Crossing upstream", "Nearest border crossing upstream on the same river; NULL: none."
        ),
        "km_below_crossing": Field(
            "km below the crossing", "Distance below that crossing along the river (km)."
        ),
        "radius_class": _class_field(
            GAUGE_RADIUS, "Mean discharge", "marker size", "discharge_class"
        ),
    },
    "flows": {
        "subject": Field("Subject", "What the figure is about (river, crossing, basin, lake)."),
        "subject_kind": Field(
            "Subject kind", "crossing, river, basin, gauge or another kind of subject."
        ),
        "subject_id": Field(
            "Subject id",
            "crossing_id, river_id, WATERSHED_ID or grdc_no of the subject; NULL: none in the data.",
        ),
        "river_id": Field("River id", "Traced river the figure is about; NULL: none."),
        "quantity": Field("Quantity", "What is measured (e.g. transboundary_inflow_volume)."),
        "value": Field("Value", "The figure, in unit; NULL: no figure."),
        "unit": Field("Unit", "Unit of value (km3, m3/s, %, mm …)."),
        "status": Field("Figure?", "'figure' or 'no figure'."),
        "period_start": Field("Period start", "First day of the period (inclusive).", "date"),
        "period_end": Field("Period end", "Last day of the period (inclusive).", "date"),
        "period_days": Field("Days", "Calendar days of the period, both ends included."),
        "source": Field("Source", "Where the figure comes from."),
        "note": Field("Note", "How the figure was obtained or what it covers."),
        "derived": Field(
            "Derived?", "True: computed here from published figures; false: as published."
        ),
    },
    "water_balance_monthly": {
        "date": Field("Month", "First day of the month.", "date"),
        "year": Field("Year", "Calendar year."),
        "month": Field("Month number", "Calendar month (1–12)."),
        "precipitation_mm": Field("Precipitation (mm)", "Precipitation in the month (mm)."),
        "evapotranspiration_mm": Field(
            "Evapotranspiration (mm)", "Evapotranspiration in the month (GLEAM 4.2, mm)."
        ),
        "delta_s_mm": Field(
            "Storage change ΔS (mm)",
            "Storage change as given by the portal: precipitation minus evapotranspiration in "
            "the month (mm; runoff not subtracted).",
        ),
        "precipitation_mswep_mm": Field(
            "Precipitation MSWEP (mm)", "MSWEP precipitation in the month (mm)."
        ),
    },
    "water_balance_yearly": {
        "year": Field("Year", "Calendar year."),
        "precipitation_mm": Field("Precipitation (mm)", "Precipitation in the year (mm)."),
        "evapotranspiration_mm": Field(
            "Evapotranspiration (mm)", "Evapotranspiration in the year (mm)."
        ),
        "p_minus_et_mm": Field("P − ET (mm)", "Precipitation minus evapotranspiration (mm)."),
        "months": Field("Months", "Months with data in the year (12 for a full year)."),
    },
    "gauge_climatology": {
        "grdc_no": Field("GRDC number", "GRDC station number (see the gauges layer)."),
        "month": Field("Month", "Calendar month (1–12)."),
        "lq": Field(
            "Lowest monthly mean (LQ, m³/s)",
            "Lowest mean discharge of this month in the record (m³/s, GRDC).",
        ),
        "lq_year": Field("Year of LQ", "Year of the lowest monthly mean."),
        "mq": Field(
            "Mean monthly discharge (MQ, m³/s)",
            "Long-term mean discharge of this month (m³/s, GRDC).",
        ),
        "hq": Field(
            "Highest monthly mean (HQ, m³/s)",
            "Highest mean discharge of this month in the record (m³/s, GRDC).",
        ),
        "hq_year": Field("Year of HQ", "Year of the highest monthly mean."),
        "std": Field(
            "Standard deviation (m³/s)",
            "Standard deviation of this month's mean discharge (m³/s, GRDC).",
        ),
        "n_years": Field("Years", "Years of record for this month."),
    },
    "profiles": {
        "elevation_m": Field("Elevation (m)", "Elevation (m above sea level), bilinear."),
        "country": Field("Country", "ISO alpha-3 code of the country at this point."),
        "elevation_never_rising_m": Field(
            "Elevation, never rising (m)",
            "The closest profile that never rises downstream (m above sea level): the "
            "least-squares non-increasing fit of elevation_m, each sample weighted by the "
            "river length it stands for; what the maps' profile draws.",
        ),
    },
    "basin_elevation": {
        "country": Field("Country", "ISO alpha-3 code of the part; 'all' the whole basin."),
        "area_km2": Field("Area (km²)", "Area (km², true cell areas on the WGS 84 ellipsoid)."),
        "nodata_km2": Field("Without data (km²)", "Area without elevation data (km²)."),
        "mean_m": Field("Mean elevation (m)", "Area-weighted mean elevation (m)."),
        "min_m": Field("Lowest (m)", "Lowest elevation (m)."),
        "max_m": Field("Highest (m)", "Highest elevation (m)."),
    },
}

for _layer, _entries in FIGURE_FIELDS.items():  # the figures' columns (their own module)
    LAYERS.setdefault(_layer, {}).update(_entries)
