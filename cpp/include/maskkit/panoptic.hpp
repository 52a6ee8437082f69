// maskkit panoptic core: id maps, merges and PQ statistics over pointers and shapes. Python-free;
// errors are std exceptions. Sections: formats, merges, evaluation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace maskkit::panoptic {

// ---- formats -------------------------------------------------------------------------------

// ---- merges --------------------------------------------------------------------------------

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

// panopticapi's pq_compute_single_core for one image. `corrected` = false reproduces it exactly
// (ground-truth areas from the JSON, the last crowd segment of a category excuses false
// positives); true takes ground-truth areas from the PNG and lets every crowd segment excuse.
ImageMatch match_segments(const PairHistogram& pairs, const SegmentTable& gt, const SegmentTable& pred,
                          bool corrected);

}  // namespace maskkit::panoptic
