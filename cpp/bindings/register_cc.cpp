// maskkit._core connected components. The Python wrapper hands over a C-contiguous 3-D view
// (a 2-D image as one plane) of an integer or bool array; labeling runs without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "maskkit/cc.hpp"

namespace maskkit::bindings {
namespace {

py::tuple label(const py::array& image, int connectivity, bool multilabel, std::uint64_t background,
                bool with_stats) {
    if (image.ndim() != 3)
        throw py::value_error("image must be passed as (depth, height, width), got ndim=" + std::to_string(image.ndim()));
    if (!(image.flags() & py::array::c_style))
        throw py::value_error("image must be C-contiguous");
    const char kind = image.dtype().kind();
    if (kind != 'b' && kind != 'i' && kind != 'u')
        throw py::type_error("image must have an integer or bool dtype, got " + std::string(py::str(image.dtype())));
    const LabelShape shape{static_cast<std::uint64_t>(image.shape(0)), static_cast<std::uint64_t>(image.shape(1)),
                           static_cast<std::uint64_t>(image.shape(2))};
    const void* data = image.data();
    const auto item = static_cast<std::size_t>(image.itemsize());
    std::vector<std::uint64_t> labels;
    ComponentStats stats;
    std::uint64_t n = 0;
    {
        py::gil_scoped_release release;
        n = label_components(data, item, shape, connectivity, multilabel, background, labels,
                             with_stats ? &stats : nullptr);
    }
    if (!with_stats) return py::make_tuple(to_numpy(std::move(labels)), n);
    return py::make_tuple(to_numpy(std::move(labels)), n, to_numpy(std::move(stats.area)),
                          to_numpy(std::move(stats.bbox), 6), to_numpy(std::move(stats.coordinate_sums), 3));
}

}  // namespace

void register_cc(py::module_& m) {
    m.def("cc_label", &label, py::arg("image"), py::arg("connectivity"), py::arg("multilabel"),
          py::arg("background"), py::arg("with_stats") = false,
          "Label a C-contiguous (D, H, W) integer/bool image; returns (flat uint64 labels, n) and, "
          "with_stats, (area, bbox (n, 6), coordinate sums (n, 3)).");
}

}  // namespace maskkit::bindings
