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
//    directly. v(t) = (int)(ys + s*t + .5) is monotone in t (same argument as for u below), so
//    the lower v of the pair is v(t) when s >= 0 and v(t+1) when s < 0: one evaluation of the
//    same double expression as C per crossing.
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
// memory is O(k) plus one window of crossings (see below) plus the output.
//
// ---- Layout of the computation ------------------------------------------------------------------
// A first pass plans every edge (flip, s, the column range its crossings can occupy, its first
// and last point) and evaluates the joint pairs. x-major and y-major edges share that code, with
// the roles of the axes swapped; the first point of the walked coordinate is (int)(start + .5)
// in closed form, so one walk evaluation per edge suffices. Plans are grouped by walk kind
// (x-major, y-major rising, y-major falling) and direction, so the second pass runs each kind's
// loop without a per-edge dispatch. The column ranges give how many crossings each column can
// receive, so the second pass, which walks the ranges, writes every flat index straight into its
// column's slots. A smaller column always has a smaller or equal flat index, so sorting reduces
// to sorting each column's few crossings. When no column has more than 16 slots and there are no
// holes, one insertion sort over the whole array does that (a key never moves past the keys of
// an earlier column, so each moves fewer than 16 places); otherwise each column is sorted on its
// own (insertion sort; std::sort for a column crossed by many edges). A y-major column whose pair
// turns out not to contribute leaves a hole, marked 0xFFFFFFFF; holes sort to the end of their
// column and are squeezed out. (A real flat index can only equal 0xFFFFFFFF if it equals h*w,
// and a crossing at h*w never changes the counts: it only adds zero differences after the last
// count.) When the columns spanned are many more than the crossings, the flat indices are
// collected in any order and sorted with std::sort instead.
// A polygon with more than 2^18 crossing slots, or spanning more than 2^18 columns, is walked in
// windows of columns instead, each within both limits: edges, sorted by their first column,
// enter an active set and leave it after their last, and each window walks copies clipped to its
// columns; the windows are planned from the columns where the slots per column change, so no
// array is as long as the image is wide. The sorted flat indices of successive windows are in
// increasing order, and they are turned into counts as they come (CountWriter): a 1 x 2^26 box
// needs its 4 edges, one window at a time and its 2 counts, not 2^27 slots.
//
// ---- Exactness --------------------------------------------------------------------------------
// The rounded vertices (5*v + .5), the slopes s and every point (ys + s*t + .5, xs + s*t + .5)
// are computed here from the same operands with the same operations in the same order as in C
// (the project builds with -ffp-contract=off: a fused multiply-add changes about 0.2% of
// polygons). Integers are 64-bit where C uses int: for every input pycocotools handles without
// undefined behaviour (|5*v + .5| < 2^31 and differences that fit in int) every value is
// identical; beyond that range C overflows or crashes, and we continue with exact 64-bit
// integers. The two later double expressions are pure functions of integers and are replaced by
// integer forms that are provably the same function:
//  * xd: (uc + .5)/5 - .5 is an integer exactly when uc = 5X+2 (then every step is exact;
//    otherwise the exact value is at least 0.2 from an integer, far above the rounding error), so
//    the test is uc = 5X+2 with 0 <= X <= w-1.
//  * yd and its ceil: see row().
// The flat index X*h + Y is at most h*w < 2^32, so C's int arithmetic followed by the uint cast
// gives the same number.
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
// clamps to row 0; this value is far below while staying far from overflow.
constexpr i64 kNanRow = std::numeric_limits<i64>::min() / 2;

// Marks a slot whose y-major column pair did not contribute (see the layout note above).
constexpr count_t kHole = std::numeric_limits<count_t>::max();

// floor(a/5) without branches, for |a| < 5*2^50 (every argument here is below ~1.1e15 in
// magnitude): the bias makes the dividend non-negative, where unsigned division is the floor.
inline i64 floor_div5(i64 a) {
    constexpr i64 bias = i64{1} << 50;
    return static_cast<i64>(static_cast<u64>(a + 5 * bias) / 5) - bias;
}

// C's (int)(base + s*t + .5), evaluated in the same order; the operands are bounded (|base| and
// |t| below ~2.1e15, |s| <= 1), so the conversion to int64 is always defined.
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

