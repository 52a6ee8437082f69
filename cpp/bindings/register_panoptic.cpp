// maskkit._core panoptic functions: formats, merges, evaluation. Each section converts its
// arguments with the GIL, releases it around the core call and wraps the result.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

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

// Centers (K, 2) int64 (y, x) of a C-contiguous (H, W) float32 heatmap.
py::array find_instance_centers(const py::object& heatmap_obj, float threshold, std::uint64_t kernel,
                                std::uint64_t top_k, int rule) {
    const auto heatmap = exact_array<float>(heatmap_obj, "center_heatmap");
    if (heatmap.ndim() != 2) throw py::value_error("center_heatmap must be (H, W)");
    if (rule != 0 && rule != 1) throw py::value_error("rule must be 0 (detectron2) or 1 (original)");
    const auto h = static_cast<std::uint64_t>(heatmap.shape(0)), w = static_cast<std::uint64_t>(heatmap.shape(1));
    const float* data = heatmap.data();
    std::vector<std::int64_t> centers;
    {
        py::gil_scoped_release release;
        centers = panoptic::find_instance_centers(data, h, w, threshold, kernel, top_k,
                                                  static_cast<panoptic::TopKRule>(rule));
    }
    return to_numpy(std::move(centers), 2);
}

template <class T>
py::array group_pixels_of(const py::array_t<std::int64_t, py::array::c_style>& centers, const py::object& offsets_obj) {
    const auto offsets = exact_array<T>(offsets_obj, "offsets");
    if (offsets.ndim() != 3 || offsets.shape(0) != 2) throw py::value_error("offsets must be (2, H, W)");
    const auto h = static_cast<std::uint64_t>(offsets.shape(1)), w = static_cast<std::uint64_t>(offsets.shape(2));
    py::array_t<std::int32_t> ids = fresh_array(py::dtype::of<std::int32_t>(), {offsets.shape(1), offsets.shape(2)});
    std::int32_t* out = ids.mutable_data();
    const std::int64_t* c = centers.data();
    const auto k = static_cast<std::size_t>(centers.shape(0));
    const T* data = offsets.data();
    {
        py::gil_scoped_release release;
        panoptic::group_pixels<T>(c, k, data, h, w, out);
    }
    return ids;
}

// (H, W) int32 ids 1..K of the nearest center of each pixel's vote.
py::array group_pixels(const py::object& centers_obj, const py::object& offsets_obj) {
    const auto centers = exact_array<std::int64_t>(centers_obj, "centers");
    if (centers.ndim() != 2 || centers.shape(1) != 2) throw py::value_error("centers must be (K, 2)");
    if (py::isinstance<py::array>(offsets_obj) &&
        py::reinterpret_borrow<py::array>(offsets_obj).dtype().equal(py::dtype::of<double>()))
        return group_pixels_of<double>(centers, offsets_obj);
    return group_pixels_of<float>(centers, offsets_obj);
}

// (H, W) int64 panoptic ids of Panoptic-DeepLab's merge; thing is None or (H, W) uint8.
py::array merge_semantic_and_instance(const py::object& sem_obj, const py::object& ins_obj,
                                      const py::object& thing_obj, std::int64_t label_divisor,
                                      const py::object& thing_ids_obj, double stuff_area, std::int64_t void_label) {
    const auto sem = exact_array<std::int64_t>(sem_obj, "semantic");
    const auto ins = exact_array<std::int64_t>(ins_obj, "instance");
    const auto thing_ids = exact_array<std::int64_t>(thing_ids_obj, "thing_ids");
    if (sem.ndim() != 2 || ins.ndim() != 2 || sem.shape(0) != ins.shape(0) || sem.shape(1) != ins.shape(1))
        throw py::value_error("semantic and instance must be (H, W) maps of one size");
    py::array_t<std::uint8_t, py::array::c_style> thing;
    const std::uint8_t* thing_data = nullptr;
    if (!thing_obj.is_none()) {
        thing = exact_array<std::uint8_t>(thing_obj, "thing_seg");
        if (thing.size() != sem.size()) throw py::value_error("thing_seg must have the size of semantic");
        thing_data = thing.data();
    }
    py::array_t<std::int64_t> pan = fresh_array(py::dtype::of<std::int64_t>(), {sem.shape(0), sem.shape(1)});
    std::int64_t* out = pan.mutable_data();
    const std::int64_t *s = sem.data(), *i = ins.data(), *t = thing_ids.data();
    const auto n = static_cast<std::uint64_t>(sem.size());
    const auto n_things = static_cast<std::size_t>(thing_ids.size());
    {
        py::gil_scoped_release release;
        panoptic::merge_semantic_and_instance(s, i, thing_data, n, label_divisor, t, n_things, stuff_area, void_label,
                                              out);
    }
    return pan;
}

