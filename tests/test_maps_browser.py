"""The maps in headless Chromium without internet: no JS errors, every layer and crossing,
the relief drawn, popups escaped, the controls working. One browser for the whole module."""

from __future__ import annotations

import pytest

from layers.atlas import Atlas
from tests.browser import chromium, load, pixels, severe
from tests.common import HOSTILE_NAME

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver():
    d = chromium(1280, 860)
    yield d
    d.quit()


def expected_overlays(page: str) -> int:
    """hillshade, basins, lakes, network, borders, rivers, casing, arrows, gauges, crossings"""
    return 10


@pytest.mark.parametrize("page", ["overview", "irtysh", "ili", "emel"])
def test_page_opens_without_errors_and_shows_everything(
    driver, map_pages: dict, atlas: Atlas, page: str
) -> None:
    assert load(driver, map_pages[page]) == []
    info = driver.execute_script(
        """
        const map = Object.values(window).find(v => window.L && v instanceof L.Map);
        const img = document.querySelector('img.rm-image');
        return {
          leaflet: L.version, zoom: map.getZoom(),
          overlays: document.querySelectorAll('.leaflet-control-layers-overlays label').length,
          bases: document.querySelectorAll('.leaflet-control-layers-base label').length,
          crossings: document.querySelectorAll('.rm-crossing').length,
          relief: img ? img.naturalWidth : 0,
          arrows: map.getContainer().getAttribute('data-arrows'),
          controls: ['.rm-title', '.rm-search', '.rm-measure', '.rm-minimap', '.rm-legend',
                     '.rm-year', '.leaflet-control-scale', '.rm-profile']
                     .filter(s => document.querySelector(s)).length,
        };
        """
    )
    assert info["leaflet"] == "1.9.4" and 4 <= info["zoom"] <= 10
    assert info["overlays"] == expected_overlays(page) and info["bases"] == 1
    crossings = atlas["crossings"]
    if page == "overview":
        assert info["crossings"] == len(crossings) == 5  # one per place (Tekes and Ili share one)
    else:
        mine = crossings["river_id"].isin([page, *({"ili": ["tekes", "kunes"]}.get(page, []))])
        assert info["crossings"] >= mine.sum() >= 1
    assert info["relief"] > 100  # columns of the embedded relief over the page
    assert info["arrows"] in {"0", "1", "2", "3"}
    # the year selector shows with the basins (on on the overview), the profile on river pages
    assert info["controls"] == 7
    shot = pixels(driver.get_screenshot_as_png())
    assert shot.shape[1] > 600 and shot[:3].astype(float).std() > 20


def test_popups_show_names_as_text(driver, hostile_map_pages: dict) -> None:
    assert load(driver, hostile_map_pages["overview"]) == []
    text = driver.execute_script(
        """
        const g = Object.values(window).find(v => v && v.rmByKey && v.rmByKey['ili-2']);
        g.rmByKey['ili-2'][0].openPopup();
        const p = document.querySelector('.leaflet-popup-content');
        return [p.textContent, p.querySelectorAll('b').length];
        """
    )
    assert HOSTILE_NAME in text[0] and text[1] == 0  # shown as text: no <b>, {{ 7*7 }} not run
    assert "China → Kazakhstan" in text[0]
    assert severe(driver) == []


def test_search_finds_a_river_by_its_kazakh_name(driver, map_pages: dict) -> None:
    load(driver, map_pages["overview"])
    result = driver.execute_script(
        """
        const map = Object.values(window).find(v => window.L && v instanceof L.Map);
        const hit = RM.search.find(map, 'іле');
        const p = document.querySelector('.leaflet-popup-content');
        return [hit.key, p ? p.textContent : '', map.getZoom()];
        """
    )
    assert result[0] == "ili" and "Іле" in result[1] and "伊犁河" in result[1]
    assert result[2] >= 5


def test_year_selector_recolours_the_basins(driver, map_pages: dict) -> None:
    load(driver, map_pages["overview"])
    fills = driver.execute_script(
        """
        const g = Object.values(window).find(v => v && v.rmByKey && v.rmByKey['SWB_00002']);
        const colours = () => Object.keys(g.rmByKey).map(k => g.rmByKey[k][0].options.fillColor);
        const mean = colours();
        RM.year.set(2016);
        const y2016 = colours();
        RM.year.set(2008);
        return [mean, y2016, colours(), document.querySelector('.rm-year-label').textContent];
        """
    )
    mean, y2016, y2008, label = fills
    assert len(mean) >= 10 and mean != y2016 and y2016 != y2008 and label == "2008"


def test_measure_tool_gives_great_circle_km(driver, map_pages: dict) -> None:
    load(driver, map_pages["emel"])
    out = driver.execute_script(
        """
        const map = Object.values(window).find(v => window.L && v instanceof L.Map);
        const button = document.querySelector('.rm-measure .rm-button');
        button.click();
        map.fire('click', {latlng: L.latLng(45, 80)});
        map.fire('click', {latlng: L.latLng(45, 81)});
        button.click();
        return document.querySelector('.rm-measure-out').textContent;
        """
    )
    # one degree of longitude at 45° N on Leaflet's sphere (R = 6371 km): 78.6 km
    assert out == "78.6 km"


def test_layers_can_be_switched_off_and_on(driver, map_pages: dict) -> None:
    load(driver, map_pages["overview"])
    counts = driver.execute_script(
        """
        const boxes = document.querySelectorAll('.leaflet-control-layers-overlays input');
        const label = i => boxes[i].parentElement.textContent.trim();
        const i = [...boxes].findIndex((b, k) => label(k).startsWith('Border crossings'));
        const n = () => document.querySelectorAll('.rm-crossing').length;
        const legend = () => [...document.querySelectorAll('.rm-legend [data-layer]')]
          .filter(s => s.getAttribute('data-layer').startsWith('Border crossings'))
          .map(s => s.style.display !== 'none')[0];
        const before = [n(), legend()]; boxes[i].click(); const off = [n(), legend()];
        boxes[i].click();
        return [before, off, [n(), legend()]];
        """
    )
    assert counts == [[5, True], [0, False], [5, True]] and severe(driver) == []


def test_the_balkhash_popup_shows_its_figures_with_their_period(driver, map_pages: dict) -> None:
    assert load(driver, map_pages["overview"]) == []
    cells = driver.execute_script(
        """
        const g = Object.values(window).find(v => v && v.rmByKey && v.rmByKey['balkhash']);
        const f = g.rmByKey['balkhash'][0];
        f.openPopup(f.getBounds().getCenter());
        return [...document.querySelectorAll('.leaflet-popup-content .rm-figs td')]
          .map(td => td.innerText.split(String.fromCharCode(10)).map(t => t.trim()));
        """
    )
    assert ["8.52 km³", "2025-01-01 – 2025-06-30"] in cells
    assert ["+0.32 m", "2025-01-01 – 2025-06-30"] in cells
    assert severe(driver) == []
