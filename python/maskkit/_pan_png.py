"""Reading COCO panoptic PNGs as id-image sources for the fused pair histogram.

The fast path parses the chunks of a canonical PNG (8-bit RGB or RGBA, not interlaced, valid
chunk CRCs), inflates its IDAT stream with libdeflate (the ``deflate`` package) or, where that
is not installed, the standard library's zlib, and hands the still-filtered scanlines to the
core, which unfilters, packs colours to ids and counts pairs row by row. Every other file
(palette, grayscale, 16-bit, interlaced, damaged, truncated) is decoded by Pillow exactly as
panopticapi decodes it, ``np.array(Image.open(f), dtype=np.uint32)``, so results are
panopticapi's in both cases; a file Pillow cannot decode raises :class:`PanopticImageError`.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np

from ._pan_errors import PanopticImageError

__all__ = ["IdSource", "id_source", "array_source", "inflater", "png_source", "pillow_source"]

#: (kind, buffer, height, width, row stride in bytes, channels): kind 0 = uint32 id map,
#: 1 = RGB(A) uint8 colours, 2 = inflated PNG scanlines.
IdSource = Tuple[int, Any, int, int, int, int]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Deflate expands at most 1032:1; an IHDR that claims more pixels than its IDAT bytes could
# hold is damaged, and is left to Pillow (which refuses decompression bombs) rather than
# allocated.
_MAX_RATIO = 1032


def inflater(use_libdeflate: bool = True) -> Callable[[Union[bytes, memoryview], int], Optional[Union[bytes, bytearray]]]:
    """``inflate(stream, size)``: the zlib stream's ``size`` bytes, or None for a stream that is
    damaged or of another size; libdeflate where installed (and asked for), zlib otherwise. The
    bytes are not copied (libdeflate's bytearray goes to the core as it is)."""
    try:
        import deflate as libdeflate
    except ImportError:
        libdeflate = None  # type: ignore[assignment]
    if not use_libdeflate:
        libdeflate = None  # type: ignore[assignment]

    def inflate(stream: Union[bytes, memoryview], size: int) -> Optional[Union[bytes, bytearray]]:
        if libdeflate is not None:
            try:
                raw: Union[bytes, bytearray] = libdeflate.zlib_decompress(stream, size)
            except Exception:  # libdeflate's DeflateError: a damaged stream, left to Pillow
                return None
            return raw if len(raw) == size else None
        decompressor = zlib.decompressobj()
        try:
            raw = decompressor.decompress(stream, size)
        except zlib.error:
            return None
        return raw if len(raw) == size and decompressor.eof else None

    return inflate


_inflate = inflater()


def png_source(data: bytes) -> Optional[IdSource]:
    """The scanline source of a canonical 8-bit RGB/RGBA PNG, or None for any other file."""
    if data[:8] != _SIGNATURE:
        return None
    pos, ended, previous = 8, False, b""
    header: Optional[Tuple[int, ...]] = None
    idat: List[memoryview] = []
    view = memoryview(data)  # chunk bodies are views: checked and inflated without copies
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return None
        body = view[pos + 8 : pos + 8 + length]
        if zlib.crc32(body, zlib.crc32(kind)) != struct.unpack_from(">I", data, pos + 8 + length)[0]:
            return None
        if header is None:
            if kind != b"IHDR" or length != 13:
                return None
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            if idat and previous != b"IDAT":
                return None  # IDAT chunks must be consecutive
            idat.append(body)
        elif kind == b"IEND":
            ended = True
            break
        previous = kind
        pos = end
    if header is None or not idat or not ended:
        return None
    width, height, depth, colour_type, compression, filtering, interlace = header
    if depth != 8 or colour_type not in (2, 6) or compression or filtering or interlace or not width or not height:
        return None
    channels = 3 if colour_type == 2 else 4
    stream = idat[0] if len(idat) == 1 else b"".join(idat)
    size = height * (1 + width * channels)
    if size > _MAX_RATIO * len(stream) + 64:
        return None
    raw = _inflate(stream, size)
    if raw is None:
        return None
    if int(np.frombuffer(raw, np.uint8)[:: 1 + width * channels].max()) > 4:
        return None  # an unknown filter type: Pillow reports it
    return (2, raw, height, width, 0, channels)


def pillow_source(data: bytes, name: str) -> IdSource:
    """Decode with Pillow as panopticapi does; a PNG without colour channels raises TypeError
    (panopticapi's rgb2id fails on it the same way)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            mode = image.mode
            pixels = np.array(image, dtype=np.uint32)
    except Exception as exc:  # whatever Pillow raises for a damaged file (OSError, SyntaxError, ...)
        raise PanopticImageError(f"panoptic PNG {name} cannot be decoded: {type(exc).__name__}: {exc}") from exc
    if pixels.ndim != 3:
        raise TypeError(f"panoptic PNG {name} must have colour channels (RGB), got Pillow mode {mode!r}")
    if pixels.shape[2] < 3:
        raise ValueError(f"panoptic PNG {name} must have 3 or 4 channels, got {pixels.shape[2]} (mode {mode!r})")
    return array_source(pixels, name)


def array_source(image: Any, name: str = "image") -> IdSource:
    """The source of an ``(H, W)`` id map (integers in 0..2**24 - 1) or an ``(H, W, 3|4)``
    colour image (uint8, or integers in 0..255 as Pillow gives them)."""
    arr = np.asarray(image)
    if arr.ndim == 3:
        if arr.shape[2] not in (3, 4):
            raise ValueError(f"{name} colour image must have 3 or 4 channels, got shape {arr.shape}")
        if arr.dtype != np.uint8:
            if arr.dtype.kind not in "iu":
                raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
            if arr.size and (int(arr.min()) < 0 or int(arr.max()) > 255):
                raise ValueError(f"{name} colour channels must lie in 0..255, got {arr.min()}..{arr.max()}")
            arr = arr.astype(np.uint8)
        arr = np.ascontiguousarray(arr)
        return (1, arr.reshape(-1), arr.shape[0], arr.shape[1], arr.shape[1] * arr.shape[2], arr.shape[2])
    if arr.ndim != 2:
        raise ValueError(f"{name} must be an (H, W) id map or an (H, W, 3) colour image, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} id map must hold integers, got dtype {arr.dtype}")
    if arr.dtype != np.uint32 or not arr.dtype.isnative:
        if arr.size and (int(arr.min()) < 0 or int(arr.max()) > 0xFFFFFF):
            raise ValueError(f"{name} ids must lie in 0..2**24 - 1, got {arr.min()}..{arr.max()}")
        arr = arr.astype(np.uint32)
    arr = np.ascontiguousarray(arr)
    return (0, arr.reshape(-1), arr.shape[0], arr.shape[1], arr.shape[1] * 4, 0)


def id_source(data: bytes, name: str) -> IdSource:
    """The source of a PNG file's bytes: the fused fast path where it applies, Pillow otherwise."""
    return png_source(data) or pillow_source(data, name)
