"""Flow tables: the embedded CSVs read as written, and analysts' CSV/Excel/Parquet tables."""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataSourceError, FlowTableError, UnitError
from layers.cells import parse_numbers
from layers.flowtables import (
    read_flow_table,
    read_precipitation,
    read_seed_flows,
    read_water_balance,
)
from layers.sources import DATA_DIR
from layers.units import Period


def file_rows(name: str) -> list[dict[str, str]]:
    """The embedded CSV's cells as text, read with the csv module (independent of the parser)."""
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def comma_number(text: str) -> float:
    return float(text.replace(",", "."))


# --------------------------------------------------------------------------- embedded tables


def test_water_balance_values_equal_the_file():
    rows = file_rows("wh_water_balance_gleam.csv")
    wb = read_water_balance(DATA_DIR / "wh_water_balance_gleam.csv")
    assert len(wb) == len(rows) == 4032
    assert wb["WATERSHED_ID"].nunique() == 14
    expected = {
        "precipitation_mm": [comma_number(r["Precipitation"]) for r in rows],
        "evapotranspiration_mm": [comma_number(r["Evapotranspiration"]) for r in rows],
        "delta_s_mm": [comma_number(r["Water_Balance_delta_S"]) for r in rows],
    }
    for col, values in expected.items():
        np.testing.assert_array_equal(wb[col].to_numpy(), np.array(values))
    dates = [dt.datetime.strptime(r["Date"], "%d.%m.%Y") for r in rows]
    assert (pd.to_datetime(wb["date"]) == pd.Series(dates)).all()
    first = wb.iloc[0]
    assert (first["WATERSHED_ID"], first["year"], first["month"]) == ("SWB_00004", 2000, 1)
    assert (first["precipitation_mm"], first["evapotranspiration_mm"]) == (29.70, 8.10)
    assert wb["delta_s_mm"].iloc[3] == -0.10
    assert wb["year"].min() == 2000 and wb["year"].max() == 2023


def test_precipitation_values_equal_the_file():
    rows = file_rows("wh_precip_mswep.csv")
    pr = read_precipitation(DATA_DIR / "wh_precip_mswep.csv")
    assert len(pr) == len(rows) == 4032
    np.testing.assert_array_equal(
        pr["precipitation_mswep_mm"].to_numpy(), [comma_number(r["P_MSWEP"]) for r in rows]
    )
    assert pr.iloc[0][["WATERSHED_ID", "precipitation_mswep_mm"]].tolist() == ["NWB_00010", 16.97]


def test_seed_flows_as_published():
    seed = read_seed_flows(DATA_DIR / "seed_flows.csv")
    rows = file_rows("seed_flows.csv")
    assert seed["value"].tolist() == [float(r["value"]) for r in rows]
    assert seed["value"].tolist() == [4.6, 5.6, 10.2, 8.52, 0.32, 70.0, 1.0]
    assert seed["unit"].tolist() == ["km3", "km3", "km3", "km3", "m", "percent", "flag"]
    assert seed["period_start"].iloc[0] == dt.date(2025, 1, 1)
    assert seed["period_end"].iloc[0] == dt.date(2025, 6, 30)
    assert seed["period_start"].iloc[5] is None  # the long-term share has no period
    assert seed["subject"].iloc[2] == "Irtysh+Ili+Emel"


# --------------------------------------------------------------------------- analysts' tables


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def read_rivers(path, **kw):
    args = {"key": "river", "value": "volume", "unit": "km3", "key_kind": "river", **kw}
    return read_flow_table(path, **args)


def test_csv_with_semicolons_and_decimal_commas(tmp_path):
    path = write(tmp_path, "h1.csv", 'river;volume\nIrtysh;"4,6"\nIli;5,6\n')
    t = read_rivers(path, period_start="2025-01-01", period_end="30.06.2025")
    assert t.frame["key"].tolist() == ["Irtysh", "Ili"]
    assert t.frame["value"].tolist() == [4.6, 5.6]
    assert t.frame["row"].tolist() == [2, 3]
    assert t.period == Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert t.mean_m3s() == pytest.approx([294.1477, 358.0929], abs=1e-3)


def test_decimal_separator_is_detected_per_column(tmp_path):
    path = write(tmp_path, "two.csv", 'river,a,b\nx,"1,5",2.25\ny,"3,0",1e3\n')
    a = read_flow_table(path, key="river", value="a", unit="m3/s", key_kind="river")
    b = read_flow_table(path, key="river", value="b", unit="m3/s", key_kind="river")
    assert a.frame["value"].tolist() == [1.5, 3.0]
    assert b.frame["value"].tolist() == [2.25, 1000.0]


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["1 234,5", "12,25"], [1234.5, 12.25]),  # space thousands, decimal comma
        (["1,234.5", "12.25"], [1234.5, 12.25]),  # comma thousands, decimal point
        (["1.234,5", "2,5"], [1234.5, 2.5]),  # point thousands, decimal comma
        (["−3,5", "+2"], [-3.5, 2.0]),  # unicode minus
    ],
)
def test_thousands_separators(cells, expected):
    assert parse_numbers(pd.Series(cells)).values.tolist() == expected


