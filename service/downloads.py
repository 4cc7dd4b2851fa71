"""Generated files: maps (``/maps/*.html``), GeoPackages (``/exports/rivermap.gpkg``,
``items?f=gpkg``) and the trace report (``/trace``).

Every id in a request is checked against an allow-list taken from the Atlas (map pages,
traced rivers, collections, CRS URIs) before it reaches a cache key; nothing from a request
is ever used as a path. Maps and GeoPackages are built through the public functions of
``maps`` and ``rivermap.api`` in the bounded pool, once per cache key, and then served from
the cache with an ETag (and gzip for maps when the client accepts it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from layers.register import LANGS
from maps.panels import query_links
from rivermap import api
from service.cache import Entry
from service.catalog import Collection
from service.crs import CRS84, short_name
from service.documents import state
from service.errors import NotFound, ParameterError
from service.links import GPKG_MEDIA
from service.query import ItemsQuery, check_known, crs_param


def _rivers_param(request: Request, text: str | None) -> tuple[str, ...]:
    """``rivers=ili,emel``: traced river ids (allow-list), normalised (sorted, unique)."""
    allowed = state(request).river_ids
    if text is None:
        return ()
    ids = [v.strip().lower() for v in text.split(",") if v.strip()]
    unknown = [v for v in ids if v not in allowed]
    if unknown or not ids:
        raise ParameterError(
            f"rivers={text!r}: {'unknown river ' + repr(unknown[0]) if unknown else 'empty'}; "
            f"accepted: comma-separated ids from {', '.join(allowed)}"
        )
    return tuple(sorted(set(ids)))


async def _build(request: Request, entry: Entry, write) -> Entry:
    st = state(request)
    if st.cache.ready(entry):
        return entry
    return await st.pool.run(
        entry.key, lambda: st.cache.build(entry, write), timeout=st.build_timeout
    )


def _not_modified(request: Request, entry: Entry) -> bool:
    tags = request.headers.get("if-none-match", "")
    return entry.etag in [t.strip() for t in tags.split(",")] or tags.strip() == "*"


def _serve(request: Request, entry: Entry, media: str, *, download: str | None = None) -> Response:
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if _not_modified(request, entry):
        return Response(status_code=304, headers=headers)
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{download}"'
    cache = state(request).cache
    gz = entry.gzip_path
    if gz is not None and "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        path = gz
    else:
        path = entry.path
    blob = cache.read(path)
    if blob is None:
        return FileResponse(path, media_type=media, headers=headers)
    return Response(blob, media_type=media, headers=headers)


# ------------------------------------------------------------------ maps


def _write_pages(atlas, lang: str) -> Callable[[Path], None]:
    """Write every map page in ``lang`` with the public API; the language switch of a served
    page links to ``PAGE.html?lang=XX`` beside it (``maps.panels.query_links``)."""

    def write(folder: Path) -> None:
        api.write_maps(atlas, folder, lang=lang, links=query_links)

    return write


async def map_page(request: Request) -> Response:
    """``/maps/overview.html`` and ``/maps/{river}.html`` (``lang`` from the allow-list). The
    first request for a language builds all its pages in one job; later ones are cached."""
    st = state(request)
    name = request.path_params["page"]
    if name not in st.map_pages:
        raise NotFound(
            f"/maps/{name}.html: no such map; accepted: "
            + ", ".join(f"{p}.html" for p in st.map_pages)
        )
    check_known(request.query_params, {"lang"}, "/maps")
    lang = request.query_params.get("lang", "en")
    if lang not in LANGS:
        raise ParameterError(
            f"lang={lang!r}: not a language of the maps; accepted: {', '.join(LANGS)}"
        )
    entry = st.ready_pages.get((name, lang))
    if entry is not None:
        return _serve(request, entry, "text/html; charset=utf-8")
    cache = st.cache
    entries = {
        page: cache.entry(cache.key("map", page=page, lang=lang), ".html", gzip_twin=True)
        for page in st.map_pages
    }
    entry = entries[name]
    if not cache.ready(entry):
        group = cache.key("maps", lang=lang)
        job = _write_pages(st.atlas, lang)
        await st.pool.run(
            group, lambda: cache.build_group(group, entries, job), timeout=st.build_timeout
        )
    st.ready_pages[(name, lang)] = entry
    return _serve(request, entry, "text/html; charset=utf-8")


# ------------------------------------------------------------------ GeoPackages


async def export(request: Request) -> Response:
    """``/exports/rivermap.gpkg?rivers=ili,emel&crs=EPSG:32644``: every layer and table."""
    st = state(request)
    params = request.query_params
    check_known(params, {"rivers", "crs"}, "/exports/rivermap.gpkg")
    rivers = _rivers_param(request, params.get("rivers"))
    crs = crs_param(params)
    entry = st.cache.entry(st.cache.key("gpkg", rivers=list(rivers), crs=crs), ".gpkg")
    atlas = st.atlas

    def write(target: Path) -> None:
        api.export(atlas, target, crs=_export_crs(crs), rivers=list(rivers) or None)

    await _build(request, entry, write)
    name = "rivermap" + ("-" + "-".join(rivers) if rivers else "") + _crs_suffix(crs) + ".gpkg"
    return _serve(request, entry, GPKG_MEDIA, download=name)


def _export_crs(crs: str) -> str | None:
    """The library's ``crs=``: None for the default lon/lat (EPSG:4326 axis order in a
    GeoPackage is lon/lat, as GDAL writes it), else ``EPSG:NNNN``."""
    return None if crs in (CRS84, "http://www.opengis.net/def/crs/EPSG/0/4326") else short_name(crs)


def _crs_suffix(crs: str) -> str:
    return "" if _export_crs(crs) is None else "-" + short_name(crs).replace(":", "").lower()


async def collection_gpkg(
    request: Request, c: Collection, q: ItemsQuery, rows: np.ndarray
) -> Response:
    """``items?f=gpkg``: the features the query selects (all pages), one layer."""
    st = state(request)
    entry = st.cache.entry(
        st.cache.key("items-gpkg", collection=c.id, rows=_rows_digest(rows), crs=q.crs), ".gpkg"
    )
    atlas = st.atlas
    layer = c.layer

    def write(target: Path) -> None:
        frame = c.frame.iloc[rows] if len(rows) < len(c) else c.frame
        one = replace(atlas, layers={c.id: replace(layer, frame=frame)})
        api.export(one, target, crs=_export_crs(q.crs))

    await _build(request, entry, write)
    return _serve(request, entry, GPKG_MEDIA, download=f"{c.id}{_crs_suffix(q.crs)}.gpkg")


def _rows_digest(rows: np.ndarray) -> str:
    import hashlib

    return hashlib.sha256(np.asarray(rows, dtype=np.int64).tobytes()).hexdigest()


# ------------------------------------------------------------------ trace


async def trace(request: Request) -> Response:
    """``/trace?rivers=ili``: what ``rivermap trace --format json`` prints for those rivers."""
    st = state(request)
    check_known(request.query_params, {"rivers"}, "/trace")
    rivers = _rivers_param(request, request.query_params.get("rivers"))
    rows = [row for rid, row in st.traces.items() if not rivers or rid in rivers]
    body = json.dumps(rows, ensure_ascii=False, indent=2)
    return Response(body.encode(), media_type="application/json")
