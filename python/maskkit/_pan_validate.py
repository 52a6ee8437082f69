"""validate: what makes a panoptic annotation or prediction inconsistent, as a report.

panopticapi finds most of these only by raising ``KeyError`` in the middle of ``pq_compute``, or
not at all (a JSON ``area`` that disagrees with the PNG makes SQ exceed 1; a listed id 0 is scored
as a real segment; two stuff categories of one colour merge). :func:`validate` checks one image
(an id map, an RGB PNG array or a list of layer masks, with its ``segments_info``) or a whole
COCO panoptic dataset (JSON + PNG folder) and returns every finding at once; it never raises for
a problem of the data and never prints.

Findings (``kind``, severity):

=====================  ========  =======================================================
``overlap``            error     two layer masks share pixels
``missing_in_json``    error     an id in the PNG that ``segments_info`` does not list
``missing_in_png``     error     a listed id with no pixel
``duplicate_id``       error     an id listed twice (panopticapi: the last wins)
``void_listed``        error     id 0 listed (panopticapi scores VOID as a segment)
``id_out_of_range``    error     an id outside 0..2**24 - 1 (PNG or JSON)
``divisor_overflow``   error     ``id // label_divisor`` differs from the category
``unknown_category``   error     a category id not in ``categories``
``equal_stuff_colors`` error     two stuff categories of one colour (their ids merge)
``area_mismatch``      error     JSON ``area`` differs from the pixel count
``malformed``          error     a segment, annotation or file that cannot be read
``missing_png``        error     an annotation whose PNG does not exist
``shape_mismatch``     error     a PNG whose size differs from its ``images`` entry
``duplicate_image``    error     two annotations of one image (panopticapi: the last wins)
``bbox_mismatch``      warning   JSON ``bbox`` differs from the segment's pixels
``empty_segment``      warning   a segment (or layer) with area 0
``void_fraction``      warning   more VOID pixels than ``max_void_fraction``
``missing_annotation`` warning   an image without an annotation
=====================  ========  =======================================================
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

import numpy as np

from ._pan_formats import segment_stats
from ._pan_rgb import MAX_ID, rgb2id
from ._validate import snippet

if TYPE_CHECKING:  # typing.TypeGuard is Python 3.10+
    from typing import TypeGuard

__all__ = ["Finding", "ValidationReport", "validate"]

_WARNINGS = {"bbox_mismatch", "empty_segment", "void_fraction", "missing_annotation"}


@dataclass(frozen=True)
class Finding:
    """One problem: its ``kind``, the ``image`` and ``segment`` id it concerns, and a ``detail``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> finding = panoptic.validate(np.array([[3]]), [], image="a").findings[0]
    >>> finding.kind, finding.severity, finding.image, finding.segment
    ('missing_in_json', 'error', 'a', 3)
    """

    kind: str
    detail: str
    image: Any = None
    segment: Any = None

    @property
    def severity(self) -> str:
        """``"error"`` or ``"warning"``."""
        return "warning" if self.kind in _WARNINGS else "error"

    def to_dict(self) -> Dict[str, Any]:
        """The finding as a JSON-ready dict."""
        return {"kind": self.kind, "severity": self.severity, "image": self.image, "segment": self.segment, "detail": self.detail}


@dataclass
class ValidationReport:
    """What :func:`validate` found.

    Attributes
    ----------
    findings : list of Finding
        In the order found (image by image).
    images : list of dict
        Per image checked: ``{"image", "height", "width", "segments", "void_fraction"}``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> report = panoptic.validate(np.array([[0, 1]]), [{"id": 1, "category_id": 1, "area": 1}])
    >>> report.ok, report.counts(), report.images[0]["void_fraction"]
    (True, {}, 0.5)
    >>> report.to_json()[:40]
    '{"ok": true, "counts": {}, "findings": ['
    """

    findings: List[Finding] = field(default_factory=list)
    images: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return not any(f.severity == "error" for f in self.findings)

    def counts(self) -> Dict[str, int]:
        """Number of findings per kind."""
        result: Dict[str, int] = {}
        for finding in self.findings:
            result[finding.kind] = result.get(finding.kind, 0) + 1
        return result

    def to_dict(self) -> Dict[str, Any]:
        """The report as a JSON-ready dict: ``ok``, ``counts``, ``findings``, ``images``."""
        return {
            "ok": self.ok,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "images": list(self.images),
        }

    def to_json(self, indent: Optional[int] = None) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def _add(self, kind: str, detail: str, image: Any = None, segment: Any = None) -> None:
        self.findings.append(Finding(kind, detail, image, segment))


# ---- categories ------------------------------------------------------------------------------


def _category_table(report: ValidationReport, categories: Any) -> Optional[Dict[Any, Mapping[str, Any]]]:
    """``{id: category}``; malformed entries and equal stuff colours become findings."""
    if categories is None:
        return None
    entries = list(categories.items()) if isinstance(categories, Mapping) else None
    if entries is None:
        if isinstance(categories, (str, bytes)) or not isinstance(categories, Sequence):
            report._add("malformed", f"categories must be a list of dicts or a dict by id, got {snippet(categories)}")
            return None
        entries = []
        for entry in categories:
            if not isinstance(entry, Mapping) or "id" not in entry:
                report._add("malformed", f"category without an 'id': {snippet(entry)}")
                continue
            entries.append((entry["id"], entry))
    table: Dict[Any, Mapping[str, Any]] = {}
    stuff_colours: Dict[Tuple[Any, ...], Any] = {}
    for key, entry in entries:
        if not isinstance(entry, Mapping):
            report._add("malformed", f"category {snippet(key)} is not a dict: {snippet(entry)}")
            continue
        table[key] = entry
        colour = entry.get("color")
        if entry.get("isthing") == 0 and isinstance(colour, (list, tuple)):
            rgb = tuple(colour)
            if rgb in stuff_colours:
                report._add(
                    "equal_stuff_colors",
                    f"stuff categories {stuff_colours[rgb]!r} and {key!r} share the colour {list(rgb)}, so "
                    f"IdGenerator gives their segments one id",
                )
            else:
                stuff_colours[rgb] = key
    return table


# ---- one image -------------------------------------------------------------------------------


def _is_int(value: Any) -> TypeGuard[Union[int, np.integer]]:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_segments(
    report: ValidationReport,
    image: Any,
    present: Dict[int, Tuple[int, List[int]]],
    segments_info: Any,
    categories: Optional[Dict[Any, Mapping[str, Any]]],
    label_divisor: Optional[int],
) -> int:
    """Compare ``segments_info`` with the ``{id: (area, bbox)}`` of the pixels; return #segments."""
    if isinstance(segments_info, (str, bytes, Mapping)) or not isinstance(segments_info, Sequence):
        report._add("malformed", f"segments_info must be a list of dicts, got {snippet(segments_info)}", image)
        return 0
    listed: Set[int] = set()
    for segment in segments_info:
        seg_id = segment.get("id") if isinstance(segment, Mapping) else None
        if not _is_int(seg_id):
            report._add("malformed", f"segment without an integer 'id': {snippet(segment)}", image)
            continue
        seg_id = int(seg_id)
        if not 0 <= seg_id <= MAX_ID:
            report._add("id_out_of_range", f"listed id {seg_id} is outside 0..2**24 - 1", image, seg_id)
        if seg_id in listed:
            report._add("duplicate_id", f"id {seg_id} is listed twice (panopticapi keeps the last)", image, seg_id)
        listed.add(seg_id)
        if seg_id == 0:
            report._add("void_listed", "id 0 is VOID but listed; panopticapi scores it as a real segment", image, 0)
        category = segment.get("category_id")
        if categories is not None and category not in categories:
            report._add("unknown_category", f"category_id {snippet(category)} is not in categories", image, seg_id)
        if label_divisor is not None and _is_int(category) and seg_id // label_divisor != int(category):
            report._add(
                "divisor_overflow",
                f"id {seg_id} // label_divisor {label_divisor} = {seg_id // label_divisor} is not its category "
                f"{int(category)} (an instance number spilled into the next category?)",
                image,
                seg_id,
            )
        area = segment.get("area")
        if area is not None and area == 0:
            report._add("empty_segment", "the listed area is 0", image, seg_id)
        if seg_id not in present:
            if seg_id != 0:
                report._add("missing_in_png", f"id {seg_id} is listed but has no pixel", image, seg_id)
            continue
        pixels, box = present[seg_id]
        if area is not None and area != pixels:
            report._add("area_mismatch", f"listed area {snippet(area)} but {pixels} pixels (SQ can exceed 1)", image, seg_id)
        bbox = segment.get("bbox")
        if bbox is not None and (not isinstance(bbox, Sequence) or list(bbox) != box):
            report._add("bbox_mismatch", f"listed bbox {snippet(bbox)} but the pixels span {box}", image, seg_id)
    for seg_id in sorted(present):
        if seg_id != 0 and seg_id not in listed:
            report._add("missing_in_json", f"id {seg_id} has {present[seg_id][0]} pixels but is not listed", image, seg_id)
    return len(segments_info)


