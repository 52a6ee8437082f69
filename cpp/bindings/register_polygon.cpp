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

py::tuple polygons_to_rle(const py::object& polygons, long long height, long long width) {
    return batch_arrays(rasterize_polygons(polygons, height, width));
}

py::tuple boxes_to_rle(const py::object& boxes, long long height, long long width) {
    return batch_arrays(rasterize_boxes(boxes, height, width));
}

}  // namespace

void register_polygon(py::module_& m) {
    m.def("polygons_to_rle", &polygons_to_rle, py::arg("polygons"), py::arg("height"), py::arg("width"),
          "Rasterize flat polygons with pycocotools' rule; returns (counts, offsets).");
    m.def("boxes_to_rle", &boxes_to_rle, py::arg("boxes"), py::arg("height"), py::arg("width"),
          "Rasterize (N, 4) float64 [x, y, w, h] boxes; returns (counts, offsets).");
}

}  // namespace maskkit::bindings
