// AVX2 kernels: 32 bytes per compare, movemask to a bit set, tzcnt over the set bits.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/rle_kernels.hpp"
#include "kernels/simd_region.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

MASKKIT_TARGET_BEGIN("avx2,bmi,bmi2,popcnt")
namespace maskkit::avx2 {
namespace {

#include "kernels/avx2_lanes.inl"
#include "kernels/bit_positions.inl"
#include "kernels/rle_kernels.inl"

}  // namespace

const kernels::RleKernels rle_kernels = make_rle_kernels<Lanes>();

}  // namespace maskkit::avx2
MASKKIT_TARGET_END

#else
namespace maskkit::avx2 { const kernels::RleKernels rle_kernels = scalar::rle_kernels; }
#endif
