"""The mapping service: the Atlas over HTTP (OGC API – Features, maps and GeoPackages on demand).

Starlette without FastAPI: :func:`service.app.create_app` lists ``Route``s over plain functions,
one module per concern — :mod:`service.documents` (landing page, conformance, collections,
the OpenAPI 3.0 document), :mod:`service.items` (features, paging, reprojection),
:mod:`service.downloads` (maps and GeoPackages through :mod:`service.cache` and
:mod:`service.pool`). ``rivermap serve`` starts it (:mod:`service.run`).
"""
