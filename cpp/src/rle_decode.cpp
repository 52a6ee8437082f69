// Decoding: column-major output writes the runs with vector stores; row-major output is built
// row by row from the flip positions (see decode_row_major).
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/rle_kernels.hpp"
#include "maskkit/rle.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

void check_fits(const RleView& rle) {
    const std::uint64_t total = rle.h * rle.w;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < rle.m; ++i) sum += rle.counts[i];
    if (sum > total)
        throw std::invalid_argument("Invalid RLE mask representation: counts sum to " +
                                    std::to_string(sum) + " but the mask has " +
                                    std::to_string(rle.h) + "x" + std::to_string(rle.w) + " = " +
                                    std::to_string(total) + " pixels");
}

}  // namespace

void decode_column_major(const RleView& rle, std::uint8_t* out) {
    check_fits(rle);
    kernels::rle_kernels().fill_runs(rle.counts, rle.m, out, rle.h * rle.w);
}

// Row-major output without a transpose: the RLE is a list of positions where the value flips.
// Bucket those positions by row (counting sort), then build the image row by row: row y is row
// y-1 with the flips at row y applied, copied out with one memcpy. Row 0 continues each column
// from the bottom of the column before it, so its values come from a walk over the flips.
void decode_row_major(const RleView& rle, std::uint8_t* out) {
    const std::uint64_t h = rle.h, w = rle.w, total = h * w;
    if (h <= 1 || w <= 1) {
        decode_column_major(rle, out);
        return;
    }
    check_fits(rle);
    thread_local std::vector<std::uint64_t> flips, per_row, columns;
    thread_local std::vector<std::uint8_t> row;
    flips.clear();
    std::uint64_t position = 0;
    for (std::size_t i = 0; i < rle.m; ++i) {
        if (i > 0 && position < total) flips.push_back(position);  // run i starts here
        position += rle.counts[i];
    }
    // After the last run the mask is 0: flip back if that run was foreground.
    if (rle.m % 2 == 0 && rle.m > 0 && position < total) flips.push_back(position);

    // Row 0: the value at (0, x) is the parity of flips at positions <= x*h.
    row.assign(w, 0);
    std::size_t next = 0;
    std::uint8_t value = 0;
    for (std::uint64_t x = 0; x < w; ++x) {
        const std::uint64_t top = x * h;
        while (next < flips.size() && flips[next] <= top) {
            value ^= 1;
            ++next;
        }
        row[x] = value;
    }
    per_row.assign(h + 1, 0);
    for (std::uint64_t p : flips) {
        const std::uint64_t y = p % h;
        if (y != 0) ++per_row[y + 1];
    }
    for (std::uint64_t y = 0; y < h; ++y) per_row[y + 1] += per_row[y];
    columns.resize(per_row[h]);
    for (std::uint64_t p : flips) {
        const std::uint64_t y = p % h;
        if (y != 0) columns[per_row[y]++] = p / h;
    }
    // per_row[y] is now the end of row y's flips (rows start where the previous one ends).
    std::memcpy(out, row.data(), w);
    std::uint64_t begin = per_row[0];
    for (std::uint64_t y = 1; y < h; ++y) {
        const std::uint64_t end = per_row[y];
        for (std::uint64_t i = begin; i < end; ++i) row[columns[i]] ^= 1;
        begin = end;
        std::memcpy(out + y * w, row.data(), w);
    }
}

void decode_batch(const RleView* rles, std::size_t n, std::uint64_t h, std::uint64_t w,
                  bool row_major, std::uint8_t* out) {
    require_one_size(rles, n);
    if (n > 0 && (rles[0].h != h || rles[0].w != w))
        throw std::invalid_argument("decode_batch: the RLEs are " + std::to_string(rles[0].h) + "x" +
                                    std::to_string(rles[0].w) + ", the output " + std::to_string(h) + "x" +
                                    std::to_string(w));
    const std::uint64_t pixels = h * w;
    parallel_for(n, grain_for(pixels), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            std::uint8_t* target = out + i * pixels;
            if (row_major)
                decode_row_major(rles[i], target);
            else
                decode_column_major(rles[i], target);
        }
    });
}

}  // namespace maskkit
