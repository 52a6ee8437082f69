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
