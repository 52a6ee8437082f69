// maskkit._core functions behind maskkit.coco: they take and return COCO's
// {'size': [h, w], 'counts': bytes} objects directly, so a call costs one crossing into C++
// (pycocotools' per-call overhead is what dominates small inputs). Python objects are read and
// built here with the GIL held; everything else is one call into the core (rle_strings.hpp,
// rle.hpp, polygon.hpp), made without the GIL when the work is large enough to repay releasing
// it, while the bytes/str objects stay referenced so their buffers cannot go away.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <climits>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "polygon_input.hpp"
#include "maskkit/polygon.hpp"
#include "maskkit/rle.hpp"
#include "maskkit/rle_strings.hpp"

namespace maskkit::bindings {
namespace {

// The C-level type name ("bytearray", "numpy.bytes_"), as pycocotools' messages print it.
std::string type_name(PyObject* obj) { return Py_TYPE(obj)->tp_name; }

std::string repr(PyObject* obj) { return py::repr(py::handle(obj)); }

// Raises the maskkit.coco._errors class `name` (a subclass of the built-in type pycocotools
// raises for the same input, and of ValueError).
[[noreturn]] void raise_coco_error(const char* name, const std::string& message) {
    const py::object cls = py::module_::import("maskkit.coco._errors").attr(name);
    PyErr_SetObject(cls.ptr(), py::str(message).ptr());
    throw py::error_already_set();
}

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

// obj[key] for an RLE object, as pycocotools reads it (any mapping; a missing key raises
// RleKeyError, a KeyError).
py::object item(PyObject* obj, PyObject* key) {
    if (PyDict_CheckExact(obj)) {
        PyObject* result = PyDict_GetItemWithError(obj, key);  // borrowed
        if (result != nullptr) return py::reinterpret_borrow<py::object>(result);
        if (PyErr_Occurred()) throw py::error_already_set();
    } else {
        PyObject* result = PyObject_GetItem(obj, key);
        if (result != nullptr) return py::reinterpret_steal<py::object>(result);
        const bool index_error = PyErr_ExceptionMatches(PyExc_IndexError);  // obj is a sequence or an array
        if (index_error || PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            const std::string message = "an RLE object must be a dict {'size': [h, w], 'counts': ...}, got " + type_name(obj);
            if (index_error) raise_coco_error("RleIndexError", message);
            throw py::type_error(message);
        }
        if (!PyErr_ExceptionMatches(PyExc_KeyError)) throw py::error_already_set();
        PyErr_Clear();
    }
    raise_coco_error("RleKeyError", "an RLE object must have the key '" + std::string(py::str(key)) +
                                        "' ({'size': [h, w], 'counts': ...}), got " + repr(obj).substr(0, 200));
}

// pycocotools converts sizes to C `unsigned long` (`siz`): ints and objects with __index__ or
// __int__ (floats truncate) pass, negatives raise OverflowError, anything else TypeError.
std::uint64_t size_value(PyObject* value, const char* name) {
    long long v = 0;
    if (PyLong_CheckExact(value)) {
        int overflow = 0;
        v = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow > 0) v = max_dimension + 1;
        if (overflow < 0) v = -1;
    } else if (PyFloat_Check(value)) {
        const double d = PyFloat_AS_DOUBLE(value);
        if (!std::isfinite(d)) throw py::value_error(std::string(name) + " must be finite, got " + repr(value));
        v = d <= -1 ? -1 : (d > 1e18 ? max_dimension + 1 : static_cast<long long>(d));
    } else if (PyIndex_Check(value) || (Py_TYPE(value)->tp_as_number != nullptr &&
                                        Py_TYPE(value)->tp_as_number->nb_int != nullptr)) {
        py::object as_int = py::reinterpret_steal<py::object>(PyIndex_Check(value) ? PyNumber_Index(value)
                                                                                   : PyNumber_Long(value));
        if (!as_int) throw py::error_already_set();
        return size_value(as_int.ptr(), name);
    } else {
        throw py::type_error(std::string("an integer is required for ") + name + ", got " + type_name(value));
    }
    if (v < 0)
        throw std::overflow_error(std::string("can't convert negative value to siz: ") + name + " = " + repr(value));
    if (v > max_dimension)
        throw std::overflow_error(std::string(name) + " must be at most 2**32 - 1, got " + repr(value));
    return static_cast<std::uint64_t>(v);
}

// obj['size'] as (h, w).
std::pair<std::uint64_t, std::uint64_t> rle_size(PyObject* obj) {
    const py::object size = item(obj, key_size());
    std::uint64_t hw[2];
    const bool listed = PyList_CheckExact(size.ptr()) && PyList_GET_SIZE(size.ptr()) >= 2;
    for (Py_ssize_t k = 0; k < 2; ++k) {
        py::object v = listed ? py::reinterpret_borrow<py::object>(PyList_GET_ITEM(size.ptr(), k))
                              : py::reinterpret_steal<py::object>(PySequence_GetItem(size.ptr(), k));
        if (!v) {
            if (!PyErr_ExceptionMatches(PyExc_IndexError)) throw py::error_already_set();
            PyErr_Clear();
            raise_coco_error("RleIndexError", "an RLE size must be [height, width], got " + repr(size.ptr()));
        }
        hw[k] = size_value(v.ptr(), k == 0 ? "RLE size[0]" : "RLE size[1]");
    }
    return {hw[0], hw[1]};
}

// The items of a sequence of RLE objects; pycocotools iterates whatever it is given.
py::object items_of(const py::handle& objs) {
    py::object seq = py::reinterpret_steal<py::object>(
        PySequence_Fast(objs.ptr(), "RLE objects must be a list of dicts {'size': [h, w], 'counts': ...}"));
    if (!seq) throw py::error_already_set();
    return seq;
}

// Compressed RLE objects as the core reads them: their strings and sizes. The counts objects
// are kept referenced, so their buffers stay valid while the GIL is released.
struct CocoTexts {
    std::vector<RleText> texts;
    std::vector<py::object> keep;
    std::size_t characters = 0;

