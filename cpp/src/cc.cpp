// Run-based two-pass labeling (after He, Chao & Suzuki's run-based scan).
//
// Pass 1 cuts every row into runs: maximal stretches of foreground (binary mode), of one
// non-background value (multilabel mode) or of values each within delta of the one before
// (continuous mode, where two touching runs join only if some pair of touching pixels is within
// delta). A run is joined to the runs of the earlier rows that
// touch it under the connectivity: the row above in the same plane and, in 3-D, up to three rows
// of the plane before. A neighbour row is either "straight" (only the pixel at the same x
// counts: runs must overlap) or "diagonal" (x-1, x and x+1 count: runs may also touch at a
// corner). Binary 26-connectivity joins a plane to the one before through their projection
// instead (link_row_in_slab), which visits fewer rows.
//
// Equivalences live in a union-find forest over *sets*, not over runs: a run that touches an
// earlier run joins that run's set, and only a run touching none opens a new set. Sets are
// therefore opened in raster order of their first run, and far fewer than runs, which keeps the
// forest small enough to stay in cache while the runs stream past. Unions keep the smaller
// root, so a component's root is the set of its first run in raster order, and numbering the
// roots in set order gives consecutive labels in order of each component's first pixel: the
// numbering of scipy.ndimage.label. Periodic boundaries add, before the numbering, the unions
// of neighbours that face each other across the image's faces. Pass 2 (cc_write.cpp) writes
// the label image from the runs.
//
// Work is proportional to the pixels read once plus the number of runs, so smooth masks cost
// little more than a scan; byte rows are cut into runs by the SIMD kernels.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "inlining.hpp"
#include "kernels/cc_kernels.hpp"
#include "cc_runs.hpp"
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

constexpr std::uint64_t kNoRow = ~std::uint64_t{0};

// The row (global index) of neighbour n of row r, or kNoRow when it lies outside the image.
inline std::uint64_t neighbour_row(std::uint64_t r, const NeighbourRow& n, const LabelShape& shape) {
    const std::int64_t nz = static_cast<std::int64_t>(r / shape.height) + n.dz;
    const std::int64_t ny = static_cast<std::int64_t>(r % shape.height) + n.dy;
    if (nz < 0 || ny < 0 || ny >= static_cast<std::int64_t>(shape.height)) return kNoRow;
    return static_cast<std::uint64_t>(nz) * shape.height + static_cast<std::uint64_t>(ny);
}

// First x >= from where (row[x] == value) != Equal, i.e. the end of a stretch of pixels equal
// (Equal) or unequal (!Equal) to value.
template <bool Equal, class T>
std::uint64_t skip(const T* row, std::uint64_t from, std::uint64_t width, T value) {
    std::uint64_t x = from;
    while (x < width && (row[x] == value) == Equal) ++x;
    return x;
}

// How neighbouring pixels join (T is the pixel type as stored). Binary: any two pixels that
// differ from the background. Equal (multilabel): pixels of equal value. Close (continuous
// values, cc3d's delta): pixels whose values differ by at most delta, compared exactly for
// integers and in double precision for floats.
template <class T>
struct BinaryRule {
    static constexpr bool equal_values = false, close_values = false;
    T background;
    bool joins(T, T) const { return true; }
};

template <class T>
struct EqualRule {
    static constexpr bool equal_values = true, close_values = false;
    T background;
    bool joins(T a, T b) const { return a == b; }
};

template <class T>
struct CloseRule {
    static constexpr bool equal_values = false, close_values = true;
    T background;
    std::uint64_t integer_delta;
    double float_delta;
    bool joins(T a, T b) const {
        if constexpr (std::is_floating_point_v<T>) {
            return std::fabs(static_cast<double>(a) - static_cast<double>(b)) <= float_delta;
        } else {
            // |a - b| in unsigned 64-bit arithmetic: exact for every pair of 64-bit integers
            using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
            const auto wide_a = static_cast<std::uint64_t>(static_cast<Wide>(a));
            const auto wide_b = static_cast<std::uint64_t>(static_cast<Wide>(b));
            return (a >= b ? wide_a - wide_b : wide_b - wide_a) <= integer_delta;
        }
    }
};

// Union-find over a forest of sets in which every parent is a smaller set (parent[s] <= s), on
// a raw array so that hot loops keep the pointer in a register.
inline std::uint32_t find_root(std::uint32_t* parent, std::uint32_t s) {
    while (parent[s] != s) {  // path halving
        const std::uint32_t up = parent[parent[s]];
        parent[s] = up;
        s = up;
    }
    return s;
}