[[noreturn]] void bad_coordinate(double v, const char* what, std::size_t index) {
    if (std::isnan(v) || std::isinf(v)) {
        throw std::invalid_argument(std::string(what) + " " + format_double(v) + " at index " +
                                    std::to_string(index) + " is not a finite number");
    }
    throw std::invalid_argument(std::string(what) + " " + format_double(v) + " at index " +
                                std::to_string(index) + " is outside [-1e14, 1e14]");
}

inline void check_coordinate(double v, const char* what, std::size_t index) {
    if (!(std::fabs(v) <= max_polygon_coordinate)) bad_coordinate(v, what, index);  // NaN too
}

// (int)(5*v + .5) of pycocotools, in 64 bits. |v| <= 2e14 (boxes add two checked values).
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

// Row of a crossing whose lower point on the 1/5 grid is vmin. C computes
//   yd = (vmin + .5)/5 - .5, clamped to [0, h], then ceil(yd).
// The exact value of yd is (vmin - 2)/5. When vmin = 2 mod 5 every step is exact and yd is that
// integer; otherwise the exact value is at least 0.2 from an integer while the two roundings
// move it by at most 2 ulps (< 2^-10 for |vmin| < 2^40), so ceil(yd) = ceil((vmin - 2)/5) =
// floor((vmin + 2)/5). For |vmin| >= 2^40 both forms clamp (to 0, or to h since h < 2^32). So
// the integer form is the same function of vmin; it was also checked exhaustively against the
// double expression for |vmin| <= 2e7, around 5h, and around every power of two up to 2^62.
inline u64 row(i64 vmin, u64 h) {
    const i64 v = vmin < -2 ? -2 : vmin;  // every vmin < 2 gives row 0, and so does -2
    const u64 y = static_cast<u64>(v + 2) / 5;
    return y < h ? y : h;
}

struct Point {
    i64 u;
    i64 v;
};

// One edge after the first pass.
struct EdgePlan {
    i64 xs, ys;      // start after the flip
    i64 len;         // dx (x-major) or dy (y-major)
    double s;        // C's slope
    i64 x_lo, x_hi;  // columns that can hold a crossing of this edge; empty when x_lo > x_hi
    i64 u_first, u_last;  // y-major: u at t = 0 and t = len
    bool forward;    // u increases along the emitted points
};

struct JointCrossing {
    i64 column;
    count_t key;
};

// Edges and joint crossings: all of a polygon's (pass 1), or those of one column window.
struct EdgeSet {
    // Edges by walk kind (x-major, y-major rising, y-major falling) times direction
    // (backward, forward), so that pass 2 walks each kind without branching per edge.
    static constexpr int kGroups = 6;
    std::vector<EdgePlan> plans[kGroups];
    std::vector<JointCrossing> joints;

    void clear() {
        for (std::vector<EdgePlan>& p : plans) p.clear();
        joints.clear();
    }
};

// Change of the number of slots per column at `column` (window planning).
struct SlotEvent {
    i64 column;
    i64 delta;
};

// Per-thread buffers, reused from call to call (they only grow).
struct Scratch {
    EdgeSet all;
    EdgeSet window;
    std::vector<EdgePlan> active[EdgeSet::kGroups];
    std::vector<SlotEvent> events;
    std::vector<count_t> keys;
    std::vector<std::size_t> front, back;
};

Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

// Keeps the per-thread buffers from holding on to the memory of one exceptionally large polygon.
template <typename T>
void release_if_large(std::vector<T>& v) {
    constexpr std::size_t keep_bytes = std::size_t{1} << 24;
    if (v.capacity() * sizeof(T) > keep_bytes) std::vector<T>().swap(v);
}

void release_if_large(EdgeSet& set) {
    for (std::vector<EdgePlan>& p : set.plans) release_if_large(p);
    release_if_large(set.joints);
}

void release_if_large(Scratch& sc) {
    release_if_large(sc.all);
    release_if_large(sc.window);
    for (std::vector<EdgePlan>& p : sc.active) release_if_large(p);
    release_if_large(sc.events);
    release_if_large(sc.keys);
    release_if_large(sc.front);
    release_if_large(sc.back);
}

// ---- pass 1 ----------------------------------------------------------------------------------

class Planner {
public:
    Planner(u64 h, u64 w, EdgeSet& set) : h_(h), last_column_(static_cast<i64>(w - 1)), sc_(set) {
        sc_.clear();
    }

