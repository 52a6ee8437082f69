// Polygon checks: area, orientation, degeneracy, vertices outside the image and exact
// self-intersection.
//
// Orientation signs are exact: the determinant is first evaluated in double with Shewchuk's
// error bound; when the bound does not settle the sign, the determinant is expanded into its
// twelve coordinate products, each split exactly into two doubles with fma, and summed as a
// floating-point expansion (two-sum, no rounding error), whose largest component has the sign
// of the exact value. This needs every product and its rounding error to be representable:
// coordinates are bounded by max_polygon_coordinate and are 0 or at least 1e-100 in magnitude.
//
// Self-intersection: after dropping repeated consecutive vertices, edges are sorted by their
// smallest x and each is compared with the later edges whose x-range starts before its own
// ends (a sweep over x; quadratic only for polygons whose edges mostly overlap in x).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "maskkit/polygon.hpp"
#include "maskkit/polygon_vector.hpp"

namespace maskkit {
namespace {

constexpr double kEpsilon = 1.1102230246251565e-16;  // 2^-53
constexpr double kOrientBound = (3.0 + 16.0 * kEpsilon) * kEpsilon;

// a + b = s + e exactly.
inline void two_sum(double a, double b, double& s, double& e) {
    s = a + b;
    const double bv = s - a, av = s - bv;
    e = (a - av) + (b - bv);
}

// Adds value to the expansion (components in increasing magnitude, zeros dropped).
void grow(std::vector<double>& expansion, double value) {
    std::size_t out = 0;
    double q = value;
    for (std::size_t i = 0; i < expansion.size(); ++i) {
        double s, e;
        two_sum(q, expansion[i], s, e);
        if (e != 0) expansion[out++] = e;
        q = s;
    }
    expansion.resize(out);
    if (q != 0) expansion.push_back(q);
}

int exact_orient(const double* a, const double* b, const double* c) {
    // (ax-cx)(by-cy) - (ay-cy)(bx-cx) = ax*by - ax*cy - cx*by - ay*bx + ay*cx + cy*bx
    // (the cx*cy terms cancel).
    const double terms[6][3] = {{a[0], b[1], 1}, {a[0], c[1], -1}, {c[0], b[1], -1},
                                {a[1], b[0], -1}, {a[1], c[0], 1}, {c[1], b[0], 1}};
    std::vector<double> expansion;
    expansion.reserve(16);
    for (const auto& t : terms) {
        const double p = t[0] * t[1];
        const double e = std::fma(t[0], t[1], -p);
        grow(expansion, t[2] * p);
        grow(expansion, t[2] * e);
    }
    if (expansion.empty()) return 0;
    return expansion.back() > 0 ? 1 : -1;
}

// Is q (collinear with segment p-r) within the segment's bounding box?
inline bool on_segment(const double* p, const double* q, const double* r) {
    return std::min(p[0], r[0]) <= q[0] && q[0] <= std::max(p[0], r[0]) && std::min(p[1], r[1]) <= q[1] &&
           q[1] <= std::max(p[1], r[1]);
}

bool segments_meet(const double* p1, const double* p2, const double* q1, const double* q2) {
    const int o1 = orient2d_sign(p1, p2, q1), o2 = orient2d_sign(p1, p2, q2);
    const int o3 = orient2d_sign(q1, q2, p1), o4 = orient2d_sign(q1, q2, p2);
    if (o1 == 0 && on_segment(p1, q1, p2)) return true;
    if (o2 == 0 && on_segment(p1, q2, p2)) return true;
    if (o3 == 0 && on_segment(q1, p1, q2)) return true;
    if (o4 == 0 && on_segment(q1, p2, q2)) return true;
    return o1 * o2 < 0 && o3 * o4 < 0;
}

// Consecutive edges a->b, b->c overlap beyond b when c turns straight back along a->b.
bool folds_back(const double* a, const double* b, const double* c) {
    if (orient2d_sign(a, b, c) != 0) return false;
    if (a[0] != b[0]) return (a[0] < b[0]) == (c[0] < b[0]);
    return (a[1] < b[1]) == (c[1] < b[1]);
}

bool self_intersecting(const std::vector<double>& v) {
    const std::size_t n = v.size() / 2;
    if (n < 3) return false;
    const double* p = v.data();
    const auto vertex = [&](std::size_t i) { return p + 2 * (i % n); };
    for (std::size_t i = 0; i < n; ++i)
        if (folds_back(vertex(i), vertex(i + 1), vertex(i + 2))) return true;
    if (n == 3) return false;
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto lo = [&](std::size_t e) { return std::min(vertex(e)[0], vertex(e + 1)[0]); };
    const auto hi = [&](std::size_t e) { return std::max(vertex(e)[0], vertex(e + 1)[0]); };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lo(a) < lo(b) || (lo(a) == lo(b) && a < b); });
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t e = order[k];
        const double end = hi(e);
        for (std::size_t m = k + 1; m < n && lo(order[m]) <= end; ++m) {
            const std::size_t f = order[m];
            const std::size_t gap = e > f ? e - f : f - e;
            if (gap == 1 || gap == n - 1) continue;  // neighbours share a vertex (folds handled above)
            if (segments_meet(vertex(e), vertex(e + 1), vertex(f), vertex(f + 1))) return true;
        }
    }
    return false;
}

}  // namespace

