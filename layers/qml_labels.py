"""QGIS simple labels (``<labeling type="simple">``) from a layer's style declaration.

Text in Noto Sans with a white halo; points labelled around the point, lines along the line
(curved), polygons over their centroid; scale-dependent where the style says so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from layers.qgis_xml import rgba
from layers.styles import Style

#: QgsPalLayerSettings placement: 1 over point (polygon centroid), 0 around point, 3 curved
_PLACEMENT = {"fill": "1", "point": "0", "line": "3"}


def labeling_element(root: ET.Element, style: Style) -> None:
    """QGIS simple labels of ``style.label_column``; with ``style.label_max_scale`` they show
    only when the map is zoomed in to at least 1:label_max_scale."""
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
        textColor=rgba("#08306b" if style.kind == "line" else "#222222"),
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
        bufferColor=rgba("#ffffff"),
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
        priority=str(style.label_priority),
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
        # QGIS stores the most zoomed-out scale (minimumScale) as scaleMax
        scaleVisibility="1" if style.label_max_scale else "0",
        scaleMax=f"{style.label_max_scale:.0f}" if style.label_max_scale else "0",
        scaleMin="0",
        minFeatureSize="0",
        limitNumLabels="0",
        maxNumLabels="2000",
        zIndex="0",
    )
