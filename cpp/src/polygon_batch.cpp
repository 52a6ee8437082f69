// Batched rasterization: each polygon is independent, so the batch is split across threads and
// the per-polygon counts concatenated in input order.
#include "maskkit/polygon.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

RleBatch concatenate(std::vector<std::vector<count_t>>& per, std::uint64_t h, std::uint64_t w) {
    RleBatch batch;
    std::size_t total = 0;
    for (const auto& c : per) total += c.size();
    batch.counts.reserve(total);
    for (const auto& c : per) batch.append(h, w, c.data(), c.size());
    return batch;
}

}  // namespace

RleBatch polygons_to_batch(const std::vector<std::vector<double>>& polygons, std::uint64_t h,
                           std::uint64_t w) {
    std::vector<std::vector<count_t>> per(polygons.size());
    parallel_for(polygons.size(), 16, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            polygon_to_rle(polygons[i].data(), polygons[i].size() / 2, h, w, per[i]);
    });
    return concatenate(per, h, w);
}

RleBatch boxes_to_batch(const double* boxes, std::size_t n, std::uint64_t h, std::uint64_t w) {
    std::vector<std::vector<count_t>> per(n);
    parallel_for(n, 64, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) box_to_rle(boxes + 4 * i, h, w, per[i]);
    });
    return concatenate(per, h, w);
}

}  // namespace maskkit
