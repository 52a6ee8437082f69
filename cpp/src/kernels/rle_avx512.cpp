// AVX-512 (F+BW+VL) kernels: 64 bytes per compare straight into a mask register, and masked
// loads for partial blocks so row tails need no scalar loop.
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

MASKKIT_TARGET_BEGIN("avx512f,avx512bw,avx512vl,avx2,bmi,bmi2,popcnt")
namespace maskkit::avx512 {
namespace {

#include "kernels/avx512_lanes.inl"
#include "kernels/bit_positions.inl"
#include "kernels/rle_kernels.inl"

}  // namespace

const kernels::RleKernels rle_kernels = make_rle_kernels<Lanes>();

}  // namespace maskkit::avx512
MASKKIT_TARGET_END

#else
namespace maskkit::avx512 { const kernels::RleKernels rle_kernels = scalar::rle_kernels; }
#endif
