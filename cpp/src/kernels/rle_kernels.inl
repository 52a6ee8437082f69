// RLE algorithms written once over a per-ISA `Lanes` policy, included inside each target's
// namespace (and, for SIMD targets, inside a target-attribute region). The policy provides:
//   static constexpr unsigned width;                        bytes compared at once (<= 64)
//   static uint64_t changed(const uint8_t* cur, const uint8_t* prev);
//        bit i set where cur[i] != prev[i], i < width
//   static uint64_t changed_partial(const uint8_t* cur, const uint8_t* prev, unsigned count);
//        the same for the first count < width bytes, reading nothing past them
//   static void fill(uint8_t* p, uint8_t value, uint64_t length, const uint8_t* end);
//        p[0, length) = value; may also write p[length, ...) below end (later runs overwrite it)
//   static void classify(const char* p, uint64_t& ends, uint64_t& bad);
//        for `width` characters: bit i of ends set where p[i] ends a number (no 0x20 bit), bit i
//        of bad set where p[i] is outside '0'..'o'
//   static uint64_t pack_groups(uint64_t chars);
//        the low 5 bits of each of 8 bytes (already minus '0'), packed: byte k -> bits 5k..5k+4
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

// One number of the compressed string from its characters [start, end], the slow way.
inline std::int64_t read_number(const char* text, std::size_t start, std::size_t end) {
    std::int64_t x = 0;
    unsigned shift = 0;
    int c = 0;
    for (std::size_t p = start; p <= end; ++p, shift += 5) {
        c = static_cast<unsigned char>(text[p]) - 48;
        x |= static_cast<std::int64_t>(c & 0x1f) << shift;
    }
    if (c & 0x10) x |= static_cast<std::int64_t>(~std::uint64_t{0} << shift);
    return x;
}

// Decodes the string number by number instead of character by character: a block classifier
// marks where numbers end, and a number of up to 8 characters is read as one 8-byte word whose
// 5-bit groups are packed together (pext on BMI2) and sign-extended from its last group. Only
// numbers longer than 8 characters or too close to the end of the string take the slow path.
template <class Lanes>
std::size_t parse_string_impl(const char* text, std::size_t length, count_t* out) {
    std::size_t m = 0, start = 0;
    std::uint64_t bad = 0;
    count_t one_back = 0, two_back = 0;
    for (std::size_t i = 0; i < length; i += Lanes::width) {
        std::uint64_t ends = 0, bad_here = 0;
        if (i + Lanes::width <= length) {
            Lanes::classify(text + i, ends, bad_here);
        } else {
            for (std::size_t k = 0; i + k < length; ++k) {
                const unsigned c = static_cast<unsigned char>(text[i + k]) - 48u;
                bad_here |= static_cast<std::uint64_t>(c > 0x3fu) << k;
                ends |= static_cast<std::uint64_t>((c & 0x20u) == 0) << k;
            }
        }
        bad |= bad_here;
        while (ends) {
            const std::size_t end = i + lowest_bit(ends);
            ends &= ends - 1;
            const std::size_t digits = end - start + 1;
            if (digits > 12) return kernels::parse_failed;
            std::int64_t x;
            if (digits <= 8 && start + 8 <= length) {
                std::uint64_t word;
                std::memcpy(&word, text + start, 8);
                // Bytes after the number may borrow, but only into higher bytes, which are
                // masked off below.
                const std::uint64_t packed = Lanes::pack_groups(word - 0x3030303030303030ull);
                const unsigned unused = static_cast<unsigned>(64 - 5 * digits);
                x = static_cast<std::int64_t>(packed << unused) >> unused;
            } else {
                x = read_number(text, start, end);
            }
            // The last two counts live in registers: a store-to-load round trip through out[]
            // would be on the critical path of every number.
            if (m > 2) x += static_cast<std::int64_t>(two_back);
            const auto value = static_cast<count_t>(static_cast<std::uint64_t>(x));
            out[m++] = value;
            two_back = one_back;
            one_back = value;
            start = end + 1;
        }
    }
    if (bad != 0 || start != length) return kernels::parse_failed;
    return m;
}

template <class Lanes>
constexpr kernels::RleKernels make_rle_kernels() {
    return {&encode_contiguous_impl<Lanes>, &encode_row_major_impl<Lanes>, &fill_runs_impl<Lanes>,
            &parse_string_impl<Lanes>};
}
