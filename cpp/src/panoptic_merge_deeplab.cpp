// Panoptic-DeepLab post-processing: center finding, pixel grouping, semantic + instance merge.
//
// Centers: the heatmap is thresholded (scores not above it become -1, as F.threshold does), and
// a score survives non-maximum suppression when it equals the maximum of its k x k window (the
// window clipped at the border, which is max_pool2d's -inf padding). The max filter is
// separable and computed with the van Herk / Gil-Werman block scheme: per line, running maxima
// forward and backward inside blocks of k values, so every output is the max of two of them,
// O(1) per pixel for any k. The top-k cutoff is the k-th largest positive survivor
// (nth_element over the survivors only).
//
// Grouping: each pixel votes for (y + dy, x + dx) and takes the nearest center, distances in
// the offsets' precision as sqrt(ddy^2 + ddx^2) (the sqrt is kept: two different squared
// distances can round to one distance, and then, as in torch.argmin, the lower index wins).
// Pixels are handled in tiles of one row segment, the centers streamed over each tile, so the
// k x h x w distance tensor of the PyTorch code never exists and the loop over a tile
// vectorizes.
//
// Merge: one pass gives each (instance, semantic label) pair its count among thing pixels and
// each label its stuff area (pixels without an instance); the instance ids are visited in
// ascending order, each takes its majority label (ties: the smallest label, as torch.mode on
// the CPU) and the next number of that class; a second pass writes the ids.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "maskkit/panoptic.hpp"

