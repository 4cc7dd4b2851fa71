"""Maps as HTML text: files written, nothing from a CDN, small, escaped, geometry kept honest.

Geometries built in code are lon/lat degrees in EPSG:4326.
"""

from __future__ import annotations

import os
import re
import stat
import warnings

import folium
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

from geo.errors import OutputError, RasterError, RegisterError
from layers.atlas import Atlas
from maps import charts, display, features, points, popups, rivers_layer
from maps.raster import crop, encode, raster_overlay, to_web_mercator
from maps.render import (
    overview_map,
    overview_view,
    river_map,
    river_view,
    top_level_rivers,
    write_maps,
)
from maps.words import NAMES
from tests.page_geometries import decode

#: measured with geopandas 1.2 / folium 0.20: ``explore()`` of basins, lakes, network, borders,
#: rivers, river_courses, crossings and gauges of the full Atlas writes 7,313,943 bytes
EXPLORE_BYTES = 7_313_943


def overlay_names(m: folium.Map) -> list[str]:
    return [
        c.layer_name for c in m._children.values() if isinstance(c, folium.map.Layer) and c.overlay
    ]


# ---------- files ----------


def test_top_level_rivers_are_the_three(atlas: Atlas) -> None:
    assert top_level_rivers(atlas) == ["irtysh", "ili", "emel"]


def test_write_maps_writes_one_page_per_river_and_no_temporary_file(map_pages: dict) -> None:
    assert set(map_pages) == {"overview", "irtysh", "ili", "emel"}
    folder = map_pages["overview"].parent
    assert sorted(p.name for p in folder.iterdir()) == [
        "emel.html",
        "ili.html",
        "irtysh.html",
        "overview.html",
    ]
    assert all(p.stat().st_size > 100_000 for p in map_pages.values())
    mask = os.umask(0)
    os.umask(mask)
    assert {stat.S_IMODE(p.stat().st_mode) for p in map_pages.values()} == {0o666 & ~mask}


def test_write_maps_into_a_missing_folder_names_it(atlas_core: Atlas, tmp_path) -> None:
    target = tmp_path / "missing" / "maps"
    with pytest.raises(OutputError, match=re.escape(str(target))):
        write_maps(atlas_core, target)


def test_river_map_of_an_unknown_river_is_refused(atlas_core: Atlas) -> None:
    with pytest.raises(RegisterError, match="'volga'.*irtysh"):
        river_map(atlas_core, "volga")


# ---------- offline ----------

EXTERNAL = re.compile(
    r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", re.I
)


@pytest.mark.parametrize("page", ["overview", "irtysh", "ili", "emel"])
def test_page_loads_nothing_from_the_network(map_pages: dict, page: str) -> None:
    html = map_pages[page].read_text(encoding="utf-8")
    assert EXTERNAL.search(html) is None
    assert "cdn." not in html and "jquery" not in html.lower() and "bootstrap" not in html.lower()
    assert 'L.version="1.9.4"' in html.replace(" ", "") or 't.version="1.9.4"' in html
    assert "sourceMappingURL" not in html
    assert html.count("data:image/webp;base64,") >= 2  # relief (+ hillshade) embedded


def test_online_basemaps_only_when_asked(atlas: Atlas, map_pages: dict) -> None:
    offline = map_pages["overview"].read_text(encoding="utf-8")
    online = overview_map(atlas, online_basemaps=True).get_root().render()
    assert "tile.openstreetmap.org" not in offline
    for url in ("tile.openstreetmap.org", "World_Imagery", "opentopomap.org"):
        assert url in online
    assert EXTERNAL.search(online) is None  # tiles are layer URLs, not page resources


# ---------- size ----------


def test_overview_is_at_most_a_fifth_of_explore(map_pages: dict) -> None:
    size = map_pages["overview"].stat().st_size
    assert size <= EXPLORE_BYTES / 5, f"overview {size:,} bytes"


# ---------- layers ----------


def test_full_atlas_has_every_overlay(atlas: Atlas) -> None:
    names = overlay_names(overview_map(atlas))
    assert names == [
        NAMES[k]
        for k in (
            "hillshade",
            "basins",
            "lakes",
            "network",
            "borders",
            "rivers",
            "casing",
            "arrows",
            "gauges",
            "crossings",
        )
    ]


