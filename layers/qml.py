"""QGIS styles (QML), OGC SLD styles and QGIS layer metadata built from ``layers.styles``.

The GeoPackage writer stores these documents in ``layer_styles`` (QML + SLD) and in
``gpkg_metadata`` (QGIS metadata), so QGIS draws each layer as the HTML maps do. The documents
only *look up* the style columns the Atlas step computed (``country``, ``width_class``,
``radius_class``, ``fill_class``); a class column missing from a frame falls back to the
layer's single-symbol default. Sizes: map pixels (as in ``styles.py``) become millimetres in
QML (``PX_TO_MM``) and stay pixels in SLD. XML is built with ``xml.etree``, never pasted.

Pipeline: :func:`style_for` (the declaration, or a neutral default for a layer without one)
→ :func:`plan_renderer` (rules: which features get which symbol) → :func:`qml_document` /
:func:`sld_document`.
"""

from __future__ import annotations

import uuid
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

import pandas as pd
from pyproj import CRS

from layers.sources import Provenance
from layers.styles import OTHER_COLOUR, PX_TO_MM, STYLES, Classes, Style

QGIS_VERSION = "3.22.16-Białowieża"
QGIS_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
NO_FIGURE = "no figure"
_GEOM_KIND = {"Point": "point", "LineString": "line", "Polygon": "fill"}
_SYMBOL_TYPE = {"point": "marker", "line": "line", "fill": "fill"}
_LAYER_CLASS = {"point": "SimpleMarker", "line": "SimpleLine", "fill": "SimpleFill"}
#: QGIS data-defined property keys (QgsSymbolLayer::propertyDefinitions)
_DD_KEY = {"width": "outlineWidth", "radius": "size", "fill": "fillColor"}
_UNIT_SCALE = "3x:0,0,0,0,0,0"

