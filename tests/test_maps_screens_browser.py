"""The pages in every language at phone (390 × 844) and desk (1280 × 800) size in headless
Chromium: no JS errors, controls leave the map its room, a river's popup opens whole and
uncovered, no English words of the catalog on the kk/ru/zh pages, touch targets, the legend
fits, nothing overlaps, the relief covers the view, the year selector follows the basins,
search says when nothing matched, charts are drawn in the page. One browser for the module."""

from __future__ import annotations

import re
import time

import pytest
from babel.messages.pofile import read_po

from layers.atlas import Atlas
from maps.i18n import LANGS, catalog_path
from maps.render import write_languages
from tests.browser import DESK, PHONE, chromium, load, severe, viewport

pytestmark = pytest.mark.browser

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")

MAP = "Object.values(window).find(v => window.L && v instanceof L.Map)"

CONTROLS_SHARE = """
const box = document.querySelector('.folium-map').getBoundingClientRect();
const rects = [...document.querySelectorAll('.leaflet-control-container .leaflet-control')]
  .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
let covered = 0, total = 0;
for (let y = box.top + 2; y < box.bottom; y += 4)
  for (let x = box.left + 2; x < box.right; x += 4) {
    total++;
    if (rects.some(r => x >= r.left && x < r.right && y >= r.top && y < r.bottom)) covered++;
  }
return covered / total;
"""

OPEN_RIVER_POPUP = """
const map = MAP;
const entry = RM.search.options.entries.find(e => e.key === arguments[0]);
const g = Object.values(window).find(v => v && v.rmByKey && v.rmByKey[arguments[0]] && v.rmByKey[arguments[0]][0].getLatLngs);
g.rmByKey[arguments[0]][0].openPopup(L.latLng(entry.at));
""".replace("MAP", MAP)

POPUP_PLACE = """
const p = document.querySelector('.leaflet-popup');
if (!p) return null;
const r = p.getBoundingClientRect();
const box = document.querySelector('.folium-map').getBoundingClientRect();
const controls = [...document.querySelectorAll('.leaflet-control-container .leaflet-control')]
  .filter(e => e.getBoundingClientRect().width > 0);
const overlaps = controls.filter(e => { const c = e.getBoundingClientRect();
  return c.left < r.right - 1 && c.right > r.left + 1 && c.top < r.bottom - 1 && c.bottom > r.top + 1; })
  .map(e => e.className.split(' ').slice(0, 3).join(' ') + JSON.stringify(e.getBoundingClientRect()));
let hidden = 0;
for (let fy = 0.05; fy < 1; fy += 0.1) for (let fx = 0.05; fx < 1; fx += 0.1) {
  const e = document.elementFromPoint(r.left + fx * r.width, r.top + fy * r.height);
  if (!e || !p.contains(e)) hidden++;
}
return {inside: r.left >= box.left && r.right <= box.right && r.top >= box.top
  && r.bottom <= box.bottom, overlaps: overlaps, hidden: hidden,
  rect: JSON.stringify(r), text: p.innerText.slice(0, 300)};
"""

VISIBLE_TEXT = """
const lang = document.documentElement.lang, out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const n = walker.currentNode, el = n.parentElement;
  if (!el || !n.textContent.trim()) continue;
  if (el.closest('[translate="no"], script, style, template')) continue;
  const l = el.closest('[lang]');
  if (l && l.getAttribute('lang') !== lang) continue;
  if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
  out.push(n.textContent);
}
document.querySelectorAll('input[placeholder]').forEach(i => {
  if (i.getClientRects().length) out.push(i.placeholder);
});
return out.join('\\n');
"""

SMALL_TARGETS = """
const sel = 'a, button, input, summary, [role=button]';
return [...document.querySelectorAll('.leaflet-control-container ' + sel.split(', ').join(', .leaflet-control-container '))]
  .filter(e => !e.closest('.leaflet-control-attribution'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden')
  .filter(([e, r]) => r.width < 40 || r.height < 40)
  .map(([e, r]) => (e.className || e.tagName) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
"""

OVERLAPS = """
const els = [...document.querySelectorAll('.leaflet-control-container .leaflet-control')]
  .filter(e => e.getBoundingClientRect().width > 0);
const out = [];
for (let i = 0; i < els.length; i++) for (let k = i + 1; k < els.length; k++) {
  const a = els[i].getBoundingClientRect(), b = els[k].getBoundingClientRect();
  if (a.left < b.right - 1 && a.right > b.left + 1 && a.top < b.bottom - 1 && a.bottom > b.top + 1)
    out.push(els[i].className + ' / ' + els[k].className);
}
return out;
"""


@pytest.fixture(scope="module")
def driver():
    d = chromium(1280, 900)
    yield d
    d.quit()