int orient2d_sign(const double* a, const double* b, const double* c) {
    const double left = (a[0] - c[0]) * (b[1] - c[1]);
    const double right = (a[1] - c[1]) * (b[0] - c[0]);
    const double det = left - right;
    const double bound = kOrientBound * (std::fabs(left) + std::fabs(right));
    if (det > bound) return 1;
    if (-det > bound) return -1;
    return exact_orient(a, b, c);
}

PolygonFacts polygon_facts(const double* xy, std::size_t n, double height, double width, bool crossings) {
    for (std::size_t i = 0; i < 2 * n; ++i) {
        const double v = xy[i];
        if (!std::isfinite(v) || std::fabs(v) > max_polygon_coordinate || (v != 0 && std::fabs(v) < 1e-100))
        {
            char text[64];
            std::snprintf(text, sizeof text, "%.17g", v);
            throw std::invalid_argument("polygon coordinates must be finite, at most 1e14 and 0 or at least 1e-100 "
                                        "in magnitude (for exact predicates), got " + std::string(text));
        }
    }
    PolygonFacts facts{0.0, 0, true, false, false};
    std::vector<double> v;
    v.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        const double x = xy[2 * i], y = xy[2 * i + 1];
        facts.outside = facts.outside || x < 0 || y < 0 || x > width || y > height;
        if (!v.empty() && v[v.size() - 2] == x && v.back() == y) continue;
        v.push_back(x);
        v.push_back(y);
    }
    while (v.size() >= 4 && v[0] == v[v.size() - 2] && v[1] == v.back()) v.resize(v.size() - 2);
    const std::size_t m = v.size() / 2;
    // Shoelace sum, relative to the first vertex to keep large offsets from cancelling.
    double twice = 0;
    for (std::size_t i = 1; i + 1 < m; ++i)
        twice += (v[2 * i] - v[0]) * (v[2 * i + 3] - v[1]) - (v[2 * i + 2] - v[0]) * (v[2 * i + 1] - v[1]);
    facts.area = std::fabs(twice) / 2;
    // On screen (y down) a positive sum runs clockwise.
    facts.orientation = twice > 0 ? -1 : (twice < 0 ? 1 : 0);
    facts.degenerate = m < 3 || twice == 0;
    if (facts.degenerate) facts.orientation = 0;
    facts.self_intersecting = crossings && self_intersecting(v);
    return facts;
}

}  // namespace maskkit
