"""Connected-component labeling numbered like ``scipy.ndimage.label``.

Labels are ``1..n`` in raster (C) order of each component's first pixel, whatever the memory
layout of the input; background pixels are 0. Binary mode (the default) connects all pixels
that differ from ``background`` (``scipy.ndimage.label(image != background, structure)``);
``multilabel=True`` connects neighbouring pixels of equal value
(``skimage.measure.label(image, connectivity=k, background=background)``).

Examples
--------
>>> import numpy as np
>>> from maskkit import cc
>>> image = np.array([[1, 1, 0, 0],
...                   [0, 0, 0, 1],
...                   [1, 0, 1, 1]], np.uint8)
>>> labels, n = cc.label(image, 4)
>>> n
3
>>> labels
array([[1, 1, 0, 0],
       [0, 0, 0, 2],
       [3, 0, 2, 2]], dtype=uint8)
>>> cc.label(np.eye(3, dtype=bool))[1]        # default: full connectivity (8 in 2-D)
1
"""

from __future__ import annotations

from . import _cc_label
from ._cc_cleanup import dust, fill_holes, largest_k, remove_small_holes, remove_small_objects
from ._cc_label import Components, label, label_batch, label_stats

__all__ = [
    "label",
    "label_stats",
    "label_batch",
    "Components",
    "remove_small_objects",
    "remove_small_holes",
    "fill_holes",
    "dust",
    "largest_k",
]

# The labelers' examples are run with this module's (the clean-ups' with their own module's).
__test__ = {name: getattr(_cc_label, name) for name in _cc_label.__all__}
