// boundary-iou-api's boundary map of one panoptic id map, for Boundary PQ.
//
// The reference copies the map and walks segments_info in order: a segment's mask is the pixels
// of the copy equal to its id, the mask is painted with the inner id and its boundary (the
// mask_to_boundary of maskkit/iou.hpp, at the image's radius d) with the segment's id again.
// The walk is kept as it is, but each step works inside a box: the pixels equal to an id other
// than the inner id lie inside the box of that id in the original map (a step only paints the
// inner id or its own id over its own pixels), so one pass over the original map's runs finds
// the boxes of all listed ids first. A segment whose id is the inner id takes in the inner pixels
// of the segments walked before it (the reference's quirk) and is searched for in the whole map.
// Boundaries of a box are those of the full image: outside the box the mask is empty.
#include <algorithm>
#include <unordered_map>
#include <vector>

#include "maskkit/iou.hpp"
#include "maskkit/panoptic.hpp"

namespace maskkit::panoptic {
namespace {

struct Box {
    std::size_t x0, x1, y0, y1;  // [x0, x1) x [y0, y1); empty when x0 >= x1
};

// Boxes of the listed ids in `ids`, found run by run.
std::unordered_map<std::uint32_t, Box> boxes_of(const std::uint32_t* ids, std::size_t h, std::size_t w,
                                                const std::int64_t* segments, std::size_t n) {
    std::unordered_map<std::uint32_t, Box> boxes;
    boxes.reserve(2 * n);
    for (std::size_t k = 0; k < n; ++k)
        if (segments[k] >= 0 && segments[k] <= 0xffffffffLL) boxes.emplace(static_cast<std::uint32_t>(segments[k]), Box{w, 0, h, 0});
    for (std::size_t y = 0; y < h; ++y) {
        const std::uint32_t* row = ids + y * w;
        for (std::size_t x = 0; x < w;) {
            std::size_t end = x + 1;
            while (end < w && row[end] == row[x]) ++end;
            const auto it = boxes.find(row[x]);
            if (it != boxes.end()) {
                Box& b = it->second;
                b = {std::min(b.x0, x), std::max(b.x1, end), std::min(b.y0, y), y + 1};
            }
            x = end;
        }
    }
    return boxes;
}

}  // namespace

void boundary_map(const std::uint32_t* ids, std::size_t h, std::size_t w, const std::int64_t* segments,
                  std::size_t n, std::uint32_t inner, std::uint64_t d, std::uint32_t* out, std::uint64_t* areas) {
    std::copy(ids, ids + h * w, out);
    const auto boxes = boxes_of(ids, h, w, segments, n);
    std::vector<std::uint8_t> mask, edge;
    for (std::size_t k = 0; k < n; ++k) {
        areas[k] = 0;
        if (segments[k] < 0 || segments[k] > 0xffffffffLL) continue;  // no pixel has this id
        const auto seg = static_cast<std::uint32_t>(segments[k]);
        Box b = seg == inner ? Box{0, w, 0, h} : boxes.at(seg);
        if (b.x0 >= b.x1) continue;
        const std::size_t bw = b.x1 - b.x0, bh = b.y1 - b.y0;
        mask.resize(bw * bh);
        edge.resize(bw * bh);
        for (std::size_t y = 0; y < bh; ++y) {
            const std::uint32_t* row = out + (b.y0 + y) * w + b.x0;
            for (std::size_t x = 0; x < bw; ++x) mask[y * bw + x] = row[x] == seg;
        }
        mask_boundaries(mask.data(), 1, bh, bw, 0, static_cast<std::int64_t>(bw), 1, d, true, edge.data());
        std::uint64_t count = 0;
        for (std::size_t y = 0; y < bh; ++y) {
            std::uint32_t* row = out + (b.y0 + y) * w + b.x0;
            for (std::size_t x = 0; x < bw; ++x) {
                const std::size_t i = y * bw + x;
                if (edge[i]) {
                    row[x] = seg;
                    ++count;
                } else if (mask[i]) {
                    row[x] = inner;
                }
            }
        }
        areas[k] = count;
    }
}

}  // namespace maskkit::panoptic
