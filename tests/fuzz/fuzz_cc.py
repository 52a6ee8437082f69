"""Fuzz the connected-components entry points of maskkit.cc.

Images come in every dtype and byte order, with empty axes, long rows of a run per pixel and
hostile layouts (negative, zero and large strides, read-only views); options in every
combination, some of them malformed. An accepted call is checked against scipy.ndimage /
scikit-image where they define the answer, else against a brute-force union-find over pixel
pairs (periodic boundaries, delta), and always for the invariants of a labeling: labels 1..n
numbered in raster order of first pixels, background exactly where the image is background.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional, Tuple

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import cc

from ..cc_helpers import CONNECTIVITIES, HOPS, oracle, same_partition
from .harness import clean_call, fuzz, hostile_layouts, native_copy

PIXEL_DTYPES = ["?", "u1", "i1", "<u2", ">u2", "<i2", ">i2", "<u4", ">i4", "<u8", ">i8", "<f4", ">f8", "f2"]
ODD_DTYPES = ["c8", "O", "U2", "M8[s]", "m8[ms]", "V2", "g"]
LABEL_DTYPES = [None, "u1", "i1", "<u2", ">u2", "<i4", ">u4", "<u8", ">i8", "f4", "?", "nonsense"]
ORACLE_PIXELS = 400  # the brute-force oracle is quadratic in Python: small images only


@st.composite
def pixel_arrays(draw: st.DrawFn, ndims: Tuple[int, ...] = (2, 3)) -> np.ndarray:
    """Images of a few values, of many runs per row, or of random values, in any dtype."""
    ndim = draw(st.sampled_from(ndims))
    dtype = np.dtype(draw(st.sampled_from(PIXEL_DTYPES + ODD_DTYPES if draw(st.integers(0, 19)) == 0 else PIXEL_DTYPES)))
    size_kind = draw(st.integers(0, 40))
    if size_kind == 0:  # over a million pixels: labeled in stripes, one per thread, then joined
        shape = (1100, 1000) if ndim == 2 else (3, 400, 1000)
        seed = draw(st.integers(0, 2**32 - 1))
        blocks = np.random.default_rng(seed).integers(0, 3, tuple(-(-side // 50) for side in shape))
        values = np.kron(blocks, np.ones((1,) * (ndim - 2) + (50, 50), np.int64))[tuple(slice(0, side) for side in shape)]
        return values.astype(dtype) if dtype.kind not in "OUMmVc" else np.zeros(shape, dtype)
    if size_kind % 2:
        shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=9))
    else:  # long rows: runs beyond the SIMD blocks
        shape = tuple(draw(st.integers(0, 3)) for _ in range(ndim - 1)) + (draw(st.integers(60, 300)),)
    kind = draw(st.sampled_from(["few", "every_pixel", "random", "huge"]))
    size = int(np.prod(shape))
    if kind == "few":
        values = np.asarray(draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 3))))
    elif kind == "every_pixel":
        period = draw(st.integers(2, 4))
        values = np.indices(shape).sum(axis=0) % period if draw(st.booleans()) else np.indices(shape)[-1] % period
        values = values * draw(st.sampled_from([1, 3])) + draw(st.integers(0, 1))
    else:  # random values: a few, or any of the dtype (wrapped), e.g. labels of 2^40 and more
        seed = draw(st.integers(0, 2**32 - 1))
        top = 6 if kind == "random" else 2**62
        values = np.random.default_rng(seed).integers(0, top, size).reshape(shape)
    if dtype.kind in "OUMmVc" or dtype == np.longdouble:
        return np.zeros(shape, dtype) if dtype.kind != "O" else values.astype(object)
    with np.errstate(over="ignore"):  # float16 turns the largest values into infinity
        return values.astype(dtype)


images = hostile_layouts(pixel_arrays())


def any_of(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


def raster_ordered(labels: np.ndarray, n: int) -> bool:
    """Labels 1..n, each first seen after the one before in raster order."""
    flat = labels.ravel().astype(np.int64)
    present = flat[flat != 0]
    if n == 0:
        return present.size == 0
    _, first = np.unique(present, return_index=True)
    return bool(np.array_equal(np.unique(present), np.arange(1, n + 1)) and np.all(np.diff(first) > 0))


def expected_labeling(
    image: np.ndarray, connectivity: int, *, multilabel: bool, background: Any, periodic: bool, delta: Any
) -> Optional[Tuple[np.ndarray, int]]:
    """The labels the references give, or None where no reference is cheap enough."""
    from scipy import ndimage
    from skimage import measure

    native = native_copy(image)
    if native.dtype == np.float16:
        native = native.astype(np.float32)
    if not periodic and delta is None and not multilabel:
        structure = ndimage.generate_binary_structure(native.ndim, HOPS[connectivity])
        labels, n = ndimage.label(native != background, structure)
        return labels, int(n)
    if not periodic and multilabel and delta is None:
        labels = measure.label(native, background=background, connectivity=HOPS[connectivity])
        return labels, -1  # the same partition; skimage's numbering differs on axes of length 1
    if native.size > ORACLE_PIXELS:
        return None
    values = native.astype(np.float64) if native.dtype.kind == "f" else native.astype(object)
    if delta is None:
        joins = (lambda a, b: a == b) if multilabel else (lambda a, b: True)
    else:
        joins = lambda a, b: abs(a - b) <= delta  # noqa: E731
    return oracle(values, connectivity, periodic=periodic, joins=joins, background=background)


def check_labels(image: np.ndarray, labels: np.ndarray, n: int, connectivity: int, **options: Any) -> None:
    assert labels.shape == image.shape and isinstance(n, int)
    assert raster_ordered(labels, n)
    background = options["background"]
    pixels = native_copy(image)
    if pixels.dtype.kind == "f":  # compared in double, as the core does (no float16 overflow)
        pixels = pixels.astype(np.float64)
    assert np.array_equal(labels == 0, pixels == background)
    expected = expected_labeling(image, connectivity, **options)
    if expected is None:
        return
    reference, m = expected
    if m < 0:
        assert same_partition(labels.astype(np.int64), reference)
    else:
        assert n == m and np.array_equal(labels, reference)


@st.composite
def label_calls(draw: st.DrawFn) -> Tuple[np.ndarray, Dict[str, Any]]:
    image = draw(images)
    ndim = image.ndim if image.ndim in (2, 3) else 2
    kwargs: Dict[str, Any] = {}
    choice = draw(st.integers(0, 9))
    if choice == 0:  # a scipy structure, or a wrong one
        hops = draw(st.integers(0, 3))
        structure = np.sum(np.abs(np.indices((3,) * ndim) - 1), axis=0) <= hops
        kwargs["structure"] = structure if draw(st.integers(0, 3)) else structure[..., :2]
        kwargs["connectivity"] = None
    elif choice < 9:
        kwargs["connectivity"] = draw(st.sampled_from(CONNECTIVITIES[ndim]))
    else:
        kwargs["connectivity"] = draw(any_of(None, 0, 5, 26, 8, True, 4.0, "8", -1, 2**70))
    mode = draw(any_of("binary", "multilabel", "delta"))
    if mode == "multilabel":
        kwargs["multilabel"] = draw(any_of(True, True, True, 1, np.bool_(True)))
    elif mode == "delta":
        kwargs["delta"] = draw(any_of(0, 1, 2, 0.5, 1.5, 2**64, -1, float("nan"), "1", None))
    kwargs["background"] = draw(any_of(0, 0, 1, 3, -1, True, 300, 2**65, 0.5))
    kwargs["periodic"] = draw(any_of(False, False, True, 1))
    if draw(st.integers(0, 3)) == 0:
        dtype = draw(st.sampled_from(LABEL_DTYPES))
        if draw(st.booleans()):
            kwargs["dtype"] = dtype
        elif dtype is not None and dtype != "nonsense":
            kwargs["out"] = draw(output_arrays(image.shape, np.dtype(dtype)))
    return image, kwargs


@st.composite
def output_arrays(draw: st.DrawFn, shape: Tuple[int, ...], dtype: np.dtype) -> Any:
    """out= arrays: right or wrong shapes, read-only, strided, reversed, repeating elements."""
    kind = draw(any_of("plain", "plain", "fortran", "reversed", "strided", "readonly", "repeated", "wrong_shape",
                       "list"))
    if kind == "wrong_shape":
        return np.zeros(shape[::-1] + (1,), dtype)
    if kind == "list":
        return np.zeros(shape, dtype).tolist()
    out = np.zeros(shape, dtype)
    if kind == "fortran":
        out = np.asfortranarray(out)
    elif kind == "reversed":
        out = out[::-1]
    elif kind == "strided":
        out = np.zeros(shape[:-1] + (2 * shape[-1],), dtype)[..., ::2] if shape else out
    elif kind == "readonly":
        out.flags.writeable = False
    elif kind == "repeated" and shape and shape[0] > 1:
        out = np.lib.stride_tricks.as_strided(np.zeros(shape[1:], dtype), shape, (0,) + out.strides[1:], writeable=True)
    return out


def options_of(image: np.ndarray, kwargs: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
    """The connectivity and options an accepted call used."""
    connectivity = kwargs.get("connectivity")
    if kwargs.get("structure") is not None:
        connectivity = int(kwargs["structure"].sum() - 1)  # the neighbours the structure holds
    elif connectivity is None:
        connectivity = CONNECTIVITIES[image.ndim][-1]
    background = kwargs["background"]
    native = native_copy(image)
    background = native.dtype.type(background) if native.dtype.kind != "f" else float(background)
    return int(connectivity), {
        "multilabel": bool(kwargs.get("multilabel", False)),
        "background": background,
        "periodic": bool(kwargs["periodic"]),
        "delta": kwargs.get("delta"),
    }


def accepted_delta(image: np.ndarray, delta: Any) -> Any:
    """delta as the oracle compares it: integers differ by integers, so floor(delta)."""
    if delta is None or native_copy(image).dtype.kind == "f":
        return delta
    return int(np.floor(delta))


def check_output(result: np.ndarray, kwargs: Dict[str, Any]) -> None:
    if "out" in kwargs:
        assert result is kwargs["out"]
    if kwargs.get("dtype") is not None:
        assert result.dtype == np.dtype(kwargs["dtype"])


@fuzz
@given(call=label_calls())
def test_fuzz_label(call: Tuple[np.ndarray, Dict[str, Any]]) -> None:
    image, kwargs = call
    before = native_copy(image) if image.dtype.kind != "O" else None
    result = clean_call(cc.label, image, **kwargs)
    if result is None:
        return
    labels, n = result
    if before is not None and "out" not in kwargs:
        assert np.array_equal(native_copy(image), before)  # the image is not written
    check_output(labels, kwargs)
    connectivity, options = options_of(image, kwargs)
    options["delta"] = accepted_delta(image, options["delta"])
    check_labels(image, labels, n, connectivity, **options)


@fuzz
@given(call=label_calls())
def test_fuzz_label_stats(call: Tuple[np.ndarray, Dict[str, Any]]) -> None:
    image, kwargs = call
    result = clean_call(cc.label_stats, image, **kwargs)
    if result is None:
        return
    labels, n, area, bbox, centroid = result
    check_output(labels, kwargs)
    connectivity, options = options_of(image, kwargs)
    options["delta"] = accepted_delta(image, options["delta"])
    check_labels(image, labels, n, connectivity, **options)
    ndim = image.ndim
    assert area.shape == (n,) and area.dtype == np.uint64
    assert bbox.shape == (n, 2 * ndim) and bbox.dtype == np.int64
    assert centroid.shape == (n, ndim) and centroid.dtype == np.float64
    flat = labels.ravel().astype(np.int64)
    assert np.array_equal(area, np.bincount(flat, minlength=n + 1)[1:])
    coordinates = np.indices(labels.shape).reshape(ndim, -1)
    for k in range(1, min(n, 8) + 1):  # a few components in full
        where = coordinates[:, flat == k]
        assert np.array_equal(bbox[k - 1], np.concatenate([where.min(axis=1), where.max(axis=1) + 1]))
        assert np.allclose(centroid[k - 1], where.mean(axis=1), rtol=0, atol=1e-9)


@st.composite
def stacks(draw: st.DrawFn) -> Tuple[np.ndarray, Dict[str, Any]]:
    image = draw(hostile_layouts(pixel_arrays(ndims=(3,))))
    kwargs: Dict[str, Any] = {"connectivity": draw(any_of(4, 8, 8, 6, None, True, 8.0))}
    kwargs["multilabel"] = draw(any_of(False, True, 0))
    kwargs["background"] = draw(any_of(0, 1, True, -1, 2**40))
    if draw(st.booleans()):
        kwargs["dtype"] = draw(st.sampled_from(LABEL_DTYPES))
    return image, kwargs


@fuzz
@given(call=stacks())
def test_fuzz_label_batch(call: Tuple[np.ndarray, Dict[str, Any]]) -> None:
    images_, kwargs = call
    result = clean_call(cc.label_batch, images_, **kwargs)
    if result is None:
        return
    labels, counts = result
    check_output(labels, kwargs)
    assert labels.shape == images_.shape and counts.shape == (images_.shape[0],) and counts.dtype == np.uint64
    connectivity = kwargs["connectivity"] or 8
    per_image = {k: v for k, v in kwargs.items() if k in ("multilabel", "background")}
    for image, got, n in zip(images_, labels, counts):
        expected, m = cc.label(image, connectivity, **per_image)
        assert n == m and np.array_equal(got, expected)
        _, options = options_of(image, {"periodic": False, **per_image})
        check_labels(image, got, int(n), connectivity, **options)


@st.composite
def masks_and_hops(draw: st.DrawFn) -> Tuple[np.ndarray, Any]:
    mask = draw(hostile_layouts(pixel_arrays()))
    if draw(st.integers(0, 3)):
        mask = mask.astype(bool) if mask.dtype.kind not in "OUMmVc" else mask
    ndim = mask.ndim
    hops = draw(st.integers(1, ndim)) if draw(st.integers(0, 9)) else draw(any_of(0, ndim + 1, True, 1.0, None))
    return mask, hops


def skimage_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@fuzz
@given(call=masks_and_hops(), max_size=any_of(0, 1, 2, 5, 64, -1, 2.5, True, "3", float("nan")), data=st.data())
def test_fuzz_remove_small_objects(call: Tuple[np.ndarray, Any], max_size: Any, data: st.DataObject) -> None:
    from skimage import morphology

    mask, hops = call
    out = data.draw(output_arrays(mask.shape, mask.dtype)) if data.draw(st.integers(0, 3)) == 0 else None
    got = skimage_call(clean_call, cc.remove_small_objects, mask, max_size, hops, out=out)
    if got is None:
        return
    if out is not None:
        assert got is out
    if mask.dtype == np.bool_:
        expected = morphology.remove_small_objects(native_copy(mask), max_size=max_size, connectivity=hops)
    elif mask.size and native_copy(mask).max() > 4 * mask.size:
        # labels of 2^32 and more: scikit-image's bincount table would not fit in memory
        _, inverse, counts = np.unique(native_copy(mask), return_inverse=True, return_counts=True)
        expected = np.where((counts <= max_size)[inverse].reshape(mask.shape), 0, native_copy(mask))
    else:
        expected = skimage_call(morphology.remove_small_objects, native_copy(mask), max_size=max_size)
    assert np.array_equal(got, expected)


@fuzz
@given(call=masks_and_hops(), max_size=any_of(0, 1, 2, 5, 64, -1, 2.5, True, None), data=st.data())
def test_fuzz_remove_small_holes(call: Tuple[np.ndarray, Any], max_size: Any, data: st.DataObject) -> None:
    from skimage import morphology

    mask, hops = call
    out = data.draw(output_arrays(mask.shape, np.dtype(bool))) if data.draw(st.integers(0, 3)) == 0 else None
    got = skimage_call(clean_call, cc.remove_small_holes, mask, max_size, hops, out=out)
    if got is None:
        return
    if out is not None:
        assert got is out
    expected = skimage_call(morphology.remove_small_holes, native_copy(mask), max_size=max_size, connectivity=hops)
    assert got.dtype == np.bool_ and np.array_equal(got, expected)


@fuzz
@given(call=masks_and_hops(), use_structure=st.booleans())
def test_fuzz_fill_holes(call: Tuple[np.ndarray, Any], use_structure: bool) -> None:
    from scipy import ndimage

    mask, hops = call
    structure = None
    if use_structure and isinstance(hops, int) and not isinstance(hops, bool) and 1 <= hops <= max(mask.ndim, 1):
        structure = ndimage.generate_binary_structure(mask.ndim, hops)
    connectivity = None if use_structure else (CONNECTIVITIES.get(mask.ndim, (4, 8))[0] if hops is None else hops)
    got = clean_call(cc.fill_holes, mask, connectivity, structure=structure)
    if got is None:
        return
    if structure is None and connectivity is not None:
        structure = ndimage.generate_binary_structure(mask.ndim, HOPS[connectivity])
    assert got.dtype == np.bool_ and np.array_equal(got, ndimage.binary_fill_holes(native_copy(mask), structure))


def component_sizes(image: np.ndarray, connectivity: int, binary: bool) -> Tuple[np.ndarray, np.ndarray]:
    """Labels (scikit-image's) and the size of each label, for the cc3d-style clean-ups."""
    from skimage import measure

    native = native_copy(image)
    labels = measure.label(native != 0 if binary else native, background=0, connectivity=HOPS[connectivity])
    return labels, np.bincount(labels.ravel(), minlength=1)


def cc3d_connectivity(connectivity: Any, ndim: int) -> Any:
    if ndim == 2 and connectivity in (6, 18, 26) and not isinstance(connectivity, bool):
        return 8 if connectivity == 26 else 4
    return connectivity


@fuzz
@given(image=images, threshold=any_of(0, 1, 2, 5, (1, 4), [2, 3], (), (1, 2, 3), -1, 2.5, True, "2"),
       connectivity=any_of(4, 8, 6, 18, 26, 26, 5, True, 8.0), binary=any_of(False, True, 1),
       invert=any_of(False, True), in_place=any_of(False, True))
def test_fuzz_dust(image: np.ndarray, threshold: Any, connectivity: Any, binary: Any, invert: bool,
                   in_place: bool) -> None:
    before = native_copy(image) if image.dtype.kind != "O" else None
    source = image.copy() if in_place and image.flags.writeable else image
    result = clean_call(cc.dust, source, threshold, connectivity, binary_image=binary, invert=invert,
                        in_place=in_place, return_N=True)
    if result is None:
        return
    got, n_kept = result
    assert before is not None
    if in_place:
        assert got is source
    labels, sizes = component_sizes(before, int(cc3d_connectivity(connectivity, image.ndim)), bool(binary))
    if isinstance(threshold, (tuple, list)):
        keep = (threshold[0] <= sizes) & (sizes < threshold[1])
    else:
        keep = sizes >= threshold
    if invert:
        keep = ~keep
    keep[0] = True
    assert np.array_equal(native_copy(got), np.where(keep[labels], before, 0))
    assert n_kept == int(np.count_nonzero(keep[1:]))


@fuzz
@given(image=images, k=any_of(0, 1, 2, 3, 50, -1, True, 1.5), connectivity=any_of(4, 8, 6, 18, 26, 3),
       binary=any_of(False, True))
def test_fuzz_largest_k(image: np.ndarray, k: Any, connectivity: Any, binary: bool) -> None:
    result = clean_call(cc.largest_k, image, k, connectivity, binary_image=binary, return_N=True)
    if result is None:
        return
    got, n_kept = result
    labels, sizes = component_sizes(image, int(cc3d_connectivity(connectivity, image.ndim)), binary)
    n = len(sizes) - 1
    assert n_kept == min(k, n) and got.shape == image.shape
    assert raster_ordered(got, n_kept)
    kept_sizes = np.sort(np.bincount(got.ravel().astype(np.int64), minlength=n_kept + 1)[1:])[::-1]
    assert np.array_equal(kept_sizes, np.sort(sizes[1:])[::-1][:n_kept])
    # each kept label is one whole reference component
    assert same_partition(np.where(got != 0, labels, 0), got.astype(np.int64))