def _id_map(report: ValidationReport, image: Any, pixels: np.ndarray) -> Optional[np.ndarray]:
    """A 2-D id map from ids or an RGB image; out-of-range ids become a finding."""
    if pixels.ndim == 3:
        try:
            return np.asarray(rgb2id(pixels))
        except (TypeError, ValueError) as exc:
            report._add("malformed", str(exc), image)
            return None
    if pixels.ndim != 2 or pixels.dtype.kind not in "iu":
        report._add("malformed", f"an id map must be a 2-D integer array, got {pixels.dtype} {pixels.shape}", image)
        return None
    if pixels.size and (int(pixels.min()) < 0 or int(pixels.max()) > MAX_ID):
        bad = np.unique(pixels[(pixels < 0) | (pixels > MAX_ID)])
        report._add("id_out_of_range", f"ids {snippet(bad.tolist())} are outside 0..2**24 - 1", image)
        return None
    return pixels


def _present(ids: np.ndarray) -> Dict[int, Tuple[int, List[int]]]:
    values, areas, boxes = segment_stats(ids)
    return {int(v): (int(a), b) for v, a, b in zip(values.tolist(), areas.tolist(), boxes.tolist())}


def _layers(report: ValidationReport, image: Any, masks: Any) -> Optional[Tuple[Dict[int, Tuple[int, List[int]]], np.ndarray]]:
    """``({layer: (area, bbox)}, VOID mask)`` of layer masks; overlaps and empty layers become findings."""
    try:
        stack = np.stack([np.asarray(m) for m in masks]) if not isinstance(masks, np.ndarray) else masks
    except ValueError as exc:
        report._add("malformed", f"layer masks must all have one shape: {exc}", image)
        return None
    if stack.ndim != 3 or stack.dtype.kind not in "bu" or (stack.dtype.kind == "u" and stack.size and int(stack.max()) > 1):
        report._add("malformed", f"layers must be (N, H, W) bool or 0/1 masks, got {stack.dtype} {stack.shape}", image)
        return None
    flat = stack.reshape(stack.shape[0], -1).astype(bool)
    counts = flat.sum(axis=0)
    shared = flat[:, counts > 1].astype(np.int64)
    overlap = shared @ shared.T
    for i, j in zip(*np.nonzero(np.triu(overlap, 1))):
        report._add("overlap", f"layers {int(i)} and {int(j)} share {int(overlap[i, j])} pixels", image, int(i))
    areas = flat.sum(axis=1)
    stats: Dict[int, Tuple[int, List[int]]] = {}
    for k, mask in enumerate(stack.astype(bool)):
        if areas[k] == 0:
            report._add("empty_segment", f"layer {k} has no pixel", image, k)
            continue
        stats[k] = _present(mask.astype(np.uint8))[1]
    void = (counts == 0).reshape(stack.shape[1:])
    return stats, void


