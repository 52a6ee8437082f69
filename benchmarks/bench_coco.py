"""The pycocotools.mask API: maskkit.coco (and maskkit.rle) next to pycocotools.mask, on RLE
dicts, masks and real-shaped COCO annotations.

Run ``pytest benchmarks/bench_coco.py --benchmark-group-by=group``: one group per workload of
``maskkit bench``'s coco table (see :mod:`maskkit._bench.workloads_coco`), the reference and
each maskkit variant at one thread on the same data, results asserted equal.
"""

from groups import domain_tests

test_maskkit, test_reference = domain_tests("coco")
