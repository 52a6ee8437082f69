// maskkit panoptic core: id maps, merges and PQ statistics over pointers and shapes. Python-free;
// errors are std exceptions. Sections: formats, merges, evaluation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "maskkit/rle.hpp"

namespace maskkit::panoptic {

// ---- formats -------------------------------------------------------------------------------

// ---- merges --------------------------------------------------------------------------------
// First-wins painting of layers (panoptic_merge.cpp): layers are visited in the caller's order
// (top first); a layer paints only pixels no earlier layer took. The map is painted in one of two
// linear spaces: row-major (lines are rows) or, when any layer is a COCO RLE, column-major
// (lines are columns, the RLEs' own order), turned to row-major by write_segment_ids.

// Where a layer's pixels come from.
enum class LayerSource : std::uint8_t { Mask = 0, Rle = 1, Label = 2 };

// When a layer is kept (all must hold): |mask| >= min_area; when |mask| > 0, the occluded
// fraction (|mask| - |visible|) / |mask| <= max_occluded (as doubles; NaN or +inf: no test);
// |visible| >= min_visible (as doubles). Layers with the same fuse_group >= 0 paint one segment
// (the first kept one's); -1: a segment of its own.
struct LayerRule {
    std::uint64_t min_area = 1;
    double max_occluded = 0.0;
    double min_visible = 0.0;
    std::int64_t fuse_group = -1;
};

// The explicit layers, top first, as parallel arrays of n entries: source (a LayerSource value:
// Mask or Rle), index (into the masks or RLEs) and the rule fields.
struct LayerOrder {
    std::size_t n = 0;
    const std::uint8_t* source = nullptr;
    const std::uint64_t* index = nullptr;
    const std::uint64_t* min_area = nullptr;
    const double* max_occluded = nullptr;
    const double* min_visible = nullptr;
    const std::int64_t* fuse_group = nullptr;
};

// (N, H, W) masks (nonzero = inside) with byte strides, as numpy holds them.
struct MaskStackView {
    const std::uint8_t* data = nullptr;
    std::uint64_t n = 0;
    std::int64_t stride_n = 0, stride_h = 0, stride_w = 0;
};

// An (H, W) C-contiguous int64 label map whose every value (except `skip`) is a layer, painted
// after the explicit layers in ascending value order under one rule; with fuse_by_label the
// fuse group of a label is the label itself.
struct LabelLayers {
    const std::int64_t* data = nullptr;
    const std::int64_t* skip = nullptr;
    std::size_t n_skip = 0;
    LayerRule rule;
    bool fuse_by_label = false;
};

struct LayerSources {
    MaskStackView masks;
    const RleView* rles = nullptr;
    std::size_t n_rles = 0;
    const LabelLayers* labels = nullptr;  // nullptr: none
};

// The segments in the order they were made: the first layer that made each (source, index; a
// label layer's index is its label value), its visible pixel count and its box (x, y, w, h;
// zeros when empty), four values per segment.
struct Painting {
    bool column_major = false;
    std::vector<std::uint8_t> source;
    std::vector<std::int64_t> index;
    std::vector<std::uint64_t> area;
    std::vector<std::int64_t> bbox;
};

// Paints `order` (then the label layers) into `painted` (h * w zero-initialised uint32 values,
// segment k written as k + 1) and lists the segments in the order they were made.
// column_major: paint in column-major space (required when any layer is an RLE).
// Throws std::invalid_argument for an unknown source or an index out of range, an RLE of another size or whose
// counts sum past h * w; std::length_error for more than 2^32 - 2 segments.
Painting paint_layers(const LayerSources& sources, const LayerOrder& order, std::uint64_t h, std::uint64_t w,
                      bool column_major, std::uint32_t* painted);

// out (h, w, row-major) = ids[painted]; painted is row-major, or column-major (w lines of h).
// Throws std::invalid_argument when a painted value is >= n_ids.
void write_segment_ids(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w, bool column_major,
                       const std::uint32_t* ids, std::size_t n_ids, std::uint32_t* out);

// Panoptic-DeepLab (panoptic_merge_deeplab.cpp).

// Which top-k rule find_instance_centers applies: detectron2 keeps centers scoring strictly
// above max(k-th best score, 0); the original keeps all positive centers when there are fewer
// than k of them, else those strictly above the k-th best.
enum class TopKRule : std::uint8_t { Detectron2 = 0, Original = 1 };

// Row-major (y, x) of the centers of an (h, w) float32 heatmap: scores > threshold that equal the
// maximum of their kernel x kernel window (ties on plateaus all survive), then the top-k rule
// (top_k = 0: every positive survivor). kernel must be odd; NaN scores are refused.
std::vector<std::int64_t> find_instance_centers(const float* heatmap, std::uint64_t h, std::uint64_t w,
                                                float threshold, std::uint64_t kernel, std::uint64_t top_k,
                                                TopKRule rule);

// ids (h * w): 1 + the index of the center nearest to (y + dy, x + dx), the distance computed in
// T as sqrt(ddy * ddy + ddx * ddx) with ddy = cy - (y + dy); ties go to the lowest index.
// offsets is (2, h, w) C-contiguous (dy plane, then dx plane); centers (k, 2) as (y, x).
// Streams over the centers per pixel: no k x h x w array.
template <class T>
void group_pixels(const std::int64_t* centers, std::size_t k, const T* offsets, std::uint64_t h, std::uint64_t w,
                  std::int32_t* ids);

// Panoptic-DeepLab's merge: out (n values) = class * label_divisor + per-class instance number
// on thing pixels (ins > 0 and thing[p]), the class being the majority semantic label of the
// instance's thing pixels (ties: the smallest), numbered 1, 2, ... per class in ascending ins
// order; stuff classes (not in thing_ids) whose ins == 0 area is >= stuff_area get
// class * label_divisor there; void_label elsewhere. thing == nullptr: thing[p] = sem[p] in
// thing_ids. Throws std::invalid_argument for negative ins, std::overflow_error when an id
// does not fit int64.
void merge_semantic_and_instance(const std::int64_t* sem, const std::int64_t* ins, const std::uint8_t* thing,
                                 std::uint64_t n, std::int64_t label_divisor, const std::int64_t* thing_ids,
                                 std::size_t n_thing_ids, double stuff_area, std::int64_t void_label,
                                 std::int64_t* out);

// Mask2Former's panoptic_inference (panoptic_merge_maskformer.cpp).

// The float32 sigmoid the merge uses: 1 / (1 + exp(-x)) evaluated in double, rounded once.
float sigmoid32(float x);

// The listed segments, in id order: id (1, 2, ...), isthing, category.
struct MaskSegments {
    std::vector<std::int32_t> id;
    std::vector<std::uint8_t> isthing;
    std::vector<std::int64_t> category;
};

// Mask-classification merge of k kept queries. logits holds the queries' (h, w) mask logits,
// plane q at logits + q * plane_stride (C-contiguous planes); query i of the merge is plane
// queries[i] with score scores[i], class classes[i] and isthing[i]. Each pixel goes to the
// first i maximising float32 scores[i] * sigmoid32(logit) (streamed over i per row tile: no
// k x h x w probabilities); then, in i order, query i keeps its pixels whose probability is
// >= 0.5 when it has such pixels, its argmax area over its >= 0.5 area is not below
// overlap_threshold, and, for stuff, no earlier kept stuff query of its class took the id (a
// later one paints with that id and lists nothing). out (h * w int32) gets the ids 1, 2, ...
// Throws std::invalid_argument for a NaN logit or a query index out of range (n_planes).
MaskSegments mask_classification_merge(const float* logits, std::uint64_t n_planes, std::uint64_t plane_stride,
                                  const std::uint64_t* queries,
                                  const float* scores, const std::int64_t* classes, const std::uint8_t* isthing,
                                  std::size_t k, std::uint64_t h, std::uint64_t w, double overlap_threshold,
                                  std::int32_t* out);

// ---- evaluation ----------------------------------------------------------------------------

// One segment-id map, read a row at a time. `ids32`: uint32 ids (rows `row_stride` bytes
// apart, pixels contiguous). `rgb8`: 8-bit colours of `channels` (3 or 4; alpha ignored) bytes per
// pixel, id = R + 256 G + 65536 B. `png_scanlines`: the inflated IDAT stream of a
// non-interlaced 8-bit RGB/RGBA PNG, one filter byte then width * channels bytes per row.
struct IdImage {
    enum class Kind { ids32, rgb8, png_scanlines };
    Kind kind = Kind::ids32;
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;  // bytes readable from data (checked against the shape)
    std::size_t height = 0, width = 0;
    std::ptrdiff_t row_stride = 0;  // ids32 and rgb8; png_scanlines rows are packed
    unsigned channels = 0;          // rgb8 and png_scanlines
};

// How often each (ground-truth id, predicted id) pair occurs: keys = gt << 24 | pred, ascending
// (panopticapi's np.unique order of gt * 2^24 + pred), one count per key.
struct PairHistogram {
    std::vector<std::uint64_t> keys;
    std::vector<std::uint64_t> counts;
};

// Throws std::invalid_argument for different shapes, a bad PNG filter byte, an ids32 id of 2^24
// or more (it would alias another pair), or a buffer shorter than its shape.
PairHistogram pair_histogram(const IdImage& gt, const IdImage& pred);

// The segments_info of one image, as panopticapi's dict {id: segment} holds them (first
// occurrence's position, last occurrence's values): `category` is the dense index of the
// category in the evaluated category list, or -1 for a category it does not list.
struct SegmentTable {
    const std::int64_t* ids = nullptr;
    const std::int32_t* category = nullptr;
    const std::uint8_t* crowd = nullptr;  // ground truth only: iscrowd == 1
    const double* area = nullptr;         // ground truth only: the JSON area
    std::size_t n = 0;
};

enum class MatchError {
    none,
    png_id_not_listed,      // a predicted PNG id (not 0) missing from segments_info
    unknown_category,       // a predicted segment whose category is not evaluated
    listed_id_not_in_png,   // predicted segments_info ids without pixels
};

// The PQ counts of one image. tp_category/tp_iou: the matches in pair order (the order
// panopticapi adds their IoUs); fp_category/fn_category: one entry per false positive/negative.
struct ImageMatch {
    std::vector<std::int32_t> tp_category;
    std::vector<double> tp_iou;
    std::vector<std::int32_t> fp_category;
    std::vector<std::int32_t> fn_category;
    MatchError error = MatchError::none;
    std::int64_t error_id = 0;               // the offending id (png_id_not_listed, unknown_category)
    std::vector<std::int64_t> missing_ids;   // listed_id_not_in_png, in table order
    std::size_t area_mismatches = 0;         // corrected mode: JSON areas that differ from the PNG's
};

// boundary-iou-api's boundary map for Boundary PQ: `out` (h x w) starts as a copy of `ids`;
// for each of the n listed segment ids in order, the pixels of `out` equal to it are painted
// with `inner` and their boundary (mask_boundaries at radius d) with the id again, whose pixel
// count goes to areas[k]. Ids outside 0..2^32 - 1 have no pixels.
void boundary_map(const std::uint32_t* ids, std::size_t h, std::size_t w, const std::int64_t* segments,
                  std::size_t n, std::uint32_t inner, std::uint64_t d, std::uint32_t* out, std::uint64_t* areas);

// Boundary PQ (Cheng et al. 2021, boundary-iou-api's panoptic evaluation): the pair histogram
// of the two boundary maps (each segment's boundary pixels keep its id) and the boundary area of
// each table row. A pair then matches on, and adds, min(mask IoU, boundary IoU), where boundary
// IoU = n / (pred area + gt area - n - pred boundary pixels on VOID), from these counts.
struct BoundaryTerms {
    const PairHistogram* pairs = nullptr;
    const std::uint64_t* gt_area = nullptr;    // gt.n values
    const std::uint64_t* pred_area = nullptr;  // pred.n values
};

// panopticapi's pq_compute_single_core for one image. `corrected` = false reproduces it exactly
// (ground-truth areas from the JSON, the last crowd segment of a category excuses false
// positives); true takes ground-truth areas from the PNG and lets every crowd segment excuse.
// With `boundary`, pairs match as boundary-iou-api's Boundary PQ matches them.
ImageMatch match_segments(const PairHistogram& pairs, const SegmentTable& gt, const SegmentTable& pred,
                          bool corrected, const BoundaryTerms* boundary = nullptr);

}  // namespace maskkit::panoptic
