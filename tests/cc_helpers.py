"""Shared pieces of the connected-components tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

HOPS = {4: 1, 8: 2, 6: 1, 18: 2, 26: 3}
CONNECTIVITIES = {2: (4, 8), 3: (6, 18, 26)}


def class_maps(max_side_2d: int, max_side_3d: int) -> st.SearchStrategy[np.ndarray]:
    """2-D or 3-D uint8 images of the values 0, 1 and 2."""
    return st.integers(2, 3).flatmap(
        lambda nd: hnp.arrays(
            np.uint8,
            hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=1, max_side=max_side_2d if nd == 2 else max_side_3d),
            elements=st.integers(0, 2),
        )
    )


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Same background and a one-to-one map between the labels."""
    if not np.array_equal(a == 0, b == 0):
        return False
    pairs = np.unique(np.stack([a[a != 0], b[b != 0]]), axis=1)
    return len(np.unique(pairs[0])) == len(np.unique(pairs[1])) == pairs.shape[1]
