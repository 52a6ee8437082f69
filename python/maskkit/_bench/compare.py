"""Result comparison: ``compare(maskkit_result, reference_result)`` is ``None`` when the two are
equal, else a message naming the first difference.

RLEs and arrays must be exactly equal (bytes, dtype, shape, memory order); labelings must be the
same partition with the same component count and measures, and bit-identical where both sides
number their labels in raster order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

__all__ = [
    "Comparer",
    "Labeling",
    "compare_area_bbox_each",
    "compare_arrays",
    "compare_equal",
    "compare_labelings",
    "compare_lists",
    "compare_rle_lists",
    "compare_rles",
    "compare_sequences",
    "labeling_comparer",
    "short",
]

Comparer = Callable[[Any, Any], Optional[str]]


def short(value: Any, limit: int = 160) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _compare_rle(got: Any, expected: Any) -> str | None:
    if got != expected or type(got["counts"]) is not type(expected["counts"]):
        return f"maskkit {short(got)} != reference {short(expected)}"
    return None


def compare_lists(item: Comparer) -> Comparer:
    """A comparer for lists whose items are compared by ``item``."""

    def compare(got: Any, expected: Any) -> str | None:
        if not isinstance(got, list) or not isinstance(expected, list):
            return f"types differ: {type(got).__name__} vs {type(expected).__name__}"
        if len(got) != len(expected):
            return f"lengths differ: {len(got)} vs {len(expected)}"
        for i, (a, b) in enumerate(zip(got, expected)):
            message = item(a, b)
            if message is not None:
                return f"item {i}: {message}"
        return None

    return compare


def compare_rles(got: Any, expected: Any) -> str | None:
    """``None`` if two RLE dicts are equal (sizes, and counts of the same type and value)."""
    return _compare_rle(got, expected)


def compare_arrays(got: Any, expected: Any) -> str | None:
    """``None`` if two arrays have the same dtype, shape, memory order and bytes."""
    if not isinstance(got, np.ndarray) or not isinstance(expected, np.ndarray):
        return f"types differ: {type(got).__name__} vs {type(expected).__name__}"
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return f"dtype/shape differ: {got.dtype}{got.shape} vs {expected.dtype}{expected.shape}"
    for flag in ("F_CONTIGUOUS", "C_CONTIGUOUS"):
        if got.flags[flag] != expected.flags[flag]:
            return f"memory order differs: {flag} {got.flags[flag]} vs {expected.flags[flag]}"
    a = np.ascontiguousarray(got).view(np.uint8).reshape(got.shape + (-1,)) if got.size else got
    b = np.ascontiguousarray(expected).view(np.uint8).reshape(got.shape + (-1,)) if got.size else expected
    if not np.array_equal(a, b):
        index = tuple(int(i) for i in np.argwhere((a != b).reshape(got.shape + (-1,)).any(axis=-1))[0])
        return f"first difference at {index}: maskkit {got[index]!r} != reference {expected[index]!r}"
    return None


def compare_sequences(*comparers: Comparer) -> Comparer:
    """A comparer for tuples whose items are compared by ``comparers`` in turn."""

    def compare(got: Any, expected: Any) -> str | None:
        for i, (cmp, a, b) in enumerate(zip(comparers, got, expected)):
            message = cmp(a, b)
            if message is not None:
                return f"output {i}: {message}"
        return None

    return compare


compare_rle_lists = compare_lists(_compare_rle)
"""``None`` if two lists of RLE dicts are equal (sizes and counts bytes), else the first difference."""


def compare_equal(got: Any, expected: Any) -> str | None:
    """``None`` if ``got == expected`` and both have the same type (e.g. two strings)."""
    if type(got) is not type(expected) or got != expected:
        return f"maskkit {short(got)} != reference {short(expected)}"
    return None


def _compare_area_box(got: Any, expected: Any) -> str | None:
    (area_a, box_a), (area_b, box_b) = got, expected
    if type(area_a) is not type(area_b) or area_a != area_b:
        return f"area {area_a!r} ({type(area_a).__name__}) != {area_b!r} ({type(area_b).__name__})"
    message = compare_arrays(box_a, box_b)
    return None if message is None else f"box {message}"


compare_area_bbox_each = compare_lists(_compare_area_box)
"""``None`` if two lists of ``(np.uint32 area, (4,) float64 box)`` pairs are identical."""


@dataclass(frozen=True)
class Labeling:
    """A labeling in comparable form: labels ``1..n`` (0 = background) and optional measures.

    Attributes
    ----------
    labels
        Label image (any integer dtype).
    n
        Number of components.
    raster
        Whether the numbering is raster order (scipy's); two raster labelings of the same
        partition must be bit-identical, others are compared as partitions only.
    area, bbox, centroid
        Per label ``1..n`` (row ``i`` = label ``i + 1``): pixel count, ``[mins..., maxes...]``
        with exclusive ends, and center of mass in axis order; ``None`` when not computed.
    """

    labels: np.ndarray
    n: int
    raster: bool = True
    area: np.ndarray | None = None
    bbox: np.ndarray | None = None
    centroid: np.ndarray | None = None


def _where(flat_index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat_index, shape))


def _label_mapping(got: Labeling, expected: Labeling) -> tuple[np.ndarray | None, str | None]:
    """``mapping[maskkit label] = reference label`` if the two are the same partition."""
    a, b, n, shape = got.labels.reshape(-1), expected.labels.reshape(-1), got.n, got.labels.shape
    differs = np.flatnonzero((a != 0) != (b != 0))
    if differs.size:
        return None, f"background differs at {_where(int(differs[0]), shape)}"
    if a.size and (int(a.max()) > n or int(b.max()) > n):
        return None, f"labels exceed n={n}: max maskkit {int(a.max())}, reference {int(b.max())}"
    mapping = np.zeros(n + 1, np.int64)
    mapping[a] = b
    split = np.flatnonzero(mapping[a] != b)
    if split.size:
        i = int(split[0])
        return None, f"maskkit component {int(a[i])} spans two reference components (at {_where(i, shape)})"
    counts = np.bincount(mapping[1:], minlength=n + 1)
    if n and (counts[0] or np.any(counts[1:] != 1)):
        bad = int(np.flatnonzero(counts[1:] != 1)[0]) + 1 if np.any(counts[1:] != 1) else 0
        return None, f"reference component {bad} is covered by {int(counts[bad])} maskkit components"
    return mapping, None


def _compare_measures(got: Labeling, expected: Labeling, mapping: np.ndarray) -> str | None:
    """Area, bounding box and centroid of each maskkit component vs its reference component."""
    order = mapping[1:] - 1
    checks: list[tuple[str, np.ndarray | None, np.ndarray | None]] = [
        ("area", got.area, expected.area),
        ("bbox", got.bbox, expected.bbox),
        ("centroid", got.centroid, expected.centroid),
    ]
    for name, mine, theirs in checks:
        if mine is None or theirs is None:
            continue
        theirs = np.asarray(theirs)[order]
        if name == "centroid":  # one division each side, possibly in another order of sums
            same = np.isclose(mine, theirs, rtol=1e-9, atol=1e-9)
        else:
            same = np.equal(mine, theirs)
        bad = np.flatnonzero(~same.reshape(len(order), -1).all(axis=1)) if len(order) else np.zeros(0, np.intp)
        if len(bad):
            i = int(bad[0])
            return f"{name} of component {i + 1}: maskkit {mine[i].tolist()} != reference {theirs[i].tolist()}"
    return None


def compare_labelings(got: Labeling, expected: Labeling) -> str | None:
    """``None`` if two labelings are the same partition with the same measures, else why not.

    When both are numbered in raster order the label values must also be identical.
    """
    if got.labels.shape != expected.labels.shape:
        return f"shapes differ: {got.labels.shape} vs {expected.labels.shape}"
    if got.n != expected.n:
        return f"component counts differ: maskkit {got.n} vs reference {expected.n}"
    mapping, message = _label_mapping(got, expected)
    if mapping is None:
        return message
    if got.raster and expected.raster and not np.array_equal(got.labels, expected.labels):
        i = int(np.flatnonzero(got.labels.reshape(-1) != expected.labels.reshape(-1))[0])
        return (
            f"same partition but numbered differently at {_where(i, got.labels.shape)}: maskkit "
            f"{int(got.labels.reshape(-1)[i])} vs reference {int(expected.labels.reshape(-1)[i])}"
        )
    return _compare_measures(got, expected, mapping)


def labeling_comparer(normalize: Callable[[Any], Labeling]) -> Comparer:
    """A workload comparer: reference results are normalized, maskkit's are :class:`Labeling`."""

    def as_labeling(value: Any) -> Labeling:
        return value if isinstance(value, Labeling) else normalize(value)

    def compare(got: Any, expected: Any) -> str | None:
        return compare_labelings(as_labeling(got), as_labeling(expected))

    return compare

