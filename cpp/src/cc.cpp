// Run-based two-pass labeling (after He, Chao & Suzuki's run-based scan).
//
// Pass 1 cuts every row into runs: maximal stretches of foreground (binary mode) or of one
// non-background value (multilabel mode). A run is joined to the runs of the earlier rows that
// touch it under the connectivity: the row above in the same plane and, in 3-D, up to three rows
// of the plane before. A neighbour row is either "straight" (only the pixel at the same x
// counts: runs must overlap) or "diagonal" (x-1, x and x+1 count: runs may also touch at a
// corner).
//
// Equivalences live in a union-find forest over *sets*, not over runs: a run that touches an
// earlier run joins that run's set, and only a run touching none opens a new set. Sets are
// therefore opened in raster order of their first run, and far fewer than runs, which keeps the
// forest small enough to stay in cache while the runs stream past. Unions keep the smaller
// root, so a component's root is the set of its first run in raster order, and numbering the
// roots in set order gives consecutive labels in order of each component's first pixel: the
// numbering of scipy.ndimage.label. Pass 2 writes each row: zeros between runs, each run's
// final label over it.
//
// Work is proportional to the pixels read once plus the number of runs, so smooth masks cost
// little more than a scan; byte rows are cut into runs by the SIMD kernels.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/rle_kernels.hpp"
#include "maskkit/cc.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

constexpr std::uint32_t kNoSet = ~std::uint32_t{0};
// Run and set indices are 32-bit; kNoSet is reserved.
constexpr std::uint64_t kMostRuns = kNoSet - 1;

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
// (Equal) or unequal (!Equal) to value.
template <bool Equal, class T>
std::uint64_t skip(const T* row, std::uint64_t from, std::uint64_t width, T value) {
    std::uint64_t x = from;
    while (x < width && (row[x] == value) == Equal) ++x;
    return x;
}

// The runs of rows [row_begin, row_end) with their sets, joined among themselves. Indices of
// runs and sets are local to the stripe; row_first is relative to row_begin.
template <class T>
struct Stripe {
    RawVector<std::uint32_t> bounds;  // start, end per run
    RawVector<std::uint32_t> sets;    // set of each run
    RawVector<std::uint32_t> parent;  // union-find forest over sets (parent[s] <= s)
    std::vector<T> values;            // multilabel: the value of each run
    std::vector<std::uint64_t> row_first;

    std::uint64_t runs() const { return sets.size(); }

    std::uint32_t find(std::uint32_t s) {
        while (parent[s] != s) {  // path halving
            const std::uint32_t up = parent[parent[s]];
            parent[s] = up;
            s = up;
        }
        return s;
    }
    // Joins two roots; returns the surviving (smaller) one.
    std::uint32_t unite(std::uint32_t a, std::uint32_t b) {
        if (a < b) {
            parent[b] = a;
            return a;
        }
        parent[a] = b;
        return b;
    }
    std::uint32_t open_set() {
        const auto s = static_cast<std::uint32_t>(parent.size());
        parent.push_back(s);
        return s;
    }
};

