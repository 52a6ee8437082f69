// First-wins layer painting: the engine under every score- or order-driven panoptic merge.
//
// Layers arrive top first. Each one is cut into runs that lie inside one line of the map (a row
// in row-major space, a column in column-major space, the order COCO RLEs count in). For a layer
// the engine counts, run by run, the pixels still free (in a bitmap of taken pixels, 64 per
// word, beside the 32-bit map): that is its visible area,
// and |mask| - visible is its occluded area. The layer's rule then decides (min_area, the
// occluded fraction against max_occluded, min_visible) and, if it is kept, the free pixels of
// each run are written with the layer's segment number. Nothing else is read or written, so a
// merge costs O(sum of mask sizes + runs), not O(layers x pixels), and only the current layer's
// runs are held. Boxes come from the runs too: a run that was entirely free contributes its two
// ends, a partly free one its first and last free pixel, all on one line.
//
// Fused layers (same fuse_group) write the number of the group's first kept segment, which then
// sums their areas and boxes. Segment numbers are 1-based in the painting (0 stays VOID);
// write_segment_ids maps them to the caller's ids and, for column-major paintings, transposes in
// cache-sized tiles.
#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "kernels/panoptic_kernels.hpp"
#include "maskkit/panoptic.hpp"

namespace maskkit::panoptic {
namespace {

struct Run {
    std::uint64_t line, first, length;  // pixels first .. first + length - 1 of one line
};

struct Space {
    std::uint64_t lines, line_length;
};

// First x in [from, n) with (p[x] != 0) == Nonzero, else n, over contiguous bytes: eight at a
// time while a word is all zero (or, for Nonzero = false, has no zero byte).
template <bool Nonzero>
std::uint64_t find_contiguous(const std::uint8_t* p, std::uint64_t from, std::uint64_t n) {
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    std::uint64_t x = from;
    while (x + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, p + x, 8);
        const bool any_zero_byte = ((word - ones) & ~word & highs) != 0;
        if (Nonzero ? word != 0 : any_zero_byte) break;
        x += 8;
    }
    while (x < n && (p[x] != 0) != Nonzero) ++x;
    return x;
}

// Runs of nonzero bytes of mask i, line by line (rows in row-major, columns in column-major space).
void mask_runs(const MaskStackView& masks, std::uint64_t i, const Space& space, bool column_major,
               std::vector<Run>& runs) {
    const std::uint8_t* base = masks.data + static_cast<std::int64_t>(i) * masks.stride_n;
    const std::int64_t line_stride = column_major ? masks.stride_w : masks.stride_h;
    const std::int64_t step = column_major ? masks.stride_h : masks.stride_w;
    for (std::uint64_t line = 0; line < space.lines; ++line) {
        const std::uint8_t* p = base + static_cast<std::int64_t>(line) * line_stride;
        std::uint64_t x = 0;
        if (step == 1) {  // the common layout: runs found a word at a time
            while (x < space.line_length) {
                const std::uint64_t start = find_contiguous<true>(p, x, space.line_length);
                x = find_contiguous<false>(p, start, space.line_length);
                if (x > start) runs.push_back({line, start, x - start});
            }
            continue;
        }
        while (x < space.line_length) {
            while (x < space.line_length && p[static_cast<std::int64_t>(x) * step] == 0) ++x;
            const std::uint64_t start = x;
            while (x < space.line_length && p[static_cast<std::int64_t>(x) * step] != 0) ++x;
            if (x > start) runs.push_back({line, start, x - start});
        }
    }
}

// Foreground runs of a COCO RLE (column-major: its lines are the h-pixel columns). The position
// is carried as (line, first) and advanced without a division unless a count crosses lines.
void rle_runs(const RleView& rle, std::uint64_t index, const Space& space, std::vector<Run>& runs) {
    const std::uint64_t total = space.lines * space.line_length, length_of_line = space.line_length;
    std::uint64_t position = 0, line = 0, first = 0;
    for (std::size_t k = 0; k < rle.m; ++k) {
        const std::uint64_t count = rle.counts[k];
        if (count > total - position)
            throw std::invalid_argument("RLE " + std::to_string(index) + " counts sum past h * w = " +
                                        std::to_string(total));
        if (count == 0) continue;  // also all of a 0-pixel image's counts: no line to divide by
        if (k % 2 == 1) {
            std::uint64_t left = count;
            while (left > 0) {
                const std::uint64_t length = std::min(left, length_of_line - first);
                runs.push_back({line, first, length});
                left -= length;
                first += length;
                if (first == length_of_line) {
                    first = 0;
                    ++line;
                }
            }
        } else if (count < length_of_line - first) {
            first += count;
        } else {
            const std::uint64_t to = first + count;
            line += to / length_of_line;
            first = to % length_of_line;
        }
        position += count;
    }
}

// Runs of each label value (ascending), in one pass over a C-contiguous row-major label map.
std::map<std::int64_t, std::vector<Run>> label_runs(const LabelLayers& labels, const Space& space,
                                                    bool column_major) {
    std::map<std::int64_t, std::vector<Run>> runs;
    const std::uint64_t width = column_major ? space.lines : space.line_length;
    auto at = [&](std::uint64_t line, std::uint64_t x) {
        return column_major ? labels.data[x * width + line] : labels.data[line * width + x];
    };
    for (std::uint64_t line = 0; line < space.lines; ++line) {
        std::uint64_t x = 0;
        while (x < space.line_length) {
            const std::int64_t value = at(line, x);
            const std::uint64_t start = x;
            while (x < space.line_length && at(line, x) == value) ++x;
            runs[value].push_back({line, start, x - start});
        }
    }
    for (std::size_t k = 0; k < labels.n_skip; ++k) runs.erase(labels.skip[k]);
    return runs;
}

// The painter's record of taken pixels: one bit per pixel of the line space, so that counting
// a run's free pixels reads 64 of them per word from a map that stays in cache (38 KB for
// 480 x 640) instead of the 32-bit painting.
class TakenBits {
public:
    explicit TakenBits(std::uint64_t pixels) : words_(pixels / 64 + 1, 0) {}