// Joins `root` (kNoSet: none yet) with the root `other` without branches: the smaller survives
// and is returned; with no root yet (kNoSet, the largest value) it is `other`.
inline std::uint32_t absorb_root(std::uint32_t* parent, std::uint32_t root, std::uint32_t other) {
    const std::uint32_t survivor = std::min(root, other);
    parent[root == kNoSet ? other : std::max(root, other)] = survivor;
    return survivor;
}

// The runs of one band of rows with their sets, joined among themselves. Indices of runs and
// sets are local to the stripe (the band's first_set places its sets among the image's).
template <class T>
struct Stripe : RunBand {
    RawVector<std::uint32_t> parent;  // union-find forest over the stripe's sets (parent[s] <= s)
    std::vector<T> values;            // multilabel: the value of each run

    // A new set, its own root; may move the parent array.
    std::uint32_t open_set() {
        const auto s = static_cast<std::uint32_t>(parent.size());
        parent.push_back(s);
        return s;
    }
};

// The most runs a row of `width` pixels holds: one per pixel where touching runs may differ
// (multilabel, delta), else one per two pixels (runs are parted by background).
template <class Rule>
constexpr std::uint64_t most_runs_in_row(std::uint64_t width) {
    return Rule::equal_values || Rule::close_values ? width : (width + 1) / 2;
}

// Appends the runs of one row to the stripe (sets not assigned yet): maximal stretches of
// pixels that differ from the background and join their left neighbour under the rule.
template <class Rule, class T>
void append_runs(const T* row, std::uint64_t width, const Rule& rule, Stripe<T>& stripe,
                 const kernels::CcKernels& simd, std::vector<std::uint32_t>& edges) {
    const T background = rule.background;
    const std::uint64_t before = stripe.runs();
    const std::uint64_t most = most_runs_in_row<Rule>(width);
    if (before + most > kMostRuns)
        throw std::length_error("the image has too many runs to label (more than " + std::to_string(kMostRuns) + ")");
    // Two bounds per run, and the slack the kernels may write past what they return.
    stripe.bounds.resize(2 * (before + most) + kernels::kBoundsSlack);
    std::uint32_t* out = stripe.bounds.data() + 2 * before;
    std::uint64_t found = 0;
    if constexpr (sizeof(T) == 1 && std::is_unsigned_v<T> && !Rule::close_values) {
        if constexpr (!Rule::equal_values) {
            found = simd.foreground_runs(row, width, background, out);
        } else {  // cut at every change of value, keep the stretches that are not background
            edges.resize(width + kernels::kBoundsSlack);
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
            if constexpr (Rule::equal_values) {
                const T value = row[x];
                x = skip<true>(row, x, width, value);
                stripe.values.push_back(value);
            } else if constexpr (Rule::close_values) {
                for (++x; x < width && row[x] != background && rule.joins(row[x - 1], row[x]);) ++x;
            } else {
                x = skip<false>(row, x, width, background);
            }
            out[2 * found] = static_cast<std::uint32_t>(start);
            out[2 * found + 1] = static_cast<std::uint32_t>(x);
            ++found;
        }
    }
    stripe.bounds.resize(2 * (before + found));
    stripe.sets.resize(before + found);  // assigned by link_row
}

// Whether runs i (of row `mine`) and k (of row `theirs`), which touch, hold a pair of touching
// pixels whose values are close: each pixel x of run i is tested against x - reach .. x + reach
// of run k.
template <class T>
bool close_contact(const CloseRule<T>& rule, const T* mine, std::uint64_t i_start, std::uint64_t i_end,
                   const T* theirs, std::uint64_t k_start, std::uint64_t k_end, std::uint64_t reach) {
    const std::uint64_t from = std::max(i_start, k_start > reach ? k_start - reach : 0);
    const std::uint64_t to = std::min(i_end, k_end + reach);
    for (std::uint64_t x = from; x < to; ++x) {
        const std::uint64_t lo = std::max(k_start, x >= reach ? x - reach : 0), hi = std::min(k_end, x + reach + 1);
        for (std::uint64_t q = lo; q < hi; ++q)
            if (rule.joins(mine[x], theirs[q])) return true;
    }
    return false;
}

// The roots of a neighbour row's runs, seen from the same stripe: each run found is pointed at
// its root, as later rows reach it again (three times per plane in 3-D) and their finds start
// there.
struct OwnSets {
    std::uint32_t* sets;
    std::uint32_t root_of(std::uint32_t* parent, std::uint64_t k) const {
        const std::uint32_t root = find_root(parent, sets[k]);
        sets[k] = root;
        return root;
    }
};

// The roots of a stripe's runs in the image's forest, once the stripes are joined (across a
// seam, across the faces): their sets are shifted by the stripe's first set, and runs are left
// as they are (their root may lie in another stripe, which a stripe-local set cannot name).
struct StripeSets {
    const std::uint32_t* sets;
    std::uint64_t first_set;
    std::uint32_t root_of(std::uint32_t* parent, std::uint64_t k) const {
        return find_root(parent, static_cast<std::uint32_t>(first_set + sets[k]));
    }
};

