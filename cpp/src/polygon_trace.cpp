// Crack following: the boundaries of a mask traced along pixel edges (see polygon_vector.hpp).
//
// The mask is copied once into a zero-padded byte image whose bit 0 is the pixel and bit 1
// marks the horizontal crack above the pixel as traced. Horizontal cracks are scanned in raster
// order; an untraced boundary crack starts a new ring: an outer ring when the foreground lies
// below it, a hole ring when it lies above (the topmost crack of either kind of ring is met
// first). The walk keeps the foreground on its left and turns left whenever the pixel ahead on
// the left is background, which splits pixels touching at a corner (4-connected foreground).
//
// Nesting: every vertical crack a walk crosses records its ring. When a ring starts at line y,
// the row above is scanned from the left, each boundary crack telling which region the scan
// enters (the component of an outer ring, or the hole of a hole ring), so the region the new
// ring starts next to, and hence its parent, is known without labelling the image.
#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "maskkit/polygon_vector.hpp"
#include "polygon_window.hpp"

namespace maskkit {
namespace {

struct Tracer {
    std::int64_t w, h, W2;  // W2: padded row length
    std::vector<std::uint8_t> pad;
    std::unique_ptr<std::int32_t[]> vring;  // ring id of each traced vertical crack (h x (w+1))
    std::vector<std::int32_t> parent;
    std::vector<std::uint8_t> hole;
    std::vector<std::int64_t> points;
    std::vector<std::int64_t> offsets{0};

    std::uint8_t& at(std::int64_t x, std::int64_t y) { return pad[static_cast<std::size_t>((y + 1) * W2 + x + 1)]; }
    bool fg(std::int64_t x, std::int64_t y) { return at(x, y) & 1; }

    // Ahead-left and ahead-right pixels at vertex (X, Y) heading d (0 +x, 1 +y, 2 -x, 3 -y).
    bool ahead_left(std::int64_t X, std::int64_t Y, int d) {
        switch (d) {
            case 0: return fg(X, Y - 1);
            case 1: return fg(X, Y);
            case 2: return fg(X - 1, Y);
            default: return fg(X - 1, Y - 1);
        }
    }
    bool ahead_right(std::int64_t X, std::int64_t Y, int d) {
        switch (d) {
            case 0: return fg(X, Y);
            case 1: return fg(X - 1, Y);
            case 2: return fg(X - 1, Y - 1);
            default: return fg(X, Y - 1);
        }
    }

    // Walks one ring from vertex (X0, Y0) heading d0, recording the corners and the cracks.
    void walk(std::int64_t X0, std::int64_t Y0, int d0, std::int32_t id) {
        static constexpr std::int64_t dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1};
        std::int64_t X = X0, Y = Y0;
        int d = d0;
        points.push_back(X0);
        points.push_back(Y0);
        for (;;) {
            switch (d) {
                case 0: at(X, Y) |= 2; break;
                case 1: vring[static_cast<std::size_t>(Y * (w + 1) + X)] = id; break;
                case 2: at(X - 1, Y) |= 2; break;
                default: vring[static_cast<std::size_t>((Y - 1) * (w + 1) + X)] = id; break;
            }
            X += dx[d];
            Y += dy[d];
            int next = d;
            if (!ahead_left(X, Y, d))
                next = (d + 3) & 3;
            else if (ahead_right(X, Y, d))
                next = (d + 1) & 3;
            if (X == X0 && Y == Y0 && next == d0) break;
            if (next != d) {
                points.push_back(X);
                points.push_back(Y);
            }
            d = next;
        }
        offsets.push_back(static_cast<std::int64_t>(points.size() / 2));
    }

