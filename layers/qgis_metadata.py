"""QGIS layer metadata: the ``<qgis>`` document QGIS stores in ``gpkg_metadata``.

What Layer Properties → Metadata shows: title, abstract, links, history, rights, licences and
the CRS, from each layer's provenance.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pyproj import CRS

from layers.qgis_xml import QGIS_DOCTYPE, QGIS_VERSION, crs_element, text_element
from layers.sources import Provenance


def qgis_metadata_document(
    identifier: str,
    title: str,
    abstract: str,
    provenance: tuple[Provenance, ...],
    crs: CRS | None,
) -> str:
    """QGIS layer metadata (the ``<qgis>`` document QGIS stores in ``gpkg_metadata``): what
    Layer Properties → Metadata shows — title, abstract, one link and history line per
    source, rights (attributions), licences and the CRS (None for a table)."""
    root = ET.Element("qgis", version=QGIS_VERSION)
    text_element(root, "identifier", identifier)
    text_element(root, "parentidentifier")
    text_element(root, "language", "en")
    text_element(root, "type", "dataset")
    text_element(root, "title", title)
    text_element(root, "abstract", abstract)
    keywords = ET.SubElement(root, "keywords", vocabulary="gmd:topicCategory")
    text_element(keywords, "keyword", "inlandWaters")
    links = ET.SubElement(root, "links")
    for p in provenance:
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
    text_element(root, "fees")
    for licence in dict.fromkeys(p.licence for p in provenance):
        text_element(root, "constraints", licence, type="license")
    for attribution in dict.fromkeys(p.attribution for p in provenance):
        text_element(root, "rights", attribution)
    for licence in dict.fromkeys(p.licence for p in provenance):
        text_element(root, "license", licence)
    text_element(root, "encoding", "UTF-8")
    crs_element(root, crs)
    ET.SubElement(root, "extent")
    return f"{QGIS_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"