// Moves cursor j past the runs of [j, j_end) that end before `start` - reach, then joins `root`
// (kNoSet: none yet) with the roots of the runs that start before `end` + reach and that
// touches(k) accepts; returns the root.
template <class Sets, class Touches>
inline std::uint32_t join_touching(const std::uint32_t* bounds, const Sets& sets, std::uint32_t* parent,
                                   std::uint64_t& j, std::uint64_t j_end, std::uint32_t start, std::uint32_t end,
                                   std::uint32_t reach, std::uint32_t root, Touches&& touches) {
    while (j < j_end && std::uint64_t{bounds[2 * j + 1]} + reach <= start) ++j;
    for (std::uint64_t k = j; k < j_end && bounds[2 * k] < std::uint64_t{end} + reach; ++k) {
        if (!touches(k)) continue;
        root = absorb_root(parent, root, sets.root_of(parent, k));
    }
    return root;
}

// Whether run i of a row and run k of a neighbour row, which touch, join under the rule: always
// in binary mode, with equal values in multilabel mode, and with a close pair of touching
// pixels in continuous mode. The neighbour row may belong to another stripe (their_*).
template <class Rule, class T>
struct Contact {
    const Rule& rule;
    const T* mine;                     // pixels of the row
    const T* theirs;                   // pixels of the neighbour row
    const T* my_values;                // multilabel: run values of the row's stripe
    const T* their_values;             // ... and of the neighbour row's
    const std::uint32_t* their_bounds;
    std::uint32_t reach;

    bool operator()(std::uint64_t i, std::uint32_t start, std::uint32_t end, std::uint64_t k) const {
        if constexpr (Rule::equal_values) {
            return their_values[k] == my_values[i];
        } else if constexpr (Rule::close_values) {
            return close_contact(rule, mine, start, end, theirs, their_bounds[2 * k], their_bounds[2 * k + 1], reach);
        } else {
            (void)i, (void)start, (void)end, (void)k;
            return true;
        }
    }
};

// Joins runs [first, last) of one row to the touching runs [j, j_end) of one earlier neighbour
// row (the rows' pixels are `mine` and `theirs`). A run's set so far is in sets[i] (kNoSet:
// none yet), or, with Fresh, none of the runs has one yet and sets[i] is not read; with
// OpenNew, runs still without a set afterwards open one, in run order.
template <bool Fresh, bool OpenNew, class Rule, class T>
MASKKIT_NOINLINE void link_runs(Stripe<T>& s, const Rule& rule, std::uint64_t first, std::uint64_t last,
                                std::uint64_t j, std::uint64_t j_end, std::uint32_t reach, const T* mine,
                                const T* theirs) {
    const std::uint32_t* bounds = s.bounds.data();
    std::uint32_t* sets = s.sets.data();
    std::uint32_t* parent = s.parent.data();
    const Contact<Rule, T> contact{rule, mine, theirs, s.values.data(), s.values.data(), bounds, reach};
    for (std::uint64_t i = first; i < last; ++i) {
        const std::uint32_t start = bounds[2 * i], end = bounds[2 * i + 1];
        std::uint32_t root = kNoSet;
        if constexpr (!Fresh) {
            root = sets[i];
            if (root != kNoSet) root = find_root(parent, root);
        }
        root = join_touching(bounds, OwnSets{sets}, parent, j, j_end, start, end, reach, root,
                             [&](std::uint64_t k) { return contact(i, start, end, k); });
        if constexpr (OpenNew) {
            if (root == kNoSet) {
                root = s.open_set();
                parent = s.parent.data();
            }
        }
        sets[i] = root;
    }
}

// Binary runs [first, last) of a row without sets, joined in one walk with the runs they overlap
// in two earlier rows, [a, a_end) and [b, b_end) (under 6-connectivity the same row of the plane
// before and the row above); a run that overlaps none opens a set. One walk instead of a
// link_runs pass per row saves reading back and finding each run's set between the passes.
template <class T>
MASKKIT_NOINLINE void link_runs_to_two_rows(Stripe<T>& s, std::uint64_t first, std::uint64_t last, std::uint64_t a,
                                            std::uint64_t a_end, std::uint64_t b, std::uint64_t b_end) {
    const std::uint32_t* bounds = s.bounds.data();
    std::uint32_t* sets = s.sets.data();
    std::uint32_t* parent = s.parent.data();
    auto any = [](std::uint64_t) { return true; };
    for (std::uint64_t i = first; i < last; ++i) {
        const std::uint32_t start = bounds[2 * i], end = bounds[2 * i + 1];
        std::uint32_t root = join_touching(bounds, OwnSets{sets}, parent, a, a_end, start, end, 0, kNoSet, any);
        root = join_touching(bounds, OwnSets{sets}, parent, b, b_end, start, end, 0, root, any);
        if (root == kNoSet) {
            root = s.open_set();
            parent = s.parent.data();
        }
        sets[i] = root;
    }
}

