// Stability-count kernels of the scalar target (the portable reference).
#include <cstdint>

#include "kernels/sam_kernels.hpp"

namespace maskkit::scalar {
namespace {
#include "kernels/sam_kernels.inl"

kernels::AboveCounts count_f32(const float* row, std::uint64_t w, float high, float low) {
    return count_tail<float>(row, 0, w, high, low);
}
kernels::AboveCounts count_f64(const double* row, std::uint64_t w, double high, double low) {
    return count_tail<double>(row, 0, w, high, low);
}
kernels::AboveCounts count_f16(const std::uint16_t* row, std::uint64_t w, std::int16_t high, std::int16_t low) {
    return count_tail_f16(row, 0, w, high, low);
}
}  // namespace

const kernels::SamKernels sam_kernels{count_f32, count_f64, count_f16};

}  // namespace maskkit::scalar