    // Releasing the GIL costs more than parsing a few short strings.
    bool large() const { return characters >= (1u << 15); }
};

// One RLE object's string and size; `counts` receives the object that holds the string.
RleText coco_text(PyObject* obj, py::object& counts) {
    counts = item(obj, key_counts());  // counts first, as pycocotools
    RleText t;
    Py_ssize_t length = 0;
    if (PyBytes_CheckExact(counts.ptr())) {
        t.text = PyBytes_AS_STRING(counts.ptr());
        length = PyBytes_GET_SIZE(counts.ptr());
    } else if (PyUnicode_CheckExact(counts.ptr())) {
        t.text = PyUnicode_AsUTF8AndSize(counts.ptr(), &length);
        if (t.text == nullptr) throw py::error_already_set();
    } else {
        throw py::type_error("Expected bytes, got " + type_name(counts.ptr()) +
                             " (compressed RLE counts must be str or bytes; convert "
                             "uncompressed counts with frPyObjects)");
    }
    t.length = static_cast<std::size_t>(length);
    std::tie(t.h, t.w) = rle_size(obj);
    return t;
}

CocoTexts coco_texts(const py::handle& objs) {
    const py::object seq = items_of(objs);
    const auto n = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(seq.ptr()));
    PyObject** items = PySequence_Fast_ITEMS(seq.ptr());
    CocoTexts in;
    in.texts.resize(n);
    in.keep.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        in.texts[i] = coco_text(items[i], in.keep[i]);
        in.characters += in.texts[i].length;
    }
    return in;
}

// Runs f() without the GIL when `release`.
template <class F>
auto without_gil_if(bool release, F&& f) -> decltype(f()) {
    if (!release) return f();
    py::gil_scoped_release unlocked;
    return f();
}

// {'size': [h, w], 'counts': counts} (key order as pycocotools: size first); steals `counts`.
PyObject* coco_dict(std::uint64_t h, std::uint64_t w, PyObject* counts) {
    py::object owned = py::reinterpret_steal<py::object>(counts);
    py::object d = py::reinterpret_steal<py::object>(PyDict_New());
    py::object size = py::reinterpret_steal<py::object>(PyList_New(2));
    if (!owned || !d || !size) throw py::error_already_set();
    PyList_SET_ITEM(size.ptr(), 0, PyLong_FromUnsignedLongLong(h));
    PyList_SET_ITEM(size.ptr(), 1, PyLong_FromUnsignedLongLong(w));
    if (PyDict_SetItem(d.ptr(), key_size(), size.ptr()) != 0 || PyDict_SetItem(d.ptr(), key_counts(), owned.ptr()) != 0)
        throw py::error_already_set();
    return d.release().ptr();
}

