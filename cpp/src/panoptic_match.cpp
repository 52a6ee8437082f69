// Panoptic quality counts of one image from its pair histogram: panopticapi's
// pq_compute_single_core, step for step, so that its sums come out bit for bit.
//
// 1. Predicted areas come from the PNG (the histogram summed over ground truth). In ascending
//    id order, a PNG id that segments_info does not list is an error unless it is VOID (0), and
//    so is a listed segment of a category that is not evaluated; afterwards, listed ids without
//    pixels are an error. (A listed id 0 is a real segment, as in panopticapi.)
// 2. Pairs in ascending gt << 24 | pred order (panopticapi's np.unique order) whose ids are both
//    listed, whose ground truth is not crowd and whose categories agree are matched when
//    IoU = n / (pred area + gt area - n - pred pixels on VOID) > 0.5. The ground-truth area is the
//    JSON's in strict mode (a wrong JSON area gives IoUs above 1, as in panopticapi) and the
//    PNG's in corrected mode. IoU > 0.5 makes matches unique, so the order only decides the
//    order of the IoU sum.
// 3. Unmatched ground truth in table order: crowd segments are remembered per category (strict:
//    the last one; corrected: all), the rest are false negatives.
// 4. Unmatched predictions in table order are false positives unless more than half of their
//    pixels lie on VOID or on the crowd region of their category.
// Boundary PQ changes step 2 only: the IoU of a pair is min(mask IoU, boundary IoU), both for
// the threshold and for the sum; false negatives and positives still use the masks.
#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "maskkit/panoptic.hpp"