NS = {
    "sld": "http://www.opengis.net/sld",
    "se": "http://www.opengis.net/se",
    "ogc": "http://www.opengis.net/ogc",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
for _prefix, _uri in NS.items():
    ET.register_namespace("" if _prefix == "sld" else _prefix, _uri)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Symbol:
    """One drawn symbol. Colours ``#rrggbb``; ``width``/``radius``/``dash`` in screen pixels."""

    kind: str
    color: str
    width: float
    opacity: float
    fill_color: str
    fill_opacity: float
    radius: float
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Condition:
    """``column`` equals one of ``values`` (``negate``: none of them); ``values == ()`` with
    ``missing`` means "no figure": the class column is below 0 or NULL."""

    column: str
    values: tuple[object, ...] = ()
    negate: bool = False
    missing: bool = False


@dataclass(frozen=True)
class Rule:
    """Features matching all ``conditions`` (none: every feature) get ``symbol``."""

    label: str
    conditions: tuple[Condition, ...]
    symbol: Symbol


@dataclass(frozen=True)
class DataDefined:
    """A symbol property driven by a class column: ``prop`` is ``width``, ``radius`` or ``fill``."""

    prop: str
    classes: Classes


@dataclass(frozen=True)
class Renderer:
    """``type``: QGIS renderer (``singleSymbol``, ``categorizedSymbol``, ``RuleRenderer``);
    ``attr`` the categorised column; ``data_defined`` applies to every rule's symbol."""

    type: str
    rules: tuple[Rule, ...]
    attr: str = ""
    data_defined: DataDefined | None = None


def style_for(name: str, frame: pd.DataFrame, title: str = "") -> Style:
    """The declared style of layer ``name``, or a neutral single symbol for its geometry type."""
    if name in STYLES:
        return STYLES[name]
    types = frame.geometry.geom_type.dropna().str.replace("Multi", "", regex=False)
    kind = _GEOM_KIND.get(types.iloc[0] if len(types) else "", "line")
    return Style(
        name,
        title or name,
        kind,
        color=OTHER_COLOUR,
        width=1.0,
        fill_color="#cccccc",
        fill_opacity=0.5 if kind == "fill" else 1.0,
        radius=4.0,
    )


def base_symbol(style: Style) -> Symbol:
    """The style's default symbol (pixels)."""
    fill = style.fill_color or style.color
    dash = tuple(float(x) for x in style.dash.replace(",", " ").split()) if style.dash else ()
    fill_opacity = style.fill_opacity if style.fill_color else 1.0
    return Symbol(
        style.kind,
        style.color,
        style.width,
        style.opacity,
        fill,
        fill_opacity,
        style.radius,
        dash,
    )


def class_spec(style: Style, columns: pd.Index) -> DataDefined | None:
    """The style's class column that the frame actually holds (None: single-symbol default)."""
    for prop, classes in (
        ("width", style.width_by),
        ("radius", style.radius_by),
        ("fill", style.fill_by),
    ):
        if classes is not None and classes.column in columns:
            return DataDefined(prop, classes)
    return None


def _with(symbol: Symbol, prop: str, value: float | str) -> Symbol:
    if prop == "width":
        return replace(symbol, width=float(value))
    if prop == "radius":
        return replace(symbol, radius=float(value))
    return replace(symbol, fill_color=str(value))


def _with_colour(symbol: Symbol, colour: str) -> Symbol:
    if symbol.kind == "line":
        return replace(symbol, color=colour)
    return replace(symbol, fill_color=colour)


def plan_renderer(style: Style, frame: pd.DataFrame) -> Renderer:
    """Rules for ``frame`` (its columns decide what can be used).

    - ``color_by`` present: categories of the values present (in declaration order), plus an
      "other" category for values without one; a class column present sizes every symbol
      through a data-defined property.
    - only a class column present: one rule per class plus "no figure" (class -1 or NULL).
    - neither: a single symbol.
    """
    base = base_symbol(style)
    dd = class_spec(style, frame.columns)
    if style.color_by and style.color_by in frame.columns:
        return Renderer(
            "categorizedSymbol",
            _category_rules(style, frame[style.color_by], base),
            attr=style.color_by,
            data_defined=dd,
        )
    if dd is not None:
        return Renderer("RuleRenderer", _class_rules(dd, base))
    return Renderer("singleSymbol", (Rule(style.title, (), base),))


def _category_rules(style: Style, values: pd.Series, base: Symbol) -> tuple[Rule, ...]:
    present = set(values.dropna().astype(str))
    declared = [c for c in style.categories if c.value in present]
    col = style.color_by
    rules = [
        Rule(c.label, (Condition(col, (c.value,)),), _with_colour(base, c.color)) for c in declared
    ]
    if present - {c.value for c in declared} or values.isna().any() or not rules:
        others = tuple(c.value for c in declared)
        rules.append(Rule("other", (Condition(col, others, negate=True),), base))
    return tuple(rules)


def _class_rules(dd: DataDefined, base: Symbol) -> tuple[Rule, ...]:
    col = dd.classes.column
    labels = dd.classes.legend()
    rules = [
        Rule(label, (Condition(col, (k,)),), _with(base, dd.prop, value))
        for k, (label, value) in enumerate(labels[:-1])
    ]
    missing = _with(base, dd.prop, labels[-1][1])
    rules.append(Rule(NO_FIGURE, (Condition(col, missing=True),), missing))
    return tuple(rules)


# --------------------------------------------------------------------------- QML


def _rgba(colour: str, alpha: float = 1.0) -> str:
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _mm(px: float) -> str:
    return f"{px * PX_TO_MM:.4g}"


def _quote_field(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return f"{value}"


def _expression(cond: Condition) -> str:
    """A QGIS expression for one condition."""
    field = _quote_field(cond.column)
    if cond.missing:
        return f"({field} < 0 OR {field} IS NULL)"
    if not cond.values:
        return "TRUE" if cond.negate else "FALSE"
    listed = ", ".join(_literal(v) for v in cond.values)
    if cond.negate:
        return f"({field} IS NULL OR {field} NOT IN ({listed}))"
    return f"{field} = {listed}" if len(cond.values) == 1 else f"{field} IN ({listed})"


def dd_expression(dd: DataDefined) -> str:
    """The QGIS expression that turns a class number into millimetres or an ``r,g,b,a`` colour."""
    col = _quote_field(dd.classes.column)
    legend = dd.classes.legend()

    def out(value: float | str) -> str:
        if dd.prop == "fill":
            return _literal(_rgba(str(value)))
        size = float(value) * (2 if dd.prop == "radius" else 1)
        return _mm(size)

    whens = " ".join(
        f"WHEN {col} = {k} THEN {out(value)}" for k, (_, value) in enumerate(legend[:-1])
    )
    return f"CASE {whens} ELSE {out(legend[-1][1])} END"


def _options(parent: ET.Element, props: dict[str, str]) -> None:
    """Symbol-layer properties the way QGIS 3.22 writes them: an Option map and ``prop`` twins."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", name=k, type="QString", value=v)
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=v)


def _dd_properties(parent: ET.Element, tag: str, props: dict[str, str]) -> None:
    top = ET.SubElement(ET.SubElement(parent, tag), "Option", type="Map")
    ET.SubElement(top, "Option", name="name", type="QString", value="")
    coll = ET.SubElement(top, "Option", name="properties", type="Map" if props else "")
    if not props:
        coll.attrib.pop("type")
    for key, expr in props.items():
        p = ET.SubElement(coll, "Option", name=key, type="Map")
        ET.SubElement(p, "Option", name="active", type="bool", value="true")
        ET.SubElement(p, "Option", name="expression", type="QString", value=expr)
        ET.SubElement(p, "Option", name="type", type="int", value="3")
    ET.SubElement(top, "Option", name="type", type="QString", value="collection")


def _layer_props(s: Symbol) -> dict[str, str]:
    if s.kind == "line":
        return {
            "capstyle": "round",
            "customdash": ";".join(_mm(x) for x in s.dash) or "5;2",
            "customdash_unit": "MM",
            "joinstyle": "round",
            "line_color": _rgba(s.color),
            "line_style": "solid",
            "line_width": _mm(s.width),
            "line_width_unit": "MM",
            "offset": "0",
            "offset_unit": "MM",
            "use_custom_dash": "1" if s.dash else "0",
            "width_map_unit_scale": _UNIT_SCALE,
        }
    if s.kind == "fill":
        return {
            "border_width_map_unit_scale": _UNIT_SCALE,
            "color": _rgba(s.fill_color, s.fill_opacity),
            "joinstyle": "bevel",
            "offset": "0,0",
            "offset_unit": "MM",
            "outline_color": _rgba(s.color),
            "outline_style": "dash" if s.dash else "solid",
            "outline_width": _mm(s.width),
            "outline_width_unit": "MM",
            "style": "solid",
        }
    return {
        "angle": "0",
        "color": _rgba(s.fill_color, s.fill_opacity),
        "joinstyle": "bevel",
        "name": "circle",
        "offset": "0,0",
        "offset_unit": "MM",
        "outline_color": _rgba(s.color),
        "outline_style": "solid",
        "outline_width": _mm(s.width),
        "outline_width_unit": "MM",
        "scale_method": "diameter",
        "size": _mm(2 * s.radius),
        "size_unit": "MM",
    }


def _symbol_element(parent: ET.Element, name: str, s: Symbol, dd: DataDefined | None) -> None:
    sym = ET.SubElement(
        parent,
        "symbol",
        type=_SYMBOL_TYPE[s.kind],
        name=name,
        alpha=f"{s.opacity:g}",
        clip_to_extent="1",
        force_rhr="0",
    )
    _dd_properties(sym, "data_defined_properties", {})
    lyr = ET.SubElement(
        sym,
        "layer",
        attrib={"class": _LAYER_CLASS[s.kind], "enabled": "1", "locked": "0", "pass": "0"},
    )
    _options(lyr, _layer_props(s))
    props = {_DD_KEY[dd.prop]: dd_expression(dd)} if dd is not None else {}
    _dd_properties(lyr, "data_defined_properties", props)


def _renderer_element(root: ET.Element, renderer: Renderer, layer: str) -> None:
    el = ET.SubElement(
        root,
        "renderer-v2",
        type=renderer.type,
        symbollevels="0",
        enableorderby="0",
        forceraster="0",
        referencescale="-1",
    )
    dd = renderer.data_defined
    if renderer.type == "categorizedSymbol":
        el.set("attr", renderer.attr)
        cats = ET.SubElement(el, "categories")
        for i, rule in enumerate(renderer.rules):
            cond = rule.conditions[0]
            value = "" if cond.negate else str(cond.values[0])
            ET.SubElement(
                cats, "category", value=value, symbol=str(i), label=rule.label, render="true"
            )
    elif renderer.type == "RuleRenderer":
        rules = ET.SubElement(el, "rules", key=_key(layer, "root"))
        for i, rule in enumerate(renderer.rules):
            ET.SubElement(
                rules,
                "rule",
                key=_key(layer, str(i)),
                filter=" AND ".join(_expression(c) for c in rule.conditions),
                symbol=str(i),
                label=rule.label,
            )
    symbols = ET.SubElement(el, "symbols")
    for i, rule in enumerate(renderer.rules):
        _symbol_element(symbols, str(i), rule.symbol, dd)
    if renderer.type == "categorizedSymbol":
        _symbol_element(ET.SubElement(el, "source-symbol"), "0", renderer.rules[-1].symbol, dd)
    ET.SubElement(el, "rotation")
    ET.SubElement(el, "sizescale")


def _key(layer: str, part: str) -> str:
    """A stable rule key (QGIS wants ``{uuid}``; the same input gives the same file)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"rivermap:{layer}:{part}")) + "}"


