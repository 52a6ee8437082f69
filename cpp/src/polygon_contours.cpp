// Suzuki-Abe border following with OpenCV's bookkeeping (cv2.findContours on a uint8 image,
// imgproc/src/contours_new.cpp), so that points, their order and the hierarchy are OpenCV's.
//
// The image is copied into a signed byte image with a zero border: 0 background, 1 unvisited
// foreground. A raster scan looks for the start of an outer border (0 then 1) or of a hole
// border (a foreground pixel, not marked as a right edge, then 0). Each border is followed
// with 8-connected chain codes (0 = +x, counter-clockwise on screen, 2 = -y); its pixels are
// marked with the border's number (NBD), with the sign bit set where the border leaves the
// pixel to the right. The last marked pixel before the start on the same row (LNBD) names the
// border that encloses the new one. Numbers wrap at 127 (3 follows 127); several borders may
// then share a number, and OpenCV tells them apart by their bounding boxes and by re-tracing
// a candidate to see whether it passes the LNBD pixel: done here the same way.
//
// OpenCV builds a tree in which each new border becomes the first child of its parent, and
// lists the borders depth first, children in that order (the newest first): RETR_LIST and
// RETR_EXTERNAL therefore list borders in reverse raster order of their starts.
#include <algorithm>
#include <cstring>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "maskkit/polygon_vector.hpp"
#include "polygon_window.hpp"

namespace maskkit {
namespace {

using schar = signed char;

constexpr schar kRight = static_cast<schar>(0x80);
constexpr schar kNew = 2;
constexpr int kLabelBits = 0x7F;
constexpr int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kDy[8] = {0, -1, -1, -1, 0, 1, 1, 1};

struct Node {
    int parent = -1, first_child = -1, prev = -1, next = -1, same_label = -1;
    bool hole = false;
    int rx = 0, ry = 0, rw = 0, rh = 0;  // bounding box, padded coordinates
    int ox = 0, oy = 0;                  // start pixel, padded coordinates
    std::int64_t first = 0, last = 0;    // its points in Scanner::points
};

struct Scanner {
    std::vector<schar> img;
    std::ptrdiff_t step = 0;
    int W = 0, H = 0;  // padded size
    RingMode mode = RingMode::List;
    bool direct = true;  // CHAIN_APPROX_NONE (every pixel) or SIMPLE (corners)
    std::vector<Node> nodes;
    std::vector<std::int64_t> points;
    int label_head[128];
    int origin_x = 0, origin_y = 0;  // image position of the window's first pixel

    std::ptrdiff_t delta(int s) const { return kDx[s & 7] + kDy[s & 7] * step; }
    bool simple_mode() const { return mode == RingMode::External || mode == RingMode::List; }

    void add_child(int parent, int child) {
        Node& p = nodes[static_cast<std::size_t>(parent)];
        Node& c = nodes[static_cast<std::size_t>(child)];
        if (p.first_child != -1) {
            nodes[static_cast<std::size_t>(p.first_child)].prev = child;
            c.next = p.first_child;
        }
        p.first_child = child;
        c.parent = parent;
        c.prev = -1;
    }

    // Follows the border starting at (x, y), marking it with nbd and recording its points.
    void fetch(int x, int y, schar nbd, Node& node) {
        const std::ptrdiff_t i0 = y * step + x;
        int px = x - 1 + origin_x, py = y - 1 + origin_y;  // image coordinates
        int rx = px, ry = py, rw = px, rh = py;
        int s_end = node.hole ? 0 : 4, s = s_end;
        std::ptrdiff_t i1;
        do {
            s = (s - 1) & 7;
            i1 = i0 + delta(s);
        } while (img[static_cast<std::size_t>(i1)] == 0 && s != s_end);
        node.first = static_cast<std::int64_t>(points.size() / 2);
        if (s == s_end) {
            img[static_cast<std::size_t>(i0)] = static_cast<schar>(nbd | kRight);
            points.push_back(px);
            points.push_back(py);
        } else {
            std::ptrdiff_t i3 = i0, i4 = 0;
            int prev_s = s ^ 4;
            for (;;) {
                s_end = s;
                s = std::min(s, 15);
                while (s < 15) {
                    ++s;
                    i4 = i3 + delta(s);
                    if (img[static_cast<std::size_t>(i4)] != 0) break;
                }
                s &= 7;
                schar& here = img[static_cast<std::size_t>(i3)];
                if (static_cast<unsigned>(s - 1) < static_cast<unsigned>(s_end))
                    here = static_cast<schar>(nbd | kRight);
                else if (here == 1)
                    here = nbd;
                if (s != prev_s || direct) {
                    points.push_back(px);
                    points.push_back(py);
                }
                if (s != prev_s) {
                    if (px < rx) rx = px; else if (px > rw) rw = px;
                    if (py < ry) ry = py; else if (py > rh) rh = py;
                }
                prev_s = s;
                px += kDx[s];
                py += kDy[s];
                if (i4 == i0 && i3 == i1) break;
                i3 = i4;
                s = (s + 4) & 7;
            }
        }
        node.last = static_cast<std::int64_t>(points.size() / 2);
        node.rx = rx + 1 - origin_x;
        node.ry = ry + 1 - origin_y;
        node.rw = rw - rx + 1;
        node.rh = rh - ry + 1;
    }

