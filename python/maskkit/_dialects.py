"""Codecs between :class:`maskkit.rle.RleBatch` and the other RLE dialects seen in practice.

Every codec works on whole batches with numpy (no Python loop over runs; only a loop over
masks where each mask must become its own Python object, such as a dict or a string).

=================  ===========================================  ==================================
Dialect            One mask looks like                          Functions
=================  ===========================================  ==================================
COCO uncompressed  ``{'size': [h, w], 'counts': [int, ...]}``   :func:`to_uncompressed`,
                                                                :func:`from_uncompressed`
Kaggle             ``"start length start length ..."``          :func:`to_kaggle`,
(EncodedPixels)    1-indexed, column- or row-major              :func:`from_kaggle`
SAM (``amg.py``)   ``{'size': [h, w], 'counts': [int, ...]}``   :func:`to_sam`, :func:`from_sam`
                   canonical (``mask_to_rle_pytorch``)
nuImages           ``{'size': [h, w], 'counts': base64(COCO)}``  :func:`to_nuimages`,
                                                                :func:`from_nuimages`
Open Images        ``base64(zlib(COCO counts string, 9))``       :func:`to_openimages`,
                                                                :func:`from_openimages`
=================  ===========================================  ==================================

Malformed input raises ``ValueError`` (bad values) or ``TypeError`` (bad types); the message
names the rule that was broken and echoes the offending value.
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from typing import Any, Iterable, List, Literal, Optional, Tuple, Union

import numpy as np

from ._coco_dicts import dict_items, parse_count_dicts, rle_dict
from ._rle_batch import RleBatch, as_batch, concatenate, decode, encode
from ._validate import dimension, snippet

__all__ = [
    "to_uncompressed",
    "from_uncompressed",
    "to_kaggle",
    "from_kaggle",
    "to_sam",
    "from_sam",
    "to_nuimages",
    "from_nuimages",
    "to_openimages",
    "from_openimages",
]

Order = Literal["F", "C"]

_U32_MAX = 0xFFFFFFFF
# Bytes a COCO counts string may hold: every char but NUL-free '0'..'o' (48..111).
_COCO_CHARS = bytes(range(48, 112))
_WHITESPACE = b" \t\n\r\v\f"
# Dense scratch memory (bytes) used at most at once by the row-major Kaggle paths.
_DENSE_CHUNK_BYTES = 1 << 26
# zlib's max_length must fit a C ssize_t.
_ZLIB_MAX_OUTPUT = (1 << 62)


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def _check_order(order: Any) -> Order:
    if not isinstance(order, str) or order not in ("F", "C"):
        raise ValueError(
            f"order must be 'F' (column-major, Airbus/DSB) or 'C' (row-major, Carvana), got {snippet(order)}"
        )
    return order  # type: ignore[return-value]


def _string_items(strings: Any, what: str) -> List[Any]:
    """A single str/bytes gives a list of one; any other iterable gives its items."""
    if isinstance(strings, (str, bytes)):
        return [strings]
    if isinstance(strings, dict) or not isinstance(strings, Iterable):
        raise TypeError(f"expected a {what} string or a sequence of them, got {type(strings).__name__} {snippet(strings)}")
    return list(strings)


def _from_count_dicts(objs: Any, what: str) -> RleBatch:
    return RleBatch._trusted(*parse_count_dicts(objs, what))


def _pixels(sizes: np.ndarray) -> np.ndarray:
    """h*w per mask as uint64 (exact: h, w < 2**32)."""
    return sizes[:, 0].astype(np.uint64) * sizes[:, 1].astype(np.uint64)


def _toggles(batch: RleBatch) -> Tuple[np.ndarray, np.ndarray]:
    """Canonical change points of every mask: (mask index int64, pixel position uint64).

    A position ``p`` means pixel ``p`` (column-major) differs from pixel ``p - 1`` (pixel -1 is
    0). Zero-length runs cancel out, positions at ``h*w`` are dropped, and a short counts sum
    leaves the rest of the mask 0 (as :func:`maskkit.rle.decode`). Sums past ``h*w`` raise.
    """
    n = len(batch)
    offsets = batch.offsets
    lengths = np.diff(offsets)
    hw = _pixels(batch.sizes)
    prefix = np.zeros(batch.counts.size + 1, np.uint64)
    np.cumsum(batch.counts, dtype=np.uint64, out=prefix[1:])
    base = prefix[offsets[:-1]]
    total = prefix[offsets[1:]] - base
    over = np.flatnonzero(total > hw)
    if over.size:
        i = int(over[0])
        h, w = batch.sizes[i].tolist()
        raise ValueError(
            f"RLE {i}: counts must sum to at most h*w = {h}x{w} = {int(hw[i])}, got {int(total[i])}"
        )
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    # Every count ends at a change point, except a last run of 0 (the mask stays 0). A last
    # run of 1 that stops short of h*w is followed by 0s (as in decode), so it toggles too.
    inner = np.ones(batch.counts.size, bool)
    inner[offsets[1:][lengths % 2 == 1] - 1] = False
    index = np.flatnonzero(inner)
    mask_of = owner[index]
    pos = prefix[index + 1] - base[mask_of]
    keep = pos < hw[mask_of]
    mask_of, pos = mask_of[keep], pos[keep]
    if pos.size == 0:
        return mask_of, pos
    # Equal (mask, position) neighbours form groups; only groups of odd size toggle.
    first = np.ones(pos.size, bool)
    first[1:] = (pos[1:] != pos[:-1]) | (mask_of[1:] != mask_of[:-1])
    starts = np.flatnonzero(first)
    group_sizes = np.diff(np.append(starts, pos.size))
    odd = starts[group_sizes % 2 == 1]
    return mask_of[odd], pos[odd]


def _is_canonical(batch: RleBatch) -> bool:
    """True when every RLE sums to h*w and has no zero count but a leading one."""
    lengths = np.diff(batch.offsets)
    if np.any(lengths == 0):
        return False
    zero = batch.counts == 0
    zero[batch.offsets[:-1]] = False
    if zero.any():
        return False
    totals = np.add.reduceat(batch.counts, batch.offsets[:-1], dtype=np.uint64) if len(batch) else np.zeros(0, np.uint64)
    return bool(np.array_equal(totals, _pixels(batch.sizes)))


def _counts_from_toggles(
    mask_of: np.ndarray, pos: np.ndarray, hw: np.ndarray
) -> Tuple[np.ndarray, np.ndarray]:
    """Canonical COCO counts from sorted change points (< h*w): (counts uint32, offsets)."""
    n = hw.size
    k = np.bincount(mask_of, minlength=n).astype(np.int64) if mask_of.size else np.zeros(n, np.int64)
    bnd_off = np.zeros(n + 1, np.int64)
    np.cumsum(k + 2, out=bnd_off[1:])
    bnd = np.empty(int(bnd_off[-1]), np.uint64)
    bnd[bnd_off[:-1]] = 0
    bnd[bnd_off[:-1] + k + 1] = hw
    tog_off = np.zeros(n + 1, np.int64)
    np.cumsum(k, out=tog_off[1:])
    rank = np.arange(pos.size, dtype=np.int64) - tog_off[:-1][mask_of]
    bnd[bnd_off[:-1][mask_of] + 1 + rank] = pos
    keep = np.ones(max(bnd.size - 1, 0), bool)
    keep[bnd_off[1:-1] - 1] = False
    counts = (bnd[1:] - bnd[:-1])[keep]
    if counts.size and int(counts.max()) > _U32_MAX:
        i = int(np.searchsorted(np.cumsum(k + 1), int(np.argmax(counts)), side="right"))
        raise OverflowError(
            f"RLE {i}: a run of {int(counts.max())} pixels does not fit COCO's 32-bit counts"
        )
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(k + 1, out=offsets[1:])
    return counts.astype(np.uint32), offsets


def _runs_from_toggles(
    mask_of: np.ndarray, pos: np.ndarray, hw: np.ndarray
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of 1 from sorted change points: (pairs per mask, start uint64, end uint64)."""
    n = hw.size
    k = np.bincount(mask_of, minlength=n).astype(np.int64) if mask_of.size else np.zeros(n, np.int64)
    odd = k % 2
    slots = k + odd  # an unfinished run ends at h*w
    slot_off = np.zeros(n + 1, np.int64)
    np.cumsum(slots, out=slot_off[1:])
    out = np.empty(int(slot_off[-1]), np.uint64)
    tog_off = np.zeros(n + 1, np.int64)
    np.cumsum(k, out=tog_off[1:])
    rank = np.arange(pos.size, dtype=np.int64) - tog_off[:-1][mask_of]
    out[slot_off[:-1][mask_of] + rank] = pos
    closing = np.flatnonzero(odd)
    out[slot_off[1:][closing] - 1] = hw[closing]
    return slots // 2, out[0::2], out[1::2]


