"""maskkit.rle's (N, H, W) C-ordered batches next to pycocotools (which needs the transposing
copy to Fortran order).

Run ``pytest benchmarks/bench_rle.py --benchmark-group-by=group``: one group per workload of
``maskkit bench``'s rle table (see :mod:`maskkit._bench.workloads_rle`), the reference and
each maskkit variant at one thread on the same data, results asserted equal.
"""

from groups import domain_tests

test_maskkit, test_reference = domain_tests("rle")