// Appends the runs of one row to the stripe (sets not assigned yet).
template <class T>
void append_runs(const T* row, std::uint64_t width, bool multilabel, T background, Stripe<T>& stripe,
                 const kernels::RleKernels& simd, std::vector<std::uint32_t>& edges) {
    const std::uint64_t before = stripe.runs();
    if (before + (width + 1) / 2 > kMostRuns)
        throw std::length_error("the image has too many runs to label (more than " + std::to_string(kMostRuns) + ")");
    stripe.bounds.resize(2 * before + width + 16);
    std::uint32_t* out = stripe.bounds.data() + 2 * before;
    std::uint64_t found = 0;
    if constexpr (sizeof(T) == 1) {
        if (!multilabel) {
            found = simd.foreground_runs(row, width, background, out);
        } else {  // cut at every change of value, keep the stretches that are not background
            edges.resize(width + 16);
            const std::size_t n = simd.value_edges(row, width, edges.data());
            edges[n] = static_cast<std::uint32_t>(width);
            std::uint32_t start = 0;
            for (std::size_t e = 0; e <= n; ++e) {
                const T value = row[start];
                if (value != background) {
                    out[2 * found] = start;
                    out[2 * found + 1] = edges[e];
                    ++found;
                    stripe.values.push_back(value);
                }
                start = edges[e];
            }
        }
    } else {
        (void)simd;
        (void)edges;
        std::uint64_t x = 0;
        while (true) {
            x = skip<true>(row, x, width, background);
            if (x == width) break;
            const std::uint64_t start = x;
            if (multilabel) {
                const T value = row[x];
                x = skip<true>(row, x, width, value);
                stripe.values.push_back(value);
            } else {
                x = skip<false>(row, x, width, background);
            }
            out[2 * found] = static_cast<std::uint32_t>(start);
            out[2 * found + 1] = static_cast<std::uint32_t>(x);
            ++found;
        }
    }
    stripe.bounds.resize(2 * (before + found));
    stripe.sets.resize(before + found, kNoSet);
}

// Joins runs [first, last) of one row to the touching runs [j, j_end) of one earlier neighbour
// row. A run's set so far is in sets[i] (kNoSet: none yet); with OpenNew, runs still without a
// set afterwards open one, in run order.
template <bool Multilabel, bool OpenNew, class T>
void link_runs(Stripe<T>& s, std::uint64_t first, std::uint64_t last, std::uint64_t j, std::uint64_t j_end,
               std::uint32_t reach) {
    const std::uint32_t* bounds = s.bounds.data();
    std::uint32_t* sets = s.sets.data();
    std::uint32_t* parent = s.parent.data();
    for (std::uint64_t i = first; i < last; ++i) {
        const std::uint32_t start = bounds[2 * i], end = bounds[2 * i + 1];
        while (j < j_end && std::uint64_t{bounds[2 * j + 1]} + reach <= start) ++j;
        std::uint32_t root = sets[i];
        if (root != kNoSet) root = s.find(root);
        for (std::uint64_t k = j; k < j_end && bounds[2 * k] < std::uint64_t{end} + reach; ++k) {
            if constexpr (Multilabel) {
                if (s.values[k] != s.values[i]) continue;
            }
            const std::uint32_t other = s.find(sets[k]);
            // Later rows reach run k again (three times per plane in 3-D): point it at its root
            // so their finds start there.
            sets[k] = other;
            // Union without branches: the smaller root survives; while run i has no set yet
            // (root == kNoSet, the largest value) it simply takes `other`.
            const std::uint32_t survivor = std::min(root, other);
            const std::uint32_t joined = root == kNoSet ? other : std::max(root, other);
            parent[joined] = survivor;
            root = survivor;
        }
        if constexpr (OpenNew) {
            if (root == kNoSet) {
                root = s.open_set();
                parent = s.parent.data();
            }
        }
        sets[i] = root;
    }
}