// Joins the new runs of row r (global index) to those of its neighbour rows that are not before
// row `lowest`, and opens a set for each run that touches none; row_first is indexed by global
// row.
template <class Rule, class T>
void link_row(Stripe<T>& s, const Rule& rule, const T* image, const RawVector<std::uint64_t>& row_first,
              std::uint64_t r, std::uint64_t lowest, const LabelShape& shape,
              const std::vector<NeighbourRow>& neighbours) {
    const std::uint64_t first = row_first[r], last = row_first[r + 1];
    if (first == last) return;
    std::uint64_t rows[4];
    std::uint32_t reaches[4];
    std::size_t count = 0;
    for (const NeighbourRow& n : neighbours) {
        const std::uint64_t other = neighbour_row(r, n, shape);
        if (other == kNoRow || other < lowest || row_first[other] == row_first[other + 1]) continue;
        rows[count] = other;
        reaches[count++] = n.diagonal ? 1 : 0;
    }
    const T* mine = image + r * shape.width;
    if constexpr (!Rule::equal_values && !Rule::close_values) {
        if (count == 2 && reaches[0] == 0 && reaches[1] == 0) {
            link_runs_to_two_rows(s, first, last, row_first[rows[0]], row_first[rows[0] + 1], row_first[rows[1]],
                                  row_first[rows[1] + 1]);
            return;
        }
    }
    // The row's runs have no sets yet: the first neighbour row gives them theirs.
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint64_t o = rows[n], j = row_first[o], j_end = row_first[o + 1];
        const T* theirs = image + o * shape.width;
        const bool fresh = n == 0, open = n + 1 == count;
        if (fresh && open)
            link_runs<true, true>(s, rule, first, last, j, j_end, reaches[n], mine, theirs);
        else if (fresh)
            link_runs<true, false>(s, rule, first, last, j, j_end, reaches[n], mine, theirs);
        else if (open)
            link_runs<false, true>(s, rule, first, last, j, j_end, reaches[n], mine, theirs);
        else
            link_runs<false, false>(s, rule, first, last, j, j_end, reaches[n], mine, theirs);
    }
    if (count == 0)
        for (std::uint64_t i = first; i < last; ++i) s.sets[i] = s.open_set();
}

// 26-connectivity between two planes, through their projection. Stack planes z-1 and z and
// look at them from above: a voxel of either plane at (y, x) and one of either plane at a pixel
// 8-adjacent to (y, x) are 26-adjacent (their planes differ by at most one), and so are the two
// voxels at the same (y, x). So the components of the two-plane slab are exactly the 8-connected
// components of the 2-D image "plane z-1 OR plane z", and the components of the volume are those
// of all its slabs joined together. Each plane after a stripe's first is linked through its slab
// with the plane before: a row of the projection is cut into stretches of set pixels by merging
// the runs of the two planes' rows (a run starting at or before the stretch's end extends it),
// and a stretch joins the sets of its earlier-plane runs and the stretches of the projection's
// row above that it touches diagonally. Its later-plane runs take the result, or open a set if
// it touched nothing, which happens only at a component's first voxel; sets therefore still
// open in raster order. A run is merged twice (once per slab it is in) and a stretch visits one
// row, where the plain scan visits four neighbour rows per run.
struct Stretch {
    std::uint32_t start, end, root;
};

// The stretches of the projection's row above (none at a plane's first row) and of this one.
struct StretchRows {
    std::vector<Stretch> above, current;
};
constexpr std::uint32_t kPast = ~std::uint32_t{0} - 1;  // past the end of every row (label_pass checks)

