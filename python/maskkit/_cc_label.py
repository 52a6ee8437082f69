"""label, label_stats and label_batch: argument checks, then one call into the C++ core.

The core takes a C-contiguous (D, H, W) volume of native-order pixels (a 2-D image is one
plane): binary and multilabel labeling compare the pixels' bits (as unsigned integers of their
width), labeling with ``delta`` compares their values (in their own type). It writes native-order
labels; a non-native ``dtype`` or ``out`` gets them converted afterwards.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Optional, Tuple

import numpy as np

from . import _connectivity, _core
from ._cc_args import flag, label_dtype, output
from ._validate import host_array

__all__ = ["label", "label_stats", "label_batch", "Components"]


class _Prepared(NamedTuple):
    image: np.ndarray  # the caller's array (for its shape)
    volume: np.ndarray  # C-contiguous, native-order (D, H, W) pixels as the core reads them
    connectivity: int
    background_bits: int
    delta: Any  # None, or delta as the core takes it (see _checked_delta)


def _checked_delta(delta: Any, kind: str) -> Any:
    """``delta`` as the core takes it: a float for float images, else ``floor(delta)`` (an int)."""
    if isinstance(delta, (bool, np.bool_)) or not isinstance(delta, (int, float, np.integer, np.floating)):
        raise TypeError(f"delta must be a real number, got {type(delta).__name__} {delta!r}")
    value = float(delta)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"delta must be a finite number >= 0, got {delta!r}")
    if kind == "f":
        return value
    # integer pixels differ by integers: |a - b| <= delta exactly when |a - b| <= floor(delta)
    return min(int(delta) if isinstance(delta, (int, np.integer)) else math.floor(value), 2**64 - 1)


def _delta(delta: Any, multilabel: bool) -> Any:
    if delta is not None and multilabel:
        raise ValueError("give multilabel=True or delta, not both (delta=0 is multilabel)")
    return delta


def _pixel_array(image: Any, continuous: bool) -> np.ndarray:
    """``image`` as an ndarray of a dtype the core reads, in native byte order (float16 widened)."""
    arr = host_array(image, "image")
    if arr.dtype.kind not in ("biuf" if continuous else "biu") or arr.dtype == np.longdouble:
        if continuous:
            raise TypeError(f"image must have a bool, integer or float dtype, got {arr.dtype}")
        raise TypeError(
            f"image must have a bool or integer dtype, got {arr.dtype}; threshold floats first, "
            "e.g. label(image > 0.5), or pass delta= to connect close values"
        )
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if not arr.dtype.isnative:  # the core reads native values: '>i4' pixels are swapped first
        return arr.astype(arr.dtype.newbyteorder("="))
    return arr


def _background_bits(arr: np.ndarray, background: Any) -> int:
    """``background`` checked against the pixels' dtype, as the bits of one native pixel."""
    is_bool = arr.dtype == np.bool_
    if arr.dtype.kind == "f":
        if isinstance(background, (bool, np.bool_)) or not isinstance(background, (int, float, np.integer, np.floating)):
            raise TypeError(f"background must be a real number, got {type(background).__name__} {background!r}")
        if not math.isfinite(float(background)):
            raise ValueError(f"background must be finite, got {background!r}")
    else:
        if not isinstance(background, (int, np.integer)) or (isinstance(background, (bool, np.bool_)) and not is_bool):
            raise TypeError(f"background must be an integer, got {type(background).__name__} {background!r}")
        lowest, highest = (0, 1) if is_bool else (np.iinfo(arr.dtype).min, np.iinfo(arr.dtype).max)
        if not lowest <= int(background) <= highest:
            raise ValueError(f"background {background} is not a value of dtype {arr.dtype}")
    unsigned = np.dtype(f"u{arr.dtype.itemsize}")
    return int(np.array(background, dtype=np.uint8 if is_bool else arr.dtype).view(unsigned))


def _core_pixels(arr: np.ndarray, continuous: bool) -> np.ndarray:
    """C-contiguous pixels as the core reads them: unsigned bits, or the values for ``delta``."""
    pixels = np.ascontiguousarray(arr)
    if arr.dtype == np.bool_:
        return pixels.view(np.uint8)
    return pixels if continuous else pixels.view(np.dtype(f"u{arr.dtype.itemsize}"))


