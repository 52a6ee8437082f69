// Polygon and box rasterization, bit-identical to pycocotools' rleFrPoly / rleFrBbox, without
// the dense boundary walk.
//
// ---- The rule being reproduced --------------------------------------------------------------
// pycocotools scales every vertex by 5 and rounds it with C's (int)(5*v + .5) (a truncation, so
// negative values round toward zero), closes the polygon, and walks each edge on that 1/5-pixel
// grid. An edge from (xs, ys) to (xe, ye) with dx = |xe-xs|, dy = |ye-ys| is first put in
// increasing order of its major axis ("flip" swaps the endpoints when needed); then:
//   x-major (dx >= dy): s = (double)(ye-ys)/dx,  points t = 0..dx:  u = xs+t,  v = (int)(ys+s*t+.5)
//   y-major (dx <  dy): s = (double)(xe-xs)/dy,  points t = 0..dy:  v = ys+t,  u = (int)(xs+s*t+.5)
// The points are emitted in the ORIGINAL edge direction (t descending when flipped), and the
// edges' point lists are concatenated, so a shared vertex appears twice and the sequence does not
// wrap from its last point back to its first. A zero-length edge (dx = dy = 0) emits one point
// whose v is (int)(ys + NaN*0 + .5), i.e. (int)NaN.
// Every consecutive pair of that sequence whose u differs is then a candidate column crossing:
//   uc = (u[j] < u[j-1] ? u[j] : u[j]-1)     (not min(): differs when u jumps by more than 1)
//   xd = (uc + .5)/5 - .5  must be an integer X in [0, w-1]       <=>  uc = 5X + 2
//   yd = (min(v[j], v[j-1]) + .5)/5 - .5, clamped to [0, h], Y = ceil(yd)
// and contributes the flat index (uint)(X*h + Y). Those indices plus the sentinel h*w are sorted,
// differenced, and zero differences are collapsed (a zero drops and the next difference is added
// to the previous count), which makes coincident crossings cancel in pairs. Only a leading 0 can
// survive.
//
// ---- What this file does instead (same result, bounded work) --------------------------------
// Only the pairs with uc = 5X+2, 0 <= X <= w-1, can contribute; everything else in the dense list
// is dead weight. The pairs are of two kinds:
//  * pairs inside one edge. For an x-major edge u steps by exactly 1 at every t, and in both
//    emission directions the pair (t, t+1) has uc = xs+t (xs after the flip). So the contributing
//    t are exactly t = 5X+2-xs for the X with 0 <= t <= dx-1: an arithmetic range, visited
//    directly; v(t) and v(t+1) are then evaluated with the same double expression as C.
//    For a y-major edge u(t) = (int)(xs + s*t + .5) is monotone in t: s*t is a correctly rounded
//    product of a fixed s with an increasing t, adding xs and .5 are correctly rounded sums, and
//    truncation is monotone, so every step of the chain is monotone (non-strictly). Hence, for a
//    column value c = 5X+2 inside [min u, max u - 1], there is exactly one boundary T* where u
//    passes from <= c to >= c+1, and it is the only pair whose uc can be c: with lo/hi the two u
//    values of that pair, uc = lo when the edge is emitted with u decreasing and hi-1 when it is
//    emitted with u increasing, so the pair contributes iff that value is c (a jump over c+1,
//    possible only through rounding, gives no crossing at c, exactly as in the dense walk).
//    T* is found from the real-valued estimate (c + .5 - xs)/s and then pinned down by galloping
//    and bisection on the exact double expression (the estimate only saves evaluations; the
//    answer comes from the monotone predicate, so it does not depend on the estimate's accuracy).
//  * pairs across an edge joint (last point of edge j, first point of edge j+1, j = 0..k-2). Both
//    points are computed with the exact expressions (the endpoint of a y-major edge is not always
//    its vertex: (int)(-1 + .5) is 0), and the pair goes through the general uc/xd test above.
//    A zero-length edge is a one-point edge; its (int)NaN row is represented by a sentinel far
//    below 0. On x86 (int)NaN is INT_MIN and on ARM it is 0; either way, and with our sentinel,
//    the row clamps to Y = 0, so the result is deterministic and platform-independent.
// So the work per edge is O(1) plus O(number of crossing columns inside [0, w-1]) (times a few
// evaluations for y-major edges), independent of how far outside the image the edge reaches, and
// memory is O(number of crossings) (the vertices are quantized on the fly).
//
// ---- Exactness --------------------------------------------------------------------------------
// Every double that C computes and that reaches the output (s, ys+s*t+.5, xs+s*t+.5, the xd and
// yd expressions) is computed here from the same operands with the same operations in the same
// order (the project builds with -ffp-contract=off, so no FMA contraction). Integers are 64-bit
// where C uses int: for every input pycocotools handles without undefined behaviour
// (|5*v + .5| < 2^31 and differences that fit in int) every value is identical; beyond that range
// C overflows or crashes, and we simply continue with exact 64-bit integers. The xd test is done
// in integers (uc = 5X+2 with 0 <= X <= w-1), which is equivalent: (uc+.5)/5 is exact for
// uc = 5X+2 and is at least 0.1 away from a half-integer otherwise, far above its rounding error
// for the magnitudes involved. The flat index X*h+Y is at most h*w < 2^32, so C's int arithmetic
// followed by the uint cast gives the same number.
//
// ---- Input rules (documented divergences from pycocotools) ------------------------------------
//  * NaN, +-inf or |v| > max_polygon_coordinate (1e14) raise std::invalid_argument (pycocotools
//    has undefined behaviour for NaN and segfaults above |5v| ~ 2^31). Up to 1e14, 5v+.5 and
//    every coordinate difference are exact integers in double (< 2^53), and the quantized values
//    fit comfortably in int64.
//  * h*w >= 2^32 raises std::overflow_error (counts are uint32).
//  * h == 0 or w == 0 gives the counts {0}. pycocotools gives {0} for h == 0 too, but for w == 0
//    its column test xd > w-1 compares against (size_t)-1, so it records garbage crossings.
//  * k < 3 is not special-cased: the same walk is applied, which is what pycocotools does (k = 0
//    and k = 1 give {h*w}, k = 2 walks the segment there and back and normally cancels out).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "maskkit/polygon.hpp"

