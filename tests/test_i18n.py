"""The maps' languages: complete catalogs, Kazakh written in Kazakh, numbers and units per
locale, pages in every language with <html lang> and a language switch, --lang."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner

from geo.monotone import never_rising
from layers.atlas import Atlas
from maps import i18n
from maps.i18n import LANGS, LanguageError, catalog_path, using
from maps.render import overview_map, write_languages, write_maps
from rivermap.cli import main

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [lang for lang in LANGS if lang != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
#: letters of the Kazakh Cyrillic alphabet that Russian does not have
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def catalog(lang: str):
    with catalog_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def extracted_messages() -> set[str]:
    """Every message the code, the templates and the embedded data give (maps/babel.cfg)."""
    with (ROOT / "maps" / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {msg for _, _, msg, *_ in extract_from_dir(str(ROOT), method_map, options_map) if msg}


# ---------- catalogs ----------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_is_complete_and_not_fuzzy(lang: str) -> None:
    cat = catalog(lang)
    assert not cat.fuzzy, f"{catalog_path(lang)}: the header is marked fuzzy"
    messages = [m for m in cat if m.id]
    assert len(messages) > 100
    untranslated = [m.id for m in messages if not m.string]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [] and fuzzy == [], f"{catalog_path(lang)}: {untranslated or fuzzy}"
    for m in messages:
        assert set(PLACEHOLDER.findall(m.id)) == set(PLACEHOLDER.findall(m.string)), m.id


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_holds_every_message_of_the_code(lang: str) -> None:
    code = extracted_messages()
    held = {m.id for m in catalog(lang) if m.id}
    missing, stale = sorted(code - held), sorted(held - code)
    assert not missing and not stale, (
        f"{catalog_path(lang)} is not up to date with the code: missing {missing}, stale "
        f"{stale}; run `make catalogs` and translate the new messages"
    )


def test_kazakh_is_written_in_kazakh_not_russian() -> None:
    kk = {m.id: m.string for m in catalog("kk") if m.id}
    ru = {m.id: m.string for m in catalog("ru") if m.id}
    sentences = [k for k, v in kk.items() if len(re.findall(r"[а-яәғқңөұүһі]{3,}", v, re.I)) >= 4]
    with_letters = [k for k in sentences if KAZAKH_LETTERS & set(kk[k])]
    assert len(sentences) >= 30 and len(with_letters) >= 0.9 * len(sentences)
    assert sum(kk[k] == ru[k] for k in sentences) == 0


def test_chinese_is_simplified() -> None:
    zh = " ".join(m.string for m in catalog("zh") if m.id)
    # traditional forms of characters the catalog uses (流域 水庫 過境 國界 湖泊 數據 圖層)
    assert not set("庫過國數圖層邊") & set(zh)
    assert {"库", "过", "国", "数", "图", "层"} <= set(zh)


def test_unknown_language_is_refused(atlas_core: Atlas, tmp_path) -> None:
    with pytest.raises(LanguageError, match="'fr'.*en, kk, ru, zh"):
        write_maps(atlas_core, tmp_path, lang="fr")
    assert list(tmp_path.iterdir()) == []


# ---------- numbers and units ----------


@pytest.mark.parametrize(
    ("lang", "length", "volume", "flow", "where"),
    [
        ("en", "1,195.4 km", "4.6 km³", "294 m³/s", "48.0211° N, 85.5581° E"),
        ("kk", "1\u00a0195,4 км", "4,6 км³", "294 м³/с", "48,0211° с. е., 85,5581° ш. б."),
        ("ru", "1\u00a0195,4 км", "4,6 км³", "294 м³/с", "48,0211° с. ш., 85,5581° в. д."),
        ("zh", "1,195.4公里", "4.6立方千米", "294立方米/秒", "北纬48.0211°，东经85.5581°"),
    ],
)
def test_numbers_and_units_per_locale(lang, length, volume, flow, where) -> None:
    with using(lang):
        assert i18n.quantity(1195.44, "km", 1) == length
        assert i18n.quantity(4.6049, "km3", significant_figures=3) == volume
        assert i18n.quantity(294.2, "m3/s") == flow
        assert i18n.degrees(48.0211, 85.5581) == where
        assert i18n.quantity(float("nan"), "km") == i18n._("no figure") != ""
    assert i18n.current().code == "en"  # the language ends with the block


def test_country_names_come_from_cldr() -> None:
    names = {}
    for lang in LANGS:
        with using(lang):
            names[lang] = [i18n.country(c) for c in ("CHN", "KAZ", "RUS")]
    assert names["kk"] == ["Қытай", "Қазақстан", "Ресей"]
    assert names["ru"] == ["Китай", "Казахстан", "Россия"]
    assert names["zh"] == ["中国", "哈萨克斯坦", "俄罗斯"]


# ---------- pages ----------


def test_pages_in_every_language_link_their_siblings(atlas: Atlas, tmp_path) -> None:
    pages = write_languages(atlas, tmp_path, ["en", "kk", "zh"])
    assert sorted(str(p.relative_to(tmp_path)) for p in pages) == sorted(
        f"{prefix}{name}.html"
        for prefix in ("", "kk/", "zh/")
        for name in ("overview", "irtysh", "ili", "emel")
    )
    kk = (tmp_path / "kk" / "ili.html").read_text(encoding="utf-8")
    assert '<html lang="kk">' in kk
    assert 'href="../ili.html"' in kk and 'href="../zh/ili.html"' in kk
    assert "ru/ili.html" not in kk  # not written: not linked
    assert 'href="kk/overview.html"' in (tmp_path / "overview.html").read_text("utf-8")
    title = re.search(r"<title>(.*?)</title>", kk).group(1)
    assert title.startswith("Іле · Ili")
    assert "Қытайдан Қазақстанға" in (tmp_path / "kk" / "overview.html").read_text("utf-8")
    zh = (tmp_path / "zh" / "ili.html").read_text(encoding="utf-8")
    length = atlas["river_courses"].set_index("river_id").loc["ili", "length_km"]
    with using("zh"):
        shown = i18n.quantity(length, "km")
    assert '<html lang="zh">' in zh and "追踪长度" in zh and shown in zh and "公里" in shown


def test_service_links_and_river_names_from_the_register(atlas: Atlas) -> None:
    from maps.panels import query_links

    html = overview_map(atlas, lang="ru", links=query_links).get_root().render()
    assert 'href="overview.html?lang=kk"' in html and 'href="overview.html?lang=zh"' in html
    # names in every language come from the register, whatever the page's language
    for name in ("Іле", "Или", "伊犁河", "Иртыш", "Ертіс"):
        assert name in html


def test_build_writes_the_languages_asked_for(tmp_path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["-q", "build", "--out", str(out), "--rivers", "ili", "--lang", "en,zh"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "overview.html").is_file() and (out / "zh" / "ili.html").is_file()
    assert not (out / "kk").exists() and not (out / "ru").exists()
    bad = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "x"), "--lang", "en,fr"])
    assert bad.exit_code == 2 and "--lang" in bad.output and "fr; accepted: en, kk" in bad.output
    assert not (tmp_path / "x").exists()


# ---------- honest profiles ----------


def test_never_rising_profile() -> None:
    km = np.arange(8.0) * 2.0
    z = np.array([100.0, 95.0, 97.0, 90.0, np.nan, 80.0, 85.0, 70.0])
    out = never_rising(km, z)
    ok = np.isfinite(out)
    assert np.isnan(out[4]) and (np.diff(out[ok]) <= 1e-9).all()
    assert out[1] == out[2] == pytest.approx(96.0)  # the climb is pooled, least squares
    assert out[0] == 100.0 and out[-1] == 70.0
    already = np.array([5.0, 4.0, 4.0, 1.0])
    assert (never_rising(np.arange(4.0), already) == already).all()


def test_profile_chart_holds_the_dem_and_the_never_rising_line(atlas: Atlas) -> None:
    from maps.panels import profile_panel

    for river in ("irtysh", "ili", "emel"):
        with using("en"):
            html, chart = profile_panel(atlas, river)
        raw, line = np.array(chart["raw"], float), np.array(chart["line"], float)
        assert len(raw) == len(line) == len(chart["km"]) > 50
        assert (np.diff(line) <= 1e-6).all()  # never rises downstream
        assert (np.diff(raw) > 0).any()  # the DEM does, somewhere
        assert chart["largest_gap_m"] == pytest.approx(np.abs(raw - line).max(), abs=1)
        assert "never rises downstream" in html
