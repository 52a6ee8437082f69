// Bit-packed mask kernels of the AVX2 target: the popcnt instruction, 64 bytes packed with two
// compares and movemasks, 64 bytes tested for a non-zero one with an OR and a vptest.
#include <cstdint>
#include <cstring>

#include "kernels/iou_kernels.hpp"
#include "kernels/simd_region.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

MASKKIT_TARGET_BEGIN("avx2,popcnt")
namespace maskkit::avx2 {
namespace {

inline std::uint64_t pack_bytes_64(const std::uint8_t* p) {
    const __m256i zero = _mm256_setzero_si256();
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const auto zl = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, zero)));
    const auto zh = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, zero)));
    return ~(static_cast<std::uint64_t>(zh) << 32 | zl);
}
inline bool any_bytes_64(const std::uint8_t* p) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const __m256i both = _mm256_or_si256(lo, hi);
    return !_mm256_testz_si256(both, both);
}
#define MASKKIT_PACK_BYTES_64(p) pack_bytes_64(p)
#define MASKKIT_ANY_BYTES_64(p) any_bytes_64(p)
#include "kernels/iou_kernels.inl"
#undef MASKKIT_PACK_BYTES_64
#undef MASKKIT_ANY_BYTES_64

}  // namespace

const kernels::IouKernels iou_kernels = table;

}  // namespace maskkit::avx2
MASKKIT_TARGET_END

#else
namespace maskkit::avx2 { const kernels::IouKernels iou_kernels = scalar::iou_kernels; }
#endif
