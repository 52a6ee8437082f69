// The window of a byte mask that holds its foreground, found in one pass, so the tracers copy
// and scan only that window (plus a zero border) instead of the whole image.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace maskkit::detail {

struct Window {
    std::int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0;  // rows [y0, y1), columns [x0, x1); empty when y0 == y1
};

inline Window foreground_window(const std::uint8_t* mask, std::int64_t h, std::int64_t w, std::int64_t sy,
                                std::int64_t sx) {
    Window win;
    if (h <= 0 || w <= 0) return win;
    // OR of every row (restrict-qualified, so the byte loops vectorize).
    std::vector<std::uint8_t> or_rows(static_cast<std::size_t>(w), 0);
    std::uint8_t* __restrict columns = or_rows.data();
    std::int64_t first = -1, last = -1;
    for (std::int64_t y = 0; y < h; ++y) {
        const std::uint8_t* __restrict row = mask + y * sy;
        std::uint8_t any = 0;
        if (sx == 1) {
            for (std::int64_t x = 0; x < w; ++x) {
                const std::uint8_t v = row[x];
                columns[x] |= v;
                any |= v;
            }
        } else {
            for (std::int64_t x = 0; x < w; ++x) {
                const std::uint8_t v = row[x * sx];
                columns[x] |= v;
                any |= v;
            }
        }
        if (any) {
            if (first < 0) first = y;
            last = y;
        }
    }
    if (first < 0) return win;
    std::int64_t x0 = 0, x1 = w;
    while (columns[x0] == 0) ++x0;
    while (columns[x1 - 1] == 0) --x1;
    win.y0 = first;
    win.y1 = last + 1;
    win.x0 = x0;
    win.x1 = x1;
    return win;
}

// Copies the window into a zero-bordered image of (rows + 2) x (cols + 2) bytes (plus `slack`
// zero bytes at the end), writing 1 for foreground.
template <class T>
void copy_window(const std::uint8_t* mask, std::int64_t sy, std::int64_t sx, const Window& win, std::size_t slack,
                 std::vector<T>& out) {
    const std::int64_t rows = win.y1 - win.y0, cols = win.x1 - win.x0, stride = cols + 2;
    out.assign(static_cast<std::size_t>((rows + 2) * stride) + slack, 0);
    for (std::int64_t y = 0; y < rows; ++y) {
        const std::uint8_t* src = mask + (win.y0 + y) * sy + win.x0 * sx;
        T* dst = &out[static_cast<std::size_t>((y + 1) * stride + 1)];
        if (sx == 1) {
            for (std::int64_t x = 0; x < cols; ++x) dst[x] = static_cast<T>(src[x] != 0);
        } else {
            for (std::int64_t x = 0; x < cols; ++x) dst[x] = static_cast<T>(src[x * sx] != 0);
        }
    }
}

}  // namespace maskkit::detail
