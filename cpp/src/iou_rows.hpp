// Searches of one row of byte masks with any stride for its first and last non-zero bytes, by
// the SIMD kernels where the bytes are contiguous (mask boxes, boundaries).
#pragma once

#include <cstdint>

#include "kernels/iou_kernels.hpp"

namespace maskkit {

// First x in [begin, end) with row[x * stride] != 0, or end.
inline std::uint64_t first_set(const kernels::IouKernels& k, const std::uint8_t* row, std::int64_t stride,
                               std::uint64_t begin, std::uint64_t end) {
    if (stride == 1) return k.first_set(row, begin, end);
    for (std::uint64_t x = begin; x < end; ++x)
        if (row[static_cast<std::int64_t>(x) * stride] != 0) return x;
    return end;
}

// Last x in [begin, end) with row[x * stride] != 0, or `none` when there is none.
inline std::int64_t last_set(const kernels::IouKernels& k, const std::uint8_t* row, std::int64_t stride,
                             std::uint64_t begin, std::uint64_t end, std::int64_t none) {
    if (stride == 1) {
        const std::uint64_t past = k.last_set(row, begin, end);
        return past == begin ? none : static_cast<std::int64_t>(past - 1);
    }
    for (std::uint64_t x = end; x > begin; --x)
        if (row[static_cast<std::int64_t>(x - 1) * stride] != 0) return static_cast<std::int64_t>(x - 1);
    return none;
}

}  // namespace maskkit
