"""CRS helpers: which projection to measure in, so that nothing assumes degrees are metres.

- lengths: geodesic on the WGS 84 ellipsoid (see :mod:`geo.measure`), no projection at all;
- areas: an Albers equal-area conic fitted to the data's latitude range;
- nearest-distance searches (snapping within a tolerance in metres): an azimuthal equidistant
  projection centred on the data, whose distance error stays below 1 % within ~1,500 km.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyproj import CRS


def equal_area_crs(bounds: Sequence[float]) -> CRS:
    """Albers equal-area conic (WGS 84) for a lon/lat box ``(minx, miny, maxx, maxy)`` in degrees.

    Standard parallels sit at 1/6 and 5/6 of the latitude range (the usual rule of thumb), the
    central meridian at the middle longitude; areas in it are true (m²) anywhere.
    """
    minx, miny, maxx, maxy = bounds
    span = max(maxy - miny, 1e-6)
    lat1, lat2 = miny + span / 6, maxy - span / 6
    lon0 = (minx + maxx) / 2
    return CRS.from_proj4(
        f"+proj=aea +lat_1={lat1:.4f} +lat_2={lat2:.4f} +lat_0={(miny + maxy) / 2:.4f} "
        f"+lon_0={lon0:.4f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


def local_metric_crs(bounds: Sequence[float]) -> CRS:
    """Azimuthal equidistant CRS (metres, WGS 84) centred on a lon/lat box in degrees.

    Distances from the centre are exact and other distances are within ~1 % over 1,500 km:
    used for nearest-neighbour searches with a tolerance in metres, never for reported lengths.
    """
    minx, miny, maxx, maxy = bounds
    return CRS.from_proj4(
        f"+proj=aeqd +lat_0={(miny + maxy) / 2:.5f} +lon_0={(minx + maxx) / 2:.5f} "
        "+x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )
