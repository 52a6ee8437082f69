// Run-based two-pass labeling (after He, Chao & Suzuki's run-based scan).
//
// Pass 1 cuts every row into runs: maximal stretches of foreground (binary mode) or of one
// non-background value (multilabel mode). Each run gets a provisional label, its index, so
// provisional labels grow in raster order. A run is joined to the runs of the earlier rows that
// touch it under the connectivity: the row above in the same plane and, in 3-D, up to three rows
// of the plane before. A neighbour row is either "straight" (only the pixel at the same x
// counts: runs must overlap) or "diagonal" (x-1, x and x+1 count: runs may also touch at a
// corner). Unions always keep the smaller root, so every component's root is its first run in
// raster order, and one pass over the runs in order numbers the roots 1, 2, 3, ...: the
// numbering of scipy.ndimage.label. Pass 2 writes each run's final label.
//
// Work is proportional to the pixels read once plus the number of runs, so smooth masks cost
// little more than a scan.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "maskkit/cc.hpp"

namespace maskkit {
namespace {

struct Run {
    std::uint64_t start, end;  // [start, end) within the row
    std::uint64_t value;
};

// Which earlier rows (plane offset, row offset) a row connects to, and whether the diagonal
// pixels of that row count.
struct NeighbourRow {
    int dz, dy;
    bool diagonal;
};

// 4 and 8 are the 2-D neighbourhoods (a 2-D image is one plane), 6, 18 and 26 the 3-D ones.
std::vector<NeighbourRow> neighbour_rows(int connectivity) {
    switch (connectivity) {
        case 4: return {{0, -1, false}};
        case 8: return {{0, -1, true}};
        case 6: return {{-1, 0, false}, {0, -1, false}};
        case 18: return {{-1, -1, false}, {-1, 0, true}, {-1, 1, false}, {0, -1, true}};
        case 26: return {{-1, -1, true}, {-1, 0, true}, {-1, 1, true}, {0, -1, true}};
        default:
            throw std::invalid_argument("connectivity must be 4 or 8 (2-D) or 6, 18 or 26 (3-D), got " +
                                        std::to_string(connectivity));
    }
}

template <class T>
void find_runs(const T* row, std::uint64_t width, bool multilabel, T background, std::vector<Run>& runs) {
    std::uint64_t x = 0;
    while (x < width) {
        while (x < width && row[x] == background) ++x;
        if (x == width) break;
        const std::uint64_t start = x;
        const T value = row[x];
        if (multilabel)
            while (x < width && row[x] == value) ++x;
        else
            while (x < width && row[x] != background) ++x;
        runs.push_back(Run{start, x, multilabel ? static_cast<std::uint64_t>(value) : 1});
    }
}

class UnionFind {
public:
    std::uint64_t add() {
        parent_.push_back(parent_.size());
        return parent_.size() - 1;
    }
    std::uint64_t find(std::uint64_t a) {
        while (parent_[a] != a) {
            parent_[a] = parent_[parent_[a]];
            a = parent_[a];
        }
        return a;
    }
    void unite(std::uint64_t a, std::uint64_t b) {
        a = find(a);
        b = find(b);
        if (a < b)
            parent_[b] = a;
        else if (b < a)
            parent_[a] = b;
    }
    std::uint64_t parent(std::uint64_t a) const { return parent_[a]; }

private:
    std::vector<std::uint64_t> parent_;
};

// Area, bounding box and exact coordinate sums, from the runs (a run adds its length, its row
// and plane times its length, and the sum of its x values).
void gather_stats(const std::vector<Run>& runs, const std::vector<std::uint64_t>& row_first,
                  const std::vector<std::uint64_t>& final_label, std::uint64_t n, const LabelShape& s,
                  ComponentStats& stats) {
    stats.area.assign(n, 0);
    stats.coordinate_sums.assign(3 * n, 0);
    stats.bbox.resize(6 * n);
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t* box = &stats.bbox[6 * i];
        box[0] = box[1] = box[2] = ~std::uint64_t{0};
        box[3] = box[4] = box[5] = 0;
    }
    const std::uint64_t rows = s.depth * s.height;
    for (std::uint64_t r = 0; r < rows; ++r) {
        const std::uint64_t z = r / s.height, y = r % s.height;
        for (std::uint64_t i = row_first[r]; i < row_first[r + 1]; ++i) {
            const Run& run = runs[i];
            const std::uint64_t k = final_label[i] - 1, length = run.end - run.start;
            stats.area[k] += length;
            std::uint64_t* sums = &stats.coordinate_sums[3 * k];
            sums[0] += z * length;
            sums[1] += y * length;
            sums[2] += (run.start + run.end - 1) * length / 2;
            std::uint64_t* box = &stats.bbox[6 * k];
            box[0] = std::min(box[0], z);
            box[1] = std::min(box[1], y);
            box[2] = std::min(box[2], run.start);
            box[3] = std::max(box[3], z + 1);
            box[4] = std::max(box[4], y + 1);
            box[5] = std::max(box[5], run.end);
        }
    }
}

template <class T>
std::uint64_t label_typed(const T* image, const LabelShape& s, int connectivity, bool multilabel,
                          T background, std::vector<std::uint64_t>& labels, ComponentStats* stats) {
    const std::uint64_t rows = s.depth * s.height;
    const std::vector<NeighbourRow> neighbours = neighbour_rows(connectivity);
    if (s.depth > 1 && (connectivity == 4 || connectivity == 8))
        throw std::invalid_argument("connectivity " + std::to_string(connectivity) + " is for 2-D images (one plane)");
    std::vector<Run> runs;
    std::vector<std::uint64_t> row_first(rows + 1, 0);  // runs of row r: [row_first[r], row_first[r+1])
    UnionFind sets;
    for (std::uint64_t r = 0; r < rows; ++r) {
        row_first[r] = runs.size();
        find_runs(image + r * s.width, s.width, multilabel, background, runs);
        const std::uint64_t first = row_first[r], last = runs.size();
        for (std::uint64_t i = first; i < last; ++i) sets.add();
        const std::uint64_t z = r / s.height, y = r % s.height;
        for (const NeighbourRow& n : neighbours) {
            const std::int64_t nz = static_cast<std::int64_t>(z) + n.dz, ny = static_cast<std::int64_t>(y) + n.dy;
            if (nz < 0 || ny < 0 || ny >= static_cast<std::int64_t>(s.height)) continue;
            const std::uint64_t other = static_cast<std::uint64_t>(nz) * s.height + static_cast<std::uint64_t>(ny);
            std::uint64_t j = row_first[other];
            const std::uint64_t j_end = row_first[other + 1];
            const std::uint64_t reach = n.diagonal ? 1 : 0;  // how far a corner contact reaches
            for (std::uint64_t i = first; i < last && j < j_end; ++i) {
                const Run& a = runs[i];
                // skip neighbour runs that end before this run's reach begins
                while (j < j_end && runs[j].end + reach <= a.start) ++j;
                for (std::uint64_t k = j; k < j_end && runs[k].start < a.end + reach; ++k)
                    if (!multilabel || runs[k].value == a.value) sets.unite(i, k);
            }
        }
    }
    row_first[rows] = runs.size();
    // Roots come first in raster order (min-root unions), so numbering them in run order gives
    // consecutive labels in order of each component's first pixel.
    std::vector<std::uint64_t> final_label(runs.size());
    std::uint64_t n = 0;
    for (std::uint64_t i = 0; i < runs.size(); ++i) {
        const std::uint64_t root = sets.find(i);
        final_label[i] = root == i ? ++n : final_label[root];
    }
    if (stats != nullptr) gather_stats(runs, row_first, final_label, n, s, *stats);
    labels.assign(rows * s.width, 0);
    for (std::uint64_t r = 0; r < rows; ++r) {
        std::uint64_t* out = labels.data() + r * s.width;
        for (std::uint64_t i = row_first[r]; i < row_first[r + 1]; ++i)
            std::fill(out + runs[i].start, out + runs[i].end, final_label[i]);
    }
    return n;
}

}  // namespace

std::uint64_t label_components(const void* image, std::size_t element_size, const LabelShape& shape,
                               int connectivity, bool multilabel, std::uint64_t background,
                               std::vector<std::uint64_t>& labels, ComponentStats* stats) {
    switch (element_size) {
        case 1:
            return label_typed(static_cast<const std::uint8_t*>(image), shape, connectivity, multilabel,
                               static_cast<std::uint8_t>(background), labels, stats);
        case 2:
            return label_typed(static_cast<const std::uint16_t*>(image), shape, connectivity, multilabel,
                               static_cast<std::uint16_t>(background), labels, stats);
        case 4:
            return label_typed(static_cast<const std::uint32_t*>(image), shape, connectivity, multilabel,
                               static_cast<std::uint32_t>(background), labels, stats);
        case 8:
            return label_typed(static_cast<const std::uint64_t*>(image), shape, connectivity, multilabel,
                               background, labels, stats);
        default:
            throw std::invalid_argument("pixels must be 1, 2, 4 or 8 bytes wide, got " + std::to_string(element_size));
    }
}

}  // namespace maskkit
