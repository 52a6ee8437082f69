// Stability-count kernels of the AVX-512 target: compares straight into mask registers,
// counted with popcnt (32 floats, 16 doubles or 32 halves per step).
#include <cstdint>

#include "kernels/sam_kernels.hpp"
#include "kernels/simd_region.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

MASKKIT_TARGET_BEGIN("avx512f,avx512bw,avx512vl,avx2,bmi,bmi2,popcnt")
namespace maskkit::avx512 {
namespace {
#include "kernels/sam_kernels.inl"

inline std::uint64_t ones(std::uint64_t mask) { return static_cast<std::uint64_t>(_mm_popcnt_u64(mask)); }

kernels::AboveCounts count_f32(const float* row, std::uint64_t w, float high, float low) {
    const __m512 vh = _mm512_set1_ps(high), vl = _mm512_set1_ps(low);
    std::uint64_t above_high = 0, above_low = 0, x = 0;
    for (; x + 32 <= w; x += 32) {
        const __m512 a = _mm512_loadu_ps(row + x), b = _mm512_loadu_ps(row + x + 16);
        const std::uint64_t mh = _mm512_cmp_ps_mask(a, vh, _CMP_GT_OQ) |
                                 static_cast<std::uint64_t>(_mm512_cmp_ps_mask(b, vh, _CMP_GT_OQ)) << 16;
        const std::uint64_t ml = _mm512_cmp_ps_mask(a, vl, _CMP_GT_OQ) |
                                 static_cast<std::uint64_t>(_mm512_cmp_ps_mask(b, vl, _CMP_GT_OQ)) << 16;
        above_high += ones(mh);
        above_low += ones(ml);
    }
    const kernels::AboveCounts tail = count_tail<float>(row, x, w, high, low);
    return {above_high + tail.high, above_low + tail.low};
}

kernels::AboveCounts count_f64(const double* row, std::uint64_t w, double high, double low) {
    const __m512d vh = _mm512_set1_pd(high), vl = _mm512_set1_pd(low);
    std::uint64_t above_high = 0, above_low = 0, x = 0;
    for (; x + 16 <= w; x += 16) {
        const __m512d a = _mm512_loadu_pd(row + x), b = _mm512_loadu_pd(row + x + 8);
        const std::uint64_t mh = _mm512_cmp_pd_mask(a, vh, _CMP_GT_OQ) |
                                 static_cast<std::uint64_t>(_mm512_cmp_pd_mask(b, vh, _CMP_GT_OQ)) << 8;
        const std::uint64_t ml = _mm512_cmp_pd_mask(a, vl, _CMP_GT_OQ) |
                                 static_cast<std::uint64_t>(_mm512_cmp_pd_mask(b, vl, _CMP_GT_OQ)) << 8;
        above_high += ones(mh);
        above_low += ones(ml);
    }
    const kernels::AboveCounts tail = count_tail<double>(row, x, w, high, low);
    return {above_high + tail.high, above_low + tail.low};
}

kernels::AboveCounts count_f16(const std::uint16_t* row, std::uint64_t w, std::int16_t high, std::int16_t low) {
    const __m512i magnitude_bits = _mm512_set1_epi16(0x7fff);
    const __m512i inf = _mm512_set1_epi16(kernels::kHalfInf);
    const __m512i vh = _mm512_set1_epi16(high), vl = _mm512_set1_epi16(low);
    std::uint64_t above_high = 0, above_low = 0, x = 0;
    for (; x + 32 <= w; x += 32) {
        const __m512i v = _mm512_loadu_si512(row + x);
        const __m512i magnitude = _mm512_and_si512(v, magnitude_bits);
        const __m512i negative = _mm512_srai_epi16(v, 15);
        const __m512i key = _mm512_sub_epi16(_mm512_xor_si512(magnitude, negative), negative);
        const __mmask32 number = _mm512_cmple_epi16_mask(magnitude, inf);
        above_high += ones(_mm512_mask_cmpgt_epi16_mask(number, key, vh));
        above_low += ones(_mm512_mask_cmpgt_epi16_mask(number, key, vl));
    }
    const kernels::AboveCounts tail = count_tail_f16(row, x, w, high, low);
    return {above_high + tail.high, above_low + tail.low};
}
}  // namespace

const kernels::SamKernels sam_kernels{count_f32, count_f64, count_f16};

}  // namespace maskkit::avx512
MASKKIT_TARGET_END

#else
namespace maskkit::avx512 { const kernels::SamKernels sam_kernels = scalar::sam_kernels; }
#endif
