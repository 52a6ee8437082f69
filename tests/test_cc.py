"""maskkit.cc.label against scipy.ndimage.label and skimage.measure.label."""

from __future__ import annotations

import functools
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import cc

from .cc_helpers import CONNECTIVITIES, HOPS, class_maps, oracle, same_partition


images = st.integers(2, 3).flatmap(
    lambda nd: hnp.arrays(
        st.sampled_from([np.uint8, np.int16, np.int32, np.int64, np.uint64]),
        hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=1, max_side=12),
        elements=st.integers(0, 3),
    )
)


def views(x):
    """The same logical image in several memory layouts."""
    yield x
    yield np.asfortranarray(x)
    flipped = np.ascontiguousarray(x[::-1, ::-1])[::-1, ::-1]
    yield flipped
    padded = np.zeros(tuple(s + 2 for s in x.shape), x.dtype)
    padded[(slice(1, -1),) * x.ndim] = x
    yield padded[(slice(1, -1),) * x.ndim]


@given(images)
def test_binary_equals_scipy(ndi, simd_target, x):
    for k in CONNECTIVITIES[x.ndim]:
        expected, n = ndi.label(x != 0, ndi.generate_binary_structure(x.ndim, HOPS[k]))
        for view in views(x):
            got, m = cc.label(view, k)
            assert m == n and np.array_equal(got, expected)
            assert got.dtype == np.dtype(np.uint8 if n < 256 else np.uint16)
        assert np.array_equal(cc.label(x.astype(bool), k)[0], expected)


@given(images)
def test_multilabel_equals_skimage(measure, x):
    for k in CONNECTIVITIES[x.ndim]:
        expected = measure.label(x, connectivity=HOPS[k], background=0)
        got, n = cc.label(x, k, multilabel=True)
        assert n == expected.max()
        if min(x.shape) > 1:
            assert np.array_equal(got, expected)
        else:  # skimage numbers these out of raster order; the components are the same
            assert same_partition(got, expected)
        first = np.unique(got, return_index=True)[1][1:]
        assert np.all(np.diff(first) > 0)  # raster order of first pixels
        for view in views(x):
            assert np.array_equal(cc.label(view, k, multilabel=True)[0], got)


@given(images, st.integers(0, 3))
def test_background_value(ndi, measure, x, background):
    k = CONNECTIVITIES[x.ndim][-1]
    expected, n = ndi.label(x != background, ndi.generate_binary_structure(x.ndim, x.ndim))
    got, m = cc.label(x, k, background=background)
    assert m == n and np.array_equal(got, expected)
    multi = measure.label(x, connectivity=x.ndim, background=background)
    got_multi, _ = cc.label(x, k, multilabel=True, background=background)
    assert same_partition(got_multi, multi)


def test_default_is_full_connectivity_and_structure(ndi):
    eye = np.eye(4, dtype=bool)
    assert cc.label(eye)[1] == 1
    assert cc.label(eye, 4)[1] == 4
    assert cc.label(eye, structure=ndi.generate_binary_structure(2, 1))[1] == 4
    cube = np.zeros((3, 3, 3), np.uint8)
    cube[0, 0, 0] = cube[1, 1, 1] = cube[2, 2, 2] = 1
    assert cc.label(cube)[1] == 1
    assert cc.label(cube, 18)[1] == 3
    assert cc.label(cube, structure=ndi.generate_binary_structure(3, 2))[1] == 3


def test_signed_values_and_negative_background():
    x = np.array([[-1, -1, 5], [0, -1, 5]], np.int8)
    labels, n = cc.label(x, 4, multilabel=True, background=-1)
    assert n == 2 and labels.tolist() == [[0, 0, 1], [2, 0, 1]]


def test_dtype_selection_and_overflow():
    checker = np.indices((40, 40)).sum(axis=0) % 2 == 0  # 800 isolated pixels at 4-conn
    labels, n = cc.label(checker, 4)
    assert n == 800 and labels.dtype == np.uint16
    with pytest.raises(OverflowError, match="800"):
        cc.label(checker, 4, dtype=np.uint8)
    assert cc.label(checker, 4, dtype=np.int32)[0].dtype == np.int32
    big = np.indices((363, 363)).sum(axis=0) % 2 == 0
    labels, n = cc.label(big, 4)
    assert n > 65_535 and labels.dtype == np.uint32
    with pytest.raises(OverflowError):
        cc.label(big, 4, dtype=np.uint16)


def test_out_buffer():
    x = np.array([[1, 0, 1]], np.uint8)
    out = np.full((1, 3), 7, np.int32)
    result, n = cc.label(x, 4, out=out)
    assert result is out and n == 2 and out.tolist() == [[1, 0, 2]]
    with pytest.raises(ValueError):
        cc.label(x, 4, out=np.zeros((3, 1), np.int32))
    with pytest.raises(OverflowError):
        cc.label(np.indices((40, 40)).sum(axis=0) % 2 == 0, 4, out=np.zeros((40, 40), np.uint8))


