// maskkit._core RLE functions on batches held as numpy arrays. Every function converts its
// arguments while holding the GIL, then releases it: the core only touches the buffers
// converted here, which the argument objects keep alive for the duration of the call.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "maskkit/rle.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit::bindings {
namespace {

py::tuple encode(const py::array& masks) {
    const MaskStack s = mask_stack(masks);
    RleBatch batch;
    {
        py::gil_scoped_release release;
        batch = encode_batch(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w);
    }
    return batch_arrays(std::move(batch));
}

py::array decode(const py::object& counts, const py::object& offsets, const py::object& sizes,
                 bool fortran) {
    BatchViews b = batch_views(counts, offsets, sizes);
    const std::size_t n = b.views.size();
    if (n == 0) throw py::value_error("decode needs at least one RLE to know the mask size");
    require_one_size(b.views.data(), n);  // before allocating n masks of the first one's size
    const std::uint64_t h = b.views[0].h, w = b.views[0].w;
    py::array out = fresh_masks(h, w, n, fortran);
    auto* data = static_cast<std::uint8_t*>(out.mutable_data());
    {
        py::gil_scoped_release release;
        decode_batch(b.views.data(), n, h, w, !fortran, data);
    }
    return out;
}

// Exact foreground areas (uint64; COCO's own area() wraps at 2**32).
py::array_t<std::uint64_t> area_of(const py::object& counts, const py::object& offsets, const py::object& sizes) {
    BatchViews b = batch_views(counts, offsets, sizes);
    py::array_t<std::uint64_t> out(static_cast<py::ssize_t>(b.views.size()));
    std::uint64_t* data = out.mutable_data();
    {
        py::gil_scoped_release release;
        exact_areas(b.views.data(), b.views.size(), data);
    }
    return out;
}

py::array_t<double> bbox_of(const py::object& counts, const py::object& offsets, const py::object& sizes) {
    BatchViews b = batch_views(counts, offsets, sizes);
    const auto n = static_cast<py::ssize_t>(b.views.size());
    py::array_t<double> out({n, py::ssize_t{4}});
    double* data = out.mutable_data();
    {
        py::gil_scoped_release release;
        to_bboxes(b.views.data(), b.views.size(), data);
    }
    return out;
}

py::tuple merge_of(const py::object& counts, const py::object& offsets, const py::object& sizes,
                   bool intersect) {
    BatchViews b = batch_views(counts, offsets, sizes);
    std::vector<count_t> merged;
    std::uint64_t h = 0, w = 0;
    {
        py::gil_scoped_release release;
        merge(b.views.data(), b.views.size(), intersect, h, w, merged);
    }
    return py::make_tuple(to_numpy(std::move(merged)), h, w);
}

const std::uint8_t* crowd_flags(const py::object& iscrowd, std::size_t n,
                                py::array_t<std::uint8_t, py::array::c_style>& holder) {
    if (iscrowd.is_none()) return nullptr;
    holder = exact_array<std::uint8_t>(iscrowd, "iscrowd");
    if (holder.ndim() != 1 || static_cast<std::size_t>(holder.shape(0)) != n)
        throw py::value_error("iscrowd must have one flag per ground truth (" + std::to_string(n) +
                              "), got shape " + std::string(py::str(py::tuple(py::cast(std::vector<py::ssize_t>(holder.shape(), holder.shape() + holder.ndim()))))));
    return holder.data();
}

// Output is (m, n) in Fortran order: the core writes out[g*m + d].
py::array_t<double> iou_of(const py::object& dt_counts, const py::object& dt_offsets, const py::object& dt_sizes,
                           const py::object& gt_counts, const py::object& gt_offsets, const py::object& gt_sizes,
                           const py::object& iscrowd) {
    BatchViews dt = batch_views(dt_counts, dt_offsets, dt_sizes);
    BatchViews gt = batch_views(gt_counts, gt_offsets, gt_sizes);
    const std::size_t m = dt.views.size(), n = gt.views.size();
    py::array_t<std::uint8_t, py::array::c_style> holder;
    const std::uint8_t* crowd = crowd_flags(iscrowd, n, holder);
    py::array_t<double> out({static_cast<py::ssize_t>(m), static_cast<py::ssize_t>(n)},
                            {py::ssize_t{8}, static_cast<py::ssize_t>(8 * m)});
    double* data = out.mutable_data();
    {
        py::gil_scoped_release release;
        rle_iou(dt.views.data(), m, gt.views.data(), n, crowd, data);
    }
    return out;
}

py::array_t<double> box_iou_of(const py::object& dt_obj, const py::object& gt_obj, const py::object& iscrowd) {
    auto dt = exact_array<double>(dt_obj, "dt boxes");
    auto gt = exact_array<double>(gt_obj, "gt boxes");
    for (const auto* a : {&dt, &gt})
        if (a->ndim() != 2 || a->shape(1) != 4)
            throw py::value_error("boxes must have shape (N, 4), got ndim=" + std::to_string(a->ndim()));
    const auto m = static_cast<std::size_t>(dt.shape(0)), n = static_cast<std::size_t>(gt.shape(0));
    py::array_t<std::uint8_t, py::array::c_style> holder;
    const std::uint8_t* crowd = crowd_flags(iscrowd, n, holder);
    py::array_t<double> out({static_cast<py::ssize_t>(m), static_cast<py::ssize_t>(n)},
                            {py::ssize_t{8}, static_cast<py::ssize_t>(8 * m)});
    double* data = out.mutable_data();
    const double* d = dt.data();
    const double* g = gt.data();
    {
        py::gil_scoped_release release;
        box_iou(d, m, g, n, crowd, data);
    }
    return out;
}

}  // namespace

void register_rle(py::module_& m) {
    m.def("rle_encode", &encode, py::arg("masks"),
          "Encode (N, H, W) uint8/bool masks of any strides; returns (counts, offsets).");
    m.def("rle_decode", &decode, py::arg("counts"), py::arg("offsets"), py::arg("sizes"),
          py::arg("fortran"), "Decode a batch of equal-size RLEs to (N, H, W) C or (H, W, N) F.");
    m.def("rle_area", &area_of, py::arg("counts"), py::arg("offsets"), py::arg("sizes"));
    m.def("rle_to_bbox", &bbox_of, py::arg("counts"), py::arg("offsets"), py::arg("sizes"));
    m.def("rle_merge", &merge_of, py::arg("counts"), py::arg("offsets"), py::arg("sizes"),
          py::arg("intersect"));
    m.def("rle_iou", &iou_of, py::arg("dt_counts"), py::arg("dt_offsets"), py::arg("dt_sizes"),
          py::arg("gt_counts"), py::arg("gt_offsets"), py::arg("gt_sizes"), py::arg("iscrowd"));
    m.def("box_iou", &box_iou_of, py::arg("dt"), py::arg("gt"), py::arg("iscrowd"));
}

}  // namespace maskkit::bindings
