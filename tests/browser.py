"""Headless Chromium for the browser tests: start it, open a map, read what the page shows.

Uses Debian's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` through selenium, started with
``--headless=new --no-sandbox --disable-gpu --disable-background-networking
--disable-component-update --disable-sync --no-first-run`` (see ``maps.screenshot``): nothing
is fetched from the network, as on a machine without internet.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from maps.screenshot import CHROMEDRIVER, CHROMIUM, chromium, open_map

__all__ = [
    "CHROMEDRIVER",
    "CHROMIUM",
    "chromium",
    "open_map",
    "load",
    "severe",
    "pixels",
    "viewport",
    "PHONE",
    "DESK",
]

#: the screens the pages are made for (CSS px): a phone most field staff carry, a desk
PHONE = (390, 844)
DESK = (1280, 800)


def viewport(driver, size: tuple[int, int]) -> None:
    """Make the page's viewport ``size`` (CSS px); a width under 700 px is emulated as a phone
    (touch, mobile viewport) through the DevTools protocol, as Chromium's own device mode does."""
    width, height = size
    mobile = width < 700
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile})


def load(driver, html: str | Path) -> list[str]:
    """Open a page (waiting for ``window.rmReady``); returns its SEVERE console messages."""
    driver.get_log("browser")  # drop messages of the previous page
    open_map(driver, html)
    return severe(driver)


def severe(driver) -> list[str]:
    """Console messages at level SEVERE (JavaScript errors, failed loads) since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def pixels(png: bytes) -> np.ndarray:
    """Decode a PNG screenshot to ``(bands, rows, cols)`` uint8 with rasterio's PNG driver."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a screenshot has no CRS
        with MemoryFile(png) as mem, mem.open() as src:
            return src.read()
