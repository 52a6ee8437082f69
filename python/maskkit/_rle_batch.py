"""The RLE batch and its core operations (the implementation behind :mod:`maskkit.rle`).

An :class:`RleBatch` holds many COCO RLEs in three arrays; the functions here encode, decode,
measure, merge and compare them through ``maskkit._core``. Every function that takes RLEs takes
an :class:`RleBatch` or COCO RLE dicts (read by :meth:`RleBatch.from_coco`); anything else is a
``TypeError``. This module imports no façade (``rle``, ``polygon``, ``coco``): the dialect
codecs and the rasterizers build on it.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Literal, Sequence, Union

import numpy as np

from . import _core
from ._coco_dicts import parse_coco_dicts
from ._validate import dimension, mask_array, snippet

__all__ = [
    "RleBatch",
    "as_batch",
    "empty",
    "concatenate",
    "encode",
    "decode",
    "area",
    "to_bbox",
    "merge",
    "iou",
    "from_bbox",
]

Layout = Literal["NHW", "HWN"]


_U32_MAX = 0xFFFFFFFF
_I64_MAX = 2**63 - 1


def _int_array(values: Any, name: str) -> np.ndarray:
    """``values`` as an integer ndarray, never a lossy cast: floats, bools, strings and objects
    are a ``TypeError``; Python ints beyond 64 bits a ``ValueError`` naming the value."""
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError) as exc:  # ragged nesting
        raise ValueError(f"{name} must be a flat array of integers, got {snippet(values)} ({exc})") from None
    if arr.dtype.kind == "O" and arr.size and all(
        isinstance(v, int) and not isinstance(v, bool) for v in arr.reshape(-1).tolist()
    ):
        big = max(arr.reshape(-1).tolist(), key=abs)
        raise ValueError(f"{name} must be integers that fit in 64 bits, got {big}")
    if arr.size == 0 and arr.dtype.kind == "f":  # [] converts to float64
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integers, got dtype {arr.dtype} ({snippet(values)})")
    return arr


def _owned(arr: np.ndarray, source: Any, dtype: Any) -> np.ndarray:
    """A C-contiguous ``dtype`` copy of ``arr`` unless converting already made a new array, so
    that freezing it never touches (or aliases) the caller's array."""
    out = np.ascontiguousarray(arr, dtype=dtype)
    # an empty array shares no memory by numpy's measure even when it is the caller's object
    if isinstance(source, np.ndarray) and (out.size == 0 or np.may_share_memory(out, source)):
        out = out.copy()
    return out


def _range_error(arr: np.ndarray, name: str, high: int) -> None:
    low, top = int(arr.min()), int(arr.max())
    if low < 0 or top > high:
        bad = low if low < 0 else top
        raise ValueError(f"{name} must lie in [0, {'2**32 - 1' if high == _U32_MAX else high}], got {bad}")


