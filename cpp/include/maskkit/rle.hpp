// COCO run-length encoding, the exact semantics of pycocotools' maskApi.c.
//
// A mask of h rows and w columns is flattened in column-major (Fortran) order: pixel (y, x) is
// at index x*h + y. Its RLE is the list of run lengths of that sequence, alternating runs of 0
// and non-0, always starting with a run of 0 (so a mask whose first pixel is set starts with a
// count of 0). Counts are uint32 and, like pycocotools, the arithmetic on them wraps.
//
// Every function here takes plain pointers and sizes and reports bad input with std exceptions:
// std::invalid_argument for malformed values, std::overflow_error where a size cannot be
// represented. Nothing includes Python.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace maskkit {

using count_t = std::uint32_t;

// One RLE: a size and a span of counts (not owned).
struct RleView {
    std::uint64_t h = 0;
    std::uint64_t w = 0;
    const count_t* counts = nullptr;
    std::size_t m = 0;
};

// Many RLEs in one buffer: mask i has counts[offsets[i] .. offsets[i+1]).
struct RleBatch {
    std::vector<count_t> counts;
    std::vector<std::uint64_t> offsets{0};
    std::vector<std::uint64_t> heights;
    std::vector<std::uint64_t> widths;

    std::size_t size() const { return heights.size(); }
    RleView view(std::size_t i) const {
        return {heights[i], widths[i], counts.data() + offsets[i],
                static_cast<std::size_t>(offsets[i + 1] - offsets[i])};
    }
    void append(std::uint64_t h, std::uint64_t w, const count_t* c, std::size_t m);
};

// ---- compressed string codec (rleToString / rleFrString) ---------------------------------
// Counts are delta-coded against the count two places back, starting at index 3, then written
// as little-endian 5-bit groups in the characters '0'..'o' (0x20 = more groups follow, 0x10 of
// the last group = sign).
void append_rle_string(const count_t* counts, std::size_t m, std::string& out);

// Parses a compressed string. Unlike pycocotools, a character outside '0'..'o' or a string that
// ends inside a number raises std::invalid_argument instead of reading garbage. Parsing stops at
// the first NUL byte, as in C.
// Writes the counts into out, which must have room for `length` counts (a count takes at least
// one character); returns how many were written.
std::size_t parse_rle_string(const char* text, std::size_t length, count_t* out);

// ---- encode ------------------------------------------------------------------------------
// Encodes one h x w mask whose pixel (y, x) is at data[y*stride_h + x*stride_w] (strides in
// bytes, any sign). Every change of byte value starts a new run, exactly as pycocotools does:
// values other than 0/1 are not binarized. Appends the counts.
void encode_mask(const std::uint8_t* data, std::uint64_t h, std::uint64_t w,
                 std::int64_t stride_h, std::int64_t stride_w, std::vector<count_t>& counts);

// Encodes n masks, mask k at base + k*stride_n, in parallel.
RleBatch encode_batch(const std::uint8_t* base, std::size_t n, std::uint64_t h, std::uint64_t w,
                      std::int64_t stride_n, std::int64_t stride_h, std::int64_t stride_w);

// ---- decode ------------------------------------------------------------------------------
// Writes the mask column-major (out[x*h + y]) or row-major (out[y*w + x]); h*w bytes.
// Counts summing past h*w raise std::invalid_argument ("Invalid RLE mask representation");
// a short sum leaves the tail 0 (pycocotools leaves it uninitialized).
void decode_column_major(const RleView& rle, std::uint8_t* out);
void decode_row_major(const RleView& rle, std::uint8_t* out);

// Throws std::invalid_argument unless all n items (anything with h and w members) have the size
// of the first: callers check before they allocate the n masks of that size.
template <class Sized>
void require_one_size(const Sized* items, std::size_t n) {
    for (std::size_t i = 1; i < n; ++i) {
        if (items[i].h != items[0].h || items[i].w != items[0].w)
            throw std::invalid_argument("all RLEs of a decode must have the same size: RLE 0 is " +
                                        std::to_string(items[0].h) + "x" + std::to_string(items[0].w) + ", RLE " +
                                        std::to_string(i) + " is " + std::to_string(items[i].h) + "x" +
                                        std::to_string(items[i].w));
    }
}

// Decodes every RLE of the batch into out (n * h * w bytes, mask k at out + k*h*w), in
// parallel. All masks must have size (h, w).
void decode_batch(const RleView* rles, std::size_t n, std::uint64_t h, std::uint64_t w,
                  bool row_major, std::uint8_t* out);

// ---- measures ----------------------------------------------------------------------------
// Sum of the odd-indexed counts, wrapping in uint32 like rleArea.
count_t area(const RleView& rle);

// The same sum without wrapping (uint64: at most 2^64 - 1 counts of 2^32 - 1 would overflow it).
std::uint64_t exact_area(const RleView& rle);

// exact_area of n RLEs into out[0, n).
void exact_areas(const RleView* rles, std::size_t n, std::uint64_t* out);

// rleToBbox of pycocotools 2.0.3+: [x, y, width, height] computed in uint32 (with its quirk
// for RLEs whose foreground runs all have length 0). h == 0 with a foreground run raises
// std::invalid_argument where pycocotools divides by zero.
void to_bbox(const RleView& rle, double* box);

// to_bbox of n RLEs into boxes[4*i .. 4*i+4).
void to_bboxes(const RleView* rles, std::size_t n, double* boxes);

// ---- merge and IoU -----------------------------------------------------------------------
// rleMerge: union (intersect=false) or intersection of n RLEs by sweeping runs, so zero-length
// runs of the inputs survive exactly as in pycocotools. n == 0 or a size mismatch gives size
// 0x0 with no counts. Two RLEs whose counts sum differently raise std::invalid_argument (the
// sweep of pycocotools never ends on them).
void merge(const RleView* rles, std::size_t n, bool intersect, std::uint64_t& h,
           std::uint64_t& w, std::vector<count_t>& counts);

// bbIou: out[g*m + d] for boxes [x, y, w, h]; crowd gt divide by the dt area.
void box_iou(const double* dt, std::size_t m, const double* gt, std::size_t n,
             const std::uint8_t* iscrowd, double* out);

// rleIou: box prefilter, then an exact run sweep for overlapping boxes; -1 for pairs of
// different sizes whose boxes overlap. out[g*m + d].
void rle_iou(const RleView* dt, std::size_t m, const RleView* gt, std::size_t n,
             const std::uint8_t* iscrowd, double* out);

}  // namespace maskkit
