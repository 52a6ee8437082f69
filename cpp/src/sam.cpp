// SAM's stability score: one pass over each mask's logits counts both thresholds at once.
//
// SAM sums the thresholded rows in int16 and the row sums in int32; torch accumulates wider
// and casts the result, so each row's count is its exact count modulo 2**16 read as int16,
// and the mask's sum is modulo 2**32 read as int32. Both casts happen here too, once per row
// and once per mask, so the scores equal SAM's for any width (they only differ from the exact
// ratio when a row has more than 32767 values above a threshold).
#include <cmath>
#include <cstring>

#include "kernels/sam_kernels.hpp"
#include "maskkit/sam.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {

std::uint16_t float_to_half(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
    const std::uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u);  // NaN
    if (magnitude >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // rounds past 65504
    if (magnitude < 0x38800000u) {  // below 2**-14: a subnormal half (or the smallest normal, by rounding)
        const float scaled = std::fabs(f) * 16777216.0f;  // units of 2**-24, exact
        return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(std::nearbyint(scaled)));
    }
    const std::uint32_t mantissa = magnitude & 0x7fffffu;
    const std::uint32_t exponent = (magnitude >> 23) - 127u + 15u;
    std::uint32_t half = exponent << 10 | mantissa >> 13;
    const std::uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // a carry moves into the exponent
    return static_cast<std::uint16_t>(sign | half);
}

namespace {

// One row's count as SAM's int16 row sum holds it.
inline std::uint32_t as_int16_sum(std::uint64_t count) {
    const auto wrapped = static_cast<std::int16_t>(static_cast<std::uint16_t>(count));
    return static_cast<std::uint32_t>(static_cast<std::int32_t>(wrapped));
}

// Counts of a strided row (stride in elements), for layouts whose rows are not contiguous.
template <class T, class Above>
kernels::AboveCounts strided_counts(const T* row, std::uint64_t w, std::int64_t stride, Above above) {
    std::uint64_t high = 0, low = 0;
    for (std::uint64_t x = 0; x < w; ++x) {
        const kernels::AboveCounts one = above(row[static_cast<std::int64_t>(x) * stride]);
        high += one.high;
        low += one.low;
    }
    return {high, low};
}

struct Plane {
    std::uint64_t h, w;
    std::int64_t stride_h, stride_w;
};

// rows(row pointer) -> AboveCounts of that row; the score of one mask from its rows.
template <class T, class Rows>
float score_of(const T* mask, const Plane& p, Rows rows) {
    std::uint32_t inter = 0, uni = 0;  // int32 sums, wrapping as SAM's do
    for (std::uint64_t y = 0; y < p.h; ++y) {
        const kernels::AboveCounts c = rows(mask + static_cast<std::int64_t>(y) * p.stride_h);
        inter += as_int16_sum(c.high);
        uni += as_int16_sum(c.low);
    }
    return static_cast<float>(static_cast<std::int32_t>(inter)) / static_cast<float>(static_cast<std::int32_t>(uni));
}

template <class T, class Rows>
void scores_of(const T* data, std::size_t n, const Plane& p, std::int64_t stride_n, float* scores, Rows rows) {
    parallel_for(n, grain_for(p.h * p.w), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            scores[i] = score_of(data + static_cast<std::int64_t>(i) * stride_n, p, rows);
    });
}

template <class T, class Count>
void float_scores(const T* data, std::size_t n, const Plane& p, std::int64_t stride_n, T high, T low, float* scores,
                  Count count) {
    if (p.stride_w == 1) {
        scores_of(data, n, p, stride_n, scores, [&](const T* row) { return count(row, p.w, high, low); });
        return;
    }
    auto above = [&](T v) {
        return kernels::AboveCounts{static_cast<std::uint64_t>(v > high), static_cast<std::uint64_t>(v > low)};
    };
    scores_of(data, n, p, stride_n, scores, [&](const T* row) { return strided_counts(row, p.w, p.stride_w, above); });
}

// A threshold as a key the half kernels compare with (a NaN threshold has nothing above it).
std::int16_t half_threshold(double t) {
    const std::uint16_t bits = float_to_half(static_cast<float>(t));
    return (bits & 0x7fffu) > static_cast<std::uint16_t>(kernels::kHalfInf) ? kernels::kHalfNone : kernels::half_key(bits);
}

}  // namespace

void stability_scores(const void* data, LogitType type, std::size_t n, std::uint64_t h, std::uint64_t w,
                      std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w, double high, double low,
                      float* scores) {
    const kernels::SamKernels& k = kernels::sam_kernels();
    const Plane p{h, w, stride_h, stride_w};
    switch (type) {
        case LogitType::f32:
            float_scores(static_cast<const float*>(data), n, p, stride_n, static_cast<float>(high),
                         static_cast<float>(low), scores, k.count_f32);
            return;
        case LogitType::f64:
            float_scores(static_cast<const double*>(data), n, p, stride_n, high, low, scores, k.count_f64);
            return;
        case LogitType::f16: {
            const std::int16_t hk = half_threshold(high), lk = half_threshold(low);
            const auto* halves = static_cast<const std::uint16_t*>(data);
            if (stride_w == 1) {
                scores_of(halves, n, p, stride_n, scores,
                          [&](const std::uint16_t* row) { return k.count_f16(row, w, hk, lk); });
                return;
            }
            auto above = [&](std::uint16_t bits) {
                const bool number = (bits & 0x7fff) <= kernels::kHalfInf;
                const std::int16_t key = kernels::half_key(bits);
                return kernels::AboveCounts{static_cast<std::uint64_t>(number && key > hk),
                                            static_cast<std::uint64_t>(number && key > lk)};
            };
            scores_of(halves, n, p, stride_n, scores,
                      [&](const std::uint16_t* row) { return strided_counts(row, w, stride_w, above); });
            return;
        }
    }
}

}  // namespace maskkit
