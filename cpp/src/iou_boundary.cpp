// Mask boundaries (boundary-iou-api's mask_to_boundary) by a separable square erosion inside
// each mask's box.
//
// The reference pads the mask with a zero border of one pixel and erodes it d times with a 3 x 3
// square (cv2.erode; OpenCV's own border value for erosion is the maximum, so only the padding
// erodes). Iterating a 3 x 3 erosion d times is one erosion by the (2d + 1) x (2d + 1) square,
// and a square that reaches past the image edge covers the zero padding: the eroded value is the
// minimum over the square, with the outside of the image counted as 0.
//
// That minimum can be non-zero only where the whole square lies inside the mask's box, i.e.
// inside the box shrunk by d on every side. So the boundary equals the mask everywhere outside
// that inner rectangle, and mask - min(square) inside it. One pass over the rows copies the mask
// into the output (each row searched for its first and last non-zero bytes by the SIMD kernels,
// the span between them copied, the rest zeroed) and finds the box; the erosion then works on
// the box only.
//
// The square's minimum separates into a minimum along rows and then one along columns, each by
// doubling: after k steps t[j] = min(row[j .. j + 2^k)), and the minimum over a window of
// K = 2d + 1 is the minimum of two windows of the largest power of two s <= K, starting at j
// and at j + K - s: about log2(K) + 1 passes per axis. A mask whose non-zero bytes all have one
// value (every 0/1 or 0/255 mask) erodes to that value or 0, so its box rows are packed into
// bits (64 pixels a word) and the minima are ANDs of shifted words; a mask of several values
// takes the same steps on bytes. Everything is integer arithmetic on the mask's own values.
#include <algorithm>
#include <cstring>
#include <vector>

#include "iou_rows.hpp"
#include "kernels/iou_kernels.hpp"
#include "maskkit/iou.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

// out[j] = min(in[j], in[j + shift]) for j < count.
void min_shifted(const std::uint8_t* __restrict in, std::size_t shift, std::uint8_t* __restrict out,
                 std::size_t count) {
    for (std::size_t j = 0; j < count; ++j) out[j] = std::min(in[j], in[j + shift]);
}

// dst[j] = min(dst[j], src[j]) for j < count.
void min_into(std::uint8_t* __restrict dst, const std::uint8_t* __restrict src, std::size_t count) {
    for (std::size_t j = 0; j < count; ++j) dst[j] = std::min(dst[j], src[j]);
}

// out[j] -= min(a[j], b[j]) for j < count.
void subtract_min(std::uint8_t* __restrict out, const std::uint8_t* __restrict a, const std::uint8_t* __restrict b,
                  std::size_t count) {
    for (std::size_t j = 0; j < count; ++j) out[j] = static_cast<std::uint8_t>(out[j] - std::min(a[j], b[j]));
}

// Largest power of two <= k (k >= 1).
std::size_t power_below(std::size_t k) {
    std::size_t s = 1;
    while (2 * s <= k) s *= 2;
    return s;
}

// res[j] = min(row[j .. j + k)) for j <= len - k (k <= len), by doubling through the scratch
// rows a and b of len bytes each.
void window_min(const std::uint8_t* row, std::size_t len, std::size_t k, std::uint8_t* a, std::uint8_t* b,
                std::uint8_t* res) {
    const std::uint8_t* cur = row;
    std::size_t s = 1, valid = len;  // cur[j] = min(row[j .. j + s)) for j < valid
    std::uint8_t* next = a;
    while (2 * s <= k) {
        min_shifted(cur, s, next, valid - s);
        valid -= s;
        s *= 2;
        cur = next;
        next = next == a ? b : a;
    }
    min_shifted(cur, k - s, res, valid - (k - s));
}

struct Scratch {
    std::vector<std::uint8_t> a, b, rows;
    std::vector<std::uint64_t> bits;
};

// The box [x0, x1) x [y0, y1) of a mask's non-zero pixels (x0 == x1 when there are none), and
// whether they all have one value (then the erosion is that value or 0, computed on bits).
struct Box {
    std::uint64_t x0, x1, y0, y1;
    bool single;
};

// Copies `count` bytes read `stride` apart to `out`, 0/1 for non-zero when `binary`, and folds
// them into the OR and the AND of the non-zero bytes seen.
void copy_span(const std::uint8_t* in, std::int64_t stride, std::size_t count, bool binary, std::uint8_t* __restrict out,
               std::uint8_t& any, std::uint8_t& all) {
    std::uint8_t a = any, b = all;
    if (binary) {
        for (std::size_t x = 0; x < count; ++x) out[x] = in[static_cast<std::int64_t>(x) * stride] != 0;
        return;
    }
    auto fold = [&](std::size_t x, std::uint8_t v) {
        out[x] = v;
        a = static_cast<std::uint8_t>(a | v);
        b = static_cast<std::uint8_t>(b & (v ? v : 0xff));
    };
    if (stride == 1) {
        for (std::size_t x = 0; x < count; ++x) fold(x, in[x]);
    } else {
        for (std::size_t x = 0; x < count; ++x) fold(x, in[static_cast<std::int64_t>(x) * stride]);
    }
    any = a;
    all = b;
}

