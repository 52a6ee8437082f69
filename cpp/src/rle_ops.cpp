// Measures, merge and IoU on runs, without decoding: the sweeps below follow maskApi.c step
// for step, because their outputs (zero-length runs kept by merge, uint32 wrap-around, the box
// prefilter of rleIou) are part of what users compare byte for byte.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "maskkit/rle.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

std::uint64_t counts_sum(const RleView& r) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < r.m; ++i) sum += r.counts[i];
    return sum;
}

// Reads count i, or 0 past the end: lets an RLE with no counts take part in a sweep as an
// empty sequence (pycocotools reads past its buffer there).
count_t count_at(const RleView& r, std::size_t i) { return i < r.m ? r.counts[i] : 0; }

void require_equal_sums(const RleView& a, const RleView& b, const char* operation) {
    const std::uint64_t sa = counts_sum(a), sb = counts_sum(b);
    if (sa != sb)
        throw std::invalid_argument(std::string(operation) +
                                    ": RLE counts must sum to the same total (they sum to " +
                                    std::to_string(sa) + " and " + std::to_string(sb) +
                                    "); pycocotools loops forever on such input");
}

}  // namespace

std::uint64_t exact_area(const RleView& rle) {
    std::uint64_t total = 0;
    for (std::size_t j = 1; j < rle.m; j += 2) total += rle.counts[j];
    return total;
}

// A uint32 sum that wraps is the exact sum modulo 2^32.
count_t area(const RleView& rle) { return static_cast<count_t>(exact_area(rle)); }

void exact_areas(const RleView* rles, std::size_t n, std::uint64_t* out) {
    for (std::size_t i = 0; i < n; ++i) out[i] = exact_area(rles[i]);
}

void to_bbox(const RleView& rle, double* box) {
    const std::size_t m = (rle.m / 2) * 2;  // a trailing background run cannot widen the box
    if (m == 0) {
        box[0] = box[1] = box[2] = box[3] = 0;
        return;
    }
    const auto h = static_cast<std::uint32_t>(rle.h);
    const auto w = static_cast<std::uint32_t>(rle.w);
    std::uint32_t xs = w, ys = h, xe = 0, ye = 0, position = 0;
    for (std::size_t j = 0; j < m; ++j) {
        const std::uint32_t start = position;
        position += rle.counts[j];
        if (j % 2 == 0 || rle.counts[j] == 0) continue;
        if (h == 0)
            throw std::invalid_argument("toBbox: an RLE of height 0 cannot have foreground run " +
                                        std::to_string(rle.counts[j]) + " (at index " +
                                        std::to_string(j) + ")");
        const std::uint32_t end = position - 1;
        const std::uint32_t x_start = start / h, x_end = end / h;
        xs = std::min(xs, x_start);
        xe = std::max(xe, x_end);
        if (x_start < x_end) {  // the run wraps into the next column: full height
            ys = 0;
            ye = h - 1;
        } else {
            ys = std::min(ys, start % h);
            ye = std::max(ye, end % h);
        }
    }
    box[0] = xs;
    box[1] = ys;
    box[2] = static_cast<std::uint32_t>(xe - xs + 1);
    box[3] = static_cast<std::uint32_t>(ye - ys + 1);
}

void to_bboxes(const RleView* rles, std::size_t n, double* boxes) {
    for (std::size_t i = 0; i < n; ++i) to_bbox(rles[i], boxes + 4 * i);
}