// Joins the runs of row r (global index) to those of its neighbour rows that are not before row
// `lowest`; row_first is indexed by global row. With open_new, runs touching nothing open sets.
template <bool Multilabel, class T>
void link_row(Stripe<T>& s, const std::vector<std::uint64_t>& row_first, std::uint64_t r, std::uint64_t lowest,
              const LabelShape& shape, const std::vector<NeighbourRow>& neighbours, bool open_new) {
    const std::uint64_t first = row_first[r], last = row_first[r + 1];
    if (first == last) return;
    const std::uint64_t z = r / shape.height, y = r % shape.height;
    std::uint64_t rows[4];
    std::uint32_t reaches[4];
    std::size_t count = 0;
    for (const NeighbourRow& n : neighbours) {
        const std::int64_t nz = static_cast<std::int64_t>(z) + n.dz, ny = static_cast<std::int64_t>(y) + n.dy;
        if (nz < 0 || ny < 0 || ny >= static_cast<std::int64_t>(shape.height)) continue;
        const std::uint64_t other = static_cast<std::uint64_t>(nz) * shape.height + static_cast<std::uint64_t>(ny);
        if (other < lowest || row_first[other] == row_first[other + 1]) continue;
        rows[count] = other;
        reaches[count++] = n.diagonal ? 1 : 0;
    }
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint64_t o = rows[n];
        if (open_new && n + 1 == count)
            link_runs<Multilabel, true>(s, first, last, row_first[o], row_first[o + 1], reaches[n]);
        else
            link_runs<Multilabel, false>(s, first, last, row_first[o], row_first[o + 1], reaches[n]);
    }
    if (open_new && count == 0)
        for (std::uint64_t i = first; i < last; ++i) s.sets[i] = s.open_set();
}

template <class T>
void scan_stripe(const T* image, const LabelShape& shape, std::uint64_t row_begin, std::uint64_t row_end,
                 const std::vector<NeighbourRow>& neighbours, bool multilabel, T background, Stripe<T>& out) {
    std::vector<std::uint32_t> edges;
    const kernels::RleKernels& simd = kernels::rle_kernels();
    const std::uint64_t rows = row_end - row_begin, width = shape.width;
    // Room for 50 % noise (a run per 4 pixels) up front: untouched capacity costs address space
    // only, and regrowing arrays of millions of runs would copy them.
    const std::uint64_t expected = std::min<std::uint64_t>({rows * ((width + 1) / 2), rows * width / 4 + rows,
                                                            std::uint64_t{1} << 26});
    out.bounds.reserve(static_cast<std::size_t>(2 * expected + width + 16));
    out.sets.reserve(static_cast<std::size_t>(expected));
    out.parent.reserve(static_cast<std::size_t>(expected / 4 + 16));
    std::vector<std::uint64_t> row_first(row_end + 1, 0);  // indexed by global row; only this stripe's used
    for (std::uint64_t r = row_begin; r < row_end; ++r) {
        row_first[r] = out.runs();
        append_runs(image + r * width, width, multilabel, background, out, simd, edges);
        row_first[r + 1] = out.runs();
        if (multilabel)
            link_row<true>(out, row_first, r, row_begin, shape, neighbours, true);
        else
            link_row<false>(out, row_first, r, row_begin, shape, neighbours, true);
    }
    out.row_first.assign(row_first.begin() + static_cast<std::ptrdiff_t>(row_begin), row_first.end());
}