    // Plans the edge from vertex (x0, y0) to (x1, y1) (quantized) and evaluates the pair it
    // forms with the previous edge's last point. Both orientations are handled by the same
    // code: "a" is the major axis (stepped exactly, point t has a = as + t) and "b" the minor one
    // (walked: b = (int)(bs + s*t + .5)); x-major is (a, b) = (u, v), y-major (a, b) = (v, u).
    void edge(i64 x0, i64 y0, i64 x1, i64 y1, bool first_edge) {
        const i64 dx = x1 > x0 ? x1 - x0 : x0 - x1;
        const i64 dy = y1 > y0 ? y1 - y0 : y0 - y1;
        const bool x_major = dx >= dy;
        const i64 len = x_major ? dx : dy;
        if (len == 0) {  // one point, with C's (int)NaN row
            const Point p{x0, kNanRow};
            if (!first_edge) joint(last_, p);
            last_ = p;
            return;
        }
        const i64 a0 = x_major ? x0 : y0, a1 = x_major ? x1 : y1;
        const i64 b0 = x_major ? y0 : x0, b1 = x_major ? y1 : x1;
        const bool flip = a0 > a1;
        const i64 as = flip ? a1 : a0, bs = flip ? b1 : b0, be = flip ? b0 : b1;
        const double s = static_cast<double>(be - bs) / static_cast<double>(len);
        // walk(bs, s, 0): s*0 is a zero and bs + 0 is bs, so this is (int)(bs + .5).
        const i64 b_first = bs < 0 ? bs + 1 : bs;
        const i64 b_last = walk(bs, s, len);
        // The points are emitted from vertex 0's end: the first has a = a0, the last a = a1.
        const i64 b_head = flip ? b_last : b_first, b_tail = flip ? b_first : b_last;
        const Point head = x_major ? Point{x0, b_head} : Point{b_head, y0};
        if (!first_edge) joint(last_, head);
        last_ = x_major ? Point{x1, b_tail} : Point{b_tail, y1};

        // x-major: pairs (t, t+1), t in [0, dx-1], have uc = xs+t. y-major: the columns c with
        // min u <= c <= max u - 1 have a boundary inside the edge. Keep c = 5X+2, X in [0, w-1].
        const i64 c_lo = x_major ? as : std::min(b_first, b_last);
        const i64 c_hi = x_major ? as + len : std::max(b_first, b_last);
        EdgePlan e;
        e.x_lo = std::max<i64>(0, floor_div5(c_lo + 2));  // ceil((c_lo-2)/5)
        e.x_hi = std::min(last_column_, floor_div5(c_hi - 3));
        if (e.x_lo > e.x_hi) return;
        e.xs = x_major ? as : bs;
        e.ys = x_major ? bs : as;
        e.len = len;
        e.s = s;
        e.u_first = b_first;
        e.u_last = b_last;
        e.forward = x_major ? !flip : (s > 0) != flip;
        const int kind = x_major ? 0 : s > 0 ? 1 : 2;
        sc_.plans[2 * kind + (e.forward ? 1 : 0)].push_back(e);
        note(e.x_lo, e.x_hi);
    }

    // Number of crossing slots, and the columns they span (lo > hi when there are none).
    std::size_t slots() const { return n_; }
    i64 lo() const { return lo_; }
    i64 hi() const { return hi_; }

private:
    void note(i64 x_lo, i64 x_hi) {
        n_ += static_cast<std::size_t>(x_hi - x_lo + 1);
        lo_ = std::min(lo_, x_lo);
        hi_ = std::max(hi_, x_hi);
    }

    // The general test for one consecutive pair of the dense sequence.
    void joint(const Point& prev, const Point& cur) {
        if (cur.u == prev.u) return;
        const i64 uc = cur.u < prev.u ? cur.u : cur.u - 1;
        if (uc < 2 || (uc - 2) % 5 != 0) return;
        const i64 X = (uc - 2) / 5;
        if (X > last_column_) return;
        const u64 key = static_cast<u64>(X) * h_ + row(std::min(prev.v, cur.v), h_);
        sc_.joints.push_back(JointCrossing{X, static_cast<count_t>(key)});  // <= h*w < 2^32
        note(X, X);
    }

    u64 h_;
    i64 last_column_;
    EdgeSet& sc_;
    Point last_{0, 0};
    std::size_t n_ = 0;
    i64 lo_ = std::numeric_limits<i64>::max();
    i64 hi_ = -1;
};

// ---- pass 2 ----------------------------------------------------------------------------------

// Writes each crossing into a free slot of its column: edges of one direction fill the columns
// from the front, the others from the back. In a simple polygon the two directions are the two
// sides of the boundary, so with the order picked from the orientation (see rasterize) the
// crossings of most columns land already sorted. This only saves work in the insertion sort;
// any placement inside the column gives the same result.
struct SlotSink {
    count_t* keys;
    std::size_t* front;  // next free slot from the front of column lo + i
    std::size_t* back;   // one past the last free slot from the back of column lo + i
    i64 lo;
    bool forward_first;
    bool holes = false;

    // Copies of the pointers, so that the compiler need not reload them after every store.
    template <bool ToFront>
    struct Edge {
        count_t* keys;
        std::size_t* slot;  // front or back
        i64 lo;
        bool* holes;
        void put(i64 X, count_t key) const {
            const std::size_t i = static_cast<std::size_t>(X - lo);
            if (ToFront) {
                keys[slot[i]++] = key;
            } else {
                keys[--slot[i]] = key;
            }
        }
        void hole(i64 X) const {
            *holes = true;
            put(X, kHole);
        }
    };

    template <typename Walk>
    void edge(bool forward, Walk walk_edge) {
        if (forward == forward_first) {
            walk_edge(Edge<true>{keys, front, lo, &holes});
        } else {
            walk_edge(Edge<false>{keys, back, lo, &holes});
        }
    }
};

// Appends the crossings in production order.
struct ListSink {
    count_t* next;

    struct Edge {
        ListSink& sink;
        void put(i64, count_t key) const { *sink.next++ = key; }
        void hole(i64) const {}
    };

    template <typename Walk>
    void edge(bool, Walk walk_edge) {
        walk_edge(Edge{*this});
    }
};

template <typename Out>
void walk_x_major(const EdgePlan& e, u64 h, const Out& out) {
    // v(t) is monotone in t (see walk_y_major), non-decreasing for s >= 0, so the lower v of the
    // pair (t, t+1) is v(t) when s >= 0 and v(t+1) otherwise. The t of successive columns step
    // by 5; as doubles these integers (< 2^53) are exact.
    const double ysd = static_cast<double>(e.ys);
    double td = static_cast<double>(5 * e.x_lo + 2 - e.xs + (e.s < 0 ? 1 : 0));
    u64 base = static_cast<u64>(e.x_lo) * h;
    const i64 x_hi = e.x_hi;  // a local: the stores in put() could otherwise alias it
    for (i64 X = e.x_lo; X <= x_hi; ++X, td += 5.0, base += h) {
        double z = ysd + e.s * td;  // C: (int)(ys + s*t + .5)
        z = z + 0.5;
        out.put(X, static_cast<count_t>(base + row(static_cast<i64>(z), h)));
    }
}

