// Polygon and box rasterization with pycocotools' rule (rleFrPoly / rleFrBbox), straight to RLE.
//
// The rule: vertices are scaled by 5 and rounded with C's (int)(5*v + 0.5) (truncation toward
// zero), edges are walked on that 1/5-pixel grid, and a pixel (X, Y) is inside when its centre
// is inside by the even-odd rule on the quantized boundary. See polygon.cpp for the exact steps.
//
// Unlike pycocotools, the work and memory do not grow with coordinates outside the image: only
// grid steps that cross a pixel-centre column inside [0, w-1] are visited, and the memory is
// bounded by the edges, a window of crossings and the output, not by the width. Coordinates are
// quantized in 64-bit integers; for |5*v| below 2^31 (all pycocotools can handle without
// crashing) the result is bit-identical to pycocotools.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "maskkit/rle.hpp"

namespace maskkit {

// Largest |coordinate| accepted; beyond it (and for NaN/inf) std::invalid_argument.
constexpr double max_polygon_coordinate = 1e14;

// Rasterizes polygon xy[0..2k) = x0,y0,x1,y1,... into an h x w RLE, appending its counts.
// k < 3 (or a polygon of zero area) gives the empty mask. h*w must be < 2^32
// (std::overflow_error otherwise).
void polygon_to_rle(const double* xy, std::size_t k, std::uint64_t h, std::uint64_t w,
                    std::vector<count_t>& counts);

// Rasterizes box [x, y, bw, bh] as the polygon (x,y) (x,y+bh) (x+bw,y+bh) (x+bw,y).
void box_to_rle(const double* box, std::uint64_t h, std::uint64_t w, std::vector<count_t>& counts);

// Many polygons (each a flat x0,y0,x1,y1,... list; an odd trailing value is ignored) or n boxes
// (boxes[4*i .. 4*i+4)), all h x w, rasterized in parallel into one batch.
RleBatch polygons_to_batch(const std::vector<std::vector<double>>& polygons, std::uint64_t h,
                           std::uint64_t w);
RleBatch boxes_to_batch(const double* boxes, std::size_t n, std::uint64_t h, std::uint64_t w);

// ---- one object: the union of its parts --------------------------------------------------
// coco: pycocotools' rule above, parts unioned. center: a pixel is on when its centre is inside
// a part (even-odd), with GDAL's tie rule (polygon_center.cpp), parts unioned. opencv: one
// cv2.fillPoly call with every part's vertices truncated to int (polygon_opencv.cpp), so parts
// combine even-odd.
enum class PolygonRule : int { coco = 0, center = 1, opencv = 2 };

// Each part needs an even number of coordinates, at least 6 (std::invalid_argument otherwise);
// coordinates are checked as above (opencv: |v| < 2^30), and h*w must be < 2^32
// (std::overflow_error).
// object_to_rle appends the counts of the union (coco: bit-exact merge(frPyObjects(...))).
// object_to_mask sets the union's pixels to 1 in the C-ordered h x w mask `out`, which must be
// all zeros on entry.
void check_object(const std::vector<std::vector<double>>& parts, PolygonRule rule, std::uint64_t h,
                  std::uint64_t w);  // the checks of both, before a caller allocates the mask
void object_to_rle(const std::vector<std::vector<double>>& parts, PolygonRule rule, std::uint64_t h,
                   std::uint64_t w, std::vector<count_t>& counts);
void object_to_mask(const std::vector<std::vector<double>>& parts, PolygonRule rule, std::uint64_t h,
                    std::uint64_t w, std::uint8_t* out);

// Raises std::invalid_argument for a NaN, infinite or too large coordinate among xy[0..n).
void check_polygon_coordinates(const double* xy, std::size_t n);

// Set to 1 in the C-ordered h x w mask `out` (h*w bytes; other pixels keep their value): one
// part with the center rule, or all parts with the opencv rule (one fillPoly call).
void center_fill(const double* xy, std::size_t k, std::uint64_t h, std::uint64_t w, std::uint8_t* out);
void opencv_fill_parts(const std::vector<std::vector<double>>& parts, std::uint64_t h, std::uint64_t w,
                       std::uint8_t* out);
// The opencv rule's range: std::invalid_argument unless every |coordinate| < 2^30.
void check_opencv_coordinates(const std::vector<std::vector<double>>& parts);

}  // namespace maskkit