// Labels the image in horizontal stripes (whole planes in 3-D), one per thread, then joins the
// stripes: their runs and sets are concatenated in raster order (set indices shifted by the
// stripe's first set, so every parent link still points to a smaller set and sets stay in raster
// order of their first run), the rows just below each seam are joined again with all their
// neighbours, and the roots are numbered in one pass. The partition and the numbering do not
// depend on how the image was cut.
template <class T>
void label_pass(const T* image, const LabelShape& shape, int connectivity, bool multilabel, T background,
                RawVector<std::uint32_t>& bounds, RawVector<std::uint32_t>& labels, std::vector<std::uint64_t>& row_first,
                std::uint64_t& count) {
    const std::vector<NeighbourRow> neighbours = neighbour_rows(connectivity);
    if (shape.depth > 1 && (connectivity == 4 || connectivity == 8))
        throw std::invalid_argument("connectivity " + std::to_string(connectivity) + " is for 2-D images (one plane)");
    if (shape.width >= (std::uint64_t{1} << 32))
        throw std::invalid_argument("rows of 2^32 pixels or more are not supported, got width " +
                                    std::to_string(shape.width));
    const std::uint64_t rows = shape.depth * shape.height;
    const std::uint64_t pixels = rows * shape.width;
    // Cut along planes in 3-D and along rows in 2-D; small images are not worth a thread.
    const std::uint64_t units = shape.depth > 1 ? shape.depth : shape.height;
    const std::uint64_t rows_per_unit = shape.depth > 1 ? shape.height : 1;
    std::uint64_t stripes = pixels < (std::uint64_t{1} << 20) ? 1 : static_cast<std::uint64_t>(num_threads());
    stripes = std::max<std::uint64_t>(1, std::min(stripes, units));
    std::vector<Stripe<T>> parts(stripes);
    std::vector<std::uint64_t> stripe_row(stripes + 1);
    for (std::uint64_t i = 0; i <= stripes; ++i) stripe_row[i] = units * i / stripes * rows_per_unit;
    parallel_for(stripes, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            scan_stripe(image, shape, stripe_row[i], stripe_row[i + 1], neighbours, multilabel, background, parts[i]);
    });
    Stripe<T> whole;
    if (stripes == 1) {
        whole = std::move(parts[0]);
    } else {
        std::uint64_t total_runs = 0, total_sets = 0;
        for (const auto& part : parts) {
            total_runs += part.runs();
            total_sets += part.parent.size();
        }
        if (total_runs > kMostRuns)
            throw std::length_error("the image has too many runs to label (more than " + std::to_string(kMostRuns) + ")");
        // Each stripe copies itself into its place, in parallel (set indices shifted).
        std::vector<std::uint64_t> run_offset(stripes + 1, 0), set_offset(stripes + 1, 0);
        for (std::uint64_t i = 0; i < stripes; ++i) {
            run_offset[i + 1] = run_offset[i] + parts[i].runs();
            set_offset[i + 1] = set_offset[i] + parts[i].parent.size();
        }
        whole.bounds.resize(static_cast<std::size_t>(2 * total_runs));
        whole.sets.resize(static_cast<std::size_t>(total_runs));
        whole.parent.resize(static_cast<std::size_t>(total_sets));
        if (multilabel) whole.values.resize(static_cast<std::size_t>(total_runs));
        whole.row_first.assign(rows + 1, 0);
        parallel_for(stripes, 1, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                Stripe<T>& part = parts[i];
                const auto shift = static_cast<std::uint32_t>(set_offset[i]);
                std::copy(part.bounds.begin(), part.bounds.end(), whole.bounds.begin() + static_cast<std::ptrdiff_t>(2 * run_offset[i]));
                std::uint32_t* sets = whole.sets.data() + run_offset[i];
                for (std::size_t r = 0; r < part.sets.size(); ++r) sets[r] = part.sets[r] + shift;
                std::uint32_t* parent = whole.parent.data() + set_offset[i];
                for (std::size_t r = 0; r < part.parent.size(); ++r) parent[r] = part.parent[r] + shift;
                std::copy(part.values.begin(), part.values.end(), whole.values.begin() + static_cast<std::ptrdiff_t>(run_offset[i]));
                for (std::uint64_t r = stripe_row[i]; r < stripe_row[i + 1]; ++r)
                    whole.row_first[r] = run_offset[i] + part.row_first[r - stripe_row[i]];
                part = Stripe<T>();
            }
        });
        whole.row_first[rows] = whole.runs();
        for (std::uint64_t i = 1; i < stripes; ++i)
            for (std::uint64_t r = stripe_row[i]; r < stripe_row[i] + rows_per_unit; ++r) {
                if (multilabel)
                    link_row<true>(whole, whole.row_first, r, 0, shape, neighbours, false);
                else
                    link_row<false>(whole, whole.row_first, r, 0, shape, neighbours, false);
            }
    }
    // Roots in set order are in raster order of their component's first pixel; every parent is
    // a smaller set, so when a set is reached its parent already holds its final label.
    std::uint32_t next = 0;
    std::uint32_t* parent = whole.parent.data();
    for (std::size_t s = 0; s < whole.parent.size(); ++s) parent[s] = parent[s] == s ? ++next : parent[parent[s]];
    std::uint32_t* sets = whole.sets.data();
    parallel_for(whole.sets.size(), std::size_t{1} << 16, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) sets[i] = parent[sets[i]];
    });
    count = next;
    bounds = std::move(whole.bounds);
    labels = std::move(whole.sets);
    row_first = std::move(whole.row_first);
}

