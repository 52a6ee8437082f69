// maskkit._core SAM helpers: stability scores of a (N, H, W) logit stack of half, float or
// double values in native byte order (any strides that are whole elements).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "arrays.hpp"
#include "maskkit/sam.hpp"

namespace maskkit::bindings {
namespace {

LogitType logit_type(const py::array& logits) {
    const py::dtype dt = logits.dtype();
    if (dt.equal(py::dtype::of<float>())) return LogitType::f32;
    if (dt.equal(py::dtype::of<double>())) return LogitType::f64;
    if (dt.equal(py::dtype("float16"))) return LogitType::f16;
    throw py::type_error("logits must have dtype float16, float32 or float64 in native byte order, got " +
                         std::string(py::str(dt)));
}

py::array_t<float> stability(const py::array& logits, double high, double low) {
    const LogitType type = logit_type(logits);
    if (logits.ndim() != 3)
        throw py::value_error("logits must be 3-D (N, H, W), got ndim=" + std::to_string(logits.ndim()));
    const py::ssize_t item = logits.itemsize();
    std::int64_t strides[3];
    for (int d = 0; d < 3; ++d) {
        if (logits.strides(d) % item != 0)
            throw py::value_error("logits strides must be whole elements, got " + std::to_string(logits.strides(d)) +
                                  " bytes for " + std::to_string(item) + "-byte values");
        strides[d] = logits.strides(d) / item;
    }
    const auto n = static_cast<std::size_t>(logits.shape(0));
    py::array_t<float> scores(static_cast<py::ssize_t>(n));
    const void* data = logits.data();
    float* out = scores.mutable_data();
    {
        py::gil_scoped_release release;
        stability_scores(data, type, n, static_cast<std::uint64_t>(logits.shape(1)),
                         static_cast<std::uint64_t>(logits.shape(2)), strides[0], strides[1], strides[2], high, low,
                         out);
    }
    return scores;
}

}  // namespace

void register_sam(py::module_& m) {
    m.def("sam_stability", &stability, py::arg("logits"), py::arg("high"), py::arg("low"),
          "SAM stability scores float32 (N,) of (N, H, W) float16/float32/float64 logits: counts above high over "
          "counts above low, with SAM's int16 row sums and int32 totals.");
}

}  // namespace maskkit::bindings
