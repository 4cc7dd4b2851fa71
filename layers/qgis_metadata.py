"""QGIS layer metadata: the ``<qgis>`` document QGIS stores in ``gpkg_metadata``.

What Layer Properties → Metadata shows: title, abstract, links, history, rights, licences and
the CRS, from each layer's provenance.
"""

from __future__ import annotations

import functools
import importlib.metadata
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from pyproj import CRS

from layers.qgis_xml import QGIS_DOCTYPE, QGIS_VERSION, crs_element, text_element
from layers.sources import Provenance

PRODUCT = "rivermap"


@functools.cache
def product_version() -> str:
    """The installed rivermap's version (``0+unknown`` when run from a bare checkout)."""
    try:
        return importlib.metadata.version(PRODUCT)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Extent:
    """Where and when a layer's data lie: ``bbox`` (xmin, ymin, xmax, ymax) in ``crs`` units
    (``crs`` as ``EPSG:4326`` or a CRS name), ``period`` ISO dates (first, last) or None."""

    bbox: tuple[float, float, float, float] | None
    crs: str
    period: tuple[str, str] | None = None


def _contact(parent: ET.Element, name: str, organization: str, role: str) -> None:
    c = ET.SubElement(parent, "contact")
    text_element(c, "name", name)
    text_element(c, "organization", organization)
    text_element(c, "position")
    text_element(c, "voice")
    text_element(c, "fax")
    text_element(c, "email")
    text_element(c, "role", role)


def _extent_element(parent: ET.Element, extent: Extent | None) -> None:
    el = ET.SubElement(parent, "extent")
    if extent is None:
        return
    if extent.bbox is not None:
        x0, y0, x1, y1 = (f"{v:.10g}" for v in extent.bbox)
        ET.SubElement(
            el,
            "spatial",
            crs=extent.crs,
            dimensions="2",
            minx=x0,
            miny=y0,
            maxx=x1,
            maxy=y1,
            minz="0",
            maxz="0",
        )
    if extent.period is not None:
        period = ET.SubElement(ET.SubElement(el, "temporal"), "period")
        text_element(period, "start", f"{extent.period[0]}T00:00:00Z")
        text_element(period, "end", f"{extent.period[1]}T00:00:00Z")


def metadata_element(
    parent: ET.Element | None,
    tag: str,
    identifier: str,
    title: str,
    abstract: str,
    provenance: tuple[Provenance, ...],
    crs: CRS | None,
    *,
    extent: Extent | None = None,
    created: str = "",
) -> ET.Element:
    """The QGIS layer metadata element ``tag`` (``qgis`` for ``gpkg_metadata``,
    ``resourceMetadata`` inside a project's map layer): title, abstract, keywords, contacts
    (rivermap as processor, each source's publisher), links (only sources with a URL),
    history (each source, then the export with rivermap's version and ``created``, UTC),
    licences and rights, CRS, extent and creation date."""
    root = ET.Element(tag) if parent is None else ET.SubElement(parent, tag)
    text_element(root, "identifier", identifier)
    text_element(root, "parentidentifier")
    text_element(root, "language", "en")
    text_element(root, "type", "dataset")
    text_element(root, "title", title)
    text_element(root, "abstract", abstract)
    keywords = ET.SubElement(root, "keywords", vocabulary="gmd:topicCategory")
    text_element(keywords, "keyword", "inlandWaters")
    version = product_version()
    _contact(root, PRODUCT, f"{PRODUCT} {version}", "processor")
    for publisher in dict.fromkeys(p.publisher or p.attribution for p in provenance):
        _contact(root, publisher, publisher, "publisher")
    links = ET.SubElement(root, "links")
    for p in provenance:
        if p.url:
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
        text_element(root, "history", p.one_line())
    made = f" on {created}" if created else ""
    text_element(root, "history", f"Written by {PRODUCT} {version}{made}.")
    if created:
        dates = ET.SubElement(root, "dates")
        ET.SubElement(dates, "date", type="Created", value=created)
    text_element(root, "fees", "None")
    for licence in dict.fromkeys(p.licence for p in provenance):
        text_element(root, "constraints", licence, type="license")
    for attribution in dict.fromkeys(p.attribution for p in provenance):
        text_element(root, "rights", attribution)
    for licence in dict.fromkeys(p.licence for p in provenance):
        text_element(root, "license", licence)
    text_element(root, "encoding", "UTF-8")
    crs_element(root, crs)
    _extent_element(root, extent)
    return root


def qgis_metadata_document(
    identifier: str,
    title: str,
    abstract: str,
    provenance: tuple[Provenance, ...],
    crs: CRS | None,
    *,
    extent: Extent | None = None,
    created: str = "",
) -> str:
    """QGIS layer metadata (the ``<qgis>`` document QGIS stores in ``gpkg_metadata``): what
    Layer Properties → Metadata shows (see :func:`metadata_element`; ``crs`` None for a
    table)."""
    root = metadata_element(
        None, "qgis", identifier, title, abstract, provenance, crs, extent=extent, created=created
    )
    root.set("version", QGIS_VERSION)
    return f"{QGIS_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"