// u(t) = (int)(xs + s*t + .5) is monotone in t (non-decreasing when Rising, s > 0).
template <bool Rising, typename Out>
void walk_y_major(const EdgePlan& e, u64 h, const Out& out) {
    // Locals: the stores in put() could otherwise alias the plan's fields.
    const i64 xs = e.xs, ys = e.ys, dy = e.len, x_hi = e.x_hi, u_first = e.u_first;
    const i64 u_last = e.u_last;
    const double s = e.s;
    // uc = hi-1 when the points are emitted with u increasing, lo when decreasing.
    const bool use_hi = e.forward;
    const double dyd = static_cast<double>(dy);
    const double xsd = static_cast<double>(xs);
    const double inv_s = 1.0 / s;
    for (i64 X = e.x_lo; X <= x_hi; ++X) {
        const i64 c = 5 * X + 2;
        // past(u): the point is beyond the boundary between u <= c and u >= c+1. It is false at
        // t = 0 and true at t = dy because min u <= c < max u; T* is the first t past it.
        auto past = [c](i64 u) { return Rising ? u >= c + 1 : u <= c; };
        // Estimate of T* from the exact line (the first t with xs + s*t + .5 >= c+1 when rising,
        // < c+1 when falling), clamped to [1, dy]; only a starting point.
        const double est = (static_cast<double>(c) + 0.5 - xsd) * inv_s;
        i64 t0;
        if (!(est >= 0.0)) {
            t0 = 1;
        } else if (est >= dyd) {
            t0 = dy;
        } else {
            t0 = static_cast<i64>(est) + 1;
            if (t0 > dy) t0 = dy;
        }
        i64 hi = t0;
        i64 u_at_hi = walk(xs, s, t0);
        i64 u_at_lo = walk(xs, s, t0 - 1);
        if (!past(u_at_hi) || past(u_at_lo)) {
            // The estimate missed (rare): bracket T* in (lo, hi] by galloping from it, then
            // bisect, keeping the u values at both ends.
            i64 lo;
            if (past(u_at_hi)) {
                lo = t0 - 1;  // past(u_at_lo) holds, so lo >= 1 (u(0) is never past)
                for (i64 step = 1;; step *= 2) {
                    hi = lo;
                    u_at_hi = u_at_lo;
                    const i64 cand = hi - step;
                    if (cand <= 0) {
                        lo = 0;
                        u_at_lo = u_first;
                        break;
                    }
                    const i64 u = walk(xs, s, cand);
                    lo = cand;
                    u_at_lo = u;
                    if (!past(u)) break;
                }
            } else {
                lo = t0;  // not past, so t0 < dy (u(dy) is always past)
                u_at_lo = u_at_hi;
                for (i64 step = 1;; step *= 2) {
                    const i64 cand = lo + step;
                    if (cand >= dy) {
                        hi = dy;
                        u_at_hi = u_last;
                        break;
                    }
                    const i64 u = walk(xs, s, cand);
                    if (past(u)) {
                        hi = cand;
                        u_at_hi = u;
                        break;
                    }
                    lo = cand;
                    u_at_lo = u;
                }
            }
            while (hi - lo > 1) {
                const i64 mid = lo + (hi - lo) / 2;
                const i64 u = walk(xs, s, mid);
                if (past(u)) {
                    hi = mid;
                    u_at_hi = u;
                } else {
                    lo = mid;
                    u_at_lo = u;
                }
            }
        }
        // The pair is (hi-1, hi); its smaller u is on the "<= c" side. Its lower v is ys+hi-1.
        // (u_small <= c < u_large holds by construction; it is rechecked as a cheap guard.)
        const i64 u_small = Rising ? u_at_lo : u_at_hi;
        const i64 u_large = Rising ? u_at_hi : u_at_lo;
        if (u_small <= c && c < u_large && (use_hi ? u_large == c + 1 : u_small == c)) {
            out.put(X, static_cast<count_t>(static_cast<u64>(X) * h + row(ys + hi - 1, h)));
        } else {
            out.hole(X);
        }
    }
}

template <typename Sink>
void walk_all(const EdgeSet& sc, u64 h, Sink& sink) {
    sink.edge(true, [&sc](const auto& out) {
        for (const JointCrossing& j : sc.joints) out.put(j.column, j.key);
    });
    for (int forward = 0; forward < 2; ++forward) {
        sink.edge(forward != 0, [&sc, h, forward](const auto& out) {
            for (const EdgePlan& e : sc.plans[0 + forward]) walk_x_major(e, h, out);
            for (const EdgePlan& e : sc.plans[2 + forward]) walk_y_major<true>(e, h, out);
            for (const EdgePlan& e : sc.plans[4 + forward]) walk_y_major<false>(e, h, out);
        });
    }
}

// Column slots: start[i] = first slot of column lo + i (i <= span, start[span] = n) and, when back
// is given, back[i] = start[i+1]. A difference array of the per-column counts turned into prefix
// sums (unsigned wrap-around cancels). Returns the largest number of slots of one column.
std::size_t column_slots(const EdgeSet& sc, i64 lo, std::size_t span, std::size_t* start,
                         std::size_t* back) {
    std::fill(start, start + span + 1, std::size_t{0});
    for (const JointCrossing& j : sc.joints) {
        ++start[static_cast<std::size_t>(j.column - lo)];
        --start[static_cast<std::size_t>(j.column - lo) + 1];
    }
    for (const std::vector<EdgePlan>& group : sc.plans) {
        for (const EdgePlan& e : group) {
            ++start[static_cast<std::size_t>(e.x_lo - lo)];
            --start[static_cast<std::size_t>(e.x_hi - lo) + 1];
        }
    }
    std::size_t per_column = 0, next = 0, longest = 0;
    for (std::size_t i = 0; i < span; ++i) {
        per_column += start[i];
        longest = std::max(longest, per_column);
        start[i] = next;
        next += per_column;
        if (back != nullptr) back[i] = next;
    }
    start[span] = next;
    return longest;
}

