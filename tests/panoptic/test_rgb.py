"""rgb2id / id2rgb / IdGenerator against panopticapi.utils: values, dtypes, colours, refusals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import panoptic

rgb_images = hnp.arrays(np.uint8, hnp.array_shapes(min_dims=3, max_dims=3, min_side=0, max_side=8).map(lambda s: s[:2] + (3,)))
ids_u32 = hnp.arrays(np.uint32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=8), elements=st.integers(0, panoptic.MAX_ID))


@given(rgb=rgb_images)
def test_rgb2id_equals_panopticapi_on_uint8_images(panopticapi_utils, rgb):
    ours, theirs = panoptic.rgb2id(rgb), panopticapi_utils.rgb2id(rgb)
    assert ours.dtype == theirs.dtype == np.int32
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(panoptic.id2rgb(ours), rgb)


@pytest.mark.parametrize("dtype", [np.uint32, np.int32, np.int64, np.uint64])
def test_rgb2id_of_wide_images_keeps_their_dtype_like_panopticapi(panopticapi_utils, dtype):
    # pq_compute reads PNGs with np.array(Image.open(f), dtype=np.uint32)
    rgb = np.random.default_rng(1).integers(0, 256, (5, 7, 3)).astype(dtype)
    ours, theirs = panoptic.rgb2id(rgb), panopticapi_utils.rgb2id(rgb)
    assert ours.dtype == theirs.dtype == dtype
    np.testing.assert_array_equal(ours, theirs)


def test_rgb2id_drops_alpha_like_panopticapi(panopticapi_utils):
    rgba = np.random.default_rng(2).integers(0, 256, (4, 4, 4)).astype(np.uint8)
    np.testing.assert_array_equal(panoptic.rgb2id(rgba), panopticapi_utils.rgb2id(rgba))


@given(ids=ids_u32)
def test_id2rgb_equals_panopticapi_and_inverts_rgb2id(panopticapi_utils, ids):
    ours, theirs = panoptic.id2rgb(ids), panopticapi_utils.id2rgb(ids)
    assert ours.dtype == theirs.dtype == np.uint8 and ours.shape == ids.shape + (3,)
    np.testing.assert_array_equal(ours, theirs)
    if ids.ndim == 2:
        back = panoptic.rgb2id(ours)
        assert back.dtype == np.int32
        np.testing.assert_array_equal(back, ids)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16])
def test_id2rgb_of_other_integer_dtypes_equals_panopticapi(panopticapi_utils, dtype):
    top = min(panoptic.MAX_ID, np.iinfo(dtype).max)
    ids = np.random.default_rng(3).integers(0, top + 1, (6, 5)).astype(dtype)
    np.testing.assert_array_equal(panoptic.id2rgb(ids), panopticapi_utils.id2rgb(ids))


@given(value=st.integers(0, panoptic.MAX_ID))
def test_scalar_forms_equal_panopticapi(panopticapi_utils, value):
    colour = panoptic.id2rgb(value)
    assert colour == [int(c) for c in panopticapi_utils.id2rgb(value)]
    assert panoptic.rgb2id(tuple(colour)) == panopticapi_utils.rgb2id(colour) == value


@pytest.mark.parametrize("bad", [panoptic.OFFSET, 2**32 - 1, -1])
def test_id2rgb_raises_where_panopticapi_wraps(panopticapi_utils, bad):
    ids = np.array([[1, bad]], np.int64)
    wrapped = panopticapi_utils.rgb2id(panopticapi_utils.id2rgb(ids))
    assert wrapped[0, 1] != bad  # the reference silently aliases the id onto another one
    with pytest.raises(ValueError, match="2\\*\\*24"):
        panoptic.id2rgb(ids)
    with pytest.raises(ValueError, match="2\\*\\*24"):
        panoptic.id2rgb(bad)


def test_refusals_name_the_rule():
    with pytest.raises(ValueError, match="grayscale or palette"):
        panoptic.rgb2id(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        panoptic.rgb2id(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(TypeError, match="float"):
        panoptic.rgb2id(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(TypeError, match="uint16"):
        panoptic.rgb2id(np.zeros((4, 4, 3), np.uint16))
    with pytest.raises(ValueError, match="0..255"):
        panoptic.rgb2id(np.full((1, 1, 3), 256, np.int32))
    with pytest.raises(ValueError, match="0..255"):
        panoptic.rgb2id((1, 2, 300))
    with pytest.raises(TypeError, match="integers"):
        panoptic.rgb2id((1.0, 2, 3))
    with pytest.raises(TypeError, match="float"):
        panoptic.id2rgb(np.zeros((2, 2), np.float64))
    with pytest.raises(TypeError, match="integer"):
        panoptic.id2rgb(1.5)


def _categories(things: int, stuff: int, rng: np.random.Generator) -> dict:
    # base colours away from black, so that panopticapi never draws (0, 0, 0)
    colours = rng.choice(np.arange(60, 196), size=(things + stuff, 3)).tolist()
    cats = {}
    for i, colour in enumerate(colours):
        cats[i + 1] = {"id": i + 1, "isthing": int(i < things), "color": colour}
    return cats


@given(seed=st.integers(0, 2**32 - 1), draws=st.lists(st.integers(0, 5), min_size=1, max_size=40))
def test_seeded_colours_equal_panopticapi_after_np_random_seed(panopticapi_utils, seed, draws):
    rng = np.random.default_rng(seed)
    cats = _categories(3, 3, rng)
    if len({tuple(c["color"]) for c in cats.values() if not c["isthing"]}) < 3:
        return  # equal stuff colours are refused (tested below)
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        reference = panopticapi_utils.IdGenerator(cats)
        expected = [reference.get_id_and_color(draw + 1) for draw in draws]
    finally:
        np.random.set_state(state)
    ours = panoptic.IdGenerator(cats, seed=seed)
    got = [ours.get_id_and_color(draw + 1) for draw in draws]
    assert got == [(int(i), tuple(int(c) for c in colour)) for i, colour in expected]


def test_random_state_argument_is_used_as_is(panopticapi_utils):
    cats = {1: {"isthing": 1, "color": [100, 120, 140]}}
    ours = panoptic.IdGenerator(cats, seed=np.random.RandomState(7))
    again = panoptic.IdGenerator(cats, seed=7)
    assert [ours.get_id(1) for _ in range(20)] == [again.get_id(1) for _ in range(20)]


def test_never_void_where_panopticapi_draws_black(panopticapi_utils):
    cats = {1: {"id": 1, "isthing": 1, "color": [5, 5, 5]}}
    state = np.random.get_state()
    try:
        np.random.seed(0)
        reference = panopticapi_utils.IdGenerator(cats)
        theirs = [panopticapi_utils.rgb2id(reference.get_color(1)) for _ in range(300)]
    finally:
        np.random.set_state(state)
    assert 0 in theirs  # the reference hands out the VOID id to a real segment
    ours = panoptic.IdGenerator(cats, seed=0)
    got = [ours.get_id(1) for _ in range(300)]
    assert 0 not in got
    first_void = theirs.index(0)
    assert got[:first_void] == theirs[:first_void]  # the same draws until the reference goes wrong
    assert len(set(got)) == len(got)


def test_equal_stuff_colours_and_black_stuff_are_refused(panopticapi_utils):
    cats = {1: {"isthing": 0, "color": [10, 20, 30]}, 2: {"isthing": 0, "color": [10, 20, 30]}}
    reference = panopticapi_utils.IdGenerator(cats)
    assert reference.get_id(1) == reference.get_id(2) == 1971210  # both segments get one id
    with pytest.raises(ValueError, match="share the colour"):
        panoptic.IdGenerator(cats)
    with pytest.raises(ValueError, match="VOID"):
        panoptic.IdGenerator({1: {"isthing": 0, "color": [0, 0, 0]}})


def test_stuff_ids_are_their_colour_and_first_thing_takes_its_base():
    cats = [{"id": 3, "isthing": 0, "color": [1, 2, 3]}, {"id": 4, "isthing": 1, "color": [9, 9, 9]}]
    ids = panoptic.IdGenerator(cats, seed=1)
    assert ids.get_id(3) == ids.get_id(3) == 197121
    assert ids.get_color(4) == (9, 9, 9)
    assert ids.get_color(4) != (9, 9, 9)


def test_sequential_mode_numbers_from_one():
    cats = {1: {"isthing": 1, "color": [9, 9, 9]}, 2: {"isthing": 0, "color": [1, 1, 1]}}
    ids = panoptic.IdGenerator(cats, mode="sequential")
    assert ids.mode == "sequential"
    assert [ids.get_id(1), ids.get_id(2), ids.get_id(1)] == [1, 2, 3]
    assert ids.get_id_and_color(2) == (4, (4, 0, 0))


def test_generator_argument_errors():
    cats = {1: {"isthing": 1, "color": [9, 9, 9]}}
    with pytest.raises(ValueError, match="mode"):
        panoptic.IdGenerator(cats, mode="random")
    with pytest.raises(TypeError, match="seed"):
        panoptic.IdGenerator(cats, seed="0")
    with pytest.raises(ValueError, match="unknown category"):
        panoptic.IdGenerator(cats).get_id(2)
    with pytest.raises(ValueError, match="color"):
        panoptic.IdGenerator({1: {"isthing": 1, "color": [9, 9]}})
    with pytest.raises(ValueError, match="isthing"):
        panoptic.IdGenerator({1: {"color": [9, 9, 9]}})
    with pytest.raises(TypeError, match="categories"):
        panoptic.IdGenerator(5)
    with pytest.raises(ValueError, match="'id'"):
        panoptic.IdGenerator([{"isthing": 1, "color": [9, 9, 9]}])

