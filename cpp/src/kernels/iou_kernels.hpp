// The table of bit-packed mask kernels, one per SIMD target (namespaces as in rle_kernels.hpp):
// packing a row of bytes into bits and counting the common bits of two word rectangles. The
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
};

// The kernels of the active target (see cpu_features.hpp).
const IouKernels& iou_kernels();

}  // namespace maskkit::kernels

namespace maskkit::scalar { extern const kernels::IouKernels iou_kernels; }
namespace maskkit::avx2 { extern const kernels::IouKernels iou_kernels; }
