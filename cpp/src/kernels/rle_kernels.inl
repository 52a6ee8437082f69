// RLE algorithms written once over a per-ISA `Lanes` policy, included inside each target's
// namespace (and, for SIMD targets, inside a target-attribute region). The policy provides:
//   static constexpr unsigned width;                        bytes compared at once (<= 64)
//   static uint64_t changed(const uint8_t* cur, const uint8_t* prev);
//        bit i set where cur[i] != prev[i], i < width
//   static uint64_t changed_partial(const uint8_t* cur, const uint8_t* prev, unsigned count);
//        the same for the first count < width bytes, reading nothing past them
//   static void fill(uint8_t* p, uint8_t value, uint64_t length, const uint8_t* end);
//        p[0, length) = value; may also write p[length, ...) below end (later runs overwrite it)
// Requires <cstring>, <stdexcept>, <vector>, "maskkit/rle.hpp" to be included before.

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
    void push(std::uint64_t length) {
        if (length > 0xffffffffu)
            throw std::overflow_error("a run of " + std::to_string(length) +
                                      " pixels does not fit the uint32 counts of COCO RLE");
        counts_.push_back(static_cast<count_t>(length));
    }
    std::vector<count_t>& counts_;
    std::uint64_t last_ = 0;
};

inline unsigned lowest_bit(std::uint64_t bits) {
#if defined(_MSC_VER)
    unsigned long index;
    _BitScanForward64(&index, bits);
    return static_cast<unsigned>(index);
#else
    return static_cast<unsigned>(__builtin_ctzll(bits));
#endif
}

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
    for (; i + 4 * Lanes::width <= n; i += 4 * Lanes::width) {
        std::uint64_t bits[4];
        for (unsigned b = 0; b < 4; ++b) bits[b] = Lanes::changed(data + i + b * Lanes::width, data + i + b * Lanes::width - 1);
        if ((bits[0] | bits[1] | bits[2] | bits[3]) == 0) continue;
        for (unsigned b = 0; b < 4; ++b) {
            while (bits[b]) {
                out.transition(i + b * Lanes::width + lowest_bit(bits[b]));
                bits[b] &= bits[b] - 1;
            }
        }
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

// Column-major runs of a row-major mask without transposing it. Rows are read in memory order:
// comparing each row with the one above gives the (row, column) positions where a column's
// value changes (a column's first pixel compares with the last pixel of the column before it).
// A counting sort by column then yields the transitions in column-major order, rows ascending.
template <class Lanes>
void encode_row_major_impl(const std::uint8_t* data, std::uint64_t h, std::uint64_t w,
                           std::vector<count_t>& counts) {
    if (h <= 1 || w <= 1) {  // then row-major and column-major order coincide
        encode_contiguous_impl<Lanes>(data, h * w, counts);
        return;
    }
    thread_local std::vector<std::uint64_t> columns, rows, per_column, sorted_rows;
    columns.clear();
    rows.clear();
    for (std::uint64_t x = 0; x < w; ++x) {
        const std::uint8_t before = x == 0 ? 0 : data[(h - 1) * w + x - 1];
        if (data[x] != before) {
            columns.push_back(x);
            rows.push_back(0);
        }
    }
    for (std::uint64_t y = 1; y < h; ++y) {
        const std::uint8_t* cur = data + y * w;
        if (y + 8 < h)  // rows are short streams: ask for a row well ahead of the one compared
            for (std::uint64_t x = 0; x < w; x += 64) __builtin_prefetch(cur + 8 * w + x);
        std::uint64_t x0 = 0;
        for (; x0 + 2 * Lanes::width <= w; x0 += 2 * Lanes::width) {
            std::uint64_t bits0 = Lanes::changed(cur + x0, cur + x0 - w);
            std::uint64_t bits1 = Lanes::changed(cur + x0 + Lanes::width, cur + x0 + Lanes::width - w);
            if ((bits0 | bits1) == 0) continue;
            while (bits0) {
                columns.push_back(x0 + lowest_bit(bits0));
                rows.push_back(y);
                bits0 &= bits0 - 1;
            }
            while (bits1) {
                columns.push_back(x0 + Lanes::width + lowest_bit(bits1));
                rows.push_back(y);
                bits1 &= bits1 - 1;
            }
        }
        for (; x0 + Lanes::width <= w; x0 += Lanes::width) {
            std::uint64_t bits = Lanes::changed(cur + x0, cur + x0 - w);
            while (bits) {
                columns.push_back(x0 + lowest_bit(bits));
                rows.push_back(y);
                bits &= bits - 1;
            }
        }
        if (x0 < w) {
            std::uint64_t bits = Lanes::changed_partial(cur + x0, cur + x0 - w, static_cast<unsigned>(w - x0));
            while (bits) {
                columns.push_back(x0 + lowest_bit(bits));
                rows.push_back(y);
                bits &= bits - 1;
            }
        }
    }
    per_column.assign(w + 1, 0);
    for (std::uint64_t x : columns) ++per_column[x + 1];
    for (std::uint64_t x = 0; x < w; ++x) per_column[x + 1] += per_column[x];
    sorted_rows.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) sorted_rows[per_column[columns[i]]++] = rows[i];
    // per_column[x] now holds the end of column x's rows; column 0 starts at 0.
    RunWriter out(counts);
    std::uint64_t begin = 0;
    for (std::uint64_t x = 0; x < w; ++x) {
        const std::uint64_t end = per_column[x];
        for (std::uint64_t i = begin; i < end; ++i) out.transition(x * h + sorted_rows[i]);
        begin = end;
    }
    out.finish(h * w);
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
