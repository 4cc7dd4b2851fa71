"""The legend panel: one section per drawn layer with every colour, width and size scale
(from ``layers.styles``: categories and ``Classes.legend()``), and the list of sources.

``names`` maps a layer role to its name in the layer control; a section carries that name so
the page hides it while the layer is switched off.
"""

from __future__ import annotations

from layers.atlas import Atlas
from layers.discharge import KINDS
from layers.styles import BASIN_FILL, FLOW_WIDTH, GAUGE_RADIUS, STYLES
from maps import features
from maps.features import View
from maps.tables import period_label
from maps.templating import render


def legend_html(atlas: Atlas, view: View, layers: dict, names: dict[str, str]) -> str:
    """Legend sections for every drawn colour, width and size scale (from layers.styles)."""
    pieces = features.clip(atlas["rivers"], view.box)
    rivers = STYLES["rivers"]
    present = set(pieces["country"])
    items = [
        {"kind": "line", "color": c.color, "width": rivers.width, "label": c.label}
        for c in rivers.categories
        if c.value in present
    ]
    if FLOW_WIDTH.column in pieces:
        items += [
            {"kind": "line", "color": "#555", "width": w, "label": f"mean discharge {label}"}
            for label, w in FLOW_WIDTH.legend()
        ]
        items += _width_kinds(pieces)
    casing = STYLES["river_courses"]
    sections = [
        {"layer": names["rivers"], "title": "Traced rivers", "entries": items},
        {
            "layer": names["casing"],
            "title": "Traced mainstem",
            "entries": [
                {
                    "kind": "line",
                    "color": casing.color,
                    "width": 7,
                    "inner": "#0072B2",
                    "label": "source to mouth",
                    "casing": True,
                }
            ],
        },
        {
            "layer": names["arrows"],
            "title": "Flow direction",
            "entries": [{"kind": "arrow", "label": "downstream"}],
        },
        {
            "layer": names["crossings"],
            "title": "Border crossings",
            "entries": [{"kind": "crossing", "label": "arrow points downstream"}],
        },
    ]
    if "gauges" in layers:
        g = STYLES["gauges"]
        sections.append(
            {
                "layer": names["gauges"],
                "title": "GRDC gauges: long-term mean discharge",
                "entries": [
                    {
                        "kind": "circle",
                        "radius": r,
                        "fill": g.fill_color,
                        "color": g.color,
                        "label": label,
                    }
                    for label, r in GAUGE_RADIUS.legend()
                ],
            }
        )
    for key in ("network", "borders"):
        s = STYLES[key]
        sections.append(
            {
                "layer": names[key],
                "title": s.title,
                "entries": [
                    {
                        "kind": "line",
                        "color": s.color,
                        "width": s.width,
                        "dash": s.dash,
                        "label": s.title.lower() if key == "network" else "international boundary",
                    }
                ],
            }
        )
    lk = STYLES["lakes"]
    sections.append(
        {
            "layer": names["lakes"],
            "title": lk.title,
            "entries": [
                {
                    "kind": "fill",
                    "fill": lk.fill_color,
                    "color": lk.color,
                    "opacity": lk.fill_opacity,
                    "label": "lake or reservoir",
                }
            ],
        }
    )
    sections.append(_basin_legend(atlas, names))
    sources = [p.one_line() for p in atlas.provenance()]
    return str(render("legend.html.j2", sections=sections, sources=sources))


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
            "label": f"width from: {KINDS[k]} ({int((kinds == k).sum())} stretch(es))",
        }
        for k in present
    ]


def _basin_legend(atlas: Atlas, names: dict[str, str]) -> dict:
    b = STYLES["basins"]
    classed = BASIN_FILL.column in atlas["basins"] or "water_balance_monthly" in atlas
    if not classed:
        return {
            "layer": names["basins"],
            "title": "Basins",
            "entries": [
                {
                    "kind": "fill",
                    "fill": b.fill_color,
                    "color": b.color,
                    "opacity": b.fill_opacity,
                    "label": "watershed",
                }
            ],
        }
    period = "mean"
    if "water_balance_monthly" in atlas:
        period = f"mean {period_label(atlas['water_balance_monthly'])}"
    return {
        "layer": names["basins"],
        "title": "Basins: precipitation − evapotranspiration (mm/yr),",
        "period": period,
        "entries": [
            {"kind": "fill", "fill": colour, "color": b.color, "opacity": 0.75, "label": label}
            for label, colour in BASIN_FILL.legend()
        ],
    }
