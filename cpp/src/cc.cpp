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
// numbering of scipy.ndimage.label. Pass 2 writes each row: zeros between runs, each run's
// final label over it.
//
// Work is proportional to the pixels read once plus the number of runs, so smooth masks cost
// little more than a scan; background stretches are skipped eight bytes at a time.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/rle_kernels.hpp"
#include "maskkit/cc.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

using Run = Labeling::Run;

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

// First x >= from where (row[x] == value) != Equal, i.e. the end of a stretch of pixels equal
// (Equal) or unequal (!Equal) to value; one-byte pixels are tested 8 at a time.
template <bool Equal, class T>
std::uint64_t skip(const T* row, std::uint64_t from, std::uint64_t width, T value) {
    std::uint64_t x = from;
    if constexpr (sizeof(T) == 1) {
        const std::uint64_t pattern = 0x0101010101010101ull * value;
        for (; x + 8 <= width; x += 8) {
            std::uint64_t word;
            std::memcpy(&word, row + x, 8);
            const std::uint64_t diff = word ^ pattern;  // a zero byte where row[x] == value
            const bool any_equal = ((diff - 0x0101010101010101ull) & ~diff & 0x8080808080808080ull) != 0;
            if (Equal ? diff != 0 : any_equal) break;
        }
    }
    while (x < width && (row[x] == value) == Equal) ++x;
    return x;
}

template <class T>
void find_runs(const T* row, std::uint64_t width, bool multilabel, T background, std::vector<Run>& runs,
               std::vector<T>& values, const kernels::RleKernels& simd, std::vector<std::uint32_t>& bounds) {
    if constexpr (sizeof(T) == 1) {
        if (!multilabel) {  // binary bytes: the SIMD edge scan of the RLE kernels
            bounds.clear();
            simd.foreground_runs(row, width, background, bounds);
            for (std::size_t b = 0; b < bounds.size(); b += 2) runs.push_back(Run{bounds[b], bounds[b + 1], runs.size()});
            return;
        }
    }
    std::uint64_t x = 0;
    while (true) {
        x = skip<true>(row, x, width, background);
        if (x == width) return;
        const std::uint64_t start = x;
        if (multilabel) {
            const T value = row[x];
            x = skip<true>(row, x, width, value);
            values.push_back(value);
        } else {
            x = skip<false>(row, x, width, background);
        }
        runs.push_back(Run{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(x), runs.size()});
    }
}

// Union-find over run indices, stored in the runs' label fields (links always point to a smaller
// index: unions keep the smaller root).
std::uint64_t find_root(std::vector<Run>& runs, std::uint64_t a) {
    while (runs[a].label != a) {
        runs[a].label = runs[runs[a].label].label;
        a = runs[a].label;
    }
    return a;
}

// Joins the runs of row r to the runs of its earlier neighbour rows that are not before row
// `lowest` (the first row of the stripe being scanned, or 0 for a seam).
template <class T>
void merge_row(std::vector<Run>& runs, const std::vector<T>& values, const std::vector<std::uint64_t>& row_first,
               std::uint64_t r, std::uint64_t lowest, const LabelShape& s, const std::vector<NeighbourRow>& neighbours,
               bool multilabel) {
    const std::uint64_t first = row_first[r], last = row_first[r + 1];
    if (first == last) return;
    const std::uint64_t z = r / s.height, y = r % s.height;
    for (const NeighbourRow& n : neighbours) {
        const std::int64_t nz = static_cast<std::int64_t>(z) + n.dz, ny = static_cast<std::int64_t>(y) + n.dy;
        if (nz < 0 || ny < 0 || ny >= static_cast<std::int64_t>(s.height)) continue;
        const std::uint64_t other = static_cast<std::uint64_t>(nz) * s.height + static_cast<std::uint64_t>(ny);
        if (other < lowest) continue;
        std::uint64_t j = row_first[other];
        const std::uint64_t j_end = row_first[other + 1];
        const std::uint64_t reach = n.diagonal ? 1 : 0;  // how far a corner contact reaches
        for (std::uint64_t i = first; i < last && j < j_end; ++i) {
            const std::uint64_t a_start = runs[i].start, a_end = runs[i].end;
            while (j < j_end && runs[j].end + reach <= a_start) ++j;
            // The root of run i is found once and kept up to date across its neighbours, so each
            // contact costs one find (of the neighbour) and at most one link.
            std::uint64_t root = ~std::uint64_t{0};
            for (std::uint64_t k = j; k < j_end && runs[k].start < a_end + reach; ++k) {
                if (multilabel && values[k] != values[i]) continue;
                if (root == ~std::uint64_t{0}) root = runs[i].label == i ? i : find_root(runs, i);
                const std::uint64_t other = find_root(runs, k);
                if (other < root) {
                    runs[root].label = other;
                    root = other;
                } else if (root < other) {
                    runs[other].label = root;
                }
            }
        }
    }
}

// The runs of rows [row_begin, row_end), joined among themselves; indices (and parent links)
// are local to the stripe, row_first is relative to row_begin.
template <class T>
struct Stripe {
    std::vector<Run> runs;
    std::vector<T> values;
    std::vector<std::uint64_t> row_first;
};

template <class T>
void scan_stripe(const T* image, const LabelShape& s, std::uint64_t row_begin, std::uint64_t row_end,
                 const std::vector<NeighbourRow>& neighbours, bool multilabel, T background, Stripe<T>& out) {
    std::vector<std::uint32_t> bounds;
    const kernels::RleKernels& simd = kernels::rle_kernels();
    const std::uint64_t rows = row_end - row_begin;
    // A row holds at most ceil(width / 2) runs; reserving (capped) avoids regrowing a vector of
    // millions of runs on noisy images.
    out.runs.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(rows * ((s.width + 1) / 2), std::uint64_t{1} << 24)));
    // row_first is indexed by global row here (only this stripe's entries are used)
    std::vector<std::uint64_t> row_first(row_end + 1, 0);
    for (std::uint64_t r = row_begin; r < row_end; ++r) {
        row_first[r] = out.runs.size();
        find_runs(image + r * s.width, s.width, multilabel, background, out.runs, out.values, simd, bounds);
        row_first[r + 1] = out.runs.size();
        merge_row(out.runs, out.values, row_first, r, row_begin, s, neighbours, multilabel);
    }
    out.row_first.assign(row_first.begin() + static_cast<std::ptrdiff_t>(row_begin), row_first.end());
}

