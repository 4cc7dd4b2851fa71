"""OGC SLD 1.1 / SE 1.1 styles with the same rules as the QGIS styles (sizes in pixels).

Stored beside the QML in ``layer_styles.styleSLD`` for other clients (GeoServer, MapServer).
SLD has no data-defined sizes here, so category × class plans are expanded into plain rules.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from layers.style_plan import (
    Condition,
    Renderer,
    Rule,
    Symbol,
    class_rules,
    plan_renderer,
    style_for,
    with_value,
)
from layers.styles import Style

NS = {
    "sld": "http://www.opengis.net/sld",
    "se": "http://www.opengis.net/se",
    "ogc": "http://www.opengis.net/ogc",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
for _prefix, _uri in NS.items():
    ET.register_namespace("" if _prefix == "sld" else _prefix, _uri)


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
    if cond.by_value:
        if cond.missing:
            _ogc(_ogc(parent, "PropertyIsNull"), "PropertyName", cond.column)
            return
        both = _ogc(parent, "And") if cond.lower is not None and cond.upper is not None else parent
        for tag, bound in (
            ("PropertyIsGreaterThan", cond.lower),
            ("PropertyIsLessThanOrEqualTo", cond.upper),
        ):
            if bound is not None:
                op = _ogc(both, tag)
                _ogc(op, "PropertyName", cond.column)
                _ogc(op, "Literal", f"{bound:g}")
        return
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
    conds = [c for c in conditions if c.values or c.missing or c.by_value]
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
    classes = class_rules(dd, renderer.rules[0].symbol)
    return [
        Rule(
            f"{r.label}, {c.label}",
            r.conditions + c.conditions,
            with_value(r.symbol, dd.prop, _class_value(c.symbol, dd.prop)),
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


def sld_document(
    name: str, frame: pd.DataFrame, title: str = "", *, style: Style | None = None
) -> str:
    """An OGC SLD 1.1 / SE 1.1 document with the same rules as the QGIS style (pixels).

    ``style``: the declaration to use (default :func:`style_for`)."""
    style = style or style_for(name, frame, title)
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