// The union/intersection sweep: consume min(remaining run of A, remaining run of B) at a time,
// flip a side's value when its run is used up, and close an output run whenever the combined
// value changes or both inputs end.
void merge(const RleView* rles, std::size_t n, bool intersect, std::uint64_t& h,
           std::uint64_t& w, std::vector<count_t>& counts) {
    counts.clear();
    if (n == 0) {
        h = w = 0;
        return;
    }
    h = rles[0].h;
    w = rles[0].w;
    counts.assign(rles[0].counts, rles[0].counts + rles[0].m);
    if (n == 1) return;
    thread_local std::vector<count_t> accumulated;
    for (std::size_t i = 1; i < n; ++i) {
        const RleView& b = rles[i];
        if (b.h != h || b.w != w) {
            h = w = 0;
            counts.clear();
            return;
        }
        accumulated.swap(counts);
        const RleView a{h, w, accumulated.data(), accumulated.size()};
        require_equal_sums(a, b, "merge");
        counts.clear();
        counts.reserve(a.m + b.m);
        count_t ca = count_at(a, 0), cb = count_at(b, 0), cc = 0, ct = 1;
        std::size_t ia = 1, ib = 1;
        bool va = false, vb = false, v = false;
        while (ct > 0) {
            const count_t c = std::min(ca, cb);
            cc += c;
            ct = 0;
            ca -= c;
            if (!ca && ia < a.m) {
                ca = a.counts[ia++];
                va = !va;
            }
            ct += ca;
            cb -= c;
            if (!cb && ib < b.m) {
                cb = b.counts[ib++];
                vb = !vb;
            }
            ct += cb;
            const bool previous = v;
            v = intersect ? (va && vb) : (va || vb);
            if (v != previous || ct == 0) {
                counts.push_back(cc);
                cc = 0;
            }
        }
    }
}

void box_iou(const double* dt, std::size_t m, const double* gt, std::size_t n,
             const std::uint8_t* iscrowd, double* out) {
    for (std::size_t g = 0; g < n; ++g) {
        const double* G = gt + g * 4;
        const double ga = G[2] * G[3];
        const bool crowd = iscrowd != nullptr && iscrowd[g];
        for (std::size_t d = 0; d < m; ++d) {
            const double* D = dt + d * 4;
            const double da = D[2] * D[3];
            out[g * m + d] = 0;
            const double iw = std::fmin(D[2] + D[0], G[2] + G[0]) - std::fmax(D[0], G[0]);
            if (iw <= 0) continue;
            const double ih = std::fmin(D[3] + D[1], G[3] + G[1]) - std::fmax(D[1], G[1]);
            if (ih <= 0) continue;
            const double inter = iw * ih;
            const double uni = crowd ? da : da + ga - inter;
            out[g * m + d] = inter / uni;
        }
    }
}

namespace {

// The foreground of one RLE as sorted, disjoint [start, end) pixel intervals (zero-length runs
// dropped), with its wrapped area and the total its counts sum to.
struct Foreground {
    std::vector<std::uint64_t> starts, ends;
    count_t area = 0;
    std::uint64_t total = 0;
    bool quirky = false;  // a zero-length run after the first count, or a count >= 2^31
};

Foreground foreground_of(const RleView& r) {
    Foreground f;
    f.starts.reserve(r.m / 2);
    f.ends.reserve(r.m / 2);
    std::uint64_t position = 0;
    for (std::size_t j = 0; j < r.m; ++j) {
        const count_t c = r.counts[j];
        if ((c == 0 && j > 0) || c >= (count_t{1} << 31)) f.quirky = true;
        if ((j & 1) && c != 0) {
            f.starts.push_back(position);
            f.ends.push_back(position + c);
            f.area += c;
        }
        position += c;
    }
    f.total = position;
    return f;
}

// |A ∩ B| by a two-pointer walk over both interval lists, started by binary search at the
// first interval that can reach the other mask's first foreground pixel: masks are stored
// column by column, so only runs in the columns both boxes share are visited.
std::uint64_t intersection(const Foreground& a, const Foreground& b) {
    if (a.starts.empty() || b.starts.empty()) return 0;
    const std::uint64_t window_begin = std::max(a.starts.front(), b.starts.front());
    const std::uint64_t window_end = std::min(a.ends.back(), b.ends.back());
    if (window_begin >= window_end) return 0;
    std::size_t ia = static_cast<std::size_t>(
        std::upper_bound(a.ends.begin(), a.ends.end(), window_begin) - a.ends.begin());
    std::size_t ib = static_cast<std::size_t>(
        std::upper_bound(b.ends.begin(), b.ends.end(), window_begin) - b.ends.begin());
    const std::size_t na = a.starts.size(), nb = b.starts.size();
    std::uint64_t total = 0;
    while (ia < na && ib < nb) {
        const std::uint64_t sa = a.starts[ia], ea = a.ends[ia];
        const std::uint64_t sb = b.starts[ib], eb = b.ends[ib];
        if (sa >= window_end || sb >= window_end) break;
        const std::uint64_t lo = std::max(sa, sb), hi = std::min(ea, eb);
        if (lo < hi) total += hi - lo;
        if (ea <= eb)
            ++ia;
        else
            ++ib;
    }
    return total;
}

// rleIou's own run-by-run sweep. It stops as soon as both current runs are empty (their uint32
// sum is 0), which before the last run happens only when both sides present a zero-length run
// at once or when two remainders of 2^31 or more wrap around to 0: intersection() cannot
// reproduce that, so pairs where either RLE is quirky are swept like this.
void sweep(const RleView& a, const RleView& b, count_t& inter, count_t& uni) {
    count_t ca = a.m > 0 ? a.counts[0] : 0, cb = b.m > 0 ? b.counts[0] : 0;
    std::size_t ia = 1, ib = 1;
    bool va = false, vb = false;
    inter = uni = 0;
    count_t ct = 1;
    while (ct > 0) {
        const count_t c = std::min(ca, cb);
        if (va || vb) {
            uni += c;
            if (va && vb) inter += c;
        }
        ct = 0;
        ca -= c;
        if (ca == 0 && ia < a.m) {
            ca = a.counts[ia++];
            va = !va;
        }
        ct += ca;
        cb -= c;
        if (cb == 0 && ib < b.m) {
            cb = b.counts[ib++];
            vb = !vb;
        }
        ct += cb;
    }
}

}  // namespace

