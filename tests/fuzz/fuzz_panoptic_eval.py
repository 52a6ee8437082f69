"""Fuzz panoptic quality: Evaluator.update on hostile maps and segments (compared with
panopticapi where valid), the core's pair histogram and matcher on raw hostile sources and
tables (every IdImage kind, random PNG filter bytes, short buffers, odd strides), and the PNG
reader on damaged files.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import _core, panoptic
from maskkit._pan_png import id_source

from ..panoptic.pq_reference import CATEGORIES, images, reference_stat
from .harness import clean_call, fuzz, hostile_layouts, native_copy, succeeded

MAP_DTYPES = [np.uint8, np.int8, np.uint16, np.int32, np.uint32, np.int64, np.uint64, np.float32, np.bool_]


def _evaluation() -> Any:
    from panopticapi import evaluation

    return evaluation


@fuzz
@given(image=images(), data=st.data())
def test_fuzz_evaluator_update(image: Any, data: st.DataObject) -> None:
    gt, gs, pred, ps = image
    layout = data.draw(hostile_layouts(st.just(pred)))
    colours = data.draw(st.booleans())
    gt_in = panoptic.id2rgb(gt) if colours else gt
    mode = data.draw(st.sampled_from(["strict", "corrected"]))
    ev = panoptic.Evaluator(CATEGORIES, mode=mode)
    if not succeeded(ev.update, gt_in, gs, layout, ps):
        return
    if mode == "strict":
        stat = reference_stat(_evaluation(), CATEGORIES, [(gt, gs, native_copy(layout), ps)])
        counts = ev.counts()
        for c in CATEGORIES:
            ref = stat.pq_per_cat[c["id"]]
            assert counts[c["id"]] == {"tp": ref.tp, "fp": ref.fp, "fn": ref.fn, "iou": ref.iou}


@st.composite
def hostile_maps(draw: st.DrawFn) -> np.ndarray:
    dtype = draw(st.sampled_from(MAP_DTYPES))
    shape = draw(st.sampled_from([(0,), (3,), (0, 0), (0, 4), (4, 0), (3, 5), (5, 3), (2, 3, 3), (2, 3, 4), (2, 3, 2), (1, 1, 1, 1)]))
    elements = st.integers(0, 3) if dtype != np.float32 else st.floats(allow_nan=True, allow_infinity=True, width=32)
    if dtype == np.bool_:
        elements = st.booleans()
    array = draw(hnp.arrays(dtype, shape, elements=elements))
    if draw(st.booleans()) and array.size and dtype in (np.int32, np.int64, np.uint32, np.uint64):
        array.flat[0] = draw(st.sampled_from([1 << 24, (1 << 24) - 1, -1 if dtype in (np.int32, np.int64) else 1 << 31]))
    return draw(hostile_layouts(st.just(array), keep_shape=False))


hostile_segment = st.one_of(
    st.fixed_dictionaries({"id": st.integers(-2, 5), "category_id": st.sampled_from([1, 3, 7, 9, 99, "x"])},
                          optional={"iscrowd": st.sampled_from([0, 1, 2, True, None]),
                                    "area": st.one_of(st.integers(-3, 40), st.floats(allow_nan=True), st.text(max_size=2))}),
    st.dictionaries(st.sampled_from(["id", "category_id", "iscrowd", "area"]), st.one_of(st.integers(-1, 3), st.none(), st.floats())),
    st.integers(), st.text(max_size=3), st.none(),
)


@fuzz
@given(gt=hostile_maps(), pred=hostile_maps(), gs=st.lists(hostile_segment, max_size=4) | st.none(),
       ps=st.lists(hostile_segment, max_size=4) | st.integers(), mode=st.sampled_from(["strict", "corrected"]))
def test_fuzz_evaluator_hostile_arguments(gt: np.ndarray, pred: np.ndarray, gs: Any, ps: Any, mode: str) -> None:
    ev = panoptic.Evaluator(CATEGORIES, mode=mode)
    if succeeded(ev.update, gt, gs, pred, ps):
        assert ev.images == 1
        clean_call(ev.compute)


@st.composite
def raw_sources(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from([0, 1, 2, 3, -1]))
    h, w = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    channels = draw(st.sampled_from([3, 4, 0, 2, 5]))
    if kind == 2:
        row = 1 + w * max(channels, 0)
        size = draw(st.sampled_from([h * row, max(h * row - 1, 0), h * row + 3, 0]))
        raw = bytearray(draw(st.binary(min_size=size, max_size=size)))
        for y in range(h):
            if y * row < len(raw) and draw(st.integers(0, 5)):
                raw[y * row] = draw(st.integers(0, 4))
        buffer: Any = bytes(raw)
        stride = 0
    elif kind == 1:
        stride = draw(st.sampled_from([w * max(channels, 0), w * max(channels, 0) + 2, max(w * channels - 1, 0), -1]))
        buffer = np.frombuffer(draw(st.binary(max_size=max(h * abs(stride) + 8, 8))), np.uint8)
    else:
        stride = draw(st.sampled_from([4 * w, 4 * w + 4, max(4 * w - 4, 0), -4]))
        count = draw(st.integers(0, max(h * abs(stride) // 4 + 2, 2)))
        buffer = draw(hnp.arrays(np.uint32, count, elements=st.sampled_from([0, 1, 5, (1 << 24) - 1, 1 << 24, 1 << 31])))
    return (kind, buffer, h, w, stride, channels)


@st.composite
def tables(draw: st.DrawFn) -> Any:
    n = draw(st.integers(0, 4))
    ids = np.array(draw(st.lists(st.integers(-1, 6), min_size=n, max_size=n)), np.int64)
    category = np.array(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), np.int32)
    crowd = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), np.uint8)
    area = np.array(draw(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=n, max_size=n)), np.float64)
    if draw(st.integers(0, 9)) == 0:
        area = area[:-1] if n else np.zeros(1)
    return (ids, category, crowd, area)


@fuzz
@given(gt=raw_sources(), pred=raw_sources(), gt_table=tables(), pred_table=tables(), corrected=st.booleans())
def test_fuzz_core_pairs_and_matching(gt: Any, pred: Any, gt_table: Any, pred_table: Any, corrected: bool) -> None:
    result = clean_call(_core.panoptic_pairs, gt, pred)
    if result is not None:
        keys, counts = result
        assert np.all(keys[1:] > keys[:-1]) and int(counts.sum()) == gt[2] * gt[3]
    match = clean_call(_core.panoptic_pq_image, gt, pred, gt_table, pred_table, corrected)
    if match is not None:
        assert match[0] in (0, 1, 2, 3) and len(match[3]) == len(match[4])


@st.composite
def damaged_pngs(draw: st.DrawFn) -> bytes:
    from PIL import Image

    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    mode = draw(st.sampled_from(["RGB", "RGBA", "L", "P", "I;16", "LA"]))
    channels = {"RGB": 3, "RGBA": 4, "LA": 2}.get(mode, 1)
    pixels = np.frombuffer(draw(st.binary(min_size=h * w * channels, max_size=h * w * channels)), np.uint8)
    out = io.BytesIO()
    if mode == "I;16":
        Image.fromarray(pixels.reshape(h, w).astype(np.uint16) * 257).save(out, "PNG")
    else:
        Image.fromarray(pixels.reshape((h, w, channels) if channels > 1 else (h, w)), mode).save(
            out, "PNG", optimize=draw(st.booleans())
        )
    data = bytearray(out.getvalue())
    for _ in range(draw(st.integers(0, 3))):
        what = draw(st.sampled_from(["flip", "cut", "insert"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if what == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif what == "cut":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@fuzz
@given(png=damaged_pngs())
def test_fuzz_png_reading(png: bytes) -> None:
    source = clean_call(id_source, png, "fuzz.png")  # a damaged file: PanopticImageError, a ValueError
    if source is None:
        return
    zeros = (0, np.zeros(source[2] * source[3], np.uint32), source[2], source[3], 4 * source[3], 0)
    keys, counts = _core.panoptic_pairs(source, zeros)
    assert int(counts.sum()) == source[2] * source[3]