    // Re-traces the border that starts at (sx, sy): does it end its pass at the pixel `stop`
    // in a way that makes it the border enclosing that pixel (OpenCV's icvTraceContour)?
    bool retrace(int sx, int sy, std::ptrdiff_t stop, bool hole) const {
        const std::ptrdiff_t i0 = sy * step + sx;
        const int s_end = hole ? 0 : 4;
        int s = s_end;
        std::ptrdiff_t i1;
        do {
            s = (s - 1) & 7;
            i1 = i0 + delta(s);
        } while (img[static_cast<std::size_t>(i1)] == 0 && s != s_end);
        std::ptrdiff_t i3 = i0, i4 = 0;
        if (s == s_end) return i3 == stop;
        for (;;) {
            s = std::min(s, 15);
            while (s < 15) {
                ++s;
                i4 = i3 + delta(s);
                if (img[static_cast<std::size_t>(i4)] != 0) break;
            }
            if (i3 == stop) {
                if ((img[static_cast<std::size_t>(i3)] & kRight) == 0) return true;
                int t = s;
                for (;;) {
                    t = (t - 1) & 7;
                    if (img[static_cast<std::size_t>(i3 + delta(t))] != 0) break;
                    if (t == 0) return true;
                }
            }
            if (i4 == i0 && i3 == i1) break;
            i3 = i4;
            s = (s + 4) & 7;
        }
        return false;
    }

    int enclosing(int lx, int ly, int y, int label) const {
        const std::ptrdiff_t stop = y * step + lx;
        int res = -1;
        for (int cur = label_head[label]; cur != -1; cur = nodes[static_cast<std::size_t>(cur)].same_label) {
            const Node& c = nodes[static_cast<std::size_t>(cur)];
            if (lx - c.rx < c.rw && ly - c.ry < c.rh) {
                if (res != -1) {
                    const Node& r = nodes[static_cast<std::size_t>(res)];
                    if (retrace(r.ox, r.oy, stop, r.hole)) break;
                }
                res = cur;
            }
        }
        return res;
    }