// One dict per string; size_of(i) gives dict i's (h, w).
template <class SizeOf>
py::list coco_dicts(const RleStrings& s, SizeOf&& size_of) {
    py::list out = py::reinterpret_steal<py::list>(PyList_New(static_cast<Py_ssize_t>(s.ends.size())));
    if (!out) throw py::error_already_set();
    std::size_t begin = 0;
    for (std::size_t i = 0; i < s.ends.size(); ++i) {
        PyObject* bytes = PyBytes_FromStringAndSize(s.text.data() + begin, static_cast<Py_ssize_t>(s.ends[i] - begin));
        const auto [h, w] = size_of(i);
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), coco_dict(h, w, bytes));
        begin = s.ends[i];
    }
    return out;
}

py::list coco_dicts(const std::vector<RleView>& views, const RleStrings& s) {
    return coco_dicts(s, [&](std::size_t i) { return std::make_pair(views[i].h, views[i].w); });
}

py::list encoded_dicts(const RleBatch& batch, bool release) {
    const std::vector<RleView> views = views_of(batch);
    const RleStrings s = without_gil_if(release, [&] { return encode_rle_texts(views.data(), views.size()); });
    return coco_dicts(views, s);
}

py::tuple parse(const py::object& objs) {
    const CocoTexts in = coco_texts(objs);
    RleBatch batch = without_gil_if(in.large(), [&] { return parse_rle_texts(in.texts.data(), in.texts.size()); });
    py::array_t<std::int64_t> sizes = to_numpy(size_table(batch), 2);
    py::tuple arrays = batch_arrays(std::move(batch));
    return py::make_tuple(arrays[0], arrays[1], sizes);
}

py::list build(const py::object& counts, const py::object& offsets, const py::object& sizes) {
    const BatchViews b = batch_views(counts, offsets, sizes);
    const RleStrings s = without_gil_if(b.views.size() >= 64, [&] { return encode_rle_texts(b.views.data(), b.views.size()); });
    return coco_dicts(b.views, s);
}

py::list encode_objects(const py::array& masks) {
    const MaskStack s = mask_stack(masks);
    RleBatch batch;
    {
        py::gil_scoped_release release;
        batch = encode_batch(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w);
    }
    return encoded_dicts(batch, true);
}

py::array decode_objects(const py::object& objs) {
    const CocoTexts in = coco_texts(objs);
    const std::size_t n = in.texts.size();
    if (n == 0) throw py::value_error("decode needs at least one RLE (pycocotools reads past an empty list)");
    require_one_size(in.texts.data(), n);  // before allocating n masks of the first one's size
    const std::uint64_t h = in.texts[0].h, w = in.texts[0].w;
    py::array out = fresh_masks(h, w, n, true);
    auto* data = static_cast<std::uint8_t*>(out.mutable_data());
    {
        py::gil_scoped_release release;
        const RleBatch batch = parse_rle_texts(in.texts.data(), n);
        const std::vector<RleView> views = views_of(batch);
        decode_batch(views.data(), n, h, w, false, data);
    }
    return out;
}

py::array_t<count_t> area_objects(const py::object& objs) {
    const CocoTexts in = coco_texts(objs);
    py::array_t<count_t> out(static_cast<py::ssize_t>(in.texts.size()));
    count_t* data = out.mutable_data();
    without_gil_if(in.large(), [&] { rle_text_areas(in.texts.data(), in.texts.size(), data); });
    return out;
}

py::array_t<double> bbox_objects(const py::object& objs) {
    const CocoTexts in = coco_texts(objs);
    py::array_t<double> out({static_cast<py::ssize_t>(in.texts.size()), py::ssize_t{4}});
    double* data = out.mutable_data();
    without_gil_if(in.large(), [&] { rle_text_boxes(in.texts.data(), in.texts.size(), data); });
    return out;
}