    // The region of row `row` at column x: -1 outside every ring, else the ring bounding it
    // (a component's outer ring, or a hole's ring). Scans from `cx` (state in `region`).
    void advance(std::int64_t row, std::int64_t& cx, std::int32_t& region, std::int64_t x) {
        for (std::int64_t c = cx + 1; c <= x; ++c) {
            const bool now = fg(c, row);
            if (now == fg(c - 1, row)) continue;
            const std::int32_t r = vring[static_cast<std::size_t>(row * (w + 1) + c)];
            // Entering foreground: the component's outer ring; entering background: the hole.
            const bool ring_is_hole = hole[static_cast<std::size_t>(r)] != 0;
            region = (now != ring_is_hole) ? r : parent[static_cast<std::size_t>(r)];
        }
        cx = x;
    }

    void run() {
        for (std::int64_t Y = 0; Y <= h; ++Y) {
            std::int64_t cx = -1;
            std::int32_t region = -1;
            const std::uint8_t* above = &pad[static_cast<std::size_t>(Y * W2 + 1)];
            const std::uint8_t* below = above + W2;
            for (std::int64_t X = 0; X < w; ++X) {
                // Skip eight equal columns at a time (the common case far from any boundary).
                if (X + 8 <= w) {
                    std::uint64_t a, b;
                    std::memcpy(&a, above + X, 8);
                    std::memcpy(&b, below + X, 8);
                    if (((a ^ b) & 0x0101010101010101ULL) == 0) {
                        X += 7;
                        continue;
                    }
                }
                const bool up = above[X] & 1, down = below[X] & 1;
                if (up == down || (below[X] & 2)) continue;
                const auto id = static_cast<std::int32_t>(parent.size());
                if (Y > 0) advance(Y - 1, cx, region, X);
                // Outer ring (foreground below): the region above is the background around it.
                // Hole ring (foreground above): the region above is the component it holes.
                parent.push_back(Y > 0 ? region : -1);
                hole.push_back(up ? 1 : 0);
                if (down)
                    walk(X, Y, 1, id);  // down the left side first
                else
                    walk(X, Y, 0, id);  // along the hole's top edge
            }
        }
    }
};

void link(Rings& out, const std::vector<std::int32_t>& parents) {
    const std::size_t n = parents.size();
    out.hierarchy.assign(4 * n, -1);
    std::vector<std::int32_t> last_child(n, -1);
    std::int32_t last_root = -1;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t p = parents[i];
        std::int32_t& last = p < 0 ? last_root : last_child[static_cast<std::size_t>(p)];
        out.hierarchy[4 * i + 3] = p;
        out.hierarchy[4 * i + 1] = last;
        if (last >= 0)
            out.hierarchy[4 * static_cast<std::size_t>(last)] = static_cast<std::int32_t>(i);
        else if (p >= 0)
            out.hierarchy[4 * static_cast<std::size_t>(p) + 2] = static_cast<std::int32_t>(i);
        last = static_cast<std::int32_t>(i);
    }
}

// Keeps the rings with keep[i], in order; parents[i] (over the old ids) become the nearest kept
// ancestor.
Rings select(const std::vector<std::int64_t>& points, const std::vector<std::int64_t>& offsets,
             const std::vector<std::int32_t>& parents, const std::vector<std::uint8_t>& holes,
             const std::vector<std::uint8_t>& keep) {
    const std::size_t n = parents.size();
    std::vector<std::int32_t> new_id(n, -1), kept_parents;
    Rings out;
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i]) continue;
        new_id[i] = static_cast<std::int32_t>(out.size());
        std::int32_t p = parents[i];
        while (p >= 0 && new_id[static_cast<std::size_t>(p)] < 0) p = parents[static_cast<std::size_t>(p)];
        kept_parents.push_back(p < 0 ? -1 : new_id[static_cast<std::size_t>(p)]);
        out.points.insert(out.points.end(), points.begin() + 2 * offsets[i], points.begin() + 2 * offsets[i + 1]);
        out.offsets.push_back(static_cast<std::int64_t>(out.points.size() / 2));
        out.holes.push_back(holes[i]);
    }
    link(out, kept_parents);
    return out;
}

}  // namespace