// A smaller column always has a smaller or equal flat index, so only each column's own
// crossings (usually two) need ordering.
constexpr std::size_t kSmallColumn = 16;

// Insertion sort of [first, last): keys that are already in place (most of them, here) cost
// one comparison each. It also sorts a whole array laid out by column when no column holds more
// than kSmallColumn keys and there are no holes: it then never moves a key out of its column
// (the keys before it are <= it), so each key moves fewer than kSmallColumn places.
void insertion_sort(count_t* first, count_t* last) {
    for (count_t* it = first + 1; it < last; ++it) {
        const count_t v = *it;
        if (it[-1] <= v) continue;
        count_t* j = it;
        do {
            *j = j[-1];
            --j;
        } while (j > first && j[-1] > v);
        *j = v;
    }
}


// The general case: column i occupies key[start[i], start[i+1]), i < span; columns with many
// keys use std::sort. Holes (kHole) end up at the end of their column and are squeezed out.
// Returns the number of keys left.
std::size_t sort_by_column(count_t* key, const std::size_t* start, std::size_t span) {
    bool holes = false;
    for (std::size_t c = 0; c < span; ++c) {
        count_t* first = key + start[c];
        count_t* last = key + start[c + 1];
        const std::size_t len = static_cast<std::size_t>(last - first);
        if (len > kSmallColumn) {
            std::sort(first, last);  // many edges through one column: keep n log n
        } else {
            insertion_sort(first, last);
        }
        if (len > 0 && last[-1] == kHole) holes = true;
    }
    const std::size_t n = start[span];
    if (!holes) return n;
    // A kHole equal to a genuine h*w = 2^32-1 is dropped too, which is harmless (see the
    // layout note at the top).
    return static_cast<std::size_t>(
        std::remove(key, key + n, kHole) - key);
}

// Turns the sorted flat indices, fed in order in any number of pieces and closed with the
// sentinel h*w, into counts: diff[j] = key[j] - key[j-1] (key[-1] = 0). diff[0] is output; then
// each positive diff is a new count, and a zero diff is dropped together with folding the next
// diff into the last count, the way pycocotools collapses them.
class CountWriter {
public:
    explicit CountWriter(std::vector<count_t>& counts) : counts_(counts) {}

    void add(const count_t* key, std::size_t n) {
        for (std::size_t j = 0; j < n; ++j) feed(key[j]);
    }
    void close(count_t sentinel) { feed(sentinel); }

private:
    void feed(count_t cur) {
        if (first_) {
            counts_.push_back(cur);
            first_ = false;
        } else if (fold_) {
            counts_.back() += cur - prev_;
            fold_ = false;
        } else if (cur != prev_) {
            counts_.push_back(cur - prev_);
        } else {
            fold_ = true;
        }
        prev_ = cur;
    }

    std::vector<count_t>& counts_;
    count_t prev_ = 0;
    bool first_ = true;
    bool fold_ = false;
};

// Walks the edges of `set`, whose n > 0 crossing slots lie in columns lo..hi, and feeds their
// flat indices, sorted, to `out`.
void crossings(Scratch& sc, const EdgeSet& set, std::size_t n, i64 lo, i64 hi, u64 h, bool forward_first,
               CountWriter& out) {
    if (sc.keys.size() < n) sc.keys.resize(std::max(2 * sc.keys.size(), n + 64));
    // The columns of a closed boundary are contiguous except across jumps of u, so in practice
    // the span is about n; the sort is a guard for pathological inputs (and, with
    // MASKKIT_POLYGON_FORCE_SORT defined, a path the tests can exercise).
#ifdef MASKKIT_POLYGON_FORCE_SORT
    const bool by_column = false;
#else
    const bool by_column = static_cast<u64>(hi - lo) < 4 * static_cast<u64>(n) + 64;
#endif
    count_t* keys = sc.keys.data();
    if (by_column) {
        const std::size_t span = static_cast<std::size_t>(hi - lo) + 1;
        if (sc.front.size() < span + 1) sc.front.resize(std::max(2 * sc.front.size(), span + 64));
        if (sc.back.size() < span) sc.back.resize(sc.front.size());
        std::size_t* front = sc.front.data();
        const std::size_t longest = column_slots(set, lo, span, front, sc.back.data());
        SlotSink sink{keys, front, sc.back.data(), lo, forward_first};
        walk_all(set, h, sink);
        std::size_t kept = n;
        if (longest <= kSmallColumn && !sink.holes) {
            insertion_sort(keys, keys + n);
        } else {
            column_slots(set, lo, span, front, nullptr);  // the walk moved the slot pointers
            kept = sort_by_column(keys, front, span);
        }
        out.add(keys, kept);
    } else {
        ListSink sink{keys};
        walk_all(set, h, sink);
        const std::size_t kept = static_cast<std::size_t>(sink.next - keys);
        std::sort(keys, keys + kept);
        out.add(keys, kept);
    }
}