    std::uint64_t count(std::uint64_t begin, std::uint64_t n) const {
        std::uint64_t total = 0;
        for_words(begin, n, [&](std::uint64_t k, std::uint64_t mask) { total += popcount(words_[k] & mask); });
        return total;
    }

    void set(std::uint64_t begin, std::uint64_t n) {
        for_words(begin, n, [&](std::uint64_t k, std::uint64_t mask) { words_[k] |= mask; });
    }

    // Calls free_range(i, length) for each stretch of pixels begin + i .. begin + i + length - 1
    // of the run that is not taken (at most one word of them per call), and takes them.
    template <typename FreeRange>
    void take_free(std::uint64_t begin, std::uint64_t n, FreeRange free_range) {
        for_words(begin, n, [&](std::uint64_t k, std::uint64_t mask) {
            const std::uint64_t free = ~words_[k] & mask;
            words_[k] |= mask;
            for_stretches(free, [&](unsigned low, unsigned length) { free_range(k * 64 + low - begin, length); });
        });
    }

    // Calls free_range(i, length) for each stretch of pixels i .. i + length - 1 of
    // [0, pixels) that no layer took (at most one word of them per call).
    template <typename FreeRange>
    void for_each_free(std::uint64_t pixels, FreeRange free_range) const {
        for (std::uint64_t k = 0; k * 64 < pixels; ++k) {
            const std::uint64_t left = pixels - k * 64;
            const std::uint64_t valid = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
            for_stretches(~words_[k] & valid, [&](unsigned low, unsigned length) { free_range(k * 64 + low, length); });
        }
    }

private:
    // Most words of a run are all free or all taken; the others take a SWAR count (the x86-64
    // baseline has no popcnt instruction, and the library call costs more than the count).
    static std::uint64_t popcount(std::uint64_t v) {
        if (v == 0) return 0;
        if (v == ~std::uint64_t{0}) return 64;
        v = v - ((v >> 1) & 0x5555555555555555ull);
        v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
        v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
        return (v * 0x0101010101010101ull) >> 56;
    }

    // Calls f(low, length) for each stretch of set bits low .. low + length - 1 of one word.
    template <typename F>
    static void for_stretches(std::uint64_t bits, F f) {
        while (bits != 0) {
            const auto low = static_cast<unsigned>(__builtin_ctzll(bits));
            const std::uint64_t above = ~(bits >> low);  // its lowest set bit ends the stretch
            const unsigned length = above == 0 ? 64 - low : static_cast<unsigned>(__builtin_ctzll(above));
            f(low, length);
            bits = low + length >= 64 ? 0 : bits & ~(((std::uint64_t{1} << length) - 1) << low);
        }
    }

