// Bit-packed mask kernels shared by every target: included inside a target's namespace (and,
// for wider ISAs, its target region), so __builtin_popcountll becomes that ISA's instruction.
// A target may define MASKKIT_PACK_BYTES_64(p) (64 contiguous bytes to one word) and
// MASKKIT_ANY_BYTES_64(p) (whether any of 64 contiguous bytes is non-zero) first.

void pack_row(const std::uint8_t* row, std::int64_t stride, std::uint64_t w, std::uint64_t* out) {
    std::uint64_t x = 0;
#ifdef MASKKIT_PACK_BYTES_64
    if (stride == 1)
        for (; x + 64 <= w; x += 64) out[x / 64] = MASKKIT_PACK_BYTES_64(row + x);
#endif
    for (; x < w; x += 64) {
        const std::uint64_t end = w - x < 64 ? w - x : 64;
        std::uint64_t bits = 0;
        const std::uint8_t* p = row + static_cast<std::int64_t>(x) * stride;
        for (std::uint64_t k = 0; k < end; ++k, p += stride) bits |= static_cast<std::uint64_t>(*p != 0) << k;
        out[x / 64] = bits;
    }
}

std::uint64_t and_count(const std::uint64_t* a, const std::uint64_t* b, std::size_t rows, std::size_t count,
                        std::size_t pitch) {
    // Four accumulators so consecutive popcounts do not wait on one adder.
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::size_t r = 0; r < rows; ++r, a += pitch, b += pitch) {
        std::size_t k = 0;
        for (; k + 4 <= count; k += 4) {
            s0 += static_cast<std::uint64_t>(__builtin_popcountll(a[k] & b[k]));
            s1 += static_cast<std::uint64_t>(__builtin_popcountll(a[k + 1] & b[k + 1]));
            s2 += static_cast<std::uint64_t>(__builtin_popcountll(a[k + 2] & b[k + 2]));
            s3 += static_cast<std::uint64_t>(__builtin_popcountll(a[k + 3] & b[k + 3]));
        }
        for (; k < count; ++k) s0 += static_cast<std::uint64_t>(__builtin_popcountll(a[k] & b[k]));
    }
    return s0 + s1 + s2 + s3;
}

std::uint64_t count(const std::uint64_t* words, std::size_t n) {
    std::uint64_t s = 0;
    for (std::size_t k = 0; k < n; ++k) s += static_cast<std::uint64_t>(__builtin_popcountll(words[k]));
    return s;
}

std::uint64_t first_set(const std::uint8_t* row, std::uint64_t begin, std::uint64_t end) {
    std::uint64_t x = begin;
#ifdef MASKKIT_ANY_BYTES_64
    for (; x + 64 <= end; x += 64)
        if (MASKKIT_ANY_BYTES_64(row + x)) break;
#endif
    for (; x + 8 <= end; x += 8) {
        std::uint64_t v;
        std::memcpy(&v, row + x, 8);
        if (v != 0) break;
    }
    for (; x < end; ++x)
        if (row[x] != 0) return x;
    return end;
}

std::uint64_t last_set(const std::uint8_t* row, std::uint64_t begin, std::uint64_t end) {
    std::uint64_t x = end;
#ifdef MASKKIT_ANY_BYTES_64
    for (; x >= begin + 64; x -= 64)
        if (MASKKIT_ANY_BYTES_64(row + x - 64)) break;
#endif
    for (; x >= begin + 8; x -= 8) {
        std::uint64_t v;
        std::memcpy(&v, row + x - 8, 8);
        if (v != 0) break;
    }
    for (; x > begin; --x)
        if (row[x - 1] != 0) return x;
    return begin;
}

const kernels::IouKernels table{pack_row, and_count, count, first_set, last_set};
