"""merge_layers: against the NumPy port of panoptic_spec.md §2.5, tie rules, ids and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import _core, panoptic

from maskkit._bench import panoptic_ports as ports

CATEGORIES = [
    {"id": 1, "isthing": 1, "color": [220, 20, 60]},
    {"id": 2, "isthing": 1, "color": [0, 0, 142]},
    {"id": 3, "isthing": 0, "color": [128, 64, 128]},
    {"id": 4, "isthing": 0, "color": [70, 70, 70]},
]


@st.composite
def layer_sets(draw: st.DrawFn):
    n = draw(st.integers(0, 6))
    h, w = draw(st.integers(0, 9)), draw(st.integers(0, 9))
    masks = draw(hnp.arrays(np.bool_, (n, h, w)))
    cats = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    z = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))  # few values: many ties
    return masks, cats, z


@given(
    layer_sets(),
    st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    st.integers(0, 5),
    st.integers(0, 5),
    st.booleans(),
)
def test_equals_the_port(layers, overlap_thr, min_area, min_visible, fuse_stuff):
    masks, cats, z = layers
    isthing = [c <= 2 for c in cats]
    pan, segs = panoptic.merge_layers(
        masks, cats, z=z, isthing=np.array(isthing, bool), overlap_thr=overlap_thr,
        min_area=min_area, min_visible=min_visible, fuse_stuff=fuse_stuff,
    )
    want_pan, want_segs = ports.merge_layers(masks, cats, z, isthing, overlap_thr, min_area, min_visible, fuse_stuff)
    np.testing.assert_array_equal(pan, want_pan)
    assert pan.dtype == np.uint32 and pan.flags.c_contiguous
    assert segs == want_segs


@given(layer_sets())
def test_invariants(layers):
    masks, cats, z = layers
    pan, segs = panoptic.merge_layers(masks, cats, z=z, overlap_thr=0.5)
    ids = [s["id"] for s in segs]
    assert len(set(ids)) == len(ids)
    assert set(np.unique(pan)) - {0} == set(ids)
    assert all(s["area"] > 0 for s in segs)
    # re-merging the result's own segments changes nothing
    own = np.zeros((len(ids),) + pan.shape, bool)
    for k, i in enumerate(ids):
        own[k] = pan == i
    again, _ = panoptic.merge_layers(own, [s["category_id"] for s in segs])
    np.testing.assert_array_equal(again, pan)


def test_equal_z_puts_the_lower_index_on_top():
    masks = np.ones((3, 1, 2), bool)
    pan, segs = panoptic.merge_layers(masks, [1, 2, 3], z=[5, 7, 7])
    assert pan.tolist() == [[1, 1]] and segs[0]["category_id"] == 2
    pan, segs = panoptic.merge_layers(masks, [1, 2, 3], z=np.array([5, 7, 7], np.uint64))
    assert segs[0]["category_id"] == 2  # unsigned z is not negated (it would wrap)


def test_order_and_occlusion_threshold_is_strict():
    masks = np.zeros((2, 1, 4), bool)
    masks[0, 0, :2] = True
    masks[1, 0, :] = True  # half of it lies under layer 0
    _, segs = panoptic.merge_layers(masks, [1, 2], order=[0, 1], overlap_thr=0.5)
    assert [s["area"] for s in segs] == [2, 2]
    _, segs = panoptic.merge_layers(masks, [1, 2], order=[0, 1], overlap_thr=0.49)
    assert len(segs) == 1


def test_fused_stuff_shares_one_id_and_sums_area():
    masks = np.zeros((3, 2, 3), bool)
    masks[0, 0] = True
    masks[1, 1, :2] = True
    masks[2, 1, 2] = True
    pan, segs = panoptic.merge_layers(masks, [3, 1, 3], isthing=np.array([False, True, False]), fuse_stuff=True)
    assert pan.tolist() == [[1, 1, 1], [2, 2, 1]]
    assert segs[0] == {"id": 1, "category_id": 3, "isthing": False, "area": 4, "bbox": [0, 0, 3, 2]}


def test_ids_come_from_the_generator_in_painting_order():
    masks = np.eye(3, dtype=bool)[:, None, :]
    pan, segs = panoptic.merge_layers(masks, [1, 1, 3], isthing=np.array([True, True, False]),
                                      id_generator=panoptic.IdGenerator(CATEGORIES, seed=3))
    gen = panoptic.IdGenerator(CATEGORIES, seed=3)
    want = [gen.get_id(1), gen.get_id(1), gen.get_id(3)]
    assert [s["id"] for s in segs] == want
    assert pan.tolist() == [want]


def test_layouts_and_lists():
    rng = np.random.default_rng(0)
    masks = rng.random((4, 6, 5)) < 0.5
    want = panoptic.merge_layers(masks, [1, 2, 3, 4], z=[3, 1, 2, 0])
    for variant in (np.asfortranarray(masks), masks[:, ::-1, ::-1][:, ::-1, ::-1], list(masks), masks.astype(np.uint8) * 7):
        got = panoptic.merge_layers(variant, [1, 2, 3, 4], z=[3, 1, 2, 0])
        np.testing.assert_array_equal(got[0], want[0])
        assert got[1] == want[1]


def test_empty_inputs():
    pan, segs = panoptic.merge_layers(np.zeros((0, 3, 4), bool), [])
    assert pan.shape == (3, 4) and not pan.any() and segs == []
    pan, segs = panoptic.merge_layers(np.ones((2, 0, 4), bool), [1, 2])
    assert pan.shape == (0, 4) and segs == []


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        ({"masks": np.zeros((1, 2, 2), np.float32)}, TypeError, "uint8 or bool"),
        ({"masks": np.zeros((2, 2), bool)}, ValueError, "(N, H, W)"),
        ({"masks": []}, ValueError, "empty list"),
        ({"masks": [np.zeros((2, 2), bool), np.zeros((2, 3), bool)]}, ValueError, "masks[1]"),
        ({"categories": [1.5]}, TypeError, "categories"),
        ({"categories": [1, 2]}, ValueError, "one value per layer"),
        ({"z": [float("nan")]}, ValueError, "NaN"),
        ({"z": [1], "order": [0]}, ValueError, "not both"),
        ({"order": [1]}, ValueError, "permutation"),
        ({"overlap_thr": float("nan")}, ValueError, "overlap_thr"),
        ({"overlap_thr": "0.5"}, TypeError, "overlap_thr"),
        ({"min_visible": [float("nan")]}, ValueError, "min_visible"),
        ({"isthing": 1}, TypeError, "isthing"),
        ({"fuse_stuff": 1}, TypeError, "fuse_stuff"),
        ({"id_generator": "sequential"}, TypeError, "id_generator"),
    ],
)
def test_errors(kwargs, error, text):
    args = {"masks": np.ones((1, 2, 2), bool), "categories": [1]}
    args.update(kwargs)
    with pytest.raises(error, match=f".*{__import__('re').escape(text)}"):
        panoptic.merge_layers(args.pop("masks"), args.pop("categories"), **args)


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.02, 0.5, 0.98]))
def test_long_rows_equal_the_port(seed, density):
    # rows of hundreds of pixels: runs are found eight bytes at a time
    rng = np.random.default_rng(seed)
    masks = rng.random((3, 3, 300)) < density
    masks[0, 1, 64:200] = True
    pan, segs = panoptic.merge_layers(masks, [1, 2, 3], z=[1, 3, 2], overlap_thr=0.9)
    want_pan, want_segs = ports.merge_layers(masks, [1, 2, 3], [1, 3, 2], [True] * 3, 0.9, 0, 0, False)
    np.testing.assert_array_equal(pan, want_pan)
    assert segs == want_segs


@given(st.integers(0, 2**32 - 1), st.integers(0, 70), st.integers(0, 70), st.integers(1, 40))
def test_transposed_id_write_equals_numpy_on_every_target(simd_target, seed, h, w, n_ids):
    # column-major paintings (RLE layers) reach the row-major map through the kernel table;
    # sizes around the 8 x 16 blocks leave edges on both sides
    rng = np.random.default_rng(seed)
    painted = rng.integers(0, n_ids, (w, h), dtype=np.uint32)
    ids = rng.integers(0, 2**32, n_ids, dtype=np.uint32)
    got = _core.pan_write_segment_ids(painted, h, w, True, ids)
    np.testing.assert_array_equal(got, ids[painted.T])
    if h * w:
        painted.flat[rng.integers(0, h * w)] = n_ids  # one value without an id: refused by value
        with pytest.raises(ValueError, match=f"painted segment number {n_ids} has no id"):
            _core.pan_write_segment_ids(painted, h, w, True, ids)


def test_stuff_of_a_negative_category_fuses_too():
    # found by fuzzing: category -1 was taken for the core's "no group" and never fused
    masks = np.array([[[False, True]], [[True, False]], [[False, False]], [[True, True]]])
    pan, segs = panoptic.merge_layers(masks, [-1, -1, 0, 0], z=[0.3] * 4, isthing=np.zeros(4, bool), overlap_thr=0.0,
                                      min_visible=0, fuse_stuff=True)
    want_pan, want_segs = ports.merge_layers(masks, [-1, -1, 0, 0], [0.3] * 4, [False] * 4, 0.0, 0, 0, True)
    np.testing.assert_array_equal(pan, want_pan)
    assert segs == want_segs and len(segs) == 1 and segs[0]["area"] == 2
