"""What a layer's style means feature by feature: symbols and the rules that pick them.

The QGIS style (:mod:`layers.qml`) and the OGC SLD style (:mod:`layers.sld`) are two spellings
of one plan: :func:`style_for` (the declaration in ``layers.styles``, or a neutral default for a
layer without one) → :func:`plan_renderer` (rules: which features get which symbol). The plan
only *looks up* the style columns the Atlas steps computed (``country``, ``width_class``,
``radius_class``, ``fill_class``); a class column missing from a frame falls back to the
layer's single-symbol default. Sizes are screen pixels, as in ``layers.styles``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from layers.styles import OTHER_COLOUR, STYLES, Classes, Style

NO_FIGURE = "no figure"
_GEOM_KIND = {"Point": "point", "LineString": "line", "Polygon": "fill"}


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
    #: a range of the figure itself: ``lower < column <= upper`` (None: open), and with
    #: ``missing`` only NULL is "no figure" (a figure may be negative)
    lower: float | None = None
    upper: float | None = None
    by_value: bool = False


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
    #: True: the frame has no class column; classes are computed from ``source_column``
    from_source: bool = False


@dataclass(frozen=True)
class Renderer:
    """``type``: QGIS renderer (``singleSymbol``, ``categorizedSymbol``, ``RuleRenderer``);
    ``attr`` the categorised column; ``data_defined`` applies to every rule's symbol."""

    type: str
    rules: tuple[Rule, ...]
    attr: str = ""
    data_defined: DataDefined | None = None
    #: lines matching this condition are dashed (a data-defined stroke style on every symbol)
    dashed: Condition | None = None


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


def renamed(style: Style, names: dict[str, str]) -> Style:
    """``style`` reading columns by other names (``{atlas name: GeoPackage name}``)."""
    if not names:
        return style

    def col(c: str) -> str:
        return names.get(c, c)

    def classes(c: Classes | None) -> Classes | None:
        return None if c is None else replace(c, column=col(c.column))

    return replace(
        style,
        label_column=col(style.label_column),
        color_by=col(style.color_by),
        width_by=classes(style.width_by),
        radius_by=classes(style.radius_by),
        fill_by=classes(style.fill_by),
        dash_when=(col(style.dash_when[0]), style.dash_when[1]) if style.dash_when else (),
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
        if classes is not None and classes.source_column in columns:
            return DataDefined(prop, classes, from_source=True)
    return None


def with_value(symbol: Symbol, prop: str, value: float | str) -> Symbol:
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

    ``dash_when`` present: the lines it matches are dashed (``Renderer.dashed``).
    """
    base = base_symbol(style)
    dd = class_spec(style, frame.columns)
    dashed = None
    if style.dash_when and style.dash_when[0] in frame.columns:
        dashed = Condition(style.dash_when[0], (style.dash_when[1],))
    if style.color_by and style.color_by in frame.columns:
        return Renderer(
            "categorizedSymbol",
            _category_rules(style, frame[style.color_by], base),
            attr=style.color_by,
            data_defined=dd,
            dashed=dashed,
        )
    if dd is not None:
        return Renderer("RuleRenderer", class_rules(dd, base), dashed=dashed)
    return Renderer("singleSymbol", (Rule(style.title, (), base),), dashed=dashed)


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


def class_rules(dd: DataDefined, base: Symbol) -> tuple[Rule, ...]:
    """One rule per class (by class number, or by range of the figure itself when the frame
    has no class column), then "no figure"."""
    labels = dd.classes.legend()
    if dd.from_source:
        col, bins = dd.classes.source_column, dd.classes.bins
        conds = [
            Condition(
                col,
                lower=None if k == 0 or not np.isfinite(lo) else float(lo),
                upper=None if not np.isfinite(hi) else float(hi),
                by_value=True,
            )
            for k, (lo, hi) in enumerate(zip(bins[:-1], bins[1:], strict=True))
        ]
        missing_cond = Condition(col, missing=True, by_value=True)
    else:
        col = dd.classes.column
        conds = [Condition(col, (k,)) for k in range(len(labels) - 1)]
        missing_cond = Condition(col, missing=True)
    rules = [
        Rule(label, (cond,), with_value(base, dd.prop, value))
        for cond, (label, value) in zip(conds, labels[:-1], strict=True)
    ]
    missing = with_value(base, dd.prop, labels[-1][1])
    rules.append(Rule(NO_FIGURE, (missing_cond,), missing))
    return tuple(rules)