// Mask2Former's merge of the kept queries: (panoptic int32 (H, W), ids, isthing, categories).
py::tuple mask_classification_merge(const py::object& logits_obj, const py::object& queries_obj,
                                    const py::object& scores_obj, const py::object& classes_obj,
                                    const py::object& isthing_obj, double overlap_threshold) {
    const auto logits = exact_array<float>(logits_obj, "mask_pred");
    if (logits.ndim() != 3) throw py::value_error("mask_pred must be (Q, H, W)");
    const auto queries = exact_array<std::uint64_t>(queries_obj, "queries");
    const auto k = static_cast<std::size_t>(queries.size());
    const auto scores = exact_array<float>(scores_obj, "scores");
    const auto classes = exact_array<std::int64_t>(classes_obj, "classes");
    const auto isthing = exact_array<std::uint8_t>(isthing_obj, "isthing");
    const auto h = static_cast<std::uint64_t>(logits.shape(1)), w = static_cast<std::uint64_t>(logits.shape(2));
    py::array_t<std::int32_t> pan = fresh_array(py::dtype::of<std::int32_t>(), {logits.shape(1), logits.shape(2)});
    std::int32_t* out = pan.mutable_data();
    const float* data = logits.data();
    const auto planes = static_cast<std::uint64_t>(logits.shape(0));
    const std::uint64_t* q = data_of(queries, k, "queries");
    const float* s = data_of(scores, k, "scores");
    const std::int64_t* c = data_of(classes, k, "classes");
    const std::uint8_t* t = data_of(isthing, k, "isthing");
    panoptic::MaskSegments segments;
    {
        py::gil_scoped_release release;
        segments = panoptic::mask_classification_merge(data, planes, h * w, q, s, c, t, k, h, w, overlap_threshold, out);
    }
    return py::make_tuple(pan, to_numpy(std::move(segments.id)), to_numpy(std::move(segments.isthing)),
                          to_numpy(std::move(segments.category)));
}