@given(
    hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=40),
    st.floats(0.05, 0.7),
    st.integers(0, 2**32 - 1),
)
def test_26_connectivity_through_plane_projections(ndi, shape, density, seed):
    """Binary 26-connectivity links each plane with the one before through the 8-connected
    stretches of their projection: sparse and dense volumes, long rows, thin plates."""
    volume = np.random.default_rng(seed).random(shape) < density
    expected, n = ndi.label(volume, np.ones((3, 3, 3), bool))
    got, m = cc.label(volume, 26)
    assert m == n and np.array_equal(got, expected)


@pytest.mark.parametrize("background", [0, 7])
def test_rows_through_few_components(ndi, measure, background):
    """When components have many runs each, rows are written by selecting over the pixels
    (consecutive runs sharing a label at once): every output type, background value and mode."""
    rng = np.random.default_rng(5)
    foreground = rng.random((30, 41, 43)) < 0.55  # one large 26-connected component, some dust
    image = np.where(foreground, np.uint8(200), np.uint8(background))
    expected, n = ndi.label(foreground, np.ones((3, 3, 3), bool))
    assert np.count_nonzero(np.diff(foreground, axis=2, prepend=False) & foreground) > 100 * n  # runs per component
    for dtype in (np.uint16, np.uint32, np.int64):
        got, m = cc.label(image, 26, background=background, dtype=dtype)
        assert m == n and got.dtype == dtype and np.array_equal(got, expected)
    assert np.array_equal(cc.label_stats(image, 26, background=background).labels, expected)
    assert_stats_match_numpy_and_scipy(ndi, foreground.view(np.uint8), 26)  # measures of grouped runs
    # delta wide enough to join every pair of values: the binary partition
    grey = np.where(foreground, rng.integers(100, 110, foreground.shape, dtype=np.uint8), np.uint8(background))
    assert np.array_equal(cc.label(grey, 26, background=background, delta=255)[0], expected)
    # out= the image itself: the select must not read pixels the write has already replaced
    for out_type in (np.uint8, np.int8):
        inplace = image.copy()
        got, m = cc.label(inplace, 26, background=background, out=inplace.view(out_type))
        assert m == n and np.shares_memory(got, inplace) and np.array_equal(got, expected)
    classes = np.where(foreground, np.uint8(1) + (np.arange(43) >= 20).astype(np.uint8), np.uint8(background))
    assert np.array_equal(
        cc.label(classes, 26, multilabel=True, background=background)[0],
        measure.label(classes, connectivity=3, background=background),
    )


