// The AVX-512 (F+BW+VL) `Lanes` policy (see bit_positions.inl): 64 bytes per compare straight
// into a mask register, masked loads for partial blocks. Included inside namespace
// maskkit::avx512 and its target region by the AVX-512 kernel files; requires <immintrin.h>,
// <cstdint>, <cstring>.

struct Lanes {
    static constexpr unsigned width = 64;
    static constexpr bool compresses = true;
    // base + the index of each set bit of `bits`, in increasing order, from `out` on; returns the
    // end. Sixteen bits at a time go through one vpcompressd, whatever their count, so the cost
    // does not grow with the bits set (noise sets dozens per block); writes up to 16 slots past
    // the end.
    static std::uint32_t* positions(std::uint32_t* out, std::uint64_t bits, std::uint64_t base) {
        __m512i at = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                      _mm512_set1_epi32(static_cast<int>(base)));
        const __m512i next_sixteen = _mm512_set1_epi32(16);
        for (unsigned part = 0; part < 4; ++part) {
            const auto chosen = static_cast<__mmask16>(bits >> (16 * part));
            _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(chosen, at));
            out += _mm_popcnt_u32(chosen);
            at = _mm512_add_epi32(at, next_sixteen);
        }
        return out;
    }
    static std::uint64_t changed(const std::uint8_t* cur, const std::uint8_t* prev) {
        const __m512i a = _mm512_loadu_si512(cur);
        const __m512i b = _mm512_loadu_si512(prev);
        return _mm512_cmpneq_epi8_mask(a, b);
    }
    static std::uint64_t changed_partial(const std::uint8_t* cur, const std::uint8_t* prev,
                                         unsigned count) {
        const __mmask64 keep = _bzhi_u64(~0ull, count);
        const __m512i a = _mm512_maskz_loadu_epi8(keep, cur);
        const __m512i b = _mm512_maskz_loadu_epi8(keep, prev);
        return _mm512_mask_cmpneq_epi8_mask(keep, a, b);
    }
    static void fill(std::uint8_t* p, std::uint8_t value, std::uint64_t length, const std::uint8_t* end) {
        if (length <= 64 && end - p >= 64) {
            _mm512_storeu_si512(p, _mm512_set1_epi8(static_cast<char>(value)));
        } else if (length <= 128 && end - p >= 128) {
            const __m512i v = _mm512_set1_epi8(static_cast<char>(value));
            _mm512_storeu_si512(p, v);
            _mm512_storeu_si512(p + 64, v);
        } else {
            std::memset(p, value, length);
        }
    }
};
