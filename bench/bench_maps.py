"""Our overview page vs ``GeoDataFrame.explore()`` of the same, equally simplified layers:
bytes, first contentful paint and largest contentful paint.

``explore()`` is given what our page draws: each layer cut at the overview's box, simplified and
rounded exactly as the overview does (:mod:`maps.display`, the overview's tolerances), every
attribute column kept (explore's tooltips; our popups). It writes a page that loads Leaflet,
jQuery, Bootstrap and Font Awesome from CDNs, a blank page without internet; for a fair timing
the bench makes an **offline copy** of it: every CDN address is pointed at the same library
version unpacked from the npm registry (fetched once with ``npm pack`` into
``~/.cache/rivermap-bench``); the one stylesheet npm does not carry (Bootstrap 3.0.0's
glyphicons) is dropped. Both pages are opened in headless Chromium (no network), each once to
warm up, then in turn ``--repeat`` times; the browser's own performance entries give
``first-contentful-paint`` (the ``paint`` entry) and the last ``largest-contentful-paint``
candidate (a buffered PerformanceObserver) and ``loadEventEnd``; medians.

Run: ``python -m bench.bench_maps``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tarfile
import tempfile
from pathlib import Path

import folium

from maps.render import overview_map, write_html
from maps.screenshot import chromium
from rivermap import api

CACHE = Path.home() / ".cache" / "rivermap-bench"
LAYERS = ("basins", "lakes", "borders", "network", "rivers", "river_courses", "crossings", "gauges")

#: CDN address prefix -> (npm package@version, folder inside the package)
CDN_TO_NPM = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/": ("leaflet@1.9.3", ""),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery@3.7.1", "dist/jquery.min.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/": ("bootstrap@5.2.2", ""),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/": (
        "@fortawesome/fontawesome-free@6.2.0",
        "",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/": (
        "leaflet.awesome-markers@2.0.4",
        "dist/",
    ),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/": (
        "folium-templates",
        "",
    ),
}


def _npm_package(spec: str) -> Path:
    """Unpack an npm package (fetched with ``npm pack``) into the cache; returns its folder."""
    target = CACHE / spec.replace("/", "_")
    if (target / "package").is_dir():
        return target / "package"
    target.mkdir(parents=True, exist_ok=True)
    name = (
        subprocess.run(
            ["npm", "pack", spec, "--silent", "--pack-destination", str(target)],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with tarfile.open(target / name) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def offline_copy(html: str) -> tuple[str, int]:
    """The explore() page with CDN addresses replaced by file:// copies; returns (page, bytes of
    the local assets it now loads)."""
    asset_bytes = 0
    for url in sorted(set(re.findall(r'(?:src|href)="(https?://[^"]+)"', html))):
        local = None
        for prefix, (spec, inner) in CDN_TO_NPM.items():
            if url.startswith(prefix):
                if spec == "folium-templates":
                    local = Path(folium.__file__).parent / "templates" / url[len(prefix) :]
                    if not local.exists():  # the rotate stylesheet is not shipped: write it empty
                        local = CACHE / url[len(prefix) :]
                        local.parent.mkdir(parents=True, exist_ok=True)
                        local.write_text("")
                else:
                    rest = url[len(prefix) :] if prefix.endswith("/") else ""
                    local = _npm_package(spec) / (inner + rest if prefix.endswith("/") else inner)
                    if not local.exists():  # awesome-markers' npm layout has no dist/ prefix
                        local = _npm_package(spec) / rest
        if local is None or not local.exists():
            html = re.sub(rf'<[^>]+"{re.escape(url)}"[^>]*>(\s*</script>)?', "", html)
            continue
        asset_bytes += local.stat().st_size
        html = html.replace(url, local.resolve().as_uri())
    return html, asset_bytes


def simplified_layers(atlas) -> dict:
    """The overview's layers as the page draws them: cut at its box, simplified and rounded
    with the overview's tolerances (EPSG:4326)."""
    import shapely

    from maps import display
    from maps.features import clip
    from maps.views import overview_view

    view = overview_view(atlas)
    d = view.detail
    keep = display.end_points(atlas["network"].geometry.values, atlas["rivers"].geometry.values)
    out = {}
    for name in LAYERS:
        if name not in atlas or not atlas.layers[name].spatial:
            continue
        frame = clip(atlas[name], view.box).copy()
        geoms = frame.geometry.values
        kind = set(shapely.get_type_id(geoms).tolist())
        if kind <= {3, 6}:  # polygons
            geoms = display.simplify_polygons(
                display.clip_to(geoms, view.box), d.polygon_tolerance, coverage=False
            )
            geoms = display.round_coords(geoms, d.polygon_decimals)
        elif kind <= {1, 5}:  # lines
            tol = d.network_tolerance if name == "network" else d.line_tolerance
            geoms = display.simplify_lines(geoms, tol, keep)
            geoms = display.round_coords(display.clip_to(geoms, view.box), d.line_decimals)
        else:
            geoms = display.round_coords(geoms, 4)
        frame = frame.set_geometry(geoms)
        out[name] = frame.loc[~frame.geometry.is_empty]
    return out


