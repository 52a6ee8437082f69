// Bit-packed mask kernels of the scalar target (the portable reference).
#include <cstdint>
#include <cstring>

#include "kernels/iou_kernels.hpp"

namespace maskkit::scalar {
namespace {
#include "kernels/iou_kernels.inl"
}  // namespace

const kernels::IouKernels iou_kernels = table;

}  // namespace maskkit::scalar
