"""Codecs between the panoptic encodings of other tools and COCO panoptic id maps.

COCO panoptic form is an id map (uint32, ``0`` = VOID, ids below ``2**24``) plus ``segments_info``:
one dict per segment with ``id``, ``category_id``, ``area`` (pixel count), ``bbox``
(``[x, y, w, h]`` with ``w = max col - min col + 1``, as every panopticapi and cityscapesScripts
converter computes it) and ``iscrowd``. The ``from_*`` codecs return that pair, with segments in
ascending order of the source value (the ``np.unique`` order the reference converters iterate in).

Encodings read (each range-checked: a value that the encoding cannot hold raises instead of
wrapping onto another segment):

* ``label_divisor``: ``panoptic = semantic * divisor + instance`` (detectron2 and DeepLab2 use
  1000, the original Panoptic-DeepLab 256 for COCO); a ``void`` value (detectron2: ``-1``).
* 2-channel: channel 0 the category, channel 1 the instance; panopticapi's converter reads
  ``1000 * ch0 + ch1``.
* Cityscapes ``*_instanceIds.png``: ``v < 1000`` is the label ``v`` (a crowd for thing labels),
  else label ``v // 1000``; the segment id is ``v`` itself (``createPanopticImgs``).
* KITTI-STEP / DeepLab2 PNG: ``R = semantic``, ``G = instance // 256``, ``B = instance % 256``.
* Mapillary Vistas ``instances/``: 16-bit ``label * 256 + instance``.

Everything is computed over runs of equal values in row-major order, not over pixels: label
maps have long runs, so finding the distinct values sorts a few thousand run values instead of
every pixel, and a segment's area and bbox are the sum, min and max over its runs (each run
knows its row, first column and length).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

import numpy as np

from ._pan_rgb import MAX_ID, IdGenerator
from ._validate import snippet

__all__ = [
    "encode_label_divisor",
    "decode_label_divisor",
    "from_label_divisor",
    "to_label_divisor",
    "from_two_channel",
    "to_two_channel",
    "from_cityscapes_instance_ids",
    "cityscapes_categories",
    "from_kitti_step",
    "to_kitti_step",
    "from_vistas_instances",
]

Segments = List[Dict[str, Any]]

# Cityscapes labels (helpers/labels.py): id -> (name, trainId, category, hasInstances,
# ignoreInEval, colour). Ids 0..33; "license plate" (-1) never appears in an instanceIds image.
_CITYSCAPES: Dict[int, Tuple[str, int, str, bool, bool, Tuple[int, int, int]]] = {
    0: ("unlabeled", 255, "void", False, True, (0, 0, 0)),
    1: ("ego vehicle", 255, "void", False, True, (0, 0, 0)),
    2: ("rectification border", 255, "void", False, True, (0, 0, 0)),
    3: ("out of roi", 255, "void", False, True, (0, 0, 0)),
    4: ("static", 255, "void", False, True, (0, 0, 0)),
    5: ("dynamic", 255, "void", False, True, (111, 74, 0)),
    6: ("ground", 255, "void", False, True, (81, 0, 81)),
    7: ("road", 0, "flat", False, False, (128, 64, 128)),
    8: ("sidewalk", 1, "flat", False, False, (244, 35, 232)),
    9: ("parking", 255, "flat", False, True, (250, 170, 160)),
    10: ("rail track", 255, "flat", False, True, (230, 150, 140)),
    11: ("building", 2, "construction", False, False, (70, 70, 70)),
    12: ("wall", 3, "construction", False, False, (102, 102, 156)),
    13: ("fence", 4, "construction", False, False, (190, 153, 153)),
    14: ("guard rail", 255, "construction", False, True, (180, 165, 180)),
    15: ("bridge", 255, "construction", False, True, (150, 100, 100)),
    16: ("tunnel", 255, "construction", False, True, (150, 120, 90)),
    17: ("pole", 5, "object", False, False, (153, 153, 153)),
    18: ("polegroup", 255, "object", False, True, (153, 153, 153)),
    19: ("traffic light", 6, "object", False, False, (250, 170, 30)),
    20: ("traffic sign", 7, "object", False, False, (220, 220, 0)),
    21: ("vegetation", 8, "nature", False, False, (107, 142, 35)),
    22: ("terrain", 9, "nature", False, False, (152, 251, 152)),
    23: ("sky", 10, "sky", False, False, (70, 130, 180)),
    24: ("person", 11, "human", True, False, (220, 20, 60)),
    25: ("rider", 12, "human", True, False, (255, 0, 0)),
    26: ("car", 13, "vehicle", True, False, (0, 0, 142)),
    27: ("truck", 14, "vehicle", True, False, (0, 0, 70)),
    28: ("bus", 15, "vehicle", True, False, (0, 60, 100)),
    29: ("caravan", 255, "vehicle", True, True, (0, 0, 90)),
    30: ("trailer", 255, "vehicle", True, True, (0, 0, 110)),
    31: ("train", 16, "vehicle", True, False, (0, 80, 100)),
    32: ("motorcycle", 17, "vehicle", True, False, (0, 0, 230)),
    33: ("bicycle", 18, "vehicle", True, False, (119, 11, 32)),
}


# ---- argument checks -------------------------------------------------------------------------


def integer_array(values: Any, name: str, ndim: Optional[int] = None) -> np.ndarray:
    """``values`` as an integer ndarray (no copy), refusing bool, float and other dtypes."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must have an integer dtype, got {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    return arr


