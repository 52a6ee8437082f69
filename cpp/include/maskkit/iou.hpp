// Pairwise overlap of binary masks on a bit-packed representation (Python-free core API).
//
// A packed stack holds n masks of h x w pixels as h rows of words_per_row(w) 64-bit words per
// mask (bit x % 64 of word x / 64 is pixel x; padding bits past w are zero), with each mask's
// exclusive box [x0, y0, x1, y1) (all zeros for an empty mask) and its area. Intersections
// only scan the rows and words inside the overlap of two boxes, and pairs whose boxes do not
// overlap are not scanned at all.
#pragma once

#include <cstddef>
#include <cstdint>

namespace maskkit {

// 64-bit words that hold one row of w pixels.
inline std::uint64_t words_per_row(std::uint64_t w) { return (w + 63) / 64; }

// A packed stack as the functions below read it: words (n * h * words_per_row(w)), boxes
// (n * 4, int64 exclusive xyxy), areas (n).
struct PackedView {
    const std::uint64_t* words;
    const std::int64_t* boxes;
    const std::uint64_t* areas;
    std::size_t n;
    std::uint64_t h, w;
};

// Packs (n, h, w) byte masks with any byte strides (a non-zero byte is foreground) into
// `words` and fills `boxes` and `areas`.
void pack_masks(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w,
                std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w,
                std::uint64_t* words, std::int64_t* boxes, std::uint64_t* areas);

// Boxes and areas of already packed words (as restored from a pickle). Throws
// std::invalid_argument when a padding bit past w is set.
void describe_packed(const std::uint64_t* words, std::size_t n, std::uint64_t h, std::uint64_t w,
                     std::int64_t* boxes, std::uint64_t* areas);

// Writes the masks back as (n, h, w) C-ordered uint8 0/1.
void unpack_masks(const std::uint64_t* words, std::size_t n, std::uint64_t h, std::uint64_t w,
                  std::uint8_t* out);

// out[i * b.n + j] = |a_i AND b_j|. Both stacks must have the same h and w
// (std::invalid_argument otherwise).
void packed_intersections(const PackedView& a, const PackedView& b, std::uint64_t* out);

// |a_i AND b_j| of one pair (a and b of one height and width, i and j in range).
std::uint64_t packed_pair_intersection(const PackedView& a, std::size_t i, const PackedView& b, std::size_t j);

}  // namespace maskkit

namespace maskkit {

// Box overlap measures of torchvision.ops (box_iou, generalized_box_iou, distance_box_iou,
// complete_box_iou) and detectron2's pairwise_ioa.
enum class BoxKind { iou = 0, giou = 1, diou = 2, ciou = 3, ioa = 4 };

// out[i * m + j] = kind(a_i, b_j) for xyxy boxes (4 values each), evaluated in T with the
// references' operations in their order, so float and double results equal theirs.
template <class T>
void box_overlaps(const T* a, std::size_t n, const T* b, std::size_t m, BoxKind kind, T* out);

extern template void box_overlaps<float>(const float*, std::size_t, const float*, std::size_t, BoxKind, float*);
extern template void box_overlaps<double>(const double*, std::size_t, const double*, std::size_t, BoxKind, double*);

}  // namespace maskkit

namespace maskkit {

// Inclusive boxes [x0, y0, x1, y1] of (n, h, w) byte masks with any byte strides (non-zero is
// foreground), written to boxes (n * 4); an empty mask gets [-1, -1, -1, -1].
void mask_boxes(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w,
                std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w, std::int64_t* boxes);

// Boxes as mask_boxes writes them, areas, and the raw moments m00, m10, m01, m20, m11, m02
// (sums of x^p y^q over the foreground, pixel centres at integer coordinates; exact integer
// sums rounded once to double) of each mask: moments has n * 6 values.
void mask_moments(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w,
                  std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w, std::int64_t* boxes,
                  std::int64_t* areas, double* moments);

}  // namespace maskkit

