// Pass 2 of the labeling: the label image written from the runs (zeros between runs, each
// run's final label over it), optionally measuring every component in the same pass.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "maskkit/cc.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

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
        for (std::uint64_t i = parts_.row_first[r]; i < parts_.row_first[r + 1]; ++i) {
            const std::uint64_t start = parts_.bounds[2 * i], stop = parts_.bounds[2 * i + 1];
            const std::uint64_t k = parts_.labels[i] - 1, length = stop - start;
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
    const std::uint32_t* bounds = parts_.bounds.data();
    const std::uint32_t* labels = parts_.labels.data();
    switch (element_size) {
        case 1: fill_rows(bounds, labels, parts_.row_first, begin, end, width, base); break;
        case 2: fill_rows(bounds, labels, parts_.row_first, begin, end, width, reinterpret_cast<std::uint16_t*>(base)); break;
        case 4: fill_rows(bounds, labels, parts_.row_first, begin, end, width, reinterpret_cast<std::uint32_t*>(base)); break;
        default: fill_rows(bounds, labels, parts_.row_first, begin, end, width, reinterpret_cast<std::uint64_t*>(base)); break;
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
            parts[b] = empty_stats(parts_.count);
            write_rows(first, last, out, element_size);
            measure_rows(first, last, parts[b]);
        }
    });
    *stats = std::move(parts[0]);
    for (std::uint64_t b = 1; b < blocks; ++b) combine_stats(*stats, parts[b]);
}

}  // namespace maskkit
