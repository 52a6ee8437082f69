// Pass 2 of the labeling: the label image written from the runs (zeros between runs, each
// run's final label over it), optionally measuring every component in the same pass.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "inlining.hpp"
#include "cc_runs.hpp"
#include "maskkit/cc.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

// value over row[from, to), in 16-byte stores. A span of up to `Stores` stores is written as
// exactly that many when they stay inside the row: whatever they write past `to` belongs to
// later spans of the same row, which are written afterwards. Longer spans take stores one after
// the other and a last one ending at `to` (overlapping the one before), so that no span needs a
// loop over its ragged ends; spans of hundreds of bytes go to std::fill (memset's wider stores).
template <int Stores, class Out>
inline void fill_span(Out* row, std::uint64_t from, std::uint64_t to, Out value, std::uint64_t width) {
    constexpr std::uint64_t lanes = 16 / sizeof(Out);
    Out pattern[lanes];
    for (std::uint64_t k = 0; k < lanes; ++k) pattern[k] = value;
    auto store = [&](std::uint64_t at) { std::memcpy(row + at, pattern, sizeof pattern); };
    const std::uint64_t length = to - from;
    if (length <= Stores * lanes && from + Stores * lanes <= width) {
        for (int k = 0; k < Stores; ++k) store(from + k * lanes);
    } else if (length * sizeof(Out) > 256) {
        std::fill(row + from, row + to, value);
    } else if (length >= lanes) {
        for (std::uint64_t at = from; at + lanes < to; at += lanes) store(at);
        store(to - lanes);
    } else {
        for (std::uint64_t at = from; at < to; ++at) row[at] = value;
    }
}

// row[from, to) = value where the pixel is not background, else 0, in blocks of 32 pixels that
// the compiler turns into a few vector instructions, placed like fill_span's stores: one block
// when it stays inside the row (what it writes past `to` is rewritten by later spans), else
// blocks one after the other and a last one ending at `to`.
template <class Out>
inline void select_span(Out* row, const std::uint8_t* pixels, std::uint64_t from, std::uint64_t to, Out value,
                        std::uint8_t background, std::uint64_t width) {
    constexpr std::uint64_t block = 32;
    auto select = [&](std::uint64_t at) {
        for (std::uint64_t k = 0; k < block; ++k) row[at + k] = pixels[at + k] != background ? value : Out{0};
    };
    if (to - from <= block && from + block <= width) {
        select(from);
    } else if (to - from >= block) {
        for (std::uint64_t at = from; at + block < to; at += block) select(at);
        select(to - block);
    } else {
        for (std::uint64_t at = from; at < to; ++at) row[at] = pixels[at] != background ? value : Out{0};
    }
}

constexpr std::uint64_t kRunsPerComponentForSelect = 100;

// The pixels of a one-byte image, to tell a row's run pixels from its gaps.
struct RowPixels {
    const std::uint8_t* image;
    std::uint8_t background;
};

// The final label of each run, through its set.
struct RunLabels {
    const std::uint32_t* sets;
    const std::uint32_t* set_labels;
    std::uint32_t operator[](std::uint64_t run) const { return set_labels[sets[run]]; }
};

// What the writers tell about each row and run as they write them: nothing here, the measures
// with label_stats (RunMeasures).
struct NoVisit {
    void row(std::uint64_t) {}
    void run(std::uint32_t, std::uint32_t, std::uint32_t) {}
};

// Writes rows [begin, end) of a band starting at out (the first of those rows): zeros between
// runs, each run's label over it.
template <int Stores, class Out, class Visit>
void fill_rows(const RunBand& band, const RunLabels& labels, std::uint64_t begin, std::uint64_t end,
               std::uint64_t width, Out* out, Visit& visit) {
    const std::uint32_t* bounds = band.bounds.data();
    const std::uint64_t* row_first = band.row_first.data();
    for (std::uint64_t r = begin; r < end; ++r, out += width) {
        visit.row(band.first_row + r);
        std::uint64_t x = 0;
        for (std::uint64_t i = row_first[r]; i < row_first[r + 1]; ++i) {
            const std::uint32_t start = bounds[2 * i], stop = bounds[2 * i + 1], label = labels[i];
            fill_span<Stores>(out, x, start, Out{0}, width);
            fill_span<Stores>(out, start, stop, static_cast<Out>(label), width);
            visit.run(start, stop, label);
            x = stop;
        }
        fill_span<Stores>(out, x, width, Out{0}, width);
    }
}

