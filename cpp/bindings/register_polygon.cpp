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

PolygonRule polygon_rule(int rule) {
    if (rule < 0 || rule > 2) throw py::value_error("rule must be 0 (coco), 1 (center) or 2 (opencv), got " + std::to_string(rule));
    return static_cast<PolygonRule>(rule);
}

// Clears the array's WRITEABLE flag (RleBatch holds read-only arrays), without a Python call.
template <class T>
py::array_t<T> frozen(py::array_t<T>&& a) {
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return std::move(a);
}

// One object's parts as a single RLE: (counts, offsets, sizes) of a batch of one, read-only.
py::tuple polygon_object_rle(const py::object& polygons, long long height, long long width, int rule) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    const PolygonRule r = polygon_rule(rule);
    const std::vector<std::vector<double>> xy = polygon_coordinates(polygons);
    std::vector<count_t> counts;
    {
        py::gil_scoped_release release;
        object_to_rle(xy, r, h, w, counts);
    }
    const auto m = static_cast<std::int64_t>(counts.size());
    std::vector<std::int64_t> offsets{0, m};
    std::vector<std::int64_t> sizes{static_cast<std::int64_t>(h), static_cast<std::int64_t>(w)};
    return py::make_tuple(frozen(to_numpy(std::move(counts))), frozen(to_numpy(std::move(offsets))),
                          frozen(to_numpy(std::move(sizes), 2)));
}

// One object's parts as a new (height, width) uint8 mask. Everything is checked before the mask
// is allocated (numpy.zeros: pages the object does not cover are never written).
py::array polygon_object_mask(const py::object& polygons, long long height, long long width, int rule) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    const PolygonRule r = polygon_rule(rule);
    const std::vector<std::vector<double>> xy = polygon_coordinates(polygons);
    check_object(xy, r, h, w);
    py::array out = py::module_::import("numpy").attr("zeros")(py::make_tuple(h, w), "uint8");
    auto* data = static_cast<std::uint8_t*>(out.mutable_data());
    {
        py::gil_scoped_release release;
        object_to_mask(xy, r, h, w, data);
    }
    return out;
}

py::tuple boxes_to_rle(const py::object& boxes, long long height, long long width) {
    return batch_arrays(rasterize_boxes(boxes, height, width));
}

}  // namespace

void register_polygon(py::module_& m) {
    m.def("polygons_to_rle", &polygons_to_rle, py::arg("polygons"), py::arg("height"), py::arg("width"),
          "Rasterize flat polygons with pycocotools' rule; returns (counts, offsets).");
    m.def("polygon_object_rle", &polygon_object_rle, py::arg("polygons"), py::arg("height"), py::arg("width"),
          py::arg("rule"), "Rasterize the union of an object's parts; returns (counts, offsets, sizes).");
    m.def("polygon_object_mask", &polygon_object_mask, py::arg("polygons"), py::arg("height"), py::arg("width"),
          py::arg("rule"), "Rasterize the union of an object's parts into a new (H, W) uint8 mask.");
    m.def("boxes_to_rle", &boxes_to_rle, py::arg("boxes"), py::arg("height"), py::arg("width"),
          "Rasterize (N, 4) float64 [x, y, w, h] boxes; returns (counts, offsets).");
}

}  // namespace maskkit::bindings