def test_core_atlas_map_without_gauges_year_or_hillshade(atlas_core: Atlas) -> None:
    m = overview_map(atlas_core)
    names = overlay_names(m)
    assert NAMES["gauges"] not in names and NAMES["hillshade"] not in names
    assert len(names) == 8
    assert features.year_config(atlas_core, overview_view(atlas_core)) is None
    html = m.get_root().render()
    assert NAMES["basins"] not in names and "Basins" in names
    assert '<template id="rm-panel-profile">' not in html


def test_every_crossing_is_on_the_overview(atlas: Atlas) -> None:
    layer = points.crossings_layer(atlas, overview_view(atlas), "x")
    n = len(atlas["crossings"])
    # one feature per place: the Tekes and the Ili share the crossing at km 20
    assert n == atlas.traced.crossing_rivers["crossing_id"].nunique() == 5
    assert len(layer.props["tip"]) == n and len(layer.popup_html) == n
    assert [g["type"] for g in decode(layer.geoms)] == ["Point"] * n


def test_gauges_sized_by_radius_class(atlas: Atlas) -> None:
    layer = points.gauges_layer(atlas, overview_view(atlas), "g")
    radii = {s["radius"] for s in layer.props["styles"]}
    assert radii <= {3.0, 5.0, 7.0, 9.0, 12.0} and len(radii) >= 4
    buran = layer.props["key"].index("2911109")
    assert layer.props["styles"][layer.props["style"][buran]]["radius"] == 9.0  # 297 m³/s


def test_rivers_coloured_by_country_and_width_by_class(atlas: Atlas) -> None:
    rivers, casing = rivers_layer.river_layers(
        atlas, overview_view(atlas), np.empty((0, 2)), "r", "c"
    )
    colours = {s["color"] for s in rivers.props["styles"]}
    assert colours == {"#D55E00", "#0072B2", "#009E73"}  # China, Kazakhstan, Russia
    widths = {s["weight"] for s in rivers.props["styles"]}
    assert widths <= {2.5, 4.0, 6.0, 8.5, 3.0} and len(widths) >= 2
    assert rivers.get_name() in casing.geoms  # the casing reuses the rivers' geometry


def test_arrows_point_downstream(atlas: Atlas) -> None:
    """The Emel flows west into Alakol; the Tekes (first reaches) east into China."""
    view = river_view(atlas, "emel")
    points = np.asarray(rivers_layer.arrow_layer(atlas, view, "a").points)
    emel = shapely.contains_xy(shapely.box(82.0, 46.0, 84.0, 47.0), points[:, 1], points[:, 0])
    bearing = np.radians(points[emel, 2])
    mean = np.degrees(np.arctan2(np.sin(bearing).mean(), np.cos(bearing).mean())) % 360
    assert emel.sum() >= 8 and 235 <= mean <= 305
    assert set(np.unique(points[:, 3])) <= {0, 1, 2, 3}


def test_year_config_covers_2000_to_2023(atlas: Atlas) -> None:
    year = features.year_config(atlas, overview_view(atlas))
    assert year["years"] == list(range(2000, 2024))
    assert all(len(v) == 24 for v in year["classes"].values())
    assert {c for v in year["classes"].values() for c in v} <= {-1, 0, 1, 2, 3, 4}
    assert "SWB_00002" in year["classes"] and year["colours"][0] == "#d7191c"


# ---------- popups ----------


def test_crossing_popup_answers_the_questions(atlas: Atlas) -> None:
    c = atlas["crossings"].set_index("crossing_id")
    irtysh = str(popups.crossing_popup({**c.loc["irtysh-1"].to_dict(), "crossing_id": "irtysh-1"}))
    assert "China → Kazakhstan" in irtysh
    assert "48.0211° N, 85.5581° E" in irtysh
    assert "4.6</td>" in irtysh.replace(" km³", "</td>") and "294 m³/s" in irtysh
    tekes = str(popups.crossing_popup(c.loc["tekes-1"].to_dict(), {"ili": {"en": "Ili"}}))
    assert "Kazakhstan → China" in tekes
    assert "Also the crossing of</th><td>Ili</td>" in tekes
    assert tekes.count("no figure") >= 2 and "no published figure" in tekes