template <class T>
void link_row_in_slab(Stripe<T>& s, const RawVector<std::uint64_t>& row_first, std::uint64_t r, std::uint64_t height,
                      StretchRows& rows) {
    const std::uint32_t* bounds = s.bounds.data();
    std::uint32_t* sets = s.sets.data();
    std::uint64_t i = row_first[r - height], i_end = row_first[r - height + 1];  // plane z-1: sets known
    std::uint64_t j = row_first[r], j_end = row_first[r + 1];                    // plane z: new runs
    // A row has at most one stretch per run of its two planes.
    const auto most = static_cast<std::size_t>((i_end - i) + (j_end - j));
    if (rows.current.size() < most + 1) rows.current.resize(most + 1);
    // Each row of stretches ends with one that starts and ends past every row (kPast), so the
    // walk over the row above needs no bound check.
    static const Stretch past_every_row[1] = {{kPast, kPast, kNoSet}};
    const Stretch* above = r % height == 0 ? past_every_row : rows.above.data();
    Stretch* current = rows.current.data();
    std::size_t count = 0, q = 0;
    std::uint32_t* parent = s.parent.data();
    auto join = [&](std::uint32_t root, std::uint32_t set) { return absorb_root(parent, root, find_root(parent, set)); };
    while (i < i_end || j < j_end) {
        std::uint32_t start, end, root = kNoSet;
        const std::uint64_t j_first = j;
        if (j == j_end || (i < i_end && bounds[2 * i] <= bounds[2 * j])) {
            start = bounds[2 * i], end = bounds[2 * i + 1];
            root = join(root, sets[i++]);
        } else {
            start = bounds[2 * j], end = bounds[2 * j + 1];
            ++j;
        }
        while (true) {
            if (i < i_end && bounds[2 * i] <= end) {
                end = std::max(end, bounds[2 * i + 1]);
                root = join(root, sets[i++]);
            } else if (j < j_end && bounds[2 * j] <= end) {
                end = std::max(end, bounds[2 * j + 1]);
                ++j;
            } else {
                break;
            }
        }
        while (std::uint64_t{above[q].end} + 1 <= start) ++q;
        for (std::size_t k = q; above[k].start <= end; ++k) root = join(root, above[k].root);
        if (root == kNoSet) {
            root = s.open_set();
            parent = s.parent.data();
        }
        for (std::uint64_t k = j_first; k < j; ++k) sets[k] = root;
        current[count++] = {start, end, root};
    }
    current[count] = past_every_row[0];
    rows.above.swap(rows.current);
}

// Pass 1 over rows [row_begin, row_end). With `slabs` (binary 26-connectivity), planes after the
// first are linked through their slab with the plane before (link_row_in_slab).
template <class Rule, class T>
void scan_stripe(const T* image, const LabelShape& shape, std::uint64_t row_begin, std::uint64_t row_end,
                 const std::vector<NeighbourRow>& neighbours, const Rule& rule, bool slabs, Stripe<T>& out) {
    std::vector<std::uint32_t> edges;
    const kernels::CcKernels& simd = kernels::cc_kernels();
    const std::uint64_t rows = row_end - row_begin, width = shape.width;
    // Room for 50 % noise (a run per 4 pixels) up front: untouched capacity costs address space
    // only, and regrowing arrays of millions of runs would copy them.
    const std::uint64_t expected = std::min<std::uint64_t>({rows * ((width + 1) / 2), rows * width / 4 + rows,
                                                            std::uint64_t{1} << 26});
    out.bounds.reserve(static_cast<std::size_t>(2 * expected + 2 * most_runs_in_row<Rule>(width) + kernels::kBoundsSlack));
    out.sets.reserve(static_cast<std::size_t>(expected));
    out.parent.reserve(static_cast<std::size_t>(expected / 4 + 16));
    RawVector<std::uint64_t> row_first(row_end + 1);  // indexed by global row; only this stripe's rows are set
    StretchRows stretches;
    for (std::uint64_t r = row_begin; r < row_end; ++r) {
        row_first[r] = out.runs();
        append_runs(image + r * width, width, rule, out, simd, edges);
        row_first[r + 1] = out.runs();
        if (slabs && r >= row_begin + shape.height)
            link_row_in_slab(out, row_first, r, shape.height, stretches);
        else
            link_row(out, rule, image, row_first, r, row_begin, shape, neighbours);
    }
    out.first_row = row_begin;
    out.row_first.assign(row_first.begin() + static_cast<std::ptrdiff_t>(row_begin), row_first.end());
}

// Every offset (dz, dy, dx) of the neighbourhood, in both directions.
std::vector<std::array<int, 3>> neighbourhood(int connectivity) {
    const bool planar = connectivity == 4 || connectivity == 8;
    const int hops = connectivity == 4 || connectivity == 6 ? 1 : connectivity == 8 || connectivity == 18 ? 2 : 3;
    std::vector<std::array<int, 3>> offsets;
    for (int dz = planar ? 0 : -1; dz <= (planar ? 0 : 1); ++dz)
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
                const int distance = std::abs(dz) + std::abs(dy) + std::abs(dx);
                if (distance > 0 && distance <= hops) offsets.push_back({dz, dy, dx});
            }
    return offsets;
}

// The stripes of the image with the forest over all their sets, in which stripe i's set s is
// stripes[i].first_set + s.
template <class T>
struct Bands {
    std::vector<Stripe<T>> stripes;
    RawVector<std::uint32_t> parent;

