"""Converters between COCO panoptic and the other COCO forms, as panopticapi's scripts convert.

Array-level functions take one image (an id map and its ``segments_info``) and return what
panopticapi's ``converters/*.py`` compute for it; the ``convert_*`` functions read and write
whole datasets (a COCO JSON plus a folder of PNGs) like the scripts, in one process, with one
``IdGenerator`` random stream: ``seed=s`` gives the ids panopticapi gives after
``np.random.seed(s)`` when it runs on one core.

Per-segment RLEs are built in one pass over the map instead of one full-image comparison per
segment: read in column-major order (COCO's), the map is a sequence of runs of one id; each run
gets its mask's label (the segment, or the category for semantic RLEs; side-by-side runs of one
label are joined), a stable sort of the runs by label lists each label's runs in order, and the
COCO counts of a label are the gaps between its runs and their lengths. The bytes equal
``pycocotools.mask.encode``'s.

Where panopticapi fails or corrupts, these raise or fix, documented per function: overlapping
detections raise ``ValueError`` (as panopticapi, with the image named); unknown categories raise
``ValueError`` instead of ``KeyError``; categories without ``color`` are accepted; merged
semantic RLEs get ``str`` counts (panopticapi's ``merge`` leaves ``bytes``, which ``json.dump``
refuses); image ids stay Python ints (panopticapi#51).

Output files are written to temporary names beside their targets and renamed only when the whole
conversion succeeded, so an error leaves no partial output behind.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple, TypeVar

import numpy as np

from . import _cc_label
from ._pan_files import Outputs, read_json
from ._pan_formats import (
    from_two_channel,
    id_map_array,
    int_argument,
    integer_array,
    segment_list,
    segment_stats,
    thing_id_set,
    unique_inverse,
)
from ._pan_rgb import MAX_ID, IdGenerator, id2rgb, rgb2id
from ._rasterize import to_rle
from ._rle_batch import RleBatch, area, concatenate, decode, to_bbox
from ._validate import dimension, snippet

__all__ = [
    "OTHER_CLASS_ID",
    "panoptic_to_semantic",
    "panoptic_to_semantic_rles",
    "panoptic_to_detection",
    "detection_to_panoptic",
    "semantic_to_instances",
    "convert_panoptic_to_semantic",
    "convert_panoptic_to_detection",
    "convert_detection_to_panoptic",
    "convert_two_channel_to_panoptic",
]

#: The category of every thing with ``things_other=True`` (COCO-stuff's "other").
OTHER_CLASS_ID = 183

T = TypeVar("T")


# ---- argument checks -------------------------------------------------------------------------


def _category_dict(categories: Any) -> Dict[int, Mapping[str, Any]]:
    """``{id: category}`` from a COCO ``categories`` list or a dict by id."""
    if isinstance(categories, Mapping):
        return dict(categories)
    if isinstance(categories, (list, tuple)):
        table = {}
        for entry in categories:
            if not isinstance(entry, Mapping) or "id" not in entry:
                raise ValueError(f"each category needs an 'id', got {snippet(entry)}")
            table[entry["id"]] = entry
        return table
    raise TypeError(f"categories must be a list of category dicts or a dict by id, got {snippet(categories)}")


def _is_thing(categories: Optional[Dict[int, Mapping[str, Any]]], category: int, option: str) -> bool:
    if categories is None:
        raise ValueError(f"{option}=True needs categories (with 'isthing')")
    if category not in categories:
        raise ValueError(f"segment category {category} is not in categories")
    entry = categories[category]
    if not isinstance(entry, Mapping) or "isthing" not in entry:
        raise ValueError(f"category {category} needs 'isthing', got {snippet(entry)}")
    return bool(entry["isthing"] == 1)


def _column_runs(id_map: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``(starts, values)`` of the runs of equal ids in column-major (COCO) order."""
    flat = id_map.T.ravel()
    if flat.size == 0:
        return np.zeros(0, np.int64), flat
    starts = np.concatenate([[0], np.flatnonzero(flat[1:] != flat[:-1]) + 1])
    return starts, flat[starts]


