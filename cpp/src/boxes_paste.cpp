// Pasting small soft masks into images (detectron2's paste_masks_in_image) and cropping masks to
// boxes (ultralytics' crop_mask).
//
// detectron2 pastes on CPU one mask at a time: it samples the mask with F.grid_sample (bilinear,
// zero padding, align_corners=False) on the pixel centres of the box's integer bounds only, and
// thresholds the samples. torch's CPU kernel evaluates, per sample, in the mask's type T:
//   x = (gx + 1) * (W / 2) - 0.5, x_w = floor(x), w = x - x_w, e = 1 - w  (the same for y: n, s)
//   v = nw * (s * e) + ne * (s * w) + sw * (n * e) + se * (n * w)
// left to right, each corner's value 0 when its integer position lies outside the mask, and the
// grid itself, gx = ((x + 0.5) - x0) / (x1 - x0) * 2 - 1, in the boxes' type B. The x terms only
// depend on the column and the y terms on the row, so they are computed once per column and row;
// every product and sum is then the same IEEE operation as torch's, in the same order (this file
// is compiled without FMA contraction), so the thresholded bits are the same. Thresholded float32
// rows go through the paste kernel table (eight samples at a time with AVX2, the same operations
// per lane); float64 masks and the uint8 * 255 mode take the generic loop. NaN weights (a box
// of zero width) propagate as in torch: 0 * NaN is NaN, which is below every threshold.
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/paste_kernels.hpp"
#include "maskkit/iou.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

// The integer of a floored coordinate as x86's truncating conversion gives it (what torch's
// vectorized kernel uses): the minimum integer for NaN and values out of range.
template <class T>
auto to_index(T v) {
    using I = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
    constexpr T lo = -static_cast<T>(std::numeric_limits<I>::max()) - T(1);  // -2**31 or -2**63, exact
    if (v >= lo && v < -lo) return static_cast<I>(v);
    return std::numeric_limits<I>::min();
}

// Sampling terms of one column (or row): the floored index, the distances to both neighbours and
// whether each neighbour lies inside the mask.
template <class T>
struct Axis {
    std::int64_t lo;  // floored index (only meaningful when lo_in or hi_in)
    T near, far;      // w and e (or n and s)
    bool lo_in, hi_in;
};

template <class T, class B>
Axis<T> axis_terms(std::int64_t pixel, B start, B stop, std::uint64_t size) {
    const B centre = static_cast<B>(static_cast<float>(pixel) + 0.5f);
    const B g = (centre - start) / (stop - start) * B(2) - B(1);
    const T grid = static_cast<T>(g);
    const T scale = static_cast<T>(size) / T(2);
    const T x = (grid + T(1)) * scale - T(0.5);
    const T floored = std::floor(x);
    const T near = x - floored;
    const T far = T(1) - near;
    const auto i = to_index(floored);
    const auto limit = static_cast<std::int64_t>(size);
    const std::int64_t lo = i, hi = static_cast<std::int64_t>(i) + 1;
    return {lo, near, far, lo > -1 && lo < limit, hi > -1 && hi < limit};
}

template <class B>
void check_box(const B* b, std::size_t i) {
    for (int k = 0; k < 4; ++k)
        if (!std::isfinite(b[k]))
            throw std::invalid_argument("boxes must be finite, box " + std::to_string(i) + " has " +
                                        std::to_string(static_cast<double>(b[k])));
}

// detectron2's integer bounds [floor(lo) - 1, ceil(hi) + 1) clipped to [0, size); empty when the
// box lies outside (where detectron2's torch.arange raises).
template <class B>
void bounds(B lo, B hi, std::uint64_t size, std::int64_t& first, std::int64_t& last) {
    const double a = std::max(std::floor(static_cast<double>(lo)) - 1.0, 0.0);
    const double b = std::min(std::ceil(static_cast<double>(hi)) + 1.0, static_cast<double>(size));
    if (!(b > a)) {
        first = last = 0;
        return;
    }
    first = static_cast<std::int64_t>(a);
    last = static_cast<std::int64_t>(b);
}

// Column terms of one box in the layout of kernels::PasteColumns (float32 masks).
struct ColumnTable {
    std::vector<std::int32_t> lo, lo_ok, hi_ok;
    std::vector<float> near, far;
    kernels::PasteColumns view() const { return {lo.data(), lo_ok.data(), hi_ok.data(), near.data(), far.data()}; }
};