    // The stripe holding row r.
    const Stripe<T>& holding(std::uint64_t r) const {
        std::size_t i = stripes.size() - 1;
        while (stripes[i].first_row > r) --i;
        return stripes[i];
    }
    std::uint32_t root(const Stripe<T>& s, std::uint64_t run) {
        return StripeSets{s.sets.data(), s.first_set}.root_of(parent.data(), run);
    }
};

// Joins the first unit of rows of stripe `below` (a row in 2-D, a plane in 3-D) with their
// neighbour rows in the stripe before it, which ends where it starts; the scans have joined
// every other pair of neighbour rows. Only the image's forest changes: runs keep their
// stripe's sets.
template <class Rule, class T>
void join_seam(Bands<T>& bands, std::size_t below, const Rule& rule, const T* image, const LabelShape& shape,
               const std::vector<NeighbourRow>& neighbours, std::uint64_t rows_per_unit) {
    const Stripe<T>& lower = bands.stripes[below];
    const Stripe<T>& upper = bands.stripes[below - 1];
    std::uint32_t* parent = bands.parent.data();
    const StripeSets upper_sets{upper.sets.data(), upper.first_set};
    for (std::uint64_t local = 0; local < rows_per_unit; ++local) {
        const std::uint64_t r = lower.first_row + local;
        const std::uint64_t first = lower.row_first[local], last = lower.row_first[local + 1];
        if (first == last) continue;
        for (const NeighbourRow& n : neighbours) {
            const std::uint64_t other = neighbour_row(r, n, shape);
            if (other == kNoRow || other >= lower.first_row) continue;  // inside the stripe: joined by its scan
            const std::uint64_t o = other - upper.first_row;
            std::uint64_t j = upper.row_first[o];
            const std::uint64_t j_end = upper.row_first[o + 1];
            const std::uint32_t reach = n.diagonal ? 1 : 0;
            const Contact<Rule, T> contact{rule, image + r * shape.width, image + other * shape.width,
                                           lower.values.data(), upper.values.data(), upper.bounds.data(), reach};
            for (std::uint64_t i = first; i < last && j < j_end; ++i) {
                const std::uint32_t start = lower.bounds[2 * i], end = lower.bounds[2 * i + 1];
                join_touching(upper.bounds.data(), upper_sets, parent, j, j_end, start, end, reach,
                              bands.root(lower, i), [&](std::uint64_t k) { return contact(i, start, end, k); });
            }
        }
    }
}

// The run of a stripe's local row r that holds pixel x (which is known to be in one).
template <class T>
std::uint64_t run_holding(const Stripe<T>& s, std::uint64_t r, std::uint64_t x) {
    const std::uint32_t* bounds = s.bounds.data();
    std::uint64_t lo = s.row_first[r], hi = s.row_first[r + 1];  // the run is in [lo, hi)
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (bounds[2 * mid] <= x) lo = mid; else hi = mid;
    }
    return lo;
}

// Periodic boundaries: the image is a torus, so pixels on opposite faces are neighbours. The
// scan has joined every pair of neighbours inside the box; this joins the pairs whose offset
// leaves the box and wraps around, visiting only the pixels on the faces (whole rows on the
// y and z faces, the ends of the other rows).
template <class Rule, class T>
void join_across_faces(Bands<T>& bands, const Rule& rule, const T* image, const LabelShape& shape, int connectivity) {
    const std::vector<std::array<int, 3>> offsets = neighbourhood(connectivity);
    const auto depth = static_cast<std::int64_t>(shape.depth), height = static_cast<std::int64_t>(shape.height),
               width = static_cast<std::int64_t>(shape.width);
    auto visit = [&](const Stripe<T>& s, std::int64_t z, std::int64_t y, std::int64_t x, std::uint64_t run) {
        const T value = image[(static_cast<std::uint64_t>(z * height + y)) * shape.width + static_cast<std::uint64_t>(x)];
        for (const auto& offset : offsets) {
            std::int64_t qz = z + offset[0], qy = y + offset[1], qx = x + offset[2];
            if (qz >= 0 && qz < depth && qy >= 0 && qy < height && qx >= 0 && qx < width) continue;
            qz = (qz + depth) % depth;
            qy = (qy + height) % height;
            qx = (qx + width) % width;
            const auto row = static_cast<std::uint64_t>(qz * height + qy);
            const T other = image[row * shape.width + static_cast<std::uint64_t>(qx)];
            if (other == rule.background || !rule.joins(value, other)) continue;
            const Stripe<T>& t = bands.holding(row);
            const std::uint64_t their_run = run_holding(t, row - t.first_row, static_cast<std::uint64_t>(qx));
            absorb_root(bands.parent.data(), bands.root(s, run), bands.root(t, their_run));
        }
    };
    const bool planar = connectivity == 4 || connectivity == 8;
    for (const Stripe<T>& s : bands.stripes)
        for (std::uint64_t local = 0; local < s.rows(); ++local) {
            const std::uint64_t first = s.row_first[local], last = s.row_first[local + 1];
            if (first == last) continue;
            const auto z = static_cast<std::int64_t>((s.first_row + local) / shape.height);
            const auto y = static_cast<std::int64_t>((s.first_row + local) % shape.height);
            // Along an axis of length 1 a wrapped neighbour is the pixel itself or one the scan
            // (or the ends of the rows) already pairs, so such faces need no visit.
            const bool face_row = (height > 1 && (y == 0 || y == height - 1)) ||
                                  (!planar && depth > 1 && (z == 0 || z == depth - 1));
            if (face_row) {
                for (std::uint64_t i = first; i < last; ++i)
                    for (std::uint64_t x = s.bounds[2 * i]; x < s.bounds[2 * i + 1]; ++x)
                        visit(s, z, y, static_cast<std::int64_t>(x), i);
            } else {
                if (s.bounds[2 * first] == 0) visit(s, z, y, 0, first);
                if (s.bounds[2 * (last - 1) + 1] == shape.width) visit(s, z, y, width - 1, last - 1);
            }
        }
}

