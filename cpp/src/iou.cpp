// Pairwise intersections of bit-packed masks.
//
// Packing reads every byte once and writes one bit per pixel (64 per word), 8x less memory
// than bytes and 32x less than the float32 copies a matmul formulation multiplies. While a mask
// is packed its area (popcount of the words), its rows with any pixel and the OR of all its rows
// (whose first and last set bits are the box's columns) come for free.
//
// The intersection of a_i and b_j is the popcount of a_i AND b_j over the rows and words inside
// the overlap of their boxes only; disjoint boxes give 0 without touching the words. On
// COCO-like detections most pairs are disjoint, and the rest overlap in a small rectangle, so
// the cost is far below n * m * h * w / 64 words. Counts are exact integers; dividing them
// (IoU, IoS, IoA) is left to the caller so that every ratio is one float64 division.
#include "maskkit/iou.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/iou_kernels.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

// Box [x0, y0, x1, y1) and area of one packed mask.
void describe_one(const std::uint64_t* words, std::uint64_t h, std::uint64_t wpr, std::vector<std::uint64_t>& columns,
                  const kernels::IouKernels& k, std::int64_t* box, std::uint64_t* area) {
    std::fill(columns.begin(), columns.end(), 0);
    std::uint64_t total = 0;
    std::int64_t y0 = -1, y1 = -1;
    for (std::uint64_t y = 0; y < h; ++y) {
        const std::uint64_t* row = words + y * wpr;
        std::uint64_t any = 0;
        for (std::uint64_t x = 0; x < wpr; ++x) {
            any |= row[x];
            columns[x] |= row[x];
        }
        if (any == 0) continue;
        total += k.count(row, wpr);
        if (y0 < 0) y0 = static_cast<std::int64_t>(y);
        y1 = static_cast<std::int64_t>(y) + 1;
    }
    *area = total;
    if (total == 0) {
        std::fill(box, box + 4, 0);
        return;
    }
    std::uint64_t first = 0, last = wpr - 1;
    while (columns[first] == 0) ++first;
    while (columns[last] == 0) --last;
    box[0] = static_cast<std::int64_t>(first * 64 + static_cast<std::uint64_t>(__builtin_ctzll(columns[first])));
    box[1] = y0;
    box[2] = static_cast<std::int64_t>(last * 64 + 64 - static_cast<std::uint64_t>(__builtin_clzll(columns[last])));
    box[3] = y1;
}

}  // namespace

void pack_masks(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w, std::int64_t stride_n,
                std::int64_t stride_h, std::int64_t stride_w, std::uint64_t* words, std::int64_t* boxes,
                std::uint64_t* areas) {
    const std::uint64_t wpr = words_per_row(w);
    const kernels::IouKernels& k = kernels::iou_kernels();
    parallel_for(n, grain_for(h * w), [&](std::size_t begin, std::size_t end) {
        std::vector<std::uint64_t> columns(wpr);
        for (std::size_t i = begin; i < end; ++i) {
            const std::uint8_t* mask = data + static_cast<std::int64_t>(i) * stride_n;
            std::uint64_t* out = words + i * h * wpr;
            for (std::uint64_t y = 0; y < h; ++y)
                k.pack_row(mask + static_cast<std::int64_t>(y) * stride_h, stride_w, w, out + y * wpr);
            describe_one(out, h, wpr, columns, k, boxes + 4 * i, areas + i);
        }
    });
}

void describe_packed(const std::uint64_t* words, std::size_t n, std::uint64_t h, std::uint64_t w,
                     std::int64_t* boxes, std::uint64_t* areas) {
    const std::uint64_t wpr = words_per_row(w);
    if (w % 64 != 0) {
        const std::uint64_t padding = ~std::uint64_t{0} << (w % 64);
        for (std::uint64_t r = 0; r < n * h; ++r)
            if (words[r * wpr + wpr - 1] & padding)
                throw std::invalid_argument("packed masks: bits past the width (" + std::to_string(w) +
                                            ") must be zero, row " + std::to_string(r) + " has some set");
    }
    const kernels::IouKernels& k = kernels::iou_kernels();
    std::vector<std::uint64_t> columns(wpr);
    for (std::size_t i = 0; i < n; ++i) describe_one(words + i * h * wpr, h, wpr, columns, k, boxes + 4 * i, areas + i);
}

void unpack_masks(const std::uint64_t* words, std::size_t n, std::uint64_t h, std::uint64_t w, std::uint8_t* out) {
    const std::uint64_t wpr = words_per_row(w);
    parallel_for(n * h, grain_for(w), [&](std::size_t begin, std::size_t end) {
        for (std::size_t r = begin; r < end; ++r) {
            const std::uint64_t* row = words + r * wpr;
            std::uint8_t* o = out + r * w;
            for (std::uint64_t x = 0; x < w; ++x) o[x] = static_cast<std::uint8_t>((row[x / 64] >> (x % 64)) & 1);
        }
    });
}

std::uint64_t packed_pair_intersection(const PackedView& a, std::size_t i, const PackedView& b, std::size_t j) {
    const std::int64_t* A = a.boxes + 4 * i;
    const std::int64_t* B = b.boxes + 4 * j;
    // Clamped to the image, so boxes that do not come from describe_one cannot make the scan
    // leave the words.
    const std::int64_t x0 = std::max({A[0], B[0], std::int64_t{0}});
    const std::int64_t x1 = std::min({A[2], B[2], static_cast<std::int64_t>(a.w)});
    const std::int64_t y0 = std::max({A[1], B[1], std::int64_t{0}});
    const std::int64_t y1 = std::min({A[3], B[3], static_cast<std::int64_t>(a.h)});
    if (x1 <= x0 || y1 <= y0 || a.areas[i] == 0 || b.areas[j] == 0) return 0;
    const std::uint64_t wpr = words_per_row(a.w);
    const std::uint64_t plane = a.h * wpr;
    const auto w0 = static_cast<std::uint64_t>(x0) / 64, w1 = (static_cast<std::uint64_t>(x1) - 1) / 64 + 1;
    const auto offset = static_cast<std::uint64_t>(y0) * wpr + w0;
    return kernels::iou_kernels().and_count(a.words + i * plane + offset, b.words + j * plane + offset,
                                            static_cast<std::size_t>(y1 - y0), static_cast<std::size_t>(w1 - w0),
                                            static_cast<std::size_t>(wpr));
}

void packed_intersections(const PackedView& a, const PackedView& b, std::uint64_t* out) {
    if (a.h != b.h || a.w != b.w)
        throw std::invalid_argument("masks must have the same height and width, got " + std::to_string(a.h) + " x " +
                                    std::to_string(a.w) + " and " + std::to_string(b.h) + " x " +
                                    std::to_string(b.w));
    const std::uint64_t plane = a.h * words_per_row(a.w);
    parallel_for(a.n, grain_for(b.n * plane), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            for (std::size_t j = 0; j < b.n; ++j) out[i * b.n + j] = packed_pair_intersection(a, i, b, j);
    });
}

}  // namespace maskkit
