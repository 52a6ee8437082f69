"""SAM's ``remove_small_regions``: small holes or islands of a mask, with maskkit's labeling.

SAM labels the working mask with ``cv2.connectedComponentsWithStats`` (8-connectivity) and
keeps the pixels whose label is in a list (``np.isin``). The same components come from
:func:`maskkit._cc_label.label_stats`; which label a component gets matters only where SAM
breaks a tie with ``np.argmax`` over OpenCV's numbering, and OpenCV (its default 8-connected
algorithm, block-based, on any thread count) numbers components by the first 2 x 2 block
(rows paired from the top, columns paired from the left) that holds one of their pixels.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from ._cc_args import size_threshold
from ._cc_label import Components, label_stats
from ._validate import mask_array, snippet

__all__ = ["remove_small_regions"]

_MODES = ("holes", "islands")
# Up to this many labels are selected with one comparison each (a few tens of microseconds
# per megapixel); more go through a lookup table gathered per pixel (about a millisecond).
_FEW_LABELS = 8


def _opencv_first(components: Components, candidates: np.ndarray) -> int:
    """Which of ``candidates`` (0-based component indices) OpenCV numbers first."""
    best_key: Tuple[int, int] = (-1, -1)
    best = -1
    for c in candidates.tolist():
        pair = int(components.bbox[c, 0]) // 2
        rows = components.labels[2 * pair : 2 * pair + 2]
        column = int(np.flatnonzero((rows == c + 1).any(axis=0))[0])
        key = (pair, column // 2)
        if best < 0 or key < best_key:
            best_key, best = key, c
    return best


def _select(labels: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``table[labels]`` (bool), by comparisons when few labels are True or few are False."""
    for wanted in (True, False):
        chosen = np.flatnonzero(table == wanted)
        if chosen.size <= _FEW_LABELS:
            out = np.zeros(labels.shape, bool)
            for value in chosen.tolist():
                out |= labels == value
            if not wanted:
                np.logical_not(out, out=out)
            return out
    picked: np.ndarray = np.take(table, labels)
    return picked


def remove_small_regions(mask: Any, area_thresh: float, mode: str) -> Tuple[Any, bool]:
    """Fill small holes or remove small islands of a mask, as SAM's post-processing does.

    Replaces ``segment_anything.utils.amg.remove_small_regions`` (SAM2's is the same
    function), with the same results for every mask.

    Parameters
    ----------
    mask : ndarray of bool (or uint8), shape (H, W)
        A bool mask, as SAM passes. A uint8 mask is read as SAM reads it: ``mode ^ mask``,
        so in ``"holes"`` mode only the value 1 is foreground.
    area_thresh : float
        Regions with fewer pixels are small (a threshold <= 0 finds none, as in SAM).
    mode : {"holes", "islands"}
        ``"holes"``: fill the small background regions (8-connected), including those that
        touch the border, as SAM does. ``"islands"``: remove the small foreground regions
        (8-connected); if every region is small, keep the largest (ties: the one OpenCV
        numbers first, as in SAM).

    Returns
    -------
    (mask, changed)
        When no region is small, the given ``mask`` object itself and False; otherwise a new
        C-ordered bool array and True.

    Raises
    ------
    ValueError
        A mode other than "holes" or "islands" (SAM: ``AssertionError``), a mask that is not
        2-D, a NaN threshold.
    TypeError
        A mask that is not bool or uint8, a threshold that is not a number.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import sam
    >>> m = np.zeros((5, 6), bool); m[:, :3] = True; m[2, 1] = False; m[0, 5] = True
    >>> filled, changed = sam.remove_small_regions(m, 2, "holes")
    >>> changed, bool(filled[2, 1])
    (True, True)
    >>> cleaned, changed = sam.remove_small_regions(m, 2, "islands")
    >>> changed, bool(cleaned[0, 5]), int(cleaned.sum())
    (True, False, 14)
    """
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"mode must be 'holes' or 'islands', got {snippet(mode)}")
    threshold = size_threshold(area_thresh, "area_thresh")
    arr = mask_array(mask, "mask")
    if arr.ndim != 2:
        raise ValueError(f"mask must be 2-D (H, W), got shape {arr.shape}")
    holes = mode == "holes"
    if holes:
        working = ~arr if arr.dtype == np.bool_ else arr != 1
    else:
        working = arr
    components = label_stats(working, 8)
    small = components.area < threshold
    if not small.any():
        return mask, False
    table = np.empty(components.n + 1, bool)
    if holes:
        table[0] = True  # the mask itself, plus every small background region
        table[1:] = small
    else:
        table[0] = False
        table[1:] = ~small
        if components.n and not table[1:].any():
            largest = np.flatnonzero(components.area == components.area.max())
            table[1 + (_opencv_first(components, largest) if largest.size > 1 else int(largest[0]))] = True
    return _select(components.labels, table), True