def test_long_rows_on_every_simd_target(ndi, measure, simd_target):
    """Rows many SIMD blocks long, from empty to one edge per pixel (alternating pixels set 64 run
    bounds in a block), in binary and multilabel mode."""
    rng = np.random.default_rng(17)
    rows = [np.zeros(1000), np.ones(1000), np.arange(1000) % 2, (np.arange(1000) // 3) % 2]
    rows += [rng.random(1000) < p for p in (0.02, 0.3, 0.5, 0.7, 0.98)]
    rows += [rng.integers(0, 3, 1000), np.repeat(rng.integers(0, 4, 100), 10)]
    image = np.repeat(np.array(rows, np.uint8), 2, axis=0)[:-1]  # pairs of rows: each one touches the next
    for k in (4, 8):
        expected, n = ndi.label(image, ndi.generate_binary_structure(2, HOPS[k]))
        got, m = cc.label(image, k)
        assert m == n and np.array_equal(got, expected)
        got, m = cc.label(image, k, multilabel=True)
        assert np.array_equal(got, measure.label(image, connectivity=HOPS[k], background=0))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
@pytest.mark.parametrize("spans", ["long", "short"])
def test_spans_of_every_length(ndi, dtype, spans):
    """Runs and gaps from 1 to 300 pixels, touching both row ends, for every label width: the
    writer's fixed blocks, its store loop and its long fills, on images whose spans are mostly
    long and mostly short (the writer picks its block size from the average)."""
    rng = np.random.default_rng(11)
    width = 997
    image = np.zeros((61, width), np.uint8)
    for row in image[::2]:  # background rows between: every run is a component
        x, on = 0, bool(rng.integers(2))
        while x < width:
            short = spans == "short" and rng.random() < 0.9
            length = int(rng.integers(1, 4) if short else rng.integers(1, 301))
            row[x : x + length] = on
            x, on = x + length, not on
    expected, n = ndi.label(image)
    limit = np.iinfo(dtype).max
    while n > limit:  # a uint8 image keeps the rows whose components fit
        image = image[:-2]
        expected, n = ndi.label(image)
    got, m = cc.label(image, 8, dtype=dtype)
    assert m == n and got.dtype == dtype and np.array_equal(got, expected)


def test_edge_cases():
    assert cc.label(np.zeros((0, 5), np.uint8))[1] == 0
    assert cc.label(np.zeros((3, 0, 2), np.uint8))[0].shape == (3, 0, 2)
    assert cc.label(np.zeros((4, 4), np.uint8))[1] == 0
    full, n = cc.label(np.ones((4, 5), bool))
    assert n == 1 and full.min() == 1  # one component, no extra "background" label
    one_plane = np.random.default_rng(1).integers(0, 2, (1, 9, 9), dtype=np.uint8)
    assert np.array_equal(cc.label(one_plane, 26)[0][0], cc.label(one_plane[0], 8)[0])


@pytest.mark.parametrize(
    "image, kwargs, exc",
    [
        (np.zeros((3, 3), np.float32), {}, TypeError),
        (np.zeros((3, 3), np.float64), {"connectivity": 4}, TypeError),
        (np.zeros((3, 3), np.uint8), {"connectivity": 6}, ValueError),
        (np.zeros((3, 3, 3), np.uint8), {"connectivity": 8}, ValueError),
        (np.zeros((3, 3), np.uint8), {"connectivity": True}, ValueError),
        (np.zeros(5, np.uint8), {}, ValueError),
        (np.zeros((2, 2, 2, 2), np.uint8), {}, ValueError),
        (np.array(3, np.uint8), {}, ValueError),
        (np.zeros((3, 3), np.uint8), {"structure": np.ones((3, 3)), "connectivity": 8}, ValueError),
        (np.zeros((3, 3), np.uint8), {"structure": np.array([[0, 1, 0], [1, 1, 1], [0, 0, 0]])}, ValueError),
        (np.zeros((3, 3), np.uint8), {"background": 300}, ValueError),
        (np.zeros((3, 3), np.uint8), {"background": 0.5}, TypeError),
        (np.zeros((3, 3), np.uint8), {"dtype": np.float32}, TypeError),
    ],
)
def test_errors(image, kwargs, exc):
    with pytest.raises(exc):
        cc.label(image, **kwargs)


def test_cc3d_counter_examples():
    """Images on which cc3d 4.1.1's binary fast paths fail (research notes, section 2.8)."""
    x = np.array([[0, 0, 0], [0, 0, 1], [0, 0, 1]], bool)
    assert cc.label(x, 8)[0].tolist() == [[0, 0, 0], [0, 0, 1], [0, 0, 1]]
    y = np.array([[1, 2], [3, 1]], np.uint8)
    assert cc.label(y, 4)[1] == 1
    assert cc.label(np.array([[3], [2], [1]], np.uint8), 4)[1] == 1


def assert_stats_match_numpy_and_scipy(ndi, x, k):
    s = cc.label_stats(x, k)
    labels, n = cc.label(x, k)
    assert s.n == n and np.array_equal(s.labels, labels)
    assert s.area.tolist() == np.bincount(labels.ravel(), minlength=n + 1)[1:].tolist()
    slices = ndi.find_objects(labels.astype(np.int64))
    ndim = x.ndim
    assert [tuple(slice(int(a), int(b)) for a, b in zip(box[:ndim], box[ndim:])) for box in s.bbox] == [
        tuple(slice(sl.start, sl.stop) for sl in obj) for obj in slices
    ]
    if n:
        expected = np.array(ndi.center_of_mass(labels > 0, labels, range(1, n + 1)))
        assert np.array_equal(s.centroid, expected.reshape(n, ndim))


@given(images)
def test_stats_equal_numpy_and_scipy(ndi, x):
    assert_stats_match_numpy_and_scipy(ndi, x, CONNECTIVITIES[x.ndim][0])


# ---- clean-up functions -------------------------------------------------------------------
masks = st.integers(2, 3).flatmap(
    lambda nd: hnp.arrays(bool, hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=1, max_side=12))
)


@given(masks, st.integers(0, 12), st.data())
def test_remove_small_objects_and_holes_equal_skimage(morphology, mask, max_size, data):
    hops = data.draw(st.integers(1, mask.ndim))
    assert np.array_equal(
        cc.remove_small_objects(mask, max_size, hops), morphology.remove_small_objects(mask, max_size=max_size, connectivity=hops)
    )
    assert np.array_equal(
        cc.remove_small_holes(mask, max_size, hops), morphology.remove_small_holes(mask, max_size=max_size, connectivity=hops)
    )
    labels = cc.label(mask, CONNECTIVITIES[mask.ndim][hops - 1])[0].astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn on an integer image holding one label
        got = cc.remove_small_objects(labels, max_size)
        expected = morphology.remove_small_objects(labels, max_size=max_size)
    assert np.array_equal(got, expected)


@given(masks, st.data())
def test_fill_holes_equals_scipy(ndi, mask, data):
    hops = data.draw(st.integers(1, mask.ndim))
    structure = ndi.generate_binary_structure(mask.ndim, hops)
    assert np.array_equal(cc.fill_holes(mask, structure=structure), ndi.binary_fill_holes(mask, structure))
    assert np.array_equal(cc.fill_holes(mask), ndi.binary_fill_holes(mask))



@given(
    class_maps(10, 10),
    st.integers(1, 6),
)
def test_dust_equals_cc3d(cc3d, image, threshold):
    for k in CONNECTIVITIES[image.ndim]:
        assert np.array_equal(cc.dust(image, threshold, k), cc3d.dust(image, threshold, connectivity=k))
        assert np.array_equal(
            cc.dust(image, threshold, k, invert=True), cc3d.dust(image, threshold, connectivity=k, invert=True)
        )
        assert np.array_equal(cc.dust(image, (2, 5), k), cc3d.dust(image, (2, 5), connectivity=k))


@given(
    class_maps(10, 10),
    st.integers(2, 4),
)
def test_largest_k_matches_cc3d_without_ties(cc3d, image, k):
    for conn in CONNECTIVITIES[image.ndim]:
        ours, n = cc.largest_k(image, k, conn, return_N=True)
        stats = cc.label_stats(image, conn, multilabel=True)
        sizes = np.sort(stats.area)[::-1]
        if stats.n > k and sizes[k - 1] == sizes[k]:
            continue  # a tie at the cut: cc3d's choice is argpartition's
        theirs = cc3d.largest_k(image, k, connectivity=conn)
        assert same_partition(ours, np.asarray(theirs))
        assert n == min(k, stats.n)


def test_cleanup_errors():
    with pytest.raises(TypeError):
        cc.remove_small_objects(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError):
        cc.remove_small_objects(np.array([[-1, 2]]), 1)
    with pytest.raises(ValueError):
        cc.remove_small_objects(np.zeros((3, 3), bool), 1, connectivity=3)
    with pytest.raises(TypeError):
        cc.remove_small_holes(np.zeros((3, 3), bool), 1, out=np.zeros((3, 3), np.uint8))
    with pytest.raises(ValueError):
        cc.largest_k(np.zeros((3, 3), np.uint8), -1)
    with pytest.warns(FutureWarning):
        cc.remove_small_objects(np.zeros((3, 3), bool), min_size=2)


@given(
    hnp.arrays(np.uint8, hnp.array_shapes(min_dims=3, max_dims=3, min_side=0, max_side=9), elements=st.integers(0, 2)),
    st.sampled_from([4, 8]),
    st.booleans(),
)
def test_label_batch_equals_per_image(stack, connectivity, multilabel):
    labels, counts = cc.label_batch(stack, connectivity, multilabel=multilabel)
    assert labels.shape == stack.shape and counts.shape == (stack.shape[0],)
    for image, got, n in zip(stack, labels, counts):
        expected, m = cc.label(image, connectivity, multilabel=multilabel)
        assert n == m and np.array_equal(got, expected)


def test_label_batch_threads_and_errors(ndi, num_threads):
    stack = (np.random.default_rng(5).random((64, 30, 40)) < 0.4).astype(np.uint8)
    labels, counts = cc.label_batch(stack, 8)
    for image, got, n in zip(stack, labels, counts):
        assert np.array_equal(got, ndi.label(image, np.ones((3, 3)))[0]) and n == got.max()
    with pytest.raises(ValueError):
        cc.label_batch(stack, 6)
    with pytest.raises(ValueError):
        cc.label_batch(stack[0], 8)
    with pytest.raises(OverflowError):
        cc.label_batch(np.indices((40, 40)).sum(axis=0)[None] % 2 == 0, 4, dtype=np.uint8)


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_stripes_give_the_same_labels(ndi, measure, threads):
    """Images above a megapixel are cut into one stripe per thread; the result must not change."""
    import maskkit

    rng = np.random.default_rng(11)
    previous = maskkit.get_num_threads()
    maskkit.set_num_threads(threads)
    try:
        for density in (0.35, 0.6):
            image = (rng.random((1031, 1029)) < density).astype(np.uint8)
            for k in (4, 8):
                expected, n = ndi.label(image, ndi.generate_binary_structure(2, HOPS[k]))
                got, m = cc.label(image, k)
                assert m == n and np.array_equal(got, expected)
        classes = rng.integers(0, 3, (1030, 1030)).astype(np.uint8)
        for k in (4, 8):
            expected = measure.label(classes, connectivity=HOPS[k])
            assert np.array_equal(cc.label(classes, k, multilabel=True)[0], expected)
        volume = (rng.random((67, 131, 123)) < 0.3).astype(np.uint8)
        for k in (6, 18, 26):
            expected, n = ndi.label(volume, ndi.generate_binary_structure(3, HOPS[k]))
            got, m = cc.label(volume, k)
            assert m == n and np.array_equal(got, expected)
        volume_classes = rng.integers(0, 3, (66, 127, 125)).astype(np.uint8)
        for k in (6, 18, 26):
            expected = measure.label(volume_classes, connectivity=HOPS[k])
            assert np.array_equal(cc.label(volume_classes, k, multilabel=True)[0], expected)
        # each thread measures the rows it writes (its own, then the end of another's), and the
        # partial measures are combined
        assert_stats_match_numpy_and_scipy(ndi, image, 8)
        assert_stats_match_numpy_and_scipy(ndi, volume, 26)
    finally:
        maskkit.set_num_threads(previous)


# --- rows with a run boundary at every pixel ---------------------------------------------------

EVERY_PIXEL_PATTERNS = {
    "stripes": lambda idx: idx[-1] % 2,  # runs of one pixel, joined straight across rows
    "checkerboard": lambda idx: sum(idx) % 2,  # joined only diagonally
    "distinct": lambda idx: idx[-1] % 5 + 2 * (idx[0] % 2),  # values repeat along the row only
}


@functools.lru_cache(maxsize=None)
def every_pixel_case(pattern, shape, connectivity):
    """An image whose every pixel starts a run (values 3 apart) and its multilabel labels."""
    values = 3 * EVERY_PIXEL_PATTERNS[pattern](np.indices(shape)) + 1
    return values, oracle(values, connectivity, joins=lambda a, b: a == b)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.float32,
                                   np.uint64, np.int64, np.float64])
