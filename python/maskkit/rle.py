"""Batch-native COCO run-length encoding.

An :class:`RleBatch` holds many RLEs in three arrays (``counts``, ``offsets``, ``sizes``), so a
batch of a thousand masks is three numpy arrays, not a thousand dicts. Counts follow COCO: the
mask is read column by column (Fortran order) and the runs alternate 0 and 1, starting with a
run of 0. Every function here gives the same counts as ``pycocotools.mask`` on the same masks;
:func:`RleBatch.to_coco` and :func:`RleBatch.from_coco` convert to and from its dicts.

Examples
--------
>>> import numpy as np
>>> from maskkit import rle
>>> masks = np.zeros((2, 4, 3), np.uint8)     # (N, H, W), C-ordered: no transpose needed
>>> masks[0, 1:3, 1:] = 1
>>> batch = rle.encode(masks)
>>> len(batch), batch.sizes.tolist()
(2, [[4, 3], [4, 3]])
>>> batch.to_coco()[0]
{'size': [4, 3], 'counts': b'5220O'}
>>> rle.area(batch).tolist()
[4, 0]
>>> bool((rle.decode(batch) == masks).all())
True
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Literal, Sequence, Union

import numpy as np

from . import _core
from ._validate import dimension, mask_array

__all__ = [
    "RleBatch",
    "encode",
    "decode",
    "area",
    "to_bbox",
    "merge",
    "iou",
    "from_bbox",
    "from_polygons",
]

Layout = Literal["NHW", "HWN"]


def _as_counts(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == np.uint32:
        return np.ascontiguousarray(arr)
    if arr.size == 0:
        return np.zeros(0, np.uint32)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"counts must be integers, got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() > 0xFFFFFFFF:
        raise ValueError(
            f"counts must lie in [0, 2**32 - 1], got values in [{arr.min()}, {arr.max()}]"
        )
    return np.ascontiguousarray(arr, dtype=np.uint32)


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
        counts_arr = _as_counts(counts)
        offsets_arr = np.ascontiguousarray(offsets, dtype=np.int64)
        sizes_arr = np.ascontiguousarray(sizes, dtype=np.int64).reshape(-1, 2)
        if counts_arr.ndim != 1:
            raise ValueError(f"counts must be 1-D, got shape {counts_arr.shape}")
        if offsets_arr.ndim != 1 or offsets_arr.size < 1:
            raise ValueError(f"offsets must be 1-D with N + 1 entries, got shape {offsets_arr.shape}")
        n = offsets_arr.size - 1
        if sizes_arr.shape[0] != n:
            raise ValueError(f"sizes has {sizes_arr.shape[0]} rows but offsets describe {n} RLEs")
        if offsets_arr[0] != 0 or offsets_arr[-1] != counts_arr.size or np.any(np.diff(offsets_arr) < 0):
            raise ValueError(
                "offsets must start at 0, never decrease and end at len(counts) = "
                f"{counts_arr.size}; got {offsets_arr[:3].tolist()}...{offsets_arr[-1:].tolist()}"
            )
        if sizes_arr.size and (sizes_arr.min() < 0 or sizes_arr.max() > 0xFFFFFFFF):
            raise ValueError(f"sizes must lie in [0, 2**32 - 1], got {sizes_arr.min()}..{sizes_arr.max()}")
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
        i = range(len(self))[i]
        return self._counts[self._offsets[i] : self._offsets[i + 1]]

    # -- container protocol -----------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._offsets.size - 1)

    def __getitem__(self, index: Union[int, slice, Sequence[int], np.ndarray]) -> "RleBatch":
        """Select RLEs; an integer gives a batch of one."""
        if isinstance(index, (int, np.integer)):
            i = range(len(self))[int(index)]
            begin, end = self._offsets[i], self._offsets[i + 1]
            return RleBatch._trusted(
                self._counts[begin:end].copy(), np.array([0, end - begin], np.int64), self._sizes[i : i + 1].copy()
            )
        picks = np.arange(len(self))[index]
        starts, ends = self._offsets[picks], self._offsets[picks + 1]
        lengths = ends - starts
        offsets = np.zeros(picks.size + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return RleBatch._trusted(self._counts[gather], offsets, self._sizes[picks].copy())

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

        A single dict gives a batch of one.

        Examples
        --------
        >>> from maskkit.rle import RleBatch
        >>> b = RleBatch.from_coco([{'size': [2, 3], 'counts': b'6'},
        ...                         {'size': [2, 3], 'counts': [1, 5]}])
        >>> [b.counts_of(i).tolist() for i in range(len(b))]
        [[6], [1, 5]]
        """
        items = [objs] if isinstance(objs, dict) else list(objs)
        if all(isinstance(o.get("counts") if isinstance(o, dict) else None, (bytes, str)) for o in items):
            counts, offsets, sizes = _core.coco_parse(items)
            return cls._trusted(counts, offsets, sizes)
        parts = [cls._from_one_coco(o) for o in items]
        return concatenate(parts) if parts else empty()

    @classmethod
    def _from_one_coco(cls, obj: Any) -> "RleBatch":
        if not isinstance(obj, dict) or "counts" not in obj or "size" not in obj:
            raise TypeError(f"expected a COCO RLE dict with 'size' and 'counts', got {type(obj).__name__}")
        counts = obj["counts"]
        if isinstance(counts, (bytes, str)):
            c, o, s = _core.coco_parse([obj])
            return cls._trusted(c, o, s)
        h, w = obj["size"]
        return cls(_as_counts(list(counts) if not isinstance(counts, np.ndarray) else counts), [0, len(counts)], [[h, w]])


