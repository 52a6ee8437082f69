"""Polygons: COCO polygons to RLE dicts and to dense masks, next to pycocotools; masks to
polygons next to the detectron2-style cv2.findContours converter; simplification next to
cv2.approxPolyDP.

Run ``pytest benchmarks/bench_polygon.py --benchmark-group-by=group``: one group per workload of
``maskkit bench``'s polygon table (see :mod:`maskkit._bench.workloads_polygon` and
:mod:`maskkit._bench.workloads_polygon_vector`), the reference and
each maskkit variant at one thread on the same data, results asserted equal.
"""

from groups import domain_tests

test_maskkit, test_reference = domain_tests("polygon")
