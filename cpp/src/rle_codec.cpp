// The compressed COCO string: an LEB128-like code with 5 payload bits per character.
//
// Each count x (delta-coded against counts[i-2] from index 3 on, so alternating runs of similar
// lengths become small numbers) is cut into 5-bit groups, least significant first. A group is
// written as the character '0' + group, with 0x20 set when more groups follow; the last group's
// 0x10 bit is the sign. Arithmetic is 64-bit and the result truncated to uint32, which is what
// pycocotools computes for every string it produces itself.
#include <stdexcept>
#include <string>

#include "maskkit/rle.hpp"

namespace maskkit {

void RleBatch::append(std::uint64_t h, std::uint64_t w, const count_t* c, std::size_t m) {
    counts.insert(counts.end(), c, c + m);
    offsets.push_back(counts.size());
    heights.push_back(h);
    widths.push_back(w);
}

void append_rle_string(const count_t* counts, std::size_t m, std::string& out) {
    for (std::size_t i = 0; i < m; ++i) {
        std::int64_t x = static_cast<std::int64_t>(counts[i]);
        if (i > 2) x -= static_cast<std::int64_t>(counts[i - 2]);
        bool more = true;
        while (more) {
            int group = static_cast<int>(x & 0x1f);
            x >>= 5;  // arithmetic shift: the sign stays in x
            more = (group & 0x10) ? x != -1 : x != 0;
            if (more) group |= 0x20;
            out.push_back(static_cast<char>(group + 48));
        }
    }
}

namespace {

[[noreturn]] void malformed(const char* text, std::size_t length, std::size_t p, int groups) {
    if (groups == 12)
        throw std::invalid_argument("malformed RLE string: a number at position " + std::to_string(p) +
                                    " has more than 12 groups");
    if (p >= length || text[p] == '\0')
        throw std::invalid_argument(
            "malformed RLE string: it ends inside a number (last character '" +
            std::string(1, text[p - 1]) + "' has the continuation bit 0x20)");
    throw std::invalid_argument("malformed RLE string: character " + std::to_string(text[p] & 0xff) +
                                " at position " + std::to_string(p) + " is outside '0'..'o' (48..111)");
}

}  // namespace

void parse_rle_string(const char* text, std::size_t length, std::vector<count_t>& counts) {
    constexpr int max_groups = 12;  // 60 bits: more can only come from a corrupted string
    const std::size_t first = counts.size();
    counts.reserve(first + length);
    std::size_t p = 0;
    while (p < length && text[p] != '\0') {
        std::int64_t x = 0;
        int k = 0;
        int c;
        do {
            // (unsigned) c > 0x3f also rejects the NUL terminator and bytes below '0'
            if (p >= length || k == max_groups) malformed(text, length, p, k);
            c = static_cast<unsigned char>(text[p]) - 48;
            if (static_cast<unsigned>(c) > 0x3f) malformed(text, length, p, k);
            x |= static_cast<std::int64_t>(c & 0x1f) << (5 * k);
            ++p;
            ++k;
        } while (c & 0x20);
        if (c & 0x10) x |= static_cast<std::int64_t>(~std::uint64_t{0} << (5 * k));
        const std::size_t index = counts.size() - first;
        if (index > 2) x += static_cast<std::int64_t>(counts[counts.size() - 2]);
        counts.push_back(static_cast<count_t>(static_cast<std::uint64_t>(x)));
    }
}

}  // namespace maskkit