    // Calls f(word, mask of the run's bits in it) for each word the run [begin, begin + n) touches.
    template <typename F>
    static void for_words(std::uint64_t begin, std::uint64_t n, F f) {
        if (n == 0) return;
        const std::uint64_t end = begin + n, first = begin / 64, last = (end - 1) / 64;
        const std::uint64_t head = ~std::uint64_t{0} << (begin % 64);
        const std::uint64_t tail = ~std::uint64_t{0} >> (63 - (end - 1) % 64);
        if (first == last) {
            f(first, head & tail);
            return;
        }
        f(first, head);
        for (std::uint64_t k = first + 1; k < last; ++k) f(k, ~std::uint64_t{0});
        f(last, tail);
    }

    std::vector<std::uint64_t> words_;
};

struct Box {
    std::uint64_t line_min = ~std::uint64_t{0}, line_max = 0, inner_min = ~std::uint64_t{0}, inner_max = 0;
    void add(std::uint64_t line, std::uint64_t first, std::uint64_t last) {
        line_min = std::min(line_min, line);
        line_max = std::max(line_max, line);
        inner_min = std::min(inner_min, first);
        inner_max = std::max(inner_max, last);
    }
};

struct Segment {
    LayerSource source;
    std::int64_t index;
    std::uint64_t area;
    Box box;
};

class Painter {
public:
    Painter(std::uint32_t* painted, const Space& space, bool column_major)
        : painted_(painted), space_(space), column_major_(column_major), taken_(space.lines * space.line_length) {}

    // Decides and, when kept, paints one layer given by its runs.
    void layer(const std::vector<Run>& runs, const LayerRule& rule, LayerSource source, std::int64_t index) {
        std::uint64_t area = 0, visible = 0;
        free_.resize(runs.size());
        for (std::size_t r = 0; r < runs.size(); ++r) {
            free_[r] = runs[r].length - taken_.count(start(runs[r]), runs[r].length);
            area += runs[r].length;
            visible += free_[r];
        }
        if (area < rule.min_area) return;
        if (area > 0 && static_cast<double>(area - visible) / static_cast<double>(area) > rule.max_occluded) return;
        if (static_cast<double>(visible) < rule.min_visible) return;
        const std::size_t k = segment_for(rule.fuse_group, source, index);
        const auto value = static_cast<std::uint32_t>(k + 1);
        Box& box = segments_[k].box;
        for (std::size_t r = 0; r < runs.size(); ++r) {
            if (free_[r] == 0) continue;
            const Run& run = runs[r];
            std::uint32_t* p = row(run);
            if (free_[r] == run.length) {
                std::fill(p, p + run.length, value);
                taken_.set(start(run), run.length);
                box.add(run.line, run.first, run.first + run.length - 1);
                continue;
            }
            std::uint64_t first = run.length, last = 0;
            taken_.take_free(start(run), run.length, [&](std::uint64_t i, std::uint64_t length) {
                std::fill(p + i, p + i + length, value);
                first = std::min(first, i);
                last = i + length - 1;
            });
            box.add(run.line, run.first + first, run.first + last);
        }
        segments_[k].area += visible;
    }

    Painting finish() {
        // the map was never read: only the pixels no layer took still need their 0
        taken_.for_each_free(space_.lines * space_.line_length,
                             [&](std::uint64_t i, std::uint64_t length) { std::fill(painted_ + i, painted_ + i + length, 0u); });
        Painting result;
        result.column_major = column_major_;
        for (std::size_t k = 0; k < segments_.size(); ++k) {
            const Segment& s = segments_[k];
            result.source.push_back(static_cast<std::uint8_t>(s.source));
            result.index.push_back(s.index);
            result.area.push_back(s.area);
            const Box& b = s.box;
            std::int64_t box[4] = {0, 0, 0, 0};
            if (s.area > 0) {
                const auto l0 = static_cast<std::int64_t>(b.line_min), l1 = static_cast<std::int64_t>(b.line_max);
                const auto i0 = static_cast<std::int64_t>(b.inner_min), i1 = static_cast<std::int64_t>(b.inner_max);
                const std::int64_t x0 = column_major_ ? l0 : i0, x1 = column_major_ ? l1 : i1;
                const std::int64_t y0 = column_major_ ? i0 : l0, y1 = column_major_ ? i1 : l1;
                box[0] = x0;
                box[1] = y0;
                box[2] = x1 - x0 + 1;
                box[3] = y1 - y0 + 1;
            }
            result.bbox.insert(result.bbox.end(), box, box + 4);
        }
        return result;
    }

private:
    std::uint64_t start(const Run& run) const { return run.line * space_.line_length + run.first; }
    std::uint32_t* row(const Run& run) const { return painted_ + start(run); }

