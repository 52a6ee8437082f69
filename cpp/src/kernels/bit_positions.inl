// Bit positions of compare masks, shared by the RLE and CC kernels, written once over a per-ISA
// `Lanes` policy and included inside each target's namespace (and, for SIMD targets, inside a
// target-attribute region) after the policy. The policy provides:
//   static constexpr unsigned width;                        bytes compared at once (<= 64)
//   static uint64_t changed(const uint8_t* cur, const uint8_t* prev);
//        bit i set where cur[i] != prev[i], i < width
//   static uint64_t changed_partial(const uint8_t* cur, const uint8_t* prev, unsigned count);
//        the same for the first count < width bytes, reading nothing past them
//   static void fill(uint8_t* p, uint8_t value, uint64_t length, const uint8_t* end);
//        p[0, length) = value; may also write p[length, ...) below end (later runs overwrite it)
//   static constexpr bool compresses;
//        whether it has positions(out, bits, base), which does what append_bit_positions does
//        below with up to 16 slots of slack
// Requires <cstdint> to be included before.

inline unsigned lowest_bit(std::uint64_t bits) { return static_cast<unsigned>(__builtin_ctzll(bits)); }

inline unsigned set_bits(std::uint64_t bits) { return static_cast<unsigned>(__builtin_popcountll(bits)); }

// Writes base + the index of each set bit of `bits`, in increasing order, from `out` on and
// returns the end of what it wrote. Eight slots are written per step whatever the count (the
// slots past it hold garbage that later writes replace), so the loop runs popcount / 8 + 1
// times instead of branching once per bit: `out` needs 8 slots of slack.
inline std::uint32_t* append_bit_positions(std::uint32_t* out, std::uint64_t bits, std::uint64_t base) {
    std::uint32_t* const end = out + set_bits(bits);
    do {
        for (int slot = 0; slot < 8; ++slot) {
            // bit 63 stands in when no bit is left (a garbage slot): no branch, no ctz of 0
            out[slot] = static_cast<std::uint32_t>(base + lowest_bit(bits | (std::uint64_t{1} << 63)));
            bits &= bits - 1;
        }
        out += 8;
    } while (out < end);
    return end;
}

// The policy's own bit positions when it has them (16 slots of slack), else the loop above (8).
template <class Lanes>
inline std::uint32_t* append_positions(std::uint32_t* out, std::uint64_t bits, std::uint64_t base) {
    if constexpr (Lanes::compresses)
        return Lanes::positions(out, bits, base);
    else
        return append_bit_positions(out, bits, base);
}
