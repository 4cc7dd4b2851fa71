"""The vocabulary shared by every QGIS XML document written here (styles, metadata, project).

Colours become QGIS ``r,g,b,a`` strings, screen pixels become millimetres (``PX_TO_MM``), field
names and literals are quoted the way QGIS expressions want them, and a CRS is written as the
``<spatialrefsys>`` element QGIS reads (WKT first, which QGIS prefers to the PROJ string).
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

from pyproj import CRS

from layers.styles import PX_TO_MM

#: the QGIS version whose file formats are written (Debian's QGIS, used by the tests)
QGIS_VERSION = "3.22.16-Białowieża"
QGIS_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"


def rgba(colour: str, alpha: float = 1.0) -> str:
    """``#rrggbb`` and an opacity 0–1 as QGIS's ``r,g,b,a`` (0–255 each)."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def mm(px: float) -> str:
    """Screen pixels as millimetres (QGIS symbol units), 4 significant digits."""
    return f"{px * PX_TO_MM:.4g}"


def quote_field(column: str) -> str:
    """A field name quoted for a QGIS expression (``"name"``)."""
    return '"' + column.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A value as a QGIS expression literal (strings single-quoted)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return f"{value}"


def text_element(parent: ET.Element, tag: str, text: str = "", **attrib: str) -> ET.Element:
    """A child element holding ``text``."""
    el = ET.SubElement(parent, tag, attrib)
    el.text = text
    return el


def proj4(crs: CRS | None) -> str:
    """The PROJ string QGIS shows beside the WKT (pyproj warns that it is lossy: it is)."""
    if crs is None:
        return ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return crs.to_proj4() or ""


def crs_name(crs: CRS) -> str:
    """The CRS's own name; for a CRS without one (a PROJ string: pyproj says "unknown") its
    projection method and datum, e.g. "Albers Equal Area on World Geodetic System 1984"."""
    if crs.name and crs.name.lower() != "unknown":
        return crs.name
    method = crs.coordinate_operation.method_name if crs.coordinate_operation else ""
    datum = crs.datum.name if crs.datum else ""
    named = " on ".join(x for x in (method, datum) if x and x.lower() != "unknown")
    return named or "custom CRS"


def crs_element(parent: ET.Element, crs: CRS | None, tag: str = "crs") -> None:
    """``<crs><spatialrefsys>`` (or another ``tag``) for ``crs`` (empty fields for None: a
    table without geometry)."""
    spatialrefsys_element(ET.SubElement(parent, tag), crs)


def spatialrefsys_element(parent: ET.Element, crs: CRS | None) -> None:
    """``<spatialrefsys>`` for ``crs`` directly under ``parent``."""
    ref = ET.SubElement(parent, "spatialrefsys")
    auth = crs.to_authority() if crs is not None else None
    text_element(ref, "wkt", crs.to_wkt() if crs is not None else "")
    text_element(ref, "proj4", proj4(crs))
    text_element(ref, "srsid", "0")
    text_element(ref, "srid", auth[1] if auth and auth[0] == "EPSG" else "0")
    text_element(ref, "authid", f"{auth[0]}:{auth[1]}" if auth else "")
    text_element(ref, "description", crs_name(crs) if crs is not None else "")
    text_element(ref, "projectionacronym", "")
    text_element(ref, "ellipsoidacronym", "")
    text_element(
        ref, "geographicflag", "true" if crs is not None and crs.is_geographic else "false"
    )
