"""The QGIS project stored in the GeoPackage: what an analyst opens with Project → Open From →
GeoPackage, and needs nothing else.

The project (a ``.qgs`` document, zipped as QGIS's ``.qgz`` and stored hex-encoded in the
``qgis_projects`` table exactly as QGIS's own GeoPackage project storage writes it) holds:

- the layers in groups, top to bottom (:data:`GROUPS`): rivers and crossings, water and
  borders, basins, terrain, then the tables; a layer this list does not know joins "Other
  layers" (spatial) or "Tables";
- visibility as in the HTML overview (relief on, hillshade, elevation and the monthly basins
  off) and two map themes: the overview, and the monthly water balance;
- every layer's style (the same as its default in ``layer_styles``), field aliases and
  metadata; the monthly water balance's temporal properties, and the project's time range
  for the temporal controller (one month per step);
- the relations of :mod:`layers.relations` (a gauge's form lists its monthly table);
- project metadata, CRS (the export's) and the initial view (the data's extent).

Layer sources are relative (``./<file name>``): QGIS resolves them against the folder of the
GeoPackage holding the project, so the file can move, but keeps its name.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from pyproj import CRS

from layers.gpkg_rasters import Raster
from layers.gpkg_tables import Table
from layers.qgis_layers import Temporal, layer_id, raster_layer, vector_layer
from layers.qgis_metadata import PRODUCT, Extent, product_version
from layers.qgis_xml import (
    QGIS_DOCTYPE,
    QGIS_VERSION,
    crs_element,
    spatialrefsys_element,
    text_element,
)
from layers.relations import Relation

PROJECT_NAME = "rivermap"
PROJECTS_TABLE = "qgis_projects"
#: the table as QGIS creates it (QgsGeoPackageProjectStorage)
PROJECTS_DDL = "CREATE TABLE qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)"
#: layer-tree groups, top to bottom, and the layers they hold (top to bottom)
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Rivers and crossings", ("crossings", "gauges", "river_courses", "rivers")),
    ("Water and borders", ("lakes", "borders", "network")),
    ("Basins", ("basins_monthly", "basins")),
    ("Other layers", ()),
    ("Terrain", ("hillshade", "relief", "elevation")),
    ("Tables", ()),
)
#: layers shown when the project opens is everything but these (as in the HTML overview)
HIDDEN = frozenset({"basins_monthly", "hillshade", "elevation"})
#: layers animated by the temporal controller: date column, months per feature
TEMPORAL = {"basins_monthly": Temporal("date"), "water_balance_monthly": Temporal("date")}
#: raster opacity in the project
OPACITY = {"hillshade": 0.6, "relief": 1.0, "elevation": 0.8}


@dataclass(frozen=True)
class ProjectInput:
    """Everything the project is made of; ``styles`` by layer name (GeoPackage spelling)."""

    tables: Sequence[Table]
    styles: dict
    extents: dict[str, Extent]
    rasters: Sequence[Raster]
    relations: Sequence[Relation]
    crs: CRS
    file_name: str
    title: str
    abstract: str
    created: str
    view_extent: tuple[float, float, float, float]
    time_range: tuple[str, str] | None


def layer_groups(tables: Sequence[Table], rasters: Sequence[Raster]) -> list[tuple[str, list]]:
    """``[(group title, [layer names top to bottom])]`` for the layers present (empty groups
    left out)."""
    spatial = {t.name for t in tables if t.spatial} | {r.name for r in rasters}
    placed = {n for _, names in GROUPS for n in names}
    out = []
    for title, names in GROUPS:
        if title == "Other layers":
            members = [t.name for t in tables if t.spatial and t.name not in placed]
        elif title == "Tables":
            members = [t.name for t in tables if not t.spatial]
        else:
            members = [n for n in names if n in spatial]
        if members:
            out.append((title, members))
    return out


def project_document(p: ProjectInput) -> str:
    """The ``.qgs`` document (QGIS 3.22 format) for ``p``."""
    groups = layer_groups(p.tables, p.rasters)
    order = [n for _, names in groups for n in names]
    root = ET.Element("qgis", projectname=p.title, version=QGIS_VERSION)
    root.set("saveDateTime", p.created.removesuffix("Z"))
    ET.SubElement(root, "homePath", path="")
    text_element(root, "title", p.title)
    crs_element(root, p.crs, tag="projectCrs")
    _layer_tree(root, groups)
    _relations(root, p.relations)
    layers = ET.SubElement(root, "projectlayers")
    by_name = {t.name: t for t in p.tables}
    rasters = {r.name: r for r in p.rasters}
    for name in order:
        if name in rasters:
            layers.append(
                raster_layer(
                    rasters[name], p.file_name, opacity=OPACITY.get(name, 1.0), created=p.created
                )
            )
        else:
            t = by_name[name]
            layers.append(
                vector_layer(
                    t,
                    p.styles[name],
                    p.file_name,
                    p.crs,
                    extent=p.extents[name],
                    created=p.created,
                    temporal=TEMPORAL.get(name),
                )
            )
    lo = ET.SubElement(root, "layerorder")
    for name in order:
        ET.SubElement(lo, "layer", id=layer_id(name))
    _properties(root)
    _map_themes(root, groups)
    _project_metadata(root, p)
    _view(root, p)
    _time(root, p.time_range)
    return f"{QGIS_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"


def _layer_tree(root: ET.Element, groups: list[tuple[str, list]]) -> None:
    tree = ET.SubElement(root, "layer-tree-group")
    for title, names in groups:
        g = ET.SubElement(
            tree,
            "layer-tree-group",
            name=title,
            checked="Qt::Checked",
            expanded="0" if title == "Tables" else "1",
        )
        for name in names:
            ET.SubElement(
                g,
                "layer-tree-layer",
                id=layer_id(name),
                name=name,
                providerKey="ogr",
                checked="Qt::Unchecked" if name in HIDDEN else "Qt::Checked",
                expanded="1" if title != "Tables" else "0",
            )
    ET.SubElement(tree, "custom-order", enabled="0")


def _relations(root: ET.Element, relations: Sequence[Relation]) -> None:
    el = ET.SubElement(root, "relations")
    for r in relations:
        rel = ET.SubElement(
            el,
            "relation",
            id=r.name,
            name=r.title,
            referencingLayer=layer_id(r.child),
            referencedLayer=layer_id(r.parent),
            strength="Association",
        )
        ET.SubElement(rel, "fieldRef", referencingField=r.child_key, referencedField=r.parent_key)
    ET.SubElement(root, "polymorphicRelations")


def _properties(root: ET.Element) -> None:
    props = ET.SubElement(root, "properties")
    srs = ET.SubElement(props, "SpatialRefSys")  # QGIS reads projectCrs only with this
    text_element(srs, "ProjectionsEnabled", "1", type="int")
    paths = ET.SubElement(props, "Paths")
    text_element(paths, "Absolute", "false", type="bool")
    measure = ET.SubElement(props, "Measure")
    text_element(measure, "Ellipsoid", "EPSG:7030", type="QString")
    units = ET.SubElement(props, "Measurement")
    text_element(units, "DistanceUnits", "km", type="QString")
    text_element(units, "AreaUnits", "km2", type="QString")


def _map_themes(root: ET.Element, groups: list[tuple[str, list]]) -> None:
    names = [n for _, ns in groups for n in ns]
    themes = ET.SubElement(root, "visibility-presets")
    monthly_on = {"basins_monthly"} - {"basins"}
    for theme, visible in (
        ("Overview (as the HTML map)", [n for n in names if n not in HIDDEN]),
        (
            "Water balance by month",
            [n for n in names if (n not in HIDDEN or n in monthly_on) and n != "basins"],
        ),
    ):
        preset = ET.SubElement(
            themes, "visibility-preset", name=theme, **{"has-checked-group-info": "0"}
        )
        for n in visible:
            ET.SubElement(preset, "layer", id=layer_id(n), visible="1", style="default")


def _project_metadata(root: ET.Element, p: ProjectInput) -> None:
    md = ET.SubElement(root, "projectMetadata")
    text_element(md, "identifier", PROJECT_NAME)
    text_element(md, "parentidentifier")
    text_element(md, "language", "en")
    text_element(md, "type", "dataset")
    text_element(md, "title", p.title)
    text_element(md, "abstract", p.abstract)
    keywords = ET.SubElement(md, "keywords", vocabulary="gmd:topicCategory")
    text_element(keywords, "keyword", "inlandWaters")
    contact = ET.SubElement(md, "contact")
    text_element(contact, "name", PRODUCT)
    text_element(contact, "organization", f"{PRODUCT} {product_version()}")
    text_element(contact, "role", "processor")
    ET.SubElement(md, "links")
    text_element(md, "author", f"{PRODUCT} {product_version()}")
    text_element(md, "creation", p.created.removesuffix("Z"))


def _view(root: ET.Element, p: ProjectInput) -> None:
    x0, y0, x1, y1 = (f"{v:.10g}" for v in p.view_extent)
    settings = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    ET.SubElement(settings, "Scales")
    default = ET.SubElement(settings, "DefaultViewExtent", xmin=x0, ymin=y0, xmax=x1, ymax=y1)
    spatialrefsys_element(default, p.crs)
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    text_element(canvas, "units", "degrees" if p.crs.is_geographic else "meters")
    extent = ET.SubElement(canvas, "extent")
    for tag, v in zip(("xmin", "ymin", "xmax", "ymax"), (x0, y0, x1, y1), strict=True):
        text_element(extent, tag, v)
    text_element(canvas, "rotation", "0")
    crs_element(canvas, p.crs, tag="destinationsrs")


def _time(root: ET.Element, time_range: tuple[str, str] | None) -> None:
    settings = ET.SubElement(
        root,
        "ProjectTimeSettings",
        timeStep="1",
        timeStepUnit="mon",
        frameRate="2",
        cumulativeTemporalRange="0",
    )
    if time_range is not None:
        rng = ET.SubElement(settings, "TemporalRange")
        text_element(rng, "start", f"{time_range[0]}T00:00:00Z")
        text_element(rng, "end", f"{time_range[1]}T00:00:00Z")


def qgz_bytes(document: str, name: str = PROJECT_NAME) -> bytes:
    """The project zipped as QGIS writes a ``.qgz``: one ``<name>.qgs`` inside."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}.qgs", document.encode("utf-8"))
    return buf.getvalue()


def project_row(document: str, created: str) -> tuple[str, str, str]:
    """``(name, metadata, content)`` for ``qgis_projects``: QGIS stores the ``.qgz`` bytes as
    hexadecimal text and a small JSON of the last modification."""
    modified = dt.datetime.fromisoformat(created.removesuffix("Z")).strftime("%Y-%m-%dT%H:%M:%S")
    metadata = json.dumps({"last_modified_time": modified, "last_modified_user": PRODUCT})
    return PROJECT_NAME, metadata, qgz_bytes(document).hex()
