"""maskkit.cc.label against scipy.ndimage.label and skimage.measure.label."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import cc

from .cc_helpers import CONNECTIVITIES, HOPS, class_maps, same_partition

ndi = pytest.importorskip("scipy.ndimage")
measure = pytest.importorskip("skimage.measure")


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
def test_binary_equals_scipy(simd_target, x):
    for k in CONNECTIVITIES[x.ndim]:
        expected, n = ndi.label(x != 0, ndi.generate_binary_structure(x.ndim, HOPS[k]))
        for view in views(x):
            got, m = cc.label(view, k)
            assert m == n and np.array_equal(got, expected)
            assert got.dtype == np.dtype(np.uint8 if n < 256 else np.uint16)
        assert np.array_equal(cc.label(x.astype(bool), k)[0], expected)


@given(images)
def test_multilabel_equals_skimage(x):
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
def test_background_value(x, background):
    k = CONNECTIVITIES[x.ndim][-1]
    expected, n = ndi.label(x != background, ndi.generate_binary_structure(x.ndim, x.ndim))
    got, m = cc.label(x, k, background=background)
    assert m == n and np.array_equal(got, expected)
    multi = measure.label(x, connectivity=x.ndim, background=background)
    got_multi, _ = cc.label(x, k, multilabel=True, background=background)
    assert same_partition(got_multi, multi)


def test_default_is_full_connectivity_and_structure():
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
def test_26_connectivity_through_plane_projections(shape, density, seed):
    """Binary 26-connectivity links each plane with the one before through the 8-connected
    stretches of their projection: sparse and dense volumes, long rows, thin plates."""
    volume = np.random.default_rng(seed).random(shape) < density
    expected, n = ndi.label(volume, np.ones((3, 3, 3), bool))
    got, m = cc.label(volume, 26)
    assert m == n and np.array_equal(got, expected)


@pytest.mark.parametrize("background", [0, 7])
def test_rows_through_few_components(background):
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
    assert_stats_match_numpy_and_scipy(foreground.view(np.uint8), 26)  # measures of grouped runs
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


def test_long_rows_on_every_simd_target(simd_target):
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
def test_spans_of_every_length(dtype, spans):
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


def assert_stats_match_numpy_and_scipy(x, k):
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
def test_stats_equal_numpy_and_scipy(x):
    assert_stats_match_numpy_and_scipy(x, CONNECTIVITIES[x.ndim][0])


# ---- clean-up functions -------------------------------------------------------------------
morphology = pytest.importorskip("skimage.morphology")

masks = st.integers(2, 3).flatmap(
    lambda nd: hnp.arrays(bool, hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=1, max_side=12))
)


@given(masks, st.integers(0, 12), st.data())
def test_remove_small_objects_and_holes_equal_skimage(mask, max_size, data):
    hops = data.draw(st.integers(1, mask.ndim))
    assert np.array_equal(
        cc.remove_small_objects(mask, max_size, hops), morphology.remove_small_objects(mask, max_size=max_size, connectivity=hops)
    )
    assert np.array_equal(
        cc.remove_small_holes(mask, max_size, hops), morphology.remove_small_holes(mask, max_size=max_size, connectivity=hops)
    )
    labels = cc.label(mask, {1: 4, 2: 8}.get(hops, 8) if mask.ndim == 2 else {1: 6, 2: 18, 3: 26}[hops])[0].astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn on an integer image holding one label
        got = cc.remove_small_objects(labels, max_size)
        expected = morphology.remove_small_objects(labels, max_size=max_size)
    assert np.array_equal(got, expected)


@given(masks, st.data())
def test_fill_holes_equals_scipy(mask, data):
    hops = data.draw(st.integers(1, mask.ndim))
    structure = ndi.generate_binary_structure(mask.ndim, hops)
    assert np.array_equal(cc.fill_holes(mask, structure=structure), ndi.binary_fill_holes(mask, structure))
    assert np.array_equal(cc.fill_holes(mask), ndi.binary_fill_holes(mask))


cc3d = pytest.importorskip("cc3d")


@given(
    class_maps(10, 10),
    st.integers(1, 6),
)
def test_dust_equals_cc3d(image, threshold):
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
def test_largest_k_matches_cc3d_without_ties(image, k):
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


def test_label_batch_threads_and_errors(num_threads):
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
def test_stripes_give_the_same_labels(threads):
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
        assert_stats_match_numpy_and_scipy(image, 8)
        assert_stats_match_numpy_and_scipy(volume, 26)
    finally:
        maskkit.set_num_threads(previous)
