// Panoptic kernels of the scalar target (the portable reference).
#include <cstddef>
#include <cstdint>

#include "kernels/panoptic_kernels.hpp"

namespace maskkit::scalar {
namespace {
#include "kernels/panoptic_kernels.inl"

std::uint32_t write_ids_transposed(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w,
                                   const std::uint32_t* ids, std::uint32_t limit, std::uint32_t* out) {
    std::uint32_t worst = 0;
    write_ids_region(painted, h, w, ids, limit, out, 0, h, 0, w, worst);
    return worst;
}
}  // namespace

const kernels::PanopticKernels panoptic_kernels = {write_ids_transposed, mf_bounds_scalar, mf_candidates_scalar};

}  // namespace maskkit::scalar
