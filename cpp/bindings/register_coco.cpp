// maskkit._core functions behind maskkit.coco: they take and return COCO's
// {'size': [h, w], 'counts': bytes} objects directly, so a call costs one crossing into C++
// (pycocotools' per-call overhead is what dominates small inputs). Python objects are read
// and built with the GIL held; string parsing, the algorithms and string encoding run with it
// released, while the bytes/str objects stay referenced so their buffers cannot go away.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstring>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "polygon_input.hpp"
#include "maskkit/polygon.hpp"
#include "maskkit/rle.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit::bindings {
namespace {

// The C-level type name ("bytearray", "numpy.bytes_"), as pycocotools' messages print it.
std::string type_name(PyObject* obj) { return Py_TYPE(obj)->tp_name; }

// Interned key strings, created once and never freed (their hash is cached, so dict lookups
// and inserts skip building and hashing a new string every time).
PyObject* key_size() {
    static PyObject* key = PyUnicode_InternFromString("size");
    return key;
}
PyObject* key_counts() {
    static PyObject* key = PyUnicode_InternFromString("counts");
    return key;
}

py::object item(PyObject* container, PyObject* key) {
    if (PyDict_CheckExact(container)) {
        PyObject* result = PyDict_GetItemWithError(container, key);  // borrowed
        if (result == nullptr) {
            if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
            throw py::error_already_set();
        }
        return py::reinterpret_borrow<py::object>(result);
    }
    PyObject* result = PyObject_GetItem(container, key);
    if (result == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(result);
}

// pycocotools converts size values to C `unsigned long`: ints (and objects with __index__) and
// floats (truncated) pass, negatives raise OverflowError, anything else TypeError.
std::uint64_t size_value(PyObject* value) {
    long long v = 0;
    if (PyLong_CheckExact(value)) {
        int overflow = 0;
        v = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow > 0) v = max_dimension + 1;
        if (overflow < 0) v = -1;
    } else if (PyFloat_Check(value)) {
        const double d = PyFloat_AS_DOUBLE(value);
        if (!(d > -1e300 && d < 1e300))
            throw py::value_error("RLE size must be finite, got " + std::string(py::repr(value)));
        v = d < 0 ? -1 : (d > 1e18 ? max_dimension + 1 : static_cast<long long>(d));
    } else if (PyIndex_Check(value)) {
        py::object as_int = py::reinterpret_steal<py::object>(PyNumber_Index(value));
        if (!as_int) throw py::error_already_set();
        return size_value(as_int.ptr());
    } else {
        throw py::type_error("an integer is required for an RLE size, got " + type_name(value));
    }
    if (v < 0)
        throw std::overflow_error("can't convert negative value to siz: RLE size " +
                                  std::string(py::repr(value)) + " is negative");
    if (v > max_dimension)
        throw std::overflow_error("RLE size " + std::string(py::repr(value)) + " is larger than 2**32 - 1");
    return static_cast<std::uint64_t>(v);
}

// Compressed RLE objects read into one batch. Parsing runs without the GIL for big inputs.
struct Parsed {
    RleBatch batch;
    std::vector<RleView> views;
};

Parsed parse_objects(const py::handle& objs) {
    py::object seq = py::reinterpret_steal<py::object>(
        PySequence_Fast(objs.ptr(), "RLE objects must be a sequence of dicts"));
    if (!seq) throw py::error_already_set();
    const auto n = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(seq.ptr()));
    PyObject** items = PySequence_Fast_ITEMS(seq.ptr());
    std::vector<py::object> keep_alive;
    std::vector<std::pair<const char*, std::size_t>> texts(n);
    Parsed p;
    p.batch.heights.resize(n);
    p.batch.widths.resize(n);
    keep_alive.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        py::object counts = item(items[i], key_counts());
        Py_ssize_t length = 0;
        const char* data = nullptr;
        if (PyBytes_CheckExact(counts.ptr())) {
            data = PyBytes_AS_STRING(counts.ptr());
            length = PyBytes_GET_SIZE(counts.ptr());
        } else if (PyUnicode_CheckExact(counts.ptr())) {
            data = PyUnicode_AsUTF8AndSize(counts.ptr(), &length);
            if (data == nullptr) throw py::error_already_set();
        } else {
            throw py::type_error("Expected bytes, got " + type_name(counts.ptr()) +
                                 " (compressed RLE counts must be str or bytes; convert "
                                 "uncompressed counts with frPyObjects)");
        }
        const py::object size = item(items[i], key_size());
        py::object h = py::reinterpret_steal<py::object>(PySequence_GetItem(size.ptr(), 0));
        if (!h) throw py::error_already_set();
        py::object w = py::reinterpret_steal<py::object>(PySequence_GetItem(size.ptr(), 1));
        if (!w) throw py::error_already_set();
        p.batch.heights[i] = size_value(h.ptr());
        p.batch.widths[i] = size_value(w.ptr());
        texts[i] = {data, static_cast<std::size_t>(length)};
        keep_alive.push_back(std::move(counts));
    }
    // Every string gets a slot as long as its text (a count takes at least one character), all
    // in one buffer; slots are parsed in parallel for big inputs, then packed together.
    std::vector<std::size_t> slot(n + 1, 0);
    for (std::size_t i = 0; i < n; ++i) slot[i + 1] = slot[i] + texts[i].second;
    std::vector<std::size_t> parsed(n);
    p.batch.counts.resize(slot[n]);
    auto parse_range = [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            parsed[i] = parse_rle_string(texts[i].first, texts[i].second, p.batch.counts.data() + slot[i]);
    };
    if (n >= 64) {
        py::gil_scoped_release release;
        parallel_for(n, 64, parse_range);
    } else {
        parse_range(0, n);
    }
    std::size_t packed = 0;
    p.batch.offsets.resize(n + 1);
    for (std::size_t i = 0; i < n; ++i) {
        if (packed != slot[i])
            std::memmove(p.batch.counts.data() + packed, p.batch.counts.data() + slot[i], parsed[i] * sizeof(count_t));
        packed += parsed[i];
        p.batch.offsets[i + 1] = packed;
    }
    p.batch.counts.resize(packed);
    p.views.resize(n);
    for (std::size_t i = 0; i < n; ++i) p.views[i] = p.batch.view(i);
    return p;
}

