// The AVX2 `Lanes` policy (see bit_positions.inl): 32 bytes per compare, movemask to a bit set.
// Included inside namespace maskkit::avx2 and its target region by the AVX2 kernel files;
// requires <immintrin.h>, <cstdint>, <cstring>.

struct Lanes {
    static constexpr unsigned width = 64;
    static constexpr bool compresses = false;
    static std::uint64_t changed(const std::uint8_t* cur, const std::uint8_t* prev) {
        const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cur));
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prev));
        const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cur + 32));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prev + 32));
        const std::uint32_t eq0 = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a0, b0)));
        const std::uint32_t eq1 = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a1, b1)));
        return ~((static_cast<std::uint64_t>(eq1) << 32) | eq0);
    }
    static std::uint64_t changed_partial(const std::uint8_t* cur, const std::uint8_t* prev,
                                         unsigned count) {
        std::uint64_t bits = 0;
        unsigned i = 0;
        if (count >= 32) {
            const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cur));
            const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prev));
            bits = static_cast<std::uint32_t>(~_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, b)));
            i = 32;
        }
        for (; i < count; ++i) bits |= static_cast<std::uint64_t>(cur[i] != prev[i]) << i;
        return bits;
    }
    static void fill(std::uint8_t* p, std::uint8_t value, std::uint64_t length, const std::uint8_t* end) {
        if (length <= 32 && end - p >= 32) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_set1_epi8(static_cast<char>(value)));
        } else if (length <= 64 && end - p >= 64) {
            const __m256i v = _mm256_set1_epi8(static_cast<char>(value));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + 32), v);
        } else {
            std::memset(p, value, length);
        }
    }
};
