"""The CRSs the service offers (OGC API – Features Part 2), and cached transformers.

Coordinates leave the service in the axis order of the CRS asked for, as Part 2 requires:
CRS84 is longitude, latitude; EPSG:4326 is **latitude, longitude**; EPSG:3857 and the UTM
zones are easting, northing (metres). The Atlas stores lon/lat on WGS 84 (CRS84 order).
One ``pyproj.Transformer`` per CRS pair is built on first use and kept (``lru_cache``): pyproj
transformers are costly to create and cheap to reuse.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

from service.errors import ParameterError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"

#: the allow-list: every CRS a request may name (by URI), with a short label
SUPPORTED: dict[str, str] = {
    CRS84: "WGS 84 longitude/latitude (CRS84)",
    EPSG_URI.format(code=4326): "WGS 84 latitude/longitude (EPSG:4326)",
    EPSG_URI.format(code=3857): "Web Mercator (EPSG:3857), metres",
    EPSG_URI.format(code=32643): "UTM zone 43N (EPSG:32643), metres",
    EPSG_URI.format(code=32644): "UTM zone 44N (EPSG:32644), metres",
    EPSG_URI.format(code=32645): "UTM zone 45N (EPSG:32645), metres",
}
#: the CRS the Atlas holds its layers in
STORAGE_CRS = CRS84


def short_name(uri: str) -> str:
    """``EPSG:32644`` or ``OGC:CRS84`` for a supported URI (what the library's ``crs=`` takes)."""
    code = uri.rsplit("/", 1)[1]
    return "OGC:CRS84" if code == "CRS84" else f"EPSG:{code}"


def _aliases() -> dict[str, str]:
    out = {}
    for uri in SUPPORTED:
        short = short_name(uri)
        for alias in (uri, short, f"[{short}]", "CRS84" if uri == CRS84 else None):
            if alias:
                out[alias.lower()] = uri
    out["http://www.opengis.net/def/crs/ogc/1.3/crs84"] = CRS84
    return out


_ALIASES = _aliases()


def parse_crs(value: str, param: str = "crs") -> str:
    """The URI of an allowed CRS, from its URI, ``EPSG:NNNN``, ``[EPSG:NNNN]`` or ``CRS84``;
    :class:`ParameterError` naming the parameter and the accepted values otherwise."""
    uri = _ALIASES.get(value.strip().lower())
    if uri is None:
        raise ParameterError(
            f"{param}={value!r}: not an offered CRS; accepted: {', '.join(SUPPORTED)} "
            f"(or the short forms {', '.join(short_name(u) for u in SUPPORTED)})"
        )
    return uri


@cache
def pyproj_crs(uri: str) -> CRS:
    """The pyproj CRS of a supported URI (authority axis order kept)."""
    return CRS.from_user_input(short_name(uri))


@cache
def transformer(source: str, target: str) -> Transformer:
    """A cached transformer between two supported CRSs, in each CRS's own axis order."""
    return Transformer.from_crs(pyproj_crs(source), pyproj_crs(target), always_xy=False)


def reproject(geoms: np.ndarray, target: str, source: str = STORAGE_CRS) -> np.ndarray:
    """Shapely geometries from ``source`` to ``target`` (vectorised over all coordinates)."""
    if target == source:
        return geoms
    t = transformer(source, target)

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, apply)


def bbox_to_storage(bbox: tuple[float, float, float, float], source: str) -> tuple[float, ...]:
    """A bbox given in ``source`` (its axis order) as a CRS84 lon/lat box, edges densified."""
    if source == STORAGE_CRS:
        return bbox
    t = transformer(source, STORAGE_CRS)
    out = t.transform_bounds(*bbox, densify_pts=21)
    if not np.isfinite(out).all():
        raise ParameterError(
            f"bbox={','.join(f'{v:g}' for v in bbox)}: outside the area of {short_name(source)} "
            "(bbox-crs); give the box in that CRS's axis order and units"
        )
    return tuple(float(v) for v in out)