def id_map_array(id_map: Any, name: str = "id_map") -> np.ndarray:
    """A 2-D integer map of segment ids in ``0 .. 2**24 - 1``."""
    arr = integer_array(id_map, name, 2)
    low, high = value_range(arr)
    if low < 0 or high > MAX_ID:
        raise ValueError(f"{name} ids must lie in 0..2**24 - 1 (COCO panoptic ids), got {low}..{high}")
    return arr


def value_range(arr: np.ndarray) -> Tuple[int, int]:
    """``(min, max)`` as Python ints, ``(0, 0)`` for an empty array."""
    return (int(arr.min()), int(arr.max())) if arr.size else (0, 0)


def int_argument(value: Any, name: str, low: int, high: int) -> int:
    """An integer argument in ``low .. high``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {snippet(value)}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must lie in {low}..{high}, got {int(value)}")
    return int(value)


def _optional_int(value: Any, name: str) -> Optional[int]:
    return None if value is None else int_argument(value, name, -(2**63), 2**63 - 1)


def _integer_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    try:
        result: np.dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be a numpy integer dtype, got {snippet(dtype)}") from None
    if result.kind not in "iu":
        raise TypeError(f"{name} must be an integer dtype, got {result}")
    return result


def _fit(values: np.ndarray, dtype: np.dtype, what: str) -> np.ndarray:
    """``values`` cast to ``dtype``; ``OverflowError`` where a value does not fit (never a wrap)."""
    low, high = value_range(values)
    info = np.iinfo(dtype)
    if low < info.min or high > info.max:
        raise OverflowError(f"{what} range {low}..{high} does not fit dtype {dtype}; pass a wider dtype")
    return np.ascontiguousarray(values, dtype=dtype)


def thing_id_set(thing_ids: Any) -> Set[int]:
    """The category ids of things, from any iterable of integers."""
    if isinstance(thing_ids, (str, bytes)) or not isinstance(thing_ids, Iterable):
        raise TypeError(f"thing_ids must be an iterable of category ids, got {snippet(thing_ids)}")
    result = set()
    for value in thing_ids:
        result.add(int_argument(value, "each thing id", -(2**63), 2**63 - 1))
    return result


def segment_list(segments_info: Any) -> List[Tuple[int, int, Mapping[str, Any]]]:
    """``[(id, category_id, segment dict), ...]`` from a COCO ``segments_info`` list."""
    if isinstance(segments_info, (str, bytes, Mapping)) or not isinstance(segments_info, Iterable):
        raise TypeError(f"segments_info must be a list of segment dicts, got {snippet(segments_info)}")
    result = []
    for segment in segments_info:
        if not isinstance(segment, Mapping):
            raise TypeError(f"each segment must be a dict, got {snippet(segment)}")
        if "id" not in segment or "category_id" not in segment:
            raise ValueError(f"each segment needs 'id' and 'category_id', got {snippet(segment)}")
        seg_id = int_argument(segment["id"], "segment 'id'", 0, MAX_ID)
        category = int_argument(segment["category_id"], "segment 'category_id'", -(2**63), 2**63 - 1)
        result.append((seg_id, category, segment))
    return result


# ---- segment statistics ----------------------------------------------------------------------


def _run_starts(flat: np.ndarray, width: int) -> np.ndarray:
    """Where each run of equal values starts in a row-major map (rows start runs too)."""
    is_start = np.empty(flat.size, bool)
    is_start[:1] = True
    np.not_equal(flat[1:], flat[:-1], out=is_start[1:])
    if width:
        is_start[::width] = True
    return np.flatnonzero(is_start)


def unique_inverse(values: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` with the inverse in ``values``' shape.

    Only the runs' values are sorted, which is what makes label maps (long runs of one id) cheap.
    """
    flat = values.ravel()
    if flat.size == 0:
        return np.unique(flat), np.zeros(values.shape, np.intp)
    starts = _run_starts(flat, flat.size)
    uniques, run_inverse = np.unique(flat[starts], return_inverse=True)
    lengths = np.diff(np.append(starts, flat.size))
    return uniques, np.repeat(run_inverse.ravel(), lengths).reshape(values.shape)


