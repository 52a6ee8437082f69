// Mask NMS and Matrix NMS on bit-packed masks.
//
// Greedy NMS needs the overlap of a kept mask with the later masks still kept only, so instead
// of the full N x N IoU matrix of the matmul formulations it counts the pairs it looks at, each
// with popcount(a AND b) inside the overlap of the two boxes (disjoint boxes cost nothing). The
// overlap is then rounded as supervision rounds it: exact counts as float32 (exact up to 2**24),
// the union a + b - inter in float32, one float32 division; float64 throughout for masks of more
// than 2**24 pixels. Matrix NMS needs every pair of the upper triangle; its decay is left to the
// caller, which evaluates mmdet's float32 expressions on the exact counts.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "maskkit/iou.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

void check_order(const PackedView& masks, const std::int64_t* order, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k)
        if (order[k] < 0 || static_cast<std::uint64_t>(order[k]) >= masks.n)
            throw std::invalid_argument("order[" + std::to_string(k) + "] = " + std::to_string(order[k]) +
                                        " is not an index of " + std::to_string(masks.n) + " masks");
}

// supervision's overlap of two masks with areas a, b and intersection i, compared with threshold.
bool above(std::uint64_t a, std::uint64_t b, std::uint64_t i, double threshold, NmsMetric metric, bool wide) {
    if (wide) {
        const double denom = metric == NmsMetric::iou ? static_cast<double>(a) + static_cast<double>(b) -
                                                            static_cast<double>(i)
                                                      : static_cast<double>(a < b ? a : b);
        const double q = denom != 0.0 ? static_cast<double>(i) / denom : 0.0;
        return q > threshold;
    }
    const float fa = static_cast<float>(a), fb = static_cast<float>(b), fi = static_cast<float>(i);
    const float denom = metric == NmsMetric::iou ? (fa + fb) - fi : (fa < fb ? fa : fb);
    const float q = denom != 0.0f ? fi / denom : 0.0f;
    return static_cast<double>(q) > threshold;
}

}  // namespace

void packed_nms(const PackedView& masks, const std::int64_t* order, std::size_t n, const std::int64_t* labels,
                double threshold, NmsMetric metric, bool wide, std::uint8_t* keep) {
    check_order(masks, order, n);
    for (std::size_t k = 0; k < n; ++k) keep[k] = 1;
    for (std::size_t k = 0; k < n; ++k) {
        if (!keep[k]) continue;
        const auto i = static_cast<std::size_t>(order[k]);
        // The later masks are independent of each other given mask i, so threads may split them;
        // most pairs are disjoint boxes that cost nothing, so a chunk needs many of them.
        const std::size_t grain = std::max<std::size_t>(256, grain_for(masks.h * words_per_row(masks.w)));
        parallel_for(n - k - 1, grain, [&](std::size_t begin, std::size_t end) {
            for (std::size_t m = k + 1 + begin; m < k + 1 + end; ++m) {
                if (!keep[m]) continue;
                const auto j = static_cast<std::size_t>(order[m]);
                if (labels && labels[i] != labels[j]) continue;
                const std::uint64_t inter = packed_pair_intersection(masks, i, masks, j);
                if (above(masks.areas[i], masks.areas[j], inter, threshold, metric, wide)) keep[m] = 0;
            }
        });
    }
}

void packed_upper_intersections(const PackedView& masks, const std::int64_t* order, std::size_t n,
                                std::uint64_t* out) {
    check_order(masks, order, n);
    parallel_for(n, grain_for(n * masks.h * words_per_row(masks.w) / 2 + 1), [&](std::size_t begin, std::size_t end) {
        for (std::size_t a = begin; a < end; ++a) {
            std::uint64_t* row = out + a * n;
            for (std::size_t b = 0; b <= a; ++b) row[b] = 0;
            const auto i = static_cast<std::size_t>(order[a]);
            for (std::size_t b = a + 1; b < n; ++b)
                row[b] = packed_pair_intersection(masks, i, masks, static_cast<std::size_t>(order[b]));
        }
    });
}

}  // namespace maskkit