// Labels the image in horizontal stripes (whole planes in 3-D), one per thread, then joins the
// stripes: their runs are concatenated in raster order (local parent links shifted by the
// stripe's offset, so every link still points to a smaller index), the rows just below each
// seam are merged again with all their neighbours, and the roots are numbered in one pass. The
// partition and the numbering do not depend on how the image was cut.
template <class T>
void label_pass(const T* image, const LabelShape& s, int connectivity, bool multilabel, T background,
                std::vector<Run>& runs, std::vector<std::uint64_t>& row_first, std::uint64_t& count) {
    const std::vector<NeighbourRow> neighbours = neighbour_rows(connectivity);
    if (s.depth > 1 && (connectivity == 4 || connectivity == 8))
        throw std::invalid_argument("connectivity " + std::to_string(connectivity) + " is for 2-D images (one plane)");
    if (s.width >= (std::uint64_t{1} << 32))
        throw std::invalid_argument("rows of 2^32 pixels or more are not supported, got width " + std::to_string(s.width));
    const std::uint64_t rows = s.depth * s.height;
    const std::uint64_t pixels = rows * s.width;
    // Cut along planes in 3-D and along rows in 2-D; small images are not worth a thread.
    const std::uint64_t units = s.depth > 1 ? s.depth : s.height;
    const std::uint64_t rows_per_unit = s.depth > 1 ? s.height : 1;
    std::uint64_t stripes = pixels < (std::uint64_t{1} << 20) ? 1 : static_cast<std::uint64_t>(num_threads());
    stripes = std::max<std::uint64_t>(1, std::min(stripes, units));
    std::vector<Stripe<T>> parts(stripes);
    std::vector<std::uint64_t> stripe_row(stripes + 1);
    for (std::uint64_t i = 0; i <= stripes; ++i) stripe_row[i] = units * i / stripes * rows_per_unit;
    parallel_for(stripes, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            scan_stripe(image, s, stripe_row[i], stripe_row[i + 1], neighbours, multilabel, background, parts[i]);
    });
    if (stripes == 1) {
        runs = std::move(parts[0].runs);
        row_first = std::move(parts[0].row_first);
    } else {
        std::size_t total = 0;
        for (const auto& part : parts) total += part.runs.size();
        runs.reserve(total);
        row_first.assign(rows + 1, 0);
        std::vector<T> values;
        if (multilabel) values.reserve(total);
        for (std::uint64_t i = 0; i < stripes; ++i) {
            const std::uint64_t offset = runs.size();
            for (Run run : parts[i].runs) {
                run.label += offset;
                runs.push_back(run);
            }
            if (multilabel) values.insert(values.end(), parts[i].values.begin(), parts[i].values.end());
            for (std::uint64_t r = stripe_row[i]; r < stripe_row[i + 1]; ++r)
                row_first[r] = offset + parts[i].row_first[r - stripe_row[i]];
            std::vector<Run>().swap(parts[i].runs);
        }
        row_first[rows] = runs.size();
        for (std::uint64_t i = 1; i < stripes; ++i)
            for (std::uint64_t r = stripe_row[i]; r < stripe_row[i] + rows_per_unit; ++r)
                merge_row(runs, values, row_first, r, 0, s, neighbours, multilabel);
    }
    // Roots come first in raster order (min-root unions), so numbering them in run order gives
    // consecutive labels in order of each component's first pixel. Every run's parent has a
    // smaller index, so by the time a run is reached its parent already holds its final label.
    count = 0;
    for (std::uint64_t i = 0; i < runs.size(); ++i) {
        const std::uint64_t parent = runs[i].label;
        runs[i].label = parent == i ? ++count : runs[parent].label;
    }
}

// Writes rows [begin, end) starting at out (the first of those rows).
template <class Out>
void write_rows(const std::vector<Run>& runs, const std::vector<std::uint64_t>& row_first, std::uint64_t begin,
                std::uint64_t end, std::uint64_t width, Out* out) {
    for (std::uint64_t r = begin; r < end; ++r, out += width) {
        std::uint64_t x = 0;
        for (std::uint64_t i = row_first[r]; i < row_first[r + 1]; ++i) {
            std::fill(out + x, out + runs[i].start, Out{0});
            std::fill(out + runs[i].start, out + runs[i].end, static_cast<Out>(runs[i].label));
            x = runs[i].end;
        }
        std::fill(out + x, out + width, Out{0});
    }
}

}  // namespace

Labeling label_components(const void* image, std::size_t element_size, const LabelShape& shape, int connectivity,
                          bool multilabel, std::uint64_t background) {
    Labeling result;
    result.shape_ = shape;
    switch (element_size) {
        case 1:
            label_pass(static_cast<const std::uint8_t*>(image), shape, connectivity, multilabel,
                       static_cast<std::uint8_t>(background), result.runs_, result.row_first_, result.count_);
            break;
        case 2:
            label_pass(static_cast<const std::uint16_t*>(image), shape, connectivity, multilabel,
                       static_cast<std::uint16_t>(background), result.runs_, result.row_first_, result.count_);
            break;
        case 4:
            label_pass(static_cast<const std::uint32_t*>(image), shape, connectivity, multilabel,
                       static_cast<std::uint32_t>(background), result.runs_, result.row_first_, result.count_);
            break;
        case 8:
            label_pass(static_cast<const std::uint64_t*>(image), shape, connectivity, multilabel, background,
                       result.runs_, result.row_first_, result.count_);
            break;
        default:
            throw std::invalid_argument("pixels must be 1, 2, 4 or 8 bytes wide, got " + std::to_string(element_size));
    }
    return result;
}

void Labeling::write(void* out, std::size_t element_size) const {
    if (element_size != 1 && element_size != 2 && element_size != 4 && element_size != 8)
        throw std::invalid_argument("labels must be 1, 2, 4 or 8 bytes wide, got " + std::to_string(element_size));
    const std::uint64_t rows = shape_.depth * shape_.height, width = shape_.width;
    const std::size_t grain = static_cast<std::size_t>(std::max<std::uint64_t>(1, (std::uint64_t{1} << 18) / (width + 1)));
    parallel_for(rows, grain, [&](std::size_t begin, std::size_t end) {
        auto* base = static_cast<std::uint8_t*>(out) + begin * width * element_size;
        switch (element_size) {
            case 1: write_rows(runs_, row_first_, begin, end, width, base); break;
            case 2: write_rows(runs_, row_first_, begin, end, width, reinterpret_cast<std::uint16_t*>(base)); break;
            case 4: write_rows(runs_, row_first_, begin, end, width, reinterpret_cast<std::uint32_t*>(base)); break;
            default: write_rows(runs_, row_first_, begin, end, width, reinterpret_cast<std::uint64_t*>(base)); break;
        }
    });
}

// Area, bounding box and exact coordinate sums, from the runs (a run adds its length, its row
// and plane times its length, and the sum of its x values).
ComponentStats Labeling::stats() const {
    ComponentStats stats;
    const std::uint64_t n = count_;
    stats.area.assign(n, 0);
    stats.coordinate_sums.assign(3 * n, 0);
    stats.bbox.resize(6 * n);
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t* box = &stats.bbox[6 * i];
        box[0] = box[1] = box[2] = ~std::uint64_t{0};
        box[3] = box[4] = box[5] = 0;
    }
    const std::uint64_t rows = shape_.depth * shape_.height;
    for (std::uint64_t r = 0; r < rows; ++r) {
        const std::uint64_t z = r / shape_.height, y = r % shape_.height;
        for (std::uint64_t i = row_first_[r]; i < row_first_[r + 1]; ++i) {
            const Run& run = runs_[i];
            const std::uint64_t k = run.label - 1, length = run.end - run.start;
            stats.area[k] += length;
            std::uint64_t* sums = &stats.coordinate_sums[3 * k];
            sums[0] += z * length;
            sums[1] += y * length;
            sums[2] += (std::uint64_t{run.start} + run.end - 1) * length / 2;
            std::uint64_t* box = &stats.bbox[6 * k];
            box[0] = std::min(box[0], z);
            box[1] = std::min(box[1], y);
            box[2] = std::min<std::uint64_t>(box[2], run.start);
            box[3] = std::max(box[3], z + 1);
            box[4] = std::max(box[4], y + 1);
            box[5] = std::max<std::uint64_t>(box[5], run.end);
        }
    }
    return stats;
}

std::vector<Labeling> label_image_stack(const void* images, std::size_t element_size, std::uint64_t count,
                                        std::uint64_t height, std::uint64_t width, int connectivity,
                                        bool multilabel, std::uint64_t background) {
    if (connectivity != 4 && connectivity != 8)
        throw std::invalid_argument("a stack of 2-D images takes connectivity 4 or 8, got " + std::to_string(connectivity));
    std::vector<Labeling> result(count);
    const std::uint64_t image_bytes = height * width * element_size;
    const LabelShape shape{1, height, width};
    // Small images are dominated by per-call overhead: give each thread a good number of them.
    const std::size_t grain = std::max<std::size_t>(1, static_cast<std::size_t>((1u << 16) / (height * width + 1)));
    parallel_for(count, grain, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            result[i] = label_components(static_cast<const std::uint8_t*>(images) + i * image_bytes, element_size,
                                         shape, connectivity, multilabel, background);
    });
    return result;
}

}  // namespace maskkit
