"""The maps' own words that are not in a template: layer names and the controls' texts
(handed to rivermap.js as JSON), all through the catalog in the page's language."""

from __future__ import annotations

from maps import i18n
from maps.charts import chart_strings
from maps.i18n import N_, _

#: layer names in the layer control (also the legend sections' keys), translated where used
NAMES = {
    "basins": N_("Basins: P − ET"),
    "lakes": N_("Lakes and reservoirs"),
    "network": N_("River network"),
    "borders": N_("International borders"),
    "casing": N_("Traced mainstem"),
    "rivers": N_("Traced rivers (colour: country)"),
    "arrows": N_("Flow direction"),
    "crossings": N_("Border crossings"),
    "gauges": N_("GRDC gauges (size: mean discharge)"),
    "hillshade": N_("Hillshade (computed from the DEM)"),
    "relief": N_("Shaded relief (offline)"),
}
#: the basins layer where no water balance colours them
PLAIN_BASINS = N_("Basins")
#: which figure gives a river piece its discharge (``layers.discharge.KINDS``), for the legend
DISCHARGE_KINDS = {
    "reach": N_("an analyst's figure for the reach"),
    "crossing": N_("volume received at the border crossing, as its mean over the period"),
    "release": N_("volume released from the reservoir, as its mean over the period"),
    "gauge": N_("long-term mean at the gauge between the same confluences"),
    "modelled": N_("modelled mean per reach, from the river network's attributes"),
}
#: the same, short, for tooltips
KIND_SHORT = {
    "reach": N_("analyst's figure"),
    "crossing": N_("border crossing"),
    "release": N_("reservoir release"),
    "gauge": N_("gauge"),
    "modelled": N_("modelled"),
}
ONLINE_BASEMAPS = {
    "osm": N_("OpenStreetMap (online)"),
    "esri": N_("Esri World Imagery (online)"),
    "topo": N_("OpenTopoMap (online)"),
}


def layer_names(classed_basins: bool) -> dict[str, str]:
    """:data:`NAMES` in the page's language; the basins plainly "Basins" when no water balance
    colours them."""
    names = {k: _(v) for k, v in NAMES.items()}
    if not classed_basins:
        names["basins"] = _(PLAIN_BASINS)
    return names


def ui_strings() -> dict:
    """Every text rivermap.js shows (buttons, search, year selector, charts, attribution)."""
    return {
        "lang": i18n.current().code,
        "full_screen": _("Full screen"),
        "measure": _("Measure a distance (click points, double-click to end)"),
        "measure_start": _("click on the map"),
        "km": i18n.unit_symbol("km"),
        "m": i18n.unit_symbol("m"),
        "find": _("Find: Ili, Іле, Или, 伊犁河 …"),
        "find_label": _("Find a river or lake by name"),
        "search": _("Search"),
        "not_found": _("No river or lake named “%(name)s” on this map."),
        "year_title": _("Basins: P − ET"),
        "year": _("Year"),
        "play": _("Play the years"),
        "pause": _("Pause"),
        "mean": _("mean"),
        "mean_of": _("mean %(period)s"),
        "years": _("Year of the water balance"),
        "legend": _("Legend"),
        "layers": _("Layers"),
        "profile": _("Elevation profile"),
        "about": _("About this map"),
        "close": _("Close"),
        "attribution": _("Sources and credits"),
        "zoom_in": _("Zoom in"),
        "zoom_out": _("Zoom out"),
        "language": _("Language"),
        "chart": chart_strings(),
    }
