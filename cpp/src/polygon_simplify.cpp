// Ramer-Douglas-Peucker simplification with OpenCV's approxPolyDP rules (imgproc/approx.cpp):
//
// * closed curves start from the point farthest from point 0, refined three times (the
//   farthest point from that one, and once more), and split there into two chains;
// * a chain keeps its start point when every inner point lies within epsilon of the chord,
//   measured to the chord's end points beyond its ends (segment distance, not line distance),
//   and otherwise splits at the first farthest point; chains are taken from a stack, the
//   second half first pushed, so the output keeps the curve's order;
// * a last pass drops a point whose neighbours' chord passes within epsilon / sqrt(2) of it
//   when the chord is neither horizontal nor vertical and the point lies between them.
//
// Every expression is evaluated in double in OpenCV's order, so integer inputs (what
// cv2.findContours gives approxPolyDP) give OpenCV's points exactly.
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "maskkit/polygon_vector.hpp"

namespace maskkit {
namespace {

struct Pt {
    double x, y;
};

struct Span {
    std::size_t start, end;
};

}  // namespace

void simplify_rdp(const double* xy, std::size_t n, double epsilon, bool closed, std::vector<double>& out) {
    if (n == 0) return;
    for (std::size_t i = 0; i < 2 * n; ++i)
        if (!std::isfinite(xy[i]))
            throw std::invalid_argument("polygon coordinates must be finite, got " + std::to_string(xy[i]) +
                                        " at index " + std::to_string(i));
    const auto src = [&](std::size_t i) { return Pt{xy[2 * i], xy[2 * i + 1]}; };
    const std::size_t count = n;
    const auto step = [&](std::size_t& p) {
        if (++p >= count) p = 0;
    };
    std::vector<Pt> dst(n);
    std::vector<Span> stack;
    std::size_t kept = 0;
    const double eps = epsilon * epsilon;
    int rounds = 3;
    bool is_closed = closed, within = false;
    Span slice{0, 0}, right{0, 0};
    Pt start{-1000000.0, -1000000.0}, end{0, 0}, pt{0, 0};
    std::size_t pos = 0;

    if (!is_closed) {
        right.start = count;
        end = src(0);
        start = src(count - 1);
        if (start.x != end.x || start.y != end.y) {
            stack.push_back({0, count - 1});
        } else {
            is_closed = true;
            rounds = 1;
        }
    }
    if (is_closed) {
        right.start = 0;
        for (int i = 0; i < rounds; ++i) {
            double farthest = 0;
            pos = (pos + right.start) % count;
            start = src(pos);
            step(pos);
            for (std::size_t j = 1; j < count; ++j) {
                pt = src(pos);
                step(pos);
                const double dx = pt.x - start.x, dy = pt.y - start.y;
                const double dist = dx * dx + dy * dy;
                if (dist > farthest) {
                    farthest = dist;
                    right.start = j;
                }
            }
            within = farthest <= eps;
        }
        if (!within) {
            right.end = slice.start = pos % count;
            slice.end = right.start = (right.start + slice.start) % count;
            stack.push_back(right);
            stack.push_back(slice);
        } else {
            dst[kept++] = start;
        }
    }

    while (!stack.empty()) {
        slice = stack.back();
        stack.pop_back();
        end = src(slice.end);
        pos = slice.start;
        start = src(pos);
        step(pos);
        if (pos != slice.end) {
            const double dx = end.x - start.x, dy = end.y - start.y;
            const double chord = dx * dx + dy * dy;
            double farthest = 0;
            bool found = false;  // a point beyond 0: only then is right.start this chain's
            while (pos != slice.end) {
                pt = src(pos);
                step(pos);
                const double projection = (pt.x - start.x) * dx + (pt.y - start.y) * dy;
                double d;
                if (projection < 0) {
                    d = ((pt.x - start.x) * (pt.x - start.x) + (pt.y - start.y) * (pt.y - start.y)) * chord;
                } else if (projection > chord) {
                    d = ((pt.x - end.x) * (pt.x - end.x) + (pt.y - end.y) * (pt.y - end.y)) * chord;
                } else {
                    const double cross = (pt.y - start.y) * dx - (pt.x - start.x) * dy;
                    d = cross * cross;
                }
                if (d > farthest) {
                    farthest = d;
                    found = true;
                    right.start = (pos + count - 1) % count;
                }
            }
            // Coordinates near 1e300 overflow the squares to inf and the products to NaN: a
            // chain with no farthest point, or a NaN threshold, is kept whole rather than
            // split at a stale point (which never ends). Finite values decide as OpenCV does.
            within = !found || !(farthest > eps * chord);
        } else {
            within = true;
            start = src(slice.start);
        }
        if (within) {
            if (kept >= dst.size()) throw std::logic_error("simplify_rdp kept more points than it was given");
            dst[kept++] = start;
        } else {
            right.end = slice.end;
            slice.end = right.start;
            stack.push_back(right);
            stack.push_back(slice);
        }
    }
    if (!is_closed) {
        if (kept >= dst.size()) throw std::logic_error("simplify_rdp kept more points than it was given");
        dst[kept++] = src(count - 1);
    }

    // Clean-up pass over the kept points (a ring buffer of `total` points).
    is_closed = closed;
    const std::size_t total = kept;
    const auto wrap = [&](std::size_t& p) {
        if (++p >= total) p = 0;
    };
    std::size_t rpos = is_closed ? total - 1 : 0;
    start = dst[rpos];
    wrap(rpos);
    std::size_t wpos = rpos;
    pt = dst[rpos];
    wrap(rpos);
    const std::size_t open = is_closed ? 0 : 1;
    for (std::size_t i = open; i + open < total && kept > 2; ++i) {
        end = dst[rpos];
        wrap(rpos);
        const double dx = end.x - start.x, dy = end.y - start.y;
        const double dist = std::fabs((pt.x - start.x) * dy - (pt.y - start.y) * dx);
        const double inner = (pt.x - start.x) * (end.x - pt.x) + (pt.y - start.y) * (end.y - pt.y);
        if (dist * dist <= 0.5 * eps * (dx * dx + dy * dy) && dx != 0 && dy != 0 && inner >= 0) {
            --kept;
            dst[wpos] = start = end;
            wrap(wpos);
            pt = dst[rpos];
            wrap(rpos);
            ++i;
            continue;
        }
        dst[wpos] = start = pt;
        wrap(wpos);
        pt = end;
    }
    if (!is_closed) dst[wpos] = pt;

    out.reserve(out.size() + 2 * kept);
    for (std::size_t i = 0; i < kept; ++i) {
        out.push_back(dst[i].x);
        out.push_back(dst[i].y);
    }
}

}  // namespace maskkit
