// Mask2Former / MaskFormer panoptic_inference: per-pixel argmax of score * sigmoid(mask logit)
// over the kept queries, then the query-order filter of segments.
//
// The sigmoid is evaluated in double and rounded once to float32 (sigmoid32), so its value does
// not depend on a float32 exp's last-ulp behaviour; the product with the score is one float32
// multiply, as in torch. Two facts keep the pass cheap without changing any answer:
//  * sigmoid32 is monotone, so "probability >= 0.5" is "logit >= t", t being the smallest float
//    with sigmoid32(t) >= 0.5 (found once by bisection over the floats);
//  * log(score * sigmoid(x)) is log(score) + min(0, x) - log(1 + e^-|x|): at most
//    log(score) + min(0, x), at least that less a step bound of log(1 + e^-|x|). A first pass
//    over the queries takes, per pixel, the largest lower bound: the winner's product is at
//    least that. A query whose upper bound is below it (less a slack for float rounding) is
//    beaten by some other query and cannot win, so the second pass counts the rest, keeping the
//    first and the last; a pixel with one left is that query's, one with two compares their
//    two exact products, and only where three or more are left does a third pass compute them
//    all, in query order with ties to the earlier query as torch.argmax does.
// Pixels are handled in row tiles, the queries streamed over each tile: the Q x H x W
// probability tensor of the PyTorch code never exists. The two streaming passes are SIMD
// kernels (kernels/panoptic_*.cpp); every target computes the same floats. Each pixel's winner
// and whether its probability is >= 0.5 are kept in `out` until the segment ids are known.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "kernels/panoptic_kernels.hpp"
#include "maskkit/panoptic.hpp"

namespace maskkit::panoptic {
namespace {

float negative_of_bits(std::uint32_t magnitude) {
    float f;
    std::memcpy(&f, &magnitude, 4);
    return -f;
}

// The smallest float t with sigmoid32(t) >= 0.5: sigmoid32(0) is 0.5, and the rounding makes it
// hold a little below 0 too. Positive floats are ordered like their bit patterns, so the
// bisection runs over the magnitude bits of -t, between 0 (holds) and 1.0f (does not).
float half_threshold() {
    std::uint32_t holds = 0, fails = 0x3f800000u;
    while (fails - holds > 1) {
        const std::uint32_t mid = holds + (fails - holds) / 2;
        if (sigmoid32(negative_of_bits(mid)) >= 0.5f)
            holds = mid;
        else
            fails = mid;
    }
    return negative_of_bits(holds);
}

// Room for float rounding in the bounds (and the rounding of sigmoid32 and of the product).
inline float bound_slack(float floor) { return 1e-4f + 1e-5f * std::fabs(floor); }

}  // namespace

float sigmoid32(float x) { return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x)))); }