def test_crossing_popup_without_flow_columns_says_no_figure(atlas_core: Atlas) -> None:
    row = atlas_core["crossings"].iloc[0].to_dict()
    html = str(popups.crossing_popup(row))
    assert html.count('class="rm-nofig">no figure') == 2


def test_river_popup_has_four_names_and_lengths_per_country(atlas: Atlas) -> None:
    courses = atlas["river_courses"]
    html = str(popups.river_popups(courses, {}, popups.lake_index(atlas["lakes"]))["ili"])
    for name in ("Ili", "Іле", "Или", "伊犁河"):
        assert f">{name}</td>" in html
    ili = courses.set_index("river_id").loc["ili"]
    assert f"{ili['length_km_kaz']:,.0f} km" in html and "in Kazakhstan" in html
    assert f"{ili['length_km']:,.0f} km" in html


def test_gauge_popup_has_mean_years_and_chart(atlas: Atlas) -> None:
    g = atlas["gauges"].set_index("grdc_no").loc[2911109].to_dict() | {"grdc_no": 2911109}
    clim = atlas["gauge_climatology"]
    popup = popups.gauge_popup(g, popups.gauge_chart(clim.loc[clim["grdc_no"] == 2911109]))
    html = str(popup.html)
    assert "297.1 m³/s" in html and "50 (1938–1987)" in html
    assert 'data-chart="0"' in html and "<svg" not in html  # the page draws the chart
    (chart,) = popup.charts
    assert chart["kind"] == "climatology" and len(chart["mean"]) == 12
    assert round(chart["mean"][5]) == 1011  # June


def test_basin_popup_has_areas_and_both_charts(atlas: Atlas) -> None:
    layer = features.basins_layer(atlas, overview_view(atlas), "b")
    k = layer.props["key"].index("SWB_00002")
    html = str(layer.popup_html[k])
    assert "in China" in html and "in Kazakhstan" in html
    monthly, annual = layer.props["charts"][k]
    assert monthly["kind"] == "balance" and len(monthly["p"]) == len(monthly["et"]) == 12
    assert annual["years"] == list(range(2000, 2024)) and None not in annual["values"]
    assert 'data-chart="0"' in html and 'data-chart="1"' in html and "<rect" not in html


# ---------- escaping ----------


def test_names_are_escaped_in_the_html(hostile_map_pages: dict) -> None:
    for page in ("overview", "ili"):
        html = hostile_map_pages[page].read_text(encoding="utf-8")
        assert "<b>bold</b>" not in html
        assert "Ili &lt;b&gt;bold&lt;/b&gt; &#39;q&#39; &#34;d&#34; &amp; {{ 7*7 }}" in html
        assert "{{ 7*7 }}" in html and "Ili <b>" not in html
    title = re.search(r"<title>(.*?)</title>", hostile_map_pages["ili"].read_text("utf-8")).group(1)
    assert "&lt;b&gt;" in title


# ---------- display geometry ----------


def test_simplified_network_still_meets_at_every_confluence(atlas: Atlas) -> None:
    net = atlas["network"]
    keep = display.end_points(net.geometry.values, atlas["rivers"].geometry.values)
    shown = display.round_coords(
        display.simplify_lines(net.geometry.values, display.OVERVIEW.network_tolerance, keep), 4
    )
    assert (
        shapely.get_num_coordinates(shown).sum()
        < 0.25 * shapely.get_num_coordinates(net.geometry.values).sum()
    )
    pos = pd.Series(np.arange(len(net)), index=net["reach_id"].to_numpy())
    down = net["next_down_id"].dropna()
    ends = shapely.get_point(shown[pos[down.index.map(lambda i: net["reach_id"].iloc[i])]], -1)
    starts = shapely.get_point(shown[pos[down.astype("int64").to_numpy()].to_numpy()], 0)
    assert len(down) > 300
    assert shapely.equals(ends, starts).all()