@pytest.mark.parametrize("pattern", sorted(EVERY_PIXEL_PATTERNS))
@pytest.mark.parametrize(
    "shape, connectivity",
    [(shape, k) for shape in [(1, 150), (3, 150), (1, 1, 150), (2, 3, 150)] for k in CONNECTIVITIES[len(shape)]],
)
def test_a_run_at_every_pixel(simd_target, dtype, pattern, shape, connectivity):
    # Rows of one run per pixel once overflowed the run buffers, sized for one run per two pixels
    # (in a single row beyond the buffer's capacity: heap corruption).
    ndim = len(shape)
    values, (expected, n) = every_pixel_case(pattern, shape, connectivity)
    image = values.astype(dtype)
    modes = [{"delta": 1}] + ([] if np.dtype(dtype).kind == "f" else [{"multilabel": True}])
    for mode in modes:
        got, m = cc.label(image, connectivity, **mode)
        assert m == n and np.array_equal(got, expected), mode
        stats = cc.label_stats(image[..., ::-1], connectivity, **mode)
        assert stats.n == n and np.array_equal(np.bincount(stats.labels.ravel())[1:], stats.area)
    if ndim == 2 and np.dtype(dtype).kind != "f":
        labels, counts = cc.label_batch(np.stack([image, image[::-1]]), connectivity, multilabel=True)
        assert counts.tolist() == [n, n] and np.array_equal(labels[0], expected)
        kept = cc.dust(image, 2, connectivity)
        assert np.array_equal(kept != 0, np.isin(expected, np.flatnonzero(np.bincount(expected.ravel()) >= 2)))
        assert cc.largest_k(image, 3, connectivity, return_N=True)[1] == min(3, n)


