"""QGIS styles (QML: renderer-v2 and simple labels) drawn from the plan in ``layers.style_plan``.

The GeoPackage writer stores these documents in ``layer_styles``, so QGIS draws each layer as
the HTML maps do. Map pixels (as in ``styles.py``) become millimetres (``PX_TO_MM``). XML is
built with ``xml.etree``, never pasted.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd

from layers.fields import Field
from layers.qgis_xml import QGIS_DOCTYPE, QGIS_VERSION, literal, mm, quote_field, rgba
from layers.qml_labels import labeling_element
from layers.style_plan import Condition, DataDefined, Renderer, Symbol, plan_renderer, style_for
from layers.styles import Style

_SYMBOL_TYPE = {"point": "marker", "line": "line", "fill": "fill"}
_LAYER_CLASS = {"point": "SimpleMarker", "line": "SimpleLine", "fill": "SimpleFill"}
#: QGIS data-defined property keys (QgsSymbolLayer::propertyDefinitions)
_DD_KEY = {"width": "outlineWidth", "radius": "size", "fill": "fillColor"}
_UNIT_SCALE = "3x:0,0,0,0,0,0"
#: the feature id column QGIS shows as field 0
FID = "fid"


def _expression(cond: Condition) -> str:
    """A QGIS expression for one condition."""
    field = quote_field(cond.column)
    if cond.missing:
        return f"{field} IS NULL" if cond.by_value else f"({field} < 0 OR {field} IS NULL)"
    if cond.by_value:
        parts = [f"{field} IS NOT NULL"]
        parts += [f"{field} > {cond.lower!r}"] if cond.lower is not None else []
        parts += [f"{field} <= {cond.upper!r}"] if cond.upper is not None else []
        return " AND ".join(parts)
    if not cond.values:
        return "TRUE" if cond.negate else "FALSE"
    listed = ", ".join(literal(v) for v in cond.values)
    if cond.negate:
        return f"({field} IS NULL OR {field} NOT IN ({listed}))"
    return f"{field} = {listed}" if len(cond.values) == 1 else f"{field} IN ({listed})"


def dd_expression(dd: DataDefined) -> str:
    """The QGIS expression that turns a class number into millimetres or an ``r,g,b,a`` colour."""
    col = quote_field(dd.classes.column)
    legend = dd.classes.legend()

    def out(value: float | str) -> str:
        if dd.prop == "fill":
            return literal(rgba(str(value)))
        size = float(value) * (2 if dd.prop == "radius" else 1)
        return mm(size)

    if dd.from_source:
        col = quote_field(dd.classes.source_column)
        uppers = [*dd.classes.bins[1:-1], None]
        whens = " ".join(
            f"WHEN {col} <= {hi!r} THEN {out(value)}" if hi is not None else f"ELSE {out(value)}"
            for hi, (_, value) in zip(uppers, legend[:-1], strict=True)
        )
        return f"CASE WHEN {col} IS NULL THEN {out(legend[-1][1])} {whens} END"
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
            "customdash": ";".join(mm(x) for x in s.dash) or "5;2",
            "customdash_unit": "MM",
            "joinstyle": "round",
            "line_color": rgba(s.color),
            "line_style": "solid",
            "line_width": mm(s.width),
            "line_width_unit": "MM",
            "offset": "0",
            "offset_unit": "MM",
            "use_custom_dash": "1" if s.dash else "0",
            "width_map_unit_scale": _UNIT_SCALE,
        }
    if s.kind == "fill":
        return {
            "border_width_map_unit_scale": _UNIT_SCALE,
            "color": rgba(s.fill_color, s.fill_opacity),
            "joinstyle": "bevel",
            "offset": "0,0",
            "offset_unit": "MM",
            "outline_color": rgba(s.color),
            "outline_style": "dash" if s.dash else "solid",
            "outline_width": mm(s.width),
            "outline_width_unit": "MM",
            "style": "solid",
        }
    return {
        "angle": "0",
        "color": rgba(s.fill_color, s.fill_opacity),
        "joinstyle": "bevel",
        "name": "circle",
        "offset": "0,0",
        "offset_unit": "MM",
        "outline_color": rgba(s.color),
        "outline_style": "solid",
        "outline_width": mm(s.width),
        "outline_width_unit": "MM",
        "scale_method": "diameter",
        "size": mm(2 * s.radius),
        "size_unit": "MM",
    }


def _symbol_element(
    parent: ET.Element,
    name: str,
    s: Symbol,
    dd: DataDefined | None,
    dashed: Condition | None = None,
) -> None:
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
    if dashed is not None and s.kind == "line":
        props["outlineStyle"] = f"CASE WHEN {_expression(dashed)} THEN 'dash' ELSE 'solid' END"
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
        _symbol_element(symbols, str(i), rule.symbol, dd, renderer.dashed)
    if renderer.type == "categorizedSymbol":
        source = ET.SubElement(el, "source-symbol")
        _symbol_element(source, "0", renderer.rules[-1].symbol, dd, renderer.dashed)
    ET.SubElement(el, "rotation")
    ET.SubElement(el, "sizescale")


def _key(layer: str, part: str) -> str:
    """A stable rule key (QGIS wants ``{uuid}``; the same input gives the same file)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"rivermap:{layer}:{part}")) + "}"


def _aliases_element(root: ET.Element, fields: dict[str, Field], frame: pd.DataFrame) -> None:
    """Field aliases (the registry's titles) by field index: ``fid`` is field 0, then the
    attributes in order (the geometry is not a field)."""
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    names = [FID, *(c for c in frame.columns if c != geom)]
    aliases = ET.SubElement(root, "aliases")
    for i, col in enumerate(names):
        title = fields[col].title if col in fields else ""
        ET.SubElement(aliases, "alias", field=col, index=str(i), name=title)


def style_elements(
    root: ET.Element,
    name: str,
    frame: pd.DataFrame,
    style: Style,
    fields: dict[str, Field] | None = None,
) -> None:
    """Append what QGIS reads as a layer's style to ``root`` (a QML ``<qgis>`` or a project's
    ``<maplayer>``): renderer, labels, field aliases, opacity and blending; sets the layer
    attributes (scale visibility, labels on/off) on ``root``."""
    spatial = isinstance(frame, gpd.GeoDataFrame)
    labels = spatial and bool(style.label_column) and style.label_column in frame.columns
    root.set("labelsEnabled", "1" if labels else "0")
    root.set("hasScaleBasedVisibilityFlag", "0")
    root.set("minScale", "100000000")
    root.set("maxScale", "0")
    if spatial:
        _renderer_element(root, plan_renderer(style, frame), name)
    if labels:
        labeling_element(root, style)
    if fields:
        _aliases_element(root, fields, frame)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "legend", type="default-vector", showLabelLegend="0")


def qml_document(
    name: str,
    frame: pd.DataFrame,
    title: str = "",
    *,
    style: Style | None = None,
    fields: dict[str, Field] | None = None,
) -> str:
    """A QGIS 3 style (QML: renderer-v2, simple labels, field aliases) for layer ``name`` drawn
    from ``frame``. ``style``: the declaration to use (default :func:`style_for`); ``fields``:
    titles by column, written as the field aliases."""
    style = style or style_for(name, frame, title)
    root = ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="Symbology|Labeling|Fields|Rendering",
    )
    style_elements(root, name, frame, style, fields)
    body = ET.tostring(root, encoding="unicode")
    return f"{QGIS_DOCTYPE}\n{body}\n"
