// maskkit._core panoptic functions: formats, merges, evaluation. Each section converts its
// arguments with the GIL, releases it around the core call and wraps the result.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "arrays.hpp"
#include "maskkit/panoptic.hpp"

namespace maskkit::bindings {
namespace {

// ---- formats -------------------------------------------------------------------------------

void register_formats(py::module_& m) {
    (void)m;
}

// ---- merges --------------------------------------------------------------------------------

template <class T>
const T* data_of(const py::array_t<T, py::array::c_style>& a, std::size_t n, const char* what) {
    if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != n)
        throw py::value_error(std::string(what) + " must be 1-D with " + std::to_string(n) + " entries");
    return a.data();
}

// Paints the explicit layers (order arrays, top first) and then the label layers of `labels`
// (None or a C-contiguous int64 (H, W) map); returns (painted, source, index, area, bbox).
py::tuple paint_layers(std::uint64_t height, std::uint64_t width, const py::object& masks,
                       const py::object& rle_counts, const py::object& rle_offsets, const py::object& rle_sizes,
                       const py::object& labels, const py::object& source, const py::object& index,
                       const py::object& min_area, const py::object& max_occluded, const py::object& min_visible,
                       const py::object& fuse_group, const py::tuple& label_rule, const py::object& label_skip,
                       bool column_major) {
    panoptic::LayerSources sources;
    if (!masks.is_none()) {
        const MaskStack stack = mask_stack(py::reinterpret_borrow<py::array>(masks));
        if (stack.h != height || stack.w != width)
            throw py::value_error("masks must be (N, " + std::to_string(height) + ", " + std::to_string(width) + ")");
        sources.masks = {stack.data, stack.n, stack.stride_n, stack.stride_h, stack.stride_w};
    }
    BatchViews rles;
    if (!rle_counts.is_none()) {
        rles = batch_views(rle_counts, rle_offsets, rle_sizes);
        sources.rles = rles.views.data();
        sources.n_rles = rles.views.size();
    }
    const auto src = exact_array<std::uint8_t>(source, "source");
    const auto n = static_cast<std::size_t>(src.size());
    const auto idx = exact_array<std::uint64_t>(index, "index");
    const auto area = exact_array<std::uint64_t>(min_area, "min_area");
    const auto occluded = exact_array<double>(max_occluded, "max_occluded");
    const auto visible = exact_array<double>(min_visible, "min_visible");
    const auto fuse = exact_array<std::int64_t>(fuse_group, "fuse_group");
    const panoptic::LayerOrder order{n, data_of(src, n, "source"), data_of(idx, n, "index"),
                                     data_of(area, n, "min_area"), data_of(occluded, n, "max_occluded"),
                                     data_of(visible, n, "min_visible"), data_of(fuse, n, "fuse_group")};
    panoptic::LabelLayers label_layers;
    py::array_t<std::int64_t, py::array::c_style> label_map, skip;
    if (!labels.is_none()) {
        label_map = exact_array<std::int64_t>(labels, "labels");
        if (label_map.ndim() != 2 || static_cast<std::uint64_t>(label_map.shape(0)) != height ||
            static_cast<std::uint64_t>(label_map.shape(1)) != width)
            throw py::value_error("labels must be (" + std::to_string(height) + ", " + std::to_string(width) + ")");
        skip = exact_array<std::int64_t>(label_skip, "label_skip");
        label_layers.data = label_map.data();
        label_layers.skip = skip.data();
        label_layers.n_skip = static_cast<std::size_t>(skip.size());
        label_layers.rule = {label_rule[0].cast<std::uint64_t>(), label_rule[1].cast<double>(),
                             label_rule[2].cast<double>(), -1};
        label_layers.fuse_by_label = label_rule[3].cast<bool>();
        sources.labels = &label_layers;
    }
    const auto lines = static_cast<py::ssize_t>(column_major ? width : height);
    const auto line_length = static_cast<py::ssize_t>(column_major ? height : width);
    py::array_t<std::uint32_t> painted = fresh_array(py::dtype::of<std::uint32_t>(), {lines, line_length});
    std::uint32_t* out = painted.mutable_data();
    panoptic::Painting painting;
    {
        py::gil_scoped_release release;
        painting = panoptic::paint_layers(sources, order, height, width, column_major, out);
    }
    return py::make_tuple(painted, to_numpy(std::move(painting.source)), to_numpy(std::move(painting.index)),
                          to_numpy(std::move(painting.area)), to_numpy(std::move(painting.bbox), 4));
}

// The (H, W) uint32 id map ids[painted] of a painting (column-major: painted is (W, H)).
py::array write_segment_ids(const py::object& painted_obj, std::uint64_t height, std::uint64_t width,
                            bool column_major, const py::object& ids_obj) {
    const auto painted = exact_array<std::uint32_t>(painted_obj, "painted");
    const auto ids = exact_array<std::uint32_t>(ids_obj, "ids");
    if (static_cast<std::uint64_t>(painted.size()) != height * width)
        throw py::value_error("painted must have height * width = " + std::to_string(height * width) + " values");
    py::array_t<std::uint32_t> out = fresh_array(py::dtype::of<std::uint32_t>(),
                                                 {static_cast<py::ssize_t>(height), static_cast<py::ssize_t>(width)});
    std::uint32_t* target = out.mutable_data();
    const std::uint32_t* source = painted.data();
    const std::uint32_t* id_table = ids.data();
    const auto n_ids = static_cast<std::size_t>(ids.size());
    {
        py::gil_scoped_release release;
        panoptic::write_segment_ids(source, height, width, column_major, id_table, n_ids, target);
    }
    return out;
}

void register_merges(py::module_& m) {
    m.def("pan_paint_layers", &paint_layers, py::arg("height"), py::arg("width"), py::arg("masks"),
          py::arg("rle_counts"), py::arg("rle_offsets"), py::arg("rle_sizes"), py::arg("labels"), py::arg("source"),
          py::arg("index"), py::arg("min_area"), py::arg("max_occluded"), py::arg("min_visible"),
          py::arg("fuse_group"), py::arg("label_rule"), py::arg("label_skip"), py::arg("column_major"),
          "First-wins painting of layers (top first), then of the label layers of `labels` in ascending "
          "value; returns (painted (lines, line length) uint32 with segment k as k + 1, source uint8, index "
          "int64, area uint64, bbox int64 (S, 4) as x, y, w, h).");
    m.def("pan_write_segment_ids", &write_segment_ids, py::arg("painted"), py::arg("height"), py::arg("width"),
          py::arg("column_major"), py::arg("ids"),
          "The C-ordered (height, width) uint32 map ids[painted] of a painting.");
}

// ---- evaluation ----------------------------------------------------------------------------

void register_evaluation(py::module_& m) {
    (void)m;
}

}  // namespace

void register_panoptic(py::module_& m) {
    register_formats(m);
    register_merges(m);
    register_evaluation(m);
}

}  // namespace maskkit::bindings
