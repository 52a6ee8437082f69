// The one place that maps the active SIMD target to its kernel tables.
#include "kernels/cc_kernels.hpp"
#include "kernels/iou_kernels.hpp"
#include "kernels/panoptic_kernels.hpp"
#include "kernels/paste_kernels.hpp"
#include "kernels/rle_kernels.hpp"
#include "kernels/sam_kernels.hpp"
#include "maskkit/cpu_features.hpp"

namespace maskkit::kernels {

const RleKernels& rle_kernels() {
    switch (active_target()) {
        case SimdTarget::avx512: return avx512::rle_kernels;
        case SimdTarget::avx2: return avx2::rle_kernels;
        case SimdTarget::scalar: break;
    }
    return scalar::rle_kernels;
}

const SamKernels& sam_kernels() {
    switch (active_target()) {
        case SimdTarget::avx512: return avx512::sam_kernels;
        case SimdTarget::avx2: return avx2::sam_kernels;
        case SimdTarget::scalar: break;
    }
    return scalar::sam_kernels;
}

const CcKernels& cc_kernels() {
    switch (active_target()) {
        case SimdTarget::avx512: return avx512::cc_kernels;
        case SimdTarget::avx2: return avx2::cc_kernels;
        case SimdTarget::scalar: break;
    }
    return scalar::cc_kernels;
}

// AVX-512 has no kernels of its own here: the AVX2 ones run there.
const IouKernels& iou_kernels() {
    switch (active_target()) {
        case SimdTarget::avx512:
        case SimdTarget::avx2: return avx2::iou_kernels;
        case SimdTarget::scalar: break;
    }
    return scalar::iou_kernels;
}

// AVX-512 runs the AVX2 panoptic kernels too.
const PanopticKernels& panoptic_kernels() {
    switch (active_target()) {
        case SimdTarget::avx512:
        case SimdTarget::avx2: return avx2::panoptic_kernels;
        case SimdTarget::scalar: break;
    }
    return scalar::panoptic_kernels;
}

// AVX-512 runs the AVX2 paste row.
const PasteKernels& paste_kernels() {
    switch (active_target()) {
        case SimdTarget::avx512:
        case SimdTarget::avx2: return avx2::paste_kernels;
        case SimdTarget::scalar: break;
    }
    return scalar::paste_kernels;
}

}  // namespace maskkit::kernels