class RleBatch:
    """Many COCO RLEs in one buffer.

    Mask ``i`` has size ``sizes[i] = (height, width)`` and counts
    ``counts[offsets[i]:offsets[i + 1]]``.

    Parameters
    ----------
    counts : array_like of int
        All run lengths, concatenated (stored as uint32).
    offsets : array_like of int, shape (N + 1,)
        Start of each RLE in ``counts``, then ``len(counts)``.
    sizes : array_like of int, shape (N, 2)
        ``(height, width)`` of each mask.

    Examples
    --------
    >>> from maskkit.rle import RleBatch
    >>> b = RleBatch([2, 1, 3, 6], [0, 3, 4], [[2, 3], [2, 3]])
    >>> len(b), b.counts_of(0).tolist()
    (2, [2, 1, 3])
    >>> b[1].to_coco()
    [{'size': [2, 3], 'counts': b'6'}]
    """

    __slots__ = ("_counts", "_offsets", "_sizes")

    def __init__(self, counts: Any, offsets: Any, sizes: Any) -> None:
        counts_in = _int_array(counts, "counts")
        offsets_in = _int_array(offsets, "offsets")
        sizes_in = _int_array(sizes, "sizes")
        if counts_in.ndim != 1:
            raise ValueError(f"counts must be 1-D, got shape {counts_in.shape}")
        if offsets_in.ndim != 1 or offsets_in.size < 1:
            raise ValueError(f"offsets must be 1-D with N + 1 entries, got shape {offsets_in.shape}")
        n = offsets_in.size - 1
        if not (sizes_in.ndim == 2 and sizes_in.shape[1] == 2 or sizes_in.size == 0 and n == 0):
            raise ValueError(f"sizes must have shape (N, 2) = ({n}, 2), got shape {sizes_in.shape}")
        if sizes_in.shape[0] != n:
            raise ValueError(f"sizes has {sizes_in.shape[0]} rows but offsets describe {n} RLEs")
        if counts_in.size:
            _range_error(counts_in, "counts", _U32_MAX)
        _range_error(offsets_in, "offsets", _I64_MAX)
        if sizes_in.size:
            low, high = int(sizes_in.min()), int(sizes_in.max())
            if low < 0:
                raise ValueError(f"sizes must be >= 0, got {low}")
            if high > _U32_MAX:
                raise OverflowError(f"sizes must be at most 2**32 - 1, got {high}")
        counts_arr = _owned(counts_in, counts, np.uint32)
        offsets_arr = _owned(offsets_in, offsets, np.int64)
        sizes_arr = _owned(sizes_in, sizes, np.int64).reshape(-1, 2)
        if offsets_arr[0] != 0 or offsets_arr[-1] != counts_arr.size or np.any(np.diff(offsets_arr) < 0):
            raise ValueError(
                "offsets must start at 0, never decrease and end at len(counts) = "
                f"{counts_arr.size}; got {offsets_arr[:3].tolist()}...{offsets_arr[-1:].tolist()}"
            )
        for arr in (counts_arr, offsets_arr, sizes_arr):
            arr.flags.writeable = False
        self._counts = counts_arr
        self._offsets = offsets_arr
        self._sizes = sizes_arr

    @classmethod
    def _trusted(cls, counts: np.ndarray, offsets: np.ndarray, sizes: np.ndarray) -> "RleBatch":
        """Wrap arrays produced by the core (already valid) without re-checking them."""
        self = cls.__new__(cls)
        for arr in (counts, offsets, sizes):
            arr.flags.writeable = False
        self._counts, self._offsets, self._sizes = counts, offsets, sizes
        return self

    @classmethod
    def _frozen(cls, counts: np.ndarray, offsets: np.ndarray, sizes: np.ndarray) -> "RleBatch":
        """Wrap arrays the core returned valid and already read-only."""
        self = cls.__new__(cls)
        self._counts, self._offsets, self._sizes = counts, offsets, sizes
        return self

    @classmethod
    def _uniform(cls, counts: np.ndarray, offsets: np.ndarray, height: int, width: int) -> "RleBatch":
        sizes = np.empty((offsets.size - 1, 2), np.int64)
        sizes[:, 0] = height
        sizes[:, 1] = width
        return cls._trusted(counts, offsets, sizes)

    # -- array views -------------------------------------------------------------------------
    @property
    def counts(self) -> np.ndarray:
        """All counts, concatenated (uint32, read-only)."""
        return self._counts

    @property
    def offsets(self) -> np.ndarray:
        """Start of each RLE in :attr:`counts`, then ``len(counts)`` (int64, read-only)."""
        return self._offsets

    @property
    def sizes(self) -> np.ndarray:
        """``(height, width)`` per RLE, shape (N, 2) (int64, read-only)."""
        return self._sizes

    @property
    def heights(self) -> np.ndarray:
        return self._sizes[:, 0]

    @property
    def widths(self) -> np.ndarray:
        return self._sizes[:, 1]

    def counts_of(self, i: int) -> np.ndarray:
        """The counts of RLE ``i`` (a view)."""
        i = self._position(i)
        return self._counts[self._offsets[i] : self._offsets[i + 1]]

    def _position(self, index: Any) -> int:
        """An integer index, counted from the end when negative; ``IndexError`` (the sequence
        protocol's error, which ends iteration) when out of range."""
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"RleBatch indices must be integers, slices or integer arrays, got {type(index).__name__} {snippet(index)}")
        n = len(self)
        if not -n <= int(index) < n:
            raise IndexError(f"RleBatch index {int(index)} is out of range for a batch of {n}")
        return int(index) % n

    # -- container protocol -----------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._offsets.size - 1)

    def __getitem__(self, index: Union[int, slice, Sequence[int], np.ndarray]) -> "RleBatch":
        """Select RLEs; an integer gives a batch of one.

        Slices, integer sequences and boolean masks of length N select like numpy. An index out
        of range raises ``IndexError`` (the sequence protocol); an index of another type
        ``TypeError``.
        """
        if isinstance(index, (int, np.integer)) and not isinstance(index, (bool, np.bool_)):
            i = self._position(index)
            begin, end = self._offsets[i], self._offsets[i + 1]
            return RleBatch._trusted(
                self._counts[begin:end].copy(), np.array([0, end - begin], np.int64), self._sizes[i : i + 1].copy()
            )
        picks = self._picks(index)
        starts, ends = self._offsets[picks], self._offsets[picks + 1]
        lengths = ends - starts
        offsets = np.zeros(picks.size + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return RleBatch._trusted(self._counts[gather], offsets, self._sizes[picks].copy())

    def _picks(self, index: Any) -> np.ndarray:
        n = len(self)
        if isinstance(index, slice):
            return np.arange(n)[index]
        if isinstance(index, (str, bytes, dict, float, bool, np.bool_)) or index is None:
            raise TypeError(f"RleBatch indices must be integers, slices or integer arrays, got {type(index).__name__} {snippet(index)}")
        try:
            picks = np.asarray(index)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"RleBatch indices must be integers, slices or integer arrays, got {snippet(index)} ({exc})") from None
        if picks.size == 0:
            return np.zeros(0, np.int64)
        if picks.ndim != 1:
            raise ValueError(f"RleBatch index arrays must be 1-D, got shape {picks.shape}")
        if picks.dtype == np.bool_:
            if picks.size != n:
                raise ValueError(f"a boolean RleBatch index must have one flag per RLE ({n}), got {picks.size}")
            return np.flatnonzero(picks)
        if picks.dtype.kind not in "iu":
            raise TypeError(f"RleBatch index arrays must hold integers, got dtype {picks.dtype}")
        bad = picks[(picks < -n) | (picks >= n)]
        if bad.size:
            raise IndexError(f"RleBatch index {int(bad[0])} is out of range for a batch of {n}")
        return picks.astype(np.int64) % max(n, 1)

    def __iter__(self) -> Iterator["RleBatch"]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RleBatch):
            return NotImplemented
        return (
            np.array_equal(self._sizes, other._sizes)
            and np.array_equal(self._offsets, other._offsets)
            and np.array_equal(self._counts, other._counts)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if len(self) and np.all(self._sizes == self._sizes[0]):
            shape = f"{self._sizes[0, 0]}x{self._sizes[0, 1]}"
        else:
            shape = "mixed sizes" if len(self) else "empty"
        return f"RleBatch(n={len(self)}, {shape}, counts={self._counts.size})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (RleBatch, (self._counts, self._offsets, self._sizes))

    # -- COCO dicts --------------------------------------------------------------------------
    def to_coco(self) -> list[dict[str, Any]]:
        """COCO compressed RLEs: ``[{'size': [h, w], 'counts': bytes}, ...]``.

        Byte-identical to what ``pycocotools.mask.encode`` returns for the same masks.
        """
        return list(_core.coco_build(self._counts, self._offsets, self._sizes))

    @classmethod
    def from_coco(cls, objs: Union[dict[str, Any], Iterable[dict[str, Any]]]) -> "RleBatch":
        """Read COCO RLE dicts: compressed (``str``/``bytes`` counts) or uncompressed (a list).

        A single dict gives a batch of one. Sizes must be ``[height, width]`` of integers and
        list counts integers in ``[0, 2**32 - 1]`` (``TypeError``/``ValueError``/
        ``OverflowError`` otherwise, see :mod:`maskkit._coco_dicts`).

        Examples
        --------
        >>> from maskkit.rle import RleBatch
        >>> b = RleBatch.from_coco([{'size': [2, 3], 'counts': b'6'},
        ...                         {'size': [2, 3], 'counts': [1, 5]}])
        >>> [b.counts_of(i).tolist() for i in range(len(b))]
        [[6], [1, 5]]
        """
        counts, offsets, sizes = parse_coco_dicts(objs)
        return cls._trusted(counts, offsets, sizes)


def as_batch(rles: Any, func: str) -> RleBatch:
    """``rles`` as an RleBatch: a batch is used as is, COCO RLE dicts are read by
    :meth:`RleBatch.from_coco`; anything else is a ``TypeError`` naming ``func``."""
    if isinstance(rles, RleBatch):
        return rles
    if isinstance(rles, (dict, list, tuple)):
        return RleBatch.from_coco(rles)
    raise TypeError(f"{func} expects a maskkit.rle.RleBatch or COCO RLE dicts, got {type(rles).__name__} {snippet(rles)}")


def empty() -> RleBatch:
    """A batch with no RLEs.

    Examples
    --------
    >>> from maskkit import rle
    >>> len(rle.empty())
    0
    """
    return RleBatch._trusted(np.zeros(0, np.uint32), np.zeros(1, np.int64), np.zeros((0, 2), np.int64))


def concatenate(batches: Sequence[RleBatch]) -> RleBatch:
    """Join batches end to end.

    Examples
    --------
    >>> from maskkit import rle
    >>> b = rle.RleBatch([4], [0, 1], [[2, 2]])
    >>> len(rle.concatenate([b, b, rle.empty()]))
    2
    """
    if isinstance(batches, RleBatch) or not isinstance(batches, Iterable):
        raise TypeError(f"concatenate expects a sequence of RleBatch, got {type(batches).__name__}")
    batches = list(batches)
    for i, b in enumerate(batches):
        if not isinstance(b, RleBatch):
            raise TypeError(f"concatenate expects RleBatch items, got {type(b).__name__} {snippet(b)} at index {i}")
    if not batches:
        return empty()
    counts = np.concatenate([b.counts for b in batches])
    lengths = np.concatenate([np.diff(b.offsets) for b in batches])
    offsets = np.zeros(lengths.size + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    sizes = np.concatenate([b.sizes for b in batches]).reshape(-1, 2)
    return RleBatch._trusted(counts, offsets, sizes)


def _check_layout(layout: Any) -> Layout:
    if not isinstance(layout, str) or layout not in ("NHW", "HWN"):
        raise ValueError(f"layout must be 'NHW' or 'HWN', got {snippet(layout)}")
    return layout  # type: ignore[return-value]


def _stack_view(masks: Any, layout: Layout) -> np.ndarray:
    layout = _check_layout(layout)
    arr = mask_array(masks)
    if arr.ndim == 2:
        return arr[None]
    if arr.ndim != 3:
        raise ValueError(f"masks must be 2-D (H, W) or 3-D, got shape {arr.shape}")
    return arr if layout == "NHW" else np.moveaxis(arr, -1, 0)


def encode(masks: Any, *, layout: Layout = "NHW") -> RleBatch:
    """Encode binary masks to COCO RLE.

    Parameters
    ----------
    masks : array_like of uint8 or bool
        One (H, W) mask, or a stack: (N, H, W) with ``layout="NHW"`` (default) or (H, W, N)
        with ``layout="HWN"`` (pycocotools' layout). Any memory order and strides are read in
        place: C-ordered stacks from numpy or torch are not transposed or copied.

    Returns
    -------
    RleBatch
        Counts identical to ``pycocotools.mask.encode`` of the Fortran-ordered (H, W, N) copy.
        Like pycocotools, values other than 0 and 1 are not binarized: every change of value
        starts a run.

    Raises
    ------
    TypeError
        A dtype other than uint8 or bool.
    ValueError
        A shape that is not 2-D or 3-D; a layout other than "NHW" or "HWN".

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import rle
    >>> rle.encode(np.eye(3, dtype=bool)).to_coco()
    [{'size': [3, 3], 'counts': b'013000'}]
    """
    stack = _stack_view(masks, layout)
    counts, offsets = _core.rle_encode(stack)
    return RleBatch._uniform(counts, offsets, stack.shape[1], stack.shape[2])


def decode(batch: Union[RleBatch, Any], *, layout: Layout = "NHW") -> np.ndarray:
    """Decode to uint8 masks: (N, H, W) C-ordered, or (H, W, N) Fortran-ordered for ``"HWN"``.

    All RLEs must have the same size, and there must be at least one: an empty batch has no
    height and width to give its (0, H, W) result, so it raises ``ValueError``. Counts that
    sum past ``h*w`` raise ``ValueError``; a short sum leaves the rest of the mask 0
    (pycocotools leaves it uninitialized).

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.decode(rle.RleBatch([1, 2, 1], [0, 3], [[2, 2]]))
    array([[[0, 1],
            [1, 0]]], dtype=uint8)
    """
    layout = _check_layout(layout)
    batch = as_batch(batch, "decode")
    if len(batch) == 0:
        raise ValueError("decode needs at least one RLE: an empty batch has no height and width")
    return _core.rle_decode(batch.counts, batch.offsets, batch.sizes, layout == "HWN")


def area(batch: Union[RleBatch, Any]) -> np.ndarray:
    """Foreground pixel count of each RLE (uint64; exact, no uint32 wrap-around).

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.area(rle.RleBatch([1, 2, 1, 0, 4], [0, 3, 5], [[2, 2], [2, 2]])).tolist()
    [2, 4]
    """
    batch = as_batch(batch, "area")
    return _core.rle_area(batch.counts, batch.offsets, batch.sizes)


def to_bbox(batch: Union[RleBatch, Any]) -> np.ndarray:
    """Bounding boxes ``[x, y, w, h]`` as float64 (N, 4), equal to ``pycocotools.mask.toBbox``.

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.to_bbox(rle.RleBatch([1, 2, 1], [0, 3], [[2, 2]])).tolist()
    [[0.0, 0.0, 2.0, 2.0]]
    """
    batch = as_batch(batch, "to_bbox")
    return _core.rle_to_bbox(batch.counts, batch.offsets, batch.sizes)


def merge(batch: Union[RleBatch, Any], *, intersect: bool = False) -> RleBatch:
    """Union (or intersection) of all RLEs in the batch, as a batch of one.

    Byte-identical to ``pycocotools.mask.merge``, including zero-length runs it keeps. An empty
    batch and RLEs of different sizes raise ``ValueError`` (pycocotools returns an empty 0x0
    RLE for different sizes).

    Examples
    --------
    >>> from maskkit import rle
    >>> b = rle.RleBatch([1, 1, 2, 2, 2], [0, 3, 5], [[2, 2], [2, 2]])
    >>> rle.merge(b).counts.tolist(), rle.merge(b, intersect=True).counts.tolist()
    ([1, 3], [4])
    """
    batch = as_batch(batch, "merge")
    if len(batch) == 0:
        raise ValueError("merge needs at least one RLE: an empty batch has no height and width")
    if not np.all(batch.sizes == batch.sizes[0]):
        raise ValueError(f"merge needs RLEs of one size, got sizes {np.unique(batch.sizes, axis=0).tolist()}")
    counts, h, w = _core.rle_merge(batch.counts, batch.offsets, batch.sizes, bool(intersect))
    return RleBatch._trusted(counts, np.array([0, counts.size], np.int64), np.array([[h, w]], np.int64))


def _crowd_flags(iscrowd: Any, n: int) -> Any:
    if iscrowd is None:
        return None
    crowd = np.asarray(iscrowd)
    if crowd.dtype.kind not in "biu":
        raise TypeError(f"iscrowd must be bools or integers, got dtype {crowd.dtype} ({snippet(iscrowd)})")
    if crowd.ndim != 1 or crowd.size != n:
        raise ValueError(f"iscrowd must have one flag per ground truth ({n}), got shape {crowd.shape}")
    return np.ascontiguousarray(crowd != 0, dtype=np.uint8)


def iou(dt: Union[RleBatch, Any], gt: Union[RleBatch, Any], iscrowd: Any = None) -> np.ndarray:
    """Pairwise IoU, (len(dt), len(gt)) float64, bit-identical to ``pycocotools.mask.iou``.

    For a crowd ground truth (``iscrowd[j]`` true) the value is ``|dt ∩ gt| / |dt|``. Pairs
    of different sizes whose boxes overlap give -1, as in pycocotools.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import rle
    >>> a = np.zeros((10, 10), np.uint8); a[:4, :4] = 1
    >>> b = np.zeros((10, 10), np.uint8); b[2:6, 2:6] = 1
    >>> rle.iou(rle.encode(a), rle.encode(b), [0]).round(4).tolist()
    [[0.1429]]
    """
    dt = as_batch(dt, "iou")
    gt = as_batch(gt, "iou")
    crowd = _crowd_flags(iscrowd, len(gt))
    out = _core.rle_iou(dt.counts, dt.offsets, dt.sizes, gt.counts, gt.offsets, gt.sizes, crowd)
    return np.ascontiguousarray(out)


def from_bbox(boxes: Any, height: int, width: int) -> RleBatch:
    """Rasterize ``[x, y, w, h]`` boxes with pycocotools' rule (``frPyObjects`` on boxes).

    Accepts an (N, 4) or (4,) array or nested list of any real dtype; integer boxes fill
    exactly ``[y:y+h, x:x+w]`` (clipped). NaN, infinite or huge (> 1e14) values raise
    ``ValueError``.

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.from_bbox([0, 0, 2, 2], 4, 4).to_coco()
    [{'size': [4, 4], 'counts': b'02208'}]
    """
    h, w = dimension(height, "height"), dimension(width, "width")
    try:
        arr = np.asarray(boxes)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"boxes must be an (N, 4) array of numbers, got {snippet(boxes)} ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"boxes must be real numbers, got dtype {arr.dtype} ({snippet(boxes)})")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4), got {np.asarray(boxes).shape}")
    counts, offsets = _core.boxes_to_rle(arr, h, w)
    return RleBatch._uniform(counts, offsets, h, w)