def _label_rles(starts: np.ndarray, labels: np.ndarray, n: int, height: int, width: int) -> RleBatch:
    """COCO RLEs of label k = 1..n, from consecutive column-major runs (``starts``) and their labels.

    Runs that get one label side by side are joined first, so the counts are canonical (no zero
    run between two runs of one mask), as pycocotools writes them.
    """
    total = height * width
    if starts.size:
        joined = np.concatenate([[True], labels[1:] != labels[:-1]])
        starts, run_label = starts[joined], labels[joined].astype(np.int64)
        ends = np.append(starts[1:], total)
    else:
        starts = ends = run_label = np.zeros(0, np.int64)
    wanted = (run_label >= 1) & (run_label <= n)
    order = np.argsort(run_label[wanted], kind="stable")
    starts, ends, run_label = starts[wanted][order], ends[wanted][order], run_label[wanted][order]
    runs = np.bincount(run_label, minlength=n + 1)[1:]
    last_end = np.zeros(n, np.int64)
    if run_label.size:
        last = np.flatnonzero(np.append(run_label[1:] != run_label[:-1], True))
        last_end[run_label[last] - 1] = ends[last]
    tail = np.where(runs > 0, total - last_end, total)
    has_tail = (tail > 0) | (runs == 0)  # an empty mask is the one count [h * w]
    sizes = 2 * runs + has_tail
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    counts = np.zeros(int(offsets[-1]), np.int64)
    if run_label.size:
        first = np.concatenate([[True], run_label[1:] != run_label[:-1]])
        previous_end = np.where(first, 0, np.concatenate([[0], ends[:-1]]))
        group_start = np.maximum.accumulate(np.where(first, np.arange(run_label.size), 0))
        slot = offsets[run_label - 1] + 2 * (np.arange(run_label.size) - group_start)
        counts[slot] = starts - previous_end
        counts[slot + 1] = ends - starts
    labels_with_tail = np.flatnonzero(has_tail)
    counts[offsets[labels_with_tail + 1] - 1] = tail[labels_with_tail]
    return RleBatch(counts, offsets, np.tile([height, width], (n, 1)).reshape(n, 2))


def _ids_and_inverse(id_map: np.ndarray) -> Tuple[Dict[int, int], np.ndarray, int]:
    uniques, inverse = unique_inverse(id_map)
    return {int(v): i for i, v in enumerate(uniques.tolist())}, inverse, int(uniques.size)


def _str_rle(rle: Mapping[str, Any]) -> Dict[str, Any]:
    return {"size": list(rle["size"]), "counts": rle["counts"].decode("ascii")}


# ---- panoptic -> semantic --------------------------------------------------------------------


def _semantic_category(
    category: int, categories: Optional[Dict[int, Mapping[str, Any]]], things_other: bool
) -> int:
    if things_other and _is_thing(categories, category, "things_other"):
        return OTHER_CLASS_ID
    return category


def panoptic_to_semantic(
    id_map: Any,
    segments_info: Any,
    categories: Any = None,
    *,
    things_other: bool = False,
    void: int = 0,
    dtype: Any = np.uint8,
    wrap: bool = True,
) -> np.ndarray:
    """The semantic map of a panoptic image, as panopticapi's PNG mode paints it.

    ``panoptic2semantic_segmentation`` starts from zeros and sets ``semantic[id_map == id] =
    category_id`` for each segment in order, so a later segment listing the same id wins, a
    listed id 0 paints VOID, and VOID stays 0 (which collides with a real category 0).

    Parameters
    ----------
    id_map : array_like of int
        2-D segment ids in ``0 .. 2**24 - 1`` (``rgb2id`` of the PNG).
    segments_info : list of dict
        ``{"id", "category_id", ...}`` per segment.
    categories : list or dict, optional
        COCO categories (with ``isthing``); needed for ``things_other``.
    things_other : bool
        Every thing becomes category 183 ("other", :data:`OTHER_CLASS_ID`).
    void : int
        The value of pixels no segment paints (panopticapi: 0).
    dtype : numpy dtype
        Integer dtype of the result (panopticapi: uint8).
    wrap : bool
        Category ids that do not fit ``dtype`` wrap around as in panopticapi under NumPy 1
        (256 becomes 0 in uint8; NumPy 2 makes the script raise); ``False`` raises
        ``OverflowError`` instead.

    Returns
    -------
    numpy.ndarray
        C-ordered semantic map of ``dtype``.

    Raises
    ------
    ValueError
        For ids outside ``0 .. 2**24 - 1``, malformed segments, or ``things_other`` with a
        category missing from ``categories``.
    OverflowError
        With ``wrap=False``, for a category that does not fit ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> segments = [{"id": 5, "category_id": 1}, {"id": 9, "category_id": 300}]
    >>> panoptic.panoptic_to_semantic(np.array([[0, 5, 9]]), segments)
    array([[ 0,  1, 44]], dtype=uint8)
    """
    ids = id_map_array(id_map)
    table = None if categories is None else _category_dict(categories)
    out_dtype = np.dtype(dtype)
    if out_dtype.kind not in "iu":
        raise TypeError(f"dtype must be an integer dtype, got {out_dtype}")
    position, inverse, n = _ids_and_inverse(ids)
    values = np.full(n, int_argument(void, "void", -(2**63), 2**63 - 1), np.int64)
    for seg_id, category, _ in segment_list(segments_info):
        if seg_id in position:
            values[position[seg_id]] = _semantic_category(category, table, bool(things_other))
    info = np.iinfo(out_dtype)
    if not wrap and n and (int(values.min()) < info.min or int(values.max()) > info.max):
        bad = values[(values < info.min) | (values > info.max)][0]
        raise OverflowError(f"category {int(bad)} does not fit dtype {out_dtype} (pass wrap=True for panopticapi's wrap)")
    return np.ascontiguousarray(values.astype(out_dtype)[inverse])