#: QgsPalLayerSettings placement: 1 over point (polygon centroid), 0 around point, 3 curved
_PLACEMENT = {"fill": "1", "point": "0", "line": "3"}


def _labeling_element(root: ET.Element, style: Style) -> None:
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    text = ET.SubElement(
        settings,
        "text-style",
        fieldName=style.label_column,
        isExpression="0",
        fontFamily="Noto Sans",
        fontSize="8" if style.kind == "point" else "9",
        fontSizeUnit="Point",
        fontWeight="50",
        fontItalic="1" if style.kind in ("line", "fill") and style.layer != "basins" else "0",
        textColor=_rgba("#08306b" if style.kind == "line" else "#222222"),
        textOpacity="1",
        blendMode="0",
        multilineHeight="1",
        allowHtml="0",
    )
    ET.SubElement(
        text,
        "text-buffer",
        bufferDraw="1",
        bufferSize="0.8",
        bufferSizeUnits="MM",
        bufferColor=_rgba("#ffffff"),
        bufferOpacity="0.85",
        bufferNoFill="1",
        bufferJoinStyle="128",
        bufferBlendMode="0",
    )
    ET.SubElement(settings, "text-format", wrapChar="", multilineAlign="3", plussign="0")
    ET.SubElement(
        settings,
        "placement",
        placement=_PLACEMENT[style.kind],
        placementFlags="10",
        dist="1" if style.kind == "point" else "0",
        distUnits="MM",
        repeatDistance="0",
        priority="5",
        centroidInside="1",
        fitInPolygonOnly="0",
        maxCurvedCharAngleIn="25",
        maxCurvedCharAngleOut="-25",
    )
    ET.SubElement(
        settings,
        "rendering",
        drawLabels="1",
        obstacle="1",
        obstacleFactor="1",
        mergeLines="1" if style.kind == "line" else "0",
        labelPerPart="0",
        displayAll="0",
        upsidedownLabels="0",
        scaleVisibility="0",
        minFeatureSize="0",
        limitNumLabels="0",
        maxNumLabels="2000",
        zIndex="0",
    )


