// Boxes and moments of byte masks.
//
// Boxes read as little as they can: the first and the last rows with a pixel are found from
// the top and from the bottom, and each row between them is scanned only left of the leftmost
// column found so far and right of the rightmost, so a mask costs about its box's border
// plus the empty rows above it, not h * w. Contiguous rows are tested 64 bytes per step by the
// SIMD kernels (kernels/iou_kernels.inl).
// Moments need every pixel: one pass per row sums 1, x and x^2 (exact in 64 bits), and the
// image totals accumulate in 128 bits, rounded to double once at the end.
#include "iou_rows.hpp"
#include "kernels/iou_kernels.hpp"
#include "maskkit/iou.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

__extension__ typedef unsigned __int128 Wide;

void box_of(const kernels::IouKernels& k, const std::uint8_t* mask, std::uint64_t h, std::uint64_t w, std::int64_t sh,
            std::int64_t sw, std::int64_t* box) {
    auto row = [&](std::uint64_t y) { return mask + static_cast<std::int64_t>(y) * sh; };
    std::uint64_t top = 0;
    while (top < h && first_set(k, row(top), sw, 0, w) == w) ++top;
    if (top == h) {
        for (int c = 0; c < 4; ++c) box[c] = -1;
        return;
    }
    std::uint64_t bottom = h - 1;
    while (first_set(k, row(bottom), sw, 0, w) == w) --bottom;
    std::uint64_t left = w;
    std::int64_t right = -1;
    for (std::uint64_t y = top; y <= bottom; ++y) {
        left = first_set(k, row(y), sw, 0, left);
        right = last_set(k, row(y), sw, static_cast<std::uint64_t>(right + 1), w, right);
    }
    box[0] = static_cast<std::int64_t>(left);
    box[1] = static_cast<std::int64_t>(top);
    box[2] = right;
    box[3] = static_cast<std::int64_t>(bottom);
}

struct RowSums {
    Wide c, sx, sxx;
};

// Below this width a row's sum of x^2 (< w^3 / 3) fits 64 bits.
constexpr std::uint64_t kNarrow = std::uint64_t{1} << 21;

template <class Sum>
RowSums row_sums(const std::uint8_t* row, std::int64_t stride, std::int64_t x0, std::int64_t x1) {
    std::uint64_t c = 0, sx = 0;  // x < 2^32: sums of 1 and x fit 64 bits
    Sum sxx = 0;
    for (std::int64_t x = x0; x <= x1; ++x) {
        const std::uint64_t v = row[x * stride] != 0;
        const auto ux = static_cast<std::uint64_t>(x);
        c += v;
        sx += v * ux;
        sxx += static_cast<Sum>(v * ux * ux);
    }
    return {c, sx, static_cast<Wide>(sxx)};
}

}  // namespace

void mask_boxes(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w, std::int64_t stride_n,
                std::int64_t stride_h, std::int64_t stride_w, std::int64_t* boxes) {
    const kernels::IouKernels& k = kernels::iou_kernels();
    parallel_for(n, grain_for(h * w / 4), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            box_of(k, data + static_cast<std::int64_t>(i) * stride_n, h, w, stride_h, stride_w, boxes + 4 * i);
    });
}

void mask_moments(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w, std::int64_t stride_n,
                  std::int64_t stride_h, std::int64_t stride_w, std::int64_t* boxes, std::int64_t* areas,
                  double* moments) {
    const kernels::IouKernels& k = kernels::iou_kernels();
    parallel_for(n, grain_for(h * w), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            const std::uint8_t* mask = data + static_cast<std::int64_t>(i) * stride_n;
            box_of(k, mask, h, w, stride_h, stride_w, boxes + 4 * i);
            Wide m00 = 0, m10 = 0, m01 = 0, m20 = 0, m11 = 0, m02 = 0;
            const std::int64_t* box = boxes + 4 * i;
            for (std::int64_t y = box[1]; box[0] >= 0 && y <= box[3]; ++y) {
                const std::uint8_t* row = mask + y * stride_h;
                RowSums r = w < kNarrow ? row_sums<std::uint64_t>(row, stride_w, box[0], box[2])
                                        : row_sums<Wide>(row, stride_w, box[0], box[2]);
                const auto uy = static_cast<Wide>(y);
                m00 += r.c;
                m10 += r.sx;
                m01 += uy * r.c;
                m20 += r.sxx;
                m11 += uy * r.sx;
                m02 += uy * uy * r.c;
            }
            areas[i] = static_cast<std::int64_t>(m00);
            double* m = moments + 6 * i;
            m[0] = static_cast<double>(m00);
            m[1] = static_cast<double>(m10);
            m[2] = static_cast<double>(m01);
            m[3] = static_cast<double>(m20);
            m[4] = static_cast<double>(m11);
            m[5] = static_cast<double>(m02);
        }
    });
}

}  // namespace maskkit