    void run() {
        nodes.emplace_back();
        nodes[0].hole = true;
        std::fill(std::begin(label_head), std::end(label_head), -1);
        schar nbd = 2;
        const bool simple = simple_mode();
        for (int y = 1; y < H - 1; ++y) {
            int lx = 0, ly = y;  // LNBD
            int prev = 0;
            const schar* row = &img[static_cast<std::size_t>(y * step)];
            for (int x = 1; x < W - 1; ++x) {
                // Skip eight pixels equal to the previous one at a time.
                if (prev == 0 || prev == 1) {
                    const std::uint64_t fill = prev ? 0x0101010101010101ULL : 0;
                    std::uint64_t eight;
                    while (x + 8 <= W - 1 && (std::memcpy(&eight, row + x, 8), eight == fill)) x += 8;
                    if (x >= W - 1) break;
                }
                int p = row[x];
                if (p == prev) continue;
                bool hole = false;
                bool start = prev == 0 && p == 1;
                if (!start && p == 0 && prev >= 1) {
                    if (prev & 0xFE) lx = x - 1;
                    hole = true;
                    start = true;
                }
                if (start && mode == RingMode::External &&
                    (hole || img[static_cast<std::size_t>(ly * step + lx)] > 0))
                    start = false;
                if (!start) {
                    prev = p;
                    if (prev & 0xFE) lx = x;
                    continue;
                }
                int parent = -1;
                if (simple || (!hole && mode == RingMode::CComp) || lx <= 0) {
                    parent = 0;
                } else {
                    const int label = img[static_cast<std::size_t>(ly * step + lx)] & kLabelBits;
                    parent = enclosing(lx, ly, y, label);
                    const Node& pe = nodes[static_cast<std::size_t>(parent)];
                    if (pe.hole == hole) parent = pe.parent != -1 ? pe.parent : 0;
                }
                lx = x - (hole ? 1 : 0);
                const int sx = x - (hole ? 1 : 0);
                const int id = static_cast<int>(nodes.size());
                nodes.emplace_back();
                Node& node = nodes.back();
                node.hole = hole;
                node.ox = sx;
                node.oy = y;
                if (simple) {
                    fetch(sx, y, kNew, node);
                } else {
                    const schar label = nbd;
                    nbd = static_cast<schar>((nbd + 1) & kLabelBits);
                    if (nbd == 0) nbd = 3;
                    fetch(sx, y, label, node);
                    node.same_label = label_head[label];
                    label_head[label] = id;
                }
                add_child(parent, id);
                // The scan resumes after the start pixel, reading its new mark.
                prev = row[x];
            }
        }
    }
};

}  // namespace

Rings find_contours(const std::uint8_t* mask, std::uint64_t height, std::uint64_t width, std::int64_t stride_y,
                    std::int64_t stride_x, RingMode mode, bool every_pixel) {
    // Ring numbers and window offsets are 32-bit (as OpenCV's): (h + 2) * (w + 2) < 2^31.
    if (height >= (1ULL << 31) || width >= (1ULL << 31) || (height + 2) * (width + 2) >= (1ULL << 31))
        throw std::overflow_error("mask is too large to trace: " + std::to_string(height) + " x " +
                                  std::to_string(width) + " pixels; (h + 2) * (w + 2) must be below 2**31");
    Rings out;
    const detail::Window win = detail::foreground_window(mask, static_cast<std::int64_t>(height),
                                                         static_cast<std::int64_t>(width), stride_y, stride_x);
    if (win.y0 == win.y1) return out;
    Scanner sc;
    sc.W = static_cast<int>(win.x1 - win.x0) + 2;
    sc.H = static_cast<int>(win.y1 - win.y0) + 2;
    sc.step = sc.W;
    sc.mode = mode;
    sc.direct = every_pixel;
    sc.origin_x = static_cast<int>(win.x0);
    sc.origin_y = static_cast<int>(win.y0);
    detail::copy_window(mask, stride_y, stride_x, win, 8, sc.img);
    sc.run();

    // Depth-first listing, children in sibling order, with OpenCV's hierarchy rows.
    const std::size_t n = sc.nodes.size();
    std::vector<int> order, index(n, -1), stack{0};
    while (!stack.empty()) {
        const int id = stack.back();
        stack.pop_back();
        int last = sc.nodes[static_cast<std::size_t>(id)].first_child;
        std::vector<int> kids;
        for (int c = last; c != -1; c = sc.nodes[static_cast<std::size_t>(c)].next) kids.push_back(c);
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
        if (id != 0) {
            index[static_cast<std::size_t>(id)] = static_cast<int>(order.size());
            order.push_back(id);
        }
    }
    const auto map = [&](int id) { return id <= 0 ? -1 : index[static_cast<std::size_t>(id)]; };
    for (int id : order) {
        const Node& node = sc.nodes[static_cast<std::size_t>(id)];
        out.points.insert(out.points.end(), sc.points.begin() + 2 * node.first, sc.points.begin() + 2 * node.last);
        out.offsets.push_back(static_cast<std::int64_t>(out.points.size() / 2));
        out.hierarchy.push_back(map(node.next));
        out.hierarchy.push_back(map(node.prev));
        out.hierarchy.push_back(map(node.first_child));
        out.hierarchy.push_back(map(node.parent));
        out.holes.push_back(node.hole ? 1 : 0);
    }
    return out;
}

}  // namespace maskkit