#if defined(__clang__)
#pragma clang fp contract(off)
#endif

namespace maskkit {
namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

// Row of the point emitted by a zero-length edge (C computes (int)NaN there). Anything below 3
// clamps to row 0; this value is far below while (double)kNanRow + .5 stays finite.
constexpr i64 kNanRow = std::numeric_limits<i64>::min() / 2;

i64 floor_div(i64 a, i64 b) {  // b > 0
    i64 q = a / b;
    if ((a % b) != 0 && a < 0) --q;
    return q;
}

i64 ceil_div(i64 a, i64 b) {  // b > 0
    i64 q = a / b;
    if ((a % b) != 0 && a > 0) ++q;
    return q;
}

// C's (int)(base + s*t + .5), evaluated in the same order; the operands are bounded (|base| and
// |t| below ~1.1e15, |s| <= 1), so the conversion to int64 is always defined.
inline i64 walk(i64 base, double s, i64 t) {
    double z = static_cast<double>(base) + s * static_cast<double>(t);
    z = z + 0.5;
    return static_cast<i64>(z);
}

std::string format_double(double v) {
    char buf[64];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

void check_coordinate(double v, const char* what, std::size_t index) {
    if (std::isnan(v) || std::isinf(v)) {
        throw std::invalid_argument(std::string(what) + " " + format_double(v) + " at index " +
                                    std::to_string(index) + " is not a finite number");
    }
    if (!(std::fabs(v) <= max_polygon_coordinate)) {
        throw std::invalid_argument(std::string(what) + " " + format_double(v) + " at index " +
                                    std::to_string(index) + " is outside [-1e14, 1e14]");
    }
}

// (int)(5*v + .5) of pycocotools, in 64 bits. |v| <= 1e14 was checked.
inline i64 quantize(double v) {
    double z = 5.0 * v;
    z = z + 0.5;
    return static_cast<i64>(z);
}

void check_size(u64 h, u64 w) {
    constexpr u64 limit = u64{1} << 32;
    if (w != 0 && h >= (limit + w - 1) / w) {  // h*w >= 2^32, without overflowing
        throw std::overflow_error("mask size " + std::to_string(h) + " x " + std::to_string(w) +
                                  " has h*w >= 2^32 pixels; RLE counts are uint32");
    }
}

struct Point {
    i64 u;
    i64 v;
};

class Rasterizer {
public:
    Rasterizer(u64 h, u64 w, std::vector<count_t>& crossings)
        : h_(h), w_(w), hd_(static_cast<double>(h)), out_(crossings) {}

    // Walks one edge from vertex (x0, y0) to (x1, y1) (quantized), recording its crossings,
    // including the joint pair with the previous edge's last point.
    void edge(i64 x0, i64 y0, i64 x1, i64 y1, bool first_edge) {
        i64 xs = x0, ys = y0, xe = x1, ye = y1;
        const i64 dx = xe > xs ? xe - xs : xs - xe;
        const i64 dy = ys > ye ? ys - ye : ye - ys;
        const bool x_major = dx >= dy;
        const bool flip = x_major ? xs > xe : ys > ye;
        if (flip) {
            std::swap(xs, xe);
            std::swap(ys, ye);
        }
        Point head, tail;  // first and last emitted point
        if (dx == 0 && dy == 0) {
            head = tail = Point{xs, kNanRow};
            joint(head, first_edge);
            last_ = tail;
            return;
        }
        if (x_major) {
            const double s = static_cast<double>(ye - ys) / static_cast<double>(dx);
            const i64 t_head = flip ? dx : 0, t_tail = flip ? 0 : dx;
            head = Point{xs + t_head, walk(ys, s, t_head)};
            tail = Point{xs + t_tail, walk(ys, s, t_tail)};
            joint(head, first_edge);
            // Pairs (t, t+1), t in [0, dx-1], have uc = xs+t; keep uc = 5X+2, X in [0, w-1].
            i64 x_lo = std::max<i64>(0, ceil_div(xs - 2, 5));
            i64 x_hi = floor_div(xs + dx - 3, 5);
            if (x_hi > static_cast<i64>(w_ - 1)) x_hi = static_cast<i64>(w_ - 1);
            for (i64 X = x_lo; X <= x_hi; ++X) {
                const i64 t = 5 * X + 2 - xs;
                const i64 v0 = walk(ys, s, t), v1 = walk(ys, s, t + 1);
                record(X, std::min(v0, v1));
            }
        } else {
            const double s = static_cast<double>(xe - xs) / static_cast<double>(dy);
            const i64 t_head = flip ? dy : 0, t_tail = flip ? 0 : dy;
            head = Point{walk(xs, s, t_head), ys + t_head};
            tail = Point{walk(xs, s, t_tail), ys + t_tail};
            joint(head, first_edge);
            if (xe != xs) y_major_inside(xs, ys, dy, s, flip);
        }
        last_ = tail;
    }

private:
    // Flat index of the crossing at column X whose lower row on the 1/5 grid is vmin.
    void record(i64 X, i64 vmin) {
        double yd = static_cast<double>(vmin);
        yd = (yd + 0.5) / 5.0 - 0.5;
        if (yd < 0) {
            yd = 0;
        } else if (yd > hd_) {
            yd = hd_;
        }
        yd = std::ceil(yd);
        const u64 Y = static_cast<u64>(yd);
        out_.push_back(static_cast<count_t>(static_cast<u64>(X) * h_ + Y));
    }

    // The general test for one consecutive pair of the dense sequence.
    void pair(const Point& prev, const Point& cur) {
        if (cur.u == prev.u) return;
        const i64 uc = cur.u < prev.u ? cur.u : cur.u - 1;
        if (uc < 2 || (uc - 2) % 5 != 0) return;
        const i64 X = (uc - 2) / 5;
        if (static_cast<u64>(X) > w_ - 1) return;
        record(X, std::min(prev.v, cur.v));
    }

    void joint(const Point& head, bool first_edge) {
        if (!first_edge) pair(last_, head);
    }

    // Crossings strictly inside a y-major edge (after the flip: ys < ye, s != 0, |s| < 1).
    void y_major_inside(i64 xs, i64 ys, i64 dy, double s, bool flip) {
        const bool rising = s > 0;              // u non-decreasing in t
        const i64 f0 = walk(xs, s, 0), f1 = walk(xs, s, dy);
        const i64 fmin = rising ? f0 : f1, fmax = rising ? f1 : f0;
        // uc = hi-1 when the points are emitted with u increasing, lo when decreasing.
        const bool use_hi = rising != flip;
        // Columns c = 5X+2 with fmin <= c <= fmax-1 have a boundary inside the edge.
        i64 x_lo = std::max<i64>(0, ceil_div(fmin - 2, 5));
        i64 x_hi = floor_div(fmax - 3, 5);
        if (x_hi > static_cast<i64>(w_ - 1)) x_hi = static_cast<i64>(w_ - 1);
        for (i64 X = x_lo; X <= x_hi; ++X) {
            const i64 c = 5 * X + 2;
            // pred(T): T is past the boundary between u <= c and u >= c+1. pred(0) is false and
            // pred(dy) is true because fmin <= c < fmax.
            auto pred = [&](i64 T) {
                const i64 u = walk(xs, s, T);
                return rising ? u >= c + 1 : u <= c;
            };
            const double est = (static_cast<double>(c) + 0.5 - static_cast<double>(xs)) / s;
            const double guess = rising ? std::ceil(est) : std::floor(est) + 1.0;
            i64 T0;
            if (!(guess >= 1.0)) {
                T0 = 1;
            } else if (guess >= static_cast<double>(dy)) {
                T0 = dy;
            } else {
                T0 = static_cast<i64>(guess);
            }
            i64 lo, hi;  // pred(lo) false, pred(hi) true
            if (pred(T0)) {
                hi = T0;
                i64 step = 1;
                for (;;) {
                    const i64 cand = hi - step;
                    if (cand <= 0) {
                        lo = 0;
                        break;
                    }
                    if (!pred(cand)) {
                        lo = cand;
                        break;
                    }
                    hi = cand;
                    step *= 2;
                }
            } else {
                lo = T0;
                i64 step = 1;
                for (;;) {
                    const i64 cand = lo + step;
                    if (cand >= dy) {
                        hi = dy;
                        break;
                    }
                    if (pred(cand)) {
                        hi = cand;
                        break;
                    }
                    lo = cand;
                    step *= 2;
                }
            }
            while (hi - lo > 1) {
                const i64 mid = lo + (hi - lo) / 2;
                if (pred(mid)) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            // The pair is (T*-1, T*) with T* = hi.
            const i64 fa = walk(xs, s, hi - 1), fb = walk(xs, s, hi);
            const i64 u_lo = rising ? fa : fb, u_hi = rising ? fb : fa;
            if (use_hi ? u_hi == c + 1 : u_lo == c) record(X, ys + hi - 1);
        }
    }

    u64 h_, w_;
    double hd_;
    std::vector<count_t>& out_;
    Point last_{0, 0};
};

// Sorts the crossings, appends the sentinel and turns them into counts the way pycocotools does.
void finish(std::vector<count_t>& a, u64 h, u64 w, std::vector<count_t>& counts) {
    a.push_back(static_cast<count_t>(h * w));
    std::sort(a.begin(), a.end());
    count_t prev = 0;
    for (count_t& x : a) {
        const count_t t = x;
        x -= prev;
        prev = t;
    }
    const std::size_t n = a.size();
    counts.push_back(a[0]);
    std::size_t j = 1;
    while (j < n) {
        if (a[j] > 0) {
            counts.push_back(a[j++]);
        } else {
            ++j;
            if (j < n) counts.back() += a[j++];
        }
    }
}

std::vector<count_t>& scratch() {
    thread_local std::vector<count_t> buffer;
    buffer.clear();
    return buffer;
}

}  // namespace

void polygon_to_rle(const double* xy, std::size_t k, std::uint64_t h, std::uint64_t w,
                    std::vector<count_t>& counts) {
    check_size(h, w);
    for (std::size_t i = 0; i < 2 * k; ++i) check_coordinate(xy[i], "polygon coordinate", i);
    if (h == 0 || w == 0) {
        counts.push_back(0);
        return;
    }
    std::vector<count_t>& crossings = scratch();
    Rasterizer r(h, w, crossings);
    if (k > 0) {
        const i64 x_first = quantize(xy[0]), y_first = quantize(xy[1]);
        i64 x0 = x_first, y0 = y_first;
        for (std::size_t j = 0; j < k; ++j) {
            i64 x1 = x_first, y1 = y_first;
            if (j + 1 < k) {
                x1 = quantize(xy[2 * j + 2]);
                y1 = quantize(xy[2 * j + 3]);
            }
            r.edge(x0, y0, x1, y1, j == 0);
            x0 = x1;
            y0 = y1;
        }
    }
    finish(crossings, h, w, counts);
}

void box_to_rle(const double* box, std::uint64_t h, std::uint64_t w, std::vector<count_t>& counts) {
    check_size(h, w);
    for (std::size_t i = 0; i < 4; ++i) check_coordinate(box[i], "box value", i);
    if (h == 0 || w == 0) {
        counts.push_back(0);
        return;
    }
    // rleFrBbox: xs=x, xe=x+bw, ys=y, ye=y+bh (double sums; |sum| <= 2e14, still exact to
    // quantize in int64), polygon (xs,ys) (xs,ye) (xe,ye) (xe,ys).
    const double xs = box[0], ys = box[1];
    const double xe = xs + box[2], ye = ys + box[3];
    const i64 qx0 = quantize(xs), qy0 = quantize(ys), qx1 = quantize(xe), qy1 = quantize(ye);
    std::vector<count_t>& crossings = scratch();
    Rasterizer r(h, w, crossings);
    r.edge(qx0, qy0, qx0, qy1, true);
    r.edge(qx0, qy1, qx1, qy1, false);
    r.edge(qx1, qy1, qx1, qy0, false);
    r.edge(qx1, qy0, qx0, qy0, false);
    finish(crossings, h, w, counts);
}

}  // namespace maskkit