def segment_stats(id_map: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(ids, areas, bboxes)`` of every value of a 2-D map, VOID included, ids ascending.

    ``bboxes`` is ``(n, 4)`` int64 ``[x, y, w, h]``. Computed over the row runs of the map: a
    run knows its row, its first and last column and its length.
    """
    height, width = id_map.shape
    flat = id_map.ravel()
    if flat.size == 0:
        return np.unique(flat), np.zeros(0, np.int64), np.zeros((0, 4), np.int64)
    starts = _run_starts(flat, width)
    ids, run_inverse = np.unique(flat[starts], return_inverse=True)
    run_inverse = run_inverse.ravel()
    lengths = np.diff(np.append(starts, flat.size))
    rows, first_cols = np.divmod(starts, width)
    areas = np.zeros(ids.size, np.int64)
    np.add.at(areas, run_inverse, lengths)
    x0 = np.full(ids.size, width, np.int64)
    np.minimum.at(x0, run_inverse, first_cols)
    x1 = np.full(ids.size, -1, np.int64)
    np.maximum.at(x1, run_inverse, first_cols + lengths - 1)
    y0 = np.full(ids.size, height, np.int64)
    np.minimum.at(y0, run_inverse, rows)
    y1 = np.full(ids.size, -1, np.int64)
    np.maximum.at(y1, run_inverse, rows)
    return ids, areas, np.stack([x0, y0, x1 - x0 + 1, y1 - y0 + 1], axis=1)


def _coco_segments(
    id_map: np.ndarray, categories: Dict[int, int], crowd: Optional[Dict[int, int]] = None
) -> Segments:
    """COCO ``segments_info`` of the ids in ``categories`` (in its order), measured on ``id_map``."""
    ids, areas, boxes = segment_stats(id_map)
    stats = {seg_id: (area, box) for seg_id, area, box in zip(ids.tolist(), areas.tolist(), boxes.tolist())}
    return [
        {
            "id": seg_id,
            "category_id": category,
            "area": stats[seg_id][0],
            "bbox": stats[seg_id][1],
            "iscrowd": 0 if crowd is None else crowd[seg_id],
        }
        for seg_id, category in categories.items()
    ]


def _relabel(values: np.ndarray, new_ids: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(new_ids.astype(np.uint32)[inverse].reshape(values.shape))


def _segments_from_values(
    values: np.ndarray,
    semantic_of: Any,
    keep: Any,
    id_of: Any,
    id_generator: Optional[IdGenerator],
) -> Tuple[np.ndarray, Segments]:
    """Id map and segments of a 2-D map of encoded values: one segment per kept value.

    ``semantic_of(uniques)``, ``keep(uniques)`` and ``id_of(uniques)`` act on the sorted unique
    values; an ``id_generator`` gives the ids instead, one call per kept value in ascending order.
    """
    uniques, inverse = unique_inverse(values)
    semantic = semantic_of(uniques)
    kept = keep(uniques)
    if id_generator is not None:
        new_ids = np.zeros(uniques.size, np.int64)
        for i in np.flatnonzero(kept).tolist():
            new_ids[i] = id_generator.get_id(int(semantic[i]))
    else:
        new_ids = np.where(kept, id_of(uniques), 0)
        if kept.any():
            low, high = int(new_ids[kept].min()), int(new_ids[kept].max())
            if low < 1 or high > MAX_ID:
                raise OverflowError(
                    f"segment ids {low}..{high} do not fit 1..2**24 - 1 (COCO panoptic ids); pass an "
                    f"IdGenerator as id_generator= to number the segments"
                )
    categories: Dict[int, int] = {}
    for new_id, category in zip(new_ids[kept].tolist(), semantic[kept].tolist()):
        # stuff ids are the category colour: values of one stuff category share it and merge
        # into one segment, as their pixels do in panopticapi's PNG
        if categories.setdefault(new_id, category) != category:
            raise ValueError(f"id_generator gave categories {categories[new_id]} and {category} one id {new_id}")
    id_map = _relabel(values, new_ids, inverse)
    return id_map, _coco_segments(id_map, categories)


# ---- label_divisor ---------------------------------------------------------------------------


def encode_label_divisor(
    semantic: Any, instance: Any, label_divisor: int = 1000, *, void: Optional[int] = None, dtype: Any = np.int32
) -> np.ndarray:
    """``panoptic = semantic * label_divisor + instance``, range-checked.

    Parameters
    ----------
    semantic, instance : array_like of int
        Category and instance per pixel, of one shape; ``0 <= instance < label_divisor``. Where
        ``semantic`` is ``-1`` the pixel is VOID (its instance must be 0) and gets ``void``.
    label_divisor : int
        1000 for detectron2, DeepLab2 and Cityscapes; 256 for the original Panoptic-DeepLab COCO.
    void : int, optional
        The value of VOID pixels (detectron2: ``-1``); needed only if ``semantic`` has ``-1``.
    dtype : numpy dtype
        Integer dtype of the result (int32 as detectron2 keeps it).

    Returns
    -------
    numpy.ndarray
        C-ordered panoptic labels of ``dtype``.

    Raises
    ------
    ValueError
        For ``instance >= label_divisor`` (it would spill into the next category), negative
        values, mismatched shapes, or ``-1`` semantics without ``void``.
    OverflowError
        When a label does not fit ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> panoptic.encode_label_divisor(np.array([[7, 26]]), np.array([[0, 3]]))
    array([[ 7000, 26003]], dtype=int32)
    """
    divisor = int_argument(label_divisor, "label_divisor", 1, 2**62)
    sem = integer_array(semantic, "semantic")
    ins = integer_array(instance, "instance")
    if sem.shape != ins.shape:
        raise ValueError(f"semantic and instance must have one shape, got {sem.shape} and {ins.shape}")
    out_dtype = _integer_dtype(dtype)
    void_value = _optional_int(void, "void")
    sem_low, sem_high = value_range(sem)
    ins_low, ins_high = value_range(ins)
    if ins_low < 0 or ins_high >= divisor:
        raise ValueError(
            f"instance must lie in 0..label_divisor - 1 = {divisor - 1} (a larger one spills into the next "
            f"category), got {ins_low}..{ins_high}"
        )
    if sem_low < -1:
        raise ValueError(f"semantic must be >= 0 (or -1 for VOID), got {sem_low}")
    if sem_high > (2**63 - 1 - divisor) // divisor:
        raise OverflowError(f"semantic {sem_high} * label_divisor {divisor} does not fit 64 bits")
    is_void = sem == -1
    if is_void.any():
        if void_value is None:
            raise ValueError("semantic has -1 (VOID) pixels; pass the value VOID encodes to as void=")
        if (ins[is_void] != 0).any():
            raise ValueError("VOID pixels (semantic -1) must have instance 0")
    panoptic = sem.astype(np.int64) * divisor + ins.astype(np.int64)
    if void_value is not None:
        panoptic[is_void] = void_value
    return _fit(panoptic, out_dtype, "panoptic label")


def decode_label_divisor(
    panoptic: Any, label_divisor: int = 1000, *, void: Optional[int] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """``(semantic, instance) = divmod(panoptic, label_divisor)``; VOID becomes ``(-1, 0)``.

    Parameters
    ----------
    panoptic : array_like of int
        Labels ``>= 0``, apart from ``void``.
    label_divisor : int
        The divisor the labels were encoded with.
    void : int, optional
        The VOID value (detectron2: ``-1``; the original Panoptic-DeepLab: ``255 * divisor``).

    Returns
    -------
    semantic, instance : numpy.ndarray
        int64 arrays of ``panoptic``'s shape; VOID pixels get semantic ``-1`` and instance 0.

    Raises
    ------
    ValueError
        For a negative label that is not ``void``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> panoptic.decode_label_divisor(np.array([26003, -1]), void=-1)
    (array([26, -1]), array([3, 0]))
    """
    divisor = int_argument(label_divisor, "label_divisor", 1, 2**62)
    labels = integer_array(panoptic, "panoptic")
    void_value = _optional_int(void, "void")
    is_void = labels == void_value if void_value is not None else np.zeros(labels.shape, bool)
    real = labels[~is_void]
    if real.size and int(real.min()) < 0:
        raise ValueError(f"panoptic labels must be >= 0 apart from void={void_value}, got {int(real.min())}")
    if real.size and int(real.max()) > 2**63 - 1:  # any uint64, native or byte-swapped
        raise OverflowError(f"panoptic label {int(real.max())} does not fit int64")
    wide = np.where(is_void, 0, labels).astype(np.int64)
    semantic, instance = np.divmod(wide, divisor)
    semantic[is_void] = -1
    return np.ascontiguousarray(semantic), np.ascontiguousarray(instance)


def from_label_divisor(
    panoptic: Any,
    label_divisor: int = 1000,
    *,
    void: Optional[int] = -1,
    id_generator: Optional[IdGenerator] = None,
) -> Tuple[np.ndarray, Segments]:
    """COCO panoptic id map and segments of a ``semantic * label_divisor + instance`` map.

    Every distinct label other than ``void`` is one segment of category ``label //
    label_divisor``. Its id is ``label + 1``, the shift detectron2's ``COCOPanopticEvaluator``
    applies (so VOID ``-1`` becomes 0), unless ``id_generator`` numbers the segments.

    Parameters
    ----------
    panoptic : array_like of int
        A 2-D map of labels ``>= 0`` apart from ``void``.
    label_divisor : int
        1000 (detectron2, Cityscapes, DeepLab2) or 256 (the original Panoptic-DeepLab on COCO).
    void : int or None
        The VOID label: detectron2's ``-1``, or ``255 * label_divisor`` for the original
        Panoptic-DeepLab; ``None`` makes every label a segment.
    id_generator : IdGenerator, optional
        Gives each segment an id (one ``get_id(category)`` per segment in ascending label order).

    Returns
    -------
    id_map : numpy.ndarray
        uint32 ids, 0 = VOID.
    segments_info : list of dict
        ``{"id", "category_id", "area", "bbox", "iscrowd": 0}`` per segment.

    Raises
    ------
    ValueError
        For a 2-D shape mismatch or a negative label that is not ``void``.
    OverflowError
        When ``label + 1`` exceeds ``2**24 - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> ids, segments = panoptic.from_label_divisor(np.array([[-1, 26001], [7000, 26001]]))
    >>> ids
    array([[    0, 26002],
           [ 7001, 26002]], dtype=uint32)
    >>> segments[1]
    {'id': 26002, 'category_id': 26, 'area': 2, 'bbox': [1, 0, 1, 2], 'iscrowd': 0}
    """
    divisor = int_argument(label_divisor, "label_divisor", 1, 2**62)
    labels = integer_array(panoptic, "panoptic", 2)
    void_value = _optional_int(void, "void")
    _check_labels(labels, void_value)
    return _segments_from_values(
        labels,
        lambda u: u.astype(np.int64) // divisor,
        lambda u: u != void_value if void_value is not None else np.ones(u.shape, bool),
        lambda u: u.astype(np.int64) + 1,
        id_generator,
    )


def _check_labels(labels: np.ndarray, void_value: Optional[int]) -> None:
    low, high = value_range(labels)
    if low < 0:
        negative = np.unique(labels[labels < 0])
        if void_value is None or negative.size > 1 or int(negative[0]) != void_value:
            raise ValueError(f"panoptic labels must be >= 0 apart from void={void_value}, got {int(negative[0])}")
    if high > MAX_ID:
        raise OverflowError(f"panoptic label {high} does not fit a COCO panoptic id (2**24 - 1)")


def _semantic_instance(
    id_map: Any, segments_info: Any, thing_ids: Any
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel: category, instance (things 1..n per category in segment order, stuff 0), VOID."""
    ids = id_map_array(id_map)
    things = thing_id_set(thing_ids)
    segments = segment_list(segments_info)
    uniques, inverse = unique_inverse(ids)
    position = {int(v): i for i, v in enumerate(uniques.tolist())}
    semantic = np.zeros(uniques.size, np.int64)
    instance = np.zeros(uniques.size, np.int64)
    listed = np.zeros(uniques.size, bool)
    counters: Dict[int, int] = {}
    seen: Set[int] = set()
    for seg_id, category, _ in segments:
        if seg_id == 0:
            raise ValueError("segments_info lists id 0, which is VOID in a COCO panoptic map")
        if seg_id in seen:
            raise ValueError(f"segments_info lists id {seg_id} twice")
        seen.add(seg_id)
        if seg_id not in position:
            continue
        i = position[seg_id]
        semantic[i], listed[i] = category, True
        if category in things:
            counters[category] = counters.get(category, 0) + 1
            instance[i] = counters[category]
    unlisted = [int(v) for v, known in zip(uniques.tolist(), listed) if v != 0 and not known]
    if unlisted:
        raise ValueError(f"id_map has ids missing from segments_info: {snippet(unlisted)}")
    void = uniques == 0
    shape = ids.shape
    return semantic[inverse].reshape(shape), instance[inverse].reshape(shape), void[inverse].reshape(shape)


def to_label_divisor(
    id_map: Any,
    segments_info: Any,
    thing_ids: Any,
    label_divisor: int = 1000,
    *,
    void: int = -1,
    dtype: Any = np.int32,
) -> np.ndarray:
    """``semantic * label_divisor + instance`` of a COCO panoptic id map.

    Stuff segments get instance 0; the segments of each thing category get instances 1, 2, ...
    in ``segments_info`` order. VOID (id 0) gets ``void``.

    Parameters
    ----------
    id_map : array_like of int
        2-D ids in ``0 .. 2**24 - 1``.
    segments_info : list of dict
        One ``{"id", "category_id", ...}`` per non-zero id.
    thing_ids : iterable of int
        The category ids of things.
    label_divisor : int
        The divisor; a category with ``label_divisor`` or more instances raises.
    void : int
        The label of VOID pixels.
    dtype : numpy dtype
        Integer dtype of the result.

    Returns
    -------
    numpy.ndarray
        Labels of ``dtype``.

    Raises
    ------
    ValueError
        For ids missing from ``segments_info``, id 0 or one id listed twice, or too many instances.
    OverflowError
        When a label does not fit ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> segments = [{"id": 5, "category_id": 26}, {"id": 9, "category_id": 7}]
    >>> panoptic.to_label_divisor(np.array([[0, 5, 9]]), segments, thing_ids=[26])
    array([[   -1, 26001,  7000]], dtype=int32)
    """
    semantic, instance, is_void = _semantic_instance(id_map, segments_info, thing_ids)
    semantic[is_void] = -1
    return encode_label_divisor(semantic, instance, label_divisor, void=void, dtype=dtype)


# ---- 2-channel -------------------------------------------------------------------------------


def from_two_channel(
    image: Any,
    *,
    void: int = 0,
    label_divisor: int = 1000,
    id_generator: Optional[IdGenerator] = None,
) -> Tuple[np.ndarray, Segments]:
    """COCO panoptic id map and segments of a 2-channel (category, instance) image.

    As panopticapi's ``2channels2panoptic_coco_format`` reads it: ``pan = 1000 * ch0 + ch1``, and
    each distinct ``pan`` whose category ``ch0`` is not ``void`` is one segment (stuff pixels
    with different ``ch1`` are different segments). Its id is ``pan`` itself unless
    ``id_generator`` numbers the segments (the converter's IdGenerator colours; stuff then gets
    its category colour, so the values of one stuff category merge into one segment, as their
    pixels do in the converter's PNG, which lists that id once per value).

    Parameters
    ----------
    image : array_like of int
        ``(H, W, C)`` with ``C >= 2``: channel 0 the category, channel 1 the instance (further
        channels ignored, as the converter does).
    void : int
        The category of VOID pixels (the converter's ``-v``, default 0).
    label_divisor : int
        The converter's ``OFFSET`` (1000); ``ch1`` must stay below it.
    id_generator : IdGenerator, optional
        Gives the segment ids, one ``get_id(category)`` per segment in ascending ``pan`` order.

    Returns
    -------
    id_map : numpy.ndarray
        uint32 ids, 0 = VOID.
    segments_info : list of dict
        ``{"id", "category_id", "area", "bbox", "iscrowd": 0}`` per segment.

    Raises
    ------
    ValueError
        For ``ch1 >= label_divisor``, negative channels, a non-(H, W, C >= 2) shape, or an id
        clash with VOID.
    OverflowError
        When ``pan`` exceeds ``2**24 - 1`` without an ``id_generator``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> image = np.array([[[0, 0], [1, 2]], [[1, 2], [3, 0]]], np.uint8)
    >>> ids, segments = panoptic.from_two_channel(image)
    >>> ids
    array([[   0, 1002],
           [1002, 3000]], dtype=uint32)
    >>> [(s["id"], s["category_id"]) for s in segments]
    [(1002, 1), (3000, 3)]
    """
    arr = integer_array(image, "image", 3)
    if arr.shape[2] < 2:
        raise ValueError(f"a 2-channel image needs shape (H, W, C >= 2), got {arr.shape}")
    divisor = int_argument(label_divisor, "label_divisor", 1, 2**40)
    void_category = int_argument(void, "void", -(2**63), 2**63 - 1)
    sem, ins = arr[:, :, 0], arr[:, :, 1]
    sem_low, sem_high = value_range(sem)
    ins_low, ins_high = value_range(ins)
    if sem_low < 0 or ins_low < 0:
        raise ValueError(f"2-channel values must be >= 0, got {min(sem_low, ins_low)}")
    if ins_high >= divisor:
        raise ValueError(
            f"channel 1 (instance) must lie below label_divisor = {divisor} (a larger one spills into the next "
            f"category), got {ins_high}"
        )
    if sem_high > 2**62 // divisor:
        raise OverflowError(f"category {sem_high} * label_divisor {divisor} does not fit 64 bits")
    pan = sem.astype(np.int64) * divisor + ins.astype(np.int64)
    if id_generator is None and void_category != 0 and bool(((sem == 0) & (ins == 0)).any()):
        raise ValueError("category 0, instance 0 encodes to id 0 (VOID) when void != 0; pass an id_generator")
    return _segments_from_values(
        pan,
        lambda u: u // divisor,
        lambda u: u // divisor != void_category,
        lambda u: u,
        id_generator,
    )


def to_two_channel(
    id_map: Any, segments_info: Any, thing_ids: Any, *, void: int = 0, dtype: Any = np.uint8
) -> np.ndarray:
    """The 2-channel (category, instance) image of a COCO panoptic id map.

    Stuff gets instance 0, the segments of each thing category 1, 2, ... in ``segments_info``
    order, VOID pixels ``(void, 0)``. :func:`from_two_channel` reads it back into the same
    partition.

    Parameters
    ----------
    id_map : array_like of int
        2-D ids in ``0 .. 2**24 - 1``.
    segments_info : list of dict
        One ``{"id", "category_id", ...}`` per non-zero id.
    thing_ids : iterable of int
        The category ids of things.
    void : int
        The category written for VOID pixels.
    dtype : numpy dtype
        Integer dtype of the result (uint8 for a PNG).

    Returns
    -------
    numpy.ndarray
        ``(H, W, 2)`` of ``dtype``.

    Raises
    ------
    ValueError
        For ids missing from ``segments_info``, id 0 or one id listed twice.
    OverflowError
        When a category or instance does not fit ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> segments = [{"id": 5, "category_id": 1}, {"id": 9, "category_id": 1}]
    >>> panoptic.to_two_channel(np.array([[0, 5, 9]]), segments, thing_ids=[1])[0].tolist()
    [[0, 0], [1, 1], [1, 2]]
    """
    semantic, instance, is_void = _semantic_instance(id_map, segments_info, thing_ids)
    semantic[is_void] = int_argument(void, "void", -(2**63), 2**63 - 1)
    out_dtype = _integer_dtype(dtype)
    return np.stack([_fit(semantic, out_dtype, "category"), _fit(instance, out_dtype, "instance")], axis=2)


# ---- Cityscapes ------------------------------------------------------------------------------


def cityscapes_categories(use_train_id: bool = False) -> List[Dict[str, Any]]:
    """The 19 evaluated Cityscapes categories as ``createPanopticImgs`` writes them.

    Parameters
    ----------
    use_train_id : bool
        Category ids are trainIds (0..18) instead of label ids (7..33).

    Returns
    -------
    list of dict
        ``{"id", "name", "color", "supercategory", "isthing"}`` in label order.

    Examples
    --------
    >>> from maskkit import panoptic
    >>> panoptic.cityscapes_categories()[0]
    {'id': 7, 'name': 'road', 'color': [128, 64, 128], 'supercategory': 'flat', 'isthing': 0}
    >>> [c["id"] for c in panoptic.cityscapes_categories(use_train_id=True)][-3:]
    [16, 17, 18]
    """
    return [
        {
            "id": train_id if use_train_id else label_id,
            "name": name,
            "color": list(colour),
            "supercategory": category,
            "isthing": int(has_instances),
        }
        for label_id, (name, train_id, category, has_instances, ignored, colour) in _CITYSCAPES.items()
        if not ignored
    ]


def from_cityscapes_instance_ids(instance_ids: Any, *, use_train_id: bool = False) -> Tuple[np.ndarray, Segments]:
    """COCO panoptic id map and segments of a Cityscapes ``*_gtFine_instanceIds.png``.

    As cityscapesScripts' ``createPanopticImgs`` converts it: a value ``v < 1000`` is label ``v``
    (``iscrowd = 1`` for labels with instances), otherwise label ``v // 1000`` with ``iscrowd =
    0``; labels ignored in evaluation become VOID; the segment id is ``v`` itself, so the PNG
    colour ``[v % 256, v // 256, v // 65536]`` is ``id2rgb(id_map)``.

    Parameters
    ----------
    instance_ids : array_like of int
        The 2-D instanceIds image (PIL mode ``I`` or ``I;16``), values below 65536.
    use_train_id : bool
        ``category_id`` is the trainId instead of the label id (``--use-train-id``).

    Returns
    -------
    id_map : numpy.ndarray
        uint32 ids, 0 = VOID.
    segments_info : list of dict
        ``{"id", "category_id", "area", "bbox", "iscrowd"}`` per segment, ids ascending.

    Raises
    ------
    ValueError
        For a label id Cityscapes does not define (cityscapesScripts raises ``KeyError``), or a
        value of 65536 or more (the colour formula has no ``% 256`` on G).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> ids, segments = panoptic.from_cityscapes_instance_ids(np.array([[7, 26001], [24, 1]]))
    >>> ids
    array([[    7, 26001],
           [   24,     0]], dtype=uint32)
    >>> [(s["id"], s["category_id"], s["iscrowd"]) for s in segments]
    [(7, 7, 0), (24, 24, 1), (26001, 26, 0)]
    """
    values = integer_array(instance_ids, "instance_ids", 2)
    low, high = value_range(values)
    if low < 0 or high > 0xFFFF:
        raise ValueError(
            f"Cityscapes instanceIds must lie in 0..65535 (16-bit; the colour [v % 256, v // 256, v // 65536] "
            f"needs v < 65536), got {low}..{high}"
        )
    train = bool(use_train_id)
    uniques, inverse = unique_inverse(values)
    new_ids = np.zeros(uniques.size, np.int64)
    categories: Dict[int, int] = {}
    crowd: Dict[int, int] = {}
    for i, value in enumerate(uniques.tolist()):
        label = value if value < 1000 else value // 1000
        if label not in _CITYSCAPES:
            raise ValueError(f"instanceIds value {value} has label id {label}, which Cityscapes does not define (0..33)")
        _, train_id, _, has_instances, ignored, _ = _CITYSCAPES[label]
        if ignored:
            continue
        new_ids[i] = value
        categories[value] = train_id if train else label
        crowd[value] = int(value < 1000 and has_instances)
    id_map = _relabel(values, new_ids, inverse)
    return id_map, _coco_segments(id_map, categories, crowd)


# ---- KITTI-STEP / DeepLab2 -------------------------------------------------------------------


def from_kitti_step(image: Any, *, label_divisor: int = 1000) -> np.ndarray:
    """``semantic * label_divisor + instance`` of a KITTI-STEP / DeepLab2 panoptic PNG.

    ``R`` is the semantic class, ``G * 256 + B`` the instance (track) id. Pass the result to
    :func:`from_label_divisor` (VOID class 255: ``void=255 * label_divisor``) for COCO form.

    Parameters
    ----------
    image : array_like of uint8
        ``(H, W, 3)`` (an alpha channel is ignored).
    label_divisor : int
        DeepLab2's ``_INSTANCE_LABEL_DIVISOR`` (1000).

    Returns
    -------
    numpy.ndarray
        int32 labels of shape ``(H, W)``.

    Raises
    ------
    TypeError
        For a non-uint8 image.
    ValueError
        For an instance ``>= label_divisor`` or a shape other than ``(H, W, 3|4)``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> panoptic.from_kitti_step(np.array([[[13, 0, 5], [255, 0, 0]]], np.uint8))
    array([[ 13005, 255000]], dtype=int32)
    """
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise TypeError(f"a KITTI-STEP PNG must have dtype uint8, got {arr.dtype}")
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"a KITTI-STEP PNG must have shape (H, W, 3), got {arr.shape}")
    divisor = int_argument(label_divisor, "label_divisor", 1, 2**23)
    instance = arr[:, :, 1].astype(np.int32) * 256 + arr[:, :, 2]
    if instance.size and int(instance.max()) >= divisor:
        raise ValueError(
            f"instance G * 256 + B must lie below label_divisor = {divisor}, got {int(instance.max())}"
        )
    return np.ascontiguousarray(arr[:, :, 0].astype(np.int32) * divisor + instance)