def panoptic_to_semantic_rles(
    id_map: Any,
    segments_info: Any,
    categories: Any = None,
    *,
    things_other: bool = False,
    image_id: Any = None,
) -> List[Dict[str, Any]]:
    """COCO-stuff annotations of a panoptic image: one RLE per category, as panopticapi's JSON mode.

    The segments of each category are united into one RLE (``pycocotools.mask.merge``'s bytes);
    categories come in the order they first appear in ``segments_info``.

    Parameters
    ----------
    id_map : array_like of int
        2-D segment ids.
    segments_info : list of dict
        ``{"id", "category_id", ...}`` per segment.
    categories : list or dict, optional
        COCO categories; needed for ``things_other``.
    things_other : bool
        Every thing becomes category 183.
    image_id : object
        Copied into every annotation.

    Returns
    -------
    list of dict
        ``{"image_id", "category_id", "segmentation": {"size", "counts": str}, "area": int,
        "bbox": [x, y, w, h] floats, "iscrowd": 0}``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> segments = [{"id": 5, "category_id": 1}, {"id": 9, "category_id": 1}]
    >>> panoptic.panoptic_to_semantic_rles(np.array([[0, 5, 9]]), segments, image_id=3)
    [{'image_id': 3, 'category_id': 1, 'segmentation': {'size': [1, 3], 'counts': '12'}, 'area': 2, 'bbox': [1.0, 0.0, 2.0, 1.0], 'iscrowd': 0}]
    """
    ids = id_map_array(id_map)
    table = None if categories is None else _category_dict(categories)
    starts, run_ids = _column_runs(ids)
    position, run_inverse, n = _ids_and_inverse(run_ids)
    order: Dict[int, int] = {}  # category -> 1-based label, in order of first appearance
    members: Dict[int, Set[int]] = {}  # label -> positions of its ids
    for seg_id, category, _ in segment_list(segments_info):
        label = order.setdefault(_semantic_category(category, table, bool(things_other)), len(order) + 1)
        members.setdefault(label, set())
        if seg_id in position:
            members[label].add(position[seg_id])
    label_of_id = np.zeros(n, np.int64)
    for label, positions in members.items():
        label_of_id[list(positions)] = label
    height, width = ids.shape
    if sum(map(len, members.values())) == len(set().union(*members.values())):
        rles = _label_rles(starts, label_of_id[run_inverse], len(order), height, width)
    else:  # an id listed under two categories paints both: one pass per category
        rles = concatenate([
            _label_rles(starts, np.isin(run_inverse, list(members[k])).astype(np.int64), 1, height, width)
            for k in range(1, len(order) + 1)
        ])
    areas, boxes = area(rles), to_bbox(rles)
    return [
        {
            "image_id": image_id,
            "category_id": category,
            "segmentation": _str_rle(rle),
            "area": int(areas[k]),
            "bbox": [float(v) for v in boxes[k]],
            "iscrowd": 0,
        }
        for k, (category, rle) in enumerate(zip(order, rles.to_coco()))
    ]


# ---- panoptic <-> detection ------------------------------------------------------------------


def panoptic_to_detection(
    id_map: Any,
    segments_info: Any,
    categories: Any = None,
    *,
    things_only: bool = False,
    image_id: Any = None,
) -> List[Dict[str, Any]]:
    """COCO detection annotations of a panoptic image: one RLE per segment.

    As ``panoptic2detection_coco_format``: each segment's dict without ``id``, then
    ``image_id`` and ``segmentation`` (counts as ``str``, bytes equal to
    ``pycocotools.mask.encode``'s); ``area``, ``bbox`` and ``iscrowd`` are kept from the
    panoptic JSON. Annotation ids are numbered by :func:`convert_panoptic_to_detection`.

    Parameters
    ----------
    id_map : array_like of int
        2-D segment ids.
    segments_info : list of dict
        The segments, in output order.
    categories : list or dict, optional
        COCO categories; needed for ``things_only``.
    things_only : bool
        Skip stuff segments.
    image_id : object
        Copied into every annotation.

    Returns
    -------
    list of dict
        One annotation per (kept) segment.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> segments = [{"id": 5, "category_id": 1, "iscrowd": 0}]
    >>> panoptic.panoptic_to_detection(np.array([[0, 5], [5, 5]]), segments, image_id=7)
    [{'category_id': 1, 'iscrowd': 0, 'image_id': 7, 'segmentation': {'size': [2, 2], 'counts': '13'}}]
    """
    ids = id_map_array(id_map)
    table = None if categories is None else _category_dict(categories)
    starts, run_ids = _column_runs(ids)
    position, run_inverse, n = _ids_and_inverse(run_ids)
    kept: List[Tuple[int, Mapping[str, Any]]] = [
        (seg_id, segment)
        for seg_id, category, segment in segment_list(segments_info)
        if not (things_only and not _is_thing(table, category, "things_only"))
    ]
    rles = _label_rles(starts, run_inverse + 1, n, *ids.shape).to_coco()  # label k + 1: the k-th distinct id
    empty = RleBatch([ids.size], [0, 1], [ids.shape]).to_coco()[0]
    annotations = []
    for seg_id, segment in kept:
        annotation = {key: value for key, value in segment.items() if key != "id"}
        annotation["image_id"] = image_id
        annotation["segmentation"] = _str_rle(rles[position[seg_id]] if seg_id in position else empty)
        annotations.append(annotation)
    return annotations