// intersect as Cython converts it to a C int: ints and objects with __index__ or __int__ (floats
// truncate; NaN raises ValueError, infinity OverflowError), in range of a C int.
bool intersect_flag(PyObject* value) {
    if (!PyLong_Check(value)) {
        const PyNumberMethods* number = Py_TYPE(value)->tp_as_number;
        if (number == nullptr || (number->nb_index == nullptr && number->nb_int == nullptr))
            throw py::type_error("an integer is required for intersect, got " + type_name(value));
        py::object as_int = py::reinterpret_steal<py::object>(number->nb_index != nullptr ? PyNumber_Index(value)
                                                                                          : PyNumber_Long(value));
        if (!as_int) throw py::error_already_set();
        return intersect_flag(as_int.ptr());
    }
    int overflow = 0;
    const long v = PyLong_AsLongAndOverflow(value, &overflow);
    if (overflow != 0 || v < INT_MIN || v > INT_MAX)
        throw std::overflow_error("intersect must fit a C int, got " + repr(value));
    return v != 0;
}

// pycocotools parses, merges and encodes again; for one RLE whose string is what the encoder
// writes anyway (every string pycocotools or maskkit produced), that is the same bytes, so they
// are returned without being parsed into counts (a bytes object is immutable: sharing it is safe).
py::dict merge_objects(const py::object& objs, const py::object& intersect) {
    const bool intersection = intersect_flag(intersect.ptr());
    if (PyList_CheckExact(objs.ptr()) && PyList_GET_SIZE(objs.ptr()) == 1) {
        py::object counts;
        const RleText t = coco_text(PyList_GET_ITEM(objs.ptr(), 0), counts);
        if (is_canonical_rle_string(t.text, t.length)) {
            PyObject* bytes = PyBytes_CheckExact(counts.ptr())
                                  ? counts.release().ptr()
                                  : PyBytes_FromStringAndSize(t.text, static_cast<Py_ssize_t>(t.length));
            return py::reinterpret_steal<py::dict>(coco_dict(t.h, t.w, bytes));
        }
    }
    const CocoTexts in = coco_texts(objs);
    std::vector<count_t> merged;
    std::uint64_t h = 0, w = 0;
    RleStrings s = without_gil_if(in.large(), [&] {
        const RleBatch batch = parse_rle_texts(in.texts.data(), in.texts.size());
        const std::vector<RleView> views = views_of(batch);
        merge(views.data(), views.size(), intersection, h, w, merged);
        const RleView result{h, w, merged.data(), merged.size()};
        return encode_rle_texts(&result, 1);
    });
    return py::reinterpret_steal<py::dict>(coco_dict(h, w, PyBytes_FromStringAndSize(s.text.data(), static_cast<Py_ssize_t>(s.text.size()))));
}

// IoU of RLE objects; `iscrowd` is a uint8 array with one flag per gt (checked by the caller,
// which reproduces pycocotools' argument handling). Fortran-ordered (m, n) result.
py::array_t<double> iou_objects(const py::object& dt_objs, const py::object& gt_objs, const py::object& iscrowd) {
    const CocoTexts dt = coco_texts(dt_objs);
    const CocoTexts gt = coco_texts(gt_objs);
    const std::size_t m = dt.texts.size(), n = gt.texts.size();
    auto crowd = exact_array<std::uint8_t>(iscrowd, "iscrowd");
    if (crowd.ndim() != 1 || static_cast<std::size_t>(crowd.shape(0)) != n)
        throw py::value_error("iscrowd must have one flag per ground truth (" + std::to_string(n) + ")");
    py::array_t<double> out({static_cast<py::ssize_t>(m), static_cast<py::ssize_t>(n)},
                            {py::ssize_t{8}, static_cast<py::ssize_t>(8 * m)});
    double* data = out.mutable_data();
    const std::uint8_t* flags = crowd.data();
    {
        py::gil_scoped_release release;
        const RleBatch a = parse_rle_texts(dt.texts.data(), m), b = parse_rle_texts(gt.texts.data(), n);
        const std::vector<RleView> va = views_of(a), vb = views_of(b);
        rle_iou(va.data(), m, vb.data(), n, flags, data);
    }
    return out;
}

