// RLE algorithms written once over a per-ISA `Lanes` policy (see bit_positions.inl, which must be
// included before, inside the same namespace). Requires <cstring>, <stdexcept>, <vector>,
// "maskkit/rle.hpp" to be included before.

// Turns transition positions into counts; a run longer than uint32 cannot be represented.
class RunWriter {
public:
    explicit RunWriter(std::vector<count_t>& counts) : counts_(counts) {}
    void transition(std::uint64_t position) {
        push(position - last_);
        last_ = position;
    }
    void finish(std::uint64_t total) { push(total - last_); }

private:
    void push(std::uint64_t length) { kernels::push_run(counts_, length); }
    std::vector<count_t>& counts_;
    std::uint64_t last_ = 0;
};

// pycocotools' encoder: the value before the first pixel is 0 and every change of byte value
// starts a run. Blocks without a change cost one compare.
template <class Lanes>
void encode_contiguous_impl(const std::uint8_t* data, std::uint64_t n, std::vector<count_t>& counts) {
    RunWriter out(counts);
    if (n == 0) {
        out.finish(0);
        return;
    }
    if (data[0] != 0) out.transition(0);
    std::uint64_t i = 1;
    // Four blocks per step with one test: most blocks of a mask have no change at all.
    constexpr unsigned W = Lanes::width;
    for (; i + 4 * W <= n; i += 4 * W) {
        __builtin_prefetch(data + i + 16 * W);
        __builtin_prefetch(data + i + 17 * W);
        __builtin_prefetch(data + i + 18 * W);
        __builtin_prefetch(data + i + 19 * W);
        std::uint64_t b0 = Lanes::changed(data + i, data + i - 1);
        std::uint64_t b1 = Lanes::changed(data + i + W, data + i + W - 1);
        std::uint64_t b2 = Lanes::changed(data + i + 2 * W, data + i + 2 * W - 1);
        std::uint64_t b3 = Lanes::changed(data + i + 3 * W, data + i + 3 * W - 1);
        if ((b0 | b1 | b2 | b3) == 0) continue;
        for (; b0; b0 &= b0 - 1) out.transition(i + lowest_bit(b0));
        for (; b1; b1 &= b1 - 1) out.transition(i + W + lowest_bit(b1));
        for (; b2; b2 &= b2 - 1) out.transition(i + 2 * W + lowest_bit(b2));
        for (; b3; b3 &= b3 - 1) out.transition(i + 3 * W + lowest_bit(b3));
    }
    for (; i + Lanes::width <= n; i += Lanes::width) {
        std::uint64_t bits = Lanes::changed(data + i, data + i - 1);
        while (bits) {
            out.transition(i + lowest_bit(bits));
            bits &= bits - 1;
        }
    }
    if (i < n) {
        std::uint64_t bits = Lanes::changed_partial(data + i, data + i - 1, static_cast<unsigned>(n - i));
        while (bits) {
            out.transition(i + lowest_bit(bits));
            bits &= bits - 1;
        }
    }
    out.finish(n);
}