@pytest.mark.parametrize(
    "image, kwargs",
    [
        (np.tile(np.array([1, 2], np.uint8), 32)[None], {"multilabel": True}),
        (np.tile(np.array([1.0, 2.0]), 32)[None], {"delta": 0.5}),
        ((np.indices((64, 64)).sum(axis=0) % 2 + 1).astype(np.uint8), {"multilabel": True}),
        (np.random.default_rng(0).integers(0, 256, (2, 64), dtype=np.uint8)[::-1, ::-1], {"delta": 1}),
    ],
)
def test_many_runs_per_row_reported_crashes(image, kwargs):
    labels, n = cc.label(image, 4, **kwargs)
    delta = kwargs.get("delta", 0)
    expected = oracle(image.astype(np.float64), 4, joins=lambda a, b: abs(a - b) <= delta)
    assert n == expected[1] and np.array_equal(labels, expected[0])


# --- zero-sized axes ------------------------------------------------------------------------------

ZERO_SHAPES = [(0, 5), (5, 0), (0, 0), (0, 2, 2), (2, 0, 2), (2, 2, 0), (0, 64, 64), (7, 0, 0)]


@pytest.mark.parametrize("shape", ZERO_SHAPES)
@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint16, np.int64])
def test_zero_sized_axes_have_no_components(shape, dtype):
    # An empty first axis once labeled uninitialised runs (a count that changed from call to call,
    # boxes of -1 and 2^32 - 1, and SIGFPE with periodic=True); an empty row read a pixel past it.
    image = np.zeros(shape, dtype)
    background = True if dtype is np.bool_ else 1
    for connectivity in CONNECTIVITIES[len(shape)]:
        for kwargs in ({}, {"periodic": True}, {"multilabel": True, "background": background}, {"delta": 1}):
            for _ in range(3):
                labels, n = cc.label(image, connectivity, **kwargs)
                assert n == 0 and labels.shape == shape
            stats = cc.label_stats(image, connectivity, **kwargs)
            assert stats.n == 0 and stats.labels.shape == shape
            assert stats.area.shape == (0,) and stats.area.dtype == np.uint64
            assert stats.bbox.shape == (0, 2 * len(shape)) and stats.bbox.dtype == np.int64
            assert stats.centroid.shape == (0, len(shape)) and stats.centroid.dtype == np.float64
    assert np.array_equal(cc.dust(image, 2), image) and cc.largest_k(image, 2, return_N=True)[1] == 0
    assert cc.fill_holes(image).shape == shape
    assert cc.remove_small_objects(image, 2).shape == shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # integer images are taken as labelings
        assert cc.remove_small_holes(image, 2).shape == shape
    if len(shape) == 3:
        for kwargs in ({}, {"multilabel": True, "background": background}):
            labels, counts = cc.label_batch(image, 4, **kwargs)
            assert labels.shape == shape and counts.tolist() == [0] * shape[0] and counts.dtype == np.uint64


