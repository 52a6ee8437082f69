"""Shared pieces of the connected-components tests."""

from __future__ import annotations

import itertools

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


def offsets(ndim, k):
    return [o for o in itertools.product((-1, 0, 1), repeat=ndim) if 0 < sum(map(abs, o)) <= HOPS[k]]


def oracle(x, k, *, periodic=False, joins=lambda a, b: True, background=0):
    """Raster-order labels of the components of x under the rule, by brute force."""
    shape = x.shape
    values = x.ravel().tolist()  # Python ints / floats: exact differences
    parent = list(range(len(values)))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for p in itertools.product(*map(range, shape)):
        vp = values[np.ravel_multi_index(p, shape)]
        if vp == background:
            continue
        for o in offsets(x.ndim, k):
            q = [a + b for a, b in zip(p, o)]
            if periodic:
                q = [c % s for c, s in zip(q, shape)]
            elif any(c < 0 or c >= s for c, s in zip(q, shape)):
                continue
            iq = int(np.ravel_multi_index(q, shape))
            vq = values[iq]
            if vq != background and joins(vp, vq):
                a, b = find(int(np.ravel_multi_index(p, shape))), find(iq)
                parent[max(a, b)] = min(a, b)
    labels = np.zeros(len(values), np.int64)
    numbers: dict[int, int] = {}
    for i, v in enumerate(values):
        if v != background:
            labels[i] = numbers.setdefault(find(i), len(numbers) + 1)
    return labels.reshape(shape), len(numbers)
