// The float32 paste row of the AVX2 target: eight samples at a time, the four corners fetched
// with masked gathers (a lane outside the mask reads nothing and is 0, as torch's mask_gather),
// the weights and the sum with separate multiplies and adds in the scalar order, so every lane
// rounds as the scalar code does.
#include <cstddef>
#include <cstdint>

#include "kernels/paste_kernels.hpp"
#include "kernels/simd_region.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

MASKKIT_TARGET_BEGIN("avx2,bmi2")
namespace maskkit::avx2 {
namespace {
#include "kernels/paste_kernels.inl"

inline __m256 corner(const float* row, __m256i index, __m256i ok) {
    const __m256 zero = _mm256_setzero_ps();
    if (!row) return zero;
    return _mm256_mask_i32gather_ps(zero, row, index, _mm256_castsi256_ps(ok), 4);
}

void paste_row(const float* north, const float* south, float rnear, float rfar, const kernels::PasteColumns& cols,
               std::size_t count, float threshold, std::uint8_t* out) {
    const __m256 vn = _mm256_set1_ps(rnear), vf = _mm256_set1_ps(rfar), thr = _mm256_set1_ps(threshold);
    const __m256i one = _mm256_set1_epi32(1);
    std::size_t k = 0;
    for (; k + 8 <= count; k += 8) {
        const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols.lo + k));
        const __m256i hi = _mm256_add_epi32(lo, one);
        const __m256i lo_ok = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols.lo_ok + k));
        const __m256i hi_ok = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols.hi_ok + k));
        const __m256 near = _mm256_loadu_ps(cols.near + k), far = _mm256_loadu_ps(cols.far + k);
        const __m256 v_nw = corner(north, lo, lo_ok), v_ne = corner(north, hi, hi_ok);
        const __m256 v_sw = corner(south, lo, lo_ok), v_se = corner(south, hi, hi_ok);
        __m256 v = _mm256_mul_ps(v_nw, _mm256_mul_ps(vf, far));
        v = _mm256_add_ps(v, _mm256_mul_ps(v_ne, _mm256_mul_ps(vf, near)));
        v = _mm256_add_ps(v, _mm256_mul_ps(v_sw, _mm256_mul_ps(vn, far)));
        v = _mm256_add_ps(v, _mm256_mul_ps(v_se, _mm256_mul_ps(vn, near)));
        const auto bits = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(v, thr, _CMP_GE_OQ)));
        // Spread the eight result bits to eight bytes of 0 or 1.
        const std::uint64_t spread = _pdep_u64(bits, 0x0101010101010101ULL);
        __builtin_memcpy(out + k, &spread, 8);
    }
    paste_row_scalar(north, south, rnear, rfar, cols, k, count, threshold, out);
}
}  // namespace

const kernels::PasteKernels paste_kernels{paste_row};

}  // namespace maskkit::avx2
MASKKIT_TARGET_END

#else
namespace maskkit::avx2 { const kernels::PasteKernels paste_kernels = scalar::paste_kernels; }
#endif