// fill_rows for rows that cross few components: consecutive runs of a row that share a label
// are written as one stretch, from the first run's start to the last one's end, in one select
// over the pixels (select_span), instead of a fill per run and per gap.
template <int Stores, class Out, class Visit>
void fill_rows_grouped(const RunBand& band, const RunLabels& labels, std::uint64_t begin, std::uint64_t end,
                       std::uint64_t width, const RowPixels& pixels, Out* out, Visit& visit) {
    const std::uint32_t* bounds = band.bounds.data();
    const std::uint64_t* row_first = band.row_first.data();
    for (std::uint64_t r = begin; r < end; ++r, out += width) {
        visit.row(band.first_row + r);
        const std::uint8_t* row = pixels.image + (band.first_row + r) * width;
        std::uint64_t x = 0;
        const std::uint64_t last = row_first[r + 1];
        for (std::uint64_t i = row_first[r]; i < last;) {
            const std::uint32_t label = labels[i], start = bounds[2 * i];
            std::uint64_t next = i + 1;
            while (next < last && labels[next] == label) ++next;
            const std::uint32_t stop = bounds[2 * next - 1];
            fill_span<Stores>(out, x, start, Out{0}, width);
            const auto value = static_cast<Out>(label);
            if (next == i + 1) {
                fill_span<Stores>(out, start, stop, value, width);
            } else {
                select_span(out, row, start, stop, value, pixels.background, width);
            }
            for (std::uint64_t k = i; k < next; ++k) visit.run(bounds[2 * k], bounds[2 * k + 1], label);
            x = stop;
            i = next;
        }
        fill_span<Stores>(out, x, width, Out{0}, width);
    }
}

// The running measures of one component over some rows, in one place so that a run updates a
// single cache line (2-D) or two. x fits 32 bits (rows are narrower than 2^32 pixels).
struct PlaneMeasure {
    std::uint64_t area = 0, sum_y = 0, sum_x = 0;
    std::uint64_t y0 = ~std::uint64_t{0}, y1 = 0;  // y1, x1 exclusive
    std::uint32_t x0 = ~std::uint32_t{0}, x1 = 0;
};

template <bool Volume>
struct Measure;

template <>
struct alignas(64) Measure<false> : PlaneMeasure {};

template <>
struct Measure<true> : PlaneMeasure {
    std::uint64_t sum_z = 0, z0 = ~std::uint64_t{0}, z1 = 0;
};

// Adds each run it is shown to `measures` (index = label - 1): its length, its row and plane
// times its length, and the sum of its x values, and widens the box. Rows may come in any order
// (a thread writes its own rows, then helps with the end of another's).
template <bool Volume>
struct RunMeasures {
    Measure<Volume>* measures;
    std::uint64_t height;
    std::uint64_t z = 0, y = 0;

    void row(std::uint64_t r) {
        z = Volume ? r / height : 0;
        y = Volume ? r % height : r;
    }
    void run(std::uint32_t start, std::uint32_t stop, std::uint32_t label) {
        const std::uint64_t length = stop - start;
        Measure<Volume>& m = measures[label - 1];
        m.area += length;
        m.sum_y += y * length;
        m.sum_x += (std::uint64_t{start} + stop - 1) * length / 2;
        m.x0 = std::min(m.x0, start);
        m.x1 = std::max(m.x1, stop);
        m.y0 = std::min(m.y0, y);
        m.y1 = std::max(m.y1, y + 1);
        if constexpr (Volume) {
            m.sum_z += z * length;
            m.z0 = std::min(m.z0, z);
            m.z1 = std::max(m.z1, z + 1);
        }
    }
};

// Calls write with `base` as a pointer to the unsigned label type of element_size bytes.
template <class Write>
void with_label_type(std::size_t element_size, std::uint8_t* base, Write&& write) {
    switch (element_size) {
        case 1: write(base); break;
        case 2: write(reinterpret_cast<std::uint16_t*>(base)); break;
        case 4: write(reinterpret_cast<std::uint32_t*>(base)); break;
        default: write(reinterpret_cast<std::uint64_t*>(base)); break;
    }
}

