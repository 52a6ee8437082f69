"""Fuzz the panoptic merges: every entry point on hostile layouts, odd dtypes and sizes.

Masks, label maps, heatmaps, offsets and logits come in any layout (negative, zero and odd
strides, Fortran order, the other byte order, read-only), with empty axes, wrong dtypes and
malformed options now and then. An accepted call is checked against the NumPy ports of
maskkit._bench.panoptic_ports on native copies of the same inputs.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import panoptic, rle

from maskkit._bench import panoptic_ports as ports
from .harness import clean_call, fuzz, hostile_layouts, native_copy, succeeded

CATEGORIES = {1: {"isthing": 1, "color": [220, 60, 60]}, 2: {"isthing": 1, "color": [60, 60, 142]},
              7: {"isthing": 0, "color": [128, 64, 128]}, 8: {"isthing": 0, "color": [70, 70, 70]}}
MASK_DTYPES = [np.bool_, np.uint8, np.uint8, np.bool_, np.int16, np.float32]


def mask_stacks(max_side: int = 12) -> st.SearchStrategy[np.ndarray]:
    return st.builds(
        lambda n, h, w, dtype, seed: (np.random.default_rng(seed).random((n, h, w)) < 0.4).astype(dtype),
        st.integers(0, 5), st.integers(0, max_side), st.integers(0, max_side), st.sampled_from(MASK_DTYPES),
        st.integers(0, 2**32 - 1),
    )


def numbers(n: int) -> st.SearchStrategy[Any]:
    common = st.lists(st.sampled_from([0.3, 0.5, 0.7, 0.9]), min_size=n, max_size=n)
    odd = st.one_of(st.lists(st.floats(allow_nan=True), min_size=n, max_size=n), st.just("x"), st.none(),
                    st.lists(st.integers(-3, 3), min_size=max(n - 1, 0), max_size=n + 1))
    return st.one_of(common, common, common, odd)


@fuzz
@given(data=st.data())
def test_fuzz_merge_layers(data):
    masks = data.draw(hostile_layouts(mask_stacks()))
    n = masks.shape[0]
    cats = data.draw(st.one_of(st.lists(st.sampled_from([1, 2, 7, 8]), min_size=n, max_size=n), numbers(n)))
    z = data.draw(numbers(n))
    overlap = data.draw(st.sampled_from([0.0, 0.5, 1.0, float("nan"), "a"]))
    min_visible = data.draw(st.sampled_from([0, 2, -1.5]))
    fuse = data.draw(st.booleans())
    isthing = np.array([c in (1, 2) for c in cats], bool) if isinstance(cats, list) and len(cats) == n else True
    result = clean_call(panoptic.merge_layers, masks, cats, z=z, isthing=isthing, overlap_thr=overlap,
                        min_visible=min_visible, fuse_stuff=fuse)
    if result is None:
        return
    things = np.broadcast_to(isthing, (n,)).tolist()
    depth = [0.0] * n if z is None else [float(v) for v in z]
    want = ports.merge_layers(native_copy(masks) != 0, cats, depth, things, overlap, 0, min_visible, fuse)
    np.testing.assert_array_equal(result[0], want[0])
    assert result[1] == want[1]


@fuzz
@given(data=st.data())
def test_fuzz_combine_image(data):
    inst = data.draw(hostile_layouts(mask_stacks()))
    h, w = inst.shape[1:]
    stuff = data.draw(hostile_layouts(st.builds(
        lambda n, seed: (np.random.default_rng(seed).random((n, h, w)) < 0.5), st.integers(0, 3), st.integers(0, 2**32 - 1))))
    n, m = inst.shape[0], stuff.shape[0]
    as_rle = data.draw(st.booleans()) and inst.dtype in (np.bool_, np.uint8) and n > 0
    inst_in = rle.encode(inst).to_coco() if as_rle else inst
    scores = data.draw(numbers(n))
    cats = data.draw(st.lists(st.sampled_from([1, 2, 9]), min_size=n, max_size=n))  # 9 is unknown
    stuff_cats = data.draw(st.lists(st.sampled_from([7, 8]), min_size=m, max_size=m))
    limit = data.draw(st.sampled_from([0, 1, 3, 4096.0]))
    overlap = data.draw(st.sampled_from([0.0, 0.5, 1.0]))
    ids = panoptic.IdGenerator(CATEGORIES, mode="sequential")
    result = clean_call(panoptic.combine_image, inst_in, scores, cats, stuff, stuff_cats, id_generator=ids,
                        overlap_thr=overlap, stuff_area_limit=limit, height=h, width=w)
    if result is None:
        return
    pan, segs = result
    assert pan.shape == (h, w) and pan.dtype == np.uint32
    ranked = sorted((i for i in range(n) if not scores[i] < 0.5), key=lambda i: -scores[i])
    layers = np.concatenate([native_copy(inst)[ranked] != 0, native_copy(stuff)]) if n + m else np.zeros((0, h, w), bool)
    # the port with z = rank and per-kind rules is two ports: instances, then stuff on what is left
    want = np.zeros((h, w), np.uint32)
    want_segs = []
    for k in range(len(layers)):
        mask, a = layers[k], int(layers[k].sum())
        free = mask & (want == 0)
        if k < len(ranked):
            if a == 0 or (a - int(free.sum())) / a > overlap:
                continue
        elif free.sum() < limit:
            continue
        want_segs.append({"id": len(want_segs) + 1, "category_id": (cats[ranked[k]] if k < len(ranked) else stuff_cats[k - len(ranked)])})
        want[free] = len(want_segs)
    np.testing.assert_array_equal(pan, want)
    assert segs == want_segs


@fuzz
@given(data=st.data())
def test_fuzz_combine_files(data):
    h, w = data.draw(st.integers(0, 6)), data.draw(st.integers(0, 6))
    mask = np.zeros((h, w), np.uint8)
    mask[: h // 2] = 1
    seg = rle.encode(mask).to_coco()[0]
    seg["counts"] = seg["counts"].decode()
    inst = data.draw(st.sampled_from([
        [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": seg}],
        [{"image_id": 1, "category_id": 1, "segmentation": seg}],
        [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [h + 1, w], "counts": "0"}}],
        {"a": 1}, [], [3],
    ]))
    sem = data.draw(st.sampled_from([[], [{"image_id": 1, "category_id": 7, "segmentation": seg}],
                                     [{"image_id": 1, "category_id": 99, "segmentation": seg}]]))
    images = data.draw(st.sampled_from([{"images": [{"id": 1, "file_name": "a.jpg", "height": h, "width": w}]},
                                        {"images": [{"id": 1}]}, []]))
    cats = [dict(c, id=i) for i, c in CATEGORIES.items()]
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, obj in [("sem", sem), ("inst", inst), ("images", images), ("cats", cats)]:
            paths[name] = os.path.join(folder, name + ".json")
            with open(paths[name], "w") as handle:
                import json

                json.dump(obj, handle)
        before = set(os.listdir(folder))
        ok = succeeded(panoptic.combine, paths["sem"], paths["inst"], paths["images"], paths["cats"], None,
                       os.path.join(folder, "pan.json"), stuff_area_limit=1, seed=0)
        after = set(os.listdir(folder))
        assert after == (before | {"pan", "pan.json"} if ok else before)


@fuzz
@given(data=st.data())
def test_fuzz_detectron2_combine(data):
    masks = data.draw(hostile_layouts(mask_stacks()))
    n, h, w = masks.shape
    sem_dtype = data.draw(st.sampled_from(["<i8", ">i4", "u1", "<u2", "f4", "?"]))
    values = hnp.arrays("<i8", (h, w), elements=st.integers(0, 1 if sem_dtype == "?" else 3))
    sem = data.draw(hostile_layouts(values.map(lambda a: a.astype(sem_dtype))))
    scores = data.draw(numbers(n))
    classes = data.draw(st.lists(st.integers(0, 79), min_size=n, max_size=n))
    thresh = data.draw(st.sampled_from([0, 1, 4096]))
    result = clean_call(panoptic.combine_semantic_and_instance_outputs, masks, scores, classes, sem, 0.5, thresh, 0.5)
    if result is None:
        return
    want = ports.detectron2_combine(native_copy(masks) != 0, np.asarray(scores, float), np.asarray(classes),
                                    native_copy(sem).astype(np.int64), 0.5, thresh, 0.5)
    np.testing.assert_array_equal(result[0], want[0])
    assert result[1] == want[1]


@fuzz
@given(data=st.data())
def test_fuzz_find_instance_center(data):
    dtype = data.draw(st.sampled_from(["<f4", ">f4", "f8", "i4"]))
    values = hnp.arrays("f8", hnp.array_shapes(min_dims=2, max_dims=3, min_side=0, max_side=10),
                        elements=st.sampled_from([0.0, 0.05, 0.2, 0.5, 0.9]))
    hm = data.draw(hostile_layouts(values.map(lambda a: a.astype(dtype))))
    kernel = data.draw(st.sampled_from([1, 3, 4, 7, 0, -1]))
    top_k = data.draw(st.sampled_from([None, 1, 3, 200, 0]))
    variant = data.draw(st.sampled_from(["detectron2", "original", "tf"]))
    result = clean_call(panoptic.find_instance_center, hm, 0.1, kernel, top_k, variant=variant)
    if result is None:
        return
    plane = native_copy(hm).reshape(hm.shape[-2:])
    np.testing.assert_array_equal(result, ports.find_instance_center(plane, 0.1, kernel, top_k, variant))


@fuzz
@given(data=st.data())
def test_fuzz_group_pixels(data):
    dtype = data.draw(st.sampled_from(["<f4", ">f4", "<f8", ">f8", "f2"]))
    h, w = data.draw(st.integers(0, 8)), data.draw(st.integers(0, 40))
    offsets = data.draw(hostile_layouts(hnp.arrays(dtype, (2, h, w), elements=st.sampled_from([0.0, 0.5, -1.5, 2.0, 7.25]))))
    k = data.draw(st.integers(0, 5))
    centers = data.draw(hostile_layouts(hnp.arrays(data.draw(st.sampled_from(["<i8", ">i4", "u2", "f8"])), (k, 2),
                                                   elements=st.integers(0, 9))))
    result = clean_call(panoptic.group_pixels, centers, offsets)
    if result is None:
        return
    if k == 0:
        assert not result.any() and result.shape == (h, w)
        return
    np.testing.assert_array_equal(result, ports.group_pixels(native_copy(centers).astype(np.int64), native_copy(offsets)))


@fuzz
@given(data=st.data())
def test_fuzz_merge_semantic_and_instance(data):
    h, w = data.draw(st.integers(0, 10)), data.draw(st.integers(0, 10))
    sem = data.draw(hostile_layouts(hnp.arrays(data.draw(st.sampled_from(["<i8", ">i2", "u1", "f4"])), (h, w),
                                               elements=st.integers(0, 5))))
    ins = data.draw(hostile_layouts(hnp.arrays(data.draw(st.sampled_from(["<i8", ">i4", "i1"])), (h, w),
                                               elements=st.integers(-1, 4))))
    thing_seg = data.draw(st.one_of(st.none(), hnp.arrays(np.bool_, (h, w))))
    divisor = data.draw(st.sampled_from([1000, 256, 1, 0, 2**62]))
    area = data.draw(st.sampled_from([0, 2, 2048, float("nan")]))
    result = clean_call(panoptic.merge_semantic_and_instance, sem, ins, [1, 2, 3], divisor, area, -1, thing_seg)
    if result is None:
        return
    want = ports.merge_semantic_and_instance(native_copy(sem).astype(np.int64), native_copy(ins).astype(np.int64),
                                             [1, 2, 3], divisor, area, -1, thing_seg)
    np.testing.assert_array_equal(result, want)


@fuzz
@given(data=st.data())
def test_fuzz_get_panoptic_segmentation(data):
    h, w = data.draw(st.integers(1, 10)), data.draw(st.integers(1, 10))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    sem = rng.integers(0, 4, (h, w))
    hm = rng.choice(np.array([0.0, 0.2, 0.6], np.float32), (1, h, w))
    offsets = data.draw(hostile_layouts(st.just(rng.normal(0, 2, (1, 2, h, w)).astype(np.float32))))
    result = clean_call(panoptic.get_panoptic_segmentation, sem, hm, offsets, [1, 2], 1000, 2, -1, 0.1, 3, None)
    assert result is not None
    centers = ports.find_instance_center(hm[0], 0.1, 3, None, "detectron2")
    ins = np.zeros((h, w), np.int64) if len(centers) == 0 else ports.group_pixels(centers, native_copy(offsets)[0])
    want = ports.merge_semantic_and_instance(sem, ins * np.isin(sem, [1, 2]), [1, 2], 1000, 2, -1)
    np.testing.assert_array_equal(result[0], want)


@fuzz
@given(data=st.data())
def test_fuzz_panoptic_inference(data):
    q, c = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 4))
    h, w = data.draw(st.integers(0, 6)), data.draw(st.integers(0, 30))
    cls_dtype = data.draw(st.sampled_from(["<f8", ">f4", "f2", "i4"]))
    cls = data.draw(hostile_layouts(hnp.arrays(cls_dtype, (q, c + 1), elements=st.sampled_from([0.0, 1.0, 4.0, -2.0]))))
    pred_dtype = data.draw(st.sampled_from(["<f4", ">f4", "f8"]))
    pred = data.draw(hostile_layouts(hnp.arrays(pred_dtype, (q, h, w),
                                                elements=st.sampled_from([0.0, -3e-8, 1.0, -1.0, 5.0, -20.0]))))
    obj = data.draw(st.sampled_from([0.0, 0.3, 0.8]))
    overlap = data.draw(st.sampled_from([0.0, 0.8, 1.0]))
    result = clean_call(panoptic.panoptic_inference, cls, pred, [0, 2], obj, overlap)
    if result is None:
        return
    want = ports.mask2former_panoptic_inference(native_copy(cls), native_copy(pred), [0, 2], obj, overlap)
    np.testing.assert_array_equal(result[0], want[0])
    assert result[1] == want[1]
