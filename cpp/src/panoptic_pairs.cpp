// The pair histogram of panoptic quality: how many pixels carry each (ground-truth id,
// predicted id) pair.
//
// panopticapi builds it as np.unique(gt * 2^24 + pred) over whole uint64 images, after widening
// each decoded PNG to uint32 and packing the colours: four full-image passes and a sort,
// O(HW log HW). Here both maps are read one row at a time and the row pair is cut into runs of
// one pair; each run is one update of a small open-addressing table keyed by gt << 24 | pred.
// Segments are large, so runs are long: a block of 16 pixels that continues the current run is
// checked with a few SIMD compares and skipped, and the table sees a
// few thousand updates per 640x480 image. The keys are sorted once at the end (a few hundred),
// which gives panopticapi's ascending order, the order its IoUs are summed in.
//
// A row comes from one of three sources (IdImage::Kind): a uint32 id map or 8-bit RGB(A)
// colours, read in place; or the inflated scanlines of a PNG, unfiltered (None/Sub/Up/Average/
// Paeth, PNG spec section 9) into a byte row against the previous unfiltered row. Runs are found
// on the bytes (a pixel that repeats its left neighbour byte for byte continues the run), so
// colours are packed to ids only at run starts. Only two rows per image are ever held: a PNG is
// decoded and counted in one pass over its inflated bytes, never materialized as an image.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "maskkit/panoptic.hpp"

namespace maskkit::panoptic {
namespace {

constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
constexpr std::uint32_t kIdLimit = 1u << 24;

// Open addressing with linear probing over a power-of-two table at most half full.
class PairCounter {
public:
    PairCounter() : keys_(256, kEmpty), counts_(256, 0) {}

    void add(std::uint64_t key, std::uint64_t n) {
        std::size_t slot = hash(key) & (keys_.size() - 1);
        while (keys_[slot] != key) {
            if (keys_[slot] == kEmpty) {
                keys_[slot] = key;
                if (++size_ * 2 > keys_.size()) {
                    grow();
                    slot = find(key);
                }
                break;
            }
            slot = (slot + 1) & (keys_.size() - 1);
        }
        counts_[slot] += n;
    }

    PairHistogram sorted() const {
        PairHistogram out;
        std::vector<std::size_t> slots;
        slots.reserve(size_);
        for (std::size_t s = 0; s < keys_.size(); ++s)
            if (keys_[s] != kEmpty) slots.push_back(s);
        std::sort(slots.begin(), slots.end(), [&](std::size_t a, std::size_t b) { return keys_[a] < keys_[b]; });
        out.keys.reserve(slots.size());
        out.counts.reserve(slots.size());
        for (std::size_t s : slots) {
            out.keys.push_back(keys_[s]);
            out.counts.push_back(counts_[s]);
        }
        return out;
    }

private:
    static std::size_t hash(std::uint64_t key) {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 20);
    }

    std::size_t find(std::uint64_t key) const {
        std::size_t slot = hash(key) & (keys_.size() - 1);
        while (keys_[slot] != key) slot = (slot + 1) & (keys_.size() - 1);
        return slot;
    }

    void grow() {
        std::vector<std::uint64_t> old_keys(keys_.size() * 2, kEmpty);
        std::vector<std::uint64_t> old_counts(counts_.size() * 2, 0);
        old_keys.swap(keys_);
        old_counts.swap(counts_);
        for (std::size_t s = 0; s < old_keys.size(); ++s) {
            if (old_keys[s] == kEmpty) continue;
            std::size_t slot = hash(old_keys[s]) & (keys_.size() - 1);
            while (keys_[slot] != kEmpty) slot = (slot + 1) & (keys_.size() - 1);
            keys_[slot] = old_keys[s];
            counts_[slot] = old_counts[s];
        }
    }