// Labels the image in horizontal stripes (whole planes in 3-D), one per thread, then joins the
// stripes where they meet. The stripes' runs stay where their scans put them; only their
// forests are joined into one over all sets, each stripe's set indices shifted by the sets of
// the stripes above it, so every parent link still points to a smaller set and sets stay in
// raster order of their first run. The rows just below each seam are then joined with their
// neighbours across it, and the roots are numbered in one pass. The partition and the
// numbering do not depend on how the image was cut.
template <class Rule, class T>
void label_pass(const T* image, const LabelShape& shape, int connectivity, const Rule& rule, bool periodic,
                Labeling::Parts& out) {
    const std::vector<NeighbourRow> neighbours = neighbour_rows(connectivity);
    if (shape.depth > 1 && (connectivity == 4 || connectivity == 8))
        throw std::invalid_argument("connectivity " + std::to_string(connectivity) + " is for 2-D images (one plane)");
    if (shape.width >= kPast)
        throw std::invalid_argument("rows of 2^32 - 2 pixels or more are not supported, got width " +
                                    std::to_string(shape.width));
    const std::uint64_t rows = shape.depth * shape.height;
    const std::uint64_t pixels = rows * shape.width;
    if (pixels == 0) return;  // no runs, no components (out is empty)
    // Cut along planes in 3-D and along rows in 2-D; small images are not worth a thread.
    const std::uint64_t units = shape.depth > 1 ? shape.depth : shape.height;
    const std::uint64_t rows_per_unit = shape.depth > 1 ? shape.height : 1;
    std::uint64_t stripes = pixels < (std::uint64_t{1} << 20) ? 1 : static_cast<std::uint64_t>(num_threads());
    stripes = std::max<std::uint64_t>(1, std::min(stripes, units));
    const bool slabs = !Rule::equal_values && !Rule::close_values && connectivity == 26;
    Bands<T> bands;
    bands.stripes.resize(stripes);
    parallel_for(stripes, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            scan_stripe(image, shape, units * i / stripes * rows_per_unit, units * (i + 1) / stripes * rows_per_unit,
                        neighbours, rule, slabs, bands.stripes[i]);
    });
    if (stripes == 1) {
        bands.parent = std::move(bands.stripes[0].parent);
    } else {
        std::uint64_t total_runs = 0, total_sets = 0;
        for (Stripe<T>& s : bands.stripes) {
            s.first_set = total_sets;
            total_runs += s.runs();
            total_sets += s.parent.size();
        }
        if (total_runs > kMostRuns)
            throw std::length_error("the image has too many runs to label (more than " + std::to_string(kMostRuns) + ")");
        bands.parent.resize(static_cast<std::size_t>(total_sets));
        for (Stripe<T>& s : bands.stripes) {
            const auto shift = static_cast<std::uint32_t>(s.first_set);
            std::uint32_t* parent = bands.parent.data() + s.first_set;
            for (std::size_t k = 0; k < s.parent.size(); ++k) parent[k] = s.parent[k] + shift;
            s.parent = RawVector<std::uint32_t>();
        }
        for (std::size_t i = 1; i < stripes; ++i) join_seam(bands, i, rule, image, shape, neighbours, rows_per_unit);
    }
    if (periodic) join_across_faces(bands, rule, image, shape, connectivity);
    // Roots in set order are in raster order of their component's first pixel; every parent is
    // a smaller set, so when a set is reached its parent already holds its final label. The
    // writer looks each run's label up through its set (no pass over the runs here).
    std::uint32_t next = 0;
    std::uint32_t* parent = bands.parent.data();
    for (std::size_t s = 0; s < bands.parent.size(); ++s) parent[s] = parent[s] == s ? ++next : parent[parent[s]];
    out.count = next;
    out.set_labels = std::move(bands.parent);
    out.bands.reserve(stripes);
    for (Stripe<T>& s : bands.stripes) out.bands.push_back(std::move(static_cast<RunBand&>(s)));
}

