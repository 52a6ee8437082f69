"""Fuzz Boundary PQ: Evaluator(boundary=True).update on valid images in hostile layouts and
colours (compared with the NumPy transcription of boundary-iou-api's evaluation in strict mode),
on hostile maps, segments and ratios, and the core's boundary matcher on raw hostile tables and
boundary terms (wrong lengths, unsorted keys, areas that disagree with the histogram).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import _core, panoptic

from ..panoptic.pq_reference import CATEGORIES, images
from ..panoptic.test_eval_boundary import reference_boundary_counts
from .fuzz_panoptic_eval import hostile_maps, hostile_segment, raw_sources, tables
from .harness import clean_call, fuzz, hostile_layouts, native_copy, succeeded

RATIOS = st.sampled_from([0.0, 0.02, 0.1, 0.5, 1e300, -1.0, math.nan, "x"])


@fuzz
@given(image=images(max_side=20), data=st.data())
def test_fuzz_boundary_evaluator_update(image: Any, data: st.DataObject) -> None:
    import cv2

    gt, gs, pred, ps = image
    layout = data.draw(hostile_layouts(st.just(pred)))
    gt_in = panoptic.id2rgb(gt) if data.draw(st.booleans()) else gt
    mode = data.draw(st.sampled_from(["strict", "corrected"]))
    ratio = data.draw(st.sampled_from([0.0, 0.02, 0.1, 0.5]))
    ev = panoptic.Evaluator(CATEGORIES, mode=mode, boundary=True, dilation_ratio=ratio)
    if succeeded(ev.update, gt_in, gs, layout, ps) and mode == "strict":
        assert ev.counts() == reference_boundary_counts(cv2, CATEGORIES, [(gt, gs, native_copy(layout), ps)], ratio)


@fuzz
@given(gt=hostile_maps(), pred=hostile_maps(), gs=st.lists(hostile_segment, max_size=4) | st.none(),
       ps=st.lists(hostile_segment, max_size=4), mode=st.sampled_from(["strict", "corrected"]), ratio=RATIOS)
def test_fuzz_boundary_evaluator_hostile_arguments(gt: np.ndarray, pred: np.ndarray, gs: Any, ps: Any, mode: str, ratio: Any) -> None:
    ev = clean_call(panoptic.Evaluator, CATEGORIES, mode=mode, boundary=True, dilation_ratio=ratio)
    if ev is not None and succeeded(ev.update, gt, gs, pred, ps):
        assert ev.images == 1
        clean_call(ev.compute)


@fuzz
@given(gt=raw_sources(), pred=raw_sources(), gt_table=tables(), pred_table=tables(), corrected=st.booleans(), data=st.data())
def test_fuzz_core_boundary_matching(gt: Any, pred: Any, gt_table: Any, pred_table: Any, corrected: bool, data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 5))
    keys = np.array(data.draw(st.lists(st.integers(0, 2**48), min_size=n, max_size=n)), np.uint64)
    if data.draw(st.booleans()):
        keys = np.sort(keys)
    counts = data.draw(hnp.arrays(np.uint64, data.draw(st.sampled_from([n, n, n + 1])), elements=st.integers(0, 2**40)))
    areas = [data.draw(hnp.arrays(np.uint64, data.draw(st.sampled_from([len(t[0]), len(t[0]), len(t[0]) + 1])),
                                  elements=st.integers(0, 2**63))) for t in (gt_table, pred_table)]
    terms: Any = (keys, counts, areas[0], areas[1]) if data.draw(st.integers(0, 9)) else (keys, counts)
    match = clean_call(_core.panoptic_pq_image_boundary, gt, pred, gt_table, pred_table, corrected, terms)
    if match is not None:
        assert match[0] in (0, 1, 2, 3) and len(match[3]) == len(match[4])


def literal_walk(ids: np.ndarray, segments: list[int], inner: int, d: int) -> tuple[np.ndarray, list[int]]:
    """The reference's walk over the whole map, with the core's full-image boundaries."""
    out = ids.astype(np.uint32).copy()
    areas = []
    for seg in segments:
        if not 0 <= seg < 2**32:  # no pixel has this id
            areas.append(0)
            continue
        mask = out == seg
        edge = _core.iou_mask_boundaries(mask[None], d, True)[0].view(np.bool_)
        out[mask] = inner
        out[edge] = seg
        areas.append(int(edge.sum()))
    return out, areas


@fuzz
@given(data=st.data())
def test_fuzz_core_boundary_map(data: st.DataObject) -> None:
    h, w = data.draw(st.integers(0, 12)), data.draw(st.integers(0, 70))
    ids = data.draw(hnp.arrays(np.uint32, (h, w), elements=st.sampled_from([0, 1, 2, 3, 9, 2**32 - 1])))
    if ids.size and data.draw(st.booleans()):
        ids[: h // 2, : w // 2] = 1
    inner = data.draw(st.sampled_from([9, 1, 0, 2**32 - 1, -1, 2**32]))
    segments = data.draw(st.lists(st.sampled_from([0, 1, 2, 3, 9, 2**32 - 1, -5, 2**40]), max_size=6))
    d = data.draw(st.sampled_from([0, 1, 2, 5, 2**62, -1]))
    layout = data.draw(st.sampled_from(["plain", "plain", "strided", "int32"]))
    arg: Any = ids if layout == "plain" else (np.repeat(ids, 2, axis=1)[:, ::2] if layout == "strided" else ids.astype(np.int64))
    got = clean_call(_core.pan_boundary_map, arg, np.array(segments, np.int64), inner, d)
    if got is not None:
        want, areas = literal_walk(ids, segments, inner, d)
        assert np.array_equal(got[0], want) and got[1].tolist() == areas