def qml_document(name: str, frame: pd.DataFrame, title: str = "") -> str:
    """A QGIS 3 style (QML, renderer-v2 + simple labels) for layer ``name`` drawn from ``frame``."""
    style = style_for(name, frame, title)
    renderer = plan_renderer(style, frame)
    labels = bool(style.label_column) and style.label_column in frame.columns
    root = ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="Symbology|Labeling|Rendering",
        labelsEnabled="1" if labels else "0",
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
    )
    _renderer_element(root, renderer, name)
    if labels:
        _labeling_element(root, style)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "legend", type="default-vector", showLabelLegend="0")
    body = ET.tostring(root, encoding="unicode")
    return f"{QGIS_DOCTYPE}\n{body}\n"


# --------------------------------------------------------------------------- SLD


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS['se']}}}{tag}", attrib)
    if text is not None:
        el.text = text
    return el


def _ogc(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS['ogc']}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _svg(parent: ET.Element, name: str, value: str) -> None:
    _se(parent, "SvgParameter", value, name=name)


def _ogc_condition(parent: ET.Element, cond: Condition) -> None:
    if cond.missing:
        either = _ogc(parent, "Or")
        lt = _ogc(either, "PropertyIsLessThan")
        _ogc(lt, "PropertyName", cond.column)
        _ogc(lt, "Literal", "0")
        _ogc(_ogc(either, "PropertyIsNull"), "PropertyName", cond.column)
        return
    target = _ogc(parent, "Not") if cond.negate else parent
    if len(cond.values) > 1:
        target = _ogc(target, "Or")
    for v in cond.values:
        eq = _ogc(target, "PropertyIsEqualTo")
        _ogc(eq, "PropertyName", cond.column)
        _ogc(eq, "Literal", str(v))


