"""Exception classes of ``maskkit.coco`` where pycocotools raises a specific built-in type.

pycocotools signals some bad inputs with ``AssertionError``, ``KeyError`` or ``IndexError``.
maskkit raises a class deriving from that type *and* from ``ValueError``, so code written for
either (``except AssertionError`` ported from pycocotools, or ``except ValueError`` as maskkit
documents for bad values) catches it, and the check is a real one (it also runs under
``python -O``, where pycocotools' ``assert`` does not).

Examples
--------
>>> import maskkit.coco as mask
>>> try:
...     mask.area({"size": [2, 2]})
... except KeyError as error:
...     isinstance(error, ValueError)
True
"""

from __future__ import annotations

__all__ = ["RleAssertionError", "RleAttributeError", "RleIndexError", "RleKeyError"]


class RleAssertionError(AssertionError, ValueError):
    """An argument check that pycocotools makes with ``assert`` (e.g. ``iou``'s ``iscrowd`` length)."""


class RleKeyError(KeyError, ValueError):
    """An RLE object without its ``'size'`` or ``'counts'`` key."""

    def __str__(self) -> str:  # KeyError's str() is the repr of its argument
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class RleIndexError(IndexError, ValueError):
    """A sequence shorter than the rule needs (an empty ``frPyObjects`` list, a ``size`` of fewer
    than 2 items), or a sequence or array where an RLE dict belongs."""


class RleAttributeError(AttributeError, TypeError):
    """An object without the attribute the function reads (``encode`` of something that is not an array)."""
