// maskkit._core functions behind maskkit.coco: COCO's {'size': [h, w], 'counts': bytes} objects
// to and from batches. Python objects are read and built with the GIL held; string parsing and
// encoding run with it released (the bytes/str objects are kept referenced meanwhile, so their
// buffers cannot go away).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "maskkit/rle.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit::bindings {
namespace {

// The C-level type name ("bytearray", "numpy.bytes_"), as pycocotools' messages print it.
std::string type_name(const py::handle& obj) { return Py_TYPE(obj.ptr())->tp_name; }

// pycocotools converts size values to C `unsigned long`: ints (and objects with __index__) and
// floats (truncated) pass, negatives raise OverflowError, anything else TypeError.
std::uint64_t size_value(const py::handle& value) {
    py::object as_int;
    if (PyFloat_Check(value.ptr())) {
        const double d = PyFloat_AsDouble(value.ptr());
        if (!(d == d) || d == 1.0 / 0.0 || d == -1.0 / 0.0)
            throw py::value_error("RLE size must be finite, got " + std::string(py::repr(value)));
        as_int = py::reinterpret_steal<py::object>(PyNumber_Long(value.ptr()));
    } else if (PyIndex_Check(value.ptr())) {
        as_int = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    } else {
        throw py::type_error("an integer is required for an RLE size, got " + type_name(value));
    }
    if (!as_int) throw py::error_already_set();
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(as_int.ptr(), &overflow);
    if (overflow < 0 || (overflow == 0 && v < 0))
        throw std::overflow_error("can't convert negative value to siz: RLE size " +
                                  std::string(py::repr(value)) + " is negative");
    if (overflow > 0 || v > max_dimension)
        throw std::overflow_error("RLE size " + std::string(py::repr(value)) +
                                  " is larger than 2**32 - 1");
    return static_cast<std::uint64_t>(v);
}

struct ParsedInput {
    std::vector<py::object> keep_alive;
    std::vector<std::pair<const char*, std::size_t>> texts;
    std::vector<std::uint64_t> heights, widths;
};

ParsedInput read_coco_objects(const py::handle& objs) {
    ParsedInput in;
    const py::sequence seq = py::reinterpret_borrow<py::sequence>(objs);
    const std::size_t n = py::len(seq);
    in.keep_alive.reserve(n);
    in.texts.reserve(n);
    in.heights.reserve(n);
    in.widths.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const py::object obj = seq[i];
        py::object counts = obj["counts"];
        const char* data = nullptr;
        Py_ssize_t length = 0;
        if (PyBytes_CheckExact(counts.ptr())) {
            data = PyBytes_AS_STRING(counts.ptr());
            length = PyBytes_GET_SIZE(counts.ptr());
        } else if (PyUnicode_CheckExact(counts.ptr())) {
            data = PyUnicode_AsUTF8AndSize(counts.ptr(), &length);
            if (data == nullptr) throw py::error_already_set();
        } else {
            throw py::type_error("Expected bytes, got " + type_name(counts) +
                                 " (compressed RLE counts must be str or bytes; convert "
                                 "uncompressed counts with frPyObjects)");
        }
        const py::object size = obj["size"];
        in.heights.push_back(size_value(size[py::int_(0)]));
        in.widths.push_back(size_value(size[py::int_(1)]));
        in.texts.emplace_back(data, static_cast<std::size_t>(length));
        in.keep_alive.push_back(std::move(counts));
    }
    return in;
}

py::tuple parse(const py::object& objs) {
    ParsedInput in = read_coco_objects(objs);
    const std::size_t n = in.texts.size();
    std::vector<std::vector<count_t>> per_rle(n);
    RleBatch batch;
    {
        py::gil_scoped_release release;
        parallel_for(n, 64, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i)
                parse_rle_string(in.texts[i].first, in.texts[i].second, per_rle[i]);
        });
        std::size_t total = 0;
        for (const auto& c : per_rle) total += c.size();
        batch.counts.reserve(total);
        for (std::size_t i = 0; i < n; ++i)
            batch.append(in.heights[i], in.widths[i], per_rle[i].data(), per_rle[i].size());
    }
    std::vector<std::int64_t> sizes(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        sizes[2 * i] = static_cast<std::int64_t>(in.heights[i]);
        sizes[2 * i + 1] = static_cast<std::int64_t>(in.widths[i]);
    }
    py::array_t<std::int64_t> size_array = to_numpy(std::move(sizes), 2);
    py::tuple arrays = batch_arrays(std::move(batch));
    return py::make_tuple(arrays[0], arrays[1], size_array);
}

// Builds [{'size': [h, w], 'counts': b'...'}, ...] (key order as pycocotools: size first).
py::list build_objects(const std::vector<RleView>& views) {
    const std::size_t n = views.size();
    std::vector<std::string> texts(n);
    {
        py::gil_scoped_release release;
        parallel_for(n, 64, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i)
                append_rle_string(views[i].counts, views[i].m, texts[i]);
        });
    }
    py::list out(n);
    const py::str size_key("size"), counts_key("counts");
    for (std::size_t i = 0; i < n; ++i) {
        py::dict d;
        py::list size(2);
        size[0] = py::int_(views[i].h);
        size[1] = py::int_(views[i].w);
        d[size_key] = size;
        d[counts_key] = py::bytes(texts[i]);
        out[i] = d;
    }
    return out;
}

py::list build(const py::object& counts, const py::object& offsets, const py::object& sizes) {
    BatchViews b = batch_views(counts, offsets, sizes);
    return build_objects(b.views);
}

py::list encode_objects(const py::array& masks) {
    const py::dtype dt = masks.dtype();
    if (!(dt.is(py::dtype::of<std::uint8_t>()) || dt.is(py::dtype::of<bool>())))
        throw py::type_error("masks must have dtype uint8 or bool, got " + std::string(py::str(dt)));
    if (masks.ndim() != 3)
        throw py::value_error("masks must be 3-D, got ndim=" + std::to_string(masks.ndim()));
    // (N, H, W) view with byte strides
    const auto* data = static_cast<const std::uint8_t*>(masks.data());
    const auto n = static_cast<std::size_t>(masks.shape(0));
    const auto h = static_cast<std::uint64_t>(masks.shape(1));
    const auto w = static_cast<std::uint64_t>(masks.shape(2));
    const auto sn = masks.strides(0), sh = masks.strides(1), sw = masks.strides(2);
    RleBatch batch;
    {
        py::gil_scoped_release release;
        batch = encode_batch(data, n, h, w, sn, sh, sw);
    }
    std::vector<RleView> views(n);
    for (std::size_t i = 0; i < n; ++i) views[i] = batch.view(i);
    return build_objects(views);
}

}  // namespace

void register_coco(py::module_& m) {
    m.def("coco_parse", &parse, py::arg("objs"),
          "Parse a sequence of COCO compressed-RLE objects into (counts, offsets, sizes).");
    m.def("coco_build", &build, py::arg("counts"), py::arg("offsets"), py::arg("sizes"),
          "Build COCO compressed-RLE dicts from a batch.");
    m.def("coco_encode", &encode_objects, py::arg("masks"),
          "Encode (N, H, W) masks of any strides straight to COCO dicts.");
}

}  // namespace maskkit::bindings
