// The table of RLE kernels, one per SIMD target. Each target's functions live in their own
// namespace (maskkit::scalar, maskkit::avx2, maskkit::avx512) so shared inline code compiled
// for a wider ISA can never be picked by the linker for a narrower one.
#pragma once

#include <cstdint>
#include <vector>

#include "maskkit/rle.hpp"

namespace maskkit::kernels {

struct RleKernels {
    // Counts of a contiguous byte sequence (one column-major mask), appended to counts.
    void (*encode_contiguous)(const std::uint8_t* data, std::uint64_t n, std::vector<count_t>& counts);
    // Counts of a C-contiguous h x w mask in column-major order, appended to counts.
    void (*encode_row_major)(const std::uint8_t* data, std::uint64_t h, std::uint64_t w,
                             std::vector<count_t>& counts);
    // Writes alternating runs of 0 and 1 into out[0, total), zero-filling after the last run.
    // Precondition: the counts sum to at most total.
    void (*fill_runs)(const count_t* counts, std::size_t m, std::uint8_t* out, std::uint64_t total);
};

// The kernels of the active target (see cpu_features.hpp).
const RleKernels& rle_kernels();

// Appends one run length to COCO's uint32 counts; a run of 2^32 pixels or more cannot be
// represented (std::overflow_error, thrown out of line so the inlined path stays short).
[[noreturn]] void run_too_long(std::uint64_t length);
inline void push_run(std::vector<count_t>& counts, std::uint64_t length) {
    if (length > 0xffffffffu) run_too_long(length);
    counts.push_back(static_cast<count_t>(length));
}

}  // namespace maskkit::kernels

namespace maskkit::scalar { extern const kernels::RleKernels rle_kernels; }
namespace maskkit::avx2 { extern const kernels::RleKernels rle_kernels; }
namespace maskkit::avx512 { extern const kernels::RleKernels rle_kernels; }
