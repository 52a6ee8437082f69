// Scalar row counts shared by every target (whole rows on the scalar target, the tails past the
// last full vector on the others). Included inside a target's namespace.

template <class T>
kernels::AboveCounts count_tail(const T* row, std::uint64_t begin, std::uint64_t w, T high, T low) {
    std::uint64_t above_high = 0, above_low = 0;
    for (std::uint64_t x = begin; x < w; ++x) {
        above_high += static_cast<std::uint64_t>(row[x] > high);
        above_low += static_cast<std::uint64_t>(row[x] > low);
    }
    return {above_high, above_low};
}

inline kernels::AboveCounts count_tail_f16(const std::uint16_t* row, std::uint64_t begin, std::uint64_t w,
                                           std::int16_t high, std::int16_t low) {
    std::uint64_t above_high = 0, above_low = 0;
    for (std::uint64_t x = begin; x < w; ++x) {
        const std::uint16_t bits = row[x];
        const bool number = (bits & 0x7fff) <= kernels::kHalfInf;
        const std::int16_t key = kernels::half_key(bits);
        above_high += static_cast<std::uint64_t>(number && key > high);
        above_low += static_cast<std::uint64_t>(number && key > low);
    }
    return {above_high, above_low};
}
