"""The page's JS and CSS, inlined: Leaflet 1.9.4 from the installed ``django-js-lib-leaflet``
package (its images as data URIs) and our own ``rivermap.js``/``rivermap.css``.

Nothing is copied into the repository and nothing is fetched when the page is viewed.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from geo.errors import DataSourceError
from maps.elements import InlineAssets
from maps.templating import static

LEAFLET_PACKAGE = "js_lib_leaflet"
LEAFLET_VERSION = "1.9.4"


def leaflet_dir() -> Path:
    """Folder of Leaflet's dist files inside the installed django-js-lib-leaflet package."""
    try:
        root = Path(str(files(LEAFLET_PACKAGE))) / "static" / LEAFLET_PACKAGE
    except ModuleNotFoundError as exc:
        raise DataSourceError(
            "Leaflet not found: install the Python package django-js-lib-leaflet==1.9.4.1 "
            "(it ships Leaflet 1.9.4, inlined into the offline maps)"
        ) from exc
    if not (root / "leaflet.js").is_file():
        raise DataSourceError(f"{root}: leaflet.js missing from django-js-lib-leaflet")
    return root


@cache
def leaflet_js() -> str:
    """leaflet.js without its source-map comment (a map file the page would try to fetch)."""
    text = (leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+\s*$", "", text)


@cache
def leaflet_css() -> str:
    """leaflet.css with every ``url(images/x.png)`` replaced by a data URI."""
    root = leaflet_dir()

    def inline(match: re.Match) -> str:
        data = (root / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(
        r"url\(images/([\w.-]+\.png)\)", inline, (root / "leaflet.css").read_text("utf-8")
    )


def inline_assets() -> InlineAssets:
    """The element that writes Leaflet and our JS/CSS into the page's <head>."""
    return InlineAssets(
        leaflet_css(),
        leaflet_js(),
        static("rivermap.css"),
        static("rivermap.js") + "\n" + static("charts.js"),
    )
