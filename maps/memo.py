"""What one Atlas's pages share across languages: display geometries and relief images are the
same in English, Kazakh, Russian and Chinese, so they are computed once per Atlas and reused.

Entries are kept per Atlas (weakly: they go with it) and keyed by what they are made from,
including the identity of the layer's frame, so a layer replaced in the Atlas is recomputed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar
from weakref import finalize

from layers.atlas import Atlas

T = TypeVar("T")
#: id(atlas) -> its entries; an Atlas (a dataclass with ``eq``) is not hashable
_STORE: dict[int, dict] = {}


def once(atlas: Atlas, key: Hashable, make: Callable[[], T]) -> T:
    """``make()`` the first time ``key`` is asked for this Atlas, the same value afterwards."""
    shelf = _STORE.get(id(atlas))
    if shelf is None:
        shelf = _STORE[id(atlas)] = {}
        finalize(atlas, _STORE.pop, id(atlas), None)
    if key not in shelf:
        shelf[key] = make()
    return shelf[key]
