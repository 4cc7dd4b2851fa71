"""Measures a HydroRIVERS-style table carries (``LENGTH_KM``, ``UPLAND_SKM``), read by the rule
of :mod:`geo.numeric`: a nodata marker or an empty cell is missing, a negative or non-finite
value or text is a bad value.

A missing (or, with ``bad_values="warning"``, bad) length falls back to the reach's geodesic
length on the WGS 84 ellipsoid, measured from its geometry, and a report line says so. A
missing upstream area stays NaN; :attr:`geo.network.RiverNetwork.mainstem_key` then ranks the
reach below every reach with an area at a confluence (the longest flow path decides among
reaches without one). With ``bad_values="error"`` (the
default) a bad value raises :class:`geo.errors.FieldError` naming file, column, row and value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from geo import numeric
from geo.errors import FieldError

LENGTH_COLUMN = "LENGTH_KM"
AREA_COLUMN = "UPLAND_SKM"
POLICIES = ("error", "warning")


#: geodesic length in metres (WGS 84) of the reaches at some positions, or None without lines
Measure = Callable[[np.ndarray], np.ndarray] | None


def reach_lengths_m(
    table: pd.DataFrame,
    measure: Measure,
    *,
    source: str,
    ids: np.ndarray,
    bad_values: str = "error",
) -> tuple[np.ndarray, list[str]]:
    """Length of each reach in metres (``LENGTH_KM`` × 1000 where it holds a length, else
    ``measure`` of its line: geodesic on WGS 84) and report lines."""
    if LENGTH_COLUMN not in table.columns:
        if measure is None:
            raise FieldError(
                f"{source}: no {LENGTH_COLUMN} column and no geometry to measure reach lengths from"
            )
        return measure(np.arange(len(table))), []
    numbers, bad = _measure(table, LENGTH_COLUMN, source, ids, bad_values, "a length in km")
    fallback = np.isnan(numbers.values)
    length_m = numbers.values * 1000.0
    notes = []
    if fallback.any():
        if measure is None:
            i = int(np.flatnonzero(fallback)[0])
            raise FieldError(
                f"{source}: column {LENGTH_COLUMN!r} row {i} (id {ids[i]}) "
                f"{numbers.why(i)} and there is no geometry to measure the reach from"
            )
        length_m[fallback] = measure(np.flatnonzero(fallback))
        notes.append(
            f"{source}, column {LENGTH_COLUMN!r}: {int(fallback.sum())} reach(es) without a "
            f"length ({_examples(numbers, np.flatnonzero(fallback))}); measured geodesically "
            "from their geometry (WGS 84) instead"
        )
    return length_m, notes + _bad_note(source, LENGTH_COLUMN, numbers, bad)


def upstream_areas_km2(
    table: pd.DataFrame, *, source: str, ids: np.ndarray, bad_values: str = "error"
) -> tuple[np.ndarray | None, list[str]]:
    """``UPLAND_SKM`` in km² (NaN where missing) and report lines; ``None`` without the column."""
    if AREA_COLUMN not in table.columns:
        return None, []
    numbers, bad = _measure(table, AREA_COLUMN, source, ids, bad_values, "an area in km²")
    missing = np.flatnonzero(np.isnan(numbers.values))
    notes = []
    if missing.size:
        notes.append(
            f"{source}, column {AREA_COLUMN!r}: {missing.size} reach(es) without an upstream "
            f"area ({_examples(numbers, missing)}); at a confluence they rank below reaches "
            "with an area"
        )
    return numbers.values, notes + _bad_note(source, AREA_COLUMN, numbers, bad)


def _measure(
    table: pd.DataFrame, column: str, source: str, ids: np.ndarray, bad_values: str, what: str
) -> tuple[numeric.Numbers, np.ndarray]:
    """The column parsed; negative values join the bad ones; raises for bad values when
    ``bad_values == "error"``; bad values become missing otherwise."""
    if bad_values not in POLICIES:
        raise FieldError(f"bad_values={bad_values!r}; accepted: {', '.join(POLICIES)}")
    numbers = numeric.parse_numbers(table[column])
    negative = (numbers.status == numeric.FIGURE) & (numbers.values < 0)
    bad = np.flatnonzero((numbers.status == numeric.NOT_A_NUMBER) | negative)
    if bad.size and bad_values == "error":
        i = int(bad[0])
        why = numbers.why(i) if not negative[i] else f"{numbers.cell_text(i)!r} is negative"
        more = f" (and {bad.size - 1} more)" if bad.size > 1 else ""
        raise FieldError(
            f"{source}: column {column!r} row {i} (id {ids[i]}): {why}{more}; accepted: {what} "
            f"(≥ 0), empty or a nodata marker ({numeric.current().listing(6)}) for no value; "
            "to use the geometry instead, --on-bad-values warning"
        )
    numbers.values[bad] = np.nan
    return numbers, bad


def _examples(numbers: numeric.Numbers, idx: np.ndarray) -> str:
    shown = ", ".join(
        f"row {int(i)} {numbers.cell_text(i)!r}" if numbers.cell_text(i) else f"row {int(i)} empty"
        for i in idx[:5]
    )
    return shown + (f", … {idx.size - 5} more" if idx.size > 5 else "")


def _bad_note(source: str, column: str, numbers: numeric.Numbers, bad: np.ndarray) -> list[str]:
    if not bad.size:
        return []
    return [
        f"{source}, column {column!r}: {bad.size} bad value(s) read as missing "
        f"(--on-bad-values warning): {_examples(numbers, bad)}"
    ]
