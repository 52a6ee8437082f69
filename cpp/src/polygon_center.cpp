// The "center" rule: pixel (X, Y) covers [X, X+1) x [Y, Y+1) and is on when its centre
// (X + .5, Y + .5) is inside the polygon by the even-odd rule, with the tie rule of GDAL's
// rasterizer (GDALdllImageFilledPolygon with all_touched off, as rasterio.features.rasterize
// uses it), so that centres exactly on an edge or a vertex come out the same.
//
// GDAL's steps, which this file follows with the same double expressions:
//  1. The ring is closed (the first vertex repeated at the end unless it is already there) and
//     turned clockwise by OGR's test (OGRLineString::isClockwise): the lowest vertex (smallest
//     y, then largest x) is the pivot and the sign of the cross product of its two neighbours
//     decides; when the pivot is repeated or a neighbour lies within 1e-5 of it in both axes,
//     or the cross product is 0, the sign of the shoelace sum decides instead. A ring that is
//     not clockwise is reversed.
//  2. Row Y's scanline is at dy = Y + .5. An edge from (x1, y1) to (x2, y2) with y1 < y2 (the
//     endpoints ordered by y) crosses it when y1 <= dy < y2, at
//         x = (dy - y1) * (x2 - x1) / (y2 - y1) + x1,
//     which gives the column boundary floor(x + .5). The boundaries of a row are sorted and
//     each pair (a, b) fills the columns a .. b-1: a centre is inside when it lies strictly
//     right of the left crossing and at or left of the right one.
//  3. A horizontal edge lying exactly on a row's scanline fills the columns
//     floor(x_end + .5) .. floor(x_start + .5) - 1 of that row when it runs right to left
//     (x_start > x_end) in the clockwise ring; one running left to right fills nothing.
// Divergences: GDAL converts floor(x + .5) to int, which is undefined beyond 2^31; here the
// boundary is clamped to [-1, w + 1] first, which keeps every in-image decision. Rows and columns
// outside the image are never visited, so the work is O(vertices + crossings inside the image).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "maskkit/polygon.hpp"

#if defined(__clang__)
#pragma clang fp contract(off)
#endif

namespace maskkit {
namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

// OGR's orientation test on the closed ring x[0..n), y[0..n) (x[n-1] == x[0], y[n-1] == y[0]).
bool ogr_clockwise(const double* x, const double* y, std::size_t n) {
    if (n < 2) return true;
    bool fallback = false;
    std::size_t v = 0;
    for (std::size_t i = 1; i + 1 < n; ++i) {
        if (y[i] < y[v] || (y[i] == y[v] && x[i] > x[v])) {
            v = i;
            fallback = false;
        } else if (y[i] == y[v] && x[i] == x[v]) {
            fallback = true;  // the pivot is repeated
        }
    }
    constexpr double eps = 1e-5;
    auto near = [&](std::size_t i) { return std::fabs(x[i] - x[v]) < eps && std::fabs(y[i] - y[v]) < eps; };
    const std::size_t prev = v == 0 ? n - 2 : v - 1;
    if (near(prev)) fallback = true;
    const double dx0 = x[prev] - x[v], dy0 = y[prev] - y[v];
    const std::size_t next = v + 1 >= n - 1 ? 0 : v + 1;
    if (near(next)) fallback = true;
    const double dx1 = x[next] - x[v], dy1 = y[next] - y[v];
    const double cross = dx1 * dy0 - dx0 * dy1;
    if (!fallback) {
        if (cross > 0) return false;
        if (cross < 0) return true;
    }
    double sum = x[0] * (y[1] - y[n - 1]);
    for (std::size_t i = 1; i + 1 < n; ++i) sum += x[i] * (y[i + 1] - y[i - 1]);
    sum += x[n - 1] * (y[0] - y[n - 2]);
    return sum < 0;
}

// floor(v + .5) as a column boundary, clamped to [-1, w + 1] (every in-image decision is kept).
inline i64 boundary(double v, u64 w) {
    const double b = std::floor(v + 0.5);
    if (!(b >= -1.0)) return -1;
    if (b > static_cast<double>(w) + 1.0) return static_cast<i64>(w) + 1;
    return static_cast<i64>(b);
}

// Sets columns [a, b) of a row, clipped to [0, w).
inline void fill_span(std::uint8_t* row, i64 a, i64 b, u64 w) {
    const i64 lo = std::max<i64>(a, 0), hi = std::min<i64>(b, static_cast<i64>(w));
    if (lo < hi) std::fill(row + lo, row + hi, std::uint8_t{1});
}

// The first row Y >= 0 whose scanline Y + .5 is >= t (t finite), capped at `cap`.
inline i64 first_row_at_or_above(double t, i64 cap) {
    if (t <= 0.5) return 0;
    if (t > static_cast<double>(cap) + 0.5) return cap;
    i64 r = static_cast<i64>(std::ceil(t - 0.5));
    while (r > 0 && static_cast<double>(r - 1) + 0.5 >= t) --r;
    while (r < cap && static_cast<double>(r) + 0.5 < t) ++r;
    return r;
}

struct Edge {
    double y1, y2, x1, x2;
    i64 r0, r1;  // rows [r0, r1) it crosses inside the image
};

struct CenterScratch {
    std::vector<double> x, y;
    std::vector<Edge> edges;
    std::vector<std::size_t> start;
    std::vector<i64> cross;
};

}  // namespace

