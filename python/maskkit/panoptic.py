"""Panoptic segmentation: colour ids, formats, merges and PQ evaluation like panopticapi's.

A panoptic map paints every pixel with one segment id (0 = VOID); a segment table gives each id
its category. COCO stores the map as an RGB PNG, ``id = R + 256 G + 65536 B``
(:func:`rgb2id`, :func:`id2rgb`).

Codecs read and write the other encodings, range-checked (a value an encoding cannot hold raises
instead of wrapping): ``semantic * label_divisor + instance`` (detectron2, Panoptic-DeepLab,
DeepLab2), 2-channel (category, instance) images, Cityscapes instanceIds, KITTI-STEP PNGs and
Vistas instance PNGs; converters reproduce panopticapi's (panoptic to semantic and to detection
RLEs, detection and 2-channel to panoptic) and split semantic maps into connected instances;
:func:`validate` reports what makes a dataset or prediction inconsistent.

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

from ._pan_errors import PanopticImageError, PanopticKeyError, PanopticZeroDivisionError
from ._pan_eval import Evaluator
from ._pan_pq import evaluate_cityscapes, pq_compute
from ._pan_rgb import MAX_ID, OFFSET, IdGenerator, id2rgb, rgb2id

# formats, converters, validation
from ._pan_formats import (
    cityscapes_categories,
    decode_label_divisor,
    encode_label_divisor,
    from_cityscapes_instance_ids,
    from_kitti_step,
    from_label_divisor,
    from_two_channel,
    from_vistas_instances,
    to_kitti_step,
    to_label_divisor,
    to_two_channel,
)
from ._pan_convert import (
    OTHER_CLASS_ID,
    convert_detection_to_panoptic,
    convert_panoptic_to_detection,
    convert_panoptic_to_semantic,
    convert_two_channel_to_panoptic,
    detection_to_panoptic,
    panoptic_to_detection,
    panoptic_to_semantic,
    panoptic_to_semantic_rles,
    semantic_to_instances,
)
from ._pan_validate import Finding, ValidationReport, validate

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

__all__ = [
    "rgb2id", "id2rgb", "IdGenerator", "MAX_ID", "OFFSET",
    "Evaluator", "pq_compute", "evaluate_cityscapes", "PanopticImageError", "PanopticKeyError", "PanopticZeroDivisionError",
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
    "validate",
    "ValidationReport",
    "Finding",
    "merge_layers",
    "combine_image",
    "combine",
    "combine_semantic_and_instance_outputs",
    "find_instance_center",
    "group_pixels",
    "get_instance_segmentation",
    "merge_semantic_and_instance",
    "get_panoptic_segmentation",
    "panoptic_inference",
]