// Builds [{'size': [h, w], 'counts': b'...'}, ...] (key order as pycocotools: size first).
py::list build_objects(const std::vector<RleView>& views) {
    const std::size_t n = views.size();
    thread_local std::string text;
    thread_local std::vector<std::size_t> ends;
    text.clear();
    ends.resize(n);
    if (n >= 64) {  // big batches: encode the strings in parallel, then join them
        std::vector<std::string> texts(n);
        py::gil_scoped_release release;
        parallel_for(n, 64, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) append_rle_string(views[i].counts, views[i].m, texts[i]);
        });
        for (std::size_t i = 0; i < n; ++i) {
            text += texts[i];
            ends[i] = text.size();
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            append_rle_string(views[i].counts, views[i].m, text);
            ends[i] = text.size();
        }
    }
    PyObject* out = PyList_New(static_cast<Py_ssize_t>(n));
    if (out == nullptr) throw py::error_already_set();
    py::list result = py::reinterpret_steal<py::list>(out);
    std::size_t begin = 0;
    for (std::size_t i = 0; i < n; ++i) {
        py::object d = py::reinterpret_steal<py::object>(PyDict_New());
        py::object size = py::reinterpret_steal<py::object>(PyList_New(2));
        if (!d || !size) throw py::error_already_set();
        PyList_SET_ITEM(size.ptr(), 0, PyLong_FromUnsignedLongLong(views[i].h));
        PyList_SET_ITEM(size.ptr(), 1, PyLong_FromUnsignedLongLong(views[i].w));
        py::object bytes = py::reinterpret_steal<py::object>(
            PyBytes_FromStringAndSize(text.data() + begin, static_cast<Py_ssize_t>(ends[i] - begin)));
        if (!bytes || PyDict_SetItem(d.ptr(), key_size(), size.ptr()) != 0 ||
            PyDict_SetItem(d.ptr(), key_counts(), bytes.ptr()) != 0)
            throw py::error_already_set();
        PyList_SET_ITEM(out, static_cast<Py_ssize_t>(i), d.release().ptr());
        begin = ends[i];
    }
    if (text.capacity() > (std::size_t{1} << 24)) std::string().swap(text);
    return result;
}

std::vector<RleView> views_of(const RleBatch& batch) {
    std::vector<RleView> views(batch.size());
    for (std::size_t i = 0; i < views.size(); ++i) views[i] = batch.view(i);
    return views;
}

py::tuple parse(const py::object& objs) {
    Parsed p = parse_objects(objs);
    const std::size_t n = p.views.size();
    std::vector<std::int64_t> sizes(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        sizes[2 * i] = static_cast<std::int64_t>(p.batch.heights[i]);
        sizes[2 * i + 1] = static_cast<std::int64_t>(p.batch.widths[i]);
    }
    py::array_t<std::int64_t> size_array = to_numpy(std::move(sizes), 2);
    py::tuple arrays = batch_arrays(std::move(p.batch));
    return py::make_tuple(arrays[0], arrays[1], size_array);
}

py::list build(const py::object& counts, const py::object& offsets, const py::object& sizes) {
    BatchViews b = batch_views(counts, offsets, sizes);
    return build_objects(b.views);
}

py::list encode_objects(const py::array& masks) {
    const MaskStack s = mask_stack(masks);
    RleBatch batch;
    {
        py::gil_scoped_release release;
        batch = encode_batch(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w);
    }
    return build_objects(views_of(batch));
}

