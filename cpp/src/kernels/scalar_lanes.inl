// The scalar `Lanes` policy (see bit_positions.inl): eight bytes at a time in a 64-bit word, no
// SIMD instructions, the definition the SIMD targets are tested against. Included inside
// namespace maskkit::scalar by the scalar kernel files; requires <cstdint>, <cstring>.

struct Lanes {
    static constexpr unsigned width = 8;
    static constexpr bool compresses = false;
    static std::uint64_t changed(const std::uint8_t* cur, const std::uint8_t* prev) {
        std::uint64_t a, b;
        std::memcpy(&a, cur, 8);
        std::memcpy(&b, prev, 8);
        if (a == b) return 0;
        return changed_partial(cur, prev, 8);
    }
    static std::uint64_t changed_partial(const std::uint8_t* cur, const std::uint8_t* prev,
                                         unsigned count) {
        std::uint64_t bits = 0;
        for (unsigned i = 0; i < count; ++i)
            bits |= static_cast<std::uint64_t>(cur[i] != prev[i]) << i;
        return bits;
    }
    static void fill(std::uint8_t* p, std::uint8_t value, std::uint64_t length, const std::uint8_t*) {
        std::memset(p, value, length);
    }
};
