"""The river network file's own columns for some reaches, names and types as in the file.

A network read whole keeps them in :attr:`geo.network.RiverNetwork.attributes`; one whose lines
stay in the file (:class:`geo.reachfile.ReachFile`, a continental HydroRIVERS extract) has them
read here for the reaches asked for only, by feature id, without geometry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.network import RiverNetwork


def reach_attributes(net: RiverNetwork, positions: np.ndarray) -> pd.DataFrame | None:
    """The source's columns (all but the geometry) of reach ``positions``, in that order; None
    when the network has none (built in code)."""
    positions = np.asarray(positions, dtype=np.int64)
    if net.attributes is not None:
        if len(net.attributes) != len(net):
            return None
        return net.attributes.iloc[positions].reset_index(drop=True)
    store = net.store
    if store is None:
        return None
    import pyogrio.raw

    unique, back = np.unique(positions, return_inverse=True)
    _, table = pyogrio.raw.read_arrow(
        store.path,
        layer=store.layer,
        fids=store.fids[unique],
        read_geometry=False,
        return_fids=True,
    )
    got = store.positions_of(np.asarray(table.column(0)))
    frame = table.drop_columns([table.column_names[0]]).to_pandas()
    frame.index = np.searchsorted(unique, got)
    return frame.sort_index().iloc[back].reset_index(drop=True)