def _format_tokens(values: np.ndarray, per_mask: np.ndarray) -> List[str]:
    """Space-joined decimal strings of ``values`` (uint64), ``per_mask[i]`` tokens each."""
    n = per_mask.size
    if values.size == 0:
        return [""] * n
    digits = np.ones(values.size, np.int64)
    top = int(values.max())
    power = 10
    while power <= top:
        digits += values >= np.uint64(power)
        power *= 10
    width = digits + 1  # one trailing space each
    ends = np.cumsum(width)
    starts = ends - width
    buf = np.full(int(ends[-1]), ord(" "), np.uint8)
    rest = values.copy()
    for d in range(int(digits.max())):
        live = np.flatnonzero(digits > d)
        buf[starts[live] + digits[live] - 1 - d] = (rest[live] % np.uint64(10)).astype(np.uint8) + ord("0")
        rest //= np.uint64(10)
    text = buf.tobytes().decode("ascii")
    tok_off = np.zeros(n + 1, np.int64)
    np.cumsum(per_mask, out=tok_off[1:])
    char_off = np.zeros(values.size + 1, np.int64)
    char_off[1:] = ends
    begin = char_off[tok_off[:-1]].tolist()
    end = (char_off[tok_off[1:]] - 1).tolist()  # drop the trailing space
    return [text[a:b] if b > a else "" for a, b in zip(begin, end)]


