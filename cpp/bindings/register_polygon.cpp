// maskkit._core polygon and box rasterization to (counts, offsets) batches. Coordinates are
// copied with the GIL held (polygon_input.hpp), then rasterized with it released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "maskkit/polygon.hpp"
#include "polygon_input.hpp"

namespace maskkit::bindings {
namespace {

std::uint64_t dimension(long long value, const char* name) {
    if (value < 0) throw py::value_error(std::string(name) + " must be >= 0, got " + std::to_string(value));
    if (value > max_dimension) throw std::overflow_error(std::string(name) + " must be at most 2**32 - 1, got " + std::to_string(value));
    return static_cast<std::uint64_t>(value);
}

py::tuple polygons_to_rle(const py::object& polygons, long long height, long long width) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    std::vector<std::vector<double>> xy = polygon_coordinates(polygons);
    RleBatch batch;
    {
        py::gil_scoped_release release;
        batch = polygons_to_batch(xy, h, w);
    }
    return batch_arrays(std::move(batch));
}

py::tuple boxes_to_rle(const py::object& boxes_obj, long long height, long long width) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    auto boxes = exact_array<double>(boxes_obj, "boxes");
    if (boxes.ndim() != 2 || boxes.shape(1) != 4)
        throw py::value_error("boxes must have shape (N, 4), got ndim=" + std::to_string(boxes.ndim()));
    const double* data = boxes.data();
    const auto n = static_cast<std::size_t>(boxes.shape(0));
    RleBatch batch;
    {
        py::gil_scoped_release release;
        batch = boxes_to_batch(data, n, h, w);
    }
    return batch_arrays(std::move(batch));
}

}  // namespace

void register_polygon(py::module_& m) {
    m.def("polygons_to_rle", &polygons_to_rle, py::arg("polygons"), py::arg("height"), py::arg("width"),
          "Rasterize flat polygons with pycocotools' rule; returns (counts, offsets).");
    m.def("boxes_to_rle", &boxes_to_rle, py::arg("boxes"), py::arg("height"), py::arg("width"),
          "Rasterize (N, 4) float64 [x, y, w, h] boxes; returns (counts, offsets).");
}

}  // namespace maskkit::bindings
