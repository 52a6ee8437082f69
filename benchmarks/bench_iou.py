"""maskkit.iou and maskkit.boxes next to pycocotools encode + iou, the float32 matmul
formulation, torchvision's masks_to_boxes loop, supervision's mask NMS and the NumPy
transcriptions of mmdet's Matrix NMS and detectron2's paste_masks_in_image.

Run ``pytest benchmarks/bench_iou.py --benchmark-group-by=group``: one group per workload of
``maskkit bench``'s iou table (see :mod:`maskkit._bench.workloads_iou`), the reference and
each maskkit variant at one thread on the same data, results asserted equal.
"""

from groups import domain_tests

test_maskkit, test_reference = domain_tests("iou")