// A polygon whose crossings need more than this many slots or columns is walked in windows of
// columns, each within both limits (a single column may hold more slots), so that the memory
// is bounded by the edges and the output rather than by the image width. Column gaps without
// crossings longer than kLongGap end a window.
constexpr std::size_t kWindowSlots = std::size_t{1} << 18;
constexpr i64 kWindowColumns = i64{1} << 18;
constexpr i64 kLongGap = 64;

// Calls window(c0, c1, slots) for consecutive column windows covering every crossing slot, in
// increasing column order. The slots per column change only at an edge's first column and one
// past its last, so the windows are planned from those events, not from a per-column array.
template <typename Window>
void plan_windows(std::vector<SlotEvent>& events, Window window) {
    std::sort(events.begin(), events.end(),
              [](const SlotEvent& a, const SlotEvent& b) { return a.column < b.column; });
    std::size_t e = 0;
    i64 active = 0;  // slots per column from `col` to the next event
    auto apply = [&](i64 col) {
        while (e < events.size() && events[e].column == col) active += events[e++].delta;
    };
    i64 col = events.empty() ? 0 : events[0].column;
    apply(col);
    while (true) {
        if (active == 0) {
            if (e == events.size()) return;
            col = events[e].column;
            apply(col);
            continue;
        }
        const i64 c0 = col;
        std::size_t slots = 0;
        while (true) {
            const i64 segment = events[e].column - col;  // an edge still open has an end event
            const auto per_column = static_cast<std::size_t>(active);
            i64 take = std::min<i64>(segment, kWindowColumns - (col - c0));
            take = std::min<i64>(take, static_cast<i64>((kWindowSlots - std::min(slots, kWindowSlots)) / per_column));
            if (take == 0 && col == c0) take = 1;  // one column with more slots than the budget
            slots += static_cast<std::size_t>(take) * per_column;
            col += take;
            if (take < segment) break;  // the window is full
            apply(col);
            if (active == 0 && (e == events.size() || events[e].column - col > kLongGap ||
                                events[e].column - c0 >= kWindowColumns)) {
                break;
            }
            if (active == 0) {  // a short gap: the window goes on after it
                col = events[e].column;
                apply(col);
            }
        }
        window(c0, col - 1, slots);
    }
}

