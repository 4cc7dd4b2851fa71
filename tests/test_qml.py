"""QML and SLD documents from the shared style declarations, on small frames built in code.

Frames are tiny GeoDataFrames in EPSG:4326 (lon/lat degrees) near 80 E 45 N carrying the style
columns the Atlas steps compute (``country``, ``width_class``, ``radius_class``, ``fill_class``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from layers.qgis_metadata import Extent, qgis_metadata_document
from layers.qml import dd_expression, qml_document
from layers.sld import sld_document
from layers.sources import Provenance
from layers.style_plan import DataDefined, plan_renderer, style_for
from layers.styles import (
    BASIN_FILL,
    COUNTRY_COLOURS,
    FLOW_WIDTH,
    GAUGE_RADIUS,
    PX_TO_MM,
    STYLES,
    class_value,
)

SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def rivers_frame(with_class: bool = True) -> gpd.GeoDataFrame:
    """Three reaches (EPSG:4326): Chinese, Kazakh, and one in a country without a colour."""
    lines = [
        shapely.LineString([(81.0, 45.0), (80.5, 45.0)]),
        shapely.LineString([(80.5, 45.0), (80.0, 45.0)]),
        shapely.LineString([(80.0, 45.0), (79.5, 45.1)]),
    ]
    data = {"name_en": ["Ili", "Ili", "O'Brien «Иле» 伊犁河"], "country": ["CHN", "KAZ", "XXX"]}
    if with_class:
        data["width_class"] = [0, 3, -1]
    return gpd.GeoDataFrame(data, geometry=lines, crs=4326)


def gauges_frame(with_class: bool = True) -> gpd.GeoDataFrame:
    """Two gauges (EPSG:4326), one with a figure (class 2), one without (-1)."""
    data = {"station": ["BURAN", "Х"]}
    if with_class:
        data["radius_class"] = [2, -1]
    return gpd.GeoDataFrame(
        data, geometry=[shapely.Point(85.2, 48.0), shapely.Point(80, 45)], crs=4326
    )


def basins_frame(with_class: bool = True) -> gpd.GeoDataFrame:
    """Two square basins (EPSG:4326) with a P − ET class or without."""
    boxes = [shapely.box(80, 45, 81, 46), shapely.box(81, 45, 82, 46)]
    data = {"WATERSHED_NAME": ["Ertis", "Ily-Balkhash-Alakol"]}
    if with_class:
        data["fill_class"] = [0, 4]
    return gpd.GeoDataFrame(data, geometry=boxes, crs=4326)


def _renderer(name: str, frame: gpd.GeoDataFrame) -> ET.Element:
    root = ET.fromstring(qml_document(name, frame))
    assert root.tag == "qgis"
    return root.find("renderer-v2")


def _symbol_props(symbol: ET.Element) -> dict[str, str]:
    layer = symbol.find("layer")
    options = {o.get("name"): o.get("value") for o in layer.find("Option")}
    props = {p.get("k"): p.get("v") for p in layer.findall("prop")}
    assert options == props  # written twice like QGIS 3.22 does: Option map and prop twins
    return props


def test_rivers_categorised_by_country_with_width_from_class():
    frame = rivers_frame()
    renderer = _renderer("rivers", frame)
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "country"
    cats = renderer.findall("categories/category")
    assert [(c.get("value"), c.get("label")) for c in cats] == [
        ("CHN", "China"),
        ("KAZ", "Kazakhstan"),
        ("", "other"),  # QGIS: an empty value means "all other values"
    ]
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    for c in cats:
        props = _symbol_props(symbols[c.get("symbol")])
        colour = COUNTRY_COLOURS.get(c.get("value"), STYLES["rivers"].color)
        assert props["line_color"] == _rgba(colour)
        assert float(props["line_width"]) == pytest.approx(STYLES["rivers"].width * PX_TO_MM)
    expressions = {o.get("value") for o in renderer.iter("Option") if o.get("name") == "expression"}
    widths = [f"{w * PX_TO_MM:.4g}" for w in FLOW_WIDTH.values]
    whens = " ".join(f'WHEN "width_class" = {k} THEN {w}' for k, w in enumerate(widths))
    assert expressions == {f"CASE {whens} ELSE {FLOW_WIDTH.missing * PX_TO_MM:.4g} END"}


def test_missing_class_column_falls_back_to_the_default_symbol():
    rivers = _renderer("rivers", rivers_frame(with_class=False))
    assert rivers.get("type") == "categorizedSymbol"
    assert not [o for o in rivers.iter("Option") if o.get("name") == "expression"]
    for name, frame in (("gauges", gauges_frame(False)), ("basins", basins_frame(False))):
        renderer = _renderer(name, frame)
        assert renderer.get("type") == "singleSymbol", name
        assert len(renderer.findall("symbols/symbol")) == 1


def test_gauges_rule_per_radius_class_plus_no_figure():
    renderer = _renderer("gauges", gauges_frame())
    assert renderer.get("type") == "RuleRenderer"
    rules = renderer.findall("rules/rule")
    assert len(rules) == len(GAUGE_RADIUS.values) + 1
    assert rules[2].get("filter") == '"radius_class" = 2'
    assert rules[-1].get("filter") == '("radius_class" < 0 OR "radius_class" IS NULL)'
    assert rules[-1].get("label") == "no figure"
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    sizes = [float(_symbol_props(symbols[r.get("symbol")])["size"]) for r in rules]
    expected = [2 * r * PX_TO_MM for r in (*GAUGE_RADIUS.values, GAUGE_RADIUS.missing)]
    assert sizes == pytest.approx(expected, rel=1e-3)
    assert symbols["0"].get("type") == "marker"


def test_basins_fill_colour_per_class_with_declared_opacity():
    renderer = _renderer("basins", basins_frame())
    rules = renderer.findall("rules/rule")
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    alpha = round(STYLES["basins"].fill_opacity * 255)
    fills = [_symbol_props(symbols[r.get("symbol")])["color"] for r in rules]
    assert fills == [_rgba(c, alpha) for c in (*BASIN_FILL.values, BASIN_FILL.missing)]
    labels = [r.get("label") for r in rules]
    assert labels == [
        "< 0 mm/yr",
        "0–20 mm/yr",
        "20–40 mm/yr",
        "40–80 mm/yr",
        "≥ 80 mm/yr",
        "no figure",
    ]
    outline = _symbol_props(symbols["0"])["outline_color"]
    assert outline == _rgba(STYLES["basins"].color)


def test_borders_dashed_single_symbol_without_labels():
    frame = gpd.GeoDataFrame(
        {"adm0_left": ["China"]}, geometry=[shapely.LineString([(80, 45), (81, 46)])], crs=4326
    )
    root = ET.fromstring(qml_document("borders", frame))
    assert root.get("labelsEnabled") == "0" and root.find("labeling") is None
    props = _symbol_props(root.find("renderer-v2/symbols/symbol"))
    assert props["use_custom_dash"] == "1"
    assert props["customdash"] == f"{6 * PX_TO_MM:.4g};{4 * PX_TO_MM:.4g}"
    sld = ET.fromstring(sld_document("borders", frame))
    dash = [p.text for p in sld.iter(f"{SE}SvgParameter") if p.get("name") == "stroke-dasharray"]
    assert dash == ["6 4"]


def test_labels_from_label_column_escaped():
    root = ET.fromstring(qml_document("river_courses", rivers_frame()))
    assert root.get("labelsEnabled") == "1"
    assert root.find("labeling").get("type") == "simple"
    assert root.find("labeling/settings/text-style").get("fieldName") == "name_en"
    assert root.find("labeling/settings/rendering").get("drawLabels") == "1"
    without = rivers_frame().drop(columns="name_en")
    assert ET.fromstring(qml_document("river_courses", without)).get("labelsEnabled") == "0"
    # one name per river: the course carries it, the per-country pieces do not repeat it
    assert ET.fromstring(qml_document("rivers", rivers_frame())).get("labelsEnabled") == "0"


def test_gauge_labels_only_when_zoomed_in():
    rendering = ET.fromstring(qml_document("gauges", gauges_frame())).find(
        "labeling/settings/rendering"
    )
    assert rendering.get("scaleVisibility") == "1"
    assert float(rendering.get("scaleMax")) == STYLES["gauges"].label_max_scale > 0
    crossings = ET.fromstring(qml_document("crossings", gauges_frame().assign(direction="x")))
    assert crossings.find("labeling/settings/rendering").get("scaleVisibility") == "0"


def test_values_with_quotes_and_scripts_stay_intact():
    frame = gauges_frame(with_class=False).assign(country=["O'Brien", "Иртыш"])
    style = STYLES["rivers"]
    renderer = plan_renderer(style, frame)
    other = renderer.rules[-1].conditions[0]
    assert other.negate and other.values == ()  # neither value has a declared colour
    doc = qml_document("gauges", frame.assign(station=["O'Brien & <Co>", "额尔齐斯河"]))
    labels = ET.fromstring(doc).find("labeling/settings/text-style")
    assert labels.get("fieldName") == "station"
    dd = DataDefined("fill", BASIN_FILL)
    assert dd_expression(dd).startswith("CASE WHEN \"fill_class\" = 0 THEN '215,25,28,255'")


def test_sld_rules_match_the_qml_rules():
    sld = ET.fromstring(sld_document("rivers", rivers_frame()))
    rules = list(sld.iter(f"{SE}Rule"))
    # 2 countries + other, each × (4 width classes + no figure); no label rule (see the course)
    assert len(rules) == 3 * 5
    first = rules[0]
    assert first.findtext(f"{SE}Name") == f"China, {FLOW_WIDTH.legend()[0][0]}"
    equal = [
        (e.findtext(f"{OGC}PropertyName"), e.findtext(f"{OGC}Literal"))
        for e in first.iter(f"{OGC}PropertyIsEqualTo")
    ]
    assert equal == [("country", "CHN"), ("width_class", "0")]
    width = [p.text for p in first.iter(f"{SE}SvgParameter") if p.get("name") == "stroke-width"]
    assert width == [f"{FLOW_WIDTH.values[0]:g}"]
    assert rules[-1].find(f"{SE}TextSymbolizer") is None
    gauges = list(ET.fromstring(sld_document("gauges", gauges_frame())).iter(f"{SE}Rule"))
    label = gauges[-1].find(f"{SE}TextSymbolizer/{SE}Label/{OGC}PropertyName")
    assert label.text == "station"


def test_sld_point_sizes_are_diameters_in_pixels():
    sld = ET.fromstring(sld_document("gauges", gauges_frame()))
    sizes = [float(s.text) for s in sld.iter(f"{SE}Size")]
    values = class_value([0, 1, 2, 3, 4, -1], GAUGE_RADIUS)
    assert sizes == [2 * float(v) for v in values]


def test_layer_without_declared_style_gets_one_by_geometry():
    points = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(80, 45)], crs=4326)
    style = style_for("profiles_points", points, "Profile points")
    assert (style.kind, style.title) == ("point", "Profile points")
    renderer = ET.fromstring(qml_document("profiles_points", points)).find("renderer-v2")
    assert renderer.get("type") == "singleSymbol"
    assert renderer.find("symbols/symbol").get("type") == "marker"
    multi = gpd.GeoDataFrame(geometry=[shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])], crs=4326)
    assert style_for("x", multi).kind == "fill"


def test_qgis_metadata_document():
    prov = (
        Provenance(
            "a",
            "a.csv",
            "Gauges",
            "GRDC catalogue",
            "GRDC licence",
            "GRDC, Koblenz",
            "https://grdc.bafg.de/",
        ),
        Provenance(
            "b", "b.geojson", "Lakes", "Natural Earth", "Public domain", "Made with Natural Earth"
        ),
    )
    doc = qgis_metadata_document("gauges", "GRDC gauges", "Gauges «Иртыш»", prov, CRS("EPSG:32644"))
    assert doc.startswith("<!DOCTYPE qgis")
    root = ET.fromstring(doc)
    assert root.findtext("title") == "GRDC gauges"
    assert root.findtext("abstract") == "Gauges «Иртыш»"
    assert [e.text for e in root.iter("license")] == ["GRDC licence", "Public domain"]
    assert [e.text for e in root.iter("rights")] == ["GRDC, Koblenz", "Made with Natural Earth"]
    # no empty links: a source without a URL is in the history only
    assert [link.get("url") for link in root.iter("link")] == ["https://grdc.bafg.de/"]
    assert root.findtext("crs/spatialrefsys/authid") == "EPSG:32644"
    # contacts: rivermap (processor), then each source's publisher (its attribution here)
    contacts = [(c.findtext("name"), c.findtext("role")) for c in root.iter("contact")]
    assert contacts[0][0] == "rivermap" and contacts[0][1] == "processor"
    assert contacts[1:] == [
        ("GRDC, Koblenz", "publisher"),
        ("Made with Natural Earth", "publisher"),
    ]
    dated = ET.fromstring(
        qgis_metadata_document(
            "gauges",
            "GRDC gauges",
            "",
            prov,
            CRS("EPSG:4326"),
            extent=Extent((66.0, 40.0, 92.0, 58.5), "EPSG:4326", ("2000-01-01", "2023-12-01")),
            created="2026-01-02T03:04:05Z",
        )
    )
    spatial = dated.find("extent/spatial")
    assert [float(spatial.get(k)) for k in ("minx", "miny", "maxx", "maxy")] == [66, 40, 92, 58.5]
    assert dated.findtext("extent/temporal/period/start") == "2000-01-01T00:00:00Z"
    assert dated.find("dates/date").get("value") == "2026-01-02T03:04:05Z"
    assert dated.findall("history")[-1].text.startswith("Written by rivermap ")
    assert root.findtext("crs/spatialrefsys/geographicflag") == "false"
    table = ET.fromstring(qgis_metadata_document("flows", "Flows", "", prov, None))
    assert table.findtext("crs/spatialrefsys/authid") in ("", None)


def test_modelled_discharge_dashed_through_a_data_defined_stroke_style():
    frame = gpd.GeoDataFrame(
        {
            "country": ["KAZ", "CHN"],
            "width_class": [1, 2],
            "discharge_kind": ["modelled", "measured"],
        },
        geometry=[
            shapely.LineString([(80, 45), (81, 46)]),
            shapely.LineString([(81, 46), (82, 46)]),
        ],
        crs=4326,
    )
    root = ET.fromstring(qml_document("rivers", frame))
    exprs = [
        p.find("Option[@name='expression']").get("value")
        for p in root.iter("Option")
        if p.get("name") == "outlineStyle"
    ]
    symbols = root.findall("renderer-v2/symbols/symbol") + root.findall(
        "renderer-v2/source-symbol/symbol"
    )
    assert len(exprs) == len(symbols) >= 2
    assert set(exprs) == {"CASE WHEN \"discharge_kind\" = 'modelled' THEN 'dash' ELSE 'solid' END"}
    plain = ET.fromstring(qml_document("rivers", frame.drop(columns="discharge_kind")))
    assert not [p for p in plain.iter("Option") if p.get("name") == "outlineStyle"]