namespace maskkit {

// Mask non-maximum suppression and the intersections of Matrix NMS, on one packed stack.

// How mask_nms compares two masks: supervision's OverlapMetric.IOU and OverlapMetric.IOS.
enum class NmsMetric { iou = 0, ios = 1 };

// Greedy NMS in the order `order` (n distinct indices into masks): walking it, a mask still kept
// suppresses every later kept mask of the same label (labels[index], or one label when labels
// is null) whose overlap with it is > threshold. The overlap is supervision's mask_iou_batch
// value: the exact counts as float32, one float32 division (float64 when `wide`, supervision's
// choice for masks of more than 2**24 pixels), 0 when the denominator is 0. keep[k] is 1 when
// order[k] survives, else 0. std::invalid_argument for an index out of range.
void packed_nms(const PackedView& masks, const std::int64_t* order, std::size_t n, const std::int64_t* labels,
                double threshold, NmsMetric metric, bool wide, std::uint8_t* keep);

// out[a * n + b] = |m[order[a]] AND m[order[b]]| for b > a, and 0 for b <= a: the upper
// triangle of mmdet's mask_matrix_nms intersection matrix. std::invalid_argument for an index
// out of range.
void packed_upper_intersections(const PackedView& masks, const std::int64_t* order, std::size_t n,
                                std::uint64_t* out);

}  // namespace maskkit

namespace maskkit {

// detectron2's paste_masks_in_image (its CPU path, one mask at a time) and ultralytics'
// crop_mask.

// Pastes n masks of mh x mw values (C-contiguous T) into n zeroed h x w byte images `out` (C
// order), each sampled bilinearly with grid_sample's align_corners=False mapping and zero
// padding inside its box's integer bounds [floor(x0) - 1, ceil(x1) + 1) clipped to the image,
// with the arithmetic of torch's CPU kernel in T (the sample grid in B, the boxes' type, as
// detectron2 builds it). out is 1 where the value >= threshold, or, when `scaled`, the value
// times 255 truncated to uint8 (0 for NaN). Pixels outside each box's bounds are not written.
// Boxes must be finite (std::invalid_argument otherwise).
template <class T, class B>
void paste_masks(const T* masks, std::size_t n, std::uint64_t mh, std::uint64_t mw, const B* boxes,
                 std::uint64_t h, std::uint64_t w, T threshold, bool scaled, std::uint8_t* out);

// out[i, y, x] = in[i, y, x] * (x >= x1 && x < x2 && y >= y1 && y < y2) for the box
// (x1, y1, x2, y2) of mask i, x and y converted to B and compared in B (NaN compares false).
// T is uint8_t (bool and uint8 masks: the byte or 0) or a float type (the IEEE product, so 0
// times a negative value is -0 and times NaN or inf is NaN). `in` has any byte strides, `out`
// is (n, h, w) in C order.
template <class T, class B>
void crop_masks(const T* in, std::size_t n, std::uint64_t h, std::uint64_t w, std::int64_t stride_n,
                std::int64_t stride_h, std::int64_t stride_w, const B* boxes, T* out);

// Boundaries of (n, h, w) byte masks with any byte strides, as boundary-iou-api's
// mask_to_boundary defines them: out = mask - erode(mask), where the erosion is the minimum over
// the (2d + 1) x (2d + 1) square around each pixel and pixels outside the image count as 0 (its
// zero border of one pixel, eroded d times by a 3 x 3 square). Byte values are kept, so 0/1
// masks give 0/1 boundaries and 0/255 masks 0/255 ones; with `binary`, every non-zero byte is
// taken as 1 first. out is (n, h, w) C-ordered and every byte of it is written (d = 0 erodes
// nothing and gives zeros).
void mask_boundaries(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w,
                     std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w, std::uint64_t d,
                     bool binary, std::uint8_t* out);

// The boundaries of mask_boundaries with `binary`, packed as pack_masks packs masks: words,
// boxes and areas of n boundaries, without an (n, h, w) byte array in between.
void pack_boundaries(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w,
                     std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w, std::uint64_t d,
                     std::uint64_t* words, std::int64_t* boxes, std::uint64_t* areas);

}  // namespace maskkit