    std::size_t segment_for(std::int64_t group, LayerSource source, std::int64_t index) {
        if (group >= 0) {
            const auto found = groups_.find(group);
            if (found != groups_.end()) return found->second;
        }
        if (segments_.size() >= 0xfffffffeu)
            throw std::length_error("a panoptic merge can make at most 2**32 - 2 segments");
        segments_.push_back({source, index, 0, Box{}});
        if (group >= 0) groups_.emplace(group, segments_.size() - 1);
        return segments_.size() - 1;
    }

    std::uint32_t* painted_;
    Space space_;
    bool column_major_;
    TakenBits taken_;
    std::vector<std::uint64_t> free_;
    std::vector<Segment> segments_;
    std::unordered_map<std::int64_t, std::size_t> groups_;
};

}  // namespace

Painting paint_layers(const LayerSources& sources, const LayerOrder& order, std::uint64_t h, std::uint64_t w,
                      bool column_major, std::uint32_t* painted) {
    const Space space = column_major ? Space{w, h} : Space{h, w};
    for (std::size_t i = 0; i < order.n; ++i) {
        const std::uint64_t index = order.index[i];
        if (order.source[i] == static_cast<std::uint8_t>(LayerSource::Rle)) {
            if (!column_major) throw std::invalid_argument("RLE layers need column-major painting");
            if (index >= sources.n_rles)
                throw std::invalid_argument("RLE layer index " + std::to_string(index) + " out of range");
            const RleView& rle = sources.rles[index];
            if (rle.h != h || rle.w != w)
                throw std::invalid_argument("RLE " + std::to_string(index) + " has size " + std::to_string(rle.h) +
                                            " x " + std::to_string(rle.w) + ", the image is " + std::to_string(h) +
                                            " x " + std::to_string(w));
        } else if (order.source[i] == static_cast<std::uint8_t>(LayerSource::Mask)) {
            if (index >= sources.masks.n)
                throw std::invalid_argument("mask layer index " + std::to_string(index) + " out of range");
        } else {
            throw std::invalid_argument("layer source must be 0 (mask) or 1 (RLE), got " +
                                        std::to_string(order.source[i]));
        }
    }
    Painter painter(painted, space, column_major);
    std::vector<Run> runs;
    for (std::size_t i = 0; i < order.n; ++i) {
        const std::uint64_t index = order.index[i];
        const auto source = static_cast<LayerSource>(order.source[i]);
        runs.clear();
        if (source == LayerSource::Rle)
            rle_runs(sources.rles[index], index, space, runs);
        else
            mask_runs(sources.masks, index, space, column_major, runs);
        const LayerRule rule{order.min_area[i], order.max_occluded[i], order.min_visible[i], order.fuse_group[i]};
        painter.layer(runs, rule, source, static_cast<std::int64_t>(index));
    }
    if (sources.labels != nullptr) {
        const LabelLayers& labels = *sources.labels;
        for (const auto& [value, value_runs] : label_runs(labels, space, column_major)) {
            LayerRule rule = labels.rule;
            if (labels.fuse_by_label) rule.fuse_group = value;
            painter.layer(value_runs, rule, LayerSource::Label, value);
        }
    }
    return painter.finish();
}

void write_segment_ids(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w, bool column_major,
                       const std::uint32_t* ids, std::size_t n_ids, std::uint32_t* out) {
    // painted values >= n_ids (only from a caller's own array) read id 0 and are reported after;
    // `worst` is a local so that the stores to out cannot alias it
    std::uint32_t worst = 0;
    const auto limit = static_cast<std::uint32_t>(std::min<std::size_t>(n_ids, 0xffffffffu));
    if (!column_major) {
        for (std::uint64_t i = 0; i < h * w; ++i) {
            const std::uint32_t v = painted[i];
            worst = std::max(worst, v);
            out[i] = v < limit ? ids[v] : 0u;
        }
    } else {
        // the vector kernels gather with signed 32-bit indices
        const auto& kernels = n_ids <= 0x7fffffffu ? kernels::panoptic_kernels() : scalar::panoptic_kernels;
        worst = kernels.write_ids_transposed(painted, h, w, ids, limit, out);
    }
    if (h * w > 0 && worst >= limit)
        throw std::invalid_argument("painted segment number " + std::to_string(worst) + " has no id (" +
                                    std::to_string(n_ids) + " ids given)");
}

}  // namespace maskkit::panoptic