def explore_page(layers: dict) -> str:
    m = None
    for name, frame in layers.items():
        m = frame.explore(m=m, name=name) if m is not None else frame.explore(name=name)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


PAINT_SCRIPT = """
const done = arguments[arguments.length - 1];
const nav = performance.getEntriesByType('navigation')[0];
let fcp = null;
let lcp = null;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') fcp = e.startTime;
}).observe({type: 'paint', buffered: true});
new PerformanceObserver((list) => {
  const all = list.getEntries();
  if (all.length) lcp = all[all.length - 1].startTime;
}).observe({type: 'largest-contentful-paint', buffered: true});
setTimeout(() => done({
  fcp: fcp,
  lcp: lcp,
  load: nav.loadEventEnd,
  drawn: typeof L === 'undefined' ? -1 : document.querySelectorAll('.leaflet-interactive').length,
}), 300);
"""


def paint_times(driver, page: Path) -> dict[str, float]:
    """One load of ``page``: first and largest contentful paint and load end (seconds)."""
    driver.get(page.resolve().as_uri())
    t = driver.execute_async_script(PAINT_SCRIPT)
    if t["drawn"] <= 0:
        raise RuntimeError(f"{page.name}: the map did not come up (Leaflet features: {t['drawn']})")
    if t["fcp"] is None or t["lcp"] is None:
        raise RuntimeError(f"{page.name}: the browser reported no paint entries ({t})")
    return {k: float(t[k]) / 1000.0 for k in ("fcp", "lcp", "load")}


def run(repeat: int = 5) -> dict[str, float]:
    atlas = api.load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ours = write_html(overview_map(atlas), out / "overview.html")
        raw = explore_page(simplified_layers(atlas))
        (out / "explore.html").write_text(raw, encoding="utf-8")
        offline, asset_bytes = offline_copy(raw)
        theirs = out / "explore_offline.html"
        theirs.write_text(offline, encoding="utf-8")
        pages = {"ours": ours, "explore": theirs}
        driver = chromium()
        try:
            for page in pages.values():  # warm up both alike
                paint_times(driver, page)
            runs: dict[str, list[dict[str, float]]] = {k: [] for k in pages}
            for _ in range(repeat):
                for key, page in pages.items():
                    runs[key].append(paint_times(driver, page))
        finally:
            driver.quit()
        med = {
            f"{key}_{m}_s": statistics.median(r[m] for r in rs)
            for key, rs in runs.items()
            for m in ("fcp", "lcp", "load")
        }
        return {
            "ours_bytes": ours.stat().st_size,
            "explore_bytes": (out / "explore.html").stat().st_size,
            "explore_asset_bytes": asset_bytes,
            **med,
        }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    r = run(parser.parse_args(argv).repeat)
    mb = 1e6
    print("overview map vs GeoDataFrame.explore() of the same simplified layers")
    print(f"  ours: {r['ours_bytes'] / mb:.2f} MB, self-contained (Leaflet inlined)")
    print(
        f"  explore(): {r['explore_bytes'] / mb:.2f} MB + {r['explore_asset_bytes'] / mb:.2f} MB "
        "of CDN assets it needs (blank page without internet)"
    )
    print(
        f"  size ratio ours / explore(): {r['ours_bytes'] / r['explore_bytes']:.2f}; with its "
        f"assets: {r['ours_bytes'] / (r['explore_bytes'] + r['explore_asset_bytes']):.2f}"
    )
    for m, label in (
        ("fcp", "first contentful paint"),
        ("lcp", "largest contentful paint"),
        ("load", "load event end"),
    ):
        print(
            f"  {label}: ours {r[f'ours_{m}_s']:.3f} s, explore() offline copy "
            f"{r[f'explore_{m}_s']:.3f} s, ratio {r[f'ours_{m}_s'] / r[f'explore_{m}_s']:.2f}"
        )
    return r


if __name__ == "__main__":
    main()