template <class T>
T value_from_bits(std::uint64_t bits) {
    if constexpr (std::is_floating_point_v<T>) {
        using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        const auto narrow = static_cast<Bits>(bits);
        T value;
        std::memcpy(&value, &narrow, sizeof value);
        return value;
    } else {
        return static_cast<T>(bits);
    }
}

template <class T>
void label_typed(const void* image, const LabelShape& shape, const LabelOptions& options, Labeling::Parts& out) {
    const T* pixels = static_cast<const T*>(image);
    const T background = value_from_bits<T>(options.background);
    if (options.joining == Joining::CloseValues) {
        const CloseRule<T> rule{background, options.integer_delta, options.float_delta};
        label_pass(pixels, shape, options.connectivity, rule, options.periodic, out);
    } else if constexpr (std::is_unsigned_v<T>) {  // bit patterns: signedness does not matter
        if (options.joining == Joining::EqualValues)
            label_pass(pixels, shape, options.connectivity, EqualRule<T>{background}, options.periodic, out);
        else
            label_pass(pixels, shape, options.connectivity, BinaryRule<T>{background}, options.periodic, out);
    } else {
        throw std::logic_error("binary and multilabel labeling read pixels as unsigned bits");
    }
}

// label_typed for the type of `element_size` bytes among T1, T2, T4, T8 (void: not supported).
template <class T1, class T2, class T4, class T8>
void label_sized(std::size_t element_size, const void* image, const LabelShape& shape, const LabelOptions& options,
                 Labeling::Parts& out) {
    if constexpr (!std::is_void_v<T1>) if (element_size == 1) return label_typed<T1>(image, shape, options, out);
    if constexpr (!std::is_void_v<T2>) if (element_size == 2) return label_typed<T2>(image, shape, options, out);
    if (element_size == 4) return label_typed<T4>(image, shape, options, out);
    if (element_size == 8) return label_typed<T8>(image, shape, options, out);
    throw std::invalid_argument("unsupported pixel size " + std::to_string(element_size) + " for this pixel kind");
}

}  // namespace

Labeling::Labeling() : parts_(std::make_unique<Parts>()) {}
Labeling::Labeling(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Labeling::Labeling(Labeling&&) noexcept = default;
Labeling& Labeling::operator=(Labeling&&) noexcept = default;
Labeling::~Labeling() = default;

std::uint64_t Labeling::count() const { return parts_->count; }

Labeling label_components(const void* image, std::size_t element_size, const LabelShape& shape,
                          const LabelOptions& options) {
    if (options.joining == Joining::CloseValues && !(options.float_delta >= 0))
        throw std::invalid_argument("delta must be a number >= 0, got " + std::to_string(options.float_delta));
    auto parts = std::make_unique<Labeling::Parts>();
    parts->shape = shape;
    if (element_size == 1) {
        parts->byte_pixels = static_cast<const std::uint8_t*>(image);
        parts->background_byte = static_cast<std::uint8_t>(options.background);
    }
    // Binary and multilabel labeling compare bit patterns; continuous values need the type.
    const PixelKind kind = options.joining == Joining::CloseValues ? options.kind : PixelKind::Unsigned;
    if (kind == PixelKind::Unsigned)
        label_sized<std::uint8_t, std::uint16_t, std::uint32_t, std::uint64_t>(element_size, image, shape, options,
                                                                               *parts);
    else if (kind == PixelKind::Signed)
        label_sized<std::int8_t, std::int16_t, std::int32_t, std::int64_t>(element_size, image, shape, options,
                                                                           *parts);
    else
        label_sized<void, void, float, double>(element_size, image, shape, options, *parts);
    return Labeling(std::move(parts));
}

std::vector<Labeling> label_image_stack(const void* images, std::size_t element_size, std::uint64_t count,
                                        std::uint64_t height, std::uint64_t width, const LabelOptions& options) {
    if (options.connectivity != 4 && options.connectivity != 8)
        throw std::invalid_argument("a stack of 2-D images takes connectivity 4 or 8, got " +
                                    std::to_string(options.connectivity));
    std::vector<Labeling> result(count);
    const std::uint64_t image_bytes = height * width * element_size;
    const LabelShape shape{1, height, width};
    // Small images are dominated by per-call overhead: give each thread a good number of them.
    parallel_for(count, grain_for(height * width), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            result[i] = label_components(static_cast<const std::uint8_t*>(images) + i * image_bytes, element_size,
                                         shape, options);
    });
    return result;
}

}  // namespace maskkit
