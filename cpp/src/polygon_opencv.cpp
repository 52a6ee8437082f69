// The "opencv" rule: what cv2.fillPoly(mask, [parts as int32], 1) paints (LINE_8, shift 0),
// bit for bit, for the way COCO polygons are usually passed to it: the coordinates truncated
// toward zero (numpy's astype(np.int32)) and all the parts of an object in one call, so the parts
// are combined even-odd (a part inside another cuts a hole; that is OpenCV's behaviour, unlike
// COCO's union).
//
// OpenCV's steps (imgproc/src/drawing.cpp: CollectPolyEdges, FillEdgeCollection, Line,
// LineIterator, clipLine), followed here with the same integer arithmetic:
//  1. Every edge (x0, y0) -> (x1, y1) of every part, the closing one first, is drawn as an
//     8-connected Bresenham line (the outline is always part of the result). A line with an end
//     outside the image is first clipped by clipLine (Cohen-Sutherland: y to 0 or h-1, then x to
//     0 or w-1, with offsets (int64)((double)da * db / dc)); a line clipLine rejects draws
//     nothing. Bresenham then starts at the left end: err = dx - 2dy, the major axis steps every
//     pixel and the minor one when err < 0 before the update err += -2dy (+ 2dx when it stepped).
//  2. Non-horizontal edges become fill edges in 16.16 fixed point: x starts at (x0 << 16) and
//     steps by dx = ((x1 - x0) << 16) / (y1 - y0) (C's truncating division) per row, active on
//     the rows [min y, max y). For an edge with an end outside the image the x's come from its
//     clipped line instead (the y range stays that of the edge): x_c = (clipped x) << 16 and the
//     start is x_c0 + (y_start - y_c0) * dx, where the clipped y's replace the edge's only when
//     they differ from each other. clipLine's partial result is used even when it rejects the
//     line, as in OpenCV.
//  3. Row y (0 <= y < h) of the fill: the x's of the edges active there, sorted, are paired
//     (first with second, third with fourth, ...) and each pair (a, b) sets the columns
//     ceil(a / 2^16) .. floor(b / 2^16), clipped to the image. (OpenCV keeps an active edge list
//     sorted by x, advanced one row at a time; since every active edge advances by its dx on
//     every row, its x on row y is start + (y - y_first) * dx and only the sorted values matter,
//     so the rows outside the image are never visited here.) Nothing is filled when there are
//     fewer than 2 fill edges or their extent misses the image.
// Coordinates are limited to |v| < 2^30 so that every intermediate of OpenCV's int and int64
// arithmetic is defined; the work is O(vertices + outline and crossings inside the image).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "maskkit/polygon.hpp"