// Writes rows [from, to) of a band, starting at `out` (the first of those rows), selecting over
// `pixels` when not null and showing every row and run to `visit`.
template <class Visit>
MASKKIT_NOINLINE void write_band_rows(const RunBand& band, const std::uint32_t* set_labels,
                                      std::uint64_t width, std::uint64_t from, std::uint64_t to, std::uint8_t* out,
                                      std::size_t element_size, const RowPixels* pixels, bool long_spans,
                                      Visit& visit) {
    const RunLabels labels{band.sets.data(), set_labels + band.first_set};
    auto write = [&](auto stores) {
        constexpr int Stores = decltype(stores)::value;
        with_label_type(element_size, out, [&](auto* typed) {
            if (pixels != nullptr)
                fill_rows_grouped<Stores>(band, labels, from, to, width, *pixels, typed, visit);
            else
                fill_rows<Stores>(band, labels, from, to, width, typed, visit);
        });
    };
    if (long_spans)
        write(std::integral_constant<int, 4>{});
    else
        write(std::integral_constant<int, 2>{});
}

// Writes rows [begin, end) of the label image `out` from the runs of the bands that hold them.
template <class Visit>
void write_rows(const Labeling::Parts& parts, std::uint64_t width, std::uint64_t begin, std::uint64_t end, void* out,
                std::size_t element_size, const RowPixels* pixels, bool long_spans, Visit& visit) {
    for (const RunBand& band : parts.bands) {
        const std::uint64_t first = std::max(begin, band.first_row), last = std::min(end, band.first_row + band.rows());
        if (first >= last) continue;
        write_band_rows(band, parts.set_labels.data(), width, first - band.first_row, last - band.first_row,
                        static_cast<std::uint8_t*>(out) + first * width * element_size, element_size, pixels,
                        long_spans, visit);
    }
}

}  // namespace