// value over row[from, to). Short spans are written as one fixed-size block when it stays inside
// the row: whatever it writes past `to` belongs to later spans of the same row, which are
// written afterwards.
template <class Out>
inline void fill_span(Out* row, std::uint64_t from, std::uint64_t to, Out value, std::uint64_t width) {
    constexpr std::uint64_t block = 32 / sizeof(Out);
    if (to - from <= block && from + block <= width) {
        Out* p = row + from;
        for (std::uint64_t k = 0; k < block; ++k) p[k] = value;
    } else {
        std::fill(row + from, row + to, value);
    }
}

// Writes rows [begin, end) starting at out (the first of those rows).
template <class Out>
void fill_rows(const std::uint32_t* bounds, const std::uint32_t* labels, const std::vector<std::uint64_t>& row_first,
                std::uint64_t begin, std::uint64_t end, std::uint64_t width, Out* out) {
    for (std::uint64_t r = begin; r < end; ++r, out += width) {
        std::uint64_t x = 0;
        for (std::uint64_t i = row_first[r]; i < row_first[r + 1]; ++i) {
            const std::uint32_t start = bounds[2 * i], stop = bounds[2 * i + 1];
            fill_span(out, x, start, Out{0}, width);
            fill_span(out, start, stop, static_cast<Out>(labels[i]), width);
            x = stop;
        }
        fill_span(out, x, width, Out{0}, width);
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
                       static_cast<std::uint8_t>(background), result.bounds_, result.labels_, result.row_first_,
                       result.count_);
            break;
        case 2:
            label_pass(static_cast<const std::uint16_t*>(image), shape, connectivity, multilabel,
                       static_cast<std::uint16_t>(background), result.bounds_, result.labels_, result.row_first_,
                       result.count_);
            break;
        case 4:
            label_pass(static_cast<const std::uint32_t*>(image), shape, connectivity, multilabel,
                       static_cast<std::uint32_t>(background), result.bounds_, result.labels_, result.row_first_,
                       result.count_);
            break;
        case 8:
            label_pass(static_cast<const std::uint64_t*>(image), shape, connectivity, multilabel, background,
                       result.bounds_, result.labels_, result.row_first_, result.count_);
            break;
        default:
            throw std::invalid_argument("pixels must be 1, 2, 4 or 8 bytes wide, got " + std::to_string(element_size));
    }
    return result;
}

namespace {

ComponentStats empty_stats(std::uint64_t n) {
    ComponentStats stats;
    stats.area.assign(n, 0);
    stats.coordinate_sums.assign(3 * n, 0);
    stats.bbox.resize(6 * n);
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t* box = &stats.bbox[6 * i];
        box[0] = box[1] = box[2] = ~std::uint64_t{0};
        box[3] = box[4] = box[5] = 0;
    }
    return stats;
}

// Adds `part` (measures of other rows) into `total`.
void combine_stats(ComponentStats& total, const ComponentStats& part) {
    for (std::size_t i = 0; i < total.area.size(); ++i) total.area[i] += part.area[i];
    for (std::size_t i = 0; i < total.coordinate_sums.size(); ++i) total.coordinate_sums[i] += part.coordinate_sums[i];
    for (std::size_t i = 0; i < total.bbox.size(); i += 6)
        for (std::size_t d = 0; d < 3; ++d) {
            total.bbox[i + d] = std::min(total.bbox[i + d], part.bbox[i + d]);
            total.bbox[i + 3 + d] = std::max(total.bbox[i + 3 + d], part.bbox[i + 3 + d]);
        }
}

}  // namespace

