"""maskkit.sam next to Segment Anything's formulations: the stability score and
mask_to_rle_pytorch transcribed to NumPy, remove_small_regions on cv2.

Run ``pytest benchmarks/bench_sam.py --benchmark-group-by=group``: one group per workload of
``maskkit bench``'s sam table (see :mod:`maskkit._bench.workloads_sam`), the reference and
each maskkit variant at one thread on the same data, results asserted equal.
"""

from groups import domain_tests

test_maskkit, test_reference = domain_tests("sam")