def empty() -> RleBatch:
    """A batch with no RLEs."""
    return RleBatch._trusted(np.zeros(0, np.uint32), np.zeros(1, np.int64), np.zeros((0, 2), np.int64))


def concatenate(batches: Sequence[RleBatch]) -> RleBatch:
    """Join batches end to end."""
    if not batches:
        return empty()
    counts = np.concatenate([b.counts for b in batches])
    lengths = np.concatenate([np.diff(b.offsets) for b in batches])
    offsets = np.zeros(lengths.size + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    sizes = np.concatenate([b.sizes for b in batches]).reshape(-1, 2)
    return RleBatch._trusted(counts, offsets, sizes)


def _stack_view(masks: Any, layout: Layout) -> np.ndarray:
    arr = mask_array(masks)
    if arr.ndim == 2:
        return arr[None]
    if arr.ndim != 3:
        raise ValueError(f"masks must be 2-D (H, W) or 3-D, got shape {arr.shape}")
    if layout == "NHW":
        return arr
    if layout == "HWN":
        return np.moveaxis(arr, -1, 0)
    raise ValueError(f"layout must be 'NHW' or 'HWN', got {layout!r}")


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


def decode(batch: RleBatch, *, layout: Layout = "NHW") -> np.ndarray:
    """Decode to uint8 masks: (N, H, W) C-ordered, or (H, W, N) Fortran-ordered for ``"HWN"``.

    All RLEs must have the same size. Counts that sum past ``h*w`` raise ``ValueError``; a
    short sum leaves the rest of the mask 0 (pycocotools leaves it uninitialized).

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.decode(rle.RleBatch([1, 2, 1], [0, 3], [[2, 2]]))
    array([[[0, 1],
            [1, 0]]], dtype=uint8)
    """
    if layout not in ("NHW", "HWN"):
        raise ValueError(f"layout must be 'NHW' or 'HWN', got {layout!r}")
    if len(batch) == 0:
        return np.zeros((0, 0, 0), np.uint8)
    return _core.rle_decode(batch.counts, batch.offsets, batch.sizes, layout == "HWN")


def area(batch: RleBatch) -> np.ndarray:
    """Foreground pixel count of each RLE (uint64; exact, no uint32 wrap-around).

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.area(rle.RleBatch([1, 2, 1, 0, 4], [0, 3, 5], [[2, 2], [2, 2]])).tolist()
    [2, 4]
    """
    return _core.rle_area(batch.counts, batch.offsets, batch.sizes)


def to_bbox(batch: RleBatch) -> np.ndarray:
    """Bounding boxes ``[x, y, w, h]`` as float64 (N, 4), equal to ``pycocotools.mask.toBbox``."""
    return _core.rle_to_bbox(batch.counts, batch.offsets, batch.sizes)


def merge(batch: RleBatch, *, intersect: bool = False) -> RleBatch:
    """Union (or intersection) of all RLEs in the batch, as a batch of one.

    Byte-identical to ``pycocotools.mask.merge``, including zero-length runs it keeps. RLEs of
    different sizes raise ``ValueError`` (pycocotools silently returns an empty 0x0 RLE).
    """
    if len(batch) and not np.all(batch.sizes == batch.sizes[0]):
        raise ValueError(f"merge needs RLEs of one size, got sizes {np.unique(batch.sizes, axis=0).tolist()}")
    counts, h, w = _core.rle_merge(batch.counts, batch.offsets, batch.sizes, bool(intersect))
    return RleBatch._trusted(counts, np.array([0, counts.size], np.int64), np.array([[h, w]], np.int64))


def iou(dt: RleBatch, gt: RleBatch, iscrowd: Any = None) -> np.ndarray:
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
    crowd = None
    if iscrowd is not None:
        crowd = np.asarray(iscrowd)
        if crowd.dtype.kind not in "biu":
            raise TypeError(f"iscrowd must be bools or integers, got dtype {crowd.dtype}")
        crowd = np.ascontiguousarray(crowd != 0, dtype=np.uint8).reshape(-1)
    out = _core.rle_iou(dt.counts, dt.offsets, dt.sizes, gt.counts, gt.offsets, gt.sizes, crowd)
    return np.ascontiguousarray(out)


def from_bbox(boxes: Any, height: int, width: int) -> RleBatch:
    """Rasterize ``[x, y, w, h]`` boxes with pycocotools' rule (``frPyObjects`` on boxes).

    Accepts an (N, 4) or (4,) array or nested list of any real dtype; integer boxes fill
    exactly ``[y:y+h, x:x+w]`` (clipped).

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.from_bbox([0, 0, 2, 2], 4, 4).to_coco()
    [{'size': [4, 4], 'counts': b'02208'}]
    """
    h, w = dimension(height, "height"), dimension(width, "width")
    arr = np.asarray(boxes)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"boxes must be real numbers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4), got {np.asarray(boxes).shape}")
    counts, offsets = _core.boxes_to_rle(arr, h, w)
    return RleBatch._uniform(counts, offsets, h, w)


