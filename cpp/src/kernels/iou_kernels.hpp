// The table of bit-packed mask kernels, one per SIMD target (namespaces as in rle_kernels.hpp):
// packing a row of bytes into bits, counting the common bits of two word rectangles, and
// finding the first and last non-zero bytes of a row (for mask boxes). The
// scalar target's popcount is a library call on the x86-64 baseline (no popcnt instruction),
// about 7x slower than the AVX2 target's.
#pragma once

#include <cstddef>
#include <cstdint>

namespace maskkit::kernels {

struct IouKernels {
    // Packs w bytes read at row[x * stride] into words_per_row(w) words (padding bits zero).
    void (*pack_row)(const std::uint8_t* row, std::int64_t stride, std::uint64_t w, std::uint64_t* out);
    // Sum of popcount(a & b) over `rows` rows of `count` words, rows `pitch` words apart.
    std::uint64_t (*and_count)(const std::uint64_t* a, const std::uint64_t* b, std::size_t rows,
                               std::size_t count, std::size_t pitch);
    // Sum of popcount over `count` words.
    std::uint64_t (*count)(const std::uint64_t* words, std::size_t count);
    // First x in [begin, end) with row[x] != 0, or end (contiguous bytes).
    std::uint64_t (*first_set)(const std::uint8_t* row, std::uint64_t begin, std::uint64_t end);
    // One past the last x in [begin, end) with row[x] != 0, or begin (contiguous bytes).
    std::uint64_t (*last_set)(const std::uint8_t* row, std::uint64_t begin, std::uint64_t end);
};

// The kernels of the active target (see cpu_features.hpp).
const IouKernels& iou_kernels();

}  // namespace maskkit::kernels

namespace maskkit::scalar { extern const kernels::IouKernels iou_kernels; }
namespace maskkit::avx2 { extern const kernels::IouKernels iou_kernels; }