void Labeling::write(void* out, std::size_t element_size, ComponentStats* stats) const {
    if (element_size != 1 && element_size != 2 && element_size != 4 && element_size != 8)
        throw std::invalid_argument("labels must be 1, 2, 4 or 8 bytes wide, got " + std::to_string(element_size));
    const LabelShape& shape = parts_->shape;
    const std::uint8_t* const byte_pixels = parts_->byte_pixels;
    const std::uint8_t background_byte = parts_->background_byte;
    const std::uint64_t rows = shape.depth * shape.height, width = shape.width;
    // One contiguous block of rows per thread, not interleaved chunks: fresh output pages are
    // faulted in and zeroed by the kernel as they are first written, and two threads writing
    // rows of the same (huge) page wait for each other there. That zeroing runs at uneven speed
    // (on virtual machines one half of a fresh array can take twice as long as the other), so a
    // thread done with its block helps with the end of the others' (parallel_blocks), in pieces
    // of about 256 KiB. With stats, each thread measures every run it writes into its own
    // partial measures, combined at the end.
    const std::uint64_t pixels = rows * width;
    const std::uint64_t blocks = std::max<std::uint64_t>(
        1, std::min<std::uint64_t>({rows, static_cast<std::uint64_t>(num_threads()), pixels >> 18}));
    const std::uint64_t row_bytes = std::max<std::uint64_t>(1, width * element_size);
    const std::uint64_t piece_rows = std::max<std::uint64_t>(1, (std::uint64_t{1} << 18) / row_bytes);
    // Selects pay when rows cross few components, i.e. when components have many runs each;
    // otherwise looking for runs that share a label costs more than it saves. They read the
    // pixels, so not when the output overwrites them (out= the image itself).
    std::uint64_t runs = 0;
    for (const RunBand& band : parts_->bands) runs += band.runs();
    const bool few_components =
        runs >= kRunsPerComponentForSelect * std::max<std::uint64_t>(parts_->count, 1);
    const auto out_at = reinterpret_cast<std::uintptr_t>(out), pixels_at = reinterpret_cast<std::uintptr_t>(byte_pixels);
    const bool overwrites_pixels =
        byte_pixels != nullptr && out_at < pixels_at + pixels && pixels_at < out_at + pixels * element_size;
    const RowPixels row_pixels{byte_pixels, background_byte};
    const RowPixels* select_from =
        byte_pixels != nullptr && few_components && !overwrites_pixels ? &row_pixels : nullptr;
    // Spans (runs and the gaps between them) average a few pixels on noise and tens on smooth
    // masks: blocks of four stores write most of the latter at once, but on noise twice the
    // bytes the spans need.
    const bool long_spans = pixels * element_size >= 32 * (runs + 1);  // >= 16 bytes per span
    if (stats == nullptr) {
        parallel_blocks(rows, blocks, piece_rows, [&](std::size_t, std::size_t begin, std::size_t end) {
            NoVisit none;
            write_rows(*parts_, width, begin, end, out, element_size, select_from, long_spans, none);
        });
        return;
    }
    const auto n = static_cast<std::size_t>(parts_->count);
    auto write_and_measure = [&](auto volume) {
        constexpr bool Volume = decltype(volume)::value;
        // One set of partial measures per thread; a thread that finds its block done by the
        // others before it starts leaves its set empty, which changes nothing in the sums below.
        std::vector<std::vector<Measure<Volume>>> partial(blocks, std::vector<Measure<Volume>>(n));
        parallel_blocks(rows, blocks, piece_rows, [&](std::size_t owner, std::size_t begin, std::size_t end) {
            RunMeasures<Volume> measures{partial[owner].data(), shape.height};
            write_rows(*parts_, width, begin, end, out, element_size, select_from, long_spans, measures);
        });
        if (stats->dims != 2 && stats->dims != 3)
            throw std::invalid_argument("stats have 2 or 3 coordinates, got " + std::to_string(stats->dims));
        const auto dims = static_cast<std::size_t>(stats->dims);
        stats->area.resize(n);
        stats->bbox.resize(2 * dims * n);
        stats->centroid.resize(dims * n);
        for (std::size_t k = 0; k < n; ++k) {
            Measure<Volume> total = partial[0][k];
            for (std::uint64_t b = 1; b < blocks; ++b) {
                const Measure<Volume>& m = partial[b][k];
                total.area += m.area;
                total.sum_y += m.sum_y;
                total.sum_x += m.sum_x;
                total.y0 = std::min(total.y0, m.y0);
                total.x0 = std::min(total.x0, m.x0);
                total.y1 = std::max(total.y1, m.y1);
                total.x1 = std::max(total.x1, m.x1);
                if constexpr (Volume) {
                    total.sum_z += m.sum_z;
                    total.z0 = std::min(total.z0, m.z0);
                    total.z1 = std::max(total.z1, m.z1);
                }
            }
            // A 2-D image is the plane z = 0; a volume of one plane keeps its z.
            std::uint64_t z0 = 0, z1 = 1, sum_z = 0;
            if constexpr (Volume) z0 = total.z0, z1 = total.z1, sum_z = total.sum_z;
            const std::uint64_t first[3] = {z0, total.y0, total.x0}, end[3] = {z1, total.y1, total.x1};
            const std::uint64_t sums[3] = {sum_z, total.sum_y, total.sum_x};
            // the mean as numpy divides: both counts rounded to double, then one division
            const double area = static_cast<double>(std::max<std::uint64_t>(total.area, 1));
            stats->area[k] = total.area;
            for (std::size_t d = 0; d < dims; ++d) {
                const std::size_t axis = 3 - dims + d;
                stats->bbox[2 * dims * k + d] = static_cast<std::int64_t>(first[axis]);
                stats->bbox[2 * dims * k + dims + d] = static_cast<std::int64_t>(end[axis]);
                stats->centroid[dims * k + d] = static_cast<double>(sums[axis]) / area;
            }
        }
    };
    if (shape.depth > 1)
        write_and_measure(std::true_type{});
    else
        write_and_measure(std::false_type{});
}

std::vector<std::uint64_t> label_counts(const std::vector<Labeling>& labelings) {
    std::vector<std::uint64_t> counts(labelings.size());
    for (std::size_t i = 0; i < labelings.size(); ++i) counts[i] = labelings[i].count();
    return counts;
}

void write_label_stack(const std::vector<Labeling>& labelings, std::uint64_t image_pixels, void* out,
                       std::size_t element_size) {
    auto* images = static_cast<std::uint8_t*>(out);
    parallel_for(labelings.size(), grain_for(image_pixels), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) labelings[i].write(images + i * image_pixels * element_size, element_size);
    });
}

}  // namespace maskkit
