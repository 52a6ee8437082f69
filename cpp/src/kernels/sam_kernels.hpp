// The table of stability-count kernels, one per SIMD target (namespaces as in rle_kernels.hpp):
// one contiguous row of logits in, the number of values above two thresholds out, in one pass.
// Half floats are compared as ordered integer keys (see sam_kernels.inl), so no target needs
// a conversion instruction.
#pragma once

#include <cstdint>

namespace maskkit::kernels {

struct AboveCounts {
    std::uint64_t high, low;
};

struct SamKernels {
    AboveCounts (*count_f32)(const float* row, std::uint64_t w, float high, float low);
    AboveCounts (*count_f64)(const double* row, std::uint64_t w, double high, double low);
    // Half bits; high and low are half_key()s of the thresholds (kHalfNone: above nothing).
    AboveCounts (*count_f16)(const std::uint16_t* row, std::uint64_t w, std::int16_t high, std::int16_t low);
};

// An ordering key of half bits: keys compare as the values do (-0 == +0); NaNs get keys above
// +inf's (0x7c00) and are refused by the kernels before the compare.
inline std::int16_t half_key(std::uint16_t bits) {
    const auto magnitude = static_cast<std::int16_t>(bits & 0x7fff);
    return (bits & 0x8000) ? static_cast<std::int16_t>(-magnitude) : magnitude;
}
// A threshold key no value is above (a NaN threshold).
inline constexpr std::int16_t kHalfNone = 0x7fff;
// The largest magnitude bits that are not NaN (+inf).
inline constexpr std::int16_t kHalfInf = 0x7c00;

const SamKernels& sam_kernels();

}  // namespace maskkit::kernels

namespace maskkit::scalar { extern const kernels::SamKernels sam_kernels; }
namespace maskkit::avx2 { extern const kernels::SamKernels sam_kernels; }
namespace maskkit::avx512 { extern const kernels::SamKernels sam_kernels; }