// rleIou's result without its run-by-run sweep: for RLEs whose counts sum to the same total
// the sweep's intersection is |A ∩ B| and its union |A| + |B| - |A ∩ B|, all in wrapping
// uint32 arithmetic, so computing those directly gives the same bits (except for quirky RLEs,
// which get the sweep itself).
void rle_iou(const RleView* dt, std::size_t m, const RleView* gt, std::size_t n,
             const std::uint8_t* iscrowd, double* out) {
    std::vector<double> dt_boxes(m * 4), gt_boxes(n * 4);
    for (std::size_t d = 0; d < m; ++d) to_bbox(dt[d], &dt_boxes[d * 4]);
    for (std::size_t g = 0; g < n; ++g) to_bbox(gt[g], &gt_boxes[g * 4]);
    box_iou(dt_boxes.data(), m, gt_boxes.data(), n, iscrowd, out);
    std::vector<Foreground> dt_fg(m), gt_fg(n);
    parallel_for(m + n, 32, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            if (i < m)
                dt_fg[i] = foreground_of(dt[i]);
            else
                gt_fg[i - m] = foreground_of(gt[i - m]);
        }
    });
    parallel_for(n, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t g = begin; g < end; ++g) {
            for (std::size_t d = 0; d < m; ++d) {
                double& o = out[g * m + d];
                if (!(o > 0)) continue;
                if (dt[d].h != gt[g].h || dt[d].w != gt[g].w) {
                    o = -1;
                    continue;
                }
                const Foreground& a = dt_fg[d];
                const Foreground& b = gt_fg[g];
                if (a.total != b.total)
                    throw std::invalid_argument(
                        "iou: RLE counts must sum to the same total (they sum to " +
                        std::to_string(a.total) + " and " + std::to_string(b.total) +
                        "); pycocotools loops forever on such input");
                count_t inter, uni;
                if (a.quirky || b.quirky) {
                    sweep(dt[d], gt[g], inter, uni);
                } else {
                    inter = static_cast<count_t>(intersection(a, b));
                    uni = static_cast<count_t>(a.area + b.area - inter);
                }
                if (inter == 0)
                    uni = 1;
                else if (iscrowd != nullptr && iscrowd[g])
                    uni = a.area;
                o = static_cast<double>(inter) / static_cast<double>(uni);
            }
        }
    });
}

}  // namespace maskkit