// Area, bounding box and exact coordinate sums of rows [begin, end), from the runs: a run adds
// its length, its row and plane times its length, and the sum of its x values.
void Labeling::measure_rows(std::uint64_t begin, std::uint64_t end, ComponentStats& stats) const {
    for (std::uint64_t r = begin; r < end; ++r) {
        const std::uint64_t z = r / shape_.height, y = r % shape_.height;
        for (std::uint64_t i = row_first_[r]; i < row_first_[r + 1]; ++i) {
            const std::uint64_t start = bounds_[2 * i], stop = bounds_[2 * i + 1];
            const std::uint64_t k = labels_[i] - 1, length = stop - start;
            stats.area[k] += length;
            std::uint64_t* sums = &stats.coordinate_sums[3 * k];
            sums[0] += z * length;
            sums[1] += y * length;
            sums[2] += (start + stop - 1) * length / 2;
            std::uint64_t* box = &stats.bbox[6 * k];
            box[0] = std::min(box[0], z);
            box[1] = std::min(box[1], y);
            box[2] = std::min(box[2], start);
            box[3] = std::max(box[3], z + 1);
            box[4] = std::max(box[4], y + 1);
            box[5] = std::max(box[5], stop);
        }
    }
}

void Labeling::write_rows(std::uint64_t begin, std::uint64_t end, void* out, std::size_t element_size) const {
    const std::uint64_t width = shape_.width;
    auto* base = static_cast<std::uint8_t*>(out) + begin * width * element_size;
    const std::uint32_t* bounds = bounds_.data();
    const std::uint32_t* labels = labels_.data();
    switch (element_size) {
        case 1: fill_rows(bounds, labels, row_first_, begin, end, width, base); break;
        case 2: fill_rows(bounds, labels, row_first_, begin, end, width, reinterpret_cast<std::uint16_t*>(base)); break;
        case 4: fill_rows(bounds, labels, row_first_, begin, end, width, reinterpret_cast<std::uint32_t*>(base)); break;
        default: fill_rows(bounds, labels, row_first_, begin, end, width, reinterpret_cast<std::uint64_t*>(base)); break;
    }
}

void Labeling::write(void* out, std::size_t element_size, ComponentStats* stats) const {
    if (element_size != 1 && element_size != 2 && element_size != 4 && element_size != 8)
        throw std::invalid_argument("labels must be 1, 2, 4 or 8 bytes wide, got " + std::to_string(element_size));
    const std::uint64_t rows = shape_.depth * shape_.height, width = shape_.width;
    if (stats == nullptr) {
        const std::size_t grain = static_cast<std::size_t>(std::max<std::uint64_t>(1, (std::uint64_t{1} << 18) / (width + 1)));
        parallel_for(rows, grain, [&](std::size_t begin, std::size_t end) { write_rows(begin, end, out, element_size); });
        return;
    }
    // Measured in the same pass over the runs as the write: one block of rows per thread, each
    // with its own partial measures, combined at the end.
    const std::uint64_t pixels = rows * width;
    const std::uint64_t blocks = std::max<std::uint64_t>(
        1, std::min<std::uint64_t>({rows, static_cast<std::uint64_t>(num_threads()), pixels >> 18}));
    std::vector<ComponentStats> parts(blocks);
    parallel_for(blocks, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t b = begin; b < end; ++b) {
            const std::uint64_t first = rows * b / blocks, last = rows * (b + 1) / blocks;
            parts[b] = empty_stats(count_);
            write_rows(first, last, out, element_size);
            measure_rows(first, last, parts[b]);
        }
    });
    *stats = std::move(parts[0]);
    for (std::uint64_t b = 1; b < blocks; ++b) combine_stats(*stats, parts[b]);
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