def test_simplify_keeps_a_tributary_joining_mid_line() -> None:
    """A trunk wiggling east along 45 N with a tributary ending on its 4th vertex."""
    x = np.linspace(80.0, 81.0, 11)
    trunk = shapely.LineString(np.c_[x, 45.0 + 0.001 * np.sin(np.arange(11))])
    junction = trunk.coords[4]
    trib = shapely.LineString([(80.3, 45.5), (80.35, 45.2), junction])
    geoms = np.array([trunk, trib, shapely.LineString()], dtype=object)
    keep = display.end_points(geoms)
    out = display.simplify_lines(geoms, 0.01, keep)
    assert shapely.get_num_coordinates(out[0]) == 3  # start, junction, end
    assert junction in out[0].coords and out[1].coords[-1] == junction
    assert out[2].is_empty
    multi = shapely.MultiLineString([trunk, trib])
    assert shapely.get_num_geometries(display.simplify_lines(np.array([multi]), 0.01, keep)[0]) == 2


def test_coordinates_rounded_to_four_decimals() -> None:
    line = shapely.LineString([(80.123456, 45.987654), (80.2, 45.1)])
    text = display.geojson_array(display.round_coords(np.array([line]), 4))
    assert text == '[{"type":"LineString","coordinates":[[80.1235,45.9877],[80.2,45.1]]}]'


# ---------- rasters ----------


def test_raster_reprojected_to_web_mercator_keeps_its_bounds() -> None:
    """A 2-band grey+alpha-free RGB raster of 1°×1° cells from 70 E 50 N, EPSG:4326."""
    rgb = np.stack([np.full((4, 6), v, np.uint8) for v in (10, 120, 250)])
    transform = from_origin(70.0, 50.0, 1.0, 1.0)
    img = to_web_mercator(rgb, transform, 4326)
    assert np.asarray(img.bounds) == pytest.approx(np.array([[46.0, 70.0], [50.0, 76.0]]))
    assert img.array.shape[0] == 4 and img.array.shape[2] == 6  # one column per source column
    assert (img.array[3] == 255).all() and (img.array[1] == 120).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with MemoryFile(encode(img.array, "png")) as mem, mem.open() as src:
            assert src.count == 4 and (src.read() == img.array).all()


def test_raster_overlay_formats_and_errors() -> None:
    grey = np.full((1, 10, 10), 200, np.uint8)
    t = from_origin(80.0, 45.0, 0.1, 0.1)
    assert raster_overlay(grey, t, 4326, name="g").url.startswith("data:image/webp;base64,")
    assert raster_overlay(grey, t, 4326, name="g", fmt="jpeg").url.startswith("data:image/jpeg;")
    assert raster_overlay(grey, t, 4326, name="g", fmt="png").url.startswith("data:image/png;")
    with pytest.raises(RasterError, match="dtype float64; expected uint8"):
        raster_overlay(grey.astype(float), t, 4326, name="g")
    with pytest.raises(RasterError, match="format 'gif'"):
        raster_overlay(grey, t, 4326, name="g", fmt="gif")
    part, pt, _ = crop(grey, t, rasterio.crs.CRS.from_epsg(4326), (80.2, 44.5, 80.5, 44.9))
    assert part.shape == (1, 4, 3) and pt.c == pytest.approx(80.2) and pt.f == pytest.approx(44.9)


# ---------- charts and legends ----------


def test_climatology_chart_draws_every_month() -> None:
    t = pd.DataFrame(
        {
            "month": range(1, 13),
            "lq": np.arange(12.0),
            "mq": np.arange(12.0) * 2,
            "hq": np.arange(12.0) * 3,
        }
    )
    t.loc[3, "mq"] = np.nan
    chart = charts.climatology_chart(t.sample(frac=1.0, random_state=1))  # any row order
    assert chart["mean"][3] is None and chart["mean"][11] == 22.0
    assert sum(v is not None for v in chart["mean"]) == 11 and chart["high"][11] == 33.0


def test_legend_labels_of_open_classes() -> None:
    from layers.styles import BASIN_FILL, FLOW_WIDTH

    assert FLOW_WIDTH.legend()[-2][0] == "≥ 400 m³/s"
    assert FLOW_WIDTH.legend()[1][0] == "50–150 m³/s"
    assert BASIN_FILL.legend()[0][0] == "< 0 mm/yr"
    assert FLOW_WIDTH.legend()[-1] == ("no figure", 3.0)