namespace maskkit::panoptic {
namespace {

// out[i] = max(in[i - r .. i + r] clipped to 0 .. n - 1) for lines of n values `step` apart.
// forward/backward are scratch of n + 2r values.
void window_max(const float* in, float* out, std::uint64_t n, std::int64_t step, std::uint64_t r,
                std::vector<float>& forward, std::vector<float>& backward) {
    const std::uint64_t k = 2 * r + 1, padded = n + 2 * r;
    const float low = -std::numeric_limits<float>::infinity();
    auto value = [&](std::uint64_t j) {  // j indexes the padded line
        return j < r || j >= r + n ? low : in[static_cast<std::int64_t>(j - r) * step];
    };
    for (std::uint64_t j = 0; j < padded; ++j)
        forward[j] = j % k == 0 ? value(j) : std::max(forward[j - 1], value(j));
    for (std::uint64_t j = padded; j-- > 0;)
        backward[j] = (j + 1) % k == 0 || j + 1 == padded ? value(j) : std::max(backward[j + 1], value(j));
    for (std::uint64_t i = 0; i < n; ++i)  // window [i, i + 2r] of the padded line
        out[static_cast<std::int64_t>(i) * step] = std::max(backward[i], forward[i + 2 * r]);
}

// Dense indices of the distinct values of a stream, remembering the last value (maps come in runs).
class Indexer {
public:
    std::uint32_t operator()(std::int64_t v) {
        if (has_last_ && v == last_) return last_index_;
        auto [it, added] = index_.emplace(v, static_cast<std::uint32_t>(values_.size()));
        if (added) values_.push_back(v);
        has_last_ = true;
        last_ = v;
        last_index_ = it->second;
        return it->second;
    }
    const std::vector<std::int64_t>& values() const { return values_; }

private:
    std::unordered_map<std::int64_t, std::uint32_t> index_;
    std::vector<std::int64_t> values_;
    bool has_last_ = false;
    std::int64_t last_ = 0;
    std::uint32_t last_index_ = 0;
};

std::int64_t panoptic_id(std::int64_t label, std::int64_t divisor, std::int64_t instance) {
    std::int64_t id = 0;
    if (__builtin_mul_overflow(label, divisor, &id) || __builtin_add_overflow(id, instance, &id))
        throw std::overflow_error("panoptic id " + std::to_string(label) + " * " + std::to_string(divisor) + " + " +
                                  std::to_string(instance) + " does not fit int64");
    return id;
}

}  // namespace

std::vector<std::int64_t> find_instance_centers(const float* heatmap, std::uint64_t h, std::uint64_t w,
                                                float threshold, std::uint64_t kernel, std::uint64_t top_k,
                                                TopKRule rule) {
    if (kernel % 2 == 0)
        throw std::invalid_argument("nms_kernel must be odd (max_pool2d with padding (k - 1) // 2 keeps the size), got " +
                                    std::to_string(kernel));
    const std::uint64_t n = h * w;
    if (rule == TopKRule::Detectron2 && top_k > n)
        throw std::invalid_argument("top_k must be at most the number of pixels " + std::to_string(n) +
                                    " (torch.topk's rule), got " + std::to_string(top_k));
    if (n == 0) return {};
    std::vector<float> scores(n), across(n), pooled(n);
    for (std::uint64_t p = 0; p < n; ++p) {
        if (std::isnan(heatmap[p])) throw std::invalid_argument("center heatmap has NaN at pixel " + std::to_string(p));
        scores[p] = heatmap[p] > threshold ? heatmap[p] : -1.0f;
    }
    const std::uint64_t r = (kernel - 1) / 2;
    std::vector<float> forward(std::max(h, w) + 2 * r), backward(std::max(h, w) + 2 * r);
    for (std::uint64_t y = 0; y < h; ++y)
        window_max(scores.data() + y * w, across.data() + y * w, w, 1, r, forward, backward);
    for (std::uint64_t x = 0; x < w; ++x)
        window_max(across.data() + x, pooled.data() + x, h, static_cast<std::int64_t>(w), r, forward, backward);
    std::vector<float> positive;
    for (std::uint64_t p = 0; p < n; ++p) {
        if (scores[p] != pooled[p]) scores[p] = -1.0f;
        if (scores[p] > 0.0f) positive.push_back(scores[p]);
    }
    float cutoff = 0.0f;
    if (top_k > 0 && positive.size() >= top_k) {  // else the k-th score is <= 0 (clamped to 0) or all positives stay
        std::nth_element(positive.begin(), positive.begin() + static_cast<std::ptrdiff_t>(top_k - 1), positive.end(),
                         [](float a, float b) { return a > b; });
        cutoff = positive[top_k - 1];
    }
    std::vector<std::int64_t> centers;
    for (std::uint64_t p = 0; p < n; ++p)
        if (scores[p] > cutoff) {
            centers.push_back(static_cast<std::int64_t>(p / w));
            centers.push_back(static_cast<std::int64_t>(p % w));
        }
    return centers;
}

template <class T>
void group_pixels(const std::int64_t* centers, std::size_t k, const T* offsets, std::uint64_t h, std::uint64_t w,
                  std::int32_t* ids) {
    if (k > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw std::overflow_error("at most 2**31 - 1 centers, got " + std::to_string(k));
    constexpr std::uint64_t tile = 256;
    std::vector<T> cy(k), cx(k);
    for (std::size_t c = 0; c < k; ++c) {
        cy[c] = static_cast<T>(centers[2 * c]);
        cx[c] = static_cast<T>(centers[2 * c + 1]);
    }
    T ly[tile], lx[tile], best[tile];
    std::int32_t nearest[tile];
    const T* dy = offsets;
    const T* dx = offsets + h * w;
    for (std::uint64_t y = 0; y < h; ++y)
        for (std::uint64_t x0 = 0; x0 < w; x0 += tile) {
            const std::uint64_t m = std::min(tile, w - x0), base = y * w + x0;
            for (std::uint64_t i = 0; i < m; ++i) {
                ly[i] = static_cast<T>(y) + dy[base + i];
                lx[i] = static_cast<T>(x0 + i) + dx[base + i];
                best[i] = std::numeric_limits<T>::infinity();
                nearest[i] = 0;
            }
            for (std::size_t c = 0; c < k; ++c) {
                const T yc = cy[c], xc = cx[c];
                const auto index = static_cast<std::int32_t>(c);
                for (std::uint64_t i = 0; i < m; ++i) {
                    const T ddy = yc - ly[i], ddx = xc - lx[i];
                    const T d = std::sqrt(ddy * ddy + ddx * ddx);
                    const bool closer = d < best[i];  // strict: an equal distance keeps the lower index
                    best[i] = closer ? d : best[i];
                    nearest[i] = closer ? index : nearest[i];
                }
            }
            for (std::uint64_t i = 0; i < m; ++i) ids[base + i] = nearest[i] + 1;
        }
}

template void group_pixels<float>(const std::int64_t*, std::size_t, const float*, std::uint64_t, std::uint64_t,
                                   std::int32_t*);
template void group_pixels<double>(const std::int64_t*, std::size_t, const double*, std::uint64_t, std::uint64_t,
                                   std::int32_t*);

void merge_semantic_and_instance(const std::int64_t* sem, const std::int64_t* ins, const std::uint8_t* thing,
                                 std::uint64_t n, std::int64_t label_divisor, const std::int64_t* thing_ids,
                                 std::size_t n_thing_ids, double stuff_area, std::int64_t void_label,
                                 std::int64_t* out) {
    const std::unordered_set<std::int64_t> things(thing_ids, thing_ids + n_thing_ids);
    Indexer labels, instances;
    std::vector<std::uint32_t> label_of(n), instance_of(n);
    std::vector<std::uint8_t> is_thing(n);
    for (std::uint64_t p = 0; p < n; ++p) {
        if (ins[p] < 0)
            throw std::invalid_argument("instance ids must be >= 0, got " + std::to_string(ins[p]) + " at pixel " +
                                        std::to_string(p));
        label_of[p] = labels(sem[p]);
        const bool thing_pixel = thing != nullptr ? thing[p] != 0 : things.count(sem[p]) != 0;
        is_thing[p] = ins[p] > 0 && thing_pixel;
        if (is_thing[p]) instance_of[p] = instances(ins[p]);
    }
    const std::size_t n_labels = labels.values().size(), n_instances = instances.values().size();
    // votes[instance][label], dense when small enough, else hashed
    const bool dense = n_labels != 0 && n_instances <= (std::size_t{1} << 22) / n_labels;
    std::vector<std::uint64_t> votes(dense ? n_instances * n_labels : 0);
    std::unordered_map<std::uint64_t, std::uint64_t> sparse_votes;
    std::vector<std::uint64_t> stuff_area_of(n_labels);
    for (std::uint64_t p = 0; p < n; ++p) {
        if (is_thing[p]) {
            const std::uint64_t key = std::uint64_t{instance_of[p]} * n_labels + label_of[p];
            if (dense)
                ++votes[key];
            else
                ++sparse_votes[key];
        } else if (ins[p] == 0) {
            ++stuff_area_of[label_of[p]];
        }
    }
    auto vote = [&](std::uint64_t key) -> std::uint64_t {
        if (dense) return votes[key];
        const auto it = sparse_votes.find(key);
        return it == sparse_votes.end() ? 0 : it->second;
    };
    std::vector<std::uint32_t> ascending_labels(n_labels), ascending_instances(n_instances);
    for (std::uint32_t i = 0; i < n_labels; ++i) ascending_labels[i] = i;
    for (std::uint32_t i = 0; i < n_instances; ++i) ascending_instances[i] = i;
    const auto& label_values = labels.values();
    const auto& instance_values = instances.values();
    std::sort(ascending_labels.begin(), ascending_labels.end(),
              [&](std::uint32_t a, std::uint32_t b) { return label_values[a] < label_values[b]; });
    std::sort(ascending_instances.begin(), ascending_instances.end(),
              [&](std::uint32_t a, std::uint32_t b) { return instance_values[a] < instance_values[b]; });
    std::vector<std::int64_t> thing_value(n_instances);
    std::unordered_map<std::int64_t, std::int64_t> per_class;
    for (std::uint32_t i : ascending_instances) {
        std::uint64_t most = 0;
        std::int64_t winner = 0;
        for (std::uint32_t l : ascending_labels) {  // ascending: the first maximum is the smallest label
            const std::uint64_t count = vote(std::uint64_t{i} * n_labels + l);
            if (count > most) {
                most = count;
                winner = label_values[l];
            }
        }
        thing_value[i] = panoptic_id(winner, label_divisor, ++per_class[winner]);
    }
    std::vector<std::uint8_t> stuff_kept(n_labels);
    std::vector<std::int64_t> stuff_value(n_labels);
    for (std::uint32_t l = 0; l < n_labels; ++l) {
        const std::int64_t c = label_values[l];
        stuff_kept[l] = things.count(c) == 0 && static_cast<double>(stuff_area_of[l]) >= stuff_area;
        if (stuff_kept[l]) stuff_value[l] = panoptic_id(c, label_divisor, 0);
    }
    for (std::uint64_t p = 0; p < n; ++p) {
        if (is_thing[p])
            out[p] = thing_value[instance_of[p]];
        else if (ins[p] == 0 && stuff_kept[label_of[p]])
            out[p] = stuff_value[label_of[p]];
        else
            out[p] = void_label;
    }
}

}  // namespace maskkit::panoptic
