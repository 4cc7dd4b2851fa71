"""GRDC gauges: read as shipped, snapped to the network, in downstream order along each river."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.course import trace_course
from geo.errors import FlowTableError
from geo.network_build import from_lines
from layers.gauges import (
    MISFIT,
    SNAPPED,
    gauges_by_river,
    gauges_layer,
    read_gauge_climatology,
    read_gauges,
    snap_notes,
)
from layers.sources import DATA_DIR
from tests.common import y_network_frame

IRTYSH_STATIONS = [
    "BURAN",
    "PYANY YAR",
    "SHULBA",
    "SEMIYARSKOJE",
    "PAVLODAR",
    "BOBROVSKY",
    "CHERLAK",
    "OMSK",
]


def file_rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def as_float(text: str) -> float:
    return float(text) if text else np.nan


def test_gauge_catalogue_equals_the_file():
    rows = file_rows("grdc_gauges.csv")
    g = read_gauges(DATA_DIR / "grdc_gauges.csv")
    assert len(g) == len(rows) == 54
    for col in ("lat", "lon", "area_km2", "mean_discharge_m3s", "mean_volume_km3_per_year"):
        np.testing.assert_array_equal(g[col].to_numpy(), [as_float(r[col]) for r in rows])
    assert g["grdc_no"].tolist() == [int(r["grdc_no"]) for r in rows]
    buran = g.loc[g["grdc_no"] == 2911109].iloc[0]
    assert (buran["river"], buran["station"]) == ("CHERNYY IRTYSH", "BURAN")
    assert (buran["m_start"], buran["m_end"], buran["m_yrs"]) == (1938, 1987, 50)
    assert buran["mean_discharge_m3s"] == 297.09 and buran["area_km2"] == 55900.0
    # a gauge without a figure keeps NaN, never 0
    assert np.isnan(g.loc[g["station"] == "PYANY YAR", "mean_discharge_m3s"].iloc[0])


def test_climatology_equals_the_file():
    rows = file_rows("grdc_monthly_climatology.csv")
    c = read_gauge_climatology(DATA_DIR / "grdc_monthly_climatology.csv")
    assert len(c) == len(rows) == 228
    assert list(c.columns) == [
        "grdc_no",
        "month",
        "lq",
        "lq_year",
        "mq",
        "hq",
        "hq_year",
        "std",
        "n_years",
    ]
    np.testing.assert_array_equal(c["mq"].to_numpy(), [as_float(r["MQ"]) for r in rows])
    np.testing.assert_array_equal(c["hq"].to_numpy(), [as_float(r["HQ"]) for r in rows])
    buran = c.loc[c["grdc_no"] == 2911109].set_index("month")
    assert buran.loc[6, "mq"] == 1010.931 and buran.loc[2, "mq"] == 55.551
    assert buran.loc[6, "hq_year"] == 1966 and buran.loc[6, "n_years"] == 50
    assert c["mq"].isna().sum() == 5


def test_broken_gauge_tables(tmp_path):
    good = (DATA_DIR / "grdc_gauges.csv").read_text(encoding="utf-8").splitlines()
    header, first = good[0], good[1]
    bad_lat = first.replace(",49.88,", ",149.88,")
    path = tmp_path / "g.csv"
    path.write_text("\n".join([header, bad_lat]) + "\n", encoding="utf-8")
    with pytest.raises(FlowTableError, match=r"g\.csv: row 2, column 'lat': 149\.88 is outside"):
        read_gauges(path)
    path.write_text("\n".join([header, first, first]) + "\n", encoding="utf-8")
    with pytest.raises(FlowTableError, match=r"row 3, column 'grdc_no': gauge 2911523 repeats"):
        read_gauges(path)
    path.write_text("grdc_no,river\n1,X\n", encoding="utf-8")
    with pytest.raises(FlowTableError, match=r"no station column 'station'; columns are"):
        read_gauges(path)


# --------------------------------------------------------------------------- a tiny network


def tiny_gauges(rows: list[tuple]) -> pd.DataFrame:
    cols = ["grdc_no", "river", "station", "lon", "lat", "area_km2", "mean_discharge_m3s"]
    return pd.DataFrame(rows, columns=cols)


def test_snapping_on_the_y_network():
    """Y network (EPSG:4326, tests/common.py): headwater 'a' + trunk traced as river 'y'."""
    net = from_lines(y_network_frame(), source="y")
    course = trace_course(net, (79.0, 45.0))
    reach_river = np.array(["y", "", "y"], dtype=object)
    gauges = tiny_gauges(
        [
            (1, "Y", "on the trunk", 79.5, 45.01, 20_000.0, 100.0),  # 1.1 km north
            (2, "SMALL", "tributary", 79.5, 45.01, 100.0, 1.0),  # same place, tiny basin
            (3, "Y", "far away", 79.5, 45.5, 20_000.0, np.nan),  # 55 km off
            (4, "Y", "upper", 81.0, 45.31, 5_000.0, 40.0),  # on headwater a
        ]
    )
    crossing = pd.DataFrame({"river_id": ["y"], "km_from_source": [10.0], "crossing_id": ["y-1"]})
    out = gauges_layer(gauges, net, reach_river, {"y": course}, crossing)
    assert out.crs.to_epsg() == 4326
    assert out["snap_status"].iloc[0] == SNAPPED
    assert out["snap_distance_km"].iloc[0] == pytest.approx(1.11, abs=0.05)
    assert out["snap_status"].iloc[1] == "catchment does not fit the river at the nearest reach"
    assert out["snap_status"].iloc[2] == "no reach within 10 km"
    assert out["river_id"].tolist() == ["y", "", "", "y"]
    # km from source: the trunk vertex at 79.5 E, measured along the traced course
    coords = shapely.get_coordinates(course.line)
    k = int(np.flatnonzero(np.isclose(coords[:, 0], 79.5) & np.isclose(coords[:, 1], 45.0))[0])
    assert out["km_from_source"].iloc[0] == pytest.approx(course.vertex_m[k] / 1000, abs=0.5)
    assert out["order_downstream"].tolist()[::3] == [2, 1]
    assert pd.isna(out["snapped_reach_id"].iloc[1])
    assert out["crossing_upstream"].iloc[0] == "y-1"
    assert out["km_below_crossing"].iloc[0] == pytest.approx(out["km_from_source"].iloc[0] - 10)
    # radius classes from the shared style: 100 m³/s -> class 2, 1 -> 0, no figure -> -1
    assert out["radius_class"].tolist() == [2, 0, -1, 1]


# --------------------------------------------------------------------------- the Atlas


def test_buran_is_the_first_irtysh_gauge_below_the_border(atlas):
    g = atlas["gauges"]
    assert len(g) == 54  # unsnapped gauges are kept
    buran = g.loc[g["grdc_no"] == 2911109].iloc[0]
    assert buran["snap_status"] == SNAPPED and buran["river_id"] == "irtysh"
    assert buran["snap_distance_km"] < 1.0
    assert buran["order_downstream"] == 1
    assert buran["crossing_upstream"] == "irtysh-1"
    assert 20 < buran["km_below_crossing"] < 60
    crossing = atlas["crossings"].set_index("crossing_id").loc["irtysh-1"]
    assert buran["km_from_source"] > crossing["km_from_source"]
    assert buran["radius_class"] == 3  # 297 m³/s in the 200–500 class
    assert (buran.geometry.x, buran.geometry.y) == (85.22, 48.0)


def test_irtysh_gauges_in_downstream_order(atlas):
    irtysh = gauges_by_river(atlas["gauges"])["irtysh"]
    assert irtysh["station"].tolist() == IRTYSH_STATIONS
    assert irtysh["order_downstream"].tolist() == list(range(1, 9))
    assert np.all(np.diff(irtysh["km_from_source"].to_numpy()) > 0)
    assert (irtysh["snap_distance_km"] < 2.0).all()


def test_tributary_gauges_next_to_the_irtysh_are_not_put_on_it(atlas):
    g = atlas["gauges"].set_index("station")
    for station in ("ULBA PEREVALOCHNAYA", "OGNEVKA", "BASOVA"):
        assert g.loc[station, "river_id"] == ""
        assert g.loc[station, "snap_distance_km"] < 10  # near, but the catchment is too small
        assert g.loc[station, "snap_status"] == MISFIT
        assert g.loc[station, "nearest_reach_above_km"] > 3 * g.loc[station, "hack_length_km"]
    notes = [n for n in atlas.notes if "gauge(s) kept unsnapped" in n]
    ulba = g.loc["ULBA PEREVALOCHNAYA"]
    said = (
        f"ULBA at ULBA PEREVALOCHNAYA (5.1 km from the nearest reach; "
        f"{ulba['nearest_reach_above_km']:,.0f} km of river above that point against "
        f"~{ulba['hack_length_km']:,.0f} km for a 4,900 km² catchment (Hack's law; 3× allowed))"
    )
    misfit = next(n for n in notes if MISFIT in n)
    assert said in misfit
    # what was measured is stated; the cause is left open
    assert "tributary not in the network" not in misfit and "cannot tell" in misfit
    assert any("no reach within 10 km: " in n and "km from the nearest reach" in n for n in notes)


def test_a_note_says_what_was_measured_with_upstream_areas():
    gauges = pd.DataFrame(
        {
            "river": ["A", "B"],
            "station": ["X", "Y"],
            "snap_status": [MISFIT, "no reach within 10 km"],
            "snap_distance_km": [2.0, np.nan],
            "area_km2": [400.0, 50.0],
            "nearest_reach_area_km2": [5000.0, np.nan],
            "nearest_reach_above_km": [np.nan, np.nan],
            "hack_length_km": [np.nan, np.nan],
        }
    )
    notes = snap_notes(gauges, "g.csv")
    assert notes[0] == "g.csv: 0 of 2 gauges placed on the river network"
    assert (
        "A at X (2.0 km from the nearest reach; the reach drains 5,000 km² against the "
        "gauge's 400 km² (more than 3× apart))"
    ) in notes[1]
    assert (
        notes[2]
        == "g.csv: 1 gauge(s) kept unsnapped, no reach within 10 km: B at Y (no reach within 100 km)"
    )


def test_an_analysts_gauge_table_needs_only_the_essentials(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "grdc_no;river;station;lat;lon;mean_discharge_m3s\n1;ILI;DOBYN;43,8;80,2;\n",
        encoding="utf-8",
    )
    g = read_gauges(path)
    row = g.iloc[0]
    assert (row["lat"], row["lon"]) == (43.8, 80.2)
    assert np.isnan(row["mean_discharge_m3s"]) and np.isnan(row["area_km2"])
    assert pd.isna(row["m_start"]) and row["WATERSHED_ID"] == ""
    path.write_text("grdc_no,river,station,lat,lon,mean_discharge_m3s\nX1,A,B,43,80,1\n")
    with pytest.raises(FlowTableError, match=r"row 2, column 'grdc_no': 'X1' is not a gauge"):
        read_gauges(path)
    path.write_text("grdc_no,river,station,lat,lon,mean_discharge_m3s\n1,A,B,43,80,1,7\n")
    with pytest.raises(FlowTableError, match=r"row 2 has 7 fields but the header has 6"):
        read_gauges(path)