// Column-major runs of a row-major mask without transposing it. Comparing every pixel with the
// one above it is one flat pass over the buffer (data[i] against data[i - w]), so it streams like
// the column-major case, with the same few-blocks-per-branch loop; the rare changes found are
// turned into (column, row) pairs by following the row boundary along, with no division. A
// column's first pixel compares with the last pixel of the column before it (row 0 against row
// h-1 shifted by one column). A counting sort by column then yields the transitions in
// column-major order, rows ascending.
template <class Lanes>
void encode_row_major_impl(const std::uint8_t* data, std::uint64_t h, std::uint64_t w,
                           std::vector<count_t>& counts) {
    if (h <= 1 || w <= 1) {  // then row-major and column-major order coincide
        encode_contiguous_impl<Lanes>(data, h * w, counts);
        return;
    }
    // Changes found, as row * 2^32 + column (h, w < 2^32), in row-major order.
    thread_local std::vector<std::uint64_t> found, per_column, sorted_rows;
    found.clear();
    // Row 0: pixel (0, x) follows pixel (h-1, x-1); pixel (0, 0) follows the value 0.
    const std::uint8_t* last_row = data + (h - 1) * w;
    if (data[0] != 0) found.push_back(0);
    std::uint64_t x = 1;
    for (; x + Lanes::width <= w; x += Lanes::width)
        for (std::uint64_t bits = Lanes::changed(data + x, last_row + x - 1); bits; bits &= bits - 1)
            found.push_back(x + lowest_bit(bits));
    for (; x < w; ++x)
        if (data[x] != last_row[x - 1]) found.push_back(x);
    // Rows 1..h-1: flat positions i in [w, h*w), each against i - w.
    std::uint64_t row_key = std::uint64_t{1} << 32, row_start = w;
    auto record = [&](std::uint64_t i) {
        while (i >= row_start + w) {
            row_start += w;
            row_key += std::uint64_t{1} << 32;
        }
        found.push_back(row_key + (i - row_start));
    };
    const std::uint64_t n = h * w;
    std::uint64_t i = w;
    constexpr unsigned W = Lanes::width;
    for (; i + 4 * W <= n; i += 4 * W) {
        // four named masks, not an array: they stay in registers (a stack array costs a store
        // per block, and its address can alias the loads)
        // a software prefetch a kilobyte ahead keeps more loads from DRAM in flight than the
        // hardware prefetcher alone (measured: about 10% on 480x640 stacks)
        __builtin_prefetch(data + i + 16 * W);
        __builtin_prefetch(data + i + 17 * W);
        __builtin_prefetch(data + i + 18 * W);
        __builtin_prefetch(data + i + 19 * W);
        std::uint64_t b0 = Lanes::changed(data + i, data + i - w);
        std::uint64_t b1 = Lanes::changed(data + i + W, data + i + W - w);
        std::uint64_t b2 = Lanes::changed(data + i + 2 * W, data + i + 2 * W - w);
        std::uint64_t b3 = Lanes::changed(data + i + 3 * W, data + i + 3 * W - w);
        if ((b0 | b1 | b2 | b3) == 0) continue;
        for (; b0; b0 &= b0 - 1) record(i + lowest_bit(b0));
        for (; b1; b1 &= b1 - 1) record(i + W + lowest_bit(b1));
        for (; b2; b2 &= b2 - 1) record(i + 2 * W + lowest_bit(b2));
        for (; b3; b3 &= b3 - 1) record(i + 3 * W + lowest_bit(b3));
    }
    for (; i + W <= n; i += W)
        for (std::uint64_t bits = Lanes::changed(data + i, data + i - w); bits; bits &= bits - 1)
            record(i + lowest_bit(bits));
    if (i < n)
        for (std::uint64_t bits = Lanes::changed_partial(data + i, data + i - w, static_cast<unsigned>(n - i));
             bits; bits &= bits - 1)
            record(i + lowest_bit(bits));

    constexpr std::uint64_t column_mask = 0xffffffffu;
    per_column.assign(w + 1, 0);
    for (std::uint64_t key : found) ++per_column[(key & column_mask) + 1];
    for (std::uint64_t c = 0; c < w; ++c) per_column[c + 1] += per_column[c];
    sorted_rows.resize(found.size());
    for (std::uint64_t key : found) sorted_rows[per_column[key & column_mask]++] = key >> 32;
    // per_column[c] now holds the end of column c's rows; column 0 starts at 0.
    RunWriter out(counts);
    std::uint64_t begin = 0;
    for (std::uint64_t c = 0; c < w; ++c) {
        const std::uint64_t end = per_column[c];
        for (std::uint64_t k = begin; k < end; ++k) out.transition(c * h + sorted_rows[k]);
        begin = end;
    }
    out.finish(n);
}

template <class Lanes>
void fill_runs_impl(const count_t* counts, std::size_t m, std::uint8_t* out, std::uint64_t total) {
    const std::uint8_t* end = out + total;
    std::uint64_t position = 0;
    std::uint8_t value = 0;
    for (std::size_t i = 0; i < m; ++i) {
        const std::uint64_t length = counts[i];
        if (length != 0) Lanes::fill(out + position, value, length, end);
        position += length;
        value ^= 1;
    }
    std::memset(out + position, 0, total - position);
}

template <class Lanes>
constexpr kernels::RleKernels make_rle_kernels() {
    return {&encode_contiguous_impl<Lanes>, &encode_row_major_impl<Lanes>, &fill_runs_impl<Lanes>};
}
