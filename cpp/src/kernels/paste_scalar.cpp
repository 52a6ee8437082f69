// The float32 paste row of the scalar target (the portable reference).
#include <cstddef>
#include <cstdint>

#include "kernels/paste_kernels.hpp"

namespace maskkit::scalar {
namespace {
#include "kernels/paste_kernels.inl"

void paste_row(const float* north, const float* south, float rnear, float rfar, const kernels::PasteColumns& cols,
               std::size_t count, float threshold, std::uint8_t* out) {
    paste_row_scalar(north, south, rnear, rfar, cols, 0, count, threshold, out);
}
}  // namespace

const kernels::PasteKernels paste_kernels{paste_row};

}  // namespace maskkit::scalar