// Copies a mask into the C-ordered plane `out` in one pass (its values, or 0/1 for non-zero
// when `binary`): each row is searched for its first and last non-zero bytes, the span between
// them copied and the rest zeroed. Returns the box.
Box copy_mask(const kernels::IouKernels& k, const std::uint8_t* mask, std::uint64_t h, std::uint64_t w,
              std::int64_t sh, std::int64_t sw, bool binary, std::uint8_t* out) {
    Box box{w, 0, h, 0, true};
    std::uint8_t any = 0, all = 0xff;
    for (std::uint64_t y = 0; y < h; ++y) {
        const std::uint8_t* row = mask + static_cast<std::int64_t>(y) * sh;
        std::uint8_t* o = out + y * w;
        const std::uint64_t first = first_set(k, row, sw, 0, w);
        if (first == w) {
            std::memset(o, 0, w);
            continue;
        }
        const auto past = static_cast<std::uint64_t>(last_set(k, row, sw, first, w, 0)) + 1;
        std::memset(o, 0, first);
        copy_span(row + static_cast<std::int64_t>(first) * sw, sw, past - first, binary, o + first, any, all);
        std::memset(o + past, 0, w - past);
        box = {std::min(box.x0, first), std::max(box.x1, past), std::min(box.y0, y), y + 1, true};
    }
    if (box.x1 == 0) return {0, 0, 0, 0, true};
    box.single = binary || any == all;
    return box;
}

// masks[v]: 8 bytes (little-endian), byte b 0x00 where bit b of v is set, else 0xff.
struct KeepBytes {
    std::uint64_t masks[256];
    constexpr KeepBytes() : masks() {
        for (unsigned v = 0; v < 256; ++v)
            for (unsigned b = 0; b < 8; ++b)
                if (!((v >> b) & 1)) masks[v] |= std::uint64_t{0xff} << (8 * b);
    }
};
constexpr KeepBytes kKeepBytes{};

// words[i] &= (the bits `shift` places on: bit j takes bit j + shift) for i < count, in place
// (word i only reads words i and above), zeros shifted in past the end.
void and_shifted(std::uint64_t* words, std::size_t count, std::size_t shift) {
    const std::size_t q = shift / 64, r = shift % 64;
    std::size_t i = 0;
    if (r == 0) {
        for (; i + q < count; ++i) words[i] &= words[i + q];
    } else {
        for (; i + q + 1 < count; ++i) words[i] &= (words[i + q] >> r) | (words[i + q + 1] << (64 - r));
        if (i + q < count) {
            words[i] &= words[i + q] >> r;
            ++i;
        }
    }
    for (; i < count; ++i) words[i] = 0;
}

// words[i] &= words[i + ahead] for i < count, in place.
void and_ahead(std::uint64_t* words, std::size_t count, std::size_t ahead) {
    for (std::size_t i = 0; i < count; ++i) words[i] &= words[i + ahead];
}

// The erosion of a mask of one value by the square of side k = 2d + 1 inside its box, on bits:
// each box row is packed (64 pixels a word), ANDed over windows of k bits by doubling, the rows
// then ANDed over windows of k rows the same way; bit j of result row r is the erosion at pixel
// (y0 + d + r, x0 + d + j), where `out` is set to 0.
void erode_bits(const kernels::IouKernels& k, const Box& b, std::uint64_t w, std::uint64_t d, Scratch& scratch,
                std::uint8_t* out) {
    const std::uint64_t cols = b.x1 - b.x0, rows = b.y1 - b.y0, side = 2 * d + 1;
    const std::size_t pitch = words_per_row(cols), s = power_below(side);
    scratch.bits.resize(rows * pitch);
    std::uint64_t* bits = scratch.bits.data();
    for (std::uint64_t r = 0; r < rows; ++r) k.pack_row(out + (b.y0 + r) * w + b.x0, 1, cols, bits + r * pitch);
    // The rows' windows are ANDed as one long bit string: a window that runs past the end of its
    // row into the next one starts past cols - side, and those bits are cleared below.
    const std::size_t total = rows * pitch;
    for (std::size_t step = 1; step < s; step *= 2) and_shifted(bits, total, step);
    and_shifted(bits, total, side - s);
    const std::size_t keep = cols - side + 1, full = keep / 64;
    for (std::uint64_t r = 0; r < rows; ++r) {
        std::uint64_t* row = bits + r * pitch;
        if (keep % 64) row[full] &= ~(~std::uint64_t{0} << (keep % 64));
        for (std::size_t i = full + (keep % 64 != 0); i < pitch; ++i) row[i] = 0;
    }
    std::size_t valid = rows;
    for (std::size_t step = 1; step < s; step *= 2) {
        and_ahead(bits, (valid - step) * pitch, step * pitch);
        valid -= step;
    }
    for (std::size_t r = 0; r + side <= rows; ++r) {
        const std::uint64_t* top = bits + r * pitch;
        const std::uint64_t* bottom = bits + (r + side - s) * pitch;
        std::uint8_t* o = out + (b.y0 + d + r) * w + b.x0 + d;
        for (std::size_t i = 0; i < pitch; ++i, o += 64) {
            const std::uint64_t eroded = top[i] & bottom[i];
            if (eroded == 0) continue;
            if (eroded == ~std::uint64_t{0}) {
                std::memset(o, 0, 64);
                continue;
            }
            if (64 * i + 64 > keep) {  // the row's last word: touch no byte past the row's end
                for (std::uint64_t e = eroded; e; e &= e - 1) o[__builtin_ctzll(e)] = 0;
                continue;
            }
            for (unsigned byte = 0; byte < 8; ++byte) {
                const unsigned bits8 = (eroded >> (8 * byte)) & 0xff;
                if (bits8 == 0) continue;
                std::uint64_t eight;
                std::memcpy(&eight, o + 8 * byte, 8);
                eight &= kKeepBytes.masks[bits8];
                std::memcpy(o + 8 * byte, &eight, 8);
            }
        }
    }
}

