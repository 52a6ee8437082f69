"""maskkit.cc.label with periodic boundaries and continuous values (delta).

The oracle is a union-find over every pair of neighbouring pixels, written plainly in Python:
a pair joins when both pixels differ from the background and the rule holds (any pair, equal
values, or values within delta); with periodic boundaries the neighbour of a pixel on a face
is taken modulo the shape. Labels in raster order of first pixels are unique for a partition,
so the oracle's labels must match exactly. Periodic binary labeling is also checked against
scipy on the image tiled 3x3 (research notes, property 16) and, where cc3d supports the same
options, against cc3d as a partition.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import cc

from .cc_helpers import CONNECTIVITIES, HOPS, class_maps, oracle, same_partition



def tiled_scipy_partition(ndi, x, k):
    """Property 16: scipy on the image tiled 3x3 (3x3x3), copies of one pixel merged."""
    tiled, _ = ndi.label(np.tile(x != 0, (3,) * x.ndim), ndi.generate_binary_structure(x.ndim, HOPS[k]))
    parent: dict[int, int] = {}

    def find(a):
        parent.setdefault(a, a)
        while parent[a] != a:
            a = parent[a] = parent[parent[a]]
        return a

    for p in itertools.product(*map(range, x.shape)):
        copies = {int(tiled[tuple(c + t * s for c, t, s in zip(p, tile, x.shape))])
                  for tile in itertools.product(range(3), repeat=x.ndim)}
        roots = sorted(find(c) for c in copies)
        for r in roots[1:]:
            parent[r] = roots[0]
    centre = tiled[tuple(slice(s, 2 * s) for s in x.shape)]
    return np.vectorize(lambda v: find(int(v)) if v else 0, otypes=[np.int64])(centre)


small = class_maps(7, 4)


@given(small)
def test_periodic_equals_oracle_and_tiled_scipy(ndi, simd_target, x):
    for k in CONNECTIVITIES[x.ndim]:
        got, n = cc.label(x, k, periodic=True)
        expected, m = oracle(x, k, periodic=True)
        assert n == m and np.array_equal(got, expected)
        assert same_partition(got, tiled_scipy_partition(ndi, x, k))
        assert np.array_equal(cc.label(np.asfortranarray(x), k, periodic=True)[0], got)


@given(small)
def test_periodic_multilabel_equals_oracle(simd_target, x):
    for k in CONNECTIVITIES[x.ndim]:
        got, n = cc.label(x, k, multilabel=True, periodic=True)
        expected, m = oracle(x, k, periodic=True, joins=lambda a, b: a == b)
        assert n == m and np.array_equal(got, expected)


def test_periodic_wraps_every_axis():
    x = np.zeros((5, 6), np.uint8)
    x[0, 2] = x[4, 2] = 1  # top and bottom rows touch
    x[2, 0] = x[2, 5] = 1  # left and right columns touch
    x[4, 4] = 1  # alone: its wrapped neighbours (0, 4) and (4, 5) are background
    labels, n = cc.label(x, 4, periodic=True)
    assert n == 3 and labels[0, 2] == labels[4, 2] and labels[2, 0] == labels[2, 5]
    assert cc.label(x, 4)[1] == 5
    corners = np.zeros((4, 4), np.uint8)
    corners[0, 0] = corners[3, 3] = 1  # diagonal across the corner: 8-connected only
    assert cc.label(corners, 8, periodic=True)[1] == 1
    assert cc.label(corners, 4, periodic=True)[1] == 2
    volume = np.zeros((4, 3, 3), np.uint8)
    volume[0, 1, 1] = volume[3, 1, 1] = 1
    assert cc.label(volume, 6, periodic=True)[1] == 1
    assert cc.label(volume, 6)[1] == 2


def test_periodic_stats_and_threads():
    import maskkit

    rng = np.random.default_rng(5)
    image = (rng.random((1030, 1027)) < 0.45).astype(np.uint8)
    volume = (rng.random((70, 120, 125)) < 0.25).astype(np.uint8)
    previous = maskkit.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 3):
            maskkit.set_num_threads(threads)
            results.append((cc.label(image, 8, periodic=True), cc.label(volume, 26, periodic=True)))
        for (a, _), (b, _) in zip(results, results[1:]):
            assert a[1] == b[1] and np.array_equal(a[0], b[0])
        for (_, a), (_, b) in zip(results, results[1:]):
            assert a[1] == b[1] and np.array_equal(a[0], b[0])
        flat, n_flat = cc.label(image, 8)
        wrapped, n = results[0][0]
        # wrapping only merges: each component of the plain labeling lies in one wrapped one
        pairs = np.unique(np.stack([flat[flat > 0], wrapped[wrapped > 0]]), axis=1)
        assert n < n_flat and len(np.unique(pairs[0])) == pairs.shape[1] == n_flat
        s = cc.label_stats(image, 8, periodic=True)
        assert np.array_equal(s.labels, wrapped)
        assert s.area.tolist() == np.bincount(wrapped.ravel(), minlength=n + 1)[1:].tolist()
    finally:
        maskkit.set_num_threads(previous)


def test_periodic_where_cc3d_misses_a_wrap(ndi, cc3d):
    """cc3d 4.1.1's periodic_boundary misses some wraps (here along x in the first row, and
    along y in a one-column image); maskkit follows the torus (oracle and tiled scipy)."""
    for x, k in [(np.array([[1, 0, 1], [0, 0, 0], [0, 0, 0]], np.uint8), 4),
                 (np.array([[1], [0], [1], [0], [1]], np.uint8), 4)]:
        got, n = cc.label(x, k, periodic=True)
        expected, m = oracle(x, k, periodic=True)
        assert n == m and np.array_equal(got, expected)
        assert same_partition(got, tiled_scipy_partition(ndi, x, k))
        assert cc3d.connected_components(x, connectivity=k, periodic_boundary=True).max() > n


# ---- continuous values ---------------------------------------------------------------------
graded = st.integers(2, 3).flatmap(
    lambda nd: st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]).flatmap(
        lambda dt: hnp.arrays(
            dt, hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=1, max_side=7 if nd == 2 else 4),
            elements=st.integers(-6 if np.dtype(dt).kind != "u" else 0, 6).map(lambda v: v * 0.5 if dt in (np.float32, np.float64) else v),
        )
    )
)


@given(graded, st.sampled_from([0, 0.5, 1, 1.5, 2, 3.25]), st.booleans())
def test_delta_equals_oracle(x, delta, periodic):
    for k in CONNECTIVITIES[x.ndim]:
        got, n = cc.label(x, k, delta=delta, periodic=periodic)
        expected, m = oracle(x, k, periodic=periodic, joins=lambda a, b: abs(a - b) <= delta)
        assert n == m and np.array_equal(got, expected)


@given(small.map(lambda x: x.astype(np.int16) * 3 - 2))
def test_delta_zero_is_multilabel(x):
    for k in CONNECTIVITIES[x.ndim]:
        assert np.array_equal(cc.label(x, k, delta=0)[0], cc.label(x, k, multilabel=True)[0])


def test_delta_integer_extremes_and_background():
    big = np.array([[np.iinfo(np.int64).min, np.iinfo(np.int64).max, np.iinfo(np.int64).max - 1]], np.int64)
    assert cc.label(big, 4, delta=1)[0].tolist() == [[1, 2, 2]]
    assert cc.label(big, 4, delta=2**64)[0].tolist() == [[1, 1, 1]]  # capped, still joins all
    wide = np.array([[0, 2**64 - 1, 2**64 - 3]], np.uint64)
    assert cc.label(wide, 4, delta=2.9)[0].tolist() == [[0, 1, 1]]  # floor(2.9) = 2
    shifted = np.array([[5, 6, 9, 9]], np.int32)
    assert cc.label(shifted, 4, delta=1, background=9)[0].tolist() == [[1, 1, 0, 0]]
    floats = np.array([[0.0, -0.0, 1e-3, 0.5]], np.float32)
    assert cc.label(floats, 4, delta=0.6)[0].tolist() == [[0, 0, 1, 1]]  # -0.0 is background too


def test_delta_stats_and_threads():
    import maskkit

    rng = np.random.default_rng(8)
    image = np.cumsum(rng.normal(0, 1, (1100, 1000)), axis=1).astype(np.float32)
    image[rng.random(image.shape) < 0.2] = 0
    volume = np.cumsum(rng.normal(0, 1, (40, 160, 170)), axis=2).astype(np.float32)
    volume[rng.random(volume.shape) < 0.3] = 0
    previous = maskkit.get_num_threads()
    try:
        maskkit.set_num_threads(1)
        one, n = cc.label(image, 8, delta=0.8)
        volume_one = [cc.label(volume, k, delta=0.8) for k in (6, 18, 26)]
        maskkit.set_num_threads(3)
        three, m = cc.label(image, 8, delta=0.8)
        volume_three = [cc.label(volume, k, delta=0.8) for k in (6, 18, 26)]
    finally:
        maskkit.set_num_threads(previous)
    assert n == m and np.array_equal(one, three)
    for (a, n_a), (b, n_b) in zip(volume_one, volume_three):
        assert n_a == n_b and np.array_equal(a, b)
    first = np.unique(one, return_index=True)[1][1:]
    assert np.all(np.diff(first) > 0)
    s = cc.label_stats(image, 8, delta=0.8)
    assert s.n == n and s.area.tolist() == np.bincount(one.ravel(), minlength=n + 1)[1:].tolist()


def test_delta_against_cc3d(cc3d):
    rng = np.random.default_rng(4)
    for shape, k in [((40, 45), 4), ((10, 12, 11), 6), ((10, 12, 11), 18), ((10, 12, 11), 26)]:
        x = rng.integers(0, 40, shape).astype(np.int32)
        expected = cc3d.connected_components(x, connectivity=k, delta=3)
        assert same_partition(cc.label(x, k, delta=3)[0], expected)


def test_delta_where_cc3d_8_connected_joins_far_values(cc3d):
    """cc3d 4.1.1's 8-connected delta path joins 7 to the 1 above it (|7 - 1| > 2) and keeps
    it apart from its diagonal neighbour 6; maskkit follows the definition (the oracle)."""
    x = np.array([[4, 2, 2], [0, 0, 0], [1, 6, 5], [7, 4, 4]], np.int32)
    got, n = cc.label(x, 8, delta=2)
    assert n == 3 and got.tolist() == [[1, 1, 1], [0, 0, 0], [2, 3, 3], [3, 3, 3]]
    assert np.array_equal(got, oracle(x, 8, joins=lambda a, b: abs(a - b) <= 2)[0])
    theirs = cc3d.connected_components(x, connectivity=8, delta=2)
    assert theirs[3, 0] == theirs[2, 0] != theirs[2, 1]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"delta": -1}, ValueError, ">= 0"),
        ({"delta": math.nan}, ValueError, ">= 0"),
        ({"delta": math.inf}, ValueError, ">= 0"),
        ({"delta": True}, TypeError, "real number"),
        ({"delta": "1"}, TypeError, "real number"),
        ({"delta": 1, "multilabel": True}, ValueError, "not both"),
        ({"periodic": 1}, TypeError, "bool"),
        ({"periodic": None}, TypeError, "bool"),
    ],
)
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        cc.label(np.ones((3, 3), np.uint8), 8, **kwargs)


def test_bad_float_images():
    x = np.array([[0.5, np.nan], [1.0, 2.0]])
    with pytest.raises(ValueError, match="NaN or infinity"):
        cc.label(x, 4, delta=1)
    with pytest.raises(ValueError, match="NaN or infinity"):
        cc.label(np.array([[np.inf, 1.0]], np.float32), 4, delta=1)
    with pytest.raises(TypeError, match="delta="):
        cc.label(np.ones((2, 2)), 4)
    with pytest.raises(ValueError, match="finite"):
        cc.label(np.ones((2, 2)), 4, delta=1, background=math.nan)
    with pytest.raises(TypeError, match="complex"):
        cc.label(np.ones((2, 2), np.complex64), 4, delta=1)
    assert cc.label(np.ones((2, 2), np.float16), 4, delta=0)[1] == 1
    assert cc.label(np.zeros((0, 3)), 4, delta=1)[1] == 0
    assert cc.label(np.zeros((0, 3), np.uint8), 4, periodic=True)[1] == 0


def test_periodic_single_plane_volume_is_the_periodic_image():
    rng = np.random.default_rng(9)
    plane = (rng.random((61, 67)) < 0.4).astype(np.uint8)
    for k3, k2 in [(6, 4), (18, 8), (26, 8)]:
        expected = cc.label(plane, k2, periodic=True)
        got = cc.label(plane[None], k3, periodic=True)
        assert got[1] == expected[1] and np.array_equal(got[0][0], expected[0])
    row = plane[:1]
    for k in (4, 8):
        assert np.array_equal(cc.label(row, k, periodic=True)[0], oracle(row, k, periodic=True)[0])