void register_merges(py::module_& m) {
    m.def("pan_mask_classification_merge", &mask_classification_merge, py::arg("mask_pred"), py::arg("queries"),
          py::arg("scores"), py::arg("classes"), py::arg("isthing"), py::arg("overlap_threshold"),
          "Mask2Former's panoptic merge of the kept queries of C-contiguous (Q, H, W) float32 mask logits; "
          "returns (panoptic int32 (H, W), ids int32, isthing uint8, categories int64).");
    m.def("pan_sigmoid32", &panoptic::sigmoid32, py::arg("x"), "The merge's float32 sigmoid of one value.");
    m.def("pan_find_instance_centers", &find_instance_centers, py::arg("center_heatmap"), py::arg("threshold"),
          py::arg("nms_kernel"), py::arg("top_k"), py::arg("rule"),
          "(K, 2) int64 (y, x) centers of an (H, W) float32 heatmap; top_k 0 = all; rule 0 detectron2, 1 original.");
    m.def("pan_group_pixels", &group_pixels, py::arg("centers"), py::arg("offsets"),
          "(H, W) int32: 1 + the nearest center to each pixel's vote; offsets (2, H, W) float32 or float64.");
    m.def("pan_merge_semantic_and_instance", &merge_semantic_and_instance, py::arg("semantic"), py::arg("instance"),
          py::arg("thing_seg"), py::arg("label_divisor"), py::arg("thing_ids"), py::arg("stuff_area"),
          py::arg("void_label"), "(H, W) int64 panoptic ids of Panoptic-DeepLab's merge.");
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

// (kind, buffer, height, width, row_stride, channels): kind 0 = uint32 ids, 1 = RGB(A) bytes,
// 2 = inflated PNG scanlines; the buffer is any object exporting bytes (numpy array, bytes).
panoptic::IdImage id_image(const py::tuple& source, std::vector<py::buffer_info>& keep) {
    if (source.size() != 6) throw py::value_error("an id image source is a 6-tuple");
    const int kind = source[0].cast<int>();
    if (kind < 0 || kind > 2) throw py::value_error("id image kind must be 0, 1 or 2, got " + std::to_string(kind));
    keep.push_back(source[1].cast<py::buffer>().request());
    const py::buffer_info& info = keep.back();
    panoptic::IdImage image;
    image.kind = static_cast<panoptic::IdImage::Kind>(kind);
    image.data = static_cast<const std::uint8_t*>(info.ptr);
    image.size = static_cast<std::size_t>(info.size * info.itemsize);
    image.height = source[2].cast<std::size_t>();
    image.width = source[3].cast<std::size_t>();
    image.row_stride = source[4].cast<std::ptrdiff_t>();
    image.channels = source[5].cast<unsigned>();
    if (image.kind == panoptic::IdImage::Kind::ids32 && reinterpret_cast<std::uintptr_t>(image.data) % 4 != 0)
        throw py::value_error("uint32 id maps must be aligned to 4 bytes");
    return image;
}

// Columns of one segment table: ids int64, category int32, crowd uint8, area float64 (each 1-D,
// contiguous, of one length).
struct TableArrays {
    py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> ids;
    py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> category;
    py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast> crowd;
    py::array_t<double, py::array::c_style | py::array::forcecast> area;

    panoptic::SegmentTable view() const {
        const auto n = static_cast<std::size_t>(ids.size());
        if (static_cast<std::size_t>(category.size()) != n || static_cast<std::size_t>(crowd.size()) != n ||
            static_cast<std::size_t>(area.size()) != n)
            throw py::value_error("segment table columns must have one length");
        return {ids.data(), category.data(), crowd.data(), area.data(), n};
    }
};

TableArrays table_arrays(const py::tuple& table) {
    if (table.size() != 4) throw py::value_error("a segment table is a 4-tuple (ids, category, crowd, area)");
    return {table[0].cast<decltype(TableArrays::ids)>(), table[1].cast<decltype(TableArrays::category)>(),
            table[2].cast<decltype(TableArrays::crowd)>(), table[3].cast<decltype(TableArrays::area)>()};
}

py::tuple pair_histogram(const py::tuple& gt_source, const py::tuple& pred_source) {
    std::vector<py::buffer_info> keep;
    keep.reserve(2);
    const auto gt = id_image(gt_source, keep);
    const auto pred = id_image(pred_source, keep);
    panoptic::PairHistogram pairs;
    {
        py::gil_scoped_release release;
        pairs = panoptic::pair_histogram(gt, pred);
    }
    return py::make_tuple(to_numpy(std::move(pairs.keys)), to_numpy(std::move(pairs.counts)));
}

using Counts = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

// Boundary PQ's terms from Python: the boundary maps' pair histogram (keys, counts) and the
// boundary areas of the ground-truth and predicted table rows.
struct BoundaryArrays {
    Counts keys, counts, gt_area, pred_area;
    panoptic::PairHistogram pairs;
};

py::tuple pq_image_of(const py::tuple& gt_source, const py::tuple& pred_source, const py::tuple& gt_table,
                      const py::tuple& pred_table, bool corrected, BoundaryArrays* boundary) {
    std::vector<py::buffer_info> keep;
    keep.reserve(2);
    const auto gt = id_image(gt_source, keep);
    const auto pred = id_image(pred_source, keep);
    const TableArrays gt_columns = table_arrays(gt_table), pred_columns = table_arrays(pred_table);
    const auto gt_view = gt_columns.view(), pred_view = pred_columns.view();
    panoptic::BoundaryTerms terms;
    if (boundary) {
        BoundaryArrays& b = *boundary;
        if (b.keys.size() != b.counts.size() || static_cast<std::size_t>(b.gt_area.size()) != gt_view.n ||
            static_cast<std::size_t>(b.pred_area.size()) != pred_view.n)
            throw py::value_error("boundary terms must be keys and counts of one length and one area per table row");
        b.pairs.keys.assign(b.keys.data(), b.keys.data() + b.keys.size());
        b.pairs.counts.assign(b.counts.data(), b.counts.data() + b.counts.size());
        if (!std::is_sorted(b.pairs.keys.begin(), b.pairs.keys.end()))
            throw py::value_error("boundary pair keys must be ascending");
        terms = {&b.pairs, b.gt_area.data(), b.pred_area.data()};
    }
    panoptic::ImageMatch match;
    {
        py::gil_scoped_release release;
        match = panoptic::match_segments(panoptic::pair_histogram(gt, pred), gt_view, pred_view, corrected,
                                         boundary ? &terms : nullptr);
    }
    return py::make_tuple(static_cast<int>(match.error), match.error_id, to_numpy(std::move(match.missing_ids)),
                          to_numpy(std::move(match.tp_category)), to_numpy(std::move(match.tp_iou)),
                          to_numpy(std::move(match.fp_category)), to_numpy(std::move(match.fn_category)),
                          match.area_mismatches);
}

py::tuple pq_image(const py::tuple& gt_source, const py::tuple& pred_source, const py::tuple& gt_table,
                   const py::tuple& pred_table, bool corrected) {
    return pq_image_of(gt_source, pred_source, gt_table, pred_table, corrected, nullptr);
}

py::tuple pq_image_boundary(const py::tuple& gt_source, const py::tuple& pred_source, const py::tuple& gt_table,
                            const py::tuple& pred_table, bool corrected, const py::tuple& boundary) {
    if (boundary.size() != 4)
        throw py::value_error("boundary terms are a 4-tuple (keys, counts, gt areas, pred areas)");
    BoundaryArrays b{boundary[0].cast<Counts>(), boundary[1].cast<Counts>(), boundary[2].cast<Counts>(),
                     boundary[3].cast<Counts>(), {}};
    return pq_image_of(gt_source, pred_source, gt_table, pred_table, corrected, &b);
}

py::tuple boundary_map_of(const py::object& ids_obj, const py::object& segments_obj, long long inner,
                          long long dilation) {
    auto ids = exact_array<std::uint32_t>(ids_obj, "ids");
    auto segments = exact_array<std::int64_t>(segments_obj, "segments");
    if (ids.ndim() != 2 || segments.ndim() != 1)
        throw py::value_error("ids must be (H, W) and segments 1-D, got ndim=" + std::to_string(ids.ndim()) + " and " +
                              std::to_string(segments.ndim()));
    if (inner < 0 || inner > 0xffffffffLL)
        throw py::value_error("the inner id must lie in 0..2**32 - 1, got " + std::to_string(inner));
    if (dilation < 0) throw py::value_error("dilation must be >= 0 pixels, got " + std::to_string(dilation));
    const auto h = static_cast<std::size_t>(ids.shape(0)), w = static_cast<std::size_t>(ids.shape(1));
    const auto n = static_cast<std::size_t>(segments.shape(0));
    py::array_t<std::uint32_t> out({ids.shape(0), ids.shape(1)});
    py::array_t<std::uint64_t> areas(static_cast<py::ssize_t>(n));
    const std::uint32_t* id = ids.data();
    const std::int64_t* sd = segments.data();
    std::uint32_t* od = out.mutable_data();
    std::uint64_t* ad = areas.mutable_data();
    {
        py::gil_scoped_release release;
        panoptic::boundary_map(id, h, w, sd, n, static_cast<std::uint32_t>(inner), static_cast<std::uint64_t>(dilation),
                               od, ad);
    }
    return py::make_tuple(out, areas);
}

void register_evaluation(py::module_& m) {
    m.def("pan_boundary_map", &boundary_map_of, py::arg("ids"), py::arg("segments"), py::arg("inner"),
          py::arg("dilation"),
          "boundary-iou-api's boundary map of a C-contiguous (H, W) uint32 id map for the listed int64 segment ids "
          "in order; returns (map uint32 (H, W), boundary areas uint64 (n,)).");
    m.def("panoptic_pairs", &pair_histogram, py::arg("gt"), py::arg("pred"),
          "Pair histogram (keys gt << 24 | pred ascending, counts) of two id image sources.");
    m.def("panoptic_pq_image", &pq_image, py::arg("gt"), py::arg("pred"), py::arg("gt_table"), py::arg("pred_table"),
          py::arg("corrected"),
          "PQ counts of one image: (error, error_id, missing_ids, tp_category, tp_iou, fp_category, fn_category, "
          "area_mismatches).");
    m.def("panoptic_pq_image_boundary", &pq_image_boundary, py::arg("gt"), py::arg("pred"), py::arg("gt_table"),
          py::arg("pred_table"), py::arg("corrected"), py::arg("boundary"),
          "Boundary PQ counts of one image, as panoptic_pq_image returns them; boundary = (keys, counts) of the "
          "boundary maps' pair histogram, and the boundary areas (uint64) of the gt and pred table rows.");
}

}  // namespace

void register_panoptic(py::module_& m) {
    register_formats(m);
    register_merges(m);
    register_evaluation(m);
}

}  // namespace maskkit::bindings