# --- byte order -----------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("kind", ["u4", "i4", "f8", "i8", "u2"])
def test_pixels_of_either_byte_order_label_as_their_values(order, kind):
    # Non-native pixels were read as native bits: '>i4' with delta=1 found four components.
    row = np.array([[1, 1, 2, 9, 9, 30]])
    image = row.astype(order + kind)
    assert cc.label(image, 4, delta=1)[1] == 3
    assert cc.label(image, 4, delta=0, background=9)[0].tolist() == [[1, 1, 2, 0, 0, 3]]
    if kind[0] != "f":
        assert cc.label(image, 4, multilabel=True, background=9)[0].tolist() == [[1, 1, 2, 0, 0, 3]]
        assert cc.label(image, 4, background=9)[0].tolist() == [[1, 1, 1, 0, 0, 2]]
        assert cc.label_batch(image[None], 4, background=9)[0].tolist() == [[[1, 1, 1, 0, 0, 2]]]
        assert cc.dust(image, 2, 4).tolist() == [[1, 1, 0, 9, 9, 0]]


@pytest.mark.parametrize("dtype", [">u4", ">i8", "<u2", ">u2", ">i2"])
def test_labels_of_non_native_byte_order_hold_the_right_values(dtype):
    # dtype='>u4' once gave [[16777216, 0, 33554432]]: native bytes under a big-endian dtype.
    image = np.array([[1, 0, 1]], np.uint8)
    expected = [[1, 0, 2]]
    labels, n = cc.label(image, 4, dtype=dtype)
    assert labels.dtype == np.dtype(dtype) and labels.tolist() == expected
    out = np.zeros((1, 3), dtype)
    assert cc.label(image, 4, out=out)[0] is out and out.tolist() == expected
    stats = cc.label_stats(image, 4, dtype=dtype)
    assert stats.labels.dtype == np.dtype(dtype) and stats.labels.tolist() == expected
    out = np.zeros((1, 3), dtype)
    assert cc.label_stats(image, 4, out=out).labels is out and out.tolist() == expected
    labels, _ = cc.label_batch(image[None], 4, dtype=dtype)
    assert labels.dtype == np.dtype(dtype) and labels.tolist() == [expected]


# --- malformed arguments --------------------------------------------------------------------------