void center_fill(const double* xy, std::size_t k, std::uint64_t h, std::uint64_t w, std::uint8_t* out) {
    thread_local CenterScratch sc;
    if (k == 0 || h == 0 || w == 0) return;
    const bool closed = xy[0] == xy[2 * k - 2] && xy[1] == xy[2 * k - 1];
    const std::size_t n = closed ? k : k + 1;
    sc.x.resize(n);
    sc.y.resize(n);
    for (std::size_t i = 0; i < k; ++i) {
        sc.x[i] = xy[2 * i];
        sc.y[i] = xy[2 * i + 1];
    }
    if (!closed) {
        sc.x[k] = xy[0];
        sc.y[k] = xy[1];
    }
    if (!ogr_clockwise(sc.x.data(), sc.y.data(), n)) {
        std::reverse(sc.x.begin(), sc.x.end());
        std::reverse(sc.y.begin(), sc.y.end());
    }
    const double* X = sc.x.data();
    const double* Y = sc.y.data();
    const i64 rows = static_cast<i64>(h);
    sc.edges.clear();
    i64 lo = rows, hi = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t a = i == 0 ? n - 1 : i - 1, b = i;
        if (Y[a] == Y[b]) {
            // A horizontal edge on a scanline, running right to left: its own span.
            if (X[a] > X[b] && Y[a] >= 0.5 && Y[a] <= static_cast<double>(rows) - 0.5) {
                const double r = std::floor(Y[a]);
                if (r + 0.5 == Y[a]) {
                    const i64 c0 = boundary(X[b], w), c1 = boundary(X[a], w);
                    if (!(c0 > static_cast<i64>(w) - 1 || c1 <= 0))
                        fill_span(out + static_cast<u64>(r) * w, c0, c1, w);
                }
            }
            continue;
        }
        Edge e;
        if (Y[a] < Y[b]) {
            e = {Y[a], Y[b], X[a], X[b], 0, 0};
        } else {
            e = {Y[b], Y[a], X[b], X[a], 0, 0};
        }
        e.r0 = first_row_at_or_above(e.y1, rows);  // first Y with Y + .5 >= y1
        e.r1 = first_row_at_or_above(e.y2, rows);  // first Y with Y + .5 >= y2: excluded
        if (e.r0 >= e.r1) continue;
        lo = std::min(lo, e.r0);
        hi = std::max(hi, e.r1);
        sc.edges.push_back(e);
    }
    if (lo >= hi) return;
    const std::size_t span = static_cast<std::size_t>(hi - lo);
    sc.start.assign(span + 1, 0);
    for (const Edge& e : sc.edges) {
        for (i64 r = e.r0; r < e.r1; ++r) ++sc.start[static_cast<std::size_t>(r - lo) + 1];
    }
    for (std::size_t r = 0; r < span; ++r) sc.start[r + 1] += sc.start[r];
    sc.cross.resize(sc.start[span]);
    std::vector<std::size_t>& next = sc.start;  // reused as write cursors, then restored
    std::vector<std::size_t> begin(next.begin(), next.end());
    for (const Edge& e : sc.edges) {
        const double dxe = e.x2 - e.x1, dye = e.y2 - e.y1;
        for (i64 r = e.r0; r < e.r1; ++r) {
            const double dy = static_cast<double>(r) + 0.5;
            const double xi = (dy - e.y1) * dxe / dye + e.x1;
            sc.cross[next[static_cast<std::size_t>(r - lo)]++] = boundary(xi, w);
        }
    }
    for (std::size_t r = 0; r < span; ++r) {
        i64* c = sc.cross.data() + begin[r];
        const std::size_t m = begin[r + 1] - begin[r];
        std::sort(c, c + m);
        std::uint8_t* row = out + (static_cast<u64>(lo) + r) * w;
        for (std::size_t j = 0; j + 1 < m; j += 2) {
            if (c[j] <= static_cast<i64>(w) - 1 && c[j + 1] > 0) fill_span(row, c[j], c[j + 1], w);
        }
    }
}

}  // namespace maskkit