MaskSegments mask_classification_merge(const float* logits, std::uint64_t n_planes, std::uint64_t plane_stride,
                                  const std::uint64_t* queries, const float* scores, const std::int64_t* classes,
                                  const std::uint8_t* isthing, std::size_t k, std::uint64_t h, std::uint64_t w,
                                  double overlap_threshold, std::int32_t* out) {
    for (std::size_t i = 0; i < k; ++i)
        if (queries[i] >= n_planes)
            throw std::invalid_argument("query " + std::to_string(queries[i]) + " out of range (" +
                                        std::to_string(n_planes) + " queries)");
    if (k > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw std::overflow_error("at most 2**31 - 1 kept queries, got " + std::to_string(k));
    static const float half = half_threshold();
    std::vector<float> log_score(k);
    for (std::size_t i = 0; i < k; ++i) log_score[i] = static_cast<float>(std::log(static_cast<double>(scores[i])));
    std::vector<std::uint64_t> argmax_area(k), half_area(k), kept_area(k);
    const kernels::PanopticKernels& kernel = kernels::panoptic_kernels();
    constexpr std::uint64_t tile = 256;
    float floor_of[tile];
    std::int32_t count[tile], first[tile], winner[tile];
    std::uint64_t nans = 0;
    for (std::uint64_t y = 0; y < h; ++y)
        for (std::uint64_t x0 = 0; x0 < w; x0 += tile) {
            const std::uint64_t m = std::min(tile, w - x0), base = y * w + x0;
            // pass 1: the best lower bound of log(score * sigmoid) at each pixel, and the >= 0.5 counts
            for (std::uint64_t j = 0; j < m; ++j) floor_of[j] = -std::numeric_limits<float>::infinity();
            for (std::size_t i = 0; i < k; ++i)
                kernel.mf_bounds(logits + queries[i] * plane_stride + base, m, log_score[i], half, floor_of,
                                 &half_area[i], &nans);
            for (std::uint64_t j = 0; j < m; ++j) {
                floor_of[j] = floor_of[j] - bound_slack(floor_of[j]);
                count[j] = 0;
                first[j] = 0;
                winner[j] = 0;
            }
            // pass 2: the queries whose upper bound reaches the floor (the first and the last of
            // them kept); a pixel with one such query is that query's without computing any product
            for (std::size_t i = 0; i < k; ++i)
                kernel.mf_candidates(logits + queries[i] * plane_stride + base, m, log_score[i], floor_of,
                                     static_cast<std::int32_t>(i), count, first, winner);
            // pass 3: exact products, in query order with ties to the earlier query (torch.argmax),
            // where two or more queries may win
            for (std::uint64_t j = 0; j < m; ++j) {
                if (count[j] < 2) continue;
                if (count[j] == 2) {
                    const auto a = static_cast<std::size_t>(first[j]), b = static_cast<std::size_t>(winner[j]);
                    const float pa = scores[a] * sigmoid32(logits[queries[a] * plane_stride + base + j]);
                    const float pb = scores[b] * sigmoid32(logits[queries[b] * plane_stride + base + j]);
                    winner[j] = pb > pa ? winner[j] : first[j];
                    continue;
                }
                float best = 0.0f;
                std::int32_t chosen = -1;
                for (std::size_t i = 0; i < k; ++i) {
                    const float v = logits[queries[i] * plane_stride + base + j];
                    if (!(log_score[i] + (v < 0.0f ? v : 0.0f) >= floor_of[j])) continue;
                    const float product = scores[i] * sigmoid32(v);
                    if (chosen < 0 || product > best) {
                        best = product;
                        chosen = static_cast<std::int32_t>(i);
                    }
                }
                winner[j] = chosen;
            }
            for (std::uint64_t j = 0; j < m; ++j) {
                const std::int32_t i = winner[j] < 0 ? 0 : winner[j];  // only NaN leaves none, and it raises below
                const bool confident = logits[queries[i] * plane_stride + base + j] >= half;
                ++argmax_area[i];
                kept_area[i] += confident;
                out[base + j] = confident ? i : -1;
            }
        }
    if (nans != 0) throw std::invalid_argument("mask logits of the kept queries contain NaN");
    std::vector<std::int32_t> id_of(k, 0);
    MaskSegments segments;
    std::unordered_map<std::int64_t, std::int32_t> stuff_ids;
    std::int32_t next = 0;
    for (std::size_t i = 0; i < k; ++i) {
        if (argmax_area[i] == 0 || half_area[i] == 0 || kept_area[i] == 0) continue;
        if (static_cast<double>(argmax_area[i]) / static_cast<double>(half_area[i]) < overlap_threshold) continue;
        if (!isthing[i]) {
            const auto found = stuff_ids.find(classes[i]);
            if (found != stuff_ids.end()) {
                id_of[i] = found->second;
                continue;
            }
            stuff_ids.emplace(classes[i], next + 1);
        }
        id_of[i] = ++next;
        segments.id.push_back(next);
        segments.isthing.push_back(isthing[i] != 0);
        segments.category.push_back(classes[i]);
    }
    for (std::uint64_t p = 0; p < h * w; ++p) out[p] = out[p] < 0 ? 0 : id_of[static_cast<std::size_t>(out[p])];
    return segments;
}

}  // namespace maskkit::panoptic
