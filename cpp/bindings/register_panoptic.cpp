// maskkit._core panoptic functions: formats, merges, evaluation. Each section converts its
// arguments with the GIL, releases it around the core call and wraps the result.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

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

void register_merges(py::module_& m) {
    (void)m;
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

py::tuple pq_image(const py::tuple& gt_source, const py::tuple& pred_source, const py::tuple& gt_table,
                   const py::tuple& pred_table, bool corrected) {
    std::vector<py::buffer_info> keep;
    keep.reserve(2);
    const auto gt = id_image(gt_source, keep);
    const auto pred = id_image(pred_source, keep);
    const TableArrays gt_columns = table_arrays(gt_table), pred_columns = table_arrays(pred_table);
    const auto gt_view = gt_columns.view(), pred_view = pred_columns.view();
    panoptic::ImageMatch match;
    {
        py::gil_scoped_release release;
        match = panoptic::match_segments(panoptic::pair_histogram(gt, pred), gt_view, pred_view, corrected);
    }
    return py::make_tuple(static_cast<int>(match.error), match.error_id, to_numpy(std::move(match.missing_ids)),
                          to_numpy(std::move(match.tp_category)), to_numpy(std::move(match.tp_iou)),
                          to_numpy(std::move(match.fp_category)), to_numpy(std::move(match.fn_category)),
                          match.area_mismatches);
}

void register_evaluation(py::module_& m) {
    m.def("panoptic_pairs", &pair_histogram, py::arg("gt"), py::arg("pred"),
          "Pair histogram (keys gt << 24 | pred ascending, counts) of two id image sources.");
    m.def("panoptic_pq_image", &pq_image, py::arg("gt"), py::arg("pred"), py::arg("gt_table"), py::arg("pred_table"),
          py::arg("corrected"),
          "PQ counts of one image: (error, error_id, missing_ids, tp_category, tp_iou, fp_category, fn_category, "
          "area_mismatches).");
}

}  // namespace

void register_panoptic(py::module_& m) {
    register_formats(m);
    register_merges(m);
    register_evaluation(m);
}

}  // namespace maskkit::bindings
