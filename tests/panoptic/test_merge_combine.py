"""combine_image: pixel and id parity with panopticapi's combine_to_panoptic_single_core (§5.3 property 10)."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

from maskkit import panoptic, rle

CATEGORIES = {
    1: {"id": 1, "isthing": 1, "color": [220, 60, 60]},
    2: {"id": 2, "isthing": 1, "color": [60, 60, 142]},
    3: {"id": 3, "isthing": 1, "color": [100, 170, 60]},
    7: {"id": 7, "isthing": 0, "color": [128, 64, 128]},
    8: {"id": 8, "isthing": 0, "color": [70, 70, 70]},
    9: {"id": 9, "isthing": 0, "color": [107, 142, 35]},
}


def blobs(rng: np.random.Generator, n: int, h: int, w: int) -> np.ndarray:
    """n rectangles and random speckle: overlapping masks of all sizes, some empty."""
    masks = np.zeros((n, h, w), bool)
    for i in range(n):
        kind = rng.integers(0, 5)
        if kind == 0:
            continue  # empty
        y0, x0 = rng.integers(0, h), rng.integers(0, w)
        masks[i, y0 : y0 + rng.integers(1, h + 1), x0 : x0 + rng.integers(1, w + 1)] = True
        if kind == 1:
            masks[i] |= rng.random((h, w)) < 0.2
    return masks


def predictions(seed: int, images: int):
    rng = np.random.default_rng(seed)
    data = []
    for image_id in range(images):
        h, w = int(rng.integers(1, 24)), int(rng.integers(1, 24))
        n_inst, n_stuff = int(rng.integers(0, 8)), int(rng.integers(0, 5))
        scores = rng.choice([0.3, 0.5, 0.7, 0.9, 0.95], n_inst)  # few values: ties and the threshold itself
        inst_cats = rng.choice([1, 2, 3], n_inst)
        stuff_cats = rng.choice([7, 8, 9], n_stuff)  # repeats: several RLEs of one category
        data.append((image_id, h, w, blobs(rng, n_inst, h, w), scores, inst_cats, blobs(rng, n_stuff, h, w), stuff_cats))
    return data


def reference_run(combine_module, data, seed, overlap_thr, stuff_area_limit, confidence_thr):
    """panopticapi's single core on the instances combine_predictions would hand it."""
    img_id2img, inst_by_image, sem_by_image = {}, {}, {}
    for image_id, h, w, inst, scores, inst_cats, stuff, stuff_cats in data:
        img_id2img[image_id] = {"id": image_id, "height": h, "width": w, "file_name": f"{image_id}.jpg"}
        inst_rles = rle.encode(inst).to_coco() if len(inst) else []
        anns = [
            {"segmentation": r, "score": float(s), "category_id": int(c)}
            for r, s, c in zip(inst_rles, scores, inst_cats)
            if not float(s) < confidence_thr
        ]
        inst_by_image[image_id] = sorted(anns, key=lambda el: -el["score"])
        stuff_rles = rle.encode(stuff).to_coco() if len(stuff) else []
        sem_by_image[image_id] = [{"segmentation": r, "category_id": int(c)} for r, c in zip(stuff_rles, stuff_cats)]
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
        np.random.seed(seed)
        annotations = combine_module.combine_to_panoptic_single_core(
            0, list(img_id2img), img_id2img, inst_by_image, sem_by_image, folder, overlap_thr, stuff_area_limit,
            CATEGORIES,
        )
        pngs = [np.array(Image.open(os.path.join(folder, a["file_name"]))) for a in annotations]
    return annotations, pngs


@settings(max_examples=40)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 0.3, 0.5, 1.0, 1.5]),
    st.sampled_from([0, 1, 5, 4096.0]),
    st.sampled_from([0.5, 0.7]),
    st.booleans(),
)
def test_equals_panopticapi_single_core(panopticapi_combine, seed, overlap_thr, stuff_area_limit, confidence_thr, as_rle):
    data = predictions(seed, 3)
    annotations, pngs = reference_run(panopticapi_combine, data, seed, overlap_thr, stuff_area_limit, confidence_thr)
    ids = panoptic.IdGenerator(CATEGORIES, seed=seed)  # one generator for all images, as one worker has
    for (image_id, h, w, inst, scores, inst_cats, stuff, stuff_cats), ann, png in zip(data, annotations, pngs):
        inst_in = rle.encode(inst).to_coco() if as_rle and len(inst) else inst
        pan, segs = panoptic.combine_image(
            inst_in, scores, inst_cats, stuff, stuff_cats, id_generator=ids, confidence_thr=confidence_thr,
            overlap_thr=overlap_thr, stuff_area_limit=stuff_area_limit, height=h, width=w,
        )
        np.testing.assert_array_equal(panoptic.id2rgb(pan), png)
        assert segs == ann["segments_info"]