namespace maskkit {
namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

constexpr int kShift = 16;

// a*b and a+b in two's complement, as OpenCV's int64 arithmetic gives them on every platform it
// ships for; they only wrap for images wider than 2^16 with edges far outside (where C++ would
// call the overflow undefined).
inline i64 mul(i64 a, i64 b) { return static_cast<i64>(static_cast<u64>(a) * static_cast<u64>(b)); }
inline i64 add(i64 a, i64 b) { return static_cast<i64>(static_cast<u64>(a) + static_cast<u64>(b)); }

// clipLine(Size2l, Point2l&, Point2l&), then the wrapper's conversion of the points to int.
bool clip_line(i64 w, i64 h, i64& x1, i64& y1, i64& x2, i64& y2, bool to_int) {
    const i64 right = w - 1, bottom = h - 1;
    bool inside = false;
    if (w > 0 && h > 0) {
        int c1 = (x1 < 0) + (x1 > right) * 2 + (y1 < 0) * 4 + (y1 > bottom) * 8;
        int c2 = (x2 < 0) + (x2 > right) * 2 + (y2 < 0) * 4 + (y2 > bottom) * 8;
        // (int64)((double)(a - p) * (q1 - q0) / (p1 - p0)): the shift of q when p moves to a.
        auto shift = [](i64 a, i64 p, i64 q0, i64 q1, i64 p0, i64 p1) {
            return static_cast<i64>(static_cast<double>(a - p) * static_cast<double>(q1 - q0) /
                                    static_cast<double>(p1 - p0));
        };
        if ((c1 & c2) == 0 && (c1 | c2) != 0) {
            if (c1 & 12) {  // y1 to the top or bottom row
                const i64 a = c1 < 8 ? 0 : bottom;
                x1 += shift(a, y1, x1, x2, y1, y2);
                y1 = a;
                c1 = (x1 < 0) + (x1 > right) * 2;
            }
            if (c2 & 12) {
                const i64 a = c2 < 8 ? 0 : bottom;
                x2 += shift(a, y2, x1, x2, y1, y2);
                y2 = a;
                c2 = (x2 < 0) + (x2 > right) * 2;
            }
            if ((c1 & c2) == 0 && (c1 | c2) != 0) {
                if (c1) {  // x1 to the first or last column
                    const i64 a = c1 == 1 ? 0 : right;
                    y1 += shift(a, x1, y1, y2, x1, x2);
                    x1 = a;
                    c1 = 0;
                }
                if (c2) {
                    const i64 a = c2 == 1 ? 0 : right;
                    y2 += shift(a, x2, y1, y2, x1, x2);
                    x2 = a;
                    c2 = 0;
                }
            }
        }
        inside = (c1 | c2) == 0;
    }
    if (to_int) {  // the clipLine(Size, Point&, Point&) overload LineIterator calls
        x1 = static_cast<std::int32_t>(x1);
        y1 = static_cast<std::int32_t>(y1);
        x2 = static_cast<std::int32_t>(x2);
        y2 = static_cast<std::int32_t>(y2);
    }
    return inside;
}

inline bool outside(i64 x, i64 y, i64 w, i64 h) {
    return static_cast<u64>(static_cast<std::uint32_t>(x)) >= static_cast<u64>(w) ||
           static_cast<u64>(static_cast<std::uint32_t>(y)) >= static_cast<u64>(h);
}

// Line() with 8-connectivity: LineIterator from the left end of the (clipped) segment.
void draw_line(i64 x1, i64 y1, i64 x2, i64 y2, i64 w, i64 h, std::uint8_t* out) {
    if (outside(x1, y1, w, h) || outside(x2, y2, w, h)) {
        if (!clip_line(w, h, x1, y1, x2, y2, true)) return;
    }
    i64 dx = x2 - x1, dy = y2 - y1;
    if (dx < 0) {
        dx = -dx;
        dy = -dy;
        x1 = x2;
        y1 = y2;
    }
    i64 sy = 1;
    if (dy < 0) {
        dy = -dy;
        sy = -1;
    }
    const bool vert = dy > dx;
    if (vert) std::swap(dx, dy);
    i64 err = dx - (dy + dy);
    i64 x = x1, y = y1;
    for (i64 i = 0; i <= dx; ++i) {
        out[static_cast<u64>(y) * static_cast<u64>(w) + static_cast<u64>(x)] = 1;
        const bool step = err < 0;
        err += -(dy + dy) + (step ? dx + dx : 0);
        if (vert) {
            y += sy;
            if (step) ++x;
        } else {
            ++x;
            if (step) y += sy;
        }
    }
}

struct FillEdge {
    i64 y0, y1;  // active rows [y0, y1)
    i64 x, dx;   // 16.16 x at row y0, and its step per row
};

struct OpencvScratch {
    std::vector<FillEdge> edges;
    std::vector<std::size_t> start;
    std::vector<i64> xs;
};

// CollectPolyEdges for one contour of k integer vertices.
void collect(const i64* X, const i64* Y, std::size_t k, i64 w, i64 h, std::uint8_t* out,
             std::vector<FillEdge>& edges) {
    i64 px = X[k - 1], py = Y[k - 1];
    for (std::size_t i = 0; i < k; ++i) {
        const i64 qx = X[i], qy = Y[i];
        i64 t0x = px, t0y = py, t1x = qx, t1y = qy;
        draw_line(t0x, t0y, t1x, t1y, w, h, out);
        i64 c0y = py, c1y = qy;
        if (outside(t0x, t0y, w, h) || outside(t1x, t1y, w, h)) {
            clip_line(w, h, t0x, t0y, t1x, t1y, false);  // the int64 overload
            if (t0y != t1y) {
                c0y = t0y;
                c1y = t1y;
            }
        }
        const i64 c0x = t0x * (i64{1} << kShift), c1x = t1x * (i64{1} << kShift);
        if (py != qy) {
            FillEdge e;
            e.dx = (c1x - c0x) / (c1y - c0y);
            if (py < qy) {
                e.y0 = py;
                e.y1 = qy;
                e.x = add(c0x, mul(py - c0y, e.dx));
            } else {
                e.y0 = qy;
                e.y1 = py;
                e.x = add(c1x, mul(qy - c1y, e.dx));
            }
            edges.push_back(e);
        }
        px = qx;
        py = qy;
    }
}

// FillEdgeCollection, row by row inside the image.
void fill_edges(const std::vector<FillEdge>& edges, i64 w, i64 h, std::uint8_t* out, OpencvScratch& sc) {
    if (edges.size() < 2) return;
    i64 y_min = std::numeric_limits<i64>::max(), y_max = std::numeric_limits<i64>::min();
    i64 x_min = std::numeric_limits<i64>::max(), x_max = -1;
    for (const FillEdge& e : edges) {
        const i64 x_end = add(e.x, mul(e.y1 - e.y0, e.dx));
        y_min = std::min(y_min, e.y0);
        y_max = std::max(y_max, e.y1);
        x_min = std::min({x_min, e.x, x_end});
        x_max = std::max({x_max, e.x, x_end});
    }
    if (y_max < 0 || y_min >= h || x_max < 0 || x_min >= (w << kShift)) return;
    const i64 lo = std::max<i64>(y_min, 0), hi = std::min(y_max, h);
    if (lo >= hi) return;
    const std::size_t span = static_cast<std::size_t>(hi - lo);
    sc.start.assign(span + 1, 0);
    for (const FillEdge& e : edges) {
        const i64 r0 = std::max(e.y0, lo), r1 = std::min(e.y1, hi);
        for (i64 r = r0; r < r1; ++r) ++sc.start[static_cast<std::size_t>(r - lo) + 1];
    }
    for (std::size_t r = 0; r < span; ++r) sc.start[r + 1] += sc.start[r];
    std::vector<std::size_t> next(sc.start.begin(), sc.start.end());
    sc.xs.resize(sc.start[span]);
    for (const FillEdge& e : edges) {
        const i64 r0 = std::max(e.y0, lo), r1 = std::min(e.y1, hi);
        i64 x = add(e.x, mul(r0 - e.y0, e.dx));
        for (i64 r = r0; r < r1; ++r, x = add(x, e.dx)) sc.xs[next[static_cast<std::size_t>(r - lo)]++] = x;
    }
    constexpr i64 round_up = (i64{1} << kShift) - 1;
    for (std::size_t r = 0; r < span; ++r) {
        i64* xs = sc.xs.data() + sc.start[r];
        const std::size_t m = sc.start[r + 1] - sc.start[r];
        std::sort(xs, xs + m);
        std::uint8_t* row = out + (static_cast<u64>(lo) + r) * static_cast<u64>(w);
        for (std::size_t j = 0; j + 1 < m; j += 2) {
            i64 a = add(xs[j], round_up) >> kShift, b = xs[j + 1] >> kShift;
            if (a < w && b >= 0) {
                a = std::max<i64>(a, 0);
                b = std::min(b, w - 1);
                if (a <= b) std::fill(row + a, row + b + 1, std::uint8_t{1});
            }
        }
    }
}

}  // namespace