    std::vector<std::uint64_t> keys_;
    std::vector<std::uint64_t> counts_;
    std::size_t size_ = 0;
};

std::uint8_t paeth(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
    const int p = int{a} + int{b} - int{c};
    const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    if (pa <= pb && pa <= pc) return a;
    return pb <= pc ? b : c;
}

// PNG scanline unfiltering for `Bpp` bytes per pixel; `prior` is the previous unfiltered row
// (zeros above the first row). Rows hold whole pixels. The first pixel has no left neighbour
// (its left and upper-left bytes count as 0) and is done apart, so the loops carry no branch.
template <unsigned Bpp>
void unfilter_row(std::uint8_t filter, const std::uint8_t* __restrict in, const std::uint8_t* __restrict prior,
                  std::uint8_t* __restrict out, std::size_t bytes) {
    const std::size_t first = std::min<std::size_t>(Bpp, bytes);
    switch (filter) {
    case 0:
        if (bytes) std::memcpy(out, in, bytes);  // an empty row may have null buffers
        return;
    case 1:
        for (std::size_t i = 0; i < first; ++i) out[i] = in[i];
        for (std::size_t i = Bpp; i < bytes; ++i) out[i] = static_cast<std::uint8_t>(in[i] + out[i - Bpp]);
        return;
    case 2:
        for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<std::uint8_t>(in[i] + prior[i]);
        return;
    case 3:
        for (std::size_t i = 0; i < first; ++i) out[i] = static_cast<std::uint8_t>(in[i] + (prior[i] >> 1));
        for (std::size_t i = Bpp; i < bytes; ++i)
            out[i] = static_cast<std::uint8_t>(in[i] + ((unsigned{out[i - Bpp]} + prior[i]) >> 1));
        return;
    case 4:
        for (std::size_t i = 0; i < first; ++i) out[i] = static_cast<std::uint8_t>(in[i] + prior[i]);
        for (std::size_t x = Bpp; x < bytes; x += Bpp) {
            // Inside a segment the filtered pixel is 0 and the pixel above equals its left
            // neighbour; Paeth then predicts the left pixel (p = a + b - c = a), which continues.
            bool continues = true;
            for (unsigned c = 0; c < Bpp; ++c) continues &= (in[x + c] == 0) & (prior[x + c] == prior[x + c - Bpp]);
            if (continues) {
                for (unsigned c = 0; c < Bpp; ++c) out[x + c] = out[x + c - Bpp];
                continue;
            }
            for (unsigned c = 0; c < Bpp; ++c)
                out[x + c] = static_cast<std::uint8_t>(in[x + c] + paeth(out[x + c - Bpp], prior[x + c], prior[x + c - Bpp]));
        }
        return;
    default:
        throw std::invalid_argument("PNG scanline filter type must be 0..4, got " + std::to_string(filter));
    }
}

// The three pixel formats of a byte row: a native uint32 id, or COCO colours
// (id = R + 256 G + 65536 B) of 3 or 4 (alpha ignored) bytes.
struct Ids {
    static constexpr unsigned bytes = 4;
    static std::uint32_t id(const std::uint8_t* px) {
        std::uint32_t value;
        std::memcpy(&value, px, 4);
        return value;
    }
};
struct Rgb {
    static constexpr unsigned bytes = 3;
    static std::uint32_t id(const std::uint8_t* px) {
        return std::uint32_t{px[0]} | std::uint32_t{px[1]} << 8 | std::uint32_t{px[2]} << 16;
    }
};
struct Rgba {
    static constexpr unsigned bytes = 4;
    static std::uint32_t id(const std::uint8_t* px) { return Rgb::id(px); }
};

// Hands out one row of pixels at a time from any IdImage kind: a pointer into the caller's
// buffer for id maps and colour images, the unfiltered row for PNG scanlines.
class RowReader {
public:
    explicit RowReader(const IdImage& image) : image_(image) {
        if (image.kind == IdImage::Kind::ids32) {
            require(image.row_stride >= 0 && static_cast<std::size_t>(image.row_stride) >= 4 * image.width,
                    "id map rows must not overlap");
            require_size(image.height == 0 ? 0 : (image.height - 1) * static_cast<std::size_t>(image.row_stride) + 4 * image.width);
            return;
        }
        require(image.channels == 3 || image.channels == 4, "colour images need 3 or 4 channels");
        if (image.kind == IdImage::Kind::rgb8) {
            require(image.row_stride >= 0 && static_cast<std::size_t>(image.row_stride) >= image.channels * image.width,
                    "colour rows must not overlap");
            require_size(image.height == 0 ? 0
                                           : (image.height - 1) * static_cast<std::size_t>(image.row_stride) +
                                                 image.channels * image.width);
            return;
        }
        const std::size_t row_bytes = image.channels * image.width;
        require_size(image.height * (row_bytes + 1));
        bytes_[0].assign(row_bytes, 0);
        bytes_[1].assign(row_bytes, 0);
    }

    const std::uint8_t* row(std::size_t y) {
        if (image_.kind != IdImage::Kind::png_scanlines)
            return image_.data + y * static_cast<std::size_t>(image_.row_stride);
        const std::size_t row_bytes = image_.channels * image_.width;
        const std::uint8_t* line = image_.data + y * (row_bytes + 1);
        std::uint8_t* out = bytes_[y & 1].data();
        const std::uint8_t* prior = bytes_[(y + 1) & 1].data();
        if (image_.channels == 3)
            unfilter_row<3>(line[0], line + 1, prior, out, row_bytes);
        else
            unfilter_row<4>(line[0], line + 1, prior, out, row_bytes);
        return out;
    }

private:
    static void require(bool ok, const char* rule) {
        if (!ok) throw std::invalid_argument(rule);
    }

