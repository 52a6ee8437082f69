// Stability-count kernels of the AVX2 target: 16 floats (8 doubles, 16 halves) compared with
// both thresholds per step, the compare masks subtracted from lane counters (halves: counted
// with movemask and popcnt).
#include <cstdint>

#include "kernels/sam_kernels.hpp"
#include "kernels/simd_region.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

MASKKIT_TARGET_BEGIN("avx2,popcnt")
namespace maskkit::avx2 {
namespace {
#include "kernels/sam_kernels.inl"

// Sum of the lanes of a and b (each lane a count below 2**31).
inline std::uint64_t lane_sum32(__m256i a, __m256i b) {
    alignas(32) std::uint32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi32(a, b));
    std::uint64_t s = 0;
    for (std::uint32_t v : lanes) s += v;
    return s;
}
inline std::uint64_t lane_sum64(__m256i a, __m256i b) {
    alignas(32) std::uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi64(a, b));
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

// Rows are cut into blocks of at most 2**30 values so that no 32-bit lane counter can overflow.
constexpr std::uint64_t kBlock = std::uint64_t{1} << 30;

kernels::AboveCounts count_f32(const float* row, std::uint64_t w, float high, float low) {
    const __m256 vh = _mm256_set1_ps(high), vl = _mm256_set1_ps(low);
    std::uint64_t above_high = 0, above_low = 0, x = 0;
    while (x + 16 <= w) {
        const std::uint64_t stop = (w - x > kBlock ? x + kBlock : w) - 15;
        __m256i h0 = _mm256_setzero_si256(), h1 = h0, l0 = h0, l1 = h0;
        for (; x < stop; x += 16) {
            const __m256 a = _mm256_loadu_ps(row + x), b = _mm256_loadu_ps(row + x + 8);
            h0 = _mm256_sub_epi32(h0, _mm256_castps_si256(_mm256_cmp_ps(a, vh, _CMP_GT_OQ)));
            h1 = _mm256_sub_epi32(h1, _mm256_castps_si256(_mm256_cmp_ps(b, vh, _CMP_GT_OQ)));
            l0 = _mm256_sub_epi32(l0, _mm256_castps_si256(_mm256_cmp_ps(a, vl, _CMP_GT_OQ)));
            l1 = _mm256_sub_epi32(l1, _mm256_castps_si256(_mm256_cmp_ps(b, vl, _CMP_GT_OQ)));
        }
        above_high += lane_sum32(h0, h1);
        above_low += lane_sum32(l0, l1);
    }
    const kernels::AboveCounts tail = count_tail<float>(row, x, w, high, low);
    return {above_high + tail.high, above_low + tail.low};
}

kernels::AboveCounts count_f64(const double* row, std::uint64_t w, double high, double low) {
    const __m256d vh = _mm256_set1_pd(high), vl = _mm256_set1_pd(low);
    __m256i h0 = _mm256_setzero_si256(), h1 = h0, l0 = h0, l1 = h0;
    std::uint64_t x = 0;
    for (; x + 8 <= w; x += 8) {
        const __m256d a = _mm256_loadu_pd(row + x), b = _mm256_loadu_pd(row + x + 4);
        h0 = _mm256_sub_epi64(h0, _mm256_castpd_si256(_mm256_cmp_pd(a, vh, _CMP_GT_OQ)));
        h1 = _mm256_sub_epi64(h1, _mm256_castpd_si256(_mm256_cmp_pd(b, vh, _CMP_GT_OQ)));
        l0 = _mm256_sub_epi64(l0, _mm256_castpd_si256(_mm256_cmp_pd(a, vl, _CMP_GT_OQ)));
        l1 = _mm256_sub_epi64(l1, _mm256_castpd_si256(_mm256_cmp_pd(b, vl, _CMP_GT_OQ)));
    }
    const kernels::AboveCounts tail = count_tail<double>(row, x, w, high, low);
    return {lane_sum64(h0, h1) + tail.high, lane_sum64(l0, l1) + tail.low};
}

kernels::AboveCounts count_f16(const std::uint16_t* row, std::uint64_t w, std::int16_t high, std::int16_t low) {
    const __m256i magnitude_bits = _mm256_set1_epi16(0x7fff);
    const __m256i past_inf = _mm256_set1_epi16(static_cast<std::int16_t>(kernels::kHalfInf + 1));
    const __m256i vh = _mm256_set1_epi16(high), vl = _mm256_set1_epi16(low);
    // Each counted lane sets two movemask bits: the sums are halved at the end.
    std::uint64_t bits_high = 0, bits_low = 0, x = 0;
    for (; x + 16 <= w; x += 16) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + x));
        const __m256i magnitude = _mm256_and_si256(v, magnitude_bits);
        const __m256i negative = _mm256_srai_epi16(v, 15);
        const __m256i key = _mm256_sub_epi16(_mm256_xor_si256(magnitude, negative), negative);
        const __m256i number = _mm256_cmpgt_epi16(past_inf, magnitude);
        const __m256i ah = _mm256_and_si256(_mm256_cmpgt_epi16(key, vh), number);
        const __m256i al = _mm256_and_si256(_mm256_cmpgt_epi16(key, vl), number);
        bits_high += static_cast<std::uint64_t>(_mm_popcnt_u32(static_cast<std::uint32_t>(_mm256_movemask_epi8(ah))));
        bits_low += static_cast<std::uint64_t>(_mm_popcnt_u32(static_cast<std::uint32_t>(_mm256_movemask_epi8(al))));
    }
    const kernels::AboveCounts tail = count_tail_f16(row, x, w, high, low);
    return {bits_high / 2 + tail.high, bits_low / 2 + tail.low};
}
}  // namespace

const kernels::SamKernels sam_kernels{count_f32, count_f64, count_f16};

}  // namespace maskkit::avx2
MASKKIT_TARGET_END

#else
namespace maskkit::avx2 { const kernels::SamKernels sam_kernels = scalar::sam_kernels; }
#endif
