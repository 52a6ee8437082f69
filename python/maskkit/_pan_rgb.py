"""COCO panoptic colour ids: ``id = R + 256 G + 65536 B``, and the colouring of new segments.

panopticapi's ``rgb2id``/``id2rgb`` are reproduced value for value and dtype for dtype on every
input they handle correctly; where they silently corrupt (ids of 2**24 or more alias modulo 2**24,
negative ids loop, channel values above 255 overflow) these raise instead.

:class:`IdGenerator` reproduces panopticapi's ``IdGenerator`` draw for draw when given the same
``numpy.random.RandomState`` (``np.random.seed(s)`` before panopticapi equals ``seed=s`` here),
with its two defects fixed: the colour (0, 0, 0) is reserved, so no segment is ever VOID, and two
stuff categories with one colour are refused (panopticapi gives both the same id, which merges
their segments). ``mode="sequential"`` numbers segments 1, 2, 3, ... instead.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Set, Tuple, Union

import numpy as np

from ._validate import snippet

__all__ = ["rgb2id", "id2rgb", "IdGenerator", "MAX_ID", "OFFSET"]

#: One past the largest id a 24-bit RGB pixel can hold.
OFFSET = 256 * 256 * 256
#: The largest panoptic segment id.
MAX_ID = OFFSET - 1

Colour = Tuple[int, int, int]


def rgb2id(color: Any) -> Union[np.ndarray, int]:
    """Segment ids of an RGB image (or of one colour): ``R + 256 * G + 65536 * B``.

    Parameters
    ----------
    color : array_like
        An ``(H, W, 3)`` or ``(H, W, 4)`` integer image (alpha is ignored, as panopticapi does),
        or one colour ``(r, g, b)``. Channel values must lie in 0..255.

    Returns
    -------
    numpy.ndarray or int
        For an image: ``(H, W)`` ids, int32 for a uint8 image (panopticapi's dtype), the image's
        own dtype otherwise. For one colour: a Python int.

    Raises
    ------
    TypeError
        For a non-integer image.
    ValueError
        For any other shape (a 2-D grayscale or palette image has no colour channels) or a channel
        value outside 0..255.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> panoptic.rgb2id(np.array([[[1, 2, 3]]], np.uint8))
    array([[197121]], dtype=int32)
    >>> panoptic.rgb2id((1, 2, 3))
    197121
    """
    if isinstance(color, np.ndarray) and color.ndim == 3:
        if color.shape[2] not in (3, 4):
            raise ValueError(f"rgb2id needs an (H, W, 3) or (H, W, 4) image, got shape {color.shape}")
        if color.dtype == np.uint8:
            wide = color[:, :, :3].astype(np.int32)
            return wide[:, :, 0] + 256 * wide[:, :, 1] + 65536 * wide[:, :, 2]
        if color.dtype.kind not in "iu":
            raise TypeError(f"rgb2id needs an integer image, got dtype {color.dtype}")
        if color.dtype.itemsize < 4:
            raise TypeError(
                f"rgb2id of a {color.dtype} image cannot hold ids up to 2**24 - 1; pass uint8 or a "
                f"32/64-bit integer image"
            )
        rgb = color[:, :, :3]
        if rgb.size and (rgb.min() < 0 or rgb.max() > 255):
            raise ValueError(
                f"rgb2id channel values must lie in 0..255, got {rgb.min()}..{rgb.max()}"
            )
        ids: np.ndarray = rgb[:, :, 0] + 256 * rgb[:, :, 1] + 65536 * rgb[:, :, 2]
        return ids
    if isinstance(color, np.ndarray) and color.ndim != 1:
        raise ValueError(
            f"rgb2id needs an (H, W, 3) image or one colour (r, g, b), got an array of shape "
            f"{color.shape} (a grayscale or palette image has no colour channels)"
        )
    try:
        channels = [color[0], color[1], color[2]]
    except (TypeError, IndexError, KeyError):
        raise ValueError(f"rgb2id needs an (H, W, 3) image or one colour (r, g, b), got {snippet(color)}") from None
    values = []
    for channel in channels:
        if isinstance(channel, (bool, np.bool_)) or not isinstance(channel, (int, np.integer)):
            raise TypeError(f"rgb2id colour channels must be integers, got {snippet(color)}")
        if not 0 <= int(channel) <= 255:
            raise ValueError(f"rgb2id colour channels must lie in 0..255, got {snippet(color)}")
        values.append(int(channel))
    return values[0] + 256 * values[1] + 65536 * values[2]


def id2rgb(id_map: Any) -> Union[np.ndarray, List[int]]:
    """Colours of segment ids: the inverse of :func:`rgb2id`.

    Parameters
    ----------
    id_map : array_like of int or int
        Ids in ``0 .. 2**24 - 1`` of any shape, or one id.

    Returns
    -------
    numpy.ndarray or list of int
        For an array: uint8 of shape ``id_map.shape + (3,)``; for one id: ``[r, g, b]``.

    Raises
    ------
    TypeError
        For non-integer ids.
    ValueError
        For an id below 0 or above 2**24 - 1 (panopticapi would wrap it silently onto another id).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> panoptic.id2rgb(np.array([[197121, 0]]))
    array([[[1, 2, 3],
            [0, 0, 0]]], dtype=uint8)
    >>> panoptic.id2rgb(197121)
    [1, 2, 3]
    """
    if isinstance(id_map, np.ndarray):
        if id_map.dtype.kind not in "iu":
            raise TypeError(f"id2rgb needs integer ids, got dtype {id_map.dtype}")
        if id_map.size:
            low, high = int(id_map.min()), int(id_map.max())
            if low < 0 or high > MAX_ID:
                raise ValueError(
                    f"id2rgb ids must lie in 0..2**24 - 1 (24-bit colours), got {low}..{high}"
                )
        ids = id_map.astype(np.uint32, copy=False)
        rgb = np.empty(id_map.shape + (3,), np.uint8)
        rgb[..., 0] = ids & 0xFF
        rgb[..., 1] = (ids >> 8) & 0xFF
        rgb[..., 2] = ids >> 16
        return rgb
    if isinstance(id_map, (bool, np.bool_)) or not isinstance(id_map, (int, np.integer)):
        raise TypeError(f"id2rgb needs an integer id or an integer array, got {snippet(id_map)}")
    value = int(id_map)
    if not 0 <= value <= MAX_ID:
        raise ValueError(f"id2rgb ids must lie in 0..2**24 - 1 (24-bit colours), got {value}")
    return [value & 0xFF, (value >> 8) & 0xFF, value >> 16]


def _category_table(categories: Any) -> Dict[int, Tuple[bool, Colour]]:
    """``{category id: (isthing, colour)}`` from a dict by id or a COCO ``categories`` list."""
    if isinstance(categories, Mapping):
        items = list(categories.items())
    elif isinstance(categories, (list, tuple)):
        items = []
        for entry in categories:
            if not isinstance(entry, Mapping) or "id" not in entry:
                raise ValueError(f"each category needs an 'id', got {snippet(entry)}")
            items.append((entry["id"], entry))
    else:
        raise TypeError(
            f"categories must be a dict {{id: category}} or a list of category dicts, got "
            f"{type(categories).__name__}"
        )
    table: Dict[int, Tuple[bool, Colour]] = {}
    stuff_colours: Dict[Colour, int] = {}
    for key, entry in items:
        if not isinstance(entry, Mapping):
            raise TypeError(f"category {key!r} must be a dict, got {snippet(entry)}")
        if "isthing" not in entry or "color" not in entry:
            raise ValueError(f"category {key!r} needs 'isthing' and 'color', got {snippet(entry)}")
        colour = entry["color"]
        if (
            not isinstance(colour, (list, tuple, np.ndarray))
            or len(colour) != 3
            or not all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c <= 255 for c in colour)
        ):
            raise ValueError(f"category {key!r} 'color' must be three integers in 0..255, got {snippet(colour)}")
        rgb = (int(colour[0]), int(colour[1]), int(colour[2]))
        isthing = entry["isthing"] != 0
        if not isthing:
            if rgb == (0, 0, 0):
                raise ValueError(f"stuff category {key!r} has colour (0, 0, 0), which is the VOID id 0")
            if rgb in stuff_colours:
                raise ValueError(
                    f"stuff categories {stuff_colours[rgb]!r} and {key!r} share the colour {rgb}, so "
                    f"their segments would get one id; give each stuff category its own colour"
                )
            stuff_colours[rgb] = key
        table[key] = (isthing, rgb)
    return table


def _colour_id(colour: Colour) -> int:
    """:func:`rgb2id` of one checked colour, in plain integers (one per new segment)."""
    return colour[0] + 256 * colour[1] + 65536 * colour[2]


class IdGenerator:
    """Segment ids for new segments, coloured like panopticapi's ``IdGenerator``.

    Parameters
    ----------
    categories : dict or list
        ``{category_id: {"isthing": 0|1, "color": [r, g, b]}}`` or a COCO ``categories`` list.
    seed : int or numpy.random.RandomState, optional
        The random source of thing colours. A ``RandomState`` (or ``seed=s``, which makes
        ``RandomState(s)``) reproduces panopticapi after ``np.random.seed(s)``; ``None`` draws a
        fresh seed.
    mode : {"color", "sequential"}
        ``"color"``: stuff gets its category colour, a thing its category colour the first time
        and a free colour within 30 of it per channel afterwards. ``"sequential"``: ids 1, 2, 3, ...

    Examples
    --------
    >>> from maskkit import panoptic
    >>> cats = [{"id": 1, "isthing": 1, "color": [220, 20, 60]},
    ...         {"id": 2, "isthing": 0, "color": [128, 64, 128]}]
    >>> ids = panoptic.IdGenerator(cats, seed=0)
    >>> ids.get_id(1), ids.get_id(2)
    (3937500, 8405120)
    >>> ids.get_color(1)
    (234, 37, 83)
    >>> panoptic.IdGenerator(cats, mode="sequential").get_id(2)
    1
    """

    def __init__(
        self,
        categories: Any,
        seed: Optional[Union[int, np.random.RandomState]] = None,
        mode: str = "color",
    ) -> None:
        if mode not in ("color", "sequential"):
            raise ValueError(f"mode must be 'color' or 'sequential', got {snippet(mode)}")
        self._categories = _category_table(categories)
        self._owns_random = not isinstance(seed, np.random.RandomState)
        self._prefetched: List[Tuple[int, int, int]] = []
        if isinstance(seed, np.random.RandomState):
            self._random = seed
        elif seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
            self._random = np.random.RandomState(seed)
        else:
            raise TypeError(f"seed must be an int, a numpy RandomState or None, got {snippet(seed)}")
        self._mode = mode
        self._next = 1
        self._taken: Set[Colour] = {(0, 0, 0)}
        self._taken.update(colour for isthing, colour in self._categories.values() if not isthing)

    @property
    def mode(self) -> str:
        """``"color"`` or ``"sequential"``."""
        return self._mode

    def get_color(self, category_id: Any) -> Colour:
        """The colour of a new segment of ``category_id``, as ``(r, g, b)``."""
        r, g, b = id2rgb(self.get_id(category_id))
        return (int(r), int(g), int(b))

    def get_id(self, category_id: Any) -> int:
        """The id of a new segment of ``category_id``."""
        try:
            isthing, base = self._categories[category_id]
        except (KeyError, TypeError):
            raise ValueError(f"unknown category id {snippet(category_id)}") from None
        if self._mode == "sequential":
            if self._next > MAX_ID:
                raise OverflowError("IdGenerator ran out of ids: 2**24 - 1 segments already numbered")
            self._next += 1
            return self._next - 1
        if not isthing:
            return _colour_id(base)
        colour = base if base not in self._taken else self._free_colour_near(base)
        self._taken.add(colour)
        return _colour_id(colour)

    def get_id_and_color(self, category_id: Any) -> Tuple[int, Colour]:
        """``(id, (r, g, b))`` of a new segment of ``category_id``."""
        new_id = self.get_id(category_id)
        r, g, b = id2rgb(new_id)
        return new_id, (int(r), int(g), int(b))

    def _offsets(self) -> Tuple[int, int, int]:
        """The next ``randint(-30, 31, size=3)`` of the random source. A generator that owns its
        RandomState draws them 64 at a time: the stream is the same (legacy randint consumes
        one 32-bit draw per value, whatever the size asked), only the Python overhead is not;
        a RandomState shared with the caller is drawn from three values at a time, so that the
        caller's later draws are what they would be after panopticapi."""
        if not self._owns_random:
            r, g, b = self._random.randint(low=-30, high=31, size=3)
            return int(r), int(g), int(b)
        if not self._prefetched:
            rows = self._random.randint(low=-30, high=31, size=(64, 3)).tolist()
            self._prefetched = [(r, g, b) for r, g, b in reversed(rows)]
        return self._prefetched.pop()

    def _free_colour_near(self, base: Colour) -> Colour:
        # The same draws as panopticapi (randint(-30, 31, size=3) per try, clipped to 0..255),
        # so a seeded generator reproduces its colours. panopticapi loops forever once the
        # 61x61x61 neighbourhood is full; every so many misses the neighbourhood is counted.
        tries = 0
        while True:
            dr, dg, db = self._offsets()
            colour = (min(255, max(0, base[0] + dr)), min(255, max(0, base[1] + dg)), min(255, max(0, base[2] + db)))
            if colour not in self._taken:
                return colour
            tries += 1
            if tries % 4096 == 0 and self._neighbourhood_full(base):
                raise ValueError(f"IdGenerator has no free colour left within 30 of {base}")

    def _neighbourhood_full(self, base: Colour) -> bool:
        ranges = [range(max(0, c - 30), min(255, c + 30) + 1) for c in base]
        size = len(ranges[0]) * len(ranges[1]) * len(ranges[2])
        inside = sum(
            1 for colour in self._taken if all(lo.start <= c < lo.stop for c, lo in zip(colour, ranges))
        )
        return inside >= size
