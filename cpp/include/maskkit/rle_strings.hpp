// Many COCO compressed strings at once: parsing them into one batch, encoding a batch into one
// text, and the measures of strings (area, box) that need no counts buffer per RLE.
//
// Strings are given as pointer + length (not NUL-terminated; parsing stops at a NUL as C does),
// with their RLE's size. Work is split across threads for many strings; results do not depend on
// the thread count. Malformed strings raise std::invalid_argument (see parse_rle_string).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "maskkit/rle.hpp"

namespace maskkit {

// One compressed RLE: its string (not owned) and its size.
struct RleText {
    const char* text = nullptr;
    std::size_t length = 0;
    std::uint64_t h = 0;
    std::uint64_t w = 0;
};

// Whether the string is exactly what append_rle_string writes for the counts it parses to: no
// NUL, no number written with more characters than needed, no count that wraps. For such a
// string, parsing and encoding again is the identity (pycocotools' merge of one RLE). A
// malformed string is not canonical.
bool is_canonical_rle_string(const char* text, std::size_t length);

// The n strings parsed into one batch.
RleBatch parse_rle_texts(const RleText* texts, std::size_t n);

// The n RLEs' strings back to back: string i is text[ends[i-1] .. ends[i]) (ends[-1] = 0).
struct RleStrings {
    std::string text;
    std::vector<std::size_t> ends;
};
RleStrings encode_rle_texts(const RleView* rles, std::size_t n);

// The strings of polygons_to_batch(polygons, h, w), without the batch for a few polygons.
RleStrings polygon_rle_strings(const std::vector<std::vector<double>>& polygons, std::uint64_t h, std::uint64_t w);

// The views of a batch's RLEs, and its sizes as rows (h, w).
std::vector<RleView> views_of(const RleBatch& batch);
std::vector<std::int64_t> size_table(const RleBatch& batch);

// area() and to_bbox() of each string: out[i], and boxes[4*i .. 4*i+4).
void rle_text_areas(const RleText* texts, std::size_t n, count_t* out);
void rle_text_boxes(const RleText* texts, std::size_t n, double* boxes);

}  // namespace maskkit