template <class T, class B>
void paste_one(const T* mask, std::uint64_t mh, std::uint64_t mw, const B* box, std::uint64_t h, std::uint64_t w,
               T threshold, bool scaled, std::uint8_t* out, std::vector<Axis<T>>& cols, ColumnTable& table) {
    std::int64_t x_first, x_last, y_first, y_last;
    bounds(box[0], box[2], w, x_first, x_last);
    bounds(box[1], box[3], h, y_first, y_last);
    if (x_first == x_last || y_first == y_last) return;
    const auto count = static_cast<std::size_t>(x_last - x_first);
    cols.resize(count);
    for (std::int64_t x = x_first; x < x_last; ++x)
        cols[static_cast<std::size_t>(x - x_first)] = axis_terms<T, B>(x, box[0], box[2], mw);
    constexpr bool f32 = std::is_same_v<T, float>;
    if (f32 && !scaled) {
        table.lo.resize(count), table.lo_ok.resize(count), table.hi_ok.resize(count);
        table.near.resize(count), table.far.resize(count);
        for (std::size_t k = 0; k < count; ++k) {
            table.lo[k] = static_cast<std::int32_t>(cols[k].lo);
            table.lo_ok[k] = cols[k].lo_in ? -1 : 0;
            table.hi_ok[k] = cols[k].hi_in ? -1 : 0;
            table.near[k] = static_cast<float>(cols[k].near);
            table.far[k] = static_cast<float>(cols[k].far);
        }
    }
    const kernels::PasteKernels& k = kernels::paste_kernels();
    const T zero(0);
    for (std::int64_t y = y_first; y < y_last; ++y) {
        const Axis<T> r = axis_terms<T, B>(y, box[1], box[3], mh);
        const T* north = r.lo_in ? mask + r.lo * static_cast<std::int64_t>(mw) : nullptr;
        const T* south = r.hi_in ? mask + (r.lo + 1) * static_cast<std::int64_t>(mw) : nullptr;
        std::uint8_t* o = out + static_cast<std::uint64_t>(y) * w;
        if constexpr (f32) {
            if (!scaled) {
                k.row(north, south, r.near, r.far, table.view(), count, threshold, o + x_first);
                continue;
            }
        }
        for (std::int64_t x = x_first; x < x_last; ++x) {
            const Axis<T>& c = cols[static_cast<std::size_t>(x - x_first)];
            const T v_nw = north && c.lo_in ? north[c.lo] : zero;
            const T v_ne = north && c.hi_in ? north[c.lo + 1] : zero;
            const T v_sw = south && c.lo_in ? south[c.lo] : zero;
            const T v_se = south && c.hi_in ? south[c.lo + 1] : zero;
            const T w_nw = r.far * c.far, w_ne = r.far * c.near, w_sw = r.near * c.far, w_se = r.near * c.near;
            const T v = v_nw * w_nw + v_ne * w_ne + v_sw * w_sw + v_se * w_se;
            if (!scaled) {
                o[x] = v >= threshold;
            } else {
                const T p = v * T(255);
                o[x] = p >= T(0) ? static_cast<std::uint8_t>(p < T(255) ? p : T(255)) : 0;
            }
        }
    }
}

}  // namespace

template <class T, class B>
void paste_masks(const T* masks, std::size_t n, std::uint64_t mh, std::uint64_t mw, const B* boxes,
                 std::uint64_t h, std::uint64_t w, T threshold, bool scaled, std::uint8_t* out) {
    for (std::size_t i = 0; i < n; ++i) check_box(boxes + 4 * i, i);
    parallel_for(n, grain_for(h * w / 8 + mh * mw), [&](std::size_t begin, std::size_t end) {
        std::vector<Axis<T>> cols;
        ColumnTable table;
        for (std::size_t i = begin; i < end; ++i)
            paste_one<T, B>(masks + i * mh * mw, mh, mw, boxes + 4 * i, h, w, threshold, scaled, out + i * h * w,
                            cols, table);
    });
}

template <class T, class B>
void crop_masks(const T* in, std::size_t n, std::uint64_t h, std::uint64_t w, std::int64_t stride_n,
                std::int64_t stride_h, std::int64_t stride_w, const B* boxes, T* out) {
    parallel_for(n, grain_for(h * w), [&](std::size_t begin, std::size_t end) {
        std::vector<std::uint8_t> cols(w);
        for (std::size_t i = begin; i < end; ++i) {
            const B* b = boxes + 4 * i;
            for (std::uint64_t x = 0; x < w; ++x) {
                const B bx = static_cast<B>(x);
                cols[x] = bx >= b[0] && bx < b[2];
            }
            const auto* mask = reinterpret_cast<const std::uint8_t*>(in) + static_cast<std::int64_t>(i) * stride_n;
            for (std::uint64_t y = 0; y < h; ++y) {
                const B by = static_cast<B>(y);
                const bool row_in = by >= b[1] && by < b[3];
                T* o = out + (i * h + y) * w;
                const std::uint8_t* src = mask + static_cast<std::int64_t>(y) * stride_h;
                if constexpr (std::is_same_v<T, std::uint8_t>) {
                    if (!row_in) {
                        std::memset(o, 0, w);
                        continue;
                    }
                    for (std::uint64_t x = 0; x < w; ++x)
                        o[x] = cols[x] ? src[static_cast<std::int64_t>(x) * stride_w] : std::uint8_t{0};
                } else {
                    for (std::uint64_t x = 0; x < w; ++x) {
                        T v;
                        std::memcpy(&v, src + static_cast<std::int64_t>(x) * stride_w, sizeof(T));
                        o[x] = v * static_cast<T>(row_in && cols[x]);
                    }
                }
            }
        }
    });
}

template void paste_masks<float, float>(const float*, std::size_t, std::uint64_t, std::uint64_t, const float*,
                                        std::uint64_t, std::uint64_t, float, bool, std::uint8_t*);
template void paste_masks<float, double>(const float*, std::size_t, std::uint64_t, std::uint64_t, const double*,
                                         std::uint64_t, std::uint64_t, float, bool, std::uint8_t*);
template void paste_masks<double, float>(const double*, std::size_t, std::uint64_t, std::uint64_t, const float*,
                                         std::uint64_t, std::uint64_t, double, bool, std::uint8_t*);
template void paste_masks<double, double>(const double*, std::size_t, std::uint64_t, std::uint64_t, const double*,
                                          std::uint64_t, std::uint64_t, double, bool, std::uint8_t*);

#define MASKKIT_CROP(T, B)                                                                                        \
    template void crop_masks<T, B>(const T*, std::size_t, std::uint64_t, std::uint64_t, std::int64_t, std::int64_t, \
                                   std::int64_t, const B*, T*);
MASKKIT_CROP(std::uint8_t, float)
MASKKIT_CROP(std::uint8_t, double)
MASKKIT_CROP(float, float)
MASKKIT_CROP(float, double)
MASKKIT_CROP(double, float)
MASKKIT_CROP(double, double)
#undef MASKKIT_CROP

}  // namespace maskkit