MASK = np.array([[1, 1, 0], [0, 0, 1]], bool)
LABELS = MASK.astype(np.uint8)
READ_ONLY = np.zeros((2, 3), np.int32)
READ_ONLY.flags.writeable = False
REPEATED = np.lib.stride_tricks.as_strided(np.zeros(3, np.int32), (2, 3), (0, 4), writeable=True)
ODD_DTYPES = [np.float16, np.complex64, object, "U1", "M8[s]", "m8[s]", "V4"]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: cc.dust(LABELS, ()), ValueError, r"threshold must be a size or a \(lower, upper\) pair, got \(\)"),
        (lambda: cc.dust(LABELS, (1, 2, 3)), ValueError, r"\(lower, upper\) pair, got \(1, 2, 3\)"),
        (lambda: cc.dust(LABELS, "2"), TypeError, "threshold must be a number, got str '2'"),
        (lambda: cc.dust(LABELS, True), TypeError, "threshold must be a number, got bool"),
        (lambda: cc.dust(LABELS, float("nan")), ValueError, "threshold must be a number, got nan"),
        (lambda: cc.dust(LABELS, 2, 5), ValueError, r"connectivity must be one of \(4, 8\).*got 5"),
        (lambda: cc.dust(LABELS, 2, 8.0), TypeError, "connectivity must be an integer, got float 8.0"),
        (lambda: cc.dust(LABELS, 2, binary_image=1), TypeError, "binary_image must be a bool, got int 1"),
        (lambda: cc.dust(LABELS, 2, in_place="yes"), TypeError, "in_place must be a bool"),
        (lambda: cc.dust(READ_ONLY, 2, in_place=True), ValueError, "in_place=True needs a writeable image"),
        (lambda: cc.dust(LABELS[0], 2), ValueError, "image must be a 2-D or 3-D image, got ndim=1"),
        (lambda: cc.largest_k(LABELS, 1.5), TypeError, "k must be an integer, got float 1.5"),
        (lambda: cc.largest_k(LABELS, True), TypeError, "k must be an integer, got bool True"),
        (lambda: cc.largest_k(LABELS, -1), ValueError, "k must be a non-negative integer, got -1"),
        (lambda: cc.largest_k(LABELS, 1, 6.5), TypeError, "connectivity must be an integer"),
        (lambda: cc.largest_k(LABELS, 1, return_N=0), TypeError, "return_N must be a bool, got int 0"),
        (lambda: cc.remove_small_objects(MASK, "5"), TypeError, "max_size must be a number, got str '5'"),
        (lambda: cc.remove_small_objects(MASK, 5, 3), ValueError, r"one of \[1, 2\] \(neighbour hops\).*got 3"),
        (lambda: cc.remove_small_objects(MASK, 5, True), ValueError, "connectivity must be an integer, got the bool"),
        (lambda: cc.remove_small_objects(MASK, 5, ()), TypeError, r"connectivity must be an integer, got tuple \(\)"),
        (lambda: cc.remove_small_objects(MASK, 5, out=[[0] * 3] * 2), TypeError, "out must be a numpy array, got list"),
        (lambda: cc.remove_small_objects(MASK, 5, out=np.zeros((3, 2), bool)), ValueError, r"shape \(2, 3\), got \(3, 2\)"),
        (lambda: cc.remove_small_objects(MASK, 5, out=READ_ONLY), ValueError, "out must be writeable"),
        (lambda: cc.remove_small_objects(MASK, 5, out=REPEATED), ValueError, "must not hold an element twice"),
        (lambda: cc.remove_small_objects(MASK, 5, out=np.zeros((2, 3), "U1")), TypeError, "out must have a bool or"),
        (lambda: cc.remove_small_objects(MASK, 5, min_size=None, out=np.zeros((2, 3), np.float32)), TypeError, "float32"),
        (lambda: cc.remove_small_objects(MASK[0], 5), ValueError, "ndim=1"),
        (lambda: cc.remove_small_holes(MASK, 5, out=np.zeros((2, 3), np.uint8)), TypeError, "out dtype must be bool, got uint8"),
        (lambda: cc.remove_small_holes(MASK, 5, out=np.zeros((2, 2), bool)), ValueError, r"shape \(2, 3\), got \(2, 2\)"),
        (lambda: cc.remove_small_holes(MASK, [5]), TypeError, r"max_size must be a number, got list \[5\]"),
        (lambda: cc.fill_holes(MASK, 6), ValueError, r"connectivity must be one of \(4, 8\).*got 6"),
        (lambda: cc.fill_holes(MASK, (4,)), TypeError, r"connectivity must be an integer, got tuple \(4,\)"),
        (lambda: cc.fill_holes(MASK, structure=np.ones((3, 3), "U1")), TypeError, "structure must hold numbers"),
        (lambda: cc.fill_holes(MASK, structure=np.ones(3)), ValueError, r"structure must have shape \(3, 3\)"),
        (lambda: cc.fill_holes(MASK[0]), ValueError, "mask must be a 2-D or 3-D image, got ndim=1"),
        (lambda: cc.label(MASK, ()), TypeError, r"connectivity must be an integer, got tuple \(\)"),
        (lambda: cc.label(MASK, 4, multilabel=1), TypeError, "multilabel must be a bool, got int 1"),
        (lambda: cc.label(MASK, 4, periodic=None), TypeError, "periodic must be a bool, got NoneType"),
        (lambda: cc.label(LABELS, 4, background=()), TypeError, r"background must be an integer, got tuple \(\)"),
        (lambda: cc.label(LABELS, 4, dtype="int"), None, None),
        (lambda: cc.label(LABELS, 4, dtype="nonsense"), TypeError, "dtype must be an integer dtype, got 'nonsense'"),
        (lambda: cc.label(LABELS, 4, dtype=bool), TypeError, "dtype must be an integer dtype, got bool"),
        (lambda: cc.label(LABELS, 4, out=[[0] * 3] * 2), TypeError, "out must be a numpy array, got list"),
        (lambda: cc.label(LABELS, 4, out=np.zeros((2, 3), np.float64)), TypeError, "out must have an integer dtype, got float64"),
        (lambda: cc.label(LABELS, 4, out=np.zeros((6,), np.int32)), ValueError, r"shape \(2, 3\), got \(6,\)"),
        (lambda: cc.label(LABELS, 4, out=READ_ONLY), ValueError, "out must be writeable"),
        (lambda: cc.label(LABELS, 4, out=REPEATED), ValueError, r"must not hold an element twice, got strides \(0, 4\)"),
        (lambda: cc.label(LABELS, 4, delta="1"), TypeError, "delta must be a real number, got str '1'"),
        (lambda: cc.label(LABELS, 4, delta=-1), ValueError, "delta must be a finite number >= 0, got -1"),
        (lambda: cc.label_stats(LABELS, 4, out=READ_ONLY), ValueError, "out must be writeable"),
        (lambda: cc.label_stats(LABELS, 4, multilabel="no"), TypeError, "multilabel must be a bool, got str 'no'"),
        (lambda: cc.label_batch(LABELS[None], 6), ValueError, r"connectivity must be one of \(4, 8\).*got 6"),
        (lambda: cc.label_batch(LABELS[None], 4.0), TypeError, "connectivity must be an integer, got float 4.0"),
        (lambda: cc.label_batch(LABELS[None], 4, multilabel=0), TypeError, "multilabel must be a bool, got int 0"),
        (lambda: cc.label_batch(LABELS[None], 4, background=300), ValueError, "background 300 is not a value of dtype uint8"),
        (lambda: cc.label_batch(LABELS[None], 4, dtype="f4"), TypeError, "dtype must be an integer dtype, got float32"),
        (lambda: cc.label_batch(LABELS[None].astype(np.float32), 4), TypeError, "image must have a bool or integer"),
    ],
)
def test_malformed_arguments_raise_clear_errors(call, error, match):
    # Malformed clean-up arguments once escaped as IndexError (e.g. dust(img, ())).
    if error is None:
        call()
        return
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("dtype", ODD_DTYPES)
def test_every_entry_point_refuses_odd_dtypes(dtype):
    image = np.zeros((3, 3), dtype)
    calls = [cc.label, cc.label_stats, cc.fill_holes, cc.remove_small_objects, cc.remove_small_holes,
             lambda x: cc.dust(x, 2), lambda x: cc.largest_k(x, 1), lambda x: cc.label_batch(x[None])]
    for call in calls:
        with pytest.raises(TypeError, match=re.escape(str(np.dtype(dtype)))):
            call(image)


