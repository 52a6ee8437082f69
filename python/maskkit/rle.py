"""Batch-native COCO run-length encoding.

An :class:`RleBatch` holds many RLEs in three arrays (``counts``, ``offsets``, ``sizes``), so a
batch of a thousand masks is three numpy arrays, not a thousand dicts. Counts follow COCO: the
mask is read column by column (Fortran order) and the runs alternate 0 and 1, starting with a
run of 0. Every function here gives the same counts as ``pycocotools.mask`` on the same masks;
:func:`RleBatch.to_coco` and :func:`RleBatch.from_coco` convert to and from its dicts, and every
function that takes RLEs also takes those dicts directly. Malformed input raises ``TypeError``
(wrong type), ``ValueError`` (wrong value or shape) or ``OverflowError`` (a size beyond
``2**32 - 1``), naming the rule and echoing the value; an index out of range raises
``IndexError``, as for any sequence. The codecs for the other RLE dialects (Kaggle, SAM,
nuImages, Open Images, COCO uncompressed) are here too; :mod:`maskkit.polygon` rasterizes
polygons.

Examples
--------
>>> import numpy as np
>>> from maskkit import rle
>>> masks = np.zeros((2, 4, 3), np.uint8)     # (N, H, W), C-ordered: no transpose needed
>>> masks[0, 1:3, 1:] = 1
>>> batch = rle.encode(masks)
>>> len(batch), batch.sizes.tolist()
(2, [[4, 3], [4, 3]])
>>> batch.to_coco()[0]
{'size': [4, 3], 'counts': b'5220O'}
>>> rle.area(batch).tolist()
[4, 0]
>>> bool((rle.decode(batch) == masks).all())
True
"""

from __future__ import annotations

from . import _dialects, _rle_batch
from ._dialects import *  # noqa: F403  (the codecs for the other RLE dialects)
from ._rasterize import from_polygons as from_polygons
from ._rle_batch import RleBatch as RleBatch
from ._rle_batch import area as area
from ._rle_batch import concatenate as concatenate
from ._rle_batch import decode as decode
from ._rle_batch import empty as empty
from ._rle_batch import encode as encode
from ._rle_batch import from_bbox as from_bbox
from ._rle_batch import iou as iou
from ._rle_batch import merge as merge
from ._rle_batch import to_bbox as to_bbox

__all__ = [name for name in _rle_batch.__all__ if name != "as_batch"] + ["from_polygons"] + _dialects.__all__
