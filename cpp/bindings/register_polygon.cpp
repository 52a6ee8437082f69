// maskkit._core polygon and box rasterization to (counts, offsets) batches. Coordinates are
// copied with the GIL held (polygon_input.hpp), then rasterized with it released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "maskkit/polygon.hpp"
#include "maskkit/polygon_vector.hpp"
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

// A Python list of floats from n doubles.
py::list float_list(const double* values, std::size_t n) {
    py::list out(static_cast<py::ssize_t>(n));
    for (std::size_t j = 0; j < n; ++j) {
        PyObject* value = PyFloat_FromDouble(values[j]);
        if (!value) throw py::error_already_set();
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(j), value);
    }
    return out;
}

RingMode ring_mode(const std::string& mode) {
    if (mode == "external") return RingMode::External;
    if (mode == "list") return RingMode::List;
    if (mode == "ccomp") return RingMode::CComp;
    if (mode == "tree") return RingMode::Tree;
    throw py::value_error("mode must be 'external', 'list', 'ccomp' or 'tree', got '" + mode + "'");
}

// (rings: a list of flat coordinate lists, hierarchy (n, 4) int32).
py::tuple trace_rings(const py::array& mask, const std::string& mode, const std::string& method, double epsilon,
                      long long min_points, double dx, double dy) {
    const py::dtype dt = mask.dtype();
    if (!(dt.equal(py::dtype::of<std::uint8_t>()) || dt.equal(py::dtype::of<bool>())))
        throw py::type_error("mask must have dtype uint8 or bool, got " + std::string(py::str(dt)));
    if (mask.ndim() != 2) throw py::value_error("mask must be 2-D (H, W), got ndim=" + std::to_string(mask.ndim()));
    if (!(epsilon >= 0) || !std::isfinite(epsilon))
        throw py::value_error("simplify must be a finite number >= 0, got " + std::to_string(epsilon));
    if (min_points < 0) throw py::value_error("min_points must be >= 0, got " + std::to_string(min_points));
    if (!std::isfinite(dx) || !std::isfinite(dy)) throw py::value_error("offset must be finite");
    const RingMode m = ring_mode(mode);
    if (method != "pixel_edges" && method != "pixel_centers" && method != "simple")
        throw py::value_error("method must be 'pixel_edges', 'pixel_centers' or 'simple', got '" + method + "'");
    const bool edges = method == "pixel_edges", every_pixel = method == "pixel_centers";
    const auto* data = static_cast<const std::uint8_t*>(mask.data());
    const auto h = static_cast<std::uint64_t>(mask.shape(0)), w = static_cast<std::uint64_t>(mask.shape(1));
    const std::int64_t sy = mask.strides(0), sx = mask.strides(1);
    Rings rings;
    std::vector<double> xy;
    {
        py::gil_scoped_release release;
        rings = edges ? trace_pixel_edges(data, h, w, sy, sx, m) : find_contours(data, h, w, sy, sx, m, every_pixel);
        finish_rings(rings, epsilon, static_cast<std::size_t>(min_points));
        xy = ring_coordinates(rings, dx, dy);
    }
    py::list out(static_cast<py::ssize_t>(rings.size()));
    for (std::size_t i = 0; i < rings.size(); ++i) {
        const auto a = static_cast<std::size_t>(2 * rings.offsets[i]), b = static_cast<std::size_t>(2 * rings.offsets[i + 1]);
        out[static_cast<py::ssize_t>(i)] = float_list(xy.data() + a, b - a);
    }
    return py::make_tuple(out, to_numpy(std::move(rings.hierarchy), 4));
}

// A flat list/tuple of numbers or a 1-D array (read through numpy.asarray(..., float64)); the
// kept points come back as a flat list of floats.
py::list simplify_polygon(const py::object& polygon, double epsilon, bool closed) {
    const std::vector<double> xy = polygon_values(polygon.ptr(), 0);
    if (xy.size() % 2)
        throw py::value_error("polygon must be a flat sequence of x, y pairs, got " + std::to_string(xy.size()) +
                              " coordinates");
    if (!(epsilon >= 0) || !(epsilon < 1e30))
        throw py::value_error("epsilon must be a finite number >= 0 (below 1e30), got " + std::to_string(epsilon));
    std::vector<double> out;
    {
        py::gil_scoped_release release;
        simplify_rdp(xy.data(), xy.size() / 2, epsilon, closed, out);
    }
    return float_list(out.data(), out.size());
}

// (area float64, orientation int8, degenerate, self_intersecting, outside) per polygon.
py::tuple polygon_facts(const py::object& polygons, double height, double width, bool crossings) {
    const std::vector<std::vector<double>> xy = polygon_coordinates(polygons);
    for (std::size_t i = 0; i < xy.size(); ++i)
        if (xy[i].size() % 2)
            throw py::value_error("polygon " + std::to_string(i) + " must have an even number of coordinates, got " +
                                  std::to_string(xy[i].size()));
    const std::size_t n = xy.size();
    py::array_t<double> area(static_cast<py::ssize_t>(n));
    py::array_t<std::int8_t> orientation(static_cast<py::ssize_t>(n));
    py::array_t<bool> degenerate(static_cast<py::ssize_t>(n)), crossing(static_cast<py::ssize_t>(n)),
        outside(static_cast<py::ssize_t>(n));
    double* a = area.mutable_data();
    std::int8_t* o = orientation.mutable_data();
    bool *d = degenerate.mutable_data(), *c = crossing.mutable_data(), *out = outside.mutable_data();
    {
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
            const PolygonFacts f = maskkit::polygon_facts(xy[i].data(), xy[i].size() / 2, height, width, crossings);
            a[i] = f.area;
            o[i] = f.orientation;
            d[i] = f.degenerate;
            c[i] = f.self_intersecting;
            out[i] = f.outside;
        }
    }
    return py::make_tuple(area, orientation, degenerate, crossing, outside);
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
    m.def("trace_rings", &trace_rings, py::arg("mask"), py::arg("mode"), py::arg("method"), py::arg("epsilon"),
          py::arg("min_points"), py::arg("dx"), py::arg("dy"),
          "Trace the rings of a 2-D mask; returns (rings as flat coordinate lists, (n, 4) hierarchy).");
    m.def("simplify_polygon", &simplify_polygon, py::arg("xy"), py::arg("epsilon"), py::arg("closed"),
          "cv2.approxPolyDP on a flat float64 polygon; returns the kept points, flat.");
    m.def("polygon_facts", &polygon_facts, py::arg("polygons"), py::arg("height"), py::arg("width"),
          py::arg("crossings"), "Area, orientation, degenerate, self-intersecting and outside-image flags per polygon.");
}

}  // namespace maskkit::bindings
