"""Lakes, rivers and crossings show the figures that apply to them, with period and source;
an analyst's figures beside the published ones, and the analyst's tables in the legend."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from layers.lake_figures import lake_figures
from maps import features, i18n, points, popups
from maps.figure_rows import rows_for, value_text
from maps.legend import legend_html
from maps.render import overview_view
from maps.words import layer_names
from rivermap import api

H1 = "2025-01-01 – 2025-06-30"


def lake_popup_html(atlas, lake_id: str) -> str:
    return popup_of(features.lakes_layer(atlas, overview_view(atlas), "l"), lake_id)


def popup_of(layer, key: str) -> str:
    """The popup HTML of the feature with ``key`` in a ``maps.elements.GeoLayer``."""
    k = layer.props["key"].index(key)
    return str(layer.popup_html[layer.props["popup"][k]])


def test_the_balkhash_popup_shows_the_release_and_the_level_rise_with_their_period(atlas):
    html = lake_popup_html(atlas, "balkhash")
    assert f'8.52 km³ <span class="rm-sub">{H1}</span>' in html
    assert f'+0.32 m <span class="rm-sub">{H1}</span>' in html
    assert "Share of the lake&#39;s inflow</th><td>70%" in html
    kapchagay = lake_popup_html(atlas, "kapchagay")
    assert "Filled to capacity</th><td>yes" in kapchagay and "8.52 km³" in kapchagay


def test_the_lakes_layer_carries_its_figures(atlas):
    lakes = atlas["lakes"].set_index("lake_id")
    b, k = lakes.loc["balkhash"], lakes.loc["kapchagay"]
    assert (b["received_release_km3"], b["received_release_from"]) == (8.52, "kapchagay")
    assert (b["level_change_m"], b["inflow_share_percent"], b["inflow_share_river"]) == (
        0.32,
        70.0,
        "ili",
    )
    assert b["figures_period"] == "2025-01-01/2025-06-30"
    assert (k["released_km3"], k["filled_to_capacity"]) == (8.52, 1)
    assert np.isnan(lakes.loc["zaysan", "level_change_m"])  # no figure, not zero


def test_lake_figures_on_a_table_built_in_code():
    lakes = pd.DataFrame({"lake_id": ["a", "b", ""]})
    flows = pd.DataFrame(
        {
            "quantity": ["release_to_lake", "water_level_change", "water_level_change"],
            "value": [2.0, -0.1, 5.0],
            "status": ["figure", "figure", "no figure"],
            "derived": [False, False, False],
            "lake_ids": ["a, b", "b", "a"],
            "river_id": ["r", "", ""],
            "period_start": ["2024-01-01", "2024-01-01", ""],
            "period_end": ["2024-12-31", "2024-12-31", ""],
            "source": ["t.csv", "t.csv", "t.csv"],
            "note": ["n1", "n2", "n3"],
        }
    )
    out = lake_figures(lakes, flows).set_index("lake_id")
    assert out.loc["a", "released_km3"] == 2.0 and np.isnan(out.loc["a", "level_change_m"])
    assert (out.loc["b", "received_release_km3"], out.loc["b", "level_change_m"]) == (2.0, -0.1)
    assert out.loc["b", "figures_note"] == "release_to_lake: n1; water_level_change: n2"


def test_the_ili_popup_sets_what_crossed_the_border_beside_what_reached_balkhash(atlas):
    rows = {r["label"]: r for r in rows_for(atlas["flows"], river="ili")}
    assert rows["Volume received across the border"]["value"] == "5.6 km³"
    assert rows["Released from the reservoir to the lake"]["value"] == "8.52 km³"
    assert rows["Received across the border, against what reached the lake"]["value"] == "66%"
    assert all(r["when"] == H1 for k, r in rows.items() if k != "Share of the lake's inflow")
    emel = rows_for(atlas["flows"], river="emel")
    assert [r["none"] for r in emel] == [True]  # the article gives no Emel figure: said so


def test_an_analysts_figures_reach_popups_and_legend(atlas, tmp_path):
    a = dataclasses.replace(
        atlas,
        layers={k: dataclasses.replace(v, frame=v.frame.copy()) for k, v in atlas.layers.items()},
        notes=list(atlas.notes),
        flow_tables=[],
    )
    q = tmp_path / "q2024.csv"
    q.write_text("river,Q\nili,370\n", encoding="utf-8")
    v = tmp_path / "v2024.csv"
    v.write_text("crossing,V\nili-2,11.7\n", encoding="utf-8")
    api.join_flow_table(a, q, key="river", value="Q", unit="m3/s", period="2024-01-01/2024-12-31")
    api.join_flow_table(
        a,
        v,
        key="crossing",
        value="V",
        unit="km3",
        key_kind="crossing",
        period="2024-01-01/2024-12-31",
    )
    river = popups.river_popups(a["river_courses"], {}, {}, a["flows"])["ili"]
    assert '370 m³/s <span class="rm-sub">2024-01-01 – 2024-12-31</span>' in str(river)
    assert "q2024.csv</span>" in str(river) and "5.6 km³" in str(river)  # beside the published one
    layer = points.crossings_layer(a, overview_view(a), "c")
    ili2 = popup_of(layer, "ili-2")
    assert "11.7 km³" in ili2 and "v2024.csv</span>" in ili2 and "5.6 km³" in ili2
    legend = legend_html(a, overview_view(a), {}, layer_names(True) | {"gauges": "g"})
    assert "q2024.csv: Q (m³/s), 2024-01-01 – 2024-12-31; 1 of 1 rows joined" in legend
    assert "v2024.csv: V (km³)" in legend


def test_values_in_the_pages_words():
    assert value_text(70.0, "percent") == "70%"
    assert value_text(-0.25, "m", "water_level_change") == "−0.25 m"
    assert value_text(1.0, "flag") == "yes" and value_text(np.nan, "km3") == "no figure"
    assert value_text(12.0, "million m3").startswith("12")
    with i18n.using("ru"):
        assert value_text(1.0, "flag") == "да"
        assert "км³" in value_text(8.52, "km3")


def test_the_emel_crossing_says_in_every_language_why_it_has_no_figure(atlas):
    """The published total already adds up without the Emel: the crossing says so in the page's
    words, with the article's numbers in the page's number format and the river's own name."""
    crossings = atlas["crossings"]
    row = crossings.loc[crossings["river_id"] == "emel"].iloc[0].to_dict()
    note = row["flow_note"]
    numbers = re.findall(r"\d+\.\d+", note)
    assert "gives no Emel figure" in note and len(numbers) >= 3
    words = {
        "ru": ("уже дают", "в статье нет цифры по реке"),
        "kk": ("бірге", "мақалада"),
        "zh": ("已合计", "文章未给出"),
    }
    for lang, (made, absent) in words.items():
        with i18n.using(lang):
            text = popups.crossing_note(row)
            local = [i18n.number(float(n), 1) for n in numbers]
        assert made in text and absent in text, (lang, text)
        assert row[f"name_{lang}"] in text and "Emel" not in text
        assert all(n in text for n in local), (lang, text, local)
    with i18n.using("en"):
        assert popups.crossing_note(row) == note
