// One object (the union of its parts) to an RLE or straight into a dense C-ordered mask.
//
// coco: each part is rasterized to its column-major runs (polygon.cpp); the RLE of the object is
// pycocotools' merge of them (rle_ops.cpp), bit for bit. For the dense mask no RLE is decoded:
// the runs of each part mark where the fill toggles in each column (a 1 where a column's run
// starts and one below where it ends), and one pass down the rows of the part's bounding box
// turns the toggles into pixels (each row XOR the row above it, contiguous bytes). The first
// part is painted in place; later ones go through a zeroed scratch box that is ORed into the
// mask, which is the union pycocotools' merge computes. So the work is the crossings plus the
// bounding boxes, never the whole image.
//
// center and opencv paint row spans straight into the dense mask (polygon_center.cpp,
// polygon_opencv.cpp); their RLE is the encoding of that mask.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "maskkit/polygon.hpp"

namespace maskkit {
namespace {

using u64 = std::uint64_t;

void check_parts(const std::vector<std::vector<double>>& parts, PolygonRule rule) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::size_t n = parts[i].size();
        if (n % 2 != 0 || n < 6) {
            throw std::invalid_argument("polygon " + std::to_string(i) +
                                        " must have an even number of coordinates, at least 6 (3 vertices), got " +
                                        std::to_string(n));
        }
        check_polygon_coordinates(parts[i].data(), n);
    }
    if (rule == PolygonRule::opencv) check_opencv_coordinates(parts);
}

void check_pixels(u64 h, u64 w) {
    constexpr u64 limit = u64{1} << 32;
    if (w != 0 && h >= (limit + w - 1) / w) {
        throw std::overflow_error("mask size " + std::to_string(h) + " x " + std::to_string(w) +
                                  " has h*w >= 2^32 pixels; RLE counts are uint32");
    }
}

// A rectangle of a C-ordered byte image: rows [y0, y1], columns [x0, x1].
struct Box {
    u64 y0, y1, x0, x1;
};

// The bounding box of the ones of column-major counts (false when there are none).
bool runs_box(const count_t* counts, std::size_t m, u64 h, Box& box) {
    u64 pos = 0;
    bool any = false;
    for (std::size_t j = 0; j < m; ++j) {
        const u64 end = pos + counts[j];
        if ((j & 1) != 0 && end > pos) {
            const u64 xa = pos / h, ya = pos - xa * h;
            const u64 xb = (end - 1) / h, yb = (end - 1) - xb * h;
            u64 lo = ya, hi = yb;
            if (xa != xb) lo = 0, hi = h - 1;
            if (!any) {
                box = {lo, hi, xa, xb};
                any = true;
            } else {
                box.y0 = std::min(box.y0, lo);
                box.y1 = std::max(box.y1, hi);
                box.x1 = xb;  // runs come in increasing order
            }
        }
        pos = end;
    }
    return any;
}

// XORs the toggles of the runs into the box image `img` (row stride `stride`, origin at the
// box's top-left corner), then turns them into pixels. The box's pixels must be 0 on entry.
void paint_runs(const count_t* counts, std::size_t m, u64 h, const Box& box, std::uint8_t* img, u64 stride) {
    auto toggle = [&](u64 y, u64 x) {
        if (y <= box.y1) img[(y - box.y0) * stride + (x - box.x0)] ^= 1;
    };
    u64 pos = 0;
    for (std::size_t j = 0; j < m; ++j) {
        const u64 end = pos + counts[j];
        if ((j & 1) != 0 && end > pos) {
            const u64 xa = pos / h, ya = pos - xa * h;
            const u64 xb = (end - 1) / h, yb = (end - 1) - xb * h;
            toggle(ya, xa);
            if (xa == xb) {
                toggle(yb + 1, xa);
            } else {
                for (u64 x = xa + 1; x <= xb; ++x) toggle(0, x);
                toggle(yb + 1, xb);
            }
        }
        pos = end;
    }
    const u64 cols = box.x1 - box.x0 + 1;
    for (u64 y = box.y0 + 1; y <= box.y1; ++y) {
        std::uint8_t* row = img + (y - box.y0) * stride;
        const std::uint8_t* above = row - stride;
        for (u64 x = 0; x < cols; ++x) row[x] ^= above[x];
    }
}