namespace maskkit::panoptic {
namespace {

constexpr std::int64_t kVoid = 0;

std::int64_t gt_of(std::uint64_t key) { return static_cast<std::int64_t>(key >> 24); }
std::int64_t pred_of(std::uint64_t key) { return static_cast<std::int64_t>(key & 0xFFFFFFu); }

// Table row of each listed id (the tables are dicts already: ids are distinct).
std::unordered_map<std::int64_t, std::size_t> rows_by_id(const SegmentTable& table) {
    std::unordered_map<std::int64_t, std::size_t> rows;
    rows.reserve(table.n * 2);
    for (std::size_t i = 0; i < table.n; ++i) rows.emplace(table.ids[i], i);
    return rows;
}

// The count of pair (g, p), 0 when it does not occur.
std::uint64_t count_of(const PairHistogram& pairs, std::int64_t g, std::int64_t p) {
    if (g < 0 || g >= (std::int64_t{1} << 24) || p < 0 || p >= (std::int64_t{1} << 24)) return 0;
    const std::uint64_t key = static_cast<std::uint64_t>(g) << 24 | static_cast<std::uint64_t>(p);
    const auto it = std::lower_bound(pairs.keys.begin(), pairs.keys.end(), key);
    return it != pairs.keys.end() && *it == key ? pairs.counts[static_cast<std::size_t>(it - pairs.keys.begin())] : 0;
}

// boundary-iou-api's boundary IoU of table rows gi and pi, in its integer arithmetic (a union of
// 0 gives NaN or infinity, as its NumPy division does).
double boundary_iou(const BoundaryTerms& b, const SegmentTable& gt, std::size_t gi, const SegmentTable& pred,
                    std::size_t pi) {
    const std::uint64_t n = count_of(*b.pairs, gt.ids[gi], pred.ids[pi]);
    const auto united = static_cast<std::int64_t>(b.pred_area[pi] + b.gt_area[gi] - n) -
                        static_cast<std::int64_t>(count_of(*b.pairs, kVoid, pred.ids[pi]));
    return static_cast<double>(n) / static_cast<double>(united);
}

}  // namespace

ImageMatch match_segments(const PairHistogram& pairs, const SegmentTable& gt, const SegmentTable& pred, bool corrected,
                          const BoundaryTerms* boundary) {
    ImageMatch out;
    const auto gt_rows = rows_by_id(gt);
    const auto pred_rows = rows_by_id(pred);
    if (gt_rows.size() != gt.n || pred_rows.size() != pred.n)
        throw std::invalid_argument("segment tables must list each id once");

    // Step 1: areas, in ascending predicted id.
    std::vector<std::uint64_t> pred_area(pred.n, 0), gt_area(gt.n, 0), pred_on_void(pred.n, 0);
    std::unordered_map<std::int64_t, std::uint64_t> png_pred_area;
    for (std::size_t k = 0; k < pairs.keys.size(); ++k) {
        png_pred_area[pred_of(pairs.keys[k])] += pairs.counts[k];
        const auto g = gt_rows.find(gt_of(pairs.keys[k]));
        if (g != gt_rows.end()) gt_area[g->second] += pairs.counts[k];
        if (gt_of(pairs.keys[k]) == kVoid) {
            const auto p = pred_rows.find(pred_of(pairs.keys[k]));
            if (p != pred_rows.end()) pred_on_void[p->second] = pairs.counts[k];
        }
    }
    std::vector<std::int64_t> png_ids;
    png_ids.reserve(png_pred_area.size());
    for (const auto& entry : png_pred_area) png_ids.push_back(entry.first);
    std::sort(png_ids.begin(), png_ids.end());
    std::vector<bool> in_png(pred.n, false);
    for (std::int64_t id : png_ids) {
        const auto p = pred_rows.find(id);
        if (p == pred_rows.end()) {
            if (id == kVoid) continue;
            out.error = MatchError::png_id_not_listed;
            out.error_id = id;
            return out;
        }
        pred_area[p->second] = png_pred_area[id];
        in_png[p->second] = true;
        if (pred.category[p->second] < 0) {
            out.error = MatchError::unknown_category;
            out.error_id = id;
            return out;
        }
    }
    for (std::size_t i = 0; i < pred.n; ++i)
        if (!in_png[i]) out.missing_ids.push_back(pred.ids[i]);
    if (!out.missing_ids.empty()) {
        out.error = MatchError::listed_id_not_in_png;
        return out;
    }
    if (corrected)
        for (std::size_t i = 0; i < gt.n; ++i)
            if (static_cast<double>(gt_area[i]) != gt.area[i]) ++out.area_mismatches;

    // Step 2: matches in pair order.
    std::vector<bool> gt_matched(gt.n, false), pred_matched(pred.n, false);
    for (std::size_t k = 0; k < pairs.keys.size(); ++k) {
        const auto g = gt_rows.find(gt_of(pairs.keys[k]));
        const auto p = pred_rows.find(pred_of(pairs.keys[k]));
        if (g == gt_rows.end() || p == pred_rows.end()) continue;
        const std::size_t gi = g->second, pi = p->second;
        if (gt.crowd[gi] || gt.category[gi] != pred.category[pi]) continue;
        const double n = static_cast<double>(pairs.counts[k]);
        const double gt_size = corrected ? static_cast<double>(gt_area[gi]) : gt.area[gi];
        const double united = static_cast<double>(pred_area[pi]) + gt_size - n - static_cast<double>(pred_on_void[pi]);
        double iou = n / united;
        if (boundary) iou = std::min(iou, boundary_iou(*boundary, gt, gi, pred, pi));
        if (iou > 0.5) {
            out.tp_category.push_back(gt.category[gi]);
            out.tp_iou.push_back(iou);
            gt_matched[gi] = true;
            pred_matched[pi] = true;
        }
    }

    // Step 3: false negatives; crowd regions per category.
    std::unordered_map<std::int32_t, std::vector<std::int64_t>> crowd_of;
    for (std::size_t i = 0; i < gt.n; ++i) {
        if (gt_matched[i]) continue;
        if (gt.crowd[i]) {
            auto& ids = crowd_of[gt.category[i]];
            if (!corrected) ids.clear();
            ids.push_back(gt.ids[i]);
            continue;
        }
        if (gt.category[i] >= 0) out.fn_category.push_back(gt.category[i]);
    }

    // Step 4: false positives.
    for (std::size_t i = 0; i < pred.n; ++i) {
        if (pred_matched[i]) continue;
        std::uint64_t ignored = count_of(pairs, kVoid, pred.ids[i]);
        const auto crowd = crowd_of.find(pred.category[i]);
        if (crowd != crowd_of.end())
            for (std::int64_t g : crowd->second) ignored += count_of(pairs, g, pred.ids[i]);
        if (static_cast<double>(ignored) / static_cast<double>(pred_area[i]) > 0.5) continue;
        out.fp_category.push_back(pred.category[i]);
    }
    return out;
}

}  // namespace maskkit::panoptic