def test_outputs_overlapping_the_input():
    image = np.array([[1, 1, 0, 2], [0, 1, 0, 2]], np.uint8)
    expected, n = cc.label(image.copy(), 4)
    same = image.copy()
    assert cc.label(same, 4, out=same)[1] == n and np.array_equal(same, expected)
    # out shifted one element into the image's buffer: written only after the image is read
    buffer = np.zeros(9, np.uint8)
    buffer[:8] = image.ravel()
    shifted = buffer[1:].reshape(2, 4)
    assert cc.label(buffer[:8].reshape(2, 4), 4, out=shifted)[1] == n and np.array_equal(shifted, expected)
    mask = np.array([[1, 0, 1, 1], [1, 0, 0, 1]], bool)
    expected = cc.remove_small_objects(mask.copy(), 2)
    buffer = np.zeros(9, bool)
    buffer[:8] = mask.ravel()
    out = buffer[1:].reshape(2, 4)
    assert np.array_equal(cc.remove_small_objects(buffer[:8].reshape(2, 4), 2, out=out), expected)
    same = mask.copy()
    assert np.array_equal(cc.remove_small_objects(same, 2, out=same), expected)


def test_remove_small_objects_takes_labelings_with_large_labels():
    labels = np.array([[0, 2**40, 2**40], [7, 0, 2**63 + 5]], np.uint64)
    kept = cc.remove_small_objects(labels, 1)
    assert kept.tolist() == [[0, 2**40, 2**40], [0, 0, 0]]
    assert cc.remove_small_objects(labels.astype(">u8"), 1).tolist() == kept.tolist()


def test_core_refuses_non_native_byte_order():
    # The core reads and writes native integers; the wrappers convert, the core refuses the rest.
    from maskkit import _core

    image = np.zeros((1, 1, 3), ">u2")
    with pytest.raises(ValueError, match="image must be in native byte order, got >u2"):
        _core.cc_label(image, 4, False, 0)
    native = image.astype(np.uint16)
    with pytest.raises(ValueError, match="dtype must be in native byte order, got >u4"):
        _core.cc_label(native, 4, False, 0, 0, np.dtype(">u4"))
    with pytest.raises(ValueError, match="out must be in native byte order, got >i8"):
        _core.cc_label(native, 4, False, 0, 0, None, np.zeros(3, ">i8"))
    with pytest.raises(ValueError, match="dtype must be in native byte order, got >u4"):
        _core.cc_label_stack(native, 4, False, 0, np.dtype(">u4"))