def _check_image(
    report: ValidationReport,
    image: Any,
    source: Any,
    segments_info: Any,
    categories: Optional[Dict[Any, Mapping[str, Any]]],
    label_divisor: Optional[int],
    max_void_fraction: Optional[float],
) -> None:
    is_layers = isinstance(source, (list, tuple)) or (isinstance(source, np.ndarray) and source.dtype == np.bool_ and source.ndim == 3)
    if is_layers:
        layered = _layers(report, image, source)
        if layered is None:
            return
        stats, void = layered
        segments = segments_info if segments_info is not None else [{"id": k + 1} for k in stats]
        # layer k is the k-th listed segment: key its pixels by that segment's id
        present: Dict[int, Tuple[int, List[int]]] = {}
        if isinstance(segments, Sequence) and not isinstance(segments, (str, bytes)):
            for k, value in stats.items():
                entry = segments[k] if k < len(segments) else None
                seg_id = entry.get("id") if isinstance(entry, Mapping) else None
                present[int(seg_id) if _is_int(seg_id) else -(k + 1)] = value
        height, width = void.shape
        void_pixels = int(void.sum())
    else:
        ids = _id_map(report, image, np.asarray(source))
        if ids is None:
            return
        present = _present(ids)
        height, width = ids.shape
        void_pixels = present.get(0, (0, []))[0]
        segments = segments_info
    count = 0
    if segments is not None:
        count = _check_segments(report, image, present, segments, categories, label_divisor)
    fraction = void_pixels / (height * width) if height * width else 0.0
    report.images.append({"image": image, "height": height, "width": width, "segments": count, "void_fraction": fraction})
    if max_void_fraction is not None and fraction > max_void_fraction:
        report._add("void_fraction", f"{fraction:.4f} of the pixels are VOID (more than {max_void_fraction})", image)


