// The compressed COCO string: an LEB128-like code with 5 payload bits per character.
//
// Each count x (delta-coded against counts[i-2] from index 3 on, so alternating runs of similar
// lengths become small numbers) is cut into 5-bit groups, least significant first. A group is
// written as the character '0' + group, with 0x20 set when more groups follow; the last group's
// 0x10 bit is the sign. Arithmetic is 64-bit and the result truncated to uint32, which is what
// pycocotools computes for every string it produces itself.
#include <cstring>
#include <stdexcept>
#include <string>

#include "maskkit/rle.hpp"
#include "maskkit/rle_strings.hpp"

namespace maskkit {

void RleBatch::append(std::uint64_t h, std::uint64_t w, const count_t* c, std::size_t m) {
    counts.insert(counts.end(), c, c + m);
    offsets.push_back(counts.size());
    heights.push_back(h);
    widths.push_back(w);
}

void append_rle_string(const count_t* counts, std::size_t m, std::string& out) {
    const std::size_t first = out.size();
    out.resize(first + 7 * m);  // a delta of at most 33 bits takes at most 7 characters
    char* p = out.data() + first;
    for (std::size_t i = 0; i < m; ++i) {
        std::int64_t x = static_cast<std::int64_t>(counts[i]);
        if (i > 2) x -= static_cast<std::int64_t>(counts[i - 2]);
        if (x >= -16 && x < 16) {  // the common case: one character
            *p++ = static_cast<char>((x & 0x1f) + 48);
            continue;
        }
        bool more = true;
        while (more) {
            int group = static_cast<int>(x & 0x1f);
            x >>= 5;  // arithmetic shift: the sign stays in x
            more = (group & 0x10) ? x != -1 : x != 0;
            if (more) group |= 0x20;
            *p++ = static_cast<char>(group + 48);
        }
    }
    out.resize(static_cast<std::size_t>(p - out.data()));
}

namespace {

std::size_t text_before_nul(const char* text, std::size_t length) {
    const void* nul = std::memchr(text, 0, length);
    return nul == nullptr ? length : static_cast<std::size_t>(static_cast<const char*>(nul) - text);
}

[[noreturn]] void malformed(const char* text, std::size_t length) {
    // Find the first problem again, slowly, to name it.
    length = text_before_nul(text, length);
    int groups = 0;
    for (std::size_t p = 0; p < length; ++p) {
        const int c = static_cast<unsigned char>(text[p]) - 48;
        if (c < 0 || c > 0x3f)
            throw std::invalid_argument("malformed RLE string: character " + std::to_string(text[p] & 0xff) +
                                        " at position " + std::to_string(p) + " is outside '0'..'o' (48..111)");
        groups = (c & 0x20) ? groups + 1 : 0;
        if (groups >= 12)
            throw std::invalid_argument("malformed RLE string: the number ending at position " +
                                        std::to_string(p) + " has more than 12 groups");
    }
    throw std::invalid_argument("malformed RLE string: it ends inside a number (last character '" +
                                std::string(1, text[length - 1]) + "' has the continuation bit 0x20)");
}

constexpr std::size_t malformed_string = static_cast<std::size_t>(-1);

// Reads the numbers of a compressed string, calling number(x, groups) with each one as written
// (still delta-coded, sign-extended, before any truncation) and how many characters it took.
// Most numbers of a real mask's string are single characters (small deltas), so those take a
// short path; longer ones are read group by group. Returns where the numbers end: `length`, or
// the position of a NUL that ends the string early (as in C); malformed_string at a character
// outside '0'..'o', a number of more than 12 groups, or a string that ends inside a number.
template <class Number>
std::size_t scan_numbers(const char* text, std::size_t length, Number&& number) {
    std::size_t p = 0;
    while (p < length) {
        unsigned c = static_cast<unsigned char>(text[p]) - 48u;
        if (c < 0x20u) {  // one character: 5 bits, 0x10 is the sign
            number(static_cast<std::int64_t>(c & 0x0fu) - static_cast<std::int64_t>(c & 0x10u), 1u);
            ++p;
            continue;
        }
        if (text[p] == 0) return p;
        std::int64_t x = 0;
        unsigned shift = 0;
        do {
            if (p >= length || shift > 55) return malformed_string;
            c = static_cast<unsigned char>(text[p]) - 48u;
            if (c > 0x3fu) return malformed_string;
            x |= static_cast<std::int64_t>(c & 0x1fu) << shift;
            ++p;
            shift += 5;
        } while (c & 0x20u);
        if (c & 0x10u) x |= static_cast<std::int64_t>(~std::uint64_t{0} << shift);
        number(x, shift / 5);
    }
    return length;
}

// Characters the encoder above writes for the number x: the fewest 5-bit groups that hold it
// as a signed number.
unsigned groups_of(std::int64_t x) {
    unsigned groups = 1;
    for (std::int64_t half = 16; x < -half || x >= half; half <<= 5) ++groups;
    return groups;
}

}  // namespace

// The delta base stays in registers, not in out[m - 2]. Malformed input is described by
// malformed().
std::size_t parse_rle_string(const char* text, std::size_t length, count_t* out) {
    std::size_t m = 0;
    count_t one_back = 0, two_back = 0;
    const std::size_t end = scan_numbers(text, length, [&](std::int64_t x, unsigned) {
        if (m > 2) x += static_cast<std::int64_t>(two_back);
        const auto value = static_cast<count_t>(static_cast<std::uint64_t>(x));
        out[m++] = value;
        two_back = one_back;
        one_back = value;
    });
    if (end == malformed_string) malformed(text, length);
    return m;
}

// Canonical means: no NUL, every number as few characters as the encoder uses, and every count
// in range before truncation (so the delta the encoder computes back is the one written).
bool is_canonical_rle_string(const char* text, std::size_t length) {
    std::size_t m = 0;
    count_t one_back = 0, two_back = 0;
    bool canonical = true;
    const std::size_t end = scan_numbers(text, length, [&](std::int64_t x, unsigned groups) {
        const std::int64_t v = x + (m > 2 ? static_cast<std::int64_t>(two_back) : 0);
        canonical &= (v >= 0) & (v <= 0xffffffffLL) & (groups == 1 || groups == groups_of(x));
        ++m;
        two_back = one_back;
        one_back = static_cast<count_t>(v);
    });
    return end == length && canonical;
}

}  // namespace maskkit
