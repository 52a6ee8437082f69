"""Format codecs: label_divisor, 2-channel, Cityscapes instanceIds, KITTI-STEP and Vistas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import panoptic

from .formats_reference import bbox_of, cityscapes_panoptic

shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12)


def segments_by_mask(id_map, categories, crowd=None):
    """COCO segments computed mask by mask, for comparison with the vectorised statistics."""
    result = []
    for seg_id in np.unique(id_map):
        if seg_id == 0:
            continue
        mask = id_map == seg_id
        result.append(
            {
                "id": int(seg_id),
                "category_id": categories[int(seg_id)],
                "area": int(mask.sum()),
                "bbox": bbox_of(mask),
                "iscrowd": 0 if crowd is None else crowd[int(seg_id)],
            }
        )
    return result


@st.composite
def semantic_instance(draw, divisor):
    shape = draw(shapes)
    semantic = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 30)))
    instance = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, divisor - 1)))
    return semantic, instance


@pytest.mark.parametrize("divisor", [256, 1000])
@given(data=st.data())
def test_label_divisor_round_trips_below_the_divisor(divisor, data):
    semantic, instance = data.draw(semantic_instance(divisor))
    void = data.draw(hnp.arrays(bool, semantic.shape))
    semantic = np.where(void, -1, semantic)
    instance = np.where(void, 0, instance)
    panoptic_map = panoptic.encode_label_divisor(semantic, instance, divisor, void=-1)
    assert panoptic_map.dtype == np.int32 and panoptic_map.flags.c_contiguous
    np.testing.assert_array_equal(panoptic_map, np.where(void, -1, semantic * divisor + instance))
    back_semantic, back_instance = panoptic.decode_label_divisor(panoptic_map, divisor, void=-1)
    np.testing.assert_array_equal(back_semantic, semantic)
    np.testing.assert_array_equal(back_instance, instance)


@pytest.mark.parametrize("divisor", [256, 1000])
def test_an_instance_at_the_divisor_raises_instead_of_spilling(divisor):
    with pytest.raises(ValueError, match=f"0..label_divisor - 1 = {divisor - 1}.*got 0..{divisor}"):
        panoptic.encode_label_divisor(np.array([1, 2]), np.array([0, divisor]), divisor)


def test_label_divisor_overflow_and_argument_errors():
    # Waymo PVPS: 23 * 2939 overflowed a uint16 label map
    with pytest.raises(OverflowError, match="does not fit dtype uint16"):
        panoptic.encode_label_divisor(np.array([23]), np.array([0]), 2939, dtype=np.uint16)
    assert panoptic.encode_label_divisor(np.array([23]), np.array([0]), 2939, dtype=np.int64)[0] == 67597
    with pytest.raises(ValueError, match="void="):
        panoptic.encode_label_divisor(np.array([-1]), np.array([0]))
    with pytest.raises(ValueError, match="instance 0"):
        panoptic.encode_label_divisor(np.array([-1]), np.array([3]), void=-1)
    with pytest.raises(ValueError, match=">= 0"):
        panoptic.encode_label_divisor(np.array([-2]), np.array([0]))
    with pytest.raises(ValueError, match="one shape"):
        panoptic.encode_label_divisor(np.zeros(2, int), np.zeros(3, int))
    with pytest.raises(TypeError, match="integer dtype"):
        panoptic.encode_label_divisor(np.zeros(2), np.zeros(2, int))
    with pytest.raises(ValueError, match="label_divisor must lie"):
        panoptic.encode_label_divisor(np.zeros(2, int), np.zeros(2, int), 0)
    with pytest.raises(TypeError, match="label_divisor must be an integer"):
        panoptic.encode_label_divisor(np.zeros(2, int), np.zeros(2, int), 1000.0)
    with pytest.raises(TypeError, match="dtype"):
        panoptic.encode_label_divisor(np.zeros(2, int), np.zeros(2, int), dtype=np.float32)
    with pytest.raises(ValueError, match="void=None"):
        panoptic.decode_label_divisor(np.array([-1]))
    for dtype in ["<u8", ">u8"]:  # found by the fuzz harness: a byte-swapped uint64 wrapped
        with pytest.raises(OverflowError, match="int64"):
            panoptic.decode_label_divisor(np.array([2**64 - 1], dtype), 256, void=-1)
    with pytest.raises(ValueError, match="void=-1"):
        panoptic.decode_label_divisor(np.array([-2, -1]), void=-1)


def detectron2_segments(pan, divisor):
    """detectron2 COCOPanopticEvaluator with segments_info=None: ids shifted by +1, -1 is VOID."""
    segments = []
    for label in np.unique(pan):
        if label == -1:
            continue
        segments.append({"id": int(label) + 1, "category_id": int(label) // divisor})
    return segments, pan + 1


@pytest.mark.parametrize("divisor", [256, 1000])
@given(data=st.data())
def test_from_label_divisor_equals_detectron2s_evaluator(divisor, data):
    semantic, instance = data.draw(semantic_instance(divisor))
    void = data.draw(hnp.arrays(bool, semantic.shape))
    pan = np.where(void, -1, semantic * divisor + instance).astype(np.int32)
    ids, segments = panoptic.from_label_divisor(pan, divisor)
    expected_segments, expected_ids = detectron2_segments(pan, divisor)
    assert ids.dtype == np.uint32
    np.testing.assert_array_equal(ids, expected_ids)
    assert [(s["id"], s["category_id"]) for s in segments] == [(s["id"], s["category_id"]) for s in expected_segments]
    categories = {s["id"]: s["category_id"] for s in expected_segments}
    assert segments == segments_by_mask(ids, categories)


@given(data=st.data())
def test_to_label_divisor_inverts_from_label_divisor(data):
    shape = data.draw(shapes)
    semantic = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 6)))
    things = {1, 2, 3}
    void = data.draw(hnp.arrays(bool, shape))
    # things: instances 1..n per class in ascending order, as from_label_divisor lists them
    instance = np.zeros(shape, np.int64)
    for category in things:
        mask = (semantic == category) & ~void
        raw = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(1, 4)))
        _, dense = np.unique(raw[mask], return_inverse=True)
        instance[mask] = dense.ravel() + 1
    pan = semantic * 1000 + instance
    pan[void] = -1
    ids, segments = panoptic.from_label_divisor(pan)
    np.testing.assert_array_equal(panoptic.to_label_divisor(ids, segments, things), pan)


def test_from_label_divisor_void_choices_and_errors():
    pan = np.array([[255000, 7000], [0, 0]])
    ids, segments = panoptic.from_label_divisor(pan, void=255000)  # the original Panoptic-DeepLab void
    assert ids.tolist() == [[0, 7001], [1, 1]]
    assert [(s["id"], s["category_id"]) for s in segments] == [(1, 0), (7001, 7)]
    ids, segments = panoptic.from_label_divisor(pan, void=None)
    assert len(segments) == 3
    with pytest.raises(ValueError, match="void=-1"):
        panoptic.from_label_divisor(np.array([[-5, 0]]))
    with pytest.raises(OverflowError, match="2\\*\\*24"):
        panoptic.from_label_divisor(np.array([[2**24 - 1]]))
    with pytest.raises(ValueError, match="2-D"):
        panoptic.from_label_divisor(np.zeros(3, int))


def test_from_label_divisor_numbers_with_an_id_generator():
    cats = {7: {"isthing": 0, "color": [1, 0, 0]}, 26: {"isthing": 1, "color": [9, 9, 9]}}
    ids, segments = panoptic.from_label_divisor(
        np.array([[26001, 7000], [26002, -1]]), id_generator=panoptic.IdGenerator(cats, mode="sequential")
    )
    assert ids.tolist() == [[2, 1], [3, 0]]
    assert [(s["id"], s["category_id"]) for s in segments] == [(1, 7), (2, 26), (3, 26)]


def test_to_label_divisor_errors():
    segments = [{"id": 5, "category_id": 1}]
    with pytest.raises(ValueError, match="missing from segments_info: \\[9\\]"):
        panoptic.to_label_divisor(np.array([[5, 9]]), segments, [1])
    with pytest.raises(ValueError, match="twice"):
        panoptic.to_label_divisor(np.array([[5]]), segments * 2, [1])
    with pytest.raises(ValueError, match="id 0"):
        panoptic.to_label_divisor(np.array([[5]]), segments + [{"id": 0, "category_id": 1}], [1])
    with pytest.raises(ValueError, match="2\\*\\*24"):
        panoptic.to_label_divisor(np.array([[2**24]]), segments, [1])
    with pytest.raises(TypeError, match="thing_ids"):
        panoptic.to_label_divisor(np.array([[5]]), segments, 1)
    with pytest.raises(TypeError, match="segments_info"):
        panoptic.to_label_divisor(np.array([[5]]), {"id": 5}, [1])
    with pytest.raises(ValueError, match="'category_id'"):
        panoptic.to_label_divisor(np.array([[5]]), [{"id": 5}], [1])
    many = [{"id": i + 1, "category_id": 1} for i in range(256)]
    with pytest.raises(ValueError, match="spills"):
        panoptic.to_label_divisor(np.arange(1, 257).reshape(16, 16), many, [1], 256)


@given(data=st.data())
def test_two_channel_round_trips_the_partition(data):
    shape = data.draw(shapes)
    sem = data.draw(hnp.arrays(np.uint8, shape, elements=st.integers(0, 4)))
    ins = data.draw(hnp.arrays(np.uint8, shape, elements=st.integers(0, 3)))
    things = {1, 2}
    ins = np.where(np.isin(sem, list(things)), ins, 0).astype(np.uint8)
    image = np.stack([sem, ins, np.zeros_like(sem)], axis=2)
    ids, segments = panoptic.from_two_channel(image)
    pan = 1000 * sem.astype(np.int64) + ins
    np.testing.assert_array_equal(ids, np.where(sem == 0, 0, pan))
    assert segments == segments_by_mask(ids, {s["id"]: s["id"] // 1000 for s in segments})
    back = panoptic.to_two_channel(ids, segments, things)
    assert back.dtype == np.uint8 and back.shape == shape + (2,)
    np.testing.assert_array_equal(back[:, :, 0], sem)
    again, _ = panoptic.from_two_channel(back)
    # the same partition: a bijection between the segments before and after
    pairs = np.unique(np.stack([ids.ravel(), again.ravel()]), axis=1)
    assert len(set(pairs[0])) == len(set(pairs[1])) == pairs.shape[1]


def test_two_channel_errors():
    with pytest.raises(ValueError, match="spills"):
        panoptic.from_two_channel(np.array([[[1, 1000]]], np.uint16))
    with pytest.raises(ValueError, match="C >= 2"):
        panoptic.from_two_channel(np.zeros((2, 2, 1), np.uint8))
    with pytest.raises(ValueError, match="3-D"):
        panoptic.from_two_channel(np.zeros((2, 2), np.uint8))
    with pytest.raises(ValueError, match=">= 0"):
        panoptic.from_two_channel(np.array([[[-1, 0]]]))
    with pytest.raises(ValueError, match="VOID"):
        panoptic.from_two_channel(np.array([[[0, 0], [5, 0]]], np.uint8), void=5)
    with pytest.raises(OverflowError, match="2\\*\\*24"):
        panoptic.from_two_channel(np.array([[[20000, 0]]], np.uint16))
    with pytest.raises(OverflowError, match="uint8"):
        panoptic.to_two_channel(np.array([[1]]), [{"id": 1, "category_id": 300}], [])
    ids, segments = panoptic.from_two_channel(np.array([[[0, 0], [5, 0]]], np.uint8), void=5, id_generator=panoptic.IdGenerator({0: {"isthing": 0, "color": [3, 0, 0]}}))
    assert ids.tolist() == [[3, 0]] and segments[0]["category_id"] == 0


# Cityscapes label table (id: trainId, hasInstances, ignoreInEval), transcribed for the oracle
CITYSCAPES_LABELS = {i: (255, False, True) for i in range(34)}
CITYSCAPES_LABELS.update({7: (0, False, False), 8: (1, False, False), 11: (2, False, False), 12: (3, False, False),
                          13: (4, False, False), 17: (5, False, False), 19: (6, False, False), 20: (7, False, False),
                          21: (8, False, False), 22: (9, False, False), 23: (10, False, False), 24: (11, True, False),
                          25: (12, True, False), 26: (13, True, False), 27: (14, True, False), 28: (15, True, False),
                          29: (255, True, True), 30: (255, True, True), 31: (16, True, False), 32: (17, True, False),
                          33: (18, True, False)})


@st.composite
def instance_ids_images(draw):
    shape = draw(shapes)
    labels = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 33)))
    instances = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 3)))
    has_instances = np.vectorize(lambda label: CITYSCAPES_LABELS[label][1])(labels)
    values = np.where(has_instances & (instances > 0), labels * 1000 + instances - 1, labels)
    return values.astype(draw(st.sampled_from([np.uint16, np.int32, np.int64])))


@pytest.mark.parametrize("use_train_id", [False, True])
@given(original=instance_ids_images())
def test_cityscapes_equals_create_panoptic_imgs(use_train_id, original):
    ids, segments = panoptic.from_cityscapes_instance_ids(original, use_train_id=use_train_id)
    pan_format, expected = cityscapes_panoptic(original, CITYSCAPES_LABELS, use_train_id)
    np.testing.assert_array_equal(panoptic.id2rgb(ids), pan_format)
    assert segments == expected


def test_cityscapes_categories_and_errors():
    categories = panoptic.cityscapes_categories()
    assert len(categories) == 19 and sum(c["isthing"] for c in categories) == 8
    assert [c["id"] for c in categories if c["isthing"]] == [24, 25, 26, 27, 28, 31, 32, 33]
    assert [c["id"] for c in panoptic.cityscapes_categories(True)] == list(range(19))
    with pytest.raises(ValueError, match="label id 34"):
        panoptic.from_cityscapes_instance_ids(np.array([[34]]))
    with pytest.raises(ValueError, match="0..65535"):
        panoptic.from_cityscapes_instance_ids(np.array([[65536]]))
    with pytest.raises(TypeError, match="integer dtype"):
        panoptic.from_cityscapes_instance_ids(np.array([[7.0]]))


@given(data=st.data())
def test_kitti_step_round_trips(data):
    shape = data.draw(shapes)
    semantic = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 255)))
    instance = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 999)))
    rgb = np.stack([semantic, instance // 256, instance % 256], axis=2).astype(np.uint8)
    pan = panoptic.from_kitti_step(rgb)
    assert pan.dtype == np.int32
    np.testing.assert_array_equal(pan, semantic * 1000 + instance)
    np.testing.assert_array_equal(panoptic.to_kitti_step(pan), rgb)


def test_kitti_step_errors():
    with pytest.raises(ValueError, match="below label_divisor = 1000, got 1000"):
        panoptic.from_kitti_step(np.array([[[1, 3, 232]]], np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        panoptic.from_kitti_step(np.zeros((1, 1, 3), np.int32))
    with pytest.raises(ValueError, match="shape"):
        panoptic.from_kitti_step(np.zeros((1, 1), np.uint8))
    with pytest.raises(OverflowError, match="0..255"):
        panoptic.to_kitti_step(np.array([[256000]]))
    with pytest.raises(ValueError, match=">= 0"):
        panoptic.to_kitti_step(np.array([[-1]]))


@given(data=st.data())
def test_vistas_instances_decode_label_and_instance(data):
    shape = data.draw(shapes)
    label = data.draw(hnp.arrays(np.int64, shape, elements=st.sampled_from([0, 1, 19, 65])))
    instance = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 255)))
    values = (label * 256 + instance).astype(np.uint16)
    ids, segments = panoptic.from_vistas_instances(values)
    np.testing.assert_array_equal(ids, np.where(label == 65, 0, values.astype(np.int64) + 1))
    assert segments == segments_by_mask(ids, {s["id"]: (s["id"] - 1) // 256 for s in segments})


def test_vistas_errors():
    with pytest.raises(ValueError, match="0..65535"):
        panoptic.from_vistas_instances(np.array([[70000]]))
    with pytest.raises(ValueError, match="void_label must lie"):
        panoptic.from_vistas_instances(np.array([[1]]), void_label=300)


@pytest.mark.parametrize("dtype", [">u2", "<i4", ">i8"])
def test_byte_swapped_and_strided_inputs(dtype):
    values = np.array([[7, 26001, 26001], [24, 1, 8]]).astype(dtype)[:, ::-1]
    ids, segments = panoptic.from_cityscapes_instance_ids(values)
    native = np.ascontiguousarray(values.astype(np.int64))
    expected_ids, expected_segments = panoptic.from_cityscapes_instance_ids(native)
    assert ids.flags.c_contiguous and ids.dtype == np.uint32
    np.testing.assert_array_equal(ids, expected_ids)
    assert segments == expected_segments


def test_empty_maps_give_no_segments():
    ids, segments = panoptic.from_label_divisor(np.zeros((0, 5), np.int32))
    assert ids.shape == (0, 5) and segments == []
    ids, segments = panoptic.from_two_channel(np.zeros((3, 0, 2), np.uint8))
    assert ids.shape == (3, 0) and segments == []