# ---- a dataset -------------------------------------------------------------------------------


def _read_png(report: ValidationReport, image: Any, path: str) -> Optional[np.ndarray]:
    from PIL import Image

    if not os.path.isfile(path):
        report._add("missing_png", f"no PNG file {path}", image)
        return None
    try:
        with Image.open(path) as png:
            return np.asarray(png)
    except OSError as exc:
        report._add("malformed", f"cannot read {path}: {exc}", image)
        return None


def _check_dataset(
    report: ValidationReport,
    json_file: str,
    folder: Optional[str],
    categories: Any,
    label_divisor: Optional[int],
    max_void_fraction: Optional[float],
) -> None:
    try:
        with open(json_file, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, json.JSONDecodeError) as exc:
        report._add("malformed", f"cannot read {json_file}: {exc}")
        return
    if not isinstance(data, Mapping) or not isinstance(data.get("annotations"), list):
        report._add("malformed", f"{json_file} has no list 'annotations'")
        return
    folder = json_file.rsplit(".", 1)[0] if folder is None else folder
    table = _category_table(report, data.get("categories") if categories is None else categories)
    images = {entry.get("id"): entry for entry in data.get("images", []) if isinstance(entry, Mapping)}
    annotated: Set[Any] = set()
    for annotation in data["annotations"]:
        if not isinstance(annotation, Mapping) or not isinstance(annotation.get("file_name"), str):
            report._add("malformed", f"annotation without a 'file_name': {snippet(annotation)}")
            continue
        image = annotation.get("image_id")
        if image in annotated:
            report._add("duplicate_image", "a second annotation of this image (panopticapi keeps the last)", image)
        annotated.add(image)
        pixels = _read_png(report, image, os.path.join(folder, annotation["file_name"]))
        if pixels is None:
            continue
        entry = images.get(image)
        listed = None if entry is None else [entry.get("height"), entry.get("width")]
        if listed is not None and None not in listed and listed != list(pixels.shape[:2]):
            report._add(
                "shape_mismatch",
                f"the PNG is {pixels.shape[0]}x{pixels.shape[1]} but images lists {listed[0]}x{listed[1]}",
                image,
            )
        if pixels.ndim != 3:
            report._add("malformed", f"the PNG has no colour channels (shape {pixels.shape}); COCO panoptic PNGs are RGB", image)
            continue
        _check_image(report, image, pixels, annotation.get("segments_info", []), table, label_divisor, max_void_fraction)
    for image in images:
        if image not in annotated:
            report._add("missing_annotation", "the image has no annotation", image)


