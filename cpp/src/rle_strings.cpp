// Batches of compressed strings. Parsing a batch gives every string a slot as long as its text
// (a count takes at least one character) in one buffer, parses the slots (in parallel for many
// strings) and then packs them together. The measures parse each string into a per-thread
// scratch buffer and measure that, so they allocate nothing per RLE.
#include "maskkit/rle_strings.hpp"

#include <algorithm>
#include <cstring>

#include "maskkit/polygon.hpp"
#include "maskkit/raw_vector.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

// Below this many strings a batch is handled by the calling thread alone: waking the pool
// costs more than it saves.
constexpr std::size_t strings_per_thread = 64;

// The strings a thread takes at least: as many as hold about 64 Ki characters (grain_for: a
// thread hand-off costs about as much as parsing that many), and at least strings_per_thread.
std::size_t text_grain(const RleText* texts, std::size_t n) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < n; ++i) characters += texts[i].length;
    return std::max(strings_per_thread, grain_for(characters / (n == 0 ? 1 : n)));
}

// The counts of one string, parsed into this thread's scratch buffer (valid until its next use).
RleView scratch_view(const RleText& t) {
    thread_local RawVector<count_t> scratch;
    if (scratch.size() < t.length) scratch.resize(t.length);
    return {t.h, t.w, scratch.data(), parse_rle_string(t.text, t.length, scratch.data())};
}

}  // namespace

RleBatch parse_rle_texts(const RleText* texts, std::size_t n) {
    RleBatch batch;
    batch.heights.resize(n);
    batch.widths.resize(n);
    std::vector<std::size_t> slot(n + 1, 0), parsed(n);
    for (std::size_t i = 0; i < n; ++i) {
        slot[i + 1] = slot[i] + texts[i].length;
        batch.heights[i] = texts[i].h;
        batch.widths[i] = texts[i].w;
    }
    batch.counts.resize(slot[n]);
    parallel_for(n, text_grain(texts, n), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            parsed[i] = parse_rle_string(texts[i].text, texts[i].length, batch.counts.data() + slot[i]);
    });
    std::size_t packed = 0;
    batch.offsets.resize(n + 1);
    for (std::size_t i = 0; i < n; ++i) {
        if (packed != slot[i])
            std::memmove(batch.counts.data() + packed, batch.counts.data() + slot[i], parsed[i] * sizeof(count_t));
        packed += parsed[i];
        batch.offsets[i + 1] = packed;
    }
    batch.counts.resize(packed);
    return batch;
}

RleStrings encode_rle_texts(const RleView* rles, std::size_t n) {
    RleStrings out;
    out.ends.resize(n);
    if (n < strings_per_thread) {
        for (std::size_t i = 0; i < n; ++i) {
            append_rle_string(rles[i].counts, rles[i].m, out.text);
            out.ends[i] = out.text.size();
        }
        return out;
    }
    std::vector<std::string> texts(n);
    parallel_for(n, strings_per_thread, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) append_rle_string(rles[i].counts, rles[i].m, texts[i]);
    });
    std::size_t total = 0;
    for (const std::string& t : texts) total += t.size();
    out.text.reserve(total);
    for (std::size_t i = 0; i < n; ++i) {
        out.text += texts[i];
        out.ends[i] = out.text.size();
    }
    return out;
}

// A COCO annotation is mostly one polygon: rasterizing it into a reused buffer and encoding
// that saves the batch's allocations, which cost as much as encoding. Many polygons go through
// the parallel batch.
RleStrings polygon_rle_strings(const std::vector<std::vector<double>>& polygons, std::uint64_t h, std::uint64_t w) {
    const std::size_t n = polygons.size();
    if (n >= 16) {
        const RleBatch batch = polygons_to_batch(polygons, h, w);
        const std::vector<RleView> views = views_of(batch);
        return encode_rle_texts(views.data(), n);
    }
    thread_local std::vector<count_t> counts;
    RleStrings out;
    out.ends.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        counts.clear();
        polygon_to_rle(polygons[i].data(), polygons[i].size() / 2, h, w, counts);
        append_rle_string(counts.data(), counts.size(), out.text);
        out.ends[i] = out.text.size();
    }
    return out;
}

std::vector<RleView> views_of(const RleBatch& batch) {
    std::vector<RleView> views(batch.size());
    for (std::size_t i = 0; i < views.size(); ++i) views[i] = batch.view(i);
    return views;
}

std::vector<std::int64_t> size_table(const RleBatch& batch) {
    std::vector<std::int64_t> sizes(2 * batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        sizes[2 * i] = static_cast<std::int64_t>(batch.heights[i]);
        sizes[2 * i + 1] = static_cast<std::int64_t>(batch.widths[i]);
    }
    return sizes;
}

void rle_text_areas(const RleText* texts, std::size_t n, count_t* out) {
    parallel_for(n, text_grain(texts, n), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) out[i] = area(scratch_view(texts[i]));
    });
}

void rle_text_boxes(const RleText* texts, std::size_t n, double* boxes) {
    parallel_for(n, text_grain(texts, n), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) to_bbox(scratch_view(texts[i]), boxes + 4 * i);
    });
}

}  // namespace maskkit
