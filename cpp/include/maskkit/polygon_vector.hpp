// Polygon vectorization (mask -> rings), Ramer-Douglas-Peucker simplification and polygon
// checks. Coordinates follow COCO: pixel (X, Y) covers [X, X+1) x [Y, Y+1), y grows downward.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace maskkit {

// Which rings a trace returns and how they nest (the meaning of cv2.findContours' RETR_*).
enum class RingMode {
    External,  // outer boundaries of the components that no hole encloses
    List,      // every ring, no nesting (parents -1)
    CComp,     // two levels: every outer boundary, each hole a child of its component's outer ring
    Tree,      // the full nesting: outer ring > its holes > the components inside them > ...
};

// Rings as integer vertices: ring i holds points[2*offsets[i] .. 2*offsets[i+1]) (x, y pairs),
// and hierarchy[4*i .. 4*i+4) = next sibling, previous sibling, first child, parent (-1: none),
// cv2.findContours' layout. Outer rings have holes[i] = 0, hole rings 1.
struct Rings {
    std::vector<std::int64_t> points;
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> hierarchy;
    std::vector<std::uint8_t> holes;
    std::size_t size() const { return offsets.size() - 1; }
};

// Traces the boundaries of a byte mask (non-zero is foreground; any byte strides) along pixel
// edges: every vertex is a pixel corner where the boundary turns. Foreground is 4-connected
// (pixels that touch only at a corner belong to different rings) and background 8-connected,
// so each outer ring rasterized on its own by the even-odd centre rule (pycocotools' rule
// included) gives back exactly its component with the component's holes filled; the holes are
// separate rings. Outer rings run counter-clockwise on screen (down the left side first), holes
// clockwise; each ring starts at the top-left corner of its topmost, leftmost pixel (outer) or
// hole pixel (hole), and rings come in raster order of those starting points.
// (height + 2) * (width + 2) must be below 2^31 (std::overflow_error otherwise; also below).
Rings trace_pixel_edges(const std::uint8_t* mask, std::uint64_t height, std::uint64_t width,
                        std::int64_t stride_y, std::int64_t stride_x, RingMode mode);

// The rings' points as doubles, (dx, dy) added: x0, y0, x1, y1, ... of every ring in turn.
std::vector<double> ring_coordinates(const Rings& rings, double dx, double dy);

// cv2.findContours(mask, mode, CHAIN_APPROX_NONE if every_pixel else CHAIN_APPROX_SIMPLE) on a
// byte mask (non-zero is foreground; any byte strides): the same points (boundary pixel
// centres, 8-connected foreground), in the same order, with the same hierarchy.
Rings find_contours(const std::uint8_t* mask, std::uint64_t height, std::uint64_t width,
                    std::int64_t stride_y, std::int64_t stride_x, RingMode mode, bool every_pixel);

// cv2.approxPolyDP(curve, epsilon, closed) on n points xy[0..2n) evaluated in double; the
// result is appended to `out` (x, y pairs). epsilon must be finite and >= 0.
void simplify_rdp(const double* xy, std::size_t n, double epsilon, bool closed, std::vector<double>& out);

// Simplifies every ring of `rings` with simplify_rdp(closed) when epsilon > 0, then drops the
// rings with fewer than min_points points; a dropped ring's children move to its nearest kept
// ancestor and the hierarchy is relinked.
void finish_rings(Rings& rings, double epsilon, std::size_t min_points);

// Facts about one closed polygon of n vertices xy[0..2n) (a repeated closing vertex is allowed).
struct PolygonFacts {
    double area;               // |shoelace sum| / 2
    std::int8_t orientation;   // +1 counter-clockwise on screen (y down), -1 clockwise, 0 degenerate
    bool degenerate;           // fewer than 3 distinct vertices or zero area
    bool self_intersecting;    // two edges meet anywhere but at the vertex they share (when asked)
    bool outside;              // a vertex outside [0, width] x [0, height]
};

// Coordinates must be finite, |v| <= max_polygon_coordinate, and 0 or |v| >= 1e-100 (so the
// orientation predicates are exact); std::invalid_argument otherwise.
// The self-intersection test (the only part that is not linear in n) runs when `crossings`.
PolygonFacts polygon_facts(const double* xy, std::size_t n, double height, double width, bool crossings);

// Exact sign of the orientation determinant of (a, b, c): +1 when c lies to the left of a->b
// in a y-up frame, -1 to the right, 0 on the line.
int orient2d_sign(const double* a, const double* b, const double* c);

}  // namespace maskkit
