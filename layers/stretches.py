"""Where each stretch of a traced river comes from: the input (and scale) of its reaches.

A network merged from two sources (:mod:`geo.headwaters`) labels every reach with the input
it was drawn from (:attr:`geo.network.RiverNetwork.reach_source`); a course is then a
sequence of stretches, each drawn from one input, measured in km from the source (geodesic,
WGS 84), as the maps, the export and ``rivermap trace`` show them.
"""

from __future__ import annotations

import numpy as np

from geo.course import Course
from geo.network import RiverNetwork

#: a stretch: (km from the source where it starts, where it ends, what it was drawn from)
Stretch = tuple[float, float, str]


def reach_labels(net: RiverNetwork) -> np.ndarray:
    """Per reach, the label of the input it was drawn from ("network" where unknown)."""
    if net.reach_source is None:
        return np.full(len(net), "network", dtype=object)
    return np.asarray(net.reach_source, dtype=object)


def drawn_from(course: Course, labels: np.ndarray) -> list[tuple[float, float, str]]:
    """The course's stretches by input label: ``(km at start, km at end, label)``."""
    lab = labels[course.reaches]
    change = np.r_[True, lab[1:] != lab[:-1]]
    start_km = course.reach_start_m[change] / 1000.0
    end_km = np.r_[start_km[1:], course.length_m / 1000.0]
    return [
        (float(a), float(b), str(x)) for a, b, x in zip(start_km, end_km, lab[change], strict=True)
    ]


def stretches(
    net: RiverNetwork, course: dict[str, Course], titles: dict[str, str]
) -> dict[str, list[Stretch]]:
    """Per river id, its stretches with the readers' titles of their inputs."""
    labels = reach_labels(net)
    return {
        rid: [(a, b, titles.get(lab, lab)) for a, b, lab in drawn_from(c, labels)]
        for rid, c in course.items()
    }


def stretches_text(items: list[Stretch]) -> str:
    """``km 0–105 World Data Bank II (1:1–3M); km 105–1,301 …`` (whole km)."""
    return "; ".join(f"km {a:,.0f}–{b:,.0f} {title}" for a, b, title in items)