def _parse_tokens(texts: List[str]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decimal tokens of every string: (values uint64, owning string int64, per-string counts)."""
    n = len(texts)
    lengths = np.fromiter((len(t) for t in texts), np.int64, n)
    text_off = np.zeros(n + 1, np.int64)
    np.cumsum(lengths + 1, out=text_off[1:])
    data = np.frombuffer(" ".join(texts).encode("ascii"), np.uint8)
    is_digit = (data - np.uint8(ord("0"))) < 10
    is_space = (data == ord(" ")) | ((data >= 9) & (data <= 13))
    bad = np.flatnonzero(~(is_digit | is_space))
    if bad.size:
        at = int(bad[0])
        i = int(np.searchsorted(text_off, at, side="right")) - 1
        char = chr(int(data[at]))
        raise ValueError(
            f"Kaggle RLE {i} must hold only non-negative integers separated by spaces "
            f"('start length' pairs); found {char!r} at character {at - int(text_off[i])} "
            f"of {snippet(texts[i])}"
        )
    edges = np.flatnonzero(np.diff(is_digit.view(np.int8), prepend=0, append=0))
    tstart, tend = edges[0::2], edges[1::2]
    tlen = tend - tstart
    owner = np.searchsorted(text_off, tstart, side="right") - 1
    if tlen.size and int(tlen.max()) > 19:
        j = int(np.argmax(tlen))
        i = int(owner[j])
        token = texts[i][int(tstart[j] - text_off[i]) : int(tend[j] - text_off[i])]
        raise ValueError(f"Kaggle RLE {i}: number {snippet(token)} is too large for a pixel index")
    values = np.zeros(tstart.size, np.uint64)
    for d in range(int(tlen.max()) if tlen.size else 0):
        live = np.flatnonzero(tlen > d)
        values[live] = values[live] * np.uint64(10) + (data[tstart[live] + d] - np.uint8(ord("0")))
    per_text = np.bincount(owner, minlength=n).astype(np.int64) if owner.size else np.zeros(n, np.int64)
    return values, owner.astype(np.int64), per_text


def _kaggle_texts(strings: Any) -> List[str]:
    items = _string_items(strings, "Kaggle RLE")
    texts: List[str] = []
    for i, s in enumerate(items):
        if s is None or (isinstance(s, float) and math.isnan(s)):
            texts.append("")
        elif isinstance(s, str):
            if not s.isascii():
                raise ValueError(
                    f"Kaggle RLE {i} must hold only non-negative integers separated by spaces "
                    f"('start length' pairs); got non-ASCII text {snippet(s)}"
                )
            texts.append(s)
        elif isinstance(s, (bytes, bytearray)):
            try:
                texts.append(bytes(s).decode("ascii"))
            except UnicodeDecodeError:
                raise ValueError(
                    f"Kaggle RLE {i} must hold only non-negative integers separated by spaces "
                    f"('start length' pairs); got non-ASCII bytes {snippet(s)}"
                ) from None
        else:
            raise TypeError(
                f"Kaggle RLE {i} must be a str (or '' / None / NaN for an empty mask), "
                f"got {type(s).__name__} {snippet(s)}"
            )
    return texts


def _tiles(rows: int, cols: int) -> Iterable[Tuple[int, int, int, int]]:
    """Tiles ``(r0, r1, c0, c1)`` of a rows x cols grid, of at most _DENSE_CHUNK_BYTES pixels
    (at least one), in column-major order: whole-height bands of columns, or, for grids taller
    than the budget, pieces of one column. Each tile is one contiguous range of column-major
    pixel indices, so the tiles' change points come out sorted."""
    budget = max(1, _DENSE_CHUNK_BYTES)
    if rows <= budget:
        step = max(1, budget // rows)
        for c0 in range(0, cols, step):
            yield 0, rows, c0, min(c0 + step, cols)
    else:
        for c0 in range(cols):
            for r0 in range(0, rows, budget):
                yield r0, min(r0 + budget, rows), c0, c0 + 1


def _transposed_toggles(pos: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Change points of one rows x cols grid read row by row (``pos``, sorted, < rows*cols),
    as the change points of the same grid read column by column (uint64, sorted).

    The grid is rebuilt densely one tile at a time (:func:`_tiles`): memory is one tile plus
    the change points, whatever the grid's size.
    """
    if rows <= 1 or cols <= 1 or pos.size == 0:
        return pos.astype(np.uint64)  # a single row or column reads the same both ways
    flat_pos = pos.astype(np.int64)
    found: List[np.ndarray] = []
    previous = 0  # the pixel before the tile in column-major order (pixel -1 is 0)
    for r0, r1, c0, c1 in _tiles(rows, cols):
        line_start = np.arange(r0, r1, dtype=np.int64) * cols + c0
        first = np.searchsorted(flat_pos, line_start, side="right")  # toggles <= the tile's column c0
        last = np.searchsorted(flat_pos, line_start + (c1 - c0), side="left")
        tile = np.zeros((r1 - r0, c1 - c0), np.uint8)
        tile[:, 0] = first & 1
        inside = last - first
        total = int(inside.sum())
        if total:
            line = np.repeat(np.arange(r1 - r0), inside)
            seq = np.arange(total) - np.repeat(np.cumsum(inside) - inside, inside)
            tile[line, flat_pos[first[line] + seq] - line_start[line]] = 1
        np.bitwise_xor.accumulate(tile, axis=1, out=tile)
        # Column-major neighbours without transposing the tile: the pixel above, and for the
        # top row the last pixel of the column before (the previous tile's, for column 0).
        width = c1 - c0
        top = np.flatnonzero(tile[0] != np.concatenate([[previous], tile[-1, :-1]]))
        below = np.flatnonzero(tile[1:] != tile[:-1])
        row = np.concatenate([np.zeros(top.size, np.int64), below // width + 1])
        col = np.concatenate([top, below % width])
        found.append(np.sort((col + c0) * rows + row + r0).astype(np.uint64))
        previous = int(tile[-1, -1])
    return np.concatenate(found)


def _transpose_batch(
    mask_of: np.ndarray, pos: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`_transposed_toggles` of every mask; ``mask_of`` sorted, mask i is rows[i] x cols[i]."""
    bounds = np.searchsorted(mask_of, np.arange(rows.size + 1))
    parts = [
        _transposed_toggles(pos[bounds[i] : bounds[i + 1]], int(rows[i]), int(cols[i]))
        for i in np.flatnonzero(np.diff(bounds)).tolist()
    ]
    if not parts:
        return mask_of[:0], pos[:0]
    lengths = [p.size for p in parts]
    owners = np.repeat(np.flatnonzero(np.diff(bounds)), lengths).astype(np.int64)
    return owners, np.concatenate(parts)


def _coco_bytes(raw: bytes, i: int, what: str) -> bytes:
    stray = raw.translate(None, _COCO_CHARS)
    if stray:
        raise ValueError(
            f"{what} RLE {i}: the decoded COCO counts string may hold only characters '0'..'o' "
            f"(48..111), found byte {stray[0]} in {snippet(raw)}"
        )
    return raw


def _b64decode(value: Any, i: int, what: str) -> bytes:
    if isinstance(value, str):
        if not value.isascii():
            raise ValueError(f"{what} RLE {i}: counts must be base64 (ASCII), got {snippet(value)}")
        data = value.encode("ascii")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        raise TypeError(f"{what} RLE {i}: counts must be a base64 str or bytes, got {type(value).__name__}")
    try:
        return base64.b64decode(data.translate(None, _WHITESPACE), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{what} RLE {i}: counts are not valid base64 ({exc}): {snippet(value)}") from None


# --------------------------------------------------------------------------------------------
# COCO uncompressed
# --------------------------------------------------------------------------------------------
def to_uncompressed(batch: RleBatch) -> List[dict[str, Any]]:
    """COCO uncompressed RLE dicts: ``{'size': [h, w], 'counts': [int, ...]}``.

    Parameters
    ----------
    batch : RleBatch
        The RLEs to write.

    Returns
    -------
    list of dict
        One dict per RLE, keys in the order ``size``, ``counts``, with plain Python ints.
        Counts are copied verbatim (non-canonical counts stay as they are), so
        ``pycocotools.mask.frPyObjects(d, h, w)`` gives the same bytes as ``batch.to_coco()``.

    See Also
    --------
    from_uncompressed, to_sam

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import rle
    >>> from maskkit._dialects import to_uncompressed
    >>> to_uncompressed(rle.encode(np.eye(3, dtype=np.uint8)))
    [{'size': [3, 3], 'counts': [0, 1, 3, 1, 3, 1]}]
    """
    batch = as_batch(batch, "to_uncompressed")
    counts = batch.counts.tolist()
    offsets = batch.offsets.tolist()
    return [
        {"size": [h, w], "counts": counts[offsets[i] : offsets[i + 1]]}
        for i, (h, w) in enumerate(batch.sizes.tolist())
    ]


def from_uncompressed(objs: Union[dict[str, Any], Iterable[dict[str, Any]]]) -> RleBatch:
    """Read COCO uncompressed RLE dicts (``counts`` a list of ints).

    Parameters
    ----------
    objs : dict or iterable of dict
        ``{'size': [h, w], 'counts': [int, ...]}``; a single dict gives a batch of one.
        ``counts`` may be a list, tuple or integer ndarray.

    Returns
    -------
    RleBatch
        Counts stored verbatim, as ``pycocotools.mask.frPyObjects`` does (a sum other than
        ``h*w`` is kept; :func:`maskkit.rle.decode` refuses sums past ``h*w``).

    Raises
    ------
    TypeError
        Not a dict; counts that are bytes/str (use :meth:`RleBatch.from_coco`), floats or bools.
    ValueError
        Missing keys, a size that is not ``[h, w]`` of non-negative ints, counts outside
        ``[0, 2**32 - 1]``.

    Examples
    --------
    >>> from maskkit._dialects import from_uncompressed
    >>> b = from_uncompressed({'size': [3, 3], 'counts': [0, 1, 3, 1, 3, 1]})
    >>> b.to_coco()
    [{'size': [3, 3], 'counts': b'013000'}]
    """
    return _from_count_dicts(objs, "uncompressed")


# --------------------------------------------------------------------------------------------
# SAM
# --------------------------------------------------------------------------------------------
def to_sam(batch: RleBatch) -> List[dict[str, Any]]:
    """What ``segment_anything.utils.amg.mask_to_rle_pytorch`` returns for the same masks.

    Parameters
    ----------
    batch : RleBatch
        The RLEs to write.

    Returns
    -------
    list of dict
        ``{'size': [h, w], 'counts': [int, ...]}`` with canonical column-major counts: the
        first count is the run of 0 (0 when the first pixel is set), no other count is 0.
        For canonical input (anything :func:`maskkit.rle.encode` makes) this equals
        :func:`to_uncompressed`; non-canonical counts (zero-length runs, a short sum) are
        rewritten to the canonical counts of the mask they decode to.

    Notes
    -----
    ``mask_to_rle_pytorch`` fails on masks with ``h*w == 0``; here they give ``[0]`` as in
    pycocotools. Counts summing past ``h*w`` raise ``ValueError``.

    Examples
    --------
    >>> from maskkit.rle import RleBatch
    >>> from maskkit._dialects import to_sam
    >>> to_sam(RleBatch([1, 0, 2, 1], [0, 4], [[2, 2]]))   # zero-length run: merged
    [{'size': [2, 2], 'counts': [3, 1]}]
    """
    batch = as_batch(batch, "to_sam")
    if _is_canonical(batch):
        return to_uncompressed(batch)
    mask_of, pos = _toggles(batch)
    counts, offsets = _counts_from_toggles(mask_of, pos, _pixels(batch.sizes))
    return to_uncompressed(RleBatch._trusted(counts, offsets, batch.sizes.copy()))


def from_sam(objs: Union[dict[str, Any], Iterable[dict[str, Any]]]) -> RleBatch:
    """Read SAM RLE dicts (``mask_to_rle_pytorch`` output, AMG ``uncompressed_rle``).

    Parameters
    ----------
    objs : dict or iterable of dict
        ``{'size': [h, w], 'counts': [int, ...]}``; a single dict gives a batch of one.

    Returns
    -------
    RleBatch
        Counts stored verbatim (SAM's format is COCO's uncompressed RLE).

    Raises
    ------
    TypeError, ValueError
        As :func:`from_uncompressed`.

    Examples
    --------
    >>> from maskkit import rle
    >>> from maskkit._dialects import from_sam
    >>> rle.decode(from_sam([{'size': [2, 2], 'counts': [0, 1, 3]}]))[0]
    array([[1, 0],
           [0, 0]], dtype=uint8)
    """
    return _from_count_dicts(objs, "SAM")


# --------------------------------------------------------------------------------------------
# Kaggle EncodedPixels
# --------------------------------------------------------------------------------------------
def to_kaggle(batch: RleBatch, *, order: Order = "F") -> List[str]:
    """Kaggle "EncodedPixels" strings: ``"start length start length ..."``, 1-indexed.

    Parameters
    ----------
    batch : RleBatch
        The RLEs to write.
    order : {"F", "C"}
        Pixel numbering. ``"F"`` (default): column-major, top to bottom then left to right
        (Airbus Ship Detection, DSB 2018 ``mask.T.flatten()``). ``"C"``: row-major (Carvana,
        ``mask.flatten()``).

    Returns
    -------
    list of str
        One string per RLE; an empty mask gives ``""``. Runs are sorted, non-overlapping and
        maximal (touching runs are merged).

    Notes
    -----
    ``order="F"`` works on the counts directly. ``order="C"`` rebuilds each mask densely, one
    tile of at most 64 MiB at a time, to re-scan it row by row: O(h*w) time per mask rather
    than O(runs), and memory of one tile plus the runs, however large the mask.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import rle
    >>> from maskkit._dialects import to_kaggle
    >>> m = np.array([[0, 1, 1],
    ...               [0, 1, 0]], np.uint8)
    >>> to_kaggle(rle.encode(m)), to_kaggle(rle.encode(m), order="C")
    (['3 3'], ['2 2 5 1'])
    """
    batch = as_batch(batch, "to_kaggle")
    order = _check_order(order)
    n = len(batch)
    hw = _pixels(batch.sizes)
    mask_of, pos = _toggles(batch)
    if order == "C":  # column-major change points of (h, w) are row-major ones of (w, h)
        mask_of, pos = _transpose_batch(mask_of, pos, batch.sizes[:, 1], batch.sizes[:, 0])
    pairs, start, end = _runs_from_toggles(mask_of, pos, hw)
    values = np.empty(2 * start.size, np.uint64)
    values[0::2] = start + np.uint64(1)
    values[1::2] = end - start
    return _format_tokens(values, 2 * pairs)


def from_kaggle(
    strings: Union[str, Iterable[Optional[Union[str, float]]]],
    height: int,
    width: int,
    *,
    order: Order = "F",
) -> RleBatch:
    """Read Kaggle "EncodedPixels" strings (``"start length ..."``, 1-indexed) of one image size.

    Parameters
    ----------
    strings : str or iterable of (str, None or NaN)
        One string (a batch of one) or many, e.g. a pandas column. ``""``, ``None`` and NaN
        are empty masks. Tokens may be separated by any ASCII whitespace.
    height, width : int
        The image size (non-negative ints).
    order : {"F", "C"}
        Pixel numbering: ``"F"`` column-major (Airbus, DSB 2018), ``"C"`` row-major (Carvana).

    Returns
    -------
    RleBatch
        Canonical COCO counts, identical to :func:`maskkit.rle.encode` of the masks.

    Raises
    ------
    ValueError
        Anything but digits and whitespace (signs, decimals, letters); an odd number of
        tokens; a start below 1; a length below 1; runs that are unsorted or overlap; runs
        that end past ``height * width``. Touching runs are accepted and merged.
    TypeError
        An item that is not a str, bytes, None or NaN; a non-integer height or width.

    Notes
    -----
    ``order="C"`` rebuilds each mask densely, one tile of at most 64 MiB at a time, to re-scan
    it in column-major order: O(h*w) time per mask rather than O(runs), and memory of one
    tile plus the runs, however large the mask.

    Examples
    --------
    >>> from maskkit import rle
    >>> from maskkit._dialects import from_kaggle
    >>> b = from_kaggle(["3 3", "", None], 2, 3)
    >>> b.to_coco()[0]
    {'size': [2, 3], 'counts': b'231'}
    >>> rle.decode(from_kaggle("2 2 5 1", 2, 3, order="C"))[0]
    array([[0, 1, 1],
           [0, 1, 0]], dtype=uint8)
    """
    h = dimension(height, "height")
    w = dimension(width, "width")
    order = _check_order(order)
    texts = _kaggle_texts(strings)
    n = len(texts)
    hw = h * w
    values, owner, per_text = _parse_tokens(texts)
    odd = np.flatnonzero(per_text % 2)
    if odd.size:
        i = int(odd[0])
        raise ValueError(
            f"Kaggle RLE {i} must hold 'start length' pairs, got {int(per_text[i])} numbers: "
            f"{snippet(texts[i])}"
        )
    start, length, mask_of = values[0::2], values[1::2], owner[0::2]

    def fail(j: int, rule: str) -> None:
        i = int(mask_of[j])
        raise ValueError(
            f"Kaggle RLE {i}, pair {j - int(np.searchsorted(mask_of, i))} "
            f"(start {int(start[j])}, length {int(length[j])}): {rule}; in {snippet(texts[i])}"
        )

    bad = np.flatnonzero(start == 0)
    if bad.size:
        fail(int(bad[0]), "starts are 1-indexed and must be >= 1")
    bad = np.flatnonzero(length == 0)
    if bad.size:
        fail(int(bad[0]), "lengths must be >= 1")
    first = start - np.uint64(1)  # 0-indexed
    bad = np.flatnonzero((first >= np.uint64(hw)) | (length > np.uint64(hw) - np.minimum(first, np.uint64(hw))))
    if bad.size:
        fail(int(bad[0]), f"the run ends past the last pixel h*w = {h}x{w} = {hw}")
    end = first + length
    same = mask_of[1:] == mask_of[:-1]
    bad = np.flatnonzero(same & (first[1:] < end[:-1]))
    if bad.size:
        fail(int(bad[0]) + 1, f"runs must be sorted and non-overlapping, but the previous run ends at "
             f"pixel {int(end[bad[0]])}")
    # Change points: run starts and ends; touching runs cancel, ends at h*w fall off.
    pos = np.empty(2 * start.size, np.uint64)
    pos[0::2], pos[1::2] = first, end
    tog_mask = np.repeat(mask_of, 2)
    keep = pos < np.uint64(hw)
    touching = np.flatnonzero(same & (first[1:] == end[:-1]))
    keep[2 * touching + 1] = False  # end of the earlier run
    keep[2 * touching + 2] = False  # start of the later run
    tog_mask, pos = tog_mask[keep], pos[keep]
    if order == "C":
        tog_mask, pos = _transpose_batch(tog_mask, pos, np.full(n, h), np.full(n, w))
    counts, offsets = _counts_from_toggles(tog_mask, pos, np.full(n, hw, np.uint64))
    return RleBatch._uniform(counts, offsets, h, w)


# --------------------------------------------------------------------------------------------
# nuImages
# --------------------------------------------------------------------------------------------
def to_nuimages(batch: RleBatch) -> List[dict[str, Any]]:
    """nuImages masks: ``{'size': [h, w], 'counts': base64(COCO compressed counts)}``.

    Parameters
    ----------
    batch : RleBatch
        The RLEs to write.

    Returns
    -------
    list of dict
        ``counts`` is an ASCII ``str``: ``base64.b64encode(coco_bytes).decode('ascii')``, as
        stored in nuImages' ``object_ann.json`` / ``surface_ann.json``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import rle
    >>> from maskkit._dialects import to_nuimages
    >>> to_nuimages(rle.encode(np.eye(3, dtype=np.uint8)))
    [{'size': [3, 3], 'counts': 'MDEzMDAw'}]
    """
    batch = as_batch(batch, "to_nuimages")
    return [
        {"size": d["size"], "counts": base64.b64encode(d["counts"]).decode("ascii")}
        for d in batch.to_coco()
    ]


def from_nuimages(objs: Union[dict[str, Any], Iterable[dict[str, Any]]]) -> RleBatch:
    """Read nuImages masks (``counts`` = base64 of the COCO compressed string).

    Parameters
    ----------
    objs : dict or iterable of dict
        ``{'size': [h, w], 'counts': str or bytes}``; a single dict gives a batch of one.

    Returns
    -------
    RleBatch
        The same counts the nuImages devkit decodes (``b64decode`` then
        ``pycocotools.mask.decode``).

    Raises
    ------
    ValueError
        Invalid base64 (ASCII whitespace is ignored), a decoded string with characters outside
        COCO's ``'0'..'o'``, a bad size.
    TypeError
        counts that are not str/bytes (lists are read by :func:`from_uncompressed`).

    Examples
    --------
    >>> from maskkit._dialects import from_nuimages
    >>> from_nuimages({'size': [3, 3], 'counts': 'MDEzMDAw'}).to_coco()
    [{'size': [3, 3], 'counts': b'013000'}]
    """
    items = dict_items(objs, "nuImages")
    coco = []
    for i, obj in enumerate(items):
        h, w, counts = rle_dict(obj, i, "nuImages")
        if not isinstance(counts, (str, bytes, bytearray)):
            raise TypeError(
                f"nuImages RLE {i}: counts must be a base64 str or bytes, got {type(counts).__name__} "
                f"{snippet(counts)}" + ("; lists are read by from_uncompressed" if isinstance(counts, list) else "")
            )
        coco.append({"size": [h, w], "counts": _coco_bytes(_b64decode(counts, i, "nuImages"), i, "nuImages")})
    return RleBatch.from_coco(coco)


# --------------------------------------------------------------------------------------------
# Open Images
# --------------------------------------------------------------------------------------------
def to_openimages(batch: RleBatch) -> List[str]:
    """Open Images challenge masks: ``base64(zlib.compress(coco_counts, 9))`` per RLE.

    Parameters
    ----------
    batch : RleBatch
        The RLEs to write.

    Returns
    -------
    list of str
        The ASCII text of what the challenge helper ``encode_binary_mask`` returns (it returns
        the same characters as bytes). The image size is not stored: keep height and width.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import rle
    >>> from maskkit._dialects import from_openimages, to_openimages
    >>> text = to_openimages(rle.encode(np.eye(3, dtype=np.uint8)))
    >>> text
    ['eNozMDQ2MDAAAAQHASU=']
    >>> from_openimages(text, 3, 3).to_coco()
    [{'size': [3, 3], 'counts': b'013000'}]
    """
    batch = as_batch(batch, "to_openimages")
    compress = zlib.compress
    return [
        base64.b64encode(compress(d["counts"], zlib.Z_BEST_COMPRESSION)).decode("ascii")
        for d in batch.to_coco()
    ]


def from_openimages(
    strings: Union[str, bytes, Iterable[Union[str, bytes]]], height: int, width: int
) -> RleBatch:
    """Read Open Images challenge masks (base64 of zlib of the COCO counts string).

    Parameters
    ----------
    strings : str, bytes or iterable of them
        One encoded mask (a batch of one) or many.
    height, width : int
        The image size (non-negative ints), which the encoding does not store.

    Returns
    -------
    RleBatch
        The counts the challenge's evaluation code decodes.

    Raises
    ------
    ValueError
        Invalid base64 (ASCII whitespace is ignored), a zlib stream that is corrupt, truncated,
        followed by extra bytes, or that expands past the longest COCO string an
        ``height x width`` mask can have; a decoded string with characters outside ``'0'..'o'``.
    TypeError
        An item that is not str/bytes; a non-integer height or width.

    Examples
    --------
    >>> from maskkit._dialects import from_openimages
    >>> from_openimages('eNozMDQ2MDAAAAQHASU=', 3, 3).counts.tolist()
    [0, 1, 3, 1, 3, 1]
    """
    h = dimension(height, "height")
    w = dimension(width, "width")
    items = _string_items(strings, "Open Images RLE")
    # A COCO string has at most 7 characters per count and a canonical mask at most h*w + 1
    # counts: anything longer is refused before it is allocated (zlib bombs).
    limit = min(7 * (h * w + 2) + 64, _ZLIB_MAX_OUTPUT)
    coco = []
    for i, s in enumerate(items):
        if not isinstance(s, (str, bytes, bytearray)):
            raise TypeError(f"Open Images RLE {i} must be a base64 str or bytes, got {type(s).__name__} {snippet(s)}")
        packed = _b64decode(s, i, "Open Images")
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(packed, limit)
        except zlib.error as exc:
            raise ValueError(f"Open Images RLE {i}: not a valid zlib stream ({exc}): {snippet(s)}") from None
        if inflater.unconsumed_tail:
            raise ValueError(
                f"Open Images RLE {i}: decompresses to more than {limit} bytes, longer than any COCO "
                f"string of a {h}x{w} mask: {snippet(s)}"
            )
        if not inflater.eof:
            raise ValueError(f"Open Images RLE {i}: truncated zlib stream: {snippet(s)}")
        if inflater.unused_data:
            raise ValueError(
                f"Open Images RLE {i}: {len(inflater.unused_data)} extra bytes after the zlib stream: "
                f"{snippet(s)}"
            )
        coco.append({"size": [h, w], "counts": _coco_bytes(raw, i, "Open Images")})
    return RleBatch.from_coco(coco)