@pytest.fixture(scope="module")
def pages(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every page in every language: pages[lang][page] -> path."""
    out = tmp_path_factory.mktemp("languages")
    by_lang: dict = {lang: {} for lang in LANGS}
    for path in write_languages(atlas, out):
        lang = path.parent.name if path.parent != out else "en"
        by_lang[lang][path.stem] = path
    return by_lang


def english_words(lang: str, atlas: Atlas) -> set[str]:
    """Words of the English messages that a page in ``lang`` must not show: all words of
    three letters or more of the msgids, except proper names (words the translation keeps,
    e.g. GRDC, GLEAM, OpenStreetMap) and the register's names."""
    with catalog_path(lang).open("rb") as f:
        cat = read_po(f)
    kept = {w.lower() for m in cat if m.id for w in WORD.findall(m.string)}
    names = {
        w.lower()
        for frame in (atlas["river_courses"], atlas["lakes"])
        for col in ("name_en", "display_name")
        if col in frame
        for v in frame[col].dropna()
        for w in WORD.findall(str(v))
    }
    words = {w.lower() for m in cat if m.id for w in WORD.findall(m.id) if len(w) >= 3}
    return words - kept - names


#: the traced river's box on screen (px) and the visible controls (panels, buttons) over it
RIVER_UNDER_CONTROLS = f"""
const map = {MAP}, id = arguments[0];
const entry = RM.search.options.entries.find(e => e.layer === 'rivers' && e.key === id);
const b = L.latLngBounds(entry.bounds), box = map.getContainer().getBoundingClientRect();
const a = map.latLngToContainerPoint(b.getNorthWest()), z = map.latLngToContainerPoint(b.getSouthEast());
const river = [a.x + box.left, a.y + box.top, z.x + box.left, z.y + box.top];
const under = [...document.querySelectorAll('.leaflet-control-container .leaflet-control')]
  .filter(e => getComputedStyle(e).visibility !== 'hidden')
  .map(e => [e.className, e.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0 && r.height > 0 && r.left < river[2] - 2 && r.right > river[0] + 2
    && r.top < river[3] - 2 && r.bottom > river[1] + 2)
  .map(([c]) => c);
return {{box: river, under: under}};
"""


def settle(driver) -> None:
    """Let Leaflet's fade-in (popups, 200 ms), any zoom animation and a frame pass."""
    time.sleep(0.35)
    assert driver.execute_script(f"return !{MAP}._animatingZoom")
    driver.execute_script("return new Promise(r => requestAnimationFrame(() => r()))")


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
@pytest.mark.parametrize("lang", LANGS)
def test_overview_at_each_size_and_language(driver, pages, atlas, lang, size) -> None:
    viewport(driver, size)
    assert load(driver, pages[lang]["overview"]) == []
    assert driver.execute_script("return document.documentElement.lang") == lang
    share = driver.execute_script(CONTROLS_SHARE)
    if size == PHONE:
        assert share <= 0.40, f"controls cover {share:.0%} of the phone's map"
        assert driver.execute_script(SMALL_TARGETS) == []
    else:
        assert share <= 0.60
        assert driver.execute_script(OVERLAPS) == []
        legend = driver.execute_script(
            "const b = document.querySelector('.rm-legend .rm-panel-body');"
            "return [b.scrollHeight, b.clientHeight]"
        )
        assert legend[0] <= legend[1] + 1, f"legend scrolls: {legend}"
    # the first view shows the traced rivers whole
    fits = driver.execute_script(
        f"const map = {MAP}; const c = RM.search.options.entries.filter(e => e.layer === 'rivers');"
        "return c.every(e => map.getBounds().pad(0.02).contains(L.latLngBounds(e.bounds)));"
    )
    assert fits
    driver.execute_script(OPEN_RIVER_POPUP, "ili")
    settle(driver)
    place = driver.execute_script(POPUP_PLACE)
    assert place["inside"] and place["overlaps"] == [] and place["hidden"] == 0, place
    assert "Іле" in place["text"] and "伊犁河" in place["text"]
    if lang != "en":
        if size == DESK:  # every legend section open as well
            driver.execute_script(
                "document.querySelectorAll('.rm-legend details').forEach(d => d.open = true)"
            )
        text = driver.execute_script(VISIBLE_TEXT)
        shown = {w.lower() for w in WORD.findall(text)}
        leaked = sorted(shown & english_words(lang, atlas))
        assert leaked == [], f"English words on the {lang} page: {leaked}"
    assert severe(driver) == []


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
def test_river_page_profile_popup_and_relief(driver, pages, size) -> None:
    viewport(driver, size)
    assert load(driver, pages["ru"]["ili"]) == []
    if size == PHONE:  # the profile opens on demand, over the map, and closes for a popup
        assert driver.execute_script("return !!document.querySelector('.rm-profile:not(.rm-open)')")
        driver.execute_script("document.querySelector('.rm-profile .rm-toggle').click()")
    chart = driver.execute_script(
        """
        const svg = document.querySelector('.rm-profile.rm-open .rm-chart svg');
        const w = svg.viewBox.baseVal.width;
        const texts = [...svg.querySelectorAll('text')].map(t => t.getBBox());
        return {width: w, overflow: texts.filter(b => b.x < 0 || b.x + b.width > w + 0.5).length,
                legend: [...svg.querySelectorAll('text')].map(t => t.textContent),
                raw: svg.querySelectorAll('.rm-raw').length, line: svg.querySelectorAll('.rm-line').length};
        """
    )
    assert chart["overflow"] == 0 and chart["raw"] == 1 and chart["line"] >= 2
    assert {"Китай", "Казахстан"} <= set(chart["legend"])
    if size == DESK:  # the first view puts the river in the room the open panels leave
        covered = driver.execute_script(RIVER_UNDER_CONTROLS, "ili")
        assert covered["box"][2] - covered["box"][0] > 300, covered
        assert covered["under"] == [], covered
    driver.execute_script(OPEN_RIVER_POPUP, "ili")
    settle(driver)
    place = driver.execute_script(POPUP_PLACE)
    assert place["inside"] and place["overlaps"] == [] and place["hidden"] == 0, place
    assert severe(driver) == []


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
def test_relief_covers_the_view(driver, pages, size) -> None:
    viewport(driver, size)
    assert load(driver, pages["zh"]["emel"]) == []
    # the relief lies under the whole view of a river page whose river it can frame (the
    # relief ends with the embedded data: 66–92° E)
    cover = driver.execute_script(
        """
        const i = document.querySelector('img.rm-image').getBoundingClientRect();
        const b = document.querySelector('.folium-map').getBoundingClientRect();
        return i.left <= b.left + 1 && i.right >= b.right - 1 && i.top <= b.top + 1 && i.bottom >= b.bottom - 1;
        """
    )
    assert cover


def test_map_cannot_pan_past_the_relief(driver, pages) -> None:
    viewport(driver, DESK)
    load(driver, pages["en"]["emel"])
    inside = driver.execute_script(
        f"""const map = {MAP};
        map.panBy([-5000, -5000], {{animate: false}});
        map.setZoom(map.getMinZoom() - 2, {{animate: false}});
        const i = document.querySelector('img.rm-image').getBoundingClientRect();
        const b = document.querySelector('.folium-map').getBoundingClientRect();
        return [map.getZoom() >= map.getMinZoom(), i.left <= b.left + 1 && i.top <= b.top + 1];"""
    )
    assert inside == [True, True]


def test_year_selector_follows_the_basins(driver, pages) -> None:
    viewport(driver, DESK)
    load(driver, pages["kk"]["ili"])  # basins start switched off on river pages
    states = driver.execute_script(
        """
        const label = [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
          .find(l => l.textContent.trim().startsWith('Алаптар'));
        const year = () => !!document.querySelector('.rm-year');
        const before = year(); label.querySelector('input').click(); const on = year();
        label.querySelector('input').click();
        return [before, on, year(), document.querySelector('.rm-year') === null];
        """
    )
    assert states == [False, True, False, True]


def test_search_says_when_nothing_matched(driver, pages) -> None:
    viewport(driver, DESK)
    load(driver, pages["kk"]["overview"])
    said = driver.execute_script(
        f"""const map = {MAP};
        const miss = RM.search.find(map, 'Волга');
        const text = document.querySelector('.rm-search-msg').textContent;
        const hit = RM.search.find(map, 'Ертіс');
        return [miss, text, hit && hit.key, document.querySelector('.rm-search-msg').textContent];"""
    )
    assert said[0] is None and "«Волга»" in said[1] and "картада" in said[1]
    assert said[2] == "irtysh" and said[3] == ""


def test_basin_popup_charts_are_drawn_in_the_page(driver, pages) -> None:
    viewport(driver, DESK)
    load(driver, pages["ru"]["overview"])
    drawn = driver.execute_script(
        """
        const g = Object.values(window).find(v => v && v.rmByKey && v.rmByKey['SWB_00002']);
        g.rmByKey['SWB_00002'][0].openPopup();
        RM.year.set(2016);
        const p = document.querySelector('.leaflet-popup-content');
        const bars = p.querySelectorAll('svg .rm-bar').length;
        const years = p.querySelectorAll('svg .rm-yb').length;
        const outlined = getComputedStyle(p.querySelector('.rm-yb-2016')).strokeWidth;
        const ticks = [...p.querySelectorAll('svg text')].map(t => t.textContent);
        return [p.querySelectorAll('svg').length, bars, years, outlined, ticks,
                p.querySelector('.rm-basin-period').textContent];
        """
    )
    svgs, bars, years, outlined, ticks, period = drawn
    assert svgs == 2 and bars == 24 and years == 24 and outlined == "1.4px"
    assert "О − И" not in ticks and any(t.startswith("осадки") for t in ticks)
    assert period == "2016"
    assert severe(driver) == []
