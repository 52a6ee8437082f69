// Panoptic kernel code shared by every target, included inside a target's namespace.

// The scalar transposing id write over rows [y0, y1) and columns [x0, x1): the whole map on
// the scalar target, the edges the vector blocks leave on the others.
inline void write_ids_region(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w,
                             const std::uint32_t* ids, std::uint32_t limit, std::uint32_t* out,
                             std::uint64_t y0, std::uint64_t y1, std::uint64_t x0, std::uint64_t x1,
                             std::uint32_t& worst) {
    // 64 x 64 tiles: the 64 columns read (256 bytes each) stay in L1 while the rows are written
    constexpr std::uint64_t tile = 64;
    std::uint32_t top = worst;
    for (std::uint64_t ty = y0; ty < y1; ty += tile)
        for (std::uint64_t tx = x0; tx < x1; tx += tile) {
            const std::uint64_t ey = ty + tile < y1 ? ty + tile : y1, ex = tx + tile < x1 ? tx + tile : x1;
            for (std::uint64_t y = ty; y < ey; ++y) {
                std::uint32_t* row = out + y * w;
                for (std::uint64_t x = tx; x < ex; ++x) {
                    const std::uint32_t v = painted[x * h + y];
                    top = v > top ? v : top;
                    row[x] = v < limit ? ids[v] : 0u;
                }
            }
        }
    worst = top;
}

// A lower bound of log(sigmoid(x)): min(x, 0) less the step bound of its gap (selects only, so
// the loops below vectorize and every target computes the same float).
inline float lower_log_sigmoid(float x) {
    const float a = x < 0.0f ? -x : x;
    const float gap = a >= 8.0f ? kernels::mf_gap_far : (a >= 4.0f ? kernels::mf_gap_mid : kernels::mf_gap_near);
    return (x < 0.0f ? x : 0.0f) - gap;
}

inline void mf_bounds_scalar(const float* plane, std::size_t m, float log_score, float half, float* floor_of,
                             std::uint64_t* halves, std::uint64_t* nans) {
    std::uint32_t above = 0, invalid = 0;
    for (std::size_t j = 0; j < m; ++j) {
        const float v = plane[j];
        invalid += v != v;
        above += v >= half;
        const float bound = log_score + lower_log_sigmoid(v);
        floor_of[j] = floor_of[j] > bound ? floor_of[j] : bound;
    }
    *halves += above;
    *nans += invalid;
}

inline void mf_candidates_scalar(const float* plane, std::size_t m, float log_score, const float* floor_of,
                                 std::int32_t index, std::int32_t* count, std::int32_t* first, std::int32_t* last) {
    for (std::size_t j = 0; j < m; ++j) {
        const float v = plane[j];
        const bool candidate = log_score + (v < 0.0f ? v : 0.0f) >= floor_of[j];
        first[j] = candidate && count[j] == 0 ? index : first[j];
        last[j] = candidate ? index : last[j];
        count[j] += candidate;
    }
}