void check_opencv_coordinates(const std::vector<std::vector<double>>& parts) {
    constexpr double limit = 1073741824.0;  // 2^30
    for (std::size_t p = 0; p < parts.size(); ++p) {
        for (std::size_t i = 0; i < parts[p].size(); ++i) {
            if (!(std::fabs(parts[p][i]) < limit))
                throw std::invalid_argument("polygon " + std::to_string(p) + " coordinate " + std::to_string(i) +
                                            " is outside (-2**30, 2**30), the range of the opencv rule");
        }
    }
}

void opencv_fill_parts(const std::vector<std::vector<double>>& parts, std::uint64_t h, std::uint64_t w,
                       std::uint8_t* out) {
    thread_local OpencvScratch sc;
    if (h == 0 || w == 0) return;
    check_opencv_coordinates(parts);
    std::vector<i64> X, Y;
    sc.edges.clear();
    const i64 W = static_cast<i64>(w), H = static_cast<i64>(h);
    for (const std::vector<double>& xy : parts) {
        const std::size_t k = xy.size() / 2;
        X.resize(k);
        Y.resize(k);
        for (std::size_t i = 0; i < k; ++i) {
            X[i] = static_cast<i64>(xy[2 * i]);  // truncation toward zero, as astype(np.int32)
            Y[i] = static_cast<i64>(xy[2 * i + 1]);
        }
        if (k > 0) collect(X.data(), Y.data(), k, W, H, out, sc.edges);
    }
    fill_edges(sc.edges, W, H, out, sc);
}

}  // namespace maskkit
