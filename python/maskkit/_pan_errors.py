"""Exception classes of ``maskkit.panoptic`` where panopticapi raises a specific built-in type.

panopticapi reports inconsistent segments with ``KeyError`` and an evaluation without any
category with ``ZeroDivisionError``. maskkit raises a class deriving from that type *and* from
``ValueError``, so code written for either catches it.

Examples
--------
>>> from maskkit._pan_errors import PanopticKeyError
>>> issubclass(PanopticKeyError, KeyError) and issubclass(PanopticKeyError, ValueError)
True
"""

from __future__ import annotations

__all__ = ["PanopticImageError", "PanopticKeyError", "PanopticZeroDivisionError"]


class PanopticKeyError(KeyError, ValueError):
    """A segment id or category that the JSON and the PNG do not agree on."""

    def __str__(self) -> str:  # KeyError's str() is the repr of its argument
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class PanopticZeroDivisionError(ZeroDivisionError, ValueError):
    """A strict-mode average over no category (no category had a true positive, false positive
    or false negative)."""


class PanopticImageError(OSError, ValueError):
    """A PNG that cannot be decoded (truncated, damaged, not a PNG). Pillow reports such files
    with OSError, SyntaxError and others; maskkit raises this one class, an OSError as Pillow's
    usual one and a ValueError for its bad-value rule."""
