// Portable reference kernels: eight bytes at a time in a 64-bit word (no SIMD instructions),
// so uniform stretches are skipped quickly and the result is the definition the SIMD targets
// are tested against.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/rle_kernels.hpp"

namespace maskkit::scalar {
namespace {

#include "kernels/scalar_lanes.inl"
#include "kernels/bit_positions.inl"
#include "kernels/rle_kernels.inl"

}  // namespace

const kernels::RleKernels rle_kernels = make_rle_kernels<Lanes>();

}  // namespace maskkit::scalar
