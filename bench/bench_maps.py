"""Our overview page vs ``GeoDataFrame.explore()`` of the same layers: bytes and time to interactive.

``explore()`` writes a page that loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs, a
blank page without internet. For a fair timing the bench makes an **offline copy** of it: every
CDN address is pointed at the same library version unpacked from the npm registry (fetched once
with ``npm pack`` into ``~/.cache/rivermap-bench``); the one stylesheet npm does not carry
(Bootstrap 3.0.0's glyphicons) is dropped. Both pages are then opened in headless Chromium
(no network) several times; the median time from navigation start to the end of the load event
is reported (every script has run, the map and its layers exist).

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


def explore_page(atlas) -> str:
    m = None
    for name in LAYERS:
        if name not in atlas:
            continue
        frame = atlas[name]
        m = frame.explore(m=m, name=name) if m is not None else frame.explore(name=name)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def time_to_interactive(driver, page: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        driver.get(page.resolve().as_uri())
        t = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd;"
        )
        times.append(float(t) / 1000.0)
        drawn = driver.execute_script(
            "return typeof L === 'undefined' ? -1 : "
            "document.querySelectorAll('.leaflet-interactive').length"
        )
        if drawn <= 0:
            raise RuntimeError(f"{page.name}: the map did not come up (Leaflet features: {drawn})")
    return statistics.median(times)


def run(repeat: int = 5) -> dict[str, float]:
    atlas = api.load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ours = write_html(overview_map(atlas), out / "overview.html")
        raw = explore_page(atlas)
        (out / "explore.html").write_text(raw, encoding="utf-8")
        offline, asset_bytes = offline_copy(raw)
        theirs = out / "explore_offline.html"
        theirs.write_text(offline, encoding="utf-8")
        driver = chromium()
        try:
            time_to_interactive(driver, ours, 1)  # warm up the browser
            t_ours = time_to_interactive(driver, ours, repeat)
            t_theirs = time_to_interactive(driver, theirs, repeat)
        finally:
            driver.quit()
        return {
            "ours_bytes": ours.stat().st_size,
            "explore_bytes": (out / "explore.html").stat().st_size,
            "explore_asset_bytes": asset_bytes,
            "ours_tti_s": t_ours,
            "explore_tti_s": t_theirs,
        }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    r = run(parser.parse_args(argv).repeat)
    mb = 1e6
    print("overview map vs GeoDataFrame.explore() of the same layers")
    print(f"  ours: {r['ours_bytes'] / mb:.2f} MB, self-contained (Leaflet inlined)")
    print(
        f"  explore(): {r['explore_bytes'] / mb:.2f} MB + {r['explore_asset_bytes'] / mb:.2f} MB "
        "of CDN assets it needs (blank page without internet)"
    )
    print(
        f"  size ratio ours / explore(): {r['ours_bytes'] / r['explore_bytes']:.3f} "
        f"(goal <= 0.2); with its assets: "
        f"{r['ours_bytes'] / (r['explore_bytes'] + r['explore_asset_bytes']):.3f}"
    )
    print(
        f"  time to interactive in Chromium: ours {r['ours_tti_s']:.2f} s, "
        f"explore() offline copy {r['explore_tti_s']:.2f} s, "
        f"ratio ours / explore(): {r['ours_tti_s'] / r['explore_tti_s']:.2f}"
    )
    return r


if __name__ == "__main__":
    main()
