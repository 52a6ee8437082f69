// Segment Anything (amg.py) helpers that need a pass over every pixel (Python-free core API).
#pragma once

#include <cstddef>
#include <cstdint>

namespace maskkit {

// The element type of a logit stack.
enum class LogitType { f16 = 0, f32 = 1, f64 = 2 };

// SAM's stability score of n masks of h x w logits: I / U with I the number of logits above
// `high` and U the number above `low`, counted as SAM counts them (each row's count wrapped to
// int16, the row sums wrapped to int32) and divided once in float32, so U == 0 gives NaN (or
// +-inf when I != 0). The thresholds are rounded to the logits' type first as torch rounds a
// Python float (double -> float, then float -> half for f16); logits are compared in that type
// (NaN is above nothing). Strides are in elements and may be negative. scores has n values.
void stability_scores(const void* data, LogitType type, std::size_t n, std::uint64_t h, std::uint64_t w,
                      std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w, double high, double low,
                      float* scores);

// IEEE half bits of f, rounded to nearest even (NaN keeps its sign and becomes a quiet NaN).
std::uint16_t float_to_half(float f);

}  // namespace maskkit
