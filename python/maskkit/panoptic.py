"""Panoptic segmentation: colour ids, formats, merges and PQ evaluation like panopticapi's.

A panoptic map paints every pixel with one segment id (0 = VOID); a segment table gives each id
its category. COCO stores the map as an RGB PNG, ``id = R + 256 G + 65536 B``
(:func:`rgb2id`, :func:`id2rgb`).

Merges build such a map from model outputs, each with its tie rules written down:
:func:`merge_layers` paints ordered layers first-wins (the engine of the others);
:func:`combine_image` is panopticapi's instance + semantic combine for one image, pixel for
pixel and id for id under a seeded :class:`IdGenerator`, and :func:`combine` the same for result
files (``maskkit combine`` on the command line);
:func:`combine_semantic_and_instance_outputs` is detectron2's Panoptic FPN combine with a stable
score order;
:func:`get_panoptic_segmentation` and its steps are Panoptic-DeepLab's center grouping and
majority-vote merge, without the K x H x W distance tensor; :func:`panoptic_inference` is
Mask2Former's mask-classification merge, streaming over queries instead of holding Q x H x W
probabilities.
"""

from __future__ import annotations

from ._pan_rgb import MAX_ID, OFFSET, IdGenerator, id2rgb, rgb2id

# merges
from ._pan_combine import combine, combine_image, combine_semantic_and_instance_outputs
from ._pan_merge import merge_layers
from ._pan_merge_deeplab import (
    find_instance_center,
    get_instance_segmentation,
    get_panoptic_segmentation,
    group_pixels,
    merge_semantic_and_instance,
)
from ._pan_merge_maskformer import panoptic_inference

__all__ = ["rgb2id", "id2rgb", "IdGenerator", "MAX_ID", "OFFSET"]
__all__ += ["merge_layers", "combine_image", "combine", "combine_semantic_and_instance_outputs"]
__all__ += ["find_instance_center", "group_pixels", "get_instance_segmentation", "merge_semantic_and_instance"]
__all__ += ["get_panoptic_segmentation", "panoptic_inference"]
