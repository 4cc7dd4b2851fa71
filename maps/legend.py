"""The legend panel: one section per drawn layer with every colour, width and size scale
(from ``layers.styles``: categories and ``Classes.legend()``), and the list of sources.

``names`` maps a layer role to its name in the layer control; a section carries that name so
the page hides it while the layer is switched off.
"""

from __future__ import annotations

from layers.atlas import Atlas
from layers.discharge import KINDS
from layers.styles import BASIN_FILL, FLOW_WIDTH, GAUGE_RADIUS, STYLES
from maps import features, i18n
from maps.features import View
from maps.figure_rows import table_lines
from maps.i18n import _
from maps.popups import country_name
from maps.tables import period_label
from maps.templating import render
from maps.words import DISCHARGE_KINDS, KIND_SHORT


def class_legend(classes) -> list[tuple[str, float | str]]:
    """The style's class labels (``layers.styles.Classes.legend``) in the page's numbers,
    units and words."""
    return classes.legend(
        number=lambda x: (
            i18n.number(x) if abs(x) >= 10 else i18n.number(x, 0 if x == int(x) else 1)
        ),
        with_unit=i18n.with_unit,
        no_figure=i18n.no_figure(),
    )


def legend_html(atlas: Atlas, view: View, layers: dict, names: dict[str, str]) -> str:
    """Legend sections for every drawn colour, width and size scale (from layers.styles)."""
    pieces = features.clip(atlas["rivers"], view.box)
    rivers = STYLES["rivers"]
    present = set(pieces["country"])
    items = [
        {"kind": "line", "color": c.color, "width": rivers.width, "label": country_name(c.value)}
        for c in rivers.categories
        if c.value in present
    ]
    if FLOW_WIDTH.column in pieces:
        items += [
            {
                "kind": "line",
                "color": "#555",
                "width": w,
                "label": _("mean discharge %(range)s") % {"range": label},
            }
            for label, w in class_legend(FLOW_WIDTH)
        ]
        items += _width_kinds(pieces)
    casing = STYLES["river_courses"]
    sections = [
        {"layer": names["rivers"], "title": _("Traced rivers"), "entries": items},
        {
            "layer": names["casing"],
            "title": _("Traced mainstem"),
            "entries": [
                {
                    "kind": "line",
                    "color": casing.color,
                    "width": 7,
                    "inner": "#0072B2",
                    "label": _("source to mouth"),
                    "casing": True,
                }
            ],
        },
        {
            "layer": names["arrows"],
            "title": _("Flow direction"),
            "entries": [{"kind": "arrow", "label": _("downstream")}],
        },
        {
            "layer": names["crossings"],
            "title": _("Border crossings"),
            "entries": [{"kind": "crossing", "label": _("arrow points downstream")}],
        },
    ]
    if "gauges" in layers:
        g = STYLES["gauges"]
        sections.append(
            {
                "layer": names["gauges"],
                "title": _("GRDC gauges: long-term mean discharge"),
                "entries": [
                    {
                        "kind": "circle",
                        "radius": r,
                        "fill": g.fill_color,
                        "color": g.color,
                        "label": label,
                    }
                    for label, r in class_legend(GAUGE_RADIUS)
                ],
            }
        )
    labels = {"network": _("every reach in the data"), "borders": _("international boundary")}
    for key in ("network", "borders"):
        s = STYLES[key]
        sections.append(
            {
                "layer": names[key],
                "title": names[key],
                "entries": [
                    {
                        "kind": "line",
                        "color": s.color,
                        "width": s.width,
                        "dash": s.dash,
                        "label": labels[key],
                    }
                ],
            }
        )
    lk = STYLES["lakes"]
    sections.append(
        {
            "layer": names["lakes"],
            "title": names["lakes"],
            "entries": [
                {
                    "kind": "fill",
                    "fill": lk.fill_color,
                    "color": lk.color,
                    "opacity": lk.fill_opacity,
                    "label": _("lake or reservoir"),
                }
            ],
        }
    )
    sections.append(_basin_legend(atlas, names))
    return str(
        render(
            "legend.html.j2",
            sections=sections,
            sources=list(atlas.provenance()),
            tables=table_lines(atlas.flow_tables),
        )
    )


def _width_kinds(pieces) -> list[dict]:
    """One entry per kind of figure that drew a width on the page (layers.discharge)."""
    if "discharge_kind" not in pieces:
        return []
    kinds = pieces["discharge_kind"].fillna("").astype(str)
    present = [k for k in KINDS if (kinds == k).any()]
    return [
        {
            "kind": "line",
            "color": "#555",
            "width": 2,
            "dash": "6 4" if k == "modelled" else "",
            "label": _("width from: %(kind)s (stretches: %(n)s)")
            % {"kind": _(KIND_SHORT.get(k, k)), "n": int((kinds == k).sum())},
            "title": _(DISCHARGE_KINDS.get(k, KINDS[k])),
        }
        for k in present
    ]


def _basin_legend(atlas: Atlas, names: dict[str, str]) -> dict:
    b = STYLES["basins"]
    if not features.basins_classed(atlas):
        return {
            "layer": names["basins"],
            "title": names["basins"],
            "entries": [
                {
                    "kind": "fill",
                    "fill": b.fill_color,
                    "color": b.color,
                    "opacity": b.fill_opacity,
                    "label": _("watershed"),
                }
            ],
        }
    period = _("mean")
    if "water_balance_monthly" in atlas:
        period = _("mean %(period)s") % {"period": period_label(atlas["water_balance_monthly"])}
    return {
        "layer": names["basins"],
        "title": _("Basins: precipitation − evapotranspiration"),
        "period": period,
        "entries": [
            {"kind": "fill", "fill": colour, "color": b.color, "opacity": 0.75, "label": label}
            for label, colour in class_legend(BASIN_FILL)
        ],
    }
