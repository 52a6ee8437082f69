"""Panoptic quality over id maps: a streaming, mergeable :class:`Evaluator` equal to panopticapi.

Per image the core builds the pair histogram and matches segments exactly as panopticapi's
``pq_compute_single_core`` does (see cpp/src/panoptic_match.cpp). The evaluator keeps integer
counts per category and, for the IoU sums, every true positive's IoU in the order panopticapi
adds it: a float sum depends on its order, so keeping the terms (8 bytes per match, about 0.3 MB
for COCO val) is what lets partial evaluators merge into exactly the single-pass result, and
:meth:`Evaluator.compute` folds them left to right as panopticapi's running sum does.

``mode="strict"`` reproduces panopticapi, quirks included: ground-truth areas are read from
segments_info (a wrong one gives IoUs above 1), only the last crowd segment of a category
excuses false positives, a listed id 0 is a real segment, duplicate ids resolve to the last
entry, and an average over no category raises ZeroDivisionError. ``mode="corrected"`` takes
areas from the pixels (:attr:`Evaluator.area_mismatches` counts the disagreeing JSON areas), lets
every crowd segment excuse, refuses duplicate ids and a listed id 0, and reports 0 for an empty
average.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

from . import _core
from ._iou_boundary import checked_ratio
from ._pan_boundary import boundary_terms
from ._pan_errors import PanopticKeyError, PanopticZeroDivisionError
from ._pan_png import IdSource, array_source
from ._validate import snippet

__all__ = ["Evaluator", "category_dict", "MODES"]

MODES = ("strict", "corrected")
_Table = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_PLAIN_AREAS = {int, float}


def category_dict(categories: Any) -> Dict[Any, Mapping[str, Any]]:
    """``{id: category}`` from a COCO ``categories`` list (panopticapi's
    ``{el['id']: el for el in categories}``: a repeated id keeps its first position and last
    entry) or from such a dict."""
    if isinstance(categories, Mapping):
        items = list(categories.items())
    elif isinstance(categories, (list, tuple)):
        items = []
        for entry in categories:
            if not isinstance(entry, Mapping):
                raise TypeError(f"each category must be a dict, got {snippet(entry)}")
            if "id" not in entry:
                raise PanopticKeyError(f"category {snippet(entry)} has no 'id'")
            items.append((entry["id"], entry))
    else:
        raise TypeError(f"categories must be a list of category dicts or a dict by id, got {type(categories).__name__}")
    out: Dict[Any, Mapping[str, Any]] = {}
    for key, entry in items:
        if not isinstance(entry, Mapping):
            raise TypeError(f"category {key!r} must be a dict, got {snippet(entry)}")
        if "isthing" not in entry:
            raise PanopticKeyError(f"category {key!r} has no 'isthing'")
        out[key] = entry
    return out


def _segment_dict(segments: Any, side: str, image_id: Any, strict: bool) -> Dict[Any, Mapping[str, Any]]:
    if not isinstance(segments, (list, tuple)):
        raise TypeError(f"image {image_id!r}: {side} segments_info must be a list of dicts, got {type(segments).__name__}")
    table: Dict[Any, Mapping[str, Any]] = {}
    for segment in segments:
        try:
            key = segment["id"]
        except KeyError:
            raise PanopticKeyError(f"image {image_id!r}: a {side} segment has no 'id': {snippet(segment)}") from None
        except (TypeError, IndexError):
            raise TypeError(f"image {image_id!r}: each {side} segment must be a dict, got {snippet(segment)}") from None
        if type(key) is not int and (isinstance(key, (bool, np.bool_)) or not isinstance(key, np.integer)):
            raise TypeError(f"image {image_id!r}: {side} segment ids must be integers, got {snippet(key)}")
        if not strict and key in table:
            raise ValueError(f"image {image_id!r}: {side} segment id {key} is listed twice")
        table[key] = segment
    if not strict and side == "prediction" and 0 in table:
        raise ValueError(f"image {image_id!r}: prediction segment id 0 is VOID and must not be listed")
    return table


def _missing_field(values: List[Mapping[str, Any]], name: str, side: str, image_id: Any) -> PanopticKeyError:
    segment = next(s for s in values if name not in s)
    return PanopticKeyError(f"image {image_id!r}: {side} segment {segment.get('id')!r} has no {name!r}")


def _table(
    segments: Dict[Any, Mapping[str, Any]], index: Dict[Any, int], side: str, image_id: Any, need_area: bool
) -> _Table:
    n = len(segments)
    ids = np.fromiter(segments, np.int64, n)
    values = list(segments.values())
    try:
        category = np.array([index.get(s["category_id"], -1) for s in values], np.int32).reshape(n)
    except KeyError:
        raise _missing_field(values, "category_id", side, image_id) from None
    except TypeError:
        raise TypeError(f"image {image_id!r}: {side} category ids must be hashable, e.g. integers") from None
    if side == "prediction":
        return ids, category, np.zeros(n, np.uint8), np.zeros(n, np.float64)
    try:
        crowd = np.fromiter([s["iscrowd"] == 1 for s in values], np.uint8, n)
    except KeyError:
        raise _missing_field(values, "iscrowd", side, image_id) from None
    if not need_area:
        return ids, category, crowd, np.zeros(n, np.float64)
    try:
        areas = [s["area"] for s in values]
    except KeyError:
        raise _missing_field(values, "area", side, image_id) from None
    if not set(map(type, areas)) <= _PLAIN_AREAS:
        for a in areas:
            if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, float, np.integer, np.floating)):
                raise TypeError(f"image {image_id!r}: ground-truth areas must be numbers, got {snippet(a)}")
    return ids, category, crowd, np.array(areas, np.float64).reshape(n)


class Evaluator:
    """Panoptic quality accumulated image by image, equal to panopticapi's ``pq_compute``.

    Parameters
    ----------
    categories : list of dict or dict
        The ground truth's COCO ``categories`` (each with ``id`` and ``isthing``), in the order
        averages are taken (panopticapi uses the ground-truth JSON's order).
    mode : {"strict", "corrected"}
        ``"strict"`` reproduces panopticapi bit for bit, quirks included; ``"corrected"`` fixes
        them (see the module notes).
    boundary : bool
        Boundary PQ (Cheng et al., 2021) as boundary-iou-api's panoptic evaluation computes it:
        a pair matches when ``min(mask IoU, boundary IoU) > 0.5`` and adds that minimum; false
        negatives and positives are decided on the masks (see :mod:`maskkit._pan_boundary`).
    dilation_ratio : float
        With ``boundary``: the boundaries' width as a fraction of the image diagonal, as in
        :func:`maskkit.iou.mask_to_boundary`.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> cats = [{"id": 1, "isthing": 1}, {"id": 2, "isthing": 0}]
    >>> gt = np.array([[1, 1, 2, 2]], np.uint32)
    >>> segs = [{"id": 1, "category_id": 1, "iscrowd": 0, "area": 2},
    ...         {"id": 2, "category_id": 2, "iscrowd": 0, "area": 2}]
    >>> ev = panoptic.Evaluator(cats)
    >>> ev.update(gt, segs, np.array([[7, 7, 7, 0]]), [{"id": 7, "category_id": 1}])
    >>> result = ev.compute()
    >>> result["All"]
    {'pq': 0.3333333333333333, 'sq': 0.3333333333333333, 'rq': 0.5, 'n': 2}
    >>> ev.counts()[1]
    {'tp': 1, 'fp': 0, 'fn': 0, 'iou': 0.6666666666666666}
    """

    def __init__(self, categories: Any, *, mode: str = "strict", boundary: bool = False, dilation_ratio: float = 0.02) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be 'strict' or 'corrected', got {snippet(mode)}")
        if not isinstance(boundary, (bool, np.bool_)):
            raise TypeError(f"boundary must be True or False, got {snippet(boundary)}")
        self._boundary, self._dilation_ratio = bool(boundary), checked_ratio(dilation_ratio)
        self._categories = category_dict(categories)
        self._mode = mode
        self._index = {key: i for i, key in enumerate(self._categories)}
        n = len(self._categories)
        self._tp = np.zeros(n, np.int64)
        self._fp = np.zeros(n, np.int64)
        self._fn = np.zeros(n, np.int64)
        # each image's true-positive, false-positive and false-negative categories, counted into
        # _tp/_fp/_fn a batch at a time (one bincount per image costs more than its matching)
        self._pending: List[Tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._matches: List[Tuple[np.ndarray, np.ndarray]] = []
        self._images = 0
        self._area_mismatches = 0

    @property
    def mode(self) -> str:
        """``"strict"`` or ``"corrected"``."""
        return self._mode

    @property
    def images(self) -> int:
        """How many images have been added."""
        return self._images

    @property
    def area_mismatches(self) -> int:
        """Corrected mode: ground-truth segments whose JSON area differs from their pixel count."""
        return self._area_mismatches

    def update(
        self, gt: Any, gt_segments: Sequence[Mapping[str, Any]], pred: Any, pred_segments: Sequence[Mapping[str, Any]],
        *, image_id: Any = None,
    ) -> None:
        """Add one image.

        Parameters
        ----------
        gt, pred : array_like
            ``(H, W)`` integer id maps (ids in 0..2**24 - 1, 0 = VOID) or ``(H, W, 3|4)`` uint8
            COCO panoptic colours (``id = R + 256 G + 65536 B``), of one height and width.
        gt_segments, pred_segments : list of dict
            The images' ``segments_info``: ``id`` and ``category_id`` each, plus ``iscrowd`` and
            ``area`` (strict mode) for the ground truth.
        image_id : optional
            Named in error messages.

        Raises
        ------
        KeyError
            (:class:`PanopticKeyError`, also a ValueError) A predicted PNG id missing from
            segments_info, a listed id without pixels, a prediction of a category that is not
            evaluated, a segment without a needed field (panopticapi raises KeyError for each).
        ValueError
            For maps of different shapes or ids out of range.
        """
        self.update_sources(array_source(gt, "gt"), gt_segments, array_source(pred, "pred"), pred_segments, image_id=image_id)

    def update_sources(
        self, gt: IdSource, gt_segments: Sequence[Mapping[str, Any]], pred: IdSource,
        pred_segments: Sequence[Mapping[str, Any]], *, image_id: Any = None,
    ) -> None:
        """Add one image given as id-image sources (:mod:`maskkit._pan_png`)."""
        self.add_image(self.match_sources(gt, gt_segments, pred, pred_segments, image_id=image_id))

    def match_sources(
        self, gt: IdSource, gt_segments: Sequence[Mapping[str, Any]], pred: IdSource,
        pred_segments: Sequence[Mapping[str, Any]], *, image_id: Any = None,
    ) -> Tuple[Any, ...]:
        """The counts of one image without adding them (thread-safe; :meth:`add_image` adds)."""
        strict = self._mode == "strict"
        gs = _segment_dict(gt_segments, "ground-truth", image_id, strict)
        ps = _segment_dict(pred_segments, "prediction", image_id, strict)
        gt_table = _table(gs, self._index, "ground-truth", image_id, strict)
        pred_table = _table(ps, self._index, "prediction", image_id, strict)
        if gt[2:4] != pred[2:4]:
            raise ValueError(
                f"image {image_id!r}: ground truth and prediction must have one shape, got {gt[2:4]} and {pred[2:4]}"
            )
        if self._boundary:
            terms = boundary_terms(gt, gt_segments, gt_table[0], pred, pred_segments, pred_table[0],
                                   list(self._categories), self._dilation_ratio, strict)
            result: Tuple[Any, ...] = _core.panoptic_pq_image_boundary(gt, pred, gt_table, pred_table, not strict, terms)
        else:
            result = _core.panoptic_pq_image(gt, pred, gt_table, pred_table, not strict)
        error, error_id = result[0], result[1]
        if error == 1:
            raise PanopticKeyError(f"image {image_id!r}: segment id {error_id} is in the PNG but not in segments_info")
        if error == 2:
            category = ps[error_id]["category_id"]
            raise PanopticKeyError(f"image {image_id!r}: segment id {error_id} has unknown category_id {category!r}")
        if error == 3:
            raise PanopticKeyError(
                f"image {image_id!r}: segment ids {result[2].tolist()} are in segments_info but not in the PNG"
            )
        return result

    def add_image(self, result: Tuple[Any, ...]) -> None:
        """Add the counts :meth:`match_sources` returned (in image order, for exact sums)."""
        tp_category, tp_iou, fp_category, fn_category = result[3], result[4], result[5], result[6]
        if tp_category.size:
            self._matches.append((tp_category, tp_iou))
        self._pending.append((tp_category, fp_category, fn_category))
        if len(self._pending) >= 256:
            self._fold()
        self._area_mismatches += int(result[7])
        self._images += 1

    def _fold(self) -> None:
        """Count the pending images' categories into the totals."""
        if not self._pending:
            return
        n = len(self._categories)
        for total, parts in zip((self._tp, self._fp, self._fn), zip(*self._pending)):
            total += np.bincount(np.concatenate(parts).astype(np.intp, copy=False), minlength=n)
        self._pending = []

    def merge(self, *others: "Evaluator") -> "Evaluator":
        """A new evaluator holding this one's images followed by ``others``' in order: its results
        equal one evaluator's that saw all images in that order, bit for bit.

        Examples
        --------
        >>> import numpy as np
        >>> from maskkit import panoptic
        >>> cats = [{"id": 1, "isthing": 1}]
        >>> seg = [{"id": 5, "category_id": 1, "iscrowd": 0, "area": 3}]
        >>> parts = [panoptic.Evaluator(cats) for _ in range(2)]
        >>> for part in parts:
        ...     part.update(np.array([[5, 5, 5]]), seg, np.array([[5, 5, 0]]), [{"id": 5, "category_id": 1}])
        >>> merged = parts[0].merge(parts[1])
        >>> merged.images, merged.counts()[1]
        (2, {'tp': 2, 'fp': 0, 'fn': 0, 'iou': 1.3333333333333333})
        """
        out = Evaluator(self._categories, mode=self._mode, boundary=self._boundary, dilation_ratio=self._dilation_ratio)
        for part in (self,) + others:
            if not isinstance(part, Evaluator):
                raise TypeError(f"merge takes Evaluators, got {type(part).__name__}")
            if part._mode != self._mode or list(part._categories) != list(self._categories):
                raise ValueError("merge needs evaluators of one mode and one category list")
            if (part._boundary, part._dilation_ratio) != (self._boundary, self._dilation_ratio):
                raise ValueError("merge needs evaluators of one boundary setting and dilation_ratio")
            part._fold()
            out._tp += part._tp
            out._fp += part._fp
            out._fn += part._fn
            out._matches.extend(part._matches)
            out._images += part._images
            out._area_mismatches += part._area_mismatches
        return out

    def _iou_sums(self) -> np.ndarray:
        sums = np.zeros(len(self._categories), np.float64)
        if not self._matches:
            return sums
        categories = np.concatenate([m[0] for m in self._matches])
        ious = np.concatenate([m[1] for m in self._matches])
        order = np.argsort(categories, kind="stable")
        categories, ious = categories[order], ious[order]
        starts = np.flatnonzero(np.r_[True, categories[1:] != categories[:-1]])
        ends = np.r_[starts[1:], categories.size]
        for start, end in zip(starts, ends):
            # np.cumsum adds left to right, as panopticapi's running `iou +=` does
            sums[categories[start]] = np.cumsum(ious[start:end])[-1]
        return sums

    def counts(self) -> Dict[Any, Dict[str, Any]]:
        """``{category_id: {"tp", "fp", "fn", "iou"}}``: the per-category counts and IoU sums."""
        self._fold()
        sums = self._iou_sums()
        return {
            key: {"tp": int(self._tp[i]), "fp": int(self._fp[i]), "fn": int(self._fn[i]), "iou": float(sums[i])}
            for key, i in self._index.items()
        }

    def compute(self) -> Dict[str, Any]:
        """panopticapi's result dict: ``All``, ``per_class``, ``Things``, ``Stuff``.

        ``All``/``Things``/``Stuff`` hold ``pq``, ``sq``, ``rq`` (unweighted means over the
        categories with any segment) and ``n`` (their number); ``per_class`` maps each category
        id to its ``pq``, ``sq``, ``rq``.

        Raises
        ------
        ZeroDivisionError
            (:class:`PanopticZeroDivisionError`, also a ValueError) Strict mode, when a group has
            no category with any segment (as panopticapi does); corrected mode reports 0.
        """
        self._fold()
        sums = self._iou_sums()
        results: Dict[str, Any] = {}
        for name, isthing in (("All", None), ("Things", True), ("Stuff", False)):
            pq = sq = rq = 0.0
            n = 0
            per_class: Dict[Any, Dict[str, float]] = {}
            for key, info in self._categories.items():
                if isthing is not None and (info["isthing"] == 1) != isthing:
                    continue
                i = self._index[key]
                iou, tp, fp, fn = float(sums[i]), int(self._tp[i]), int(self._fp[i]), int(self._fn[i])
                if tp + fp + fn == 0:
                    per_class[key] = {"pq": 0.0, "sq": 0.0, "rq": 0.0}
                    continue
                n += 1
                pq_class = iou / (tp + 0.5 * fp + 0.5 * fn)
                sq_class = iou / tp if tp != 0 else 0.0
                rq_class = tp / (tp + 0.5 * fp + 0.5 * fn)
                per_class[key] = {"pq": pq_class, "sq": sq_class, "rq": rq_class}
                pq += pq_class
                sq += sq_class
                rq += rq_class
            if n == 0:
                if self._mode == "strict":
                    group = {"All": "", "Things": "thing ", "Stuff": "stuff "}[name]
                    raise PanopticZeroDivisionError(
                        f"{name}: no {group}category has a segment, so its average divides by zero"
                    )
                results[name] = {"pq": 0.0, "sq": 0.0, "rq": 0.0, "n": 0}
            else:
                results[name] = {"pq": pq / n, "sq": sq / n, "rq": rq / n, "n": n}
            if name == "All":
                results["per_class"] = per_class
        return results
