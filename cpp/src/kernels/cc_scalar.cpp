// Connected-components kernels of the scalar target (the portable reference: the policy in
// scalar_lanes.inl).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/cc_kernels.hpp"

namespace maskkit::scalar {
namespace {

#include "kernels/scalar_lanes.inl"
#include "kernels/bit_positions.inl"
#include "kernels/cc_kernels.inl"

}  // namespace

const kernels::CcKernels cc_kernels = make_cc_kernels<Lanes>();

}  // namespace maskkit::scalar
