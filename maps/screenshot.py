"""Screenshots of the maps in headless Chromium (Debian ``chromium`` + ``chromium-driver``).

Needs the ``selenium`` package (a test dependency); imported only when a browser is started.
The page is opened from ``file://`` with networking features off, as on a machine without
internet, and the shot is taken once the page says it is ready (``window.rmReady``: the relief
image has loaded).
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import OutputError

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def chromium(width: int = 1280, height: int = 860):
    """A headless Chromium WebDriver logging the browser console (level ALL)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def open_map(driver, html: str | Path, timeout: float = 30.0) -> None:
    """Load a map page and wait until it reports ready (relief image loaded)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(Path(html).resolve().as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return window.rmReady === true")
    )


def save_screenshot(
    html: str | Path, png: str | Path, *, size: tuple[int, int] = (1280, 860)
) -> Path:
    """Open ``html`` in headless Chromium at ``size`` (px) and save a PNG of it to ``png``."""
    out = Path(png)
    if not out.parent.is_dir():
        raise OutputError(f"{out}: folder {out.parent} does not exist")
    driver = chromium(1280, 900)
    try:
        # the page itself is `size` (CSS px); under 700 px wide it is shown as on a phone
        mobile = size[0] < 700
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": mobile},
        )
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
        open_map(driver, html)
        driver.execute_script("return new Promise(r => requestAnimationFrame(() => r()))")
        if not driver.save_screenshot(str(out)):
            raise OutputError(f"{out}: Chromium could not write the screenshot")
    finally:
        driver.quit()
    return out
