// maskkit._core connected components. The Python wrapper hands over a C-contiguous 3-D view
// (a 2-D image as one plane) of an integer or bool array. Labeling runs without the GIL; the
// output is then allocated in the requested dtype (or the smallest unsigned one that holds the
// count) and written, again without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "maskkit/cc.hpp"

namespace maskkit::bindings {
namespace {

std::uint64_t largest_value(const py::dtype& dt) {
    const auto bits = 8 * static_cast<unsigned>(dt.itemsize());
    if (dt.kind() == 'u') return bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    return (std::uint64_t{1} << (bits - 1)) - 1;
}

// The labels' dtype: an integer type in native byte order (the core writes native integers;
// the Python wrapper converts to other orders).
void check_label_type(const py::dtype& dt, const char* name) {
    if (dt.kind() != 'i' && dt.kind() != 'u')
        throw py::type_error(std::string(name) + " must be an integer dtype, got " + std::string(py::str(dt)));
    if (!dt.attr("isnative").cast<bool>())
        throw py::value_error(std::string(name) + " must be in native byte order, got " + std::string(py::str(dt)));
}

py::dtype smallest_unsigned(std::uint64_t n) {
    if (n <= 0xffu) return py::dtype::of<std::uint8_t>();
    if (n <= 0xffffu) return py::dtype::of<std::uint16_t>();
    if (n <= 0xffffffffu) return py::dtype::of<std::uint32_t>();
    return py::dtype::of<std::uint64_t>();
}

// The labeling options of a call: multilabel (equal values join) or, with `delta`, continuous
// values (values within delta join; integers compare |a - b| <= delta exactly, floats in double).
LabelOptions label_options(const py::array& image, int connectivity, bool multilabel, std::uint64_t background,
                           bool periodic, const py::object& delta) {
    LabelOptions options;
    options.connectivity = connectivity;
    options.background = background;
    options.periodic = periodic;
    options.joining = multilabel ? Joining::EqualValues : Joining::Any;
    const char kind = image.dtype().kind();
    if (!image.dtype().attr("isnative").cast<bool>())
        throw py::value_error("image must be in native byte order, got " + std::string(py::str(image.dtype())));
    if (!delta.is_none()) {
        options.joining = Joining::CloseValues;
        if (kind == 'f') {
            options.kind = PixelKind::Float;
            options.float_delta = delta.cast<double>();
        } else {
            options.kind = kind == 'i' ? PixelKind::Signed : PixelKind::Unsigned;
            options.integer_delta = delta.cast<std::uint64_t>();
        }
    } else if (kind != 'b' && kind != 'i' && kind != 'u') {
        throw py::type_error("image must have an integer or bool dtype, got " + std::string(py::str(image.dtype())));
    }
    return options;
}

// Labels `image`; writes into `out` (a C-contiguous integer array with one element per pixel)
// when given, else into a new flat array of `dtype` (None: the smallest unsigned type for n).
py::tuple label(const py::array& image, int connectivity, bool multilabel, std::uint64_t background,
                int stats_dims, const py::object& dtype, const py::object& out, bool periodic,
                const py::object& delta) {
    if (image.ndim() != 3)
        throw py::value_error("image must be passed as (depth, height, width), got ndim=" + std::to_string(image.ndim()));
    if (!(image.flags() & py::array::c_style)) throw py::value_error("image must be C-contiguous");
    const LabelOptions options = label_options(image, connectivity, multilabel, background, periodic, delta);
    const LabelShape shape{static_cast<std::uint64_t>(image.shape(0)), static_cast<std::uint64_t>(image.shape(1)),
                           static_cast<std::uint64_t>(image.shape(2))};
    const void* data = image.data();
    const auto item = static_cast<std::size_t>(image.itemsize());
    Labeling labeling;
    {
        py::gil_scoped_release release;
        labeling = label_components(data, item, shape, options);
    }
    const std::uint64_t n = labeling.count();
    py::array target;
    if (!out.is_none()) {
        target = py::reinterpret_borrow<py::array>(out);
        if (!(target.flags() & py::array::c_style) || !target.writeable() ||
            static_cast<std::uint64_t>(target.size()) != shape.depth * shape.height * shape.width)
            throw py::value_error("out must be a writeable C-contiguous integer array with one element per pixel");
        check_label_type(target.dtype(), "out");
    } else {
        const py::dtype dt = dtype.is_none() ? smallest_unsigned(n) : py::dtype::from_args(dtype);
        check_label_type(dt, "dtype");
        target = fresh_array(dt, {static_cast<py::ssize_t>(shape.depth * shape.height * shape.width)});
    }
    const py::dtype out_type = target.dtype();
    if (n > largest_value(out_type))
        throw std::overflow_error(std::to_string(n) + " labels do not fit dtype " + std::string(py::str(out_type)) +
                                  "; use a wider dtype or dtype=None");
    void* out_data = target.mutable_data();
    const auto out_item = static_cast<std::size_t>(out_type.itemsize());
    ComponentStats stats;
    stats.dims = stats_dims;
    {
        py::gil_scoped_release release;
        labeling.write(out_data, out_item, stats_dims != 0 ? &stats : nullptr);
    }
    if (stats_dims == 0) return py::make_tuple(target, n);
    return py::make_tuple(target, n, to_numpy(std::move(stats.area)), to_numpy(std::move(stats.bbox), 2 * stats_dims),
                          to_numpy(std::move(stats.centroid), stats_dims));
}

// Labels a C-contiguous (B, H, W) stack image by image; returns (flat labels, counts (B,)).
py::tuple label_stack(const py::array& images, int connectivity, bool multilabel, std::uint64_t background,
                      const py::object& dtype) {
    if (images.ndim() != 3) throw py::value_error("images must be (B, H, W), got ndim=" + std::to_string(images.ndim()));
    if (!(images.flags() & py::array::c_style)) throw py::value_error("images must be C-contiguous");
    const LabelOptions options = label_options(images, connectivity, multilabel, background, false, py::none());
    const auto count = static_cast<std::uint64_t>(images.shape(0));
    const auto height = static_cast<std::uint64_t>(images.shape(1)), width = static_cast<std::uint64_t>(images.shape(2));
    const void* data = images.data();
    const auto item = static_cast<std::size_t>(images.itemsize());
    std::vector<Labeling> labelings;
    {
        py::gil_scoped_release release;
        labelings = label_image_stack(data, item, count, height, width, options);
    }
    std::vector<std::uint64_t> counts = label_counts(labelings);
    const std::uint64_t most = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    const py::dtype dt = dtype.is_none() ? smallest_unsigned(most) : py::dtype::from_args(dtype);
    check_label_type(dt, "dtype");
    if (most > largest_value(dt))
        throw std::overflow_error(std::to_string(most) + " labels do not fit dtype " + std::string(py::str(dt)));
    py::array target = fresh_array(dt, {static_cast<py::ssize_t>(count * height * width)});
    void* out = target.mutable_data();
    const auto out_item = static_cast<std::size_t>(dt.itemsize());
    {
        py::gil_scoped_release release;
        write_label_stack(labelings, height * width, out, out_item);
    }
    return py::make_tuple(target, to_numpy(std::move(counts)));
}

}  // namespace

void register_cc(py::module_& m) {
    m.def("cc_label", &label, py::arg("image"), py::arg("connectivity"), py::arg("multilabel"),
          py::arg("background"), py::arg("stats_dims") = 0, py::arg("dtype") = py::none(),
          py::arg("out") = py::none(), py::arg("periodic") = false, py::arg("delta") = py::none(),
          "Label a C-contiguous (D, H, W) image (integer/bool; float with delta); returns (labels, n) and, "
          "with stats_dims 2 or 3 (coordinates per component: y, x or z, y, x), (area, bbox (n, 2 * "
          "stats_dims), centroid (n, stats_dims)). labels is `out` or a new flat array.");
    m.def("cc_label_stack", &label_stack, py::arg("images"), py::arg("connectivity"), py::arg("multilabel"),
          py::arg("background"), py::arg("dtype") = py::none(),
          "Label each image of a C-contiguous (B, H, W) stack on its own; returns (flat labels, counts).");
}

}  // namespace maskkit::bindings