def validate(
    panoptic: Any,
    segments_info: Any = None,
    categories: Any = None,
    *,
    folder: Optional[str] = None,
    image: Any = None,
    label_divisor: Optional[int] = None,
    max_void_fraction: Optional[float] = None,
) -> ValidationReport:
    """Check a panoptic image or dataset for the inconsistencies listed in this module.

    Parameters
    ----------
    panoptic : array_like, list of masks, or str
        One image: a 2-D id map, an ``(H, W, 3)`` RGB PNG array, or layer masks (a list of
        ``(H, W)`` masks or an ``(N, H, W)`` bool array; layer ``k`` is ``segments_info[k]``).
        Or the path of a COCO panoptic JSON, whose PNGs are checked too.
    segments_info : list of dict, optional
        The image's segments (for layers without it, layer ``k`` gets id ``k + 1``).
    categories : list or dict, optional
        COCO categories; a dataset's own are used by default.
    folder : str, optional
        A dataset's PNG folder (default: the JSON path without ``.json``).
    image : object
        The image id findings of one image carry.
    label_divisor : int, optional
        Also check ``id // label_divisor == category_id`` (maps whose ids are
        ``semantic * label_divisor + instance``).
    max_void_fraction : float, optional
        Report images with a larger fraction of VOID pixels.

    Returns
    -------
    ValidationReport
        ``ok`` when no error was found; ``findings``; ``to_dict()`` and ``to_json()``.

    Raises
    ------
    TypeError
        For a ``label_divisor`` or ``max_void_fraction`` of the wrong type (problems of the
        data are findings, never exceptions).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> ids = np.array([[0, 5], [5, 9]])
    >>> report = panoptic.validate(ids, [{"id": 5, "category_id": 1, "area": 3}, {"id": 0, "category_id": 2}])
    >>> report.ok, sorted(report.counts())
    (False, ['area_mismatch', 'missing_in_json', 'void_listed'])
    >>> print(report.findings[-1].detail)
    id 9 has 1 pixels but is not listed
    >>> panoptic.validate([np.eye(2, dtype=bool), np.ones((2, 2), bool)]).counts()
    {'overlap': 1}
    """
    if label_divisor is not None and (not _is_int(label_divisor) or int(label_divisor) < 1):
        raise TypeError(f"label_divisor must be a positive integer or None, got {snippet(label_divisor)}")
    if max_void_fraction is not None and (isinstance(max_void_fraction, bool) or not isinstance(max_void_fraction, (int, float))):
        raise TypeError(f"max_void_fraction must be a number or None, got {snippet(max_void_fraction)}")
    divisor = None if label_divisor is None else int(label_divisor)
    report = ValidationReport()
    if isinstance(panoptic, (str, os.PathLike)):
        _check_dataset(report, os.fspath(panoptic), folder, categories, divisor, max_void_fraction)
        return report
    table = _category_table(report, categories)
    _check_image(report, image, panoptic, segments_info, table, divisor, max_void_fraction)
    return report
