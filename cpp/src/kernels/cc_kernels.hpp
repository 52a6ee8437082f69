// The table of connected-components kernels, one per SIMD target: cutting a row of bytes into
// runs for the labeling's first pass. Each target's functions live in their own namespace
// (maskkit::scalar, maskkit::avx2, maskkit::avx512), as the RLE kernels' do (rle_kernels.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace maskkit::kernels {

// The values the run kernels may write past the end of what they return (a vector store).
constexpr std::size_t kBoundsSlack = 16;

struct CcKernels {
    // Foreground runs of one row of bytes (pixels != background): writes start, end pairs
    // ([start, end), row-relative) to `bounds`, which has room for width + kBoundsSlack values
    // (at most (width + 1) / 2 runs, and the kernel may scribble up to kBoundsSlack values past
    // what it returns), and returns how many runs were found.
    std::size_t (*foreground_runs)(const std::uint8_t* row, std::uint64_t width, std::uint8_t background,
                                   std::uint32_t* bounds);
    // Every x in [1, width) where row[x] != row[x - 1], in increasing order, written to `edges`
    // (room for width + kBoundsSlack values); returns how many.
    std::size_t (*value_edges)(const std::uint8_t* row, std::uint64_t width, std::uint32_t* edges);
};

// The kernels of the active target (see cpu_features.hpp).
const CcKernels& cc_kernels();

}  // namespace maskkit::kernels

namespace maskkit::scalar { extern const kernels::CcKernels cc_kernels; }
namespace maskkit::avx2 { extern const kernels::CcKernels cc_kernels; }
namespace maskkit::avx512 { extern const kernels::CcKernels cc_kernels; }