def _prepare(image: Any, connectivity: Optional[Any], background: Any, structure: Any, delta: Any = None) -> _Prepared:
    continuous = delta is not None
    arr = _pixel_array(image, continuous)
    _connectivity.check_ndim(arr.ndim, "image")
    count = _connectivity.resolve(connectivity, structure, arr.ndim, full=True)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("image contains NaN or infinity; labeling with delta needs finite values")
    bits = _background_bits(arr, background)
    pixels = _core_pixels(arr, continuous)
    volume = pixels.reshape((1,) + arr.shape if arr.ndim == 2 else arr.shape)
    checked = _checked_delta(delta, arr.dtype.kind) if continuous else None
    return _Prepared(arr, volume, count, bits, checked)


def _run(
    p: _Prepared, multilabel: bool, stats_dims: int, out: Any, dtype: Any, periodic: bool = False
) -> Tuple[Any, ...]:
    """Label, writing straight into ``out`` when its layout allows, else into a new array."""
    shape = p.image.shape
    if out is not None:
        target = output(out, shape)
        direct = target.flags.c_contiguous and target.dtype.isnative
        result = _core.cc_label(
            p.volume, p.connectivity, multilabel, p.background_bits, stats_dims,
            _native(target.dtype), target.reshape(-1) if direct else None, periodic, p.delta,
        )
        if not direct:
            np.copyto(target, result[0].reshape(shape))
        return (target,) + tuple(result[1:])
    wanted = label_dtype(dtype)
    result = _core.cc_label(
        p.volume, p.connectivity, multilabel, p.background_bits, stats_dims, _native(wanted), None, periodic, p.delta
    )
    return (_in_order(result[0].reshape(shape), wanted),) + tuple(result[1:])


def _native(wanted: Optional[np.dtype]) -> Optional[np.dtype]:
    """The dtype the core writes for ``wanted``: the same integers in native byte order."""
    return None if wanted is None else wanted.newbyteorder("=")


def _in_order(labels: np.ndarray, wanted: Optional[np.dtype]) -> np.ndarray:
    """The core's native labels in the byte order of ``wanted``."""
    return labels if wanted is None or wanted.isnative else labels.astype(wanted)


def label(
    image: Any,
    connectivity: Optional[int] = None,
    *,
    multilabel: bool = False,
    background: int = 0,
    structure: Any = None,
    out: Optional[np.ndarray] = None,
    dtype: Any = None,
    periodic: bool = False,
    delta: Any = None,
) -> Tuple[np.ndarray, int]:
    """Label the connected components of a 2-D or 3-D image.

    Parameters
    ----------
    image : array_like of bool or integers, 2-D or 3-D
        Any memory order (C, Fortran, negative strides, slices): the numbering is the same.
        Float input is refused (``TypeError``): threshold it first, e.g. ``image > 0.5``.
    connectivity : {4, 8} for 2-D, {6, 18, 26} for 3-D, optional
        Neighbourhood; default full (8 in 2-D, 26 in 3-D), like scikit-image. scipy's default
        is the cross (4 or 6): pass it explicitly to match ``scipy.ndimage.label(x)``.
    multilabel : bool
        Connect equal values only (different touching values get different labels).
    background : int
        The value that is not labeled (0 by default).
    structure : array_like, optional
        A scipy structuring element equal to ``generate_binary_structure(ndim, k)``; an
        alternative to ``connectivity``.
    out : ndarray, optional
        Integer array of the image's shape to write the labels into (returned).
    dtype : dtype, optional
        Output dtype; default the smallest unsigned type that holds ``n``. A dtype too small
        for the number of components raises ``OverflowError`` (labels never wrap).
    periodic : bool
        Periodic boundaries (cc3d's ``periodic_boundary``): opposite faces touch, as on a torus,
        so a component leaving one side continues on the other. Any connectivity.
    delta : real, optional
        Continuous values (cc3d's ``delta``): neighbours join when their values differ by at most
        ``delta`` (transitively; background pixels never join). Float images are accepted in
        this mode (finite values only); integer differences are exact, float differences are
        taken in double precision. ``delta=0`` is ``multilabel=True``.

    Returns
    -------
    labels : ndarray
        Labels ``1..n`` in raster order of each component's first pixel, 0 for background.
    n : int
        Number of components.

    Notes
    -----
    scikit-image numbers multilabel components out of raster order when an axis has length
    1; maskkit keeps raster order there (the components are the same).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import cc
    >>> classes = np.array([[1, 1, 2],
    ...                     [3, 1, 2]], np.int32)
    >>> cc.label(classes, 4, multilabel=True)
    (array([[1, 1, 2],
           [3, 1, 2]], dtype=uint8), 3)
    >>> cc.label(np.array([[1, 0, 1]], np.uint8), 4, periodic=True)[0]   # the row wraps around
    array([[1, 0, 1]], dtype=uint8)
    >>> cc.label(np.array([[0.5, 0.7, 2.0, 2.1]]), 4, delta=0.25)[0]
    array([[1, 1, 2, 2]], dtype=uint8)
    """
    multilabel = flag(multilabel, "multilabel")
    p = _prepare(image, connectivity, background, structure, _delta(delta, multilabel))
    labels, n = _run(p, multilabel, 0, out, dtype, flag(periodic, "periodic"))
    return labels, int(n)


