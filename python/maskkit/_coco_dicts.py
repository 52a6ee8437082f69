"""Reading ``{'size': [h, w], 'counts': ...}`` RLE dicts: the one place that checks them.

Every reader of RLE dicts in maskkit's own API (:meth:`maskkit.rle.RleBatch.from_coco`, the
uncompressed, SAM and nuImages codecs) goes through :func:`rle_dict` for the dict, its keys and
its size, and through :func:`int_counts` for a list of run lengths, so one input is refused the
same way, with the same exception type, whichever function received it:

* ``TypeError``: not a dict; a height or width that is not an integer (floats and bools are
  refused, not truncated); counts of the wrong type (floats, bools, None, a dict, or a string
  where a list is expected).
* ``ValueError``: a missing key; a size that is not two values; a negative height or width;
  counts that are not a flat list, or lie outside ``[0, 2**32 - 1]``.
* ``OverflowError``: a height or width above ``2**32 - 1``.

The functions return plain numpy arrays ``(counts uint32, offsets int64, sizes int64 (N, 2))``,
the layout of :class:`maskkit.rle.RleBatch` and of ``maskkit._core``, so that they depend on
no façade module.

Examples
--------
>>> from maskkit._coco_dicts import parse_count_dicts
>>> counts, offsets, sizes = parse_count_dicts([{'size': [2, 2], 'counts': [1, 3]}], "uncompressed")
>>> counts.tolist(), offsets.tolist(), sizes.tolist()
([1, 3], [0, 2], [[2, 2]])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any, List, Optional, Tuple

import numpy as np

from . import _core
from ._validate import dimension, snippet

__all__ = ["dict_items", "rle_dict", "int_counts", "parse_count_dicts", "parse_coco_dicts"]

_U32_MAX = 0xFFFFFFFF

Arrays = Tuple[np.ndarray, np.ndarray, np.ndarray]


def dict_items(objs: Any, what: str) -> List[Any]:
    """A dict gives a list of one; any other iterable (but str/bytes) gives its items."""
    if isinstance(objs, dict):
        return [objs]
    if isinstance(objs, (str, bytes, bytearray)) or not isinstance(objs, Iterable):
        raise TypeError(f"expected a {what} RLE dict or a sequence of them, got {type(objs).__name__} {snippet(objs)}")
    return list(objs)


def rle_dict(obj: Any, i: int, what: str) -> Tuple[int, int, Any]:
    """Check one ``{'size': [h, w], 'counts': ...}`` dict; return ``(h, w, counts)``."""
    if not isinstance(obj, dict):
        raise TypeError(f"{what} RLE {i} must be a dict with 'size' and 'counts', got {type(obj).__name__} {snippet(obj)}")
    missing = [key for key in ("size", "counts") if key not in obj]
    if missing:
        raise ValueError(f"{what} RLE {i} must have keys 'size' and 'counts'; missing {missing} in {snippet(obj)}")
    size = obj["size"]
    if isinstance(size, (str, bytes, bytearray)) or not isinstance(size, (Sequence, np.ndarray)):
        raise TypeError(f"{what} RLE {i}: 'size' must be a list [height, width], got {type(size).__name__} {snippet(size)}")
    if len(size) != 2 or (isinstance(size, np.ndarray) and size.ndim != 1):
        raise ValueError(f"{what} RLE {i}: 'size' must be [height, width], got {snippet(size)}")
    h = dimension(size[0], f"{what} RLE {i} height")
    w = dimension(size[1], f"{what} RLE {i} width")
    return h, w, obj["counts"]


def _out_of_range(values: Sequence[int]) -> int:
    return next(int(v) for v in values if not 0 <= int(v) <= _U32_MAX)


def _check_count_items(items: List[Any], counts: Any, i: int, what: str) -> None:
    """Refuse nested sequences, floats and bools among the counts (numpy would cast them)."""
    nested = next((v for v in items if isinstance(v, (Sequence, np.ndarray)) and not isinstance(v, (str, bytes))), None)
    if nested is not None:
        raise ValueError(f"{what} RLE {i}: 'counts' must be a flat list of ints, got an item {snippet(nested)}")
    bad = next((v for v in items if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_))), None)
    if bad is not None:
        raise TypeError(
            f"{what} RLE {i}: counts must be integers, got {type(bad).__name__} {snippet(bad)} in "
            f"{snippet(counts)}; cast explicitly (pycocotools silently truncates floats)"
        )


def int_counts(counts: Any, i: int, what: str) -> np.ndarray:
    """One list of run lengths as a 1-D uint32 array (no lossy casts; a copy of the input)."""
    if isinstance(counts, (bytes, bytearray, str)):
        raise TypeError(
            f"{what} RLE {i}: 'counts' must be a list of ints, got {type(counts).__name__} "
            f"{snippet(counts)}; compressed COCO strings are read by RleBatch.from_coco"
            + (" (base64 strings by from_nuimages)" if what == "uncompressed" else "")
        )
    if not isinstance(counts, (Sequence, np.ndarray)):
        raise TypeError(f"{what} RLE {i}: 'counts' must be a list of ints, got {type(counts).__name__} {snippet(counts)}")
    if isinstance(counts, np.ndarray):
        arr = counts
    else:
        items = list(counts)
        if not set(map(type, items)) <= {int}:  # a list of plain ints (the common case) passes at C speed
            _check_count_items(items, counts, i, what)
        try:
            arr = np.array(items, dtype=np.int64)
        except OverflowError:  # a Python int beyond 64 bits
            raise ValueError(f"{what} RLE {i}: counts must lie in [0, 2**32 - 1], got {_out_of_range(items)}") from None
    if arr.ndim != 1:
        raise ValueError(f"{what} RLE {i}: 'counts' must be a flat list of ints, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, np.uint32)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{what} RLE {i}: counts must be integers, got dtype {arr.dtype} ({snippet(counts)}); "
            "cast explicitly (pycocotools silently truncates floats)"
        )
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high > _U32_MAX:
        raise ValueError(f"{what} RLE {i}: counts must lie in [0, 2**32 - 1], got {low if low < 0 else high}")
    return arr.astype(np.uint32)


def _join(parts: List[np.ndarray], sizes: np.ndarray) -> Arrays:
    offsets = np.zeros(len(parts) + 1, np.int64)
    np.cumsum([p.size for p in parts], out=offsets[1:])
    flat = np.concatenate(parts) if parts else np.zeros(0, np.uint32)
    return flat, offsets, sizes


def _parse_strings(objs: List[Any], index: List[int]) -> Arrays:
    """Compressed RLE dicts parsed by the core; a malformed string is named by its index."""
    try:
        return _core.coco_parse(objs)
    except ValueError:
        for obj, i in zip(objs, index):
            try:
                _core.coco_parse([obj])
            except ValueError as exc:
                raise ValueError(f"COCO RLE {i}: {exc}: {snippet(obj['counts'])}") from None
        raise


def _all_plain(items: List[Any], counts_types: Tuple[type, ...]) -> bool:
    """Whether every item has the common shape ``{'size': [int, int], 'counts': <counts_types>}``,
    checked cheaply in one loop (the item-by-item path names what is wrong otherwise)."""
    for obj in items:
        if type(obj) is not dict:
            return False
        size = obj.get("size")
        if type(size) is not list or len(size) != 2 or type(obj.get("counts")) not in counts_types:
            return False
        h, w = size
        if type(h) is not int or type(w) is not int or not (0 <= h <= _U32_MAX and 0 <= w <= _U32_MAX):
            return False
    return True


def _plain_count_lists(items: List[Any]) -> Optional[Arrays]:
    """Dicts of the common shape with lists of plain ints in range, read in one pass; ``None``
    for anything else (the item-by-item path then names what is wrong)."""
    if not _all_plain(items, (list,)):
        return None
    lists = [o["counts"] for o in items]
    flat = list(chain.from_iterable(lists))
    if not set(map(type, flat)) <= {int}:
        return None
    try:
        counts = np.array(flat, dtype=np.int64)
    except OverflowError:
        return None
    if counts.size and (int(counts.min()) < 0 or int(counts.max()) > _U32_MAX):
        return None
    offsets = np.zeros(len(lists) + 1, np.int64)
    np.cumsum([len(c) for c in lists], out=offsets[1:])
    sizes = np.array([o["size"] for o in items], np.int64).reshape(len(items), 2)
    return counts.astype(np.uint32), offsets, sizes


def parse_count_dicts(objs: Any, what: str) -> Arrays:
    """RLE dicts whose ``counts`` are lists of ints (COCO uncompressed, SAM), verbatim.

    ``what`` names the dialect in messages ("uncompressed", "SAM").
    """
    items = dict_items(objs, what)
    plain = _plain_count_lists(items)
    if plain is not None:
        return plain
    parts: List[np.ndarray] = []
    sizes = np.zeros((len(items), 2), np.int64)
    for i, obj in enumerate(items):
        h, w, counts = rle_dict(obj, i, what)
        sizes[i] = h, w
        parts.append(int_counts(counts, i, what))
    return _join(parts, sizes)


def parse_coco_dicts(objs: Any) -> Arrays:
    """COCO RLE dicts, compressed (``str``/``bytes`` counts) or uncompressed (a list), mixed.

    Compressed strings are parsed by the core (characters outside ``'0'..'o'`` and strings
    that end inside a number raise ``ValueError``).
    """
    items = dict_items(objs, "COCO")
    if _all_plain(items, (bytes, str)):  # one call to the core, no per-item arrays
        return _parse_strings(items, list(range(len(items))))
    sizes = np.zeros((len(items), 2), np.int64)
    parts: List[Any] = []
    for i, obj in enumerate(items):
        h, w, counts = rle_dict(obj, i, "COCO")
        sizes[i] = h, w
        if isinstance(counts, (bytes, bytearray, str)):
            if isinstance(counts, str) and not counts.isascii():
                raise ValueError(
                    f"COCO RLE {i}: a compressed counts string may hold only characters '0'..'o', "
                    f"got {snippet(counts)}"
                )
            parts.append(bytes(counts, "ascii") if isinstance(counts, str) else bytes(counts))
        else:
            parts.append(int_counts(counts, i, "COCO"))
    strings = [j for j, p in enumerate(parts) if isinstance(p, bytes)]
    if strings:
        parsed, parsed_offsets, _ = _parse_strings([{"size": [0, 0], "counts": parts[j]} for j in strings], strings)
        for k, j in enumerate(strings):
            parts[j] = parsed[parsed_offsets[k] : parsed_offsets[k + 1]]
    return _join(parts, sizes)
