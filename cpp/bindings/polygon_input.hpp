// Reading polygon coordinates from Python (with the GIL held): a list or tuple of numbers is
// read item by item, anything else through numpy.asarray(..., float64), which must be 1-D.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "maskkit/polygon.hpp"

namespace maskkit::bindings {

namespace py = pybind11;

inline std::vector<double> polygon_values(PyObject* polygon, std::size_t index) {
    std::vector<double> xy;
    if (PyList_CheckExact(polygon) || PyTuple_CheckExact(polygon)) {
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(polygon);
        PyObject** items = PySequence_Fast_ITEMS(polygon);
        xy.resize(static_cast<std::size_t>(n));
        for (Py_ssize_t i = 0; i < n; ++i) {
            PyObject* value = items[i];
            const double v = PyFloat_CheckExact(value) ? PyFloat_AS_DOUBLE(value) : PyFloat_AsDouble(value);
            if (v == -1.0 && PyErr_Occurred()) {
                PyErr_Clear();
                throw py::type_error("polygon " + std::to_string(index) + " coordinate " + std::to_string(i) +
                                     " must be a real number, got " + Py_TYPE(value)->tp_name);
            }
            xy[static_cast<std::size_t>(i)] = v;
        }
        return xy;
    }
    const py::array arr = py::module_::import("numpy").attr("asarray")(py::handle(polygon), "float64");
    if (arr.ndim() != 1)
        throw py::value_error("polygon " + std::to_string(index) +
                              " must be a flat sequence x0, y0, x1, y1, ...; got ndim=" + std::to_string(arr.ndim()));
    const auto values = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(arr);
    xy.assign(values.data(), values.data() + values.shape(0));
    return xy;
}

inline std::vector<std::vector<double>> polygon_coordinates(const py::handle& polygons) {
    py::object seq = py::reinterpret_steal<py::object>(PySequence_Fast(polygons.ptr(), "polygons must be a sequence"));
    if (!seq) throw py::error_already_set();
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
    PyObject** items = PySequence_Fast_ITEMS(seq.ptr());
    std::vector<std::vector<double>> xy;
    xy.reserve(static_cast<std::size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) xy.push_back(polygon_values(items[i], static_cast<std::size_t>(i)));
    return xy;
}

// Polygons from Python rasterized into an h x w batch (coordinates read with the GIL, the
// rasterization run without it).
inline RleBatch rasterize_polygons(const py::handle& polygons, long long height, long long width) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    const std::vector<std::vector<double>> xy = polygon_coordinates(polygons);
    py::gil_scoped_release release;
    return polygons_to_batch(xy, h, w);
}

// An (N, 4) float64 array of [x, y, w, h] boxes rasterized into an h x w batch.
inline RleBatch rasterize_boxes(const py::handle& boxes_obj, long long height, long long width) {
    const std::uint64_t h = dimension(height, "height"), w = dimension(width, "width");
    const auto boxes = exact_array<double>(boxes_obj, "boxes");
    if (boxes.ndim() != 2 || boxes.shape(1) != 4)
        throw py::value_error("boxes must have shape (N, 4), got ndim=" + std::to_string(boxes.ndim()));
    const double* data = boxes.data();
    const auto n = static_cast<std::size_t>(boxes.shape(0));
    py::gil_scoped_release release;
    return boxes_to_batch(data, n, h, w);
}

}  // namespace maskkit::bindings