def label_batch(
    images: Any,
    connectivity: int = 8,
    *,
    multilabel: bool = False,
    background: int = 0,
    dtype: Any = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """Label every image of a (B, H, W) stack on its own, in one call (and across threads).

    Equivalent to ``[label(image, connectivity, ...) for image in images]`` stacked, without
    the per-call overhead that dominates small (COCO-sized) masks.

    Returns
    -------
    labels : ndarray, shape (B, H, W)
        Each image numbered ``1..counts[b]``; dtype the smallest unsigned type that holds the
        largest count (or ``dtype``).
    counts : ndarray of uint64, shape (B,)

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import cc
    >>> stack = np.array([[[1, 0, 1]], [[1, 1, 0]]], np.uint8)
    >>> labels, counts = cc.label_batch(stack, 4)
    >>> labels.tolist(), counts.tolist()
    ([[[1, 0, 2]], [[1, 1, 0]]], [2, 1])
    """
    multilabel = flag(multilabel, "multilabel")
    arr = _pixel_array(images, False)
    if arr.ndim != 3:
        raise ValueError(f"label_batch needs a (B, H, W) stack, got shape {arr.shape}")
    count = _connectivity.resolve(connectivity, None, 2, full=True)
    bits = _background_bits(arr, background)
    wanted = label_dtype(dtype)
    flat, counts = _core.cc_label_stack(_core_pixels(arr, False), count, multilabel, bits, _native(wanted))
    return _in_order(flat.reshape(arr.shape), wanted), counts


class Components(NamedTuple):
    """Labels with per-component measures (row ``i`` describes label ``i + 1``)."""

    labels: np.ndarray
    n: int
    area: np.ndarray  # (n,) uint64 pixel counts == np.bincount(labels.ravel())[1:]
    bbox: np.ndarray  # (n, 2*ndim) int64: mins then exclusive maxes, as ndi.find_objects slices
    centroid: np.ndarray  # (n, ndim) float64 == ndi.center_of_mass(labels > 0, labels, 1..n)


def label_stats(
    image: Any,
    connectivity: Optional[int] = None,
    *,
    multilabel: bool = False,
    background: int = 0,
    structure: Any = None,
    out: Optional[np.ndarray] = None,
    dtype: Any = None,
    periodic: bool = False,
    delta: Any = None,
) -> Components:
    """:func:`label` plus each component's area, bounding box and centroid, in one pass.

    The measures are gathered from the runs while the labels are written, with exact integer
    sums; the centroid is one division at the end. Parameters as for :func:`label`; with
    ``periodic=True`` boxes and centroids are those of the pixels inside the image (a component
    that wraps around spans the image).

    Returns
    -------
    Components
        ``labels``, ``n``, ``area`` (uint64), ``bbox`` (int64, ``[y0, x0, y1, x1]`` or
        ``[z0, y0, x0, z1, y1, x1]``, ends exclusive) and ``centroid`` (float64, ``(y, x)`` or
        ``(z, y, x)``).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import cc
    >>> s = cc.label_stats(np.array([[1, 1, 0], [0, 0, 1]], np.uint8), 4)
    >>> s.n, s.area.tolist(), s.bbox.tolist(), s.centroid.tolist()
    (2, [2, 1], [[0, 0, 1, 2], [1, 2, 2, 3]], [[0.0, 0.5], [1.0, 2.0]])
    """
    multilabel = flag(multilabel, "multilabel")
    p = _prepare(image, connectivity, background, structure, _delta(delta, multilabel))
    labels, n, area, bbox, centroid = _run(p, multilabel, p.image.ndim, out, dtype, flag(periodic, "periodic"))
    return Components(labels, int(n), area, bbox, centroid)

