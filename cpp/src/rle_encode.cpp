// Encoding: pick the kernel by memory layout so no caller ever transposes or copies.
//   column-contiguous (F-ordered mask)  -> one pass over the bytes, compare with the previous one
//   row-contiguous (C-ordered mask)     -> row-pair compares per block of columns
//   anything else (negative or padded strides) -> a plain strided walk
#include <stdexcept>
#include <string>

#include "kernels/rle_kernels.hpp"
#include "maskkit/rle.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {

void kernels::run_too_long(std::uint64_t length) {
    throw std::overflow_error("a run of " + std::to_string(length) + " pixels does not fit the uint32 counts of COCO RLE");
}

namespace {

void encode_strided(const std::uint8_t* data, std::uint64_t h, std::uint64_t w,
                    std::int64_t stride_h, std::int64_t stride_w, std::vector<count_t>& counts) {
    std::uint64_t position = 0, last = 0;
    std::uint8_t previous = 0;
    auto push = [&](std::uint64_t length) { kernels::push_run(counts, length); };
    for (std::uint64_t x = 0; x < w; ++x) {
        const std::uint8_t* column = data + static_cast<std::int64_t>(x) * stride_w;
        for (std::uint64_t y = 0; y < h; ++y, ++position) {
            const std::uint8_t value = column[static_cast<std::int64_t>(y) * stride_h];
            if (value != previous) {
                push(position - last);
                last = position;
                previous = value;
            }
        }
    }
    push(position - last);
}

}  // namespace

void encode_mask(const std::uint8_t* data, std::uint64_t h, std::uint64_t w,
                 std::int64_t stride_h, std::int64_t stride_w, std::vector<count_t>& counts) {
    const kernels::RleKernels& k = kernels::rle_kernels();
    const bool column_contiguous = (stride_h == 1 || h <= 1) &&
                                   (stride_w == static_cast<std::int64_t>(h) || w <= 1);
    const bool row_contiguous = (stride_w == 1 || w <= 1) &&
                                (stride_h == static_cast<std::int64_t>(w) || h <= 1);
    if (h == 0 || w == 0 || column_contiguous)
        k.encode_contiguous(data, h * w, counts);
    else if (row_contiguous)
        k.encode_row_major(data, h, w, counts);
    else
        encode_strided(data, h, w, stride_h, stride_w, counts);
}

RleBatch encode_batch(const std::uint8_t* base, std::size_t n, std::uint64_t h, std::uint64_t w,
                      std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w) {
    std::vector<std::vector<count_t>> per_mask(n);
    const std::uint64_t pixels = h * w;
    parallel_for(n, grain_for(pixels), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            encode_mask(base + static_cast<std::int64_t>(i) * stride_n, h, w, stride_h, stride_w,
                        per_mask[i]);
    });
    RleBatch batch;
    std::size_t total = 0;
    for (const auto& c : per_mask) total += c.size();
    batch.counts.reserve(total);
    batch.offsets.reserve(n + 1);
    batch.heights.reserve(n);
    batch.widths.reserve(n);
    for (const auto& c : per_mask) batch.append(h, w, c.data(), c.size());
    return batch;
}

}  // namespace maskkit