def to_kitti_step(panoptic: Any, *, label_divisor: int = 1000) -> np.ndarray:
    """The KITTI-STEP / DeepLab2 RGB PNG of ``semantic * label_divisor + instance`` labels.

    Parameters
    ----------
    panoptic : array_like of int
        2-D labels ``>= 0``.
    label_divisor : int
        The divisor the labels were encoded with (at most 65536, the instances' 16 bits).

    Returns
    -------
    numpy.ndarray
        uint8 ``(H, W, 3)``: ``R = semantic``, ``G = instance // 256``, ``B = instance % 256``.

    Raises
    ------
    ValueError
        For negative labels.
    OverflowError
        For a semantic class above 255.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> panoptic.to_kitti_step(np.array([[13005, 255000]])).tolist()
    [[[13, 0, 5], [255, 0, 0]]]
    """
    labels = integer_array(panoptic, "panoptic", 2)
    divisor = int_argument(label_divisor, "label_divisor", 1, 65536)
    semantic, instance = decode_label_divisor(labels, divisor)
    if semantic.size and int(semantic.max()) > 255:
        raise OverflowError(f"KITTI-STEP stores the semantic class in one byte (0..255), got {int(semantic.max())}")
    rgb = np.empty(labels.shape + (3,), np.uint8)
    rgb[:, :, 0] = semantic
    rgb[:, :, 1] = instance >> 8
    rgb[:, :, 2] = instance & 0xFF
    return rgb