Rings trace_pixel_edges(const std::uint8_t* mask, std::uint64_t height, std::uint64_t width,
                        std::int64_t stride_y, std::int64_t stride_x, RingMode mode) {
    // Ring numbers and window offsets are 32-bit (as OpenCV's): (h + 2) * (w + 2) < 2^31.
    if (height >= (1ULL << 31) || width >= (1ULL << 31) || (height + 2) * (width + 2) >= (1ULL << 31))
        throw std::overflow_error("mask is too large to trace: " + std::to_string(height) + " x " +
                                  std::to_string(width) + " pixels; (h + 2) * (w + 2) must be below 2**31");
    const detail::Window win = detail::foreground_window(mask, static_cast<std::int64_t>(height),
                                                         static_cast<std::int64_t>(width), stride_y, stride_x);
    Tracer t;
    t.h = win.y1 - win.y0;
    t.w = win.x1 - win.x0;
    t.W2 = t.w + 2;
    // Eight zero bytes after the last row keep the 8-byte reads of the scan inside the buffer.
    detail::copy_window(mask, stride_y, stride_x, win, 8, t.pad);
    t.vring.reset(new std::int32_t[static_cast<std::size_t>(t.h * (t.w + 1) + 1)]);
    t.run();
    for (std::size_t i = 0; i < t.points.size(); i += 2) {
        t.points[i] += win.x0;
        t.points[i + 1] += win.y0;
    }

    const std::size_t n = t.parent.size();
    std::vector<std::uint8_t> keep(n, 1);
    std::vector<std::int32_t> parents = t.parent;
    switch (mode) {
        case RingMode::Tree: break;
        case RingMode::List: std::fill(parents.begin(), parents.end(), -1); break;
        case RingMode::CComp:
            for (std::size_t i = 0; i < n; ++i)
                if (!t.hole[i]) parents[i] = -1;
            break;
        case RingMode::External:
            for (std::size_t i = 0; i < n; ++i) keep[i] = !t.hole[i] && t.parent[i] < 0;
            break;
    }
    return select(t.points, t.offsets, parents, t.hole, keep);
}

std::vector<double> ring_coordinates(const Rings& rings, double dx, double dy) {
    std::vector<double> xy(rings.points.size());
    for (std::size_t i = 0; i < xy.size(); i += 2) {
        xy[i] = static_cast<double>(rings.points[i]) + dx;
        xy[i + 1] = static_cast<double>(rings.points[i + 1]) + dy;
    }
    return xy;
}

void finish_rings(Rings& rings, double epsilon, std::size_t min_points) {
    const std::size_t n = rings.size();
    std::vector<std::int64_t> points, offsets{0};
    std::vector<double> xy, simple;
    for (std::size_t i = 0; i < n; ++i) {
        const auto a = static_cast<std::size_t>(rings.offsets[i]), b = static_cast<std::size_t>(rings.offsets[i + 1]);
        if (epsilon > 0) {
            xy.assign(rings.points.begin() + 2 * a, rings.points.begin() + 2 * b);
            simple.clear();
            simplify_rdp(xy.data(), b - a, epsilon, true, simple);
            for (double v : simple) points.push_back(static_cast<std::int64_t>(v));
        } else {
            points.insert(points.end(), rings.points.begin() + 2 * a, rings.points.begin() + 2 * b);
        }
        offsets.push_back(static_cast<std::int64_t>(points.size() / 2));
    }
    std::vector<std::int32_t> parents(n);
    std::vector<std::uint8_t> keep(n);
    for (std::size_t i = 0; i < n; ++i) {
        parents[i] = rings.hierarchy[4 * i + 3];
        keep[i] = static_cast<std::size_t>(offsets[i + 1] - offsets[i]) >= min_points;
    }
    rings = select(points, offsets, parents, rings.holes, keep);
}

}  // namespace maskkit