def test_missing_cells_are_no_figure_not_zero():
    n = parse_numbers(pd.Series(["", "n/a", "-", "4,5"]))
    assert np.isnan(n.values[:3]).all()
    assert n.status.tolist() == ["missing", "missing", "missing", "figure"]


def test_utf8_bom_and_utf16_are_read(tmp_path):
    text = "river,volume\nИле,5.6\n"
    bom = write(tmp_path, "bom.csv", "\ufeff" + text)
    utf16 = write(tmp_path, "u16.csv", text, encoding="utf-16")
    for path in (bom, utf16):
        t = read_rivers(path)
        assert t.frame["key"].tolist() == ["Иле"]
        assert t.frame["value"].tolist() == [5.6]


def test_other_encodings_are_refused_with_byte_and_line(tmp_path):
    path = write(tmp_path, "latin.csv", "river,volume\nIrtysh,4.6\nÉmel,0.1\n", "latin-1")
    with pytest.raises(
        DataSourceError, match=r"latin\.csv: not UTF-8 \(byte 0xc9 at offset 24, line 3\)"
    ):
        read_rivers(path)
    # ... and read when the user names the encoding
    assert read_rivers(path, encoding="latin-1").frame["key"].tolist() == ["Irtysh", "Émel"]
    cyr = write(tmp_path, "cp.csv", "river,volume\nИртыш,4.6\n", "cp1251")
    assert read_rivers(cyr, encoding="cp1251").frame["key"].tolist() == ["Иртыш"]


def test_impossible_date_names_file_row_column_value(tmp_path):
    path = write(tmp_path, "d.csv", "river,date,volume\nIli,31.01.2020,1\nIli,31.02.2020,2\n")
    with pytest.raises(
        FlowTableError,
        match=r"d\.csv: row 3, column 'date': '31\.02\.2020' is not a real day",
    ):
        read_rivers(path, date="date")
    ok = write(tmp_path, "ok.csv", "river,date,volume\nIli,31.01.2020,1\nIli,2020-02-29,2\n")
    dates = read_rivers(ok, date="date").frame["date"]
    assert dates.tolist() == [pd.Timestamp("2020-01-31"), pd.Timestamp("2020-02-29")]


def test_value_with_two_commas_is_an_error(tmp_path):
    path = write(tmp_path, "v.csv", 'river,volume\nIrtysh,"4,6"\nIli,"12,5,3"\n')
    with pytest.raises(
        FlowTableError, match=r"v\.csv: row 3, column 'volume': '12,5,3' is not a number"
    ) as e:
        read_rivers(path)
    assert "\n" not in str(e.value)
    t = read_rivers(path, bad_values="warning")
    assert t.frame["status"].tolist() == ["figure", "not a number"]
    assert np.isnan(t.frame["value"].iloc[1])


def test_empty_file_and_header_only(tmp_path):
    with pytest.raises(FlowTableError, match="empty"):
        read_rivers(write(tmp_path, "empty.csv", ""))
    with pytest.raises(FlowTableError, match="no data rows"):
        read_rivers(write(tmp_path, "header.csv", "river,volume\n"))
    with pytest.raises(DataSourceError, match="file not found"):
        read_rivers(tmp_path / "nowhere.csv")


def test_wrong_key_column_lists_the_columns(tmp_path):
    path = write(tmp_path, "k.csv", "name,volume\nIli,5.6\n")
    with pytest.raises(
        FlowTableError, match=r"k\.csv: no key column 'river'; columns are: name, volume"
    ):
        read_rivers(path)


def test_unknown_unit_and_key_kind(tmp_path):
    path = write(tmp_path, "u.csv", "river,volume\nIli,5.6\n")
    with pytest.raises(UnitError, match=r"unknown unit 'acre-ft'; accepted: .*km3"):
        read_rivers(path, unit="acre-ft")
    with pytest.raises(FlowTableError, match=r"unknown key kind 'lake'; accepted: river"):
        read_rivers(path, key_kind="lake")
    with pytest.raises(FlowTableError, match="both the period start and end"):
        read_rivers(path, period_start="2025-01-01")
    with pytest.raises(DataSourceError, match=r"save old \.xls files"):
        read_rivers(write(tmp_path, "old.xls", "x"))