    void require_size(std::size_t needed) const {
        if (image_.size < needed)
            throw std::invalid_argument("id image buffer holds " + std::to_string(image_.size) + " bytes, its shape needs " +
                                        std::to_string(needed));
    }

    const IdImage& image_;
    std::vector<std::uint8_t> bytes_[2];
};

// Whether `n` bytes from `at` equal the `n` bytes `shift` before them: for a row of pixels of
// `shift` bytes, whether every pixel in that span equals the one before it. SSE2 (part of every
// x86-64 CPU) compares 16 bytes a step; elsewhere memcmp.
bool repeats(const std::uint8_t* at, std::size_t n, unsigned shift) {
#if defined(__SSE2__)
    __m128i same = _mm_set1_epi8(-1);
    for (std::size_t k = 0; k < n; k += 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + k));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + k - shift));
        same = _mm_and_si128(same, _mm_cmpeq_epi8(a, b));
    }
    return _mm_movemask_epi8(same) == 0xFFFF;
#else
    return std::memcmp(at, at - shift, n) == 0;
#endif
}

// Cuts one row pair into runs of one (gt, pred) pair and counts them. A run grows 16 pixels at
// a time while both rows repeat their previous pixel byte for byte (an alpha change only ends
// a block early; the pixel-by-pixel step compares ids). Returns the OR of every run's ids, so
// that the caller can refuse ids of 2^24 or more.
template <class G, class P>
std::uint32_t count_row(const std::uint8_t* gt, const std::uint8_t* pred, std::size_t width, PairCounter& counter) {
    constexpr std::size_t kBlock = 16;
    std::uint32_t seen = 0;
    std::size_t x = 0;
    while (x < width) {
        const std::uint32_t g = G::id(gt + x * G::bytes), p = P::id(pred + x * P::bytes);
        std::size_t end = x + 1;
        while (end + kBlock <= width && repeats(gt + end * G::bytes, kBlock * G::bytes, G::bytes) &&
               repeats(pred + end * P::bytes, kBlock * P::bytes, P::bytes))
            end += kBlock;
        while (end < width && G::id(gt + end * G::bytes) == g && P::id(pred + end * P::bytes) == p) ++end;
        seen |= g | p;
        counter.add(std::uint64_t{g} << 24 | p, end - x);
        x = end;
    }
    return seen;
}

template <class G, class P>
PairHistogram count_rows(const IdImage& gt, const IdImage& pred) {
    RowReader gt_rows(gt), pred_rows(pred);
    PairCounter counter;
    std::uint32_t seen = 0;
    for (std::size_t y = 0; y < gt.height; ++y) {
        const std::uint8_t* g = gt_rows.row(y);
        const std::uint8_t* p = pred_rows.row(y);
        seen |= count_row<G, P>(g, p, gt.width, counter);
    }
    if (seen >= kIdLimit)
        throw std::invalid_argument("segment ids must be below 2^24 (16777216) to pair without aliasing");
    return counter.sorted();
}

int pixel_format(const IdImage& image) {
    if (image.kind == IdImage::Kind::ids32) return 0;
    return image.channels == 3 ? 1 : 2;
}

template <class G>
PairHistogram count_rows_of(const IdImage& gt, const IdImage& pred) {
    switch (pixel_format(pred)) {
    case 0: return count_rows<G, Ids>(gt, pred);
    case 1: return count_rows<G, Rgb>(gt, pred);
    default: return count_rows<G, Rgba>(gt, pred);
    }
}

}  // namespace

PairHistogram pair_histogram(const IdImage& gt, const IdImage& pred) {
    if (gt.height != pred.height || gt.width != pred.width)
        throw std::invalid_argument("ground truth and prediction must have one shape, got (" + std::to_string(gt.height) +
                                    ", " + std::to_string(gt.width) + ") and (" + std::to_string(pred.height) + ", " +
                                    std::to_string(pred.width) + ")");
    for (const IdImage* image : {&gt, &pred})
        if (image->kind != IdImage::Kind::ids32 && image->channels != 3 && image->channels != 4)
            throw std::invalid_argument("colour images need 3 or 4 channels, got " + std::to_string(image->channels));
    switch (pixel_format(gt)) {
    case 0: return count_rows_of<Ids>(gt, pred);
    case 1: return count_rows_of<Rgb>(gt, pred);
    default: return count_rows_of<Rgba>(gt, pred);
    }
}

}  // namespace maskkit::panoptic
