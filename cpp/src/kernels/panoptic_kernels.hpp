// The table of panoptic kernels, one per SIMD target (namespaces as in rle_kernels.hpp): the
// column-major painting turned into the row-major id map, each segment number replaced by its id,
// and the two streaming passes of the Mask2Former merge (panoptic_merge_maskformer.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace maskkit::kernels {

struct PanopticKernels {
    // out[y * w + x] = ids[painted[x * h + y]] for painted values below `limit`, 0 otherwise;
    // returns the largest painted value seen (so the caller can refuse a value without an id).
    std::uint32_t (*write_ids_transposed)(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w,
                                          const std::uint32_t* ids, std::uint32_t limit, std::uint32_t* out);

    // Mask2Former pass 1 over one query's logits at m pixels: floor_of[j] = max(floor_of[j],
    // log_score + lower_log_sigmoid(plane[j])); adds the pixels with plane[j] >= half to
    // *halves and the NaN ones to *nans.
    void (*mf_bounds)(const float* plane, std::size_t m, float log_score, float half, float* floor_of,
                      std::uint64_t* halves, std::uint64_t* nans);
    // Mask2Former pass 2: where log_score + min(plane[j], 0) >= floor_of[j] the query is a
    // candidate: count[j] += 1, last[j] = index, and first[j] = index if it is the first one.
    void (*mf_candidates)(const float* plane, std::size_t m, float log_score, const float* floor_of,
                          std::int32_t index, std::int32_t* count, std::int32_t* first, std::int32_t* last);
};

// log(1 + e^-|x|), the gap between log(sigmoid(x)) and min(x, 0), is at most log 2, at most
// 0.0182 for |x| >= 4 and at most 0.00034 for |x| >= 8: the step bound every target subtracts.
inline constexpr float mf_gap_near = 0.6932f;
inline constexpr float mf_gap_mid = 0.0182f;
inline constexpr float mf_gap_far = 0.0182f - (0.0182f - 0.00034f);

// The kernels of the active target (see cpu_features.hpp).
const PanopticKernels& panoptic_kernels();

}  // namespace maskkit::kernels

namespace maskkit::scalar { extern const kernels::PanopticKernels panoptic_kernels; }
namespace maskkit::avx2 { extern const kernels::PanopticKernels panoptic_kernels; }
