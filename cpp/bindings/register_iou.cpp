// maskkit._core bit-packed masks and their pairwise intersections. A packed stack crosses the
// boundary as three arrays: words uint64 (N, H, words per row), boxes int64 (N, 4) exclusive
// xyxy, areas uint64 (N,); the Python BitMasks keeps them together.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <limits>
#include <string>

#include "arrays.hpp"
#include "maskkit/iou.hpp"

namespace maskkit::bindings {
namespace {

using Words = py::array_t<std::uint64_t, py::array::c_style>;

// n * h * words_per_row(w) words, refused when that many bytes cannot be one array.
py::ssize_t word_count(std::uint64_t n, std::uint64_t h, std::uint64_t w) {
    const auto most = static_cast<std::uint64_t>(std::numeric_limits<py::ssize_t>::max()) / 8;
    const std::uint64_t wpr = words_per_row(w);
    if ((h != 0 && wpr > most / h) || (h * wpr != 0 && n > most / (h * wpr)))
        throw std::overflow_error("packed masks are too big: " + std::to_string(n) + " masks of " +
                                  std::to_string(h) + " x " + std::to_string(w) + " pixels");
    return static_cast<py::ssize_t>(n * h * wpr);
}

Words checked_words(const py::handle& obj, std::uint64_t w) {
    Words words = exact_array<std::uint64_t>(obj, "words");
    if (words.ndim() != 3 || static_cast<std::uint64_t>(words.shape(2)) != words_per_row(w))
        throw py::value_error("words must have shape (N, H, " + std::to_string(words_per_row(w)) + ") for width " +
                              std::to_string(w) + ", got ndim=" + std::to_string(words.ndim()));
    return words;
}

// A boundary radius from Python, in pixels.
std::uint64_t radius(long long dilation) {
    if (dilation < 0) throw py::value_error("dilation must be >= 0 pixels, got " + std::to_string(dilation));
    return static_cast<std::uint64_t>(dilation);
}

// Packs (N, H, W) masks, or their boundaries at radius d when `boundaries`.
py::tuple pack_stack(const py::array& masks, bool boundaries, std::uint64_t d) {
    const MaskStack s = mask_stack(masks);
    const py::ssize_t total = word_count(s.n, s.h, s.w);
    const auto n = static_cast<py::ssize_t>(s.n);
    Words words({n, static_cast<py::ssize_t>(s.h), static_cast<py::ssize_t>(words_per_row(s.w))});
    py::array_t<std::int64_t> boxes({n, py::ssize_t{4}});
    py::array_t<std::uint64_t> areas(n);
    std::uint64_t* wd = total ? words.mutable_data() : nullptr;
    std::int64_t* bd = boxes.mutable_data();
    std::uint64_t* ad = areas.mutable_data();
    {
        py::gil_scoped_release release;
        if (boundaries)
            pack_boundaries(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w, d, wd, bd, ad);
        else
            pack_masks(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w, wd, bd, ad);
    }
    return py::make_tuple(words, boxes, areas);
}

py::tuple pack(const py::array& masks) { return pack_stack(masks, false, 0); }

py::tuple pack_boundaries_of(const py::array& masks, long long dilation) {
    return pack_stack(masks, true, radius(dilation));
}

py::tuple describe(const py::object& words_obj, long long width) {
    const std::uint64_t w = dimension(width, "width");
    Words words = checked_words(words_obj, w);
    const auto n = static_cast<std::size_t>(words.shape(0));
    const auto h = static_cast<std::uint64_t>(words.shape(1));
    py::array_t<std::int64_t> boxes({static_cast<py::ssize_t>(n), py::ssize_t{4}});
    py::array_t<std::uint64_t> areas(static_cast<py::ssize_t>(n));
    const std::uint64_t* wd = words.data();
    std::int64_t* bd = boxes.mutable_data();
    std::uint64_t* ad = areas.mutable_data();
    {
        py::gil_scoped_release release;
        describe_packed(wd, n, h, w, bd, ad);
    }
    return py::make_tuple(boxes, areas);
}

py::array unpack(const py::object& words_obj, long long width) {
    const std::uint64_t w = dimension(width, "width");
    Words words = checked_words(words_obj, w);
    const auto n = static_cast<std::uint64_t>(words.shape(0)), h = static_cast<std::uint64_t>(words.shape(1));
    py::array out = fresh_masks(h, w, n, false);
    const std::uint64_t* wd = words.data();
    auto* od = static_cast<std::uint8_t*>(out.mutable_data());
    {
        py::gil_scoped_release release;
        unpack_masks(wd, n, h, w, od);
    }
    return out;
}

struct Packed {
    Words words;
    py::array_t<std::int64_t, py::array::c_style> boxes;
    py::array_t<std::uint64_t, py::array::c_style> areas;
    PackedView view;
};

Packed packed(const py::tuple& parts, long long width) {
    if (parts.size() != 3) throw py::value_error("a packed stack is (words, boxes, areas)");
    Packed p;
    const std::uint64_t w = dimension(width, "width");
    p.words = checked_words(parts[0], w);
    p.boxes = exact_array<std::int64_t>(parts[1], "boxes");
    p.areas = exact_array<std::uint64_t>(parts[2], "areas");
    const auto n = p.words.shape(0);
    if (p.boxes.ndim() != 2 || p.boxes.shape(0) != n || p.boxes.shape(1) != 4 || p.areas.ndim() != 1 ||
        p.areas.shape(0) != n)
        throw py::value_error("boxes must be (N, 4) and areas (N,) for N = " + std::to_string(n) + " masks");
    p.view = PackedView{p.words.data(), p.boxes.data(), p.areas.data(), static_cast<std::size_t>(n),
                        static_cast<std::uint64_t>(p.words.shape(1)), w};
    return p;
}

py::array_t<std::uint64_t> intersections(const py::tuple& a_parts, long long a_width, const py::tuple& b_parts,
                                         long long b_width) {
    const Packed a = packed(a_parts, a_width), b = packed(b_parts, b_width);
    py::array_t<std::uint64_t> out({static_cast<py::ssize_t>(a.view.n), static_cast<py::ssize_t>(b.view.n)});
    std::uint64_t* od = out.mutable_data();
    {
        py::gil_scoped_release release;
        packed_intersections(a.view, b.view, od);
    }
    return out;
}

template <class T>
py::array_t<T> boxes_of(const py::array& a_obj, const py::array& b_obj, int kind) {
    auto a = exact_array<T>(a_obj, "boxes");
    auto b = exact_array<T>(b_obj, "boxes");
    for (const auto* x : {&a, &b})
        if (x->ndim() != 2 || x->shape(1) != 4)
            throw py::value_error("boxes must have shape (N, 4), got ndim=" + std::to_string(x->ndim()));
    if (kind < 0 || kind > static_cast<int>(BoxKind::ioa))
        throw py::value_error("box kind must be 0..4, got " + std::to_string(kind));
    const auto n = static_cast<std::size_t>(a.shape(0)), m = static_cast<std::size_t>(b.shape(0));
    py::array_t<T> out({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(m)});
    const T* ad = a.data();
    const T* bd = b.data();
    T* od = out.mutable_data();
    {
        py::gil_scoped_release release;
        box_overlaps<T>(ad, n, bd, m, static_cast<BoxKind>(kind), od);
    }
    return out;
}

py::array box_overlaps_of(const py::array& a, const py::array& b, int kind) {
    if (a.dtype().equal(py::dtype::of<float>())) return boxes_of<float>(a, b, kind);
    return boxes_of<double>(a, b, kind);
}

py::array_t<std::int64_t> mask_boxes_of(const py::array& masks) {
    const MaskStack s = mask_stack(masks);
    py::array_t<std::int64_t> boxes({static_cast<py::ssize_t>(s.n), py::ssize_t{4}});
    std::int64_t* bd = boxes.mutable_data();
    {
        py::gil_scoped_release release;
        mask_boxes(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w, bd);
    }
    return boxes;
}

py::tuple mask_moments_of(const py::array& masks) {
    const MaskStack s = mask_stack(masks);
    const auto n = static_cast<py::ssize_t>(s.n);
    py::array_t<std::int64_t> boxes({n, py::ssize_t{4}});
    py::array_t<std::int64_t> areas(n);
    py::array_t<double> moments({n, py::ssize_t{6}});
    std::int64_t* bd = boxes.mutable_data();
    std::int64_t* ad = areas.mutable_data();
    double* md = moments.mutable_data();
    {
        py::gil_scoped_release release;
        mask_moments(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w, bd, ad, md);
    }
    return py::make_tuple(boxes, areas, moments);
}

py::array_t<std::uint8_t> nms_of(const py::tuple& parts, long long width, const py::object& order_obj,
                                  const py::object& labels_obj, double threshold, int metric, bool wide) {
    const Packed p = packed(parts, width);
    auto order = exact_array<std::int64_t>(order_obj, "order");
    if (order.ndim() != 1) throw py::value_error("order must be 1-D, got ndim=" + std::to_string(order.ndim()));
    py::array_t<std::int64_t, py::array::c_style> labels;
    const std::int64_t* ld = nullptr;
    if (!labels_obj.is_none()) {
        labels = exact_array<std::int64_t>(labels_obj, "labels");
        if (labels.ndim() != 1 || static_cast<std::size_t>(labels.shape(0)) != p.view.n)
            throw py::value_error("labels must have shape (" + std::to_string(p.view.n) + ",)");
        ld = labels.data();
    }
    if (metric != 0 && metric != 1) throw py::value_error("metric must be 0 (iou) or 1 (ios), got " + std::to_string(metric));
    const auto n = static_cast<std::size_t>(order.shape(0));
    py::array_t<std::uint8_t> keep(static_cast<py::ssize_t>(n));
    const std::int64_t* od = order.data();
    std::uint8_t* kd = keep.mutable_data();
    {
        py::gil_scoped_release release;
        packed_nms(p.view, od, n, ld, threshold, static_cast<NmsMetric>(metric), wide, kd);
    }
    return keep;
}

py::array_t<std::uint64_t> upper_intersections_of(const py::tuple& parts, long long width,
                                                  const py::object& order_obj) {
    const Packed p = packed(parts, width);
    auto order = exact_array<std::int64_t>(order_obj, "order");
    if (order.ndim() != 1) throw py::value_error("order must be 1-D, got ndim=" + std::to_string(order.ndim()));
    const auto n = static_cast<py::ssize_t>(order.shape(0));
    py::array_t<std::uint64_t> out({n, n});
    const std::int64_t* od = order.data();
    std::uint64_t* out_d = out.mutable_data();
    {
        py::gil_scoped_release release;
        packed_upper_intersections(p.view, od, static_cast<std::size_t>(n), out_d);
    }
    return out;
}

template <class B>
py::array_t<B, py::array::c_style> checked_boxes(const py::object& obj, py::ssize_t n) {
    auto boxes = exact_array<B>(obj, "boxes");
    if (boxes.ndim() != 2 || boxes.shape(0) != n || boxes.shape(1) != 4)
        throw py::value_error("boxes must have shape (" + std::to_string(n) + ", 4), got ndim=" +
                              std::to_string(boxes.ndim()));
    return boxes;
}

template <class T, class B>
void paste_typed(const py::array& masks_obj, const py::object& boxes_obj, py::array out, double threshold,
                 bool scaled) {
    auto masks = exact_array<T>(masks_obj, "masks");
    if (masks.ndim() != 3) throw py::value_error("masks must be 3-D (N, M, M), got ndim=" + std::to_string(masks.ndim()));
    const py::ssize_t n = masks.shape(0);
    auto boxes = checked_boxes<B>(boxes_obj, n);
    const auto mh = static_cast<std::uint64_t>(masks.shape(1)), mw = static_cast<std::uint64_t>(masks.shape(2));
    const auto h = static_cast<std::uint64_t>(out.shape(1)), w = static_cast<std::uint64_t>(out.shape(2));
    const T* md = masks.data();
    const B* bd = boxes.data();
    auto* od = static_cast<std::uint8_t*>(out.mutable_data());
    const T thr = static_cast<T>(threshold);
    py::gil_scoped_release release;
    paste_masks<T, B>(md, static_cast<std::size_t>(n), mh, mw, bd, h, w, thr, scaled, od);
}

void paste_of(const py::array& masks, const py::object& boxes, py::array out, double threshold, bool scaled) {
    const py::dtype u8 = py::dtype::of<std::uint8_t>(), b8 = py::dtype::of<bool>();
    if (!(out.dtype().equal(u8) || out.dtype().equal(b8)) || out.ndim() != 3 || out.shape(0) != masks.shape(0) ||
        !(out.flags() & py::array::c_style) || !out.writeable())
        throw py::value_error("out must be a writeable C-contiguous (N, H, W) uint8 or bool array");
    const bool box_double = py::isinstance<py::array>(boxes) &&
                            py::reinterpret_borrow<py::array>(boxes).dtype().equal(py::dtype::of<double>());
    if (masks.dtype().equal(py::dtype::of<double>())) {
        if (box_double) return paste_typed<double, double>(masks, boxes, out, threshold, scaled);
        return paste_typed<double, float>(masks, boxes, out, threshold, scaled);
    }
    if (box_double) return paste_typed<float, double>(masks, boxes, out, threshold, scaled);
    return paste_typed<float, float>(masks, boxes, out, threshold, scaled);
}

template <class T, class B>
py::array crop_typed(const py::array& masks, const py::object& boxes_obj) {
    auto boxes = checked_boxes<B>(boxes_obj, masks.shape(0));
    const auto n = static_cast<std::size_t>(masks.shape(0));
    const auto h = static_cast<std::uint64_t>(masks.shape(1)), w = static_cast<std::uint64_t>(masks.shape(2));
    py::array out(masks.dtype(), {masks.shape(0), masks.shape(1), masks.shape(2)});
    const auto* md = static_cast<const T*>(masks.data());
    const B* bd = boxes.data();
    auto* od = static_cast<T*>(out.mutable_data());
    const std::int64_t sn = masks.strides(0), sh = masks.strides(1), sw = masks.strides(2);
    {
        py::gil_scoped_release release;
        crop_masks<T, B>(md, n, h, w, sn, sh, sw, bd, od);
    }
    return out;
}

py::array boundaries_of(const py::array& masks, long long dilation, bool binary) {
    const MaskStack s = mask_stack(masks);
    const std::uint64_t d = radius(dilation);
    py::array out = fresh_masks(s.h, s.w, s.n, false);
    auto* od = static_cast<std::uint8_t*>(out.mutable_data());
    {
        py::gil_scoped_release release;
        mask_boundaries(s.data, s.n, s.h, s.w, s.stride_n, s.stride_h, s.stride_w, d, binary, od);
    }
    return out;
}

template <class T>
py::array crop_boxes(const py::array& masks, const py::object& boxes) {
    if (py::isinstance<py::array>(boxes) &&
        py::reinterpret_borrow<py::array>(boxes).dtype().equal(py::dtype::of<double>()))
        return crop_typed<T, double>(masks, boxes);
    return crop_typed<T, float>(masks, boxes);
}

py::array crop_of(const py::array& masks, const py::object& boxes) {
    if (masks.ndim() != 3) throw py::value_error("masks must be 3-D (N, H, W), got ndim=" + std::to_string(masks.ndim()));
    const py::dtype dt = masks.dtype();
    if (dt.equal(py::dtype::of<std::uint8_t>()) || dt.equal(py::dtype::of<bool>())) return crop_boxes<std::uint8_t>(masks, boxes);
    if (dt.equal(py::dtype::of<float>())) return crop_boxes<float>(masks, boxes);
    if (dt.equal(py::dtype::of<double>())) return crop_boxes<double>(masks, boxes);
    throw py::type_error("masks must have dtype bool, uint8, float32 or float64, got " + std::string(py::str(dt)));
}

}  // namespace

void register_iou(py::module_& m) {
    m.def("iou_pack", &pack, py::arg("masks"),
          "Pack (N, H, W) uint8/bool masks of any strides; returns (words, boxes, areas).");
    m.def("iou_describe", &describe, py::arg("words"), py::arg("width"),
          "Boxes and areas of packed words (N, H, words per row).");
    m.def("iou_unpack", &unpack, py::arg("words"), py::arg("width"), "Packed words to (N, H, W) uint8.");
    m.def("iou_intersections", &intersections, py::arg("a"), py::arg("a_width"), py::arg("b"), py::arg("b_width"),
          "|a_i AND b_j| as uint64 (N, M) for two packed stacks (words, boxes, areas).");
    m.def("mask_boxes", &mask_boxes_of, py::arg("masks"),
          "Inclusive xyxy int64 boxes (N, 4) of (N, H, W) uint8/bool masks; empty masks get -1s.");
    m.def("mask_moments", &mask_moments_of, py::arg("masks"),
          "(boxes as mask_boxes, areas int64 (N,), raw moments float64 (N, 6): m00 m10 m01 m20 m11 m02).");
    m.def("iou_mask_boundaries", &boundaries_of, py::arg("masks"), py::arg("dilation"), py::arg("binary"),
          "Boundaries (N, H, W) uint8 of (N, H, W) uint8/bool masks of any strides: mask - erosion by the "
          "(2 * dilation + 1)^2 square, the outside of the image counted as 0; of the masks' values, or of 0/1 for "
          "non-zero when binary.");
    m.def("iou_pack_boundaries", &pack_boundaries_of, py::arg("masks"), py::arg("dilation"),
          "The 0/1 boundaries of iou_mask_boundaries (binary) of (N, H, W) uint8/bool masks, packed as iou_pack "
          "packs masks; returns (words, boxes, areas).");
    m.def("iou_box_overlaps", &box_overlaps_of, py::arg("a"), py::arg("b"), py::arg("kind"),
          "Pairwise (N, M) measure `kind` (0 iou, 1 giou, 2 diou, 3 ciou, 4 ioa) of C-contiguous float32 or "
          "float64 xyxy boxes (N, 4) and (M, 4) of one dtype.");
    m.def("iou_nms", &nms_of, py::arg("masks"), py::arg("width"), py::arg("order"), py::arg("labels"),
          py::arg("threshold"), py::arg("metric"), py::arg("wide"),
          "Greedy mask NMS of a packed stack walked in `order` (int64); returns keep flags uint8 (len(order),).");
    m.def("iou_upper_intersections", &upper_intersections_of, py::arg("masks"), py::arg("width"), py::arg("order"),
          "|m[order[a]] AND m[order[b]]| for b > a (0 elsewhere) as uint64 (len(order), len(order)).");
    m.def("boxes_paste", &paste_of, py::arg("masks"), py::arg("boxes"), py::arg("out"), py::arg("threshold"),
          py::arg("scaled"),
          "Paste C-contiguous float32/float64 masks (N, Mh, Mw) into the zeroed (N, H, W) byte array `out` at "
          "float32/float64 xyxy boxes (N, 4), detectron2's grid_sample path.");
    m.def("boxes_crop", &crop_of, py::arg("masks"), py::arg("boxes"),
          "Masks (N, H, W) of bool/uint8/float32/float64 zeroed outside C-contiguous float32/float64 xyxy boxes "
          "(N, 4), ultralytics' crop_mask comparisons; a new C-ordered array.");
}

}  // namespace maskkit::bindings
