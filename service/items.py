"""Features: ``/collections/{id}/items`` and ``/collections/{id}/items/{featureId}``.

A request is parsed once into an :class:`service.query.ItemsQuery`; selecting is index
arithmetic on the prepared collection (``sindex.query`` for bbox, boolean masks for filters
and ``datetime``, a slice for the page); only the page's geometries are reprojected, with a
cached transformer. GeoJSON text of each feature is assembled from the pieces serialised at
start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import shapely
from starlette.requests import Request
from starlette.responses import Response

from service import html
from service.catalog import Collection, json_dumps
from service.crs import CRS84, bbox_to_storage, reproject, short_name
from service.documents import collection_of
from service.errors import NotFound
from service.links import GEOJSON, HTML_MEDIA, href, link
from service.negotiate import GPKG, HTML, JSON, choose
from service.query import COMMON, ItemsQuery, check_known, crs_param, items_query

#: rows shown in the HTML table of an items page (the map shows the whole page)
HTML_ROWS = 200


def _boxes(box: tuple[float, ...]) -> list:
    minx, miny, maxx, maxy = box
    if minx <= maxx:
        return [shapely.box(minx, miny, maxx, maxy)]
    # a box crossing the antimeridian: two boxes
    return [shapely.box(minx, miny, 180.0, maxy), shapely.box(-180.0, miny, maxx, maxy)]


def matching(c: Collection, q: ItemsQuery) -> np.ndarray:
    """Positions (sorted) of the features the query selects, before paging."""
    mask = np.ones(len(c), dtype=bool)
    if q.bbox is not None:
        hit = np.zeros(len(c), dtype=bool)
        for box in _boxes(bbox_to_storage(q.bbox, q.bbox_crs)):
            hit[c.frame.sindex.query(box, predicate="intersects")] = True
        mask &= hit
    for name, value in q.filters:
        mask &= c.queryables[name].values == value
    if q.datetime is not None and c.period is not None:
        start, end = c.period
        keep = ~np.isnat(start)
        if q.datetime.end is not None:
            keep &= start <= q.datetime.end
        if q.datetime.start is not None:
            keep &= end >= q.datetime.start
        mask &= keep
    return np.flatnonzero(mask)


def geometries(c: Collection, rows: np.ndarray, crs: str) -> list[str]:
    """GeoJSON geometry text of ``rows`` in ``crs`` (CRS84 is precomputed)."""
    if crs == CRS84:
        out = c.geometry_json[rows]
    else:
        out = shapely.to_geojson(reproject(c.frame.geometry.to_numpy()[rows], crs))
    return ["null" if g is None else g for g in out]


def features(c: Collection, rows: np.ndarray, crs: str) -> list[str]:
    """GeoJSON Feature text for ``rows``; ``id`` is the 1-based row (the GeoPackage fid)."""
    geoms = geometries(c, rows, crs)
    props = c.properties[rows]
    return [
        f'{{"type":"Feature","id":{i + 1},"geometry":{g},"properties":{p}}}'
        for i, g, p in zip(rows.tolist(), geoms, props, strict=True)
    ]


def _query_params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in ("f", "offset")}


def _crs_header(crs: str) -> dict[str, str]:
    return {"Content-Crs": f"<{crs}>"}


def page_links(
    request: Request, c: Collection, q: ItemsQuery, matched: int, returned: int, fmt: str
) -> list[dict]:
    path = f"/collections/{c.id}/items"
    keep = _query_params(request)
    media = HTML_MEDIA if fmt == HTML else GEOJSON
    other = (JSON, GEOJSON) if fmt == HTML else (HTML, HTML_MEDIA)
    links = [
        link(
            href(request, path, **keep, offset=q.offset or None, f=fmt), "self", media, "this page"
        ),
        link(
            href(request, path, **keep, offset=q.offset or None, f=other[0]),
            "alternate",
            other[1],
            "this page as " + ("GeoJSON" if fmt == HTML else "HTML"),
        ),
        link(href(request, f"/collections/{c.id}"), "collection", "application/json", c.title),
    ]
    if q.offset + returned < matched:
        links.append(
            link(
                href(request, path, **keep, offset=q.offset + returned, f=fmt),
                "next",
                media,
                "next page",
            )
        )
    if q.offset > 0:
        prev = max(q.offset - q.limit, 0)
        links.append(
            link(
                href(request, path, **keep, offset=prev or None, f=fmt),
                "prev",
                media,
                "previous page",
            )
        )
    return links


def script_safe(text: str) -> str:
    """JSON text that can sit inside ``<script>``: ``<``, ``>`` and ``&`` as \\u escapes."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feature_collection(feats: list[str], extra: dict) -> bytes:
    """``{"type":"FeatureCollection","features":[...], ...extra}`` from prepared texts."""
    tail = ("," + json_dumps(extra)[1:]) if extra else "}"
    return ('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]" + tail).encode()


async def items(request: Request) -> Response:
    c = collection_of(request)
    q = items_query(c, request.query_params)
    fmt = choose(request, (JSON, HTML, GPKG))
    rows = matching(c, q)
    if fmt == GPKG:
        from service.downloads import collection_gpkg

        return await collection_gpkg(request, c, q, rows)
    page = rows[q.offset : q.offset + q.limit]
    links = page_links(request, c, q, len(rows), len(page), fmt)
    if fmt == HTML:
        return html.page(
            "items.html.j2",
            collection=c,
            base=href(request, ""),
            matched=len(rows),
            returned=len(page),
            offset=q.offset,
            links=links,
            geojson=script_safe(feature_collection(features(c, page, CRS84), {}).decode()),
            table=_table(c, page[:HTML_ROWS]),
            crs=short_name(q.crs),
            gpkg=href(request, f"/collections/{c.id}/items", **_query_params(request), f="gpkg"),
            headers=_crs_header(q.crs),
        )
    body = feature_collection(
        features(c, page, q.crs),
        {
            "numberMatched": int(len(rows)),
            "numberReturned": int(len(page)),
            "timeStamp": _timestamp(),
            "links": links,
        },
    )
    return Response(body, media_type=GEOJSON, headers=_crs_header(q.crs))


def _table(c: Collection, rows: np.ndarray) -> dict:
    import json

    records = [json.loads(p) for p in c.properties[rows]]
    columns = list(records[0]) if records else []
    return {
        "columns": columns,
        "rows": [(int(i) + 1, r) for i, r in zip(rows.tolist(), records, strict=True)],
    }


def _feature_row(request: Request, c: Collection) -> int:
    fid = request.path_params["featureId"]
    if not fid.isascii() or not fid.isdigit() or not 1 <= int(fid) <= len(c):
        raise NotFound(f"feature {fid!r} does not exist in {c.id!r}; accepted: 1 to {len(c):,}")
    return int(fid) - 1


async def item(request: Request) -> Response:
    c = collection_of(request)
    row = _feature_row(request, c)
    params = request.query_params
    check_known(params, COMMON | {"crs"}, f"/collections/{c.id}/items/{{featureId}}")
    crs = crs_param(params)
    fmt = choose(request)
    rows = np.array([row])
    path = f"/collections/{c.id}/items/{row + 1}"
    links = [
        link(
            href(request, path, f=fmt),
            "self",
            HTML_MEDIA if fmt == HTML else GEOJSON,
            "this feature",
        ),
        link(
            href(request, path, f=JSON if fmt == HTML else HTML),
            "alternate",
            GEOJSON if fmt == HTML else HTML_MEDIA,
            "this feature in the other format",
        ),
        link(href(request, f"/collections/{c.id}"), "collection", "application/json", c.title),
    ]
    if fmt == HTML:
        return html.page(
            "items.html.j2",
            collection=c,
            base=href(request, ""),
            matched=1,
            returned=1,
            offset=0,
            links=links,
            geojson=script_safe(feature_collection(features(c, rows, CRS84), {}).decode()),
            table=_table(c, rows),
            crs=short_name(crs),
            gpkg=None,
            headers=_crs_header(crs),
        )
    text = features(c, rows, crs)[0]
    body = text[:-1] + ',"links":' + json_dumps(links) + "}"
    return Response(body.encode(), media_type=GEOJSON, headers=_crs_header(crs))