# ---- Mapillary Vistas ------------------------------------------------------------------------


def from_vistas_instances(
    instances: Any, *, void_label: Optional[int] = 65, id_generator: Optional[IdGenerator] = None
) -> Tuple[np.ndarray, Segments]:
    """COCO panoptic id map and segments of a Mapillary Vistas ``instances/`` PNG.

    Each value is ``label * 256 + instance``; every distinct value whose label is not
    ``void_label`` is one segment of category ``label``, with id ``value + 1`` (label 0 is a real
    class) unless ``id_generator`` numbers the segments.

    Parameters
    ----------
    instances : array_like of int
        The 2-D 16-bit instance image.
    void_label : int or None
        The unlabelled class (65 in Vistas v1.1/v1.2); ``None`` keeps every label.
    id_generator : IdGenerator, optional
        Gives the segment ids, one ``get_id(label)`` per segment in ascending value order.

    Returns
    -------
    id_map : numpy.ndarray
        uint32 ids, 0 = VOID.
    segments_info : list of dict
        ``{"id", "category_id", "area", "bbox", "iscrowd": 0}`` per segment.

    Raises
    ------
    ValueError
        For values outside 0..65535.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> ids, segments = panoptic.from_vistas_instances(np.array([[19 * 256 + 2, 65 * 256, 0]]))
    >>> ids
    array([[4867,    0,    1]], dtype=uint32)
    >>> [(s["id"], s["category_id"]) for s in segments]
    [(1, 0), (4867, 19)]
    """
    values = integer_array(instances, "instances", 2)
    low, high = value_range(values)
    if low < 0 or high > 0xFFFF:
        raise ValueError(f"Vistas instance values must lie in 0..65535 (16-bit label * 256 + instance), got {low}..{high}")
    void_value = None if void_label is None else int_argument(void_label, "void_label", 0, 255)
    return _segments_from_values(
        values,
        lambda u: u.astype(np.int64) >> 8,
        lambda u: (u.astype(np.int64) >> 8) != void_value if void_value is not None else np.ones(u.shape, bool),
        lambda u: u.astype(np.int64) + 1,
        id_generator,
    )