thread_local std::vector<count_t> part_counts;
thread_local std::vector<std::uint8_t> part_box;

void coco_mask(const std::vector<std::vector<double>>& parts, u64 h, u64 w, std::uint8_t* out) {
    bool first = true;
    for (const std::vector<double>& xy : parts) {
        part_counts.clear();
        polygon_to_rle(xy.data(), xy.size() / 2, h, w, part_counts);
        Box box{};
        if (!runs_box(part_counts.data(), part_counts.size(), h, box)) continue;
        if (first) {
            paint_runs(part_counts.data(), part_counts.size(), h, box, out + box.y0 * w + box.x0, w);
            first = false;
            continue;
        }
        const u64 rows = box.y1 - box.y0 + 1, cols = box.x1 - box.x0 + 1;
        part_box.assign(rows * cols, 0);
        paint_runs(part_counts.data(), part_counts.size(), h, box, part_box.data(), cols);
        for (u64 r = 0; r < rows; ++r) {
            std::uint8_t* dst = out + (box.y0 + r) * w + box.x0;
            const std::uint8_t* src = part_box.data() + r * cols;
            for (u64 x = 0; x < cols; ++x) dst[x] |= src[x];
        }
    }
    if (part_box.capacity() > (std::size_t{1} << 24)) std::vector<std::uint8_t>().swap(part_box);
}

}  // namespace

void check_object(const std::vector<std::vector<double>>& parts, PolygonRule rule, std::uint64_t h,
                  std::uint64_t w) {
    check_pixels(h, w);
    check_parts(parts, rule);
}

void object_to_mask(const std::vector<std::vector<double>>& parts, PolygonRule rule, std::uint64_t h,
                    std::uint64_t w, std::uint8_t* out) {
    check_object(parts, rule, h, w);
    if (h == 0 || w == 0) return;
    switch (rule) {
        case PolygonRule::coco:
            coco_mask(parts, h, w, out);
            return;
        case PolygonRule::center:
            for (const std::vector<double>& xy : parts) center_fill(xy.data(), xy.size() / 2, h, w, out);
            return;
        case PolygonRule::opencv:
            opencv_fill_parts(parts, h, w, out);
            return;
    }
    throw std::invalid_argument("unknown polygon rule " + std::to_string(static_cast<int>(rule)));
}

void object_to_rle(const std::vector<std::vector<double>>& parts, PolygonRule rule, std::uint64_t h,
                   std::uint64_t w, std::vector<count_t>& counts) {
    check_object(parts, rule, h, w);
    if (h == 0 || w == 0) {
        counts.push_back(0);
        return;
    }
    if (rule != PolygonRule::coco) {
        std::vector<std::uint8_t> mask(h * w, 0);
        object_to_mask(parts, rule, h, w, mask.data());
        encode_mask(mask.data(), h, w, static_cast<std::int64_t>(w), 1, counts);
        return;
    }
    if (parts.empty()) {
        counts.push_back(static_cast<count_t>(h * w));
        return;
    }
    if (parts.size() == 1) {  // pycocotools' merge of one RLE copies it
        polygon_to_rle(parts[0].data(), parts[0].size() / 2, h, w, counts);
        return;
    }
    std::vector<count_t> all;
    std::vector<std::size_t> starts;
    for (const std::vector<double>& xy : parts) {
        starts.push_back(all.size());
        polygon_to_rle(xy.data(), xy.size() / 2, h, w, all);
    }
    starts.push_back(all.size());
    std::vector<RleView> views(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) views[i] = {h, w, all.data() + starts[i], starts[i + 1] - starts[i]};
    u64 mh = 0, mw = 0;
    merge(views.data(), views.size(), false, mh, mw, counts);
}

}  // namespace maskkit
