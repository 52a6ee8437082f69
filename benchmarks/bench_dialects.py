"""The other RLE dialects: maskkit.rle's Kaggle and uncompressed-RLE codecs next to the Kaggle
kernels' numpy code and pycocotools' frPyObjects.

Run ``pytest benchmarks/bench_dialects.py --benchmark-group-by=group``: one group per workload of
``maskkit bench``'s dialects table (see :mod:`maskkit._bench.workloads_dialects`), the reference and
each maskkit variant at one thread on the same data, results asserted equal.
"""

from groups import domain_tests

test_maskkit, test_reference = domain_tests("dialects")
