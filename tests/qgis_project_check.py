"""Open the QGIS project stored in a GeoPackage with real QGIS and report what it sees, as JSON.

Run with Debian's system Python and python3-qgis (not the project's venv):
``QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_project_check.py FILE.gpkg NAME [--png OUT]``.
Reads the project as QGIS's Project → Open From → GeoPackage does
(``geopackage:FILE?projectName=NAME``), then prints: every layer (valid, kind, features,
provider, source), the layer tree (groups and order, checked), relations, field aliases,
temporal properties, label settings, the stroke style of each ``discharge_kind``, map themes, project metadata and time settings;
``--png`` renders the project's visible layers at its initial view (``--size WxH``, default
1400x900). Exit 0 once the report is
out (the test judges it).
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    NULL,
    QgsApplication,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsLayerTreeGroup,
    QgsLayerTreeLayer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRenderContext,
    QgsSymbolLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402


def _tree(group: QgsLayerTreeGroup) -> list:
    out = []
    for child in group.children():
        if isinstance(child, QgsLayerTreeGroup):
            out.append({"group": child.name(), "children": _tree(child)})
        elif isinstance(child, QgsLayerTreeLayer):
            out.append(
                {
                    "layer": child.layer().name() if child.layer() else child.name(),
                    "id": child.layerId(),
                    "checked": child.isVisible(),
                }
            )
    return out


def _vector(layer: QgsVectorLayer) -> dict:
    t = layer.temporalProperties()
    labeling = layer.labeling()
    label = None
    if layer.labelsEnabled() and labeling is not None:
        s = labeling.settings()
        label = {
            "field": s.fieldName,
            "scale_visibility": s.scaleVisibility,
            "min_scale": s.minimumScale,
            "max_scale": s.maximumScale,
        }
    return {
        "features": layer.featureCount(),
        "fields": [f.name() for f in layer.fields()],
        "types": {f.name(): f.typeName() for f in layer.fields()},
        "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
        "renderer": layer.renderer().type() if layer.renderer() else None,
        "labels": label,
        "temporal": {
            "active": t.isActive(),
            "mode": int(t.mode()),
            "start_field": t.startField(),
            "duration": t.fixedDuration(),
            "unit": int(t.durationUnits()),
        },
        "metadata": {
            "title": layer.metadata().title(),
            "licenses": layer.metadata().licenses(),
            "contacts": [c.name for c in layer.metadata().contacts()],
            "links": [lk.url for lk in layer.metadata().links()],
            "extent": [
                [
                    se.bounds.xMinimum(),
                    se.bounds.yMinimum(),
                    se.bounds.xMaximum(),
                    se.bounds.yMaximum(),
                ]
                for se in layer.metadata().extent().spatialExtents()
            ],
        },
    }


def _stroke_styles(layer: QgsVectorLayer, by: str) -> dict[str, list[str]]:
    """The stroke style QGIS draws each feature's line with ("solid", "dash"), evaluated
    through the renderer's symbol and its data-defined properties, by values of ``by``
    (NULL as "")."""
    ctx = QgsRenderContext()
    ectx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    ctx.setExpressionContext(ectx)
    renderer = layer.renderer().clone()
    renderer.startRender(ctx, layer.fields())
    out: dict[str, set[str]] = {}
    for feature in layer.getFeatures():
        ectx.setFeature(feature)
        symbol = renderer.symbolForFeature(feature, ctx)
        if symbol is None:
            continue
        sl = symbol.symbolLayer(0)
        prop = sl.dataDefinedProperties().property(QgsSymbolLayer.PropertyStrokeStyle)
        style = sl.properties().get("line_style", "solid")
        if prop.isActive():
            style = prop.valueAsString(ectx, style)[0]
        value = feature[by]
        out.setdefault(style, set()).add("" if value is None or value == NULL else str(value))
    renderer.stopRender(ctx)
    return {k: sorted(v) for k, v in out.items()}


def main(argv: list[str]) -> None:
    path, name = argv[1], argv[2]
    png = argv[argv.index("--png") + 1] if "--png" in argv else None
    size = argv[argv.index("--size") + 1] if "--size" in argv else "1400x900"
    width, height = (int(v) for v in size.split("x"))
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    uri = f"geopackage:{path}?projectName={name}"
    ok = project.read(uri)
    report: dict = {"read": ok, "title": project.title(), "crs": project.crs().authid()}
    layers = {}
    for lid, layer in project.mapLayers().items():
        info = {
            "name": layer.name(),
            "valid": layer.isValid(),
            "provider": layer.providerType(),
            "source": layer.source(),
            "kind": "raster" if isinstance(layer, QgsRasterLayer) else "vector",
            "crs": layer.crs().authid(),
        }
        if isinstance(layer, QgsVectorLayer) and layer.isValid():
            info |= _vector(layer)
            info["spatial"] = layer.isSpatial()
            if "discharge_kind" in info["fields"]:
                info["stroke_styles"] = _stroke_styles(layer, "discharge_kind")
        if isinstance(layer, QgsRasterLayer) and layer.isValid():
            info |= {
                "bands": layer.bandCount(),
                "width": layer.width(),
                "height": layer.height(),
                "renderer": layer.renderer().type(),
                "blend": int(layer.blendMode()),
            }
        layers[lid] = info
    report["layers"] = layers
    report["tree"] = _tree(project.layerTreeRoot())
    report["relations"] = [
        {
            "id": r.id(),
            "name": r.name(),
            "valid": r.isValid(),
            "child": r.referencingLayer().name() if r.referencingLayer() else None,
            "parent": r.referencedLayer().name() if r.referencedLayer() else None,
            "pairs": [[k, v] for k, v in r.fieldPairs().items()],
        }
        for r in project.relationManager().relations().values()
    ]
    # what each relation finds, over all parent features (a gauge's months …)
    report["related_rows"] = {
        r.id(): sum(len(list(r.getRelatedFeatures(f))) for f in r.referencedLayer().getFeatures())
        for r in project.relationManager().relations().values()
        if r.isValid()
    }
    themes = project.mapThemeCollection()
    report["themes"] = {t: sorted(themes.mapThemeVisibleLayerIds(t)) for t in themes.mapThemes()}
    md = project.metadata()
    report["metadata"] = {
        "title": md.title(),
        "author": md.author(),
        "creation": md.creationDateTime().toString("yyyy-MM-ddTHH:mm:ss"),
        "contacts": [c.name for c in md.contacts()],
    }
    ts = project.timeSettings()
    rng = ts.temporalRange()
    report["time"] = {
        "start": rng.begin().toString("yyyy-MM-dd"),
        "end": rng.end().toString("yyyy-MM-dd"),
        "step": ts.timeStep(),
        "unit": int(ts.timeStepUnit()),
    }
    view = project.viewSettings().defaultViewExtent()
    report["view"] = [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()]
    if png:
        root = project.layerTreeRoot()
        visible = [
            n.layer()
            for n in root.findLayers()
            if n.isVisible() and n.layer() is not None and n.layer().isSpatial()
        ]
        ms = QgsMapSettings()
        ms.setLayers(visible)
        ms.setDestinationCrs(project.crs())
        ms.setExtent(view)
        ms.setOutputSize(QSize(width, height))
        ms.setBackgroundColor(QColor("white"))
        ms.setTransformContext(project.transformContext())
        job = QgsMapRendererParallelJob(ms)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        # 256 colours: a picture for the docs at a fraction of the bytes
        image.convertToFormat(QImage.Format_Indexed8).save(png, "png")
        report["png"] = png
        # share of pixels that are not the white background, on a 50 × 50 sample grid
        samples = [
            image.pixelColor(int(x * (image.width() - 1) / 49), int(y * (image.height() - 1) / 49))
            for x in range(50)
            for y in range(50)
        ]
        report["png_drawn_share"] = sum(c.name() != "#ffffff" for c in samples) / len(samples)
    print(json.dumps(report, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # QGIS may crash while tearing down; the report is out


if __name__ == "__main__":
    main(sys.argv)
