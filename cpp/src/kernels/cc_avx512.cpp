// Connected-components kernels of the AVX-512 target (the policy in avx512_lanes.inl).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/cc_kernels.hpp"
#include "kernels/simd_region.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

MASKKIT_TARGET_BEGIN("avx512f,avx512bw,avx512vl,avx2,bmi,bmi2,popcnt")
namespace maskkit::avx512 {
namespace {

#include "kernels/avx512_lanes.inl"
#include "kernels/bit_positions.inl"
#include "kernels/cc_kernels.inl"

}  // namespace

const kernels::CcKernels cc_kernels = make_cc_kernels<Lanes>();

}  // namespace maskkit::avx512
MASKKIT_TARGET_END

#else
namespace maskkit::avx512 { const kernels::CcKernels cc_kernels = scalar::cc_kernels; }
#endif