def _ogc_filter(rule_el: ET.Element, conditions: tuple[Condition, ...]) -> None:
    conds = [c for c in conditions if c.values or c.missing]
    if not conds:
        if any(c.negate for c in conditions):
            _se(rule_el, "ElseFilter")
        return
    flt = _ogc(rule_el, "Filter")
    target = _ogc(flt, "And") if len(conds) > 1 else flt
    for c in conds:
        _ogc_condition(target, c)


def _sld_symbolizer(rule_el: ET.Element, s: Symbol) -> None:
    def stroke(parent: ET.Element) -> None:
        st = _se(parent, "Stroke")
        _svg(st, "stroke", s.color)
        _svg(st, "stroke-width", f"{s.width:g}")
        if s.kind == "line" and s.opacity < 1:
            _svg(st, "stroke-opacity", f"{s.opacity:g}")
        _svg(st, "stroke-linejoin", "round")
        _svg(st, "stroke-linecap", "round")
        if s.dash:
            _svg(st, "stroke-dasharray", " ".join(f"{x:g}" for x in s.dash))

    def fill(parent: ET.Element) -> None:
        f = _se(parent, "Fill")
        _svg(f, "fill", s.fill_color)
        _svg(f, "fill-opacity", f"{s.fill_opacity:g}")

    if s.kind == "line":
        stroke(_se(rule_el, "LineSymbolizer"))
    elif s.kind == "fill":
        sym = _se(rule_el, "PolygonSymbolizer")
        fill(sym)
        stroke(sym)
    else:
        graphic = _se(_se(rule_el, "PointSymbolizer"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        fill(mark)
        stroke(mark)
        _se(graphic, "Size", f"{2 * s.radius:g}")


def _sld_rules(renderer: Renderer) -> list[Rule]:
    """SLD has no data-defined sizes here: expand category × class into plain rules."""
    dd = renderer.data_defined
    if dd is None or renderer.type != "categorizedSymbol":
        return list(renderer.rules)
    classes = _class_rules(dd, renderer.rules[0].symbol)
    return [
        Rule(
            f"{r.label}, {c.label}",
            r.conditions + c.conditions,
            _with(r.symbol, dd.prop, _class_value(c.symbol, dd.prop)),
        )
        for r in renderer.rules
        for c in classes
    ]


def _class_value(s: Symbol, prop: str) -> float | str:
    return {"width": s.width, "radius": s.radius, "fill": s.fill_color}[prop]


def _sld_label(fts: ET.Element, style: Style) -> None:
    text = _se(_se(fts, "Rule"), "TextSymbolizer")
    _ogc(_se(text, "Label"), "PropertyName", style.label_column)
    font = _se(text, "Font")
    _svg(font, "font-family", "Noto Sans")
    _svg(font, "font-size", "11")
    halo = _se(text, "Halo")
    _se(halo, "Radius", "1.5")
    _svg(_se(halo, "Fill"), "fill", "#ffffff")
    _svg(_se(text, "Fill"), "fill", "#222222")


def sld_document(name: str, frame: pd.DataFrame, title: str = "") -> str:
    """An OGC SLD 1.1 / SE 1.1 document with the same rules as :func:`qml_document` (pixels)."""
    style = style_for(name, frame, title)
    renderer = plan_renderer(style, frame)
    root = ET.Element(
        f"{{{NS['sld']}}}StyledLayerDescriptor",
        {
            "version": "1.1.0",
            f"{{{NS['xsi']}}}schemaLocation": "http://www.opengis.net/sld "
            "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd",
        },
    )
    layer = ET.SubElement(root, f"{{{NS['sld']}}}NamedLayer")
    _se(layer, "Name", name)
    user = ET.SubElement(layer, f"{{{NS['sld']}}}UserStyle")
    _se(user, "Name", name)
    _se(_se(user, "Description"), "Title", style.title)
    fts = _se(user, "FeatureTypeStyle")
    for rule in _sld_rules(renderer):
        rule_el = _se(fts, "Rule")
        _se(rule_el, "Name", rule.label)
        _ogc_filter(rule_el, rule.conditions)
        _sld_symbolizer(rule_el, rule.symbol)
    if style.label_column and style.label_column in frame.columns:
        _sld_label(fts, style)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


# --------------------------------------------------------------------------- QGIS metadata


def _text(parent: ET.Element, tag: str, text: str = "", **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    el.text = text
    return el


def _proj4(crs: CRS | None) -> str:
    """The PROJ string QGIS shows beside the WKT (pyproj warns that it is lossy: it is)."""
    if crs is None:
        return ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return crs.to_proj4() or ""


def _crs_element(parent: ET.Element, crs: CRS | None) -> None:
    ref = ET.SubElement(ET.SubElement(parent, "crs"), "spatialrefsys")
    auth = crs.to_authority() if crs is not None else None
    _text(ref, "wkt", crs.to_wkt() if crs is not None else "")
    _text(ref, "proj4", _proj4(crs))
    _text(ref, "srsid", "0")
    _text(ref, "srid", auth[1] if auth and auth[0] == "EPSG" else "0")
    _text(ref, "authid", f"{auth[0]}:{auth[1]}" if auth else "")
    _text(ref, "description", crs.name if crs is not None else "")
    _text(ref, "projectionacronym", "")
    _text(ref, "ellipsoidacronym", "")
    _text(ref, "geographicflag", "true" if crs is not None and crs.is_geographic else "false")


def qgis_metadata_document(
    identifier: str,
    title: str,
    abstract: str,
    provenance: tuple[Provenance, ...],
    crs: CRS | None,
) -> str:
    """QGIS layer metadata (the ``<qgis>`` document QGIS stores in ``gpkg_metadata``): what
    Layer Properties → Metadata shows — title, abstract, one link and history line per
    source, rights (attributions), licences and the CRS (None for a table)."""
    root = ET.Element("qgis", version=QGIS_VERSION)
    _text(root, "identifier", identifier)
    _text(root, "parentidentifier")
    _text(root, "language", "en")
    _text(root, "type", "dataset")
    _text(root, "title", title)
    _text(root, "abstract", abstract)
    keywords = ET.SubElement(root, "keywords", vocabulary="gmd:topicCategory")
    _text(keywords, "keyword", "inlandWaters")
    links = ET.SubElement(root, "links")
    for p in provenance:
        ET.SubElement(
            links,
            "link",
            name=p.title,
            type="WWW:LINK",
            url=p.url,
            description=p.source,
            format="",
            mimeType="",
            size="",
        )
    for p in provenance:
        _text(root, "history", p.one_line())
    _text(root, "fees")
    for licence in dict.fromkeys(p.licence for p in provenance):
        _text(root, "constraints", licence, type="license")
    for attribution in dict.fromkeys(p.attribution for p in provenance):
        _text(root, "rights", attribution)
    for licence in dict.fromkeys(p.licence for p in provenance):
        _text(root, "license", licence)
    _text(root, "encoding", "UTF-8")
    _crs_element(root, crs)
    ET.SubElement(root, "extent")
    return f"{QGIS_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"