// The erosion of a mask of any byte values, subtracted from `out`: the minimum over windows of
// k bytes along the box rows, then along its columns, by doubling.
void erode_bytes(const Box& b, std::uint64_t w, std::uint64_t d, Scratch& scratch, std::uint8_t* out) {
    const std::uint64_t cols = b.x1 - b.x0, rows = b.y1 - b.y0, side = 2 * d + 1;
    const std::size_t inner = cols - side + 1;
    scratch.a.resize(cols);
    scratch.b.resize(cols);
    scratch.rows.resize(rows * inner);
    std::uint8_t* mins = scratch.rows.data();
    for (std::uint64_t r = 0; r < rows; ++r)
        window_min(out + (b.y0 + r) * w + b.x0, cols, side, scratch.a.data(), scratch.b.data(), mins + r * inner);
    const std::size_t s = power_below(side);
    std::size_t valid = rows;
    for (std::size_t step = 1; step < s; step *= 2) {
        for (std::size_t r = 0; r + step < valid; ++r) min_into(mins + r * inner, mins + (r + step) * inner, inner);
        valid -= step;
    }
    for (std::size_t r = 0; r + side <= rows; ++r)
        subtract_min(out + (b.y0 + d + r) * w + b.x0 + d, mins + r * inner, mins + (r + side - s) * inner, inner);
}

// Writes the boundary of one mask into the C-ordered plane `out`.
void boundary_of(const kernels::IouKernels& k, const std::uint8_t* mask, std::uint64_t h, std::uint64_t w,
                 std::int64_t sh, std::int64_t sw, std::uint64_t d, bool binary, Scratch& scratch, std::uint8_t* out) {
    const Box b = copy_mask(k, mask, h, w, sh, sw, binary, out);
    // The square of side 2d + 1 fits inside the box only if both sides exceed 2d (tested
    // without forming 2d, which a huge d overflows); otherwise nothing erodes.
    if ((b.x1 - b.x0 + 1) / 2 <= d || (b.y1 - b.y0 + 1) / 2 <= d) return;
    if (b.single)
        erode_bits(k, b, w, d, scratch, out);
    else
        erode_bytes(b, w, d, scratch, out);
}

}  // namespace

void mask_boundaries(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w, std::int64_t stride_n,
                     std::int64_t stride_h, std::int64_t stride_w, std::uint64_t d, bool binary, std::uint8_t* out) {
    if (n == 0 || h == 0 || w == 0) return;  // nothing to write
    const kernels::IouKernels& k = kernels::iou_kernels();
    parallel_for(n, grain_for(h * w), [&](std::size_t begin, std::size_t end) {
        Scratch scratch;
        for (std::size_t i = begin; i < end; ++i)
            boundary_of(k, data + static_cast<std::int64_t>(i) * stride_n, h, w, stride_h, stride_w, d, binary, scratch,
                        out + i * h * w);
    });
}

void pack_boundaries(const std::uint8_t* data, std::size_t n, std::uint64_t h, std::uint64_t w, std::int64_t stride_n,
                     std::int64_t stride_h, std::int64_t stride_w, std::uint64_t d, std::uint64_t* words,
                     std::int64_t* boxes, std::uint64_t* areas) {
    const kernels::IouKernels& k = kernels::iou_kernels();
    const std::uint64_t plane_words = h * words_per_row(w);
    parallel_for(n, grain_for(h * w), [&](std::size_t begin, std::size_t end) {
        // Each boundary is written to a plane of this thread's that stays in cache, and packed
        // from there.
        Scratch scratch;
        std::vector<std::uint8_t> plane(h * w);
        for (std::size_t i = begin; i < end; ++i) {
            if (h * w != 0)
                boundary_of(k, data + static_cast<std::int64_t>(i) * stride_n, h, w, stride_h, stride_w, d, true, scratch,
                            plane.data());
            pack_masks(plane.data(), 1, h, w, 0, static_cast<std::int64_t>(w), 1, words + i * plane_words, boxes + 4 * i,
                       areas + i);
        }
    });
}

}  // namespace maskkit
