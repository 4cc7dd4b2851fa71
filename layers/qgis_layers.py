"""One ``<maplayer>`` of a QGIS project per GeoPackage layer, table or raster.

A vector layer's element holds what its stored style holds (renderer, labels, aliases, from
:func:`layers.qml.style_elements`), its metadata (as in ``gpkg_metadata``) and, for the
monthly water balance, its temporal properties; a raster's holds its renderer pipe (grey
hillshade multiplied over the map, colour relief, elevation colour ramp). Sources are
relative to the project's own GeoPackage (``./rivermap.gpkg|layername=rivers``), which QGIS
resolves against the folder of the file holding the project.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
from pyproj import CRS

from layers.gpkg_rasters import Raster
from layers.gpkg_tables import Table
from layers.qgis_metadata import Extent, metadata_element
from layers.qgis_xml import crs_element, text_element
from layers.qml import style_elements

#: QgsPainting::BlendMode values
BLEND_NORMAL, BLEND_MULTIPLY = "0", "6"
#: the elevation colour ramp: (metres, colour)
ELEVATION_RAMP = (
    (0, "#3a7d44"),
    (500, "#a7c957"),
    (1000, "#f2e8cf"),
    (2000, "#bc6c25"),
    (3500, "#7f5539"),
    (5000, "#ffffff"),
)


@dataclass(frozen=True)
class Temporal:
    """Temporal properties of a vector layer: each feature is the ``duration`` months
    starting at its ``start_field`` date."""

    start_field: str
    duration_months: int = 1


def layer_id(name: str) -> str:
    """A stable QGIS layer id."""
    return f"{name}_rivermap"


def _common(el: ET.Element, name: str, title: str, source: str, crs: CRS | None) -> None:
    text_element(el, "id", layer_id(name))
    text_element(el, "datasource", source)
    ET.SubElement(ET.SubElement(el, "keywordList"), "value").text = ""
    text_element(el, "layername", title)
    crs_element(el, crs, tag="srs")


def vector_layer(
    table: Table,
    style,
    file_name: str,
    crs: CRS,
    *,
    extent: Extent,
    created: str,
    temporal: Temporal | None = None,
) -> ET.Element:
    """The ``<maplayer type="vector">`` of ``table`` read from ``./file_name``."""
    geometry = {"Point": "Point", "LineString": "Line", "Polygon": "Polygon"}
    kind = (table.geometry_type or "").removeprefix("Multi")
    el = ET.Element(
        "maplayer",
        type="vector",
        geometry=geometry.get(kind, "No geometry") if table.spatial else "No geometry",
        styleCategories="AllStyleCategories",
        readOnly="0",
    )
    _common(
        el,
        table.name,
        table.title,
        f"./{file_name}|layername={table.name}",
        crs if table.spatial else None,
    )
    metadata_element(
        el,
        "resourceMetadata",
        table.name,
        table.title,
        table.description,
        table.provenance,
        crs if table.spatial else None,
        extent=extent,
        created=created,
    )
    text_element(el, "provider", "ogr", encoding="UTF-8")
    _temporal_element(el, temporal)
    style_elements(el, table.name, table.frame, style, table.fields)
    ET.SubElement(el, "previewExpression").text = _preview(table)
    return el


def _preview(table: Table) -> str:
    for col in ("name_en", "station", "WATERSHED_NAME", "subject", "crossing_id", "river_id"):
        if col in table.frame.columns:
            return f'"{col}"'
    return '"fid"'


def _temporal_element(el: ET.Element, temporal: Temporal | None) -> None:
    attrs = {
        "enabled": "0",
        "mode": "0",
        "startField": "",
        "endField": "",
        "durationField": "",
        "durationUnit": "mon",
        "fixedDuration": "0",
        "accumulate": "0",
        "limitMode": "0",
        "startExpression": "",
        "endExpression": "",
    }
    if temporal is not None:
        # QgsVectorLayerTemporalProperties::ModeFeatureDateTimeInstantFromField = 1
        attrs |= {
            "enabled": "1",
            "mode": "1",
            "startField": temporal.start_field,
            "fixedDuration": str(temporal.duration_months),
        }
    t = ET.SubElement(el, "temporal", attrs)
    fixed = ET.SubElement(t, "fixedRange")
    text_element(fixed, "start")
    text_element(fixed, "end")


def raster_layer(raster: Raster, file_name: str, *, opacity: float, created: str) -> ET.Element:
    """The ``<maplayer type="raster">`` of a GeoPackage tile table ``raster``."""
    el = ET.Element("maplayer", type="raster", styleCategories="AllStyleCategories")
    _common(el, raster.name, raster.title, f"GPKG:./{file_name}:{raster.name}", raster.crs)
    metadata_element(
        el,
        "resourceMetadata",
        raster.name,
        raster.title,
        raster.description,
        raster.provenance,
        raster.crs,
        extent=Extent(raster.bounds, "EPSG:4326"),
        created=created,
    )
    text_element(el, "provider", "gdal")
    pipe = ET.SubElement(el, "pipe")
    if raster.name == "elevation":
        _ramp_renderer(pipe, raster, opacity)
    elif raster.array.shape[0] >= 3:
        _colour_renderer(pipe, opacity)
    else:
        _grey_renderer(pipe, opacity)
    ET.SubElement(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    ET.SubElement(pipe, "huesaturation", saturation="0", grayscaleMode="0", colorizeOn="0")
    ET.SubElement(pipe, "rasterresampler", maxOversampling="2", zoomedInResampler="bilinear")
    blend = BLEND_MULTIPLY if raster.name == "hillshade" else BLEND_NORMAL
    ET.SubElement(el, "blendMode").text = blend
    return el


def _min_max(parent: ET.Element) -> None:
    mm = ET.SubElement(parent, "minMaxOrigin")
    text_element(mm, "limits", "None")
    text_element(mm, "extent", "WholeRaster")
    text_element(mm, "statAccuracy", "Estimated")


def _contrast(parent: ET.Element, tag: str, lo: float, hi: float) -> None:
    ce = ET.SubElement(parent, tag)
    text_element(ce, "minValue", f"{lo:g}")
    text_element(ce, "maxValue", f"{hi:g}")
    text_element(ce, "algorithm", "StretchToMinimumMaximum")


def _grey_renderer(pipe: ET.Element, opacity: float) -> None:
    r = ET.SubElement(
        pipe,
        "rasterrenderer",
        type="singlebandgray",
        grayBand="1",
        gradient="BlackToWhite",
        opacity=f"{opacity:g}",
        alphaBand="-1",
        nodataColor="",
    )
    ET.SubElement(r, "rasterTransparency")
    _min_max(r)
    _contrast(r, "contrastEnhancement", 0, 255)


def _colour_renderer(pipe: ET.Element, opacity: float) -> None:
    r = ET.SubElement(
        pipe,
        "rasterrenderer",
        type="multibandcolor",
        redBand="1",
        greenBand="2",
        blueBand="3",
        opacity=f"{opacity:g}",
        alphaBand="-1",
        nodataColor="",
    )
    ET.SubElement(r, "rasterTransparency")
    _min_max(r)
    for band in ("red", "green", "blue"):
        _contrast(r, f"{band}ContrastEnhancement", 0, 255)


def _ramp_renderer(pipe: ET.Element, raster: Raster, opacity: float) -> None:
    valid = raster.array[raster.array != raster.nodata] if raster.nodata is not None else []
    top = float(np.max(valid)) if len(valid) else ELEVATION_RAMP[-1][0]
    r = ET.SubElement(
        pipe,
        "rasterrenderer",
        type="singlebandpseudocolor",
        band="1",
        opacity=f"{opacity:g}",
        alphaBand="-1",
        nodataColor="",
        classificationMin=f"{ELEVATION_RAMP[0][0]}",
        classificationMax=f"{max(top, ELEVATION_RAMP[1][0]):g}",
    )
    _min_max(r)
    shader = ET.SubElement(ET.SubElement(r, "rastershader"), "colorrampshader")
    shader.attrib.update(
        colorRampType="INTERPOLATED",
        classificationMode="1",
        clip="0",
        minimumValue=f"{ELEVATION_RAMP[0][0]}",
        maximumValue=f"{ELEVATION_RAMP[-1][0]}",
    )
    for value, colour in ELEVATION_RAMP:
        ET.SubElement(
            shader, "item", value=str(value), color=colour, alpha="255", label=f"{value:,} m"
        )