def _annotation_mask(annotation: Mapping[str, Any], height: int, width: int) -> np.ndarray:
    """pycocotools' ``annToMask``: polygons, uncompressed or compressed RLE, as a (H, W) mask."""
    if "segmentation" not in annotation:
        raise ValueError(f"annotation {snippet(annotation.get('id'))} has no 'segmentation'")
    segmentation = annotation["segmentation"]
    if isinstance(segmentation, list):
        batch = to_rle(segmentation, height, width)
    elif isinstance(segmentation, Mapping):
        batch = RleBatch.from_coco([dict(segmentation)])
        if batch.sizes[0].tolist() != [height, width]:
            raise ValueError(
                f"annotation {snippet(annotation.get('id'))} RLE size {batch.sizes[0].tolist()} differs from the "
                f"image's [{height}, {width}]"
            )
    else:
        raise TypeError(f"segmentation must be a polygon list or an RLE dict, got {snippet(segmentation)}")
    mask: np.ndarray = decode(batch)[0]
    return mask


def detection_to_panoptic(
    annotations: Any,
    height: int,
    width: int,
    categories: Any,
    *,
    id_generator: Optional[IdGenerator] = None,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """A panoptic image from COCO detection annotations, as ``detection2panoptic_coco_format``.

    Each annotation, in order, takes a new id from ``id_generator`` (drawn before its mask is
    read, as panopticapi does) and paints its mask; its dict without ``segmentation`` and
    ``image_id``, with ``id`` set, becomes the segment (``area`` and ``bbox`` are copied, not
    recomputed). Overlapping masks raise, as in panopticapi.

    Parameters
    ----------
    annotations : list of dict
        The image's annotations (polygon, uncompressed or compressed RLE segmentations).
    height, width : int
        The image size.
    categories : list or dict
        Panoptic COCO categories (``isthing`` and ``color``).
    id_generator : IdGenerator, optional
        Shared by all images of a dataset to reproduce panopticapi; default
        ``IdGenerator(categories, seed=0)``.

    Returns
    -------
    id_map : numpy.ndarray
        uint32 ids.
    segments_info : list of dict
        One segment per annotation.

    Raises
    ------
    ValueError
        For overlapping masks, an unknown category, or a segmentation of another size.

    Examples
    --------
    >>> from maskkit import panoptic
    >>> cats = [{"id": 1, "isthing": 1, "color": [9, 0, 0]}]
    >>> anns = [{"id": 4, "category_id": 1, "segmentation": {"size": [1, 3], "counts": "120"}, "area": 2}]
    >>> ids, segments = panoptic.detection_to_panoptic(anns, 1, 3, cats)
    >>> ids, segments
    (array([[0, 9, 9]], dtype=uint32), [{'id': 9, 'category_id': 1, 'area': 2}])
    """
    h, w = dimension(height, "height"), dimension(width, "width")
    table = _category_dict(categories)
    generator = IdGenerator(table, seed=0) if id_generator is None else id_generator
    if isinstance(annotations, (str, bytes, Mapping)) or not isinstance(annotations, (list, tuple)):
        raise TypeError(f"annotations must be a list of annotation dicts, got {snippet(annotations)}")
    id_map = np.zeros((h, w), np.uint32)
    painted = np.zeros((h, w), bool)
    segments = []
    for annotation in annotations:
        if not isinstance(annotation, Mapping) or "category_id" not in annotation:
            raise ValueError(f"each annotation needs a 'category_id', got {snippet(annotation)}")
        if annotation["category_id"] not in table:
            raise ValueError(f"annotation category {snippet(annotation['category_id'])} is not in categories")
        segment_id = generator.get_id(annotation["category_id"])
        mask = _annotation_mask(annotation, h, w).astype(bool)
        if (mask & painted).any():
            raise ValueError(
                f"annotation {snippet(annotation.get('id'))} overlaps an earlier one in this image (panoptic "
                f"segments cannot overlap; panopticapi rejects the image too)"
            )
        painted |= mask
        id_map[mask] = segment_id
        segment = {key: value for key, value in annotation.items() if key not in ("segmentation", "image_id")}
        segment["id"] = segment_id
        segments.append(segment)
    return id_map, segments


# ---- semantic -> instances -------------------------------------------------------------------


def semantic_to_instances(
    semantic: Any, *, connectivity: int = 8, background: int = 0, thing_ids: Any = None
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """Split a semantic map into segments: the connected components of each category.

    Segments are numbered 1, 2, ... in the row-major order of their first pixel (the numbering
    of :func:`maskkit.cc.label`). With ``thing_ids``, only those categories are split; each
    other category present becomes one segment.

    Parameters
    ----------
    semantic : array_like of int
        2-D category map.
    connectivity : {4, 8}
        Pixel neighbourhood.
    background : int
        The VOID category (id 0 in the result).
    thing_ids : iterable of int, optional
        The categories to split; default all.

    Returns
    -------
    id_map : numpy.ndarray
        uint32 ids.
    segments_info : list of dict
        ``{"id", "category_id", "area", "bbox", "iscrowd": 0}`` in id order.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> ids, segments = panoptic.semantic_to_instances(np.array([[1, 0, 1], [2, 2, 0]]), connectivity=4)
    >>> ids
    array([[1, 0, 2],
           [3, 3, 0]], dtype=uint32)
    >>> [(s["id"], s["category_id"]) for s in segments]
    [(1, 1), (2, 1), (3, 2)]
    """
    image = integer_array(semantic, "semantic", 2)
    if connectivity not in (4, 8) or isinstance(connectivity, bool):
        raise ValueError(f"connectivity must be 4 or 8, got {snippet(connectivity)}")
    if image.size and int(image.max()) > 2**63 - 1:
        raise OverflowError(f"category {int(image.max())} does not fit a 64-bit signed category id")
    labels, n = _cc_label.label(image, connectivity, multilabel=True, background=background)
    flat = labels.ravel().astype(np.int64)
    category_of = np.zeros(n + 1, np.int64)
    category_of[flat] = image.ravel()  # every pixel of a component has its category
    segment_of = np.arange(n + 1, dtype=np.int64)
    if thing_ids is not None:
        things = thing_id_set(thing_ids)
        first_component: Dict[int, int] = {}
        for component in range(1, n + 1):
            category = int(category_of[component])
            if category not in things:
                segment_of[component] = first_component.setdefault(category, component)
        kept = np.unique(segment_of[1:])
        renumber = np.zeros(n + 1, np.int64)
        renumber[kept] = np.arange(1, kept.size + 1)
        segment_of = renumber[segment_of]
    if int(segment_of.max(initial=0)) > MAX_ID:
        raise OverflowError(f"{int(segment_of.max())} segments do not fit COCO panoptic ids (2**24 - 1)")
    id_map = np.ascontiguousarray(segment_of.astype(np.uint32)[labels.reshape(image.shape)])
    ids, areas, boxes = segment_stats(id_map)
    category_of_segment = np.zeros(int(segment_of.max(initial=0)) + 1, np.int64)
    category_of_segment[segment_of] = category_of
    return id_map, [
        {"id": i, "category_id": int(category_of_segment[i]), "area": a, "bbox": b, "iscrowd": 0}
        for i, a, b in zip(ids.tolist(), areas.tolist(), boxes.tolist())
        if i != 0
    ]


# ---- files -----------------------------------------------------------------------------------


def _read_png(path: str, image_id: Any) -> np.ndarray:
    from PIL import Image

    if not os.path.isfile(path):
        raise FileNotFoundError(f"no PNG file {path} for image id {snippet(image_id)}")
    try:
        with Image.open(path) as image:
            return np.asarray(image)
    except OSError as exc:  # PIL's UnidentifiedImageError, truncated files
        raise ValueError(f"cannot read {path} as an image (image id {snippet(image_id)}): {exc}") from None


def _read_ids(path: str, image_id: Any) -> np.ndarray:
    pixels = _read_png(path, image_id)
    try:
        ids = rgb2id(pixels)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    return ids  # type: ignore[return-value]


def _entries(data: Any, key: str, what: str) -> List[Any]:
    if not isinstance(data, Mapping) or not isinstance(data.get(key), list):
        raise ValueError(f"{what} needs a list '{key}'")
    return list(data[key])


def _field(entry: Any, key: str, what: str) -> Any:
    if not isinstance(entry, Mapping) or key not in entry:
        raise ValueError(f"each {what} needs '{key}', got {snippet(entry)}")
    return entry[key]


def _png_name(file_name: Any) -> str:
    """panopticapi's ``'{}.png'.format(file_name.rsplit('.')[0])``: cut at the FIRST dot."""
    if not isinstance(file_name, str):
        raise ValueError(f"file_name must be a string, got {snippet(file_name)}")
    return f"{file_name.rsplit('.')[0]}.png"


def _in_image(name: str, step: Callable[[], T]) -> T:
    """Run one image's step; its ValueError names the image."""
    try:
        return step()
    except ValueError as exc:
        raise ValueError(f"image {name}: {exc}") from None


def _without_isthing_and_color(categories: List[Any], keep: Callable[[Mapping[str, Any]], bool]) -> List[Any]:
    return [
        {k: v for k, v in category.items() if k not in ("isthing", "color")}
        for category in categories
        if isinstance(category, Mapping) and keep(category)
    ]


def _categories_from(categories_json_file: Optional[str], data: Any) -> List[Any]:
    if categories_json_file is not None:
        categories = read_json(categories_json_file, "categories file")
        if not isinstance(categories, list):
            raise ValueError(f"categories file {categories_json_file} must hold a list of categories")
        return categories
    return _entries(data, "categories", "the input JSON (or pass categories_json_file)")


def _annotations_of(data: Any) -> Iterator[Tuple[Mapping[str, Any], Any, str]]:
    for annotation in _entries(data, "annotations", "a COCO panoptic JSON"):
        image_id = _field(annotation, "image_id", "annotation")
        yield annotation, image_id, _field(annotation, "file_name", "annotation")


def convert_panoptic_to_semantic(
    input_json_file: str,
    segmentations_folder: Optional[str] = None,
    output_json_file: Optional[str] = None,
    semantic_seg_folder: Optional[str] = None,
    categories_json_file: Optional[str] = None,
    things_other: bool = False,
) -> None:
    """Convert a COCO panoptic dataset to semantic segmentation (``panoptic2semantic_segmentation``).

    Give exactly one of ``output_json_file`` (COCO-stuff RLE JSON, annotation ids from 0) and
    ``semantic_seg_folder`` (one uint8 PNG per image, named like the panoptic PNG).

    Parameters
    ----------
    input_json_file : str
        COCO panoptic JSON.
    segmentations_folder : str, optional
        Its PNGs; default the JSON path without ``.json``.
    output_json_file, semantic_seg_folder : str, optional
        Where to write (exactly one).
    categories_json_file : str, optional
        Panoptic categories; default the input JSON's ``categories``.
    things_other : bool
        Every thing becomes category 183 ("other").

    Raises
    ------
    ValueError
        For both or neither output, and for malformed input (the image is named).
    FileNotFoundError
        For a missing PNG.

    Examples
    --------
    >>> import json, os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from maskkit import panoptic
    >>> tmp = tempfile.TemporaryDirectory(); root = tmp.name; os.mkdir(os.path.join(root, "pan"))
    >>> Image.fromarray(panoptic.id2rgb(np.array([[0, 5], [9, 9]]))).save(os.path.join(root, "pan", "a.png"))
    >>> segments = [{"id": 5, "category_id": 1}, {"id": 9, "category_id": 7}]
    >>> cats = [{"id": 1, "isthing": 1, "color": [9, 0, 0]}, {"id": 7, "isthing": 0, "color": [1, 2, 3]}]
    >>> with open(os.path.join(root, "pan.json"), "w") as f:
    ...     json.dump({"annotations": [{"image_id": 1, "file_name": "a.png", "segments_info": segments}],
    ...                "categories": cats}, f)
    >>> panoptic.convert_panoptic_to_semantic(os.path.join(root, "pan.json"), semantic_seg_folder=os.path.join(root, "sem"))
    >>> with Image.open(os.path.join(root, "sem", "a.png")) as png:
    ...     np.asarray(png)
    array([[0, 1],
           [7, 7]], dtype=uint8)
    >>> tmp.cleanup()
    """
    if (output_json_file is None) == (semantic_seg_folder is None):
        raise ValueError("give exactly one of output_json_file and semantic_seg_folder")
    data = read_json(input_json_file, "input JSON")
    folder = input_json_file.rsplit(".", 1)[0] if segmentations_folder is None else segmentations_folder
    categories_list = _categories_from(categories_json_file, data)
    categories = _category_dict(categories_list)
    with Outputs() as outputs:
        if semantic_seg_folder is not None:
            outputs.folder(semantic_seg_folder)
        records: List[Dict[str, Any]] = []
        for annotation, image_id, file_name in _annotations_of(data):
            ids = _read_ids(os.path.join(folder, file_name), image_id)
            segments = _field(annotation, "segments_info", "annotation")
            if semantic_seg_folder is not None:
                semantic = _in_image(file_name, lambda: panoptic_to_semantic(ids, segments, categories, things_other=things_other))
                outputs.png(os.path.join(semantic_seg_folder, file_name), semantic)
            else:
                records += _in_image(file_name, lambda: panoptic_to_semantic_rles(
                    ids, segments, categories, things_other=things_other, image_id=image_id))
        if output_json_file is not None:
            for number, record in enumerate(records):
                record["id"] = number
            data["annotations"] = records
            kept = _without_isthing_and_color(categories_list, lambda c: not (things_other and c.get("isthing") == 1))
            if things_other:
                kept.append({"id": OTHER_CLASS_ID, "name": "other", "supercategory": "other"})
            data["categories"] = kept
            outputs.json(output_json_file, data)


def convert_panoptic_to_detection(
    input_json_file: str,
    output_json_file: str,
    segmentations_folder: Optional[str] = None,
    categories_json_file: Optional[str] = None,
    things_only: bool = False,
) -> None:
    """Convert a COCO panoptic dataset to COCO detection RLEs (``panoptic2detection_coco_format``).

    Parameters
    ----------
    input_json_file : str
        COCO panoptic JSON.
    output_json_file : str
        The detection JSON to write: the input with annotations replaced (ids from 0) and
        ``isthing``/``color`` removed from its categories.
    segmentations_folder : str, optional
        The PNGs; default the JSON path without ``.json``. A PNG is named after ``file_name``
        cut at its first dot, as panopticapi does.
    categories_json_file : str, optional
        Panoptic categories for ``things_only``; default the input JSON's.
    things_only : bool
        Skip stuff segments (and stuff categories).

    Raises
    ------
    ValueError
        For malformed input (the image is named).
    FileNotFoundError
        For a missing PNG.

    Examples
    --------
    >>> import json, os, pathlib, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from maskkit import panoptic
    >>> tmp = tempfile.TemporaryDirectory(); root = pathlib.Path(tmp.name); (root / "gt").mkdir()
    >>> Image.fromarray(panoptic.id2rgb(np.array([[0, 5], [5, 5]]))).save(root / "gt" / "a.png")
    >>> annotation = {"image_id": 1, "file_name": "a.jpg", "segments_info": [{"id": 5, "category_id": 1}]}
    >>> _ = (root / "gt.json").write_text(json.dumps({"annotations": [annotation], "categories": []}))
    >>> panoptic.convert_panoptic_to_detection(str(root / "gt.json"), str(root / "det.json"))
    >>> json.loads((root / "det.json").read_text())["annotations"]
    [{'category_id': 1, 'image_id': 1, 'segmentation': {'size': [2, 2], 'counts': '13'}, 'id': 0}]
    >>> tmp.cleanup()
    """
    data = read_json(input_json_file, "input JSON")
    folder = input_json_file.rsplit(".", 1)[0] if segmentations_folder is None else segmentations_folder
    categories = _category_dict(_categories_from(categories_json_file, data))
    annotations: List[Dict[str, Any]] = []
    for annotation, image_id, file_name in _annotations_of(data):
        name = _png_name(file_name)
        ids = _read_ids(os.path.join(folder, name), image_id)
        segments = _field(annotation, "segments_info", "annotation")
        annotations += _in_image(name, lambda: panoptic_to_detection(
            ids, segments, categories, things_only=things_only, image_id=image_id))
    for number, record in enumerate(annotations):
        record["id"] = number
    data["annotations"] = annotations
    data["categories"] = _without_isthing_and_color(
        _entries(data, "categories", "the input JSON"), lambda c: not (things_only and c.get("isthing") != 1)
    )
    with Outputs() as outputs:
        outputs.json(output_json_file, data)


def convert_detection_to_panoptic(
    input_json_file: str,
    output_json_file: str,
    categories_json_file: str,
    segmentations_folder: Optional[str] = None,
    seed: Optional[int] = 0,
) -> None:
    """Convert COCO detection annotations to COCO panoptic (``detection2panoptic_coco_format``).

    Images in JSON order (as pycocotools indexes them: a repeated id keeps its first position and
    its last entry), each with its annotations in JSON order, coloured by one ``IdGenerator``
    for the whole dataset; annotations of images not listed are skipped, as panopticapi does.

    Parameters
    ----------
    input_json_file : str
        COCO detection JSON (``images`` with ``height``/``width``, ``annotations``).
    output_json_file : str
        The panoptic JSON: the input with annotations replaced and the panoptic categories.
    categories_json_file : str
        Panoptic categories (``isthing``, ``color``).
    segmentations_folder : str, optional
        Where the PNGs go; default the output path without ``.json``.
    seed : int or None
        The colours' random seed (panopticapi after ``np.random.seed(seed)`` on one core).

    Raises
    ------
    ValueError
        For overlapping annotations, unknown categories or malformed input (the image is named).

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> from maskkit import panoptic
    >>> tmp = tempfile.TemporaryDirectory(); root = pathlib.Path(tmp.name)
    >>> det = {"images": [{"id": 1, "file_name": "a.jpg", "height": 1, "width": 3}],
    ...        "annotations": [{"id": 4, "image_id": 1, "category_id": 1,
    ...                         "segmentation": {"size": [1, 3], "counts": "120"}}]}
    >>> _ = (root / "det.json").write_text(json.dumps(det))
    >>> _ = (root / "cats.json").write_text(json.dumps([{"id": 1, "isthing": 1, "color": [9, 0, 0]}]))
    >>> panoptic.convert_detection_to_panoptic(str(root / "det.json"), str(root / "pan.json"), str(root / "cats.json"))
    >>> json.loads((root / "pan.json").read_text())["annotations"]
    [{'image_id': 1, 'file_name': 'a.png', 'segments_info': [{'id': 9, 'category_id': 1}]}]
    >>> tmp.cleanup()
    """
    data = read_json(input_json_file, "input JSON")
    categories_list = _categories_from(categories_json_file, None)
    generator = IdGenerator(_category_dict(categories_list), seed=seed)
    folder = output_json_file.rsplit(".", 1)[0] if segmentations_folder is None else segmentations_folder
    images: Dict[Any, Mapping[str, Any]] = {}
    for image in _entries(data, "images", "a COCO detection JSON"):
        images[_field(image, "id", "image")] = image  # pycocotools: first position, last entry
    per_image: Dict[Any, List[Any]] = {image_id: [] for image_id in images}
    for annotation in _entries(data, "annotations", "a COCO detection JSON"):
        image_id = _field(annotation, "image_id", "annotation")
        if image_id in per_image:  # pycocotools never visits annotations of unknown images
            per_image[image_id].append(annotation)
    records = []
    with Outputs() as outputs:
        outputs.folder(folder)
        for image_id, image in images.items():
            name = _png_name(_field(image, "file_name", "image"))
            height, width = _field(image, "height", "image"), _field(image, "width", "image")
            id_map, segments = _in_image(name, lambda: detection_to_panoptic(
                per_image[image_id], height, width, categories_list, id_generator=generator))
            outputs.png(os.path.join(folder, name), id2rgb(id_map))  # type: ignore[arg-type]
            records.append({"image_id": image_id, "file_name": name, "segments_info": segments})
        data["annotations"] = records
        data["categories"] = categories_list
        outputs.json(output_json_file, data)


def convert_two_channel_to_panoptic(
    source_folder: str,
    images_json_file: str,
    predictions_json_file: str,
    categories_json_file: str,
    segmentations_folder: Optional[str] = None,
    void: int = 0,
    seed: Optional[int] = 0,
) -> None:
    """Convert 2-channel PNGs to COCO panoptic (``2channels2panoptic_coco_format``).

    A new ``IdGenerator`` per image, all drawing from one random stream seeded with ``seed``
    (panopticapi after ``np.random.seed(seed)`` on one core). Segments list ``id`` and
    ``category_id``; the segments of one stuff category, which share its colour, are listed once
    (panopticapi lists the id once per 2-channel value).

    Parameters
    ----------
    source_folder : str
        The 2-channel PNGs, named after each image's ``file_name`` cut at its first dot.
    images_json_file : str
        JSON with ``images``; the output is it plus ``annotations``.
    predictions_json_file : str
        The panoptic JSON to write.
    categories_json_file : str
        Panoptic categories (``isthing``, ``color``).
    segmentations_folder : str, optional
        Where the PNGs go; default the output path without ``.json``.
    void : int
        The category of VOID pixels (``-v``).
    seed : int or None
        The colours' random seed.

    Raises
    ------
    ValueError
        For unknown categories or malformed input (the image is named).
    FileNotFoundError
        For a missing PNG.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from maskkit import panoptic
    >>> tmp = tempfile.TemporaryDirectory(); root = pathlib.Path(tmp.name); (root / "src").mkdir()
    >>> Image.fromarray(np.array([[[1, 1, 0], [7, 0, 0]]], np.uint8)).save(root / "src" / "a.png")
    >>> _ = (root / "images.json").write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg"}]}))
    >>> cats = [{"id": 1, "isthing": 1, "color": [9, 0, 0]}, {"id": 7, "isthing": 0, "color": [1, 2, 3]}]
    >>> _ = (root / "cats.json").write_text(json.dumps(cats))
    >>> panoptic.convert_two_channel_to_panoptic(str(root / "src"), str(root / "images.json"),
    ...                                          str(root / "pred.json"), str(root / "cats.json"))
    >>> json.loads((root / "pred.json").read_text())["annotations"][0]["segments_info"]
    [{'id': 9, 'category_id': 1}, {'id': 197121, 'category_id': 7}]
    >>> tmp.cleanup()
    """
    data = read_json(images_json_file, "images JSON")
    categories = _category_dict(_categories_from(categories_json_file, None))
    IdGenerator(categories)  # check the categories before any file is read
    stream = np.random.RandomState(seed)
    folder = predictions_json_file.rsplit(".", 1)[0] if segmentations_folder is None else segmentations_folder
    annotations = []
    with Outputs() as outputs:
        outputs.folder(folder)
        for image in _entries(data, "images", "an images JSON"):
            name = _png_name(_field(image, "file_name", "image"))
            pixels = _read_png(os.path.join(source_folder, name), image.get("id"))
            id_map, segments = _in_image(name, lambda: from_two_channel(
                pixels, void=void, id_generator=IdGenerator(categories, seed=stream)))
            outputs.png(os.path.join(folder, name), id2rgb(id_map))  # type: ignore[arg-type]
            annotations.append({
                "image_id": image.get("id"),
                "file_name": name,
                "segments_info": [{"id": s["id"], "category_id": s["category_id"]} for s in segments],
            })
        data["annotations"] = annotations
        outputs.json(predictions_json_file, data)
