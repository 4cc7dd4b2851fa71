"""A generalised river network: the reaches worth drawing at a small scale.

A continental network holds millions of reaches; a map of a region draws a few thousand. The
reaches kept are those draining most (upstream area, else the longest upstream flow path):
whole rivers from their mouths up to a threshold, never isolated pieces.
"""

from __future__ import annotations

import numpy as np

from geo.network import RiverNetwork


def largest_reaches(
    net: RiverNetwork,
    at_most: int,
    *,
    box: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    """Positions (ascending) of the reaches of a generalised network: all of them when there
    are at most ``at_most``, else the ``at_most`` with the largest
    :attr:`RiverNetwork.mainstem_key` (upstream area where the data has it, else the longest
    upstream flow path) among those meeting ``box`` (lon/lat degrees, when given). Keeping the
    reaches above an upstream-area threshold keeps whole rivers: a reach's downstream
    neighbour always drains at least as much."""
    if len(net) <= at_most:
        return np.arange(len(net))
    among = np.arange(len(net)) if box is None else net.in_box(box)
    if among.size <= at_most:
        return among
    key = net.mainstem_key[among]
    top = np.argsort(-key, kind="stable")[:at_most]
    return np.sort(among[top])
