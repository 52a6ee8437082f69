"""Pairwise mask overlap on bit-packed masks: :class:`BitMasks`, areas, intersections, IoU.

Dense masks are packed once (64 pixels per word, with each mask's box and area) and every pair
is counted with popcount(a AND b) over the rows and words inside the overlap of the two boxes;
pairs whose boxes do not overlap are never scanned. Counts are exact integers and every ratio
is one float64 division of them. RLE inputs (a :class:`maskkit.rle.RleBatch` or COCO RLE
dicts) on both sides with ``metric="iou"`` go through pycocotools' own algorithm
(:func:`maskkit.rle.iou`), so they match ``pycocotools.mask.iou`` bit for bit, crowd flags
included.
"""

from __future__ import annotations

import numbers
from typing import Any, Literal, Optional, Union

import numpy as np
import numpy.typing as npt

from . import _core
from ._rle_batch import RleBatch, _crowd_flags, as_batch, decode
from ._rle_batch import area as rle_area
from ._rle_batch import iou as rle_iou
from ._validate import mask_array, snippet

__all__ = ["BitMasks", "mask_area", "mask_intersection", "mask_iou"]

Metric = Literal["iou", "ios", "ioa"]
_METRICS = ("iou", "ios", "ioa")


class BitMasks:
    """N binary masks of one size, bit-packed (64 pixels per 64-bit word) with boxes and areas.

    The packed form takes 1/8 of the memory of bool masks and is what :func:`mask_iou` and
    :func:`mask_intersection` compute on; pack once with :meth:`from_dense` and reuse it when the
    same masks meet several others. Row ``y`` of mask ``i`` is ``words[i, y]``, pixel ``x`` is
    bit ``x % 64`` of word ``x // 64``; bits past the width are zero. Instances are immutable
    and can be pickled.

    Parameters
    ----------
    words : array_like of uint64, shape (N, H, ceil(W / 64))
        Packed rows, as :attr:`words` returns them.
    width : int
        The masks' width W.

    Raises
    ------
    TypeError
        ``words`` not uint64.
    ValueError
        A shape that does not fit ``width``, or a set bit past the width.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit.iou import BitMasks
    >>> m = np.zeros((2, 3, 5), bool); m[0, 1, 1:4] = True
    >>> bits = BitMasks.from_dense(m)
    >>> bits.area.tolist(), bits.boxes.tolist()
    ([3, 0], [[1, 1, 4, 2], [0, 0, 0, 0]])
    >>> bool((bits.to_dense() == m).all())
    True
    """

    __slots__ = ("_words", "_boxes", "_areas", "_width")

    def __init__(self, words: Any, width: int) -> None:
        arr = np.asarray(words)
        if arr.dtype != np.uint64:
            raise TypeError(f"words must have dtype uint64, got {arr.dtype}")
        if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, np.integer)):
            raise TypeError(f"width must be an integer, got {type(width).__name__} {snippet(width)}")
        owned = np.array(arr, dtype=np.uint64, order="C", copy=True)
        boxes, areas = _core.iou_describe(owned, int(width))
        self._set(owned, boxes, areas, int(width))

    def _set(self, words: np.ndarray, boxes: np.ndarray, areas: np.ndarray, width: int) -> None:
        for arr in (words, boxes, areas):
            arr.flags.writeable = False
        self._words, self._boxes, self._areas, self._width = words, boxes, areas, width

    @classmethod
    def from_dense(cls, masks: Any) -> "BitMasks":
        """Pack (N, H, W) or one (H, W) uint8/bool mask; non-zero pixels are foreground.

        Any memory order and strides (negative ones included) are read in place.

        Examples
        --------
        >>> import numpy as np
        >>> from maskkit.iou import BitMasks
        >>> BitMasks.from_dense(np.ones((4, 70), np.uint8))
        BitMasks(n=1, height=4, width=70)
        """
        stack = dense_stack(masks, "masks")
        return cls._from_parts(_core.iou_pack(stack), stack.shape[2])

    @classmethod
    def _from_parts(cls, parts: tuple[np.ndarray, np.ndarray, np.ndarray], width: int) -> "BitMasks":
        # (words, boxes, areas) as the core's packers return them.
        bits = cls.__new__(cls)
        bits._set(*parts, width)
        return bits

    def to_dense(self) -> npt.NDArray[np.bool_]:
        """The masks as a C-ordered bool array (N, H, W).

        Examples
        --------
        >>> import numpy as np
        >>> from maskkit.iou import BitMasks
        >>> BitMasks.from_dense(np.eye(2, dtype=np.uint8)).to_dense()
        array([[[ True, False],
                [False,  True]]])
        """
        dense: npt.NDArray[np.bool_] = _core.iou_unpack(self._words, self._width).view(np.bool_)
        return dense

    @property
    def words(self) -> npt.NDArray[np.uint64]:
        """Packed rows, uint64 (N, H, ceil(W / 64)), read-only."""
        return self._words

    @property
    def area(self) -> npt.NDArray[np.int64]:
        """Foreground pixels of each mask, int64 (N,)."""
        return self._areas.astype(np.int64)

    @property
    def boxes(self) -> npt.NDArray[np.int64]:
        """Boxes ``[x0, y0, x1, y1]`` with exclusive ends (detectron2's ``BitMasks``
        convention), int64 (N, 4); an empty mask's box is all zeros."""
        return self._boxes.copy()

    @property
    def height(self) -> int:
        return int(self._words.shape[1])

    @property
    def width(self) -> int:
        return self._width

    def __len__(self) -> int:
        return int(self._words.shape[0])

    def __repr__(self) -> str:
        return f"BitMasks(n={len(self)}, height={self.height}, width={self.width})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BitMasks):
            return NotImplemented
        return self._width == other._width and np.array_equal(self._words, other._words) and (
            self._words.shape == other._words.shape
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (BitMasks, (self._words, self._width))

    def _parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (self._words, self._boxes, self._areas)


def dense_stack(masks: Any, name: str) -> np.ndarray:
    """``masks`` as a 3-D uint8/bool view, a 2-D mask as a stack of one (no copy)."""
    arr = mask_array(masks, name)
    if arr.ndim == 2:
        return arr[None]
    if arr.ndim != 3:
        raise ValueError(f"{name} must be 2-D (H, W) or 3-D (N, H, W), got shape {arr.shape}")
    return arr


MaskInput = Union[BitMasks, RleBatch, Any]


def _is_rle(masks: Any) -> bool:
    if isinstance(masks, (RleBatch, dict)):
        return True
    return isinstance(masks, (list, tuple)) and (len(masks) == 0 or isinstance(masks[0], dict))


def _packed(masks: MaskInput, name: str) -> BitMasks:
    if isinstance(masks, BitMasks):
        return masks
    if _is_rle(masks):
        batch = as_batch(masks, name)
        if len(batch) == 0:
            raise ValueError(f"{name}: an empty RLE batch has no height and width; pass (0, H, W) masks instead")
        return BitMasks.from_dense(decode(batch))
    return BitMasks.from_dense(masks)


def intersections(a: BitMasks, b: BitMasks) -> np.ndarray:
    return _core.iou_intersections(a._parts(), a.width, b._parts(), b.width)


def mask_area(masks: MaskInput) -> npt.NDArray[np.int64]:
    """Foreground pixels of each mask, int64 (N,).

    Parameters
    ----------
    masks : array_like, BitMasks, RleBatch or list of COCO RLE dicts
        (N, H, W) or (H, W) uint8/bool masks (non-zero is foreground), in any memory order.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> iou.mask_area(np.eye(3, dtype=bool)[None].repeat(2, 0)).tolist()
    [3, 3]
    """
    if not isinstance(masks, BitMasks) and _is_rle(masks):
        return rle_area(as_batch(masks, "mask_area")).astype(np.int64)
    return _packed(masks, "mask_area").area


def mask_intersection(a: MaskInput, b: MaskInput) -> npt.NDArray[np.int64]:
    """Pixels in common of every pair, int64 (len(a), len(b)).

    ``a`` and ``b`` take the inputs of :func:`mask_iou` and must have one height and width.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> a = np.zeros((1, 4, 4), bool); a[0, :2, :2] = True
    >>> b = np.zeros((2, 4, 4), bool); b[0, 1:, 1:] = True; b[1] = True
    >>> iou.mask_intersection(a, b).tolist()
    [[1, 4]]
    """
    pa = _packed(a, "mask_intersection")
    pb = pa if b is a else _packed(b, "mask_intersection")
    return intersections(pa, pb).astype(np.int64)


def _metric(metric: Any) -> str:
    if not isinstance(metric, str) or metric not in _METRICS:
        raise ValueError(f"metric must be one of {_METRICS}, got {snippet(metric)}")
    return metric


def _empty_value(empty: Any) -> float:
    if isinstance(empty, (bool, np.bool_)) or not isinstance(empty, numbers.Real):
        raise TypeError(f"empty must be a real number (the value of 0/0), got {type(empty).__name__} {snippet(empty)}")
    return float(empty)


def overlap_ratios(
    inter: np.ndarray, area_a: np.ndarray, area_b: np.ndarray, metric: str, crowd: Optional[np.ndarray], empty: float
) -> npt.NDArray[np.float64]:
    """``inter`` over the metric's denominator, one float64 division each; ``empty`` where the
    denominator is 0 (then the intersection is 0 too)."""
    a = area_a.astype(np.float64)[:, None]
    b = area_b.astype(np.float64)[None, :]
    i = inter.astype(np.float64)
    if metric == "iou":
        denom = a + b - i
        if crowd is not None:
            denom = np.where(crowd[None, :] != 0, a, denom)
    elif metric == "ios":
        denom = np.minimum(a, b) + 0 * i
    else:
        denom = b + 0 * i
    out = np.full(i.shape, empty, np.float64)
    np.divide(i, denom, out=out, where=denom != 0)
    return out


def mask_iou(
    a: MaskInput,
    b: MaskInput,
    *,
    iscrowd: Any = None,
    metric: Metric = "iou",
    empty: float = 0.0,
) -> npt.NDArray[np.float64]:
    """Pairwise overlap of two sets of masks, float64 (len(a), len(b)).

    Parameters
    ----------
    a, b : array_like, BitMasks, RleBatch or list of COCO RLE dicts
        Dense masks are (N, H, W) (or one (H, W)) uint8/bool arrays in any memory order, torch
        CPU tensors included (read through ``np.asarray`` without a copy); non-zero pixels are
        foreground. Both sides must have one height and width.
    iscrowd : sequence of bool or int, optional
        One flag per mask of ``b`` (pycocotools' ground truths); a crowd column is
        ``|a ∩ b| / |a|``. Only with ``metric="iou"``.
    metric : {"iou", "ios", "ioa"}
        ``"iou"`` intersection over union; ``"ios"`` over the smaller area (supervision's
        IOS); ``"ioa"`` over the area of ``b`` (detectron2's ``pairwise_ioa``).
    empty : float
        The value where the denominator is 0 (e.g. two empty masks), default 0.0 as in
        pycocotools.

    Returns
    -------
    ndarray of float64, shape (len(a), len(b))
        With RLEs on both sides and ``metric="iou"``: ``pycocotools.mask.iou(a, b, iscrowd)``
        bit for bit (including its -1 for pairs of different sizes whose boxes overlap).
        Otherwise the exact intersection and areas divided once, which is what pycocotools
        gives for the same masks encoded.

    Raises
    ------
    TypeError
        Masks of another dtype than uint8/bool, ``empty`` not a number, ``iscrowd`` not
        integers.
    ValueError
        Masks of different sizes (dense), a wrong shape, an unknown ``metric``, ``iscrowd``
        of the wrong length or with another metric.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> a = np.zeros((1, 10, 10), np.uint8); a[0, :4, :4] = 1
    >>> b = np.zeros((2, 10, 10), np.uint8); b[0, 2:6, 2:6] = 1
    >>> iou.mask_iou(a, b).round(4).tolist()
    [[0.1429, 0.0]]
    >>> iou.mask_iou(a, b, iscrowd=[1, 0]).tolist()
    [[0.25, 0.0]]
    >>> iou.mask_iou(a, b, metric="ioa", empty=float("nan")).tolist()
    [[0.25, nan]]
    """
    metric_name = _metric(metric)
    empty_value = _empty_value(empty)
    if iscrowd is not None and metric_name != "iou":
        raise ValueError(f"iscrowd applies to metric='iou' only, got metric={metric_name!r}")
    if _is_rle(a) and _is_rle(b) and metric_name == "iou":
        dt, gt = as_batch(a, "mask_iou"), as_batch(b, "mask_iou")
        out = rle_iou(dt, gt, iscrowd)
        if empty_value != 0.0 and out.size:
            da, ga = rle_area(dt)[:, None], rle_area(gt)[None, :]
            zero = (da == 0) & (ga == 0)
            if iscrowd is not None:
                zero = np.where(_crowd_flags(iscrowd, len(gt))[None, :] != 0, da == 0, zero)
            out[zero] = empty_value
        return out
    pa = _packed(a, "mask_iou")
    pb = pa if b is a else _packed(b, "mask_iou")
    crowd = _crowd_flags(iscrowd, len(pb))
    inter = intersections(pa, pb)
    return overlap_ratios(inter, pa._areas, pb._areas, metric_name, crowd, empty_value)