def from_polygons(polygons: Any, height: int, width: int) -> RleBatch:
    """Rasterize polygons with pycocotools' rule, one RLE per polygon.

    ``polygons`` is a list of flat coordinate sequences ``[x0, y0, x1, y1, ...]`` (a COCO
    ``segmentation`` list) or a single flat sequence. Merge the result with :func:`merge` to
    get COCO's mask of a multi-part annotation. NaN, infinite or huge (> 1e14) coordinates
    raise ``ValueError``; coordinates far outside the image cost no extra time or memory.

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.from_polygons([[1, 1, 6, 1, 3.5, 5]], 7, 8).to_coco()
    [{'size': [7, 8], 'counts': b'8161O2NN2O>'}]
    """
    h, w = dimension(height, "height"), dimension(width, "width")
    if isinstance(polygons, np.ndarray) and polygons.ndim == 1:
        polygons = [polygons]
    elif isinstance(polygons, (list, tuple)) and polygons and isinstance(polygons[0], (int, float, np.number)):
        polygons = [polygons]
    counts, offsets = _core.polygons_to_rle(list(polygons), h, w)
    return RleBatch._uniform(counts, offsets, h, w)


from ._dialects import *  # noqa: E402,F401,F403  (codecs for the other RLE dialects)
from ._dialects import __all__ as _dialect_names  # noqa: E402

__all__ += list(_dialect_names)