py::array decode_objects(const py::object& objs) {
    Parsed p = parse_objects(objs);
    const std::size_t n = p.views.size();
    if (n == 0) throw py::value_error("decode needs at least one RLE (pycocotools reads past an empty list)");
    const std::uint64_t h = p.views[0].h, w = p.views[0].w;
    py::array out = fresh_masks(h, w, n, true);
    auto* data = static_cast<std::uint8_t*>(out.mutable_data());
    {
        py::gil_scoped_release release;
        decode_batch(p.views.data(), n, h, w, false, data);
    }
    return out;
}

py::array_t<count_t> area_objects(const py::object& objs) {
    Parsed p = parse_objects(objs);
    py::array_t<count_t> out(static_cast<py::ssize_t>(p.views.size()));
    count_t* data = out.mutable_data();
    for (std::size_t i = 0; i < p.views.size(); ++i) data[i] = area(p.views[i]);
    return out;
}

py::array_t<double> bbox_objects(const py::object& objs) {
    Parsed p = parse_objects(objs);
    py::array_t<double> out({static_cast<py::ssize_t>(p.views.size()), py::ssize_t{4}});
    double* data = out.mutable_data();
    for (std::size_t i = 0; i < p.views.size(); ++i) to_bbox(p.views[i], data + 4 * i);
    return out;
}

py::dict merge_objects(const py::object& objs, bool intersect) {
    Parsed p = parse_objects(objs);
    std::vector<count_t> merged;
    std::uint64_t h = 0, w = 0;
    {
        py::gil_scoped_release release;
        merge(p.views.data(), p.views.size(), intersect, h, w, merged);
    }
    py::list one = build_objects({RleView{h, w, merged.data(), merged.size()}});
    return one[0];
}

// IoU of parsed RLE objects; `iscrowd` is a uint8 array with one flag per gt (checked by the
// caller, which reproduces pycocotools' argument handling). Fortran-ordered (m, n) result.
py::array_t<double> iou_objects(const py::object& dt_objs, const py::object& gt_objs, const py::object& iscrowd) {
    Parsed dt = parse_objects(dt_objs);
    Parsed gt = parse_objects(gt_objs);
    const std::size_t m = dt.views.size(), n = gt.views.size();
    auto crowd = exact_array<std::uint8_t>(iscrowd, "iscrowd");
    if (crowd.ndim() != 1 || static_cast<std::size_t>(crowd.shape(0)) != n)
        throw py::value_error("iscrowd must have one flag per ground truth (" + std::to_string(n) + ")");
    py::array_t<double> out({static_cast<py::ssize_t>(m), static_cast<py::ssize_t>(n)},
                            {py::ssize_t{8}, static_cast<py::ssize_t>(8 * m)});
    double* data = out.mutable_data();
    const std::uint8_t* flags = crowd.data();
    {
        py::gil_scoped_release release;
        rle_iou(dt.views.data(), m, gt.views.data(), n, flags, data);
    }
    return out;
}

py::list fr_poly_objects(const py::object& polygons, long long height, long long width) {
    return build_objects(views_of(rasterize_polygons(polygons, height, width)));
}

py::list fr_bbox_objects(const py::object& boxes, long long height, long long width) {
    return build_objects(views_of(rasterize_boxes(boxes, height, width)));
}

}  // namespace

void register_coco(py::module_& m) {
    m.def("coco_parse", &parse, py::arg("objs"),
          "Parse a sequence of COCO compressed-RLE objects into (counts, offsets, sizes).");
    m.def("coco_build", &build, py::arg("counts"), py::arg("offsets"), py::arg("sizes"),
          "Build COCO compressed-RLE dicts from a batch.");
    m.def("coco_encode", &encode_objects, py::arg("masks"),
          "Encode (N, H, W) masks of any strides straight to COCO dicts.");
    m.def("coco_decode", &decode_objects, py::arg("objs"), "COCO dicts to an (H, W, N) F-ordered array.");
    m.def("coco_area", &area_objects, py::arg("objs"), "uint32 areas of COCO dicts.");
    m.def("coco_to_bbox", &bbox_objects, py::arg("objs"), "(N, 4) boxes of COCO dicts.");
    m.def("coco_merge", &merge_objects, py::arg("objs"), py::arg("intersect"), "Merge COCO dicts into one.");
    m.def("coco_iou", &iou_objects, py::arg("dt"), py::arg("gt"), py::arg("iscrowd"),
          "IoU of COCO dicts, (m, n) Fortran-ordered.");
    m.def("coco_fr_poly", &fr_poly_objects, py::arg("polygons"), py::arg("h"), py::arg("w"),
          "Rasterize flat polygons to COCO dicts.");
    m.def("coco_fr_bbox", &fr_bbox_objects, py::arg("boxes"), py::arg("h"), py::arg("w"),
          "Rasterize (N, 4) float64 boxes to COCO dicts.");
}

}  // namespace maskkit::bindings