def test_kept_instance_with_no_pixels_left_is_listed():
    inst = np.ones((2, 2, 2), bool)
    pan, segs = panoptic.combine_image(
        inst, [0.9, 0.8], [1, 2], [], [], id_generator=panoptic.IdGenerator(CATEGORIES, mode="sequential"),
        overlap_thr=1.0,
    )
    assert segs == [{"id": 1, "category_id": 1}, {"id": 2, "category_id": 2}]
    assert (pan == 1).all()


def test_stuff_of_one_category_twice_gives_two_segments_with_one_colour_id():
    stuff = np.zeros((2, 1, 4), bool)
    stuff[0, 0, :2] = True
    stuff[1, 0, 1:] = True
    pan, segs = panoptic.combine_image(
        [], [], [], stuff, [7, 7], id_generator=panoptic.IdGenerator(CATEGORIES), stuff_area_limit=2,
    )
    colour = panoptic.rgb2id(CATEGORIES[7]["color"])
    assert segs == [{"id": colour, "category_id": 7}, {"id": colour, "category_id": 7}]
    assert (pan == colour).all()


def test_equal_scores_keep_input_order():
    inst = np.ones((3, 1, 1), bool)
    pan, segs = panoptic.combine_image(
        inst, [0.6, 0.9, 0.9], [1, 2, 3], [], [], id_generator=panoptic.IdGenerator(CATEGORIES, mode="sequential"),
    )
    assert segs == [{"id": 1, "category_id": 2}] and pan.tolist() == [[1]]


def test_no_masks_needs_a_size():
    gen = panoptic.IdGenerator(CATEGORIES)
    pan, segs = panoptic.combine_image([], [], [], [], [], id_generator=gen, height=2, width=3)
    assert pan.shape == (2, 3) and not pan.any() and segs == []
    pan, _ = panoptic.combine_image([], [], [], [], [], id_generator=gen, height=0, width=3)
    assert pan.shape == (0, 3)
    with pytest.raises(ValueError, match="needs height and width"):
        panoptic.combine_image([], [], [], [], [], id_generator=gen)


@pytest.mark.parametrize(
    "change, error, text",
    [
        ({"instance_scores": [float("nan")]}, ValueError, "instance_scores must not be NaN"),
        ({"instance_scores": [0.5, 0.6]}, ValueError, "one value per mask (1)"),
        ({"instance_scores": ["a"]}, TypeError, "instance_scores"),
        ({"instance_categories": [1.0]}, TypeError, "instance_categories"),
        ({"stuff_masks": np.ones((1, 3, 3), bool)}, ValueError, "image's size"),
        ({"instance_masks": np.ones((1, 2, 2), np.int32)}, TypeError, "uint8 or bool"),
        ({"instance_masks": {"size": [2, 2], "counts": b"04"}}, TypeError, "one dict"),
        ({"instance_masks": [{"size": [2, 2], "counts": [0, 5]}]}, ValueError, "counts sum past"),
        ({"overlap_thr": float("nan")}, ValueError, "overlap_thr"),
        ({"stuff_area_limit": None}, TypeError, "stuff_area_limit"),
        ({"id_generator": None}, TypeError, "IdGenerator"),
        ({"stuff_categories": [99]}, ValueError, "unknown category"),
    ],
)
def test_errors(change, error, text):
    args = {
        "instance_masks": np.ones((1, 2, 2), bool), "instance_scores": [0.9], "instance_categories": [1],
        "stuff_masks": np.ones((1, 2, 2), bool), "stuff_categories": [7],
        "id_generator": panoptic.IdGenerator(CATEGORIES), "stuff_area_limit": 0,
    }
    args.update(change)
    with pytest.raises(error, match=__import__("re").escape(text)):
        panoptic.combine_image(
            args.pop("instance_masks"), args.pop("instance_scores"), args.pop("instance_categories"),
            args.pop("stuff_masks"), args.pop("stuff_categories"), **args,
        )


@pytest.mark.parametrize("counts", [[0], [0, 0, 0], [0, 0, 0, 0]])
def test_zero_height_rles_with_zero_counts(counts):
    # a 0-pixel image's runs all have length 0: nothing to paint, and no line to place them on
    ids = panoptic.IdGenerator(CATEGORIES, seed=0)
    pan, segs = panoptic.combine_image([{"size": [0, 4], "counts": counts}], [0.9], [1], [], [], id_generator=ids)
    assert pan.shape == (0, 4) and pan.dtype == np.uint32 and segs == []