py::list fr_poly_objects(const py::object& polygons, const py::object& h, const py::object& w) {
    const std::uint64_t height = size_value(h.ptr(), "h"), width = size_value(w.ptr(), "w");
    const std::vector<std::vector<double>> xy = polygon_coordinates(polygons);
    const RleStrings s = without_gil_if(xy.size() >= 16, [&] { return polygon_rle_strings(xy, height, width); });
    return coco_dicts(s, [&](std::size_t) { return std::make_pair(height, width); });
}

py::list fr_bbox_objects(const py::object& boxes, const py::object& h, const py::object& w) {
    const auto height = static_cast<long long>(size_value(h.ptr(), "h"));
    const auto width = static_cast<long long>(size_value(w.ptr(), "w"));
    return encoded_dicts(rasterize_boxes(boxes, height, width), false);
}

// Uncompressed counts as pycocotools converts them, np.array(counts, dtype=np.uint32): a list
// of ints in range is read directly, anything else goes through numpy (floats truncate,
// out-of-range ints raise OverflowError, strings of digits parse).
void append_uncompressed(PyObject* counts, std::vector<count_t>& out) {
    if (PyList_CheckExact(counts)) {
        const Py_ssize_t m = PyList_GET_SIZE(counts);
        const std::size_t first = out.size();
        out.resize(first + static_cast<std::size_t>(m));
        Py_ssize_t j = 0;
        for (; j < m; ++j) {
            PyObject* v = PyList_GET_ITEM(counts, j);
            if (!PyLong_CheckExact(v)) break;
            int overflow = 0;
            const long long c = PyLong_AsLongLongAndOverflow(v, &overflow);
            if (overflow != 0 || c < 0 || c > 0xffffffffLL) break;
            out[first + static_cast<std::size_t>(j)] = static_cast<count_t>(c);
        }
        if (j == m) return;
        out.resize(first);
    }
    const py::array arr = py::module_::import("numpy").attr("array")(py::handle(counts), "uint32");
    if (arr.ndim() != 1)
        throw py::value_error("Buffer has wrong number of dimensions (expected 1, got " + std::to_string(arr.ndim()) +
                              "): uncompressed RLE counts must be a flat list of ints");
    const auto values = py::array_t<count_t, py::array::c_style | py::array::forcecast>::ensure(arr);
    out.insert(out.end(), values.data(), values.data() + values.shape(0));
}

py::list fr_uncompressed_objects(const py::object& objs, const py::object& h, const py::object& w) {
    size_value(h.ptr(), "h");  // unused, but converted (and checked) as pycocotools does
    size_value(w.ptr(), "w");
    const py::object seq = items_of(objs);
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
    PyObject** items = PySequence_Fast_ITEMS(seq.ptr());
    RleBatch batch;
    for (Py_ssize_t i = 0; i < n; ++i) {
        append_uncompressed(item(items[i], key_counts()).ptr(), batch.counts);
        const auto [rh, rw] = rle_size(items[i]);
        batch.offsets.push_back(batch.counts.size());
        batch.heights.push_back(rh);
        batch.widths.push_back(rw);
    }
    return encoded_dicts(batch, n >= 64);
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
    m.def("coco_merge", &merge_objects, py::arg("objs"), py::arg("intersect"),
          "Merge COCO dicts into one (intersect converted as a C int).");
    m.def("coco_iou", &iou_objects, py::arg("dt"), py::arg("gt"), py::arg("iscrowd"),
          "IoU of COCO dicts, (m, n) Fortran-ordered.");
    m.def("coco_fr_poly", &fr_poly_objects, py::arg("polygons"), py::arg("h"), py::arg("w"),
          "Rasterize flat polygons to COCO dicts.");
    m.def("coco_fr_bbox", &fr_bbox_objects, py::arg("boxes"), py::arg("h"), py::arg("w"),
          "Rasterize (N, 4) float64 boxes to COCO dicts.");
    m.def("coco_fr_uncompressed", &fr_uncompressed_objects, py::arg("objs"), py::arg("h"), py::arg("w"),
          "Compress uncompressed COCO RLE dicts (counts lists).");
}

}  // namespace maskkit::bindings