def test_blank_rows_are_skipped_and_said(tmp_path):
    path = write(tmp_path, "b.csv", "river,volume\nIrtysh,4.6\n,\nIli,5.6\n")
    t = read_rivers(path)
    assert t.frame["row"].tolist() == [2, 4]
    assert t.notes == (f"{path}: 1 empty row(s) skipped",)


def test_excel_table_with_reach_ids_and_sheet(tmp_path):
    path = tmp_path / "dis.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"a": [1]}).to_excel(xl, sheet_name="readme", index=False)
        pd.DataFrame(
            {"HYRIV_ID": [40000123.0, 40000124.0], "DIS_AV_CMS": [297.1, "12,5"]}
        ).to_excel(xl, sheet_name="flows", index=False)
    t = read_flow_table(
        path, key="HYRIV_ID", value="DIS_AV_CMS", unit="m3/s", key_kind="HYRIV_ID", sheet="flows"
    )
    assert t.key_kind == "reach"
    assert t.frame["key"].tolist() == ["40000123", "40000124"]
    assert t.frame["value"].tolist() == [297.1, 12.5]
    assert t.frame["row"].tolist() == [2, 3]
    with pytest.raises(FlowTableError, match=r"no sheet 'Sheet9'; sheets are: readme, flows"):
        read_flow_table(
            path, key="HYRIV_ID", value="DIS_AV_CMS", unit="m3/s", key_kind="reach", sheet="Sheet9"
        )


def test_parquet_table_keyed_by_basin(tmp_path):
    path = tmp_path / "p.parquet"
    pd.DataFrame({"WATERSHED_ID": ["NWB_00001", "SWB_00002"], "pme": [56.3, np.nan]}).to_parquet(
        path
    )
    t = read_flow_table(path, key="WATERSHED_ID", value="pme", unit="mm/yr", key_kind="basin")
    assert t.frame["value"].iloc[0] == 56.3
    assert t.frame["status"].tolist() == ["figure", "missing"]
    assert t.frame["row"].tolist() == [1, 2]
    with pytest.raises(DataSourceError, match=r"bad\.parquet: not a Parquet file"):
        read_flow_table(
            write(tmp_path, "bad.parquet", "not parquet"),
            key="k",
            value="v",
            unit="mm",
            key_kind="basin",
        )


def test_rows_longer_than_the_header_and_leading_blank_lines(tmp_path):
    path = write(tmp_path, "r.csv", "\n\nriver,volume\nIrtysh,4,6\n")
    with pytest.raises(
        FlowTableError,
        match=r"r\.csv: row 4 has 3 fields but the header has 2; check the delimiter",
    ):
        read_rivers(path)
    ok = write(tmp_path, "ok.csv", "\nriver,volume,note\nIrtysh,4.6\n")  # short rows are padded
    t = read_rivers(ok)
    assert t.frame["row"].tolist() == [3] and t.frame["value"].tolist() == [4.6]
    twice = write(tmp_path, "t.csv", "river,volume,volume\nIrtysh,4.6,1\n")
    with pytest.raises(FlowTableError, match="column 'volume' appears twice"):
        read_rivers(twice)


def test_broken_portal_and_seed_tables(tmp_path):
    head = "WATERSHED_ID,Date,Precipitation,Evapotranspiration,Water_Balance_delta_S\n"
    ok = 'SWB_00004,01.01.2000,"29,70","8,10","21,60"\n'
    cases = [
        ('SWB_00004,31.02.2000,"1,0","1,0","0,0"\n', r"row 3, column 'Date': '31\.02\.2000'"),
        ('SWB_00004,01.02.2000,"12,5,3","1,0","0,0"\n', r"row 3, column 'Precipitation'"),
        (ok, r"row 3, column 'Date': SWB_00004 01\.01\.2000 appears more than once"),
    ]
    for extra, message in cases:
        path = write(tmp_path, "wb.csv", head + ok + extra)
        with pytest.raises(FlowTableError, match=message):
            read_water_balance(path)
    seed = (DATA_DIR / "seed_flows.csv").read_text(encoding="utf-8")
    bad_unit = write(tmp_path, "s.csv", seed.replace(",8.52,km3,", ",8.52,acre-ft,"))
    with pytest.raises(UnitError, match=r"s\.csv: row 5, column 'unit': unknown unit 'acre-ft'"):
        read_seed_flows(bad_unit)
    no_value = write(tmp_path, "n.csv", seed.replace(",0.32,m,", ",,m,"))
    with pytest.raises(FlowTableError, match=r"row 6, column 'value': empty"):
        read_seed_flows(no_value)
