"""Column descriptions of the figures' columns: where a figure applies (reaches' discharge,
crossing places, lakes' figures), what gauge snapping measured, and the river network's own
columns. Merged into :data:`layers.field_registry.LAYERS` (same :class:`Field` entries)."""

from __future__ import annotations

from layers.field_types import Field

FIGURE_FIELDS: dict[str, dict[str, Field]] = {
    "lakes": {
        "received_release_km3": Field(
            "Release received (km³)",
            "Volume released to this lake from the reservoir upstream over figures_period "
            "(km³, published figures); NULL: no figure.",
        ),
        "received_release_from": Field(
            "Release received from", "lake_id of the reservoir that released it; NULL: none."
        ),
        "released_km3": Field(
            "Released (km³)",
            "Volume this reservoir released downstream over figures_period (km³); NULL: no figure.",
        ),
        "level_change_m": Field(
            "Level change (m)",
            "Change of the lake's water level over figures_period (m, + a rise); NULL: no figure.",
        ),
        "inflow_share_percent": Field(
            "Share of inflow (%)",
            "Share of the lake's total inflow that inflow_share_river brings (percent; the "
            "published figure may be a long-term one, see figures_note); NULL: no figure.",
        ),
        "inflow_share_river": Field(
            "Share of inflow from", "river_id of the river that share is about; NULL: none."
        ),
        "filled_to_capacity": Field(
            "Filled to capacity",
            "1 where a figure says the reservoir was full over figures_period; NULL: no figure.",
        ),
        "figures_period": Field(
            "Figures' period",
            "Period(s) of the lake's figures, ISO intervals joined by '; '; NULL: none.",
        ),
        "figures_source": Field(
            "Figures' source", "Where the lake's figures come from; NULL: none."
        ),
        "figures_note": Field(
            "Figures' note",
            "Each figure's quantity and its own note, as in the flows table; NULL: none.",
        ),
    },
    "network": {
        "rivermap_length_km": Field(
            "Length, rivermap (km)",
            "Length of the reach as rivermap uses it (km): the source's own length column "
            "where it has one (HydroRIVERS LENGTH_KM), else geodesic on WGS 84; renamed "
            "because the source has a column of the same name.",
        ),
        "WMO306_M_1": Field(
            "WMO306_M_1 (portal)",
            "Integer code given in the portal's river lines (WaterHydro-Kazakhstan-Portal); "
            "the portal does not document it; NULL: a World Data Bank II reach.",
        ),
        "WATERSHED_NAME": Field(
            "Watershed", "Name of the watershed the reach lies in (WaterHydro-Kazakhstan-Portal)."
        ),
        "WATERSHED_AREA": Field(
            "Watershed area, source (km²)",
            "Area of that watershed as given by the WaterHydro-Kazakhstan-Portal (km²).",
        ),
        "WATERSHED_REGION": Field(
            "Region",
            "Region of Kazakhstan that watershed belongs to (WaterHydro-Kazakhstan-Portal).",
        ),
        "wdb_level": Field(
            "WDBII level",
            "World Data Bank II river level of the line the reach was drawn from (1 permanent "
            "major … 4 minor, 6 intermittent; GSHHG); NULL: a portal reach.",
        ),
        "wdb_level_name": Field(
            "WDBII level name", "Name of that level (GSHHG); NULL: a portal reach."
        ),
        "wdb_length_km": Field(
            "WDBII line length (km)",
            "Geodesic length of the whole World Data Bank II line the reach was cut from (km); "
            "NULL: a portal reach.",
        ),
        "on_courses": Field(
            "On the courses of",
            "Ids of every traced river whose course runs through this reach, most specific "
            "first; NULL: none.",
        ),
    },
    "rivers": {
        "on_courses": Field(
            "On the courses of",
            "Ids of every traced river whose course runs through this piece, most specific "
            "first (river_id holds the piece).",
        ),
        "discharge_kind": Field(
            "Kind of discharge figure",
            "Which figure gave the piece its discharge, as it applies where it was measured: "
            "'reach' (an analyst's figure for the reach), 'crossing' (volume received at the "
            "border crossing upstream, as its mean over the period, down to the next "
            "confluence or gauge), 'release' (released from the reservoir upstream, likewise), "
            "'gauge' (long-term mean of the gauge between the same confluences), 'modelled' "
            "(the network's modelled mean per reach, e.g. HydroRIVERS DIS_AV_CMS); NULL: no "
            "figure applies.",
        ),
        "discharge_from": Field(
            "Figure from",
            "Where that figure was measured: crossing id, GRDC number, lake id of the "
            "reservoir, or reach id; NULL: no figure.",
        ),
    },
    "crossings": {
        "rivers": Field(
            "Rivers through it",
            "Ids of every traced river crossing the border here, most specific first "
            "('tekes, ili': the Tekes is the Ili's headwater).",
        ),
        "crossing_ids": Field(
            "Each river's crossing id",
            "Each listed river's own id for this crossing (river id and number from its "
            "source); flow tables may use any of them.",
        ),
    },
    "gauges": {
        "nearest_reach_above_km": Field(
            "River above the nearest reach (km)",
            "Longest path of the network above the gauge's point on the nearest reach (km); "
            "NULL: no reach within 100 km, or the network has upstream areas.",
        ),
        "hack_length_km": Field(
            "Hack's length (km)",
            "Main-stream length Hack's law gives the gauge's catchment, 1.4 · A^0.6 (km, A in "
            "km²); a gauge is not placed where the river above is more than 3× longer.",
        ),
        "nearest_reach_area_km2": Field(
            "Nearest reach's upstream area (km²)",
            "Upstream area of the nearest reach where the network has one (HydroRIVERS "
            "UPLAND_SKM, km²); NULL: none.",
        ),
    },
    "flows": {
        "lake_ids": Field(
            "Lakes",
            "lake_id of the register lakes the figure is about (its subject, or the place it "
            "was measured: 'kapchagay, balkhash' for a release from Kapchagay to Balkhash); "
            "NULL: none.",
        ),
    },
}