// The windowed walk: edges enter a window's active set in order of their first column and leave
// it after their last; each window walks copies of them clipped to its columns.
void walk_windows(Scratch& sc, u64 h, bool forward_first, CountWriter& out) {
    EdgeSet& all = sc.all;
    sc.events.clear();
    for (std::vector<EdgePlan>& group : all.plans) {
        for (const EdgePlan& e : group) {
            sc.events.push_back({e.x_lo, 1});
            sc.events.push_back({e.x_hi + 1, -1});
        }
        std::sort(group.begin(), group.end(), [](const EdgePlan& a, const EdgePlan& b) { return a.x_lo < b.x_lo; });
    }
    for (const JointCrossing& j : all.joints) {
        sc.events.push_back({j.column, 1});
        sc.events.push_back({j.column + 1, -1});
    }
    std::sort(all.joints.begin(), all.joints.end(),
              [](const JointCrossing& a, const JointCrossing& b) { return a.column < b.column; });
    std::size_t next[EdgeSet::kGroups] = {};
    std::size_t next_joint = 0;
    for (std::vector<EdgePlan>& a : sc.active) a.clear();
    plan_windows(sc.events, [&](i64 c0, i64 c1, std::size_t slots) {
        sc.window.clear();
        for (int g = 0; g < EdgeSet::kGroups; ++g) {
            const std::vector<EdgePlan>& group = all.plans[g];
            std::vector<EdgePlan>& active = sc.active[g];
            while (next[g] < group.size() && group[next[g]].x_lo <= c1) active.push_back(group[next[g]++]);
            active.erase(std::remove_if(active.begin(), active.end(), [c0](const EdgePlan& e) { return e.x_hi < c0; }),
                         active.end());
            for (EdgePlan e : active) {
                e.x_lo = std::max(e.x_lo, c0);
                e.x_hi = std::min(e.x_hi, c1);
                sc.window.plans[g].push_back(e);
            }
        }
        while (next_joint < all.joints.size() && all.joints[next_joint].column <= c1)
            sc.window.joints.push_back(all.joints[next_joint++]);
        crossings(sc, sc.window, slots, c0, c1, h, forward_first, out);
    });
}

template <typename Vertex>
void rasterize(std::size_t k, Vertex vertex, u64 h, u64 w, std::vector<count_t>& counts) {
    Scratch& sc = scratch();
    Planner planner(h, w, sc.all);
    double area2 = 0;  // twice the signed area (approximately; it only picks a slot order)
    if (k > 0) {
        i64 x_first, y_first;
        vertex(0, x_first, y_first);
        i64 x0 = x_first, y0 = y_first;
        for (std::size_t j = 0; j < k; ++j) {
            i64 x1 = x_first, y1 = y_first;  // the polygon is closed: vertex k is vertex 0
            if (j + 1 < k) vertex(j + 1, x1, y1);
            planner.edge(x0, y0, x1, y1, j == 0);
            area2 += static_cast<double>(x0) * static_cast<double>(y1) -
                     static_cast<double>(x1) * static_cast<double>(y0);
            x0 = x1;
            y0 = y1;
        }
    }

    CountWriter out(counts);
    const std::size_t n = planner.slots();
    if (n > 0) {
        const i64 lo = planner.lo(), hi = planner.hi();
        if (n <= kWindowSlots && hi - lo < kWindowColumns) {
            crossings(sc, sc.all, n, lo, hi, h, area2 > 0, out);
        } else {
            walk_windows(sc, h, area2 > 0, out);
        }
    }
    out.close(static_cast<count_t>(h * w));  // every key is <= h*w
    release_if_large(sc);
}

}  // namespace

void check_polygon_coordinates(const double* xy, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) check_coordinate(xy[i], "polygon coordinate", i);
}

void polygon_to_rle(const double* xy, std::size_t k, std::uint64_t h, std::uint64_t w,
                    std::vector<count_t>& counts) {
    check_size(h, w);
    check_polygon_coordinates(xy, 2 * k);
    if (h == 0 || w == 0) {
        counts.push_back(0);
        return;
    }
    rasterize(
        k,
        [xy](std::size_t j, i64& x, i64& y) {
            x = quantize(xy[2 * j]);
            y = quantize(xy[2 * j + 1]);
        },
        h, w, counts);
}

void box_to_rle(const double* box, std::uint64_t h, std::uint64_t w, std::vector<count_t>& counts) {
    check_size(h, w);
    for (std::size_t i = 0; i < 4; ++i) check_coordinate(box[i], "box value", i);
    if (h == 0 || w == 0) {
        counts.push_back(0);
        return;
    }
    // rleFrBbox: xs = x, xe = x+bw, ys = y, ye = y+bh (double sums, |sum| <= 2e14, still exact to
    // quantize in int64), rasterized as the polygon (xs,ys) (xs,ye) (xe,ye) (xe,ys).
    const double xs = box[0], ys = box[1];
    const double xe = xs + box[2], ye = ys + box[3];
    const i64 qx[4] = {quantize(xs), quantize(xs), quantize(xe), quantize(xe)};
    const i64 qy[4] = {quantize(ys), quantize(ye), quantize(ye), quantize(ys)};
    rasterize(
        4,
        [&qx, &qy](std::size_t j, i64& x, i64& y) {
            x = qx[j];
            y = qy[j];
        },
        h, w, counts);
}

}  // namespace maskkit
