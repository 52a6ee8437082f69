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

inline __m512 splat(float v) { return _mm512_set1_ps(v); }
inline __m512d splat(double v) { return _mm512_set1_pd(v); }
inline __m512 load(const float* p) { return _mm512_loadu_ps(p); }
inline __m512d load(const double* p) { return _mm512_loadu_pd(p); }
inline std::uint64_t above(__m512 v, __m512 t) { return _mm512_cmp_ps_mask(v, t, _CMP_GT_OQ); }
inline std::uint64_t above(__m512d v, __m512d t) { return _mm512_cmp_pd_mask(v, t, _CMP_GT_OQ); }

// Two vectors per step, their compare masks joined into one word per threshold.
template <class T>
kernels::AboveCounts count_floats(const T* row, std::uint64_t w, T high, T low) {
    constexpr std::uint64_t lanes = 64 / sizeof(T);
    const auto vh = splat(high), vl = splat(low);
    std::uint64_t above_high = 0, above_low = 0, x = 0;
    for (; x + 2 * lanes <= w; x += 2 * lanes) {
        const auto a = load(row + x), b = load(row + x + lanes);
        above_high += ones(above(a, vh) | above(b, vh) << lanes);
        above_low += ones(above(a, vl) | above(b, vl) << lanes);
    }
    const kernels::AboveCounts tail = count_tail<T>(row, x, w, high, low);
    return {above_high + tail.high, above_low + tail.low};
}

kernels::AboveCounts count_f32(const float* row, std::uint64_t w, float high, float low) {
    return count_floats<float>(row, w, high, low);
}
kernels::AboveCounts count_f64(const double* row, std::uint64_t w, double high, double low) {
    return count_floats<double>(row, w, high, low);
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
