// maskkit._core polygon and box rasterization. Coordinates are copied into double vectors with
// the GIL held (lists of numbers are read directly, anything else through numpy.asarray), then
// every polygon is rasterized with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "maskkit/polygon.hpp"
#include "maskkit/rle.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit::bindings {
namespace {

std::vector<double> coordinates(const py::handle& polygon, std::size_t index) {
    std::vector<double> xy;
    if (PyList_CheckExact(polygon.ptr()) || PyTuple_CheckExact(polygon.ptr())) {
        const py::sequence seq = py::reinterpret_borrow<py::sequence>(polygon);
        const std::size_t n = py::len(seq);
        xy.resize(n);
        PyObject** items = PySequence_Fast_ITEMS(seq.ptr());
        for (std::size_t i = 0; i < n; ++i) {
            PyObject* item = items[i];
            const double v = PyFloat_CheckExact(item) ? PyFloat_AS_DOUBLE(item) : PyFloat_AsDouble(item);
            if (v == -1.0 && PyErr_Occurred()) {
                PyErr_Clear();
                throw py::type_error("polygon " + std::to_string(index) + " coordinate " + std::to_string(i) +
                                     " must be a real number, got " +
                                     std::string(py::str(py::type::of(item).attr("__name__"))));
            }
            xy[i] = v;
        }
        return xy;
    }
    const py::array arr = py::module_::import("numpy").attr("asarray")(polygon, "float64");
    if (arr.ndim() != 1)
        throw py::value_error("polygon " + std::to_string(index) + " must be a flat sequence x0, y0, x1, y1, ...; got ndim=" +
                              std::to_string(arr.ndim()));
    const auto contiguous = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(arr);
    xy.assign(contiguous.data(), contiguous.data() + contiguous.shape(0));
    return xy;
}

std::uint64_t dimension(long long value, const char* name) {
    if (value < 0) throw std::overflow_error(std::string(name) + " must be non-negative, got " + std::to_string(value));
    if (value > max_dimension) throw std::overflow_error(std::string(name) + " must be at most 2**32 - 1, got " + std::to_string(value));
    return static_cast<std::uint64_t>(value);
}

RleBatch rasterize_all(const std::vector<std::vector<double>>& polygons, std::uint64_t h, std::uint64_t w) {
    std::vector<std::vector<count_t>> per(polygons.size());
    parallel_for(polygons.size(), 16, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            polygon_to_rle(polygons[i].data(), polygons[i].size() / 2, h, w, per[i]);
    });
    RleBatch batch;
    for (const auto& c : per) batch.append(h, w, c.data(), c.size());
    return batch;
}

py::tuple polygons_to_rle(const py::sequence& polygons, long long height, long long width) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    std::vector<std::vector<double>> xy;
    const std::size_t n = py::len(polygons);
    xy.reserve(n);
    for (std::size_t i = 0; i < n; ++i) xy.push_back(coordinates(polygons[i], i));
    RleBatch batch;
    {
        py::gil_scoped_release release;
        batch = rasterize_all(xy, h, w);
    }
    return batch_arrays(std::move(batch));
}

py::tuple boxes_to_rle(const py::object& boxes_obj, long long height, long long width) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    auto boxes = exact_array<double>(boxes_obj, "boxes");
    if (boxes.ndim() != 2 || boxes.shape(1) != 4)
        throw py::value_error("boxes must have shape (N, 4), got ndim=" + std::to_string(boxes.ndim()));
    const auto n = static_cast<std::size_t>(boxes.shape(0));
    const double* data = boxes.data();
    RleBatch batch;
    {
        py::gil_scoped_release release;
        std::vector<std::vector<count_t>> per(n);
        parallel_for(n, 64, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) box_to_rle(data + 4 * i, h, w, per[i]);
        });
        for (const auto& c : per) batch.append(h, w, c.data(), c.size());
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
