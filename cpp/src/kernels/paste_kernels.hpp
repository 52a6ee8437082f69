// The table of float32 paste kernels, one per SIMD target (namespaces as in iou_kernels.hpp): one
// output row of detectron2's paste, bilinear samples of two mask rows thresholded to bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace maskkit::kernels {

// The column terms of a row of samples, one entry per output pixel: the floored mask column
// `lo` (read only where lo_ok / hi_ok, which are 0 or -1), and the distances near (w) and far
// (e) to the columns lo and lo + 1.
struct PasteColumns {
    const std::int32_t* lo;
    const std::int32_t* lo_ok;
    const std::int32_t* hi_ok;
    const float* near;
    const float* far;
};

struct PasteKernels {
    // out[k] = (v >= threshold) for k < count, where v is torch's bilinear sample
    //   nw * (rfar * far[k]) + ne * (rfar * near[k]) + sw * (rnear * far[k]) + se * (rnear * near[k])
    // evaluated left to right in float32, the corners read from `north` (row lo) and `south` (row
    // lo + 1) at columns lo[k] and lo[k] + 1, and 0 where a row pointer is null or a column is
    // out of the mask.
    void (*row)(const float* north, const float* south, float rnear, float rfar, const PasteColumns& cols,
                std::size_t count, float threshold, std::uint8_t* out);
};

// The kernels of the active target (see cpu_features.hpp).
const PasteKernels& paste_kernels();

}  // namespace maskkit::kernels

namespace maskkit::scalar { extern const kernels::PasteKernels paste_kernels; }
namespace maskkit::avx2 { extern const kernels::PasteKernels paste_kernels; }
