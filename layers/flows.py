"""The Atlas step that joins flow figures to the rivers, crossings, basins and gauges.

``attach_flows(atlas)`` reads the published figures (``seed_flows.csv``, or the analyst's table
of the same layout), the monthly basin water balance and the GRDC gauges, and adds:

- ``flows``: every figure in long format (subject, quantity, value, unit, period, source),
  with derived figures beside the published ones: mean m³/s over the period's real length,
  each river's share of the total, the Ili's inflow against what reached Balkhash, Buran's
  long-term mean, basin P − ET in km³/yr; where the data says nothing, a "no figure" row;
- ``water_balance_monthly``, ``gauges`` (points, EPSG:4326), ``gauge_climatology``;
- flow columns on ``crossings``, ``rivers``, ``river_courses`` and ``basins``.

``attach_user_flows(atlas, table)`` joins an analyst's :class:`FlowTable` in the same way.
Every join's report goes to ``atlas.notes``.

The rules for each kind of figure live in their own modules: :mod:`layers.figures` (the
``flows`` table and subject names), :mod:`layers.published` (the published figures),
:mod:`layers.balance` (the basin water balance), :mod:`layers.gauge_figures` (gauges) and
:mod:`layers.user_flows` (analysts' tables).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from layers.balance import (
    basin_balance,
    basin_columns,
    basin_figures,
    water_balance_monthly,
    water_balance_yearly,
)
from layers.figures import FLOW_COLUMNS, name_index, subjects
from layers.gauge_figures import gauge_figures, read_atlas_gauges
from layers.lake_figures import lake_figures
from layers.published import (
    course_flows,
    crossing_flows,
    read_published,
    release_share_figures,
    seed_figures,
    seed_places,
    share_figures,
)
from layers.reach_figures import apply_discharge, collect
from layers.subset import flows_mask
from layers.user_flows import attach_user_flow_file, attach_user_flows, read_user_flow_file

if TYPE_CHECKING:
    from layers.atlas import Atlas

__all__ = [
    "FLOW_COLUMNS",
    "attach_flows",
    "attach_user_flow_file",
    "attach_user_flows",
    "read_user_flow_file",
]


def attach_flows(atlas: Atlas) -> None:
    """Add the flow layers and columns to the Atlas in place (see the module docstring)."""
    from layers.atlas import Layer

    p = atlas.sources.about
    index = name_index(atlas)
    seed = seed_places(subjects(read_published(atlas), index), atlas)
    monthly = water_balance_monthly(atlas)
    gauges, clim = read_atlas_gauges(atlas)
    crossings = crossing_flows(atlas, seed)
    atlas.layers["crossings"].frame = crossings
    course_flows(atlas, crossings)
    yearly = water_balance_yearly(monthly)
    basins = basin_columns(atlas, basin_balance(yearly))
    atlas.layers["basins"].frame = basins
    flows = pd.concat(
        [
            seed_figures(seed, crossings),
            share_figures(seed, crossings, index),
            release_share_figures(seed),
            gauge_figures(gauges, clim, crossings),
            basin_figures(basins, p("water_balance").attribution),
        ],
        ignore_index=True,
    )
    described = [
        (
            "flows",
            "Flow figures",
            flows,
            "Every flow figure with its period and source; derived figures (mean m³/s over "
            "the real period length, shares, P − ET) are marked derived; 'no figure' where "
            "the data says nothing.",
            ("flows", "gauges", "gauge_climatology", "water_balance", "basins"),
        ),
        (
            "water_balance_monthly",
            "Monthly basin water balance",
            monthly,
            "Monthly precipitation, evapotranspiration and storage change (mm) per watershed, "
            "with MSWEP precipitation beside it.",
            ("water_balance", "precipitation"),
        ),
        (
            "water_balance_yearly",
            "Yearly basin water balance",
            yearly,
            "Precipitation, evapotranspiration and P − ET (mm) per watershed and calendar year, "
            "summed from the monthly table; no figure for a year without all twelve months.",
            ("water_balance",),
        ),
        (
            "gauges",
            "GRDC gauges",
            gauges,
            "GRDC gauges with long-term mean discharge (m³/s), snapped to the river network "
            "(snap distance geodesic, km); each traced river's gauges in downstream order.",
            ("gauges", "rivers"),
        ),
        (
            "gauge_climatology",
            "GRDC monthly discharge climatology",
            clim,
            "Long-term lowest, mean and highest discharge (m³/s) per calendar month and gauge.",
            ("gauge_climatology",),
        ),
    ]
    for name, title, frame, text, roles in described:
        atlas.add(Layer(name, title, frame, text, tuple(p(r) for r in roles)))
    if atlas.region is not None:
        _subset_flows(atlas)
    atlas.layers["lakes"].frame = lake_figures(atlas["lakes"], atlas["flows"])
    candidates, notes = collect(atlas, crossings, seed)
    atlas.notes.extend(notes)
    apply_discharge(atlas, candidates)


def _subset_flows(atlas: Atlas) -> None:
    """A subset of rivers: the figures about what was kept (see :mod:`layers.subset`)."""
    region = atlas.region
    kept = {
        "crossing": set(atlas["crossings"].get("crossing_id", pd.Series(dtype=str))),
        "lake": set(atlas["lakes"]["lake_id"].astype(str)),
        "basin": set(region.basin_ids),
        "gauge": set(atlas["gauges"]["grdc_no"].astype(str)),
    }
    flows = atlas["flows"]
    atlas.layers["flows"].frame = flows.loc[flows_mask(flows, kept, region.rivers)].reset_index(
        drop=True
    )
