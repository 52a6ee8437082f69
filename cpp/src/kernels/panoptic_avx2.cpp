// Panoptic kernels of the AVX2 target: the transposing id write in 8 x 8 blocks of 32-bit
// values, two side by side so that every store fills a whole 64-byte line of the output (the
// ids are looked up before the transpose, 0 for values without an id),
// and the Mask2Former passes 8 pixels at a time, with the scalar target's float operations in
// its order: minps(x, 0) is x < 0 ? x : 0 and maxps(a, b) is a > b ? a : b, NaN included.
#include <cstddef>
#include <cstdint>

#include "kernels/panoptic_kernels.hpp"
#include "kernels/simd_region.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

MASKKIT_TARGET_BEGIN("avx2")
namespace maskkit::avx2 {
namespace {
#include "kernels/panoptic_kernels.inl"

// ids[v] for 8 values, 0 where v >= limit: a masked gather (signed 32-bit indices, so the caller
// keeps limit below 2^31) ...
struct GatherIds {
    const int* table;
    __m256i limit_biased;
    GatherIds(const std::uint32_t* ids, std::uint32_t limit)
        : table(reinterpret_cast<const int*>(ids)), limit_biased(_mm256_set1_epi32(static_cast<int>(limit ^ 0x80000000u))) {}
    __m256i operator()(__m256i v) const {
        // unsigned v < limit, as a signed compare of both sides biased by 2^31
        const __m256i has_id = _mm256_cmpgt_epi32(limit_biased, _mm256_xor_si256(v, _mm256_set1_epi32(static_cast<int>(0x80000000u))));
        return _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), table, v, has_id, 4);
    }
};

// ... or, for up to 8 * Chunks ids, lookups in registers (a gather costs several times more):
// each chunk of 8 ids is permuted by v's low bits and kept where v's high bits name the chunk.
template <int Chunks>
struct RegisterIds {
    __m256i chunks[Chunks];
    RegisterIds(const std::uint32_t* ids, std::uint32_t limit) {
        alignas(32) std::uint32_t padded[8 * Chunks] = {};  // values in [limit, 8 * Chunks) read 0
        for (std::uint32_t i = 0; i < limit && i < 8 * Chunks; ++i) padded[i] = ids[i];
        for (int c = 0; c < Chunks; ++c) chunks[c] = _mm256_load_si256(reinterpret_cast<const __m256i*>(padded + 8 * c));
    }
    __m256i operator()(__m256i v) const {
        const __m256i chunk = _mm256_srli_epi32(v, 3);  // 8 * Chunks and more match no chunk: 0
        __m256i found = _mm256_setzero_si256();
        for (int c = 0; c < Chunks; ++c)
            found = _mm256_blendv_epi8(found, _mm256_permutevar8x32_epi32(chunks[c], v),
                                       _mm256_cmpeq_epi32(chunk, _mm256_set1_epi32(c)));
        return found;
    }
};

// Rows [y, y + 8) of columns [x, x + 8): read 8 columns, map them, transpose, write 8 rows.
template <class Lookup>
inline void block_8x8(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w, const Lookup& lookup,
                      std::uint32_t* out, std::uint64_t y, std::uint64_t x, __m256i& top) {
    __m256i c[8];
    for (int k = 0; k < 8; ++k) {
        const __m256i v =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(painted + (x + static_cast<std::uint64_t>(k)) * h + y));
        top = _mm256_max_epu32(top, v);
        c[k] = lookup(v);
    }
    // transpose: c[k] holds column x + k, rows y .. y + 7; r[j] gets row y + j, columns x .. x + 7
    const __m256i t0 = _mm256_unpacklo_epi32(c[0], c[1]), t1 = _mm256_unpackhi_epi32(c[0], c[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(c[2], c[3]), t3 = _mm256_unpackhi_epi32(c[2], c[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(c[4], c[5]), t5 = _mm256_unpackhi_epi32(c[4], c[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(c[6], c[7]), t7 = _mm256_unpackhi_epi32(c[6], c[7]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    const __m256i r[8] = {
        _mm256_permute2x128_si256(u0, u4, 0x20), _mm256_permute2x128_si256(u1, u5, 0x20),
        _mm256_permute2x128_si256(u2, u6, 0x20), _mm256_permute2x128_si256(u3, u7, 0x20),
        _mm256_permute2x128_si256(u0, u4, 0x31), _mm256_permute2x128_si256(u1, u5, 0x31),
        _mm256_permute2x128_si256(u2, u6, 0x31), _mm256_permute2x128_si256(u3, u7, 0x31),
    };
    for (int j = 0; j < 8; ++j)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (y + static_cast<std::uint64_t>(j)) * w + x), r[j]);
}

template <class Lookup>
std::uint32_t write_ids_with(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w, const std::uint32_t* ids,
                             std::uint32_t limit, std::uint32_t* out) {
    const Lookup lookup(ids, limit);
    __m256i top = _mm256_setzero_si256();
    const std::uint64_t h8 = h / 8 * 8, w16 = w / 16 * 16;
    // strips of 16 columns, top to bottom: 16 input streams, output lines written whole
    for (std::uint64_t x = 0; x < w16; x += 16)
        for (std::uint64_t y = 0; y < h8; y += 8) {
            block_8x8(painted, h, w, lookup, out, y, x, top);
            block_8x8(painted, h, w, lookup, out, y, x + 8, top);
        }
    alignas(32) std::uint32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), top);
    std::uint32_t worst = 0;
    for (const std::uint32_t v : lanes) worst = v > worst ? v : worst;
    write_ids_region(painted, h, w, ids, limit, out, h8, h, 0, w, worst);   // the last rows
    write_ids_region(painted, h, w, ids, limit, out, 0, h8, w16, w, worst);  // the last columns
    return worst;
}

std::uint32_t write_ids_transposed(const std::uint32_t* painted, std::uint64_t h, std::uint64_t w,
                                   const std::uint32_t* ids, std::uint32_t limit, std::uint32_t* out) {
    if (limit <= 8) return write_ids_with<RegisterIds<1>>(painted, h, w, ids, limit, out);
    if (limit <= 16) return write_ids_with<RegisterIds<2>>(painted, h, w, ids, limit, out);
    if (limit <= 32) return write_ids_with<RegisterIds<4>>(painted, h, w, ids, limit, out);
    return write_ids_with<GatherIds>(painted, h, w, ids, limit, out);
}

std::uint64_t lane_sum(__m256i v) {
    alignas(32) std::uint32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
    std::uint64_t total = 0;
    for (const std::uint32_t x : lanes) total += x;
    return total;
}

void mf_bounds(const float* plane, std::size_t m, float log_score, float half, float* floor_of,
               std::uint64_t* halves, std::uint64_t* nans) {
    const __m256 score = _mm256_set1_ps(log_score), halfway = _mm256_set1_ps(half), zero = _mm256_setzero_ps();
    const __m256 four = _mm256_set1_ps(4.0f), eight = _mm256_set1_ps(8.0f);
    const __m256 near = _mm256_set1_ps(kernels::mf_gap_near), mid = _mm256_set1_ps(kernels::mf_gap_mid);
    const __m256 far = _mm256_set1_ps(kernels::mf_gap_far);
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256i above = _mm256_setzero_si256(), invalid = _mm256_setzero_si256();
    std::size_t j = 0;
    for (; j + 8 <= m; j += 8) {
        const __m256 v = _mm256_loadu_ps(plane + j);
        invalid = _mm256_sub_epi32(invalid, _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
        above = _mm256_sub_epi32(above, _mm256_castps_si256(_mm256_cmp_ps(v, halfway, _CMP_GE_OQ)));
        const __m256 a = _mm256_and_ps(v, magnitude);
        const __m256 gap = _mm256_blendv_ps(_mm256_blendv_ps(near, mid, _mm256_cmp_ps(a, four, _CMP_GE_OQ)), far,
                                            _mm256_cmp_ps(a, eight, _CMP_GE_OQ));
        const __m256 bound = _mm256_add_ps(score, _mm256_sub_ps(_mm256_min_ps(v, zero), gap));
        _mm256_storeu_ps(floor_of + j, _mm256_max_ps(_mm256_loadu_ps(floor_of + j), bound));
    }
    *halves += lane_sum(above);
    *nans += lane_sum(invalid);
    mf_bounds_scalar(plane + j, m - j, log_score, half, floor_of + j, halves, nans);
}

void mf_candidates(const float* plane, std::size_t m, float log_score, const float* floor_of, std::int32_t index,
                   std::int32_t* count, std::int32_t* first, std::int32_t* last) {
    const __m256 score = _mm256_set1_ps(log_score), zero = _mm256_setzero_ps();
    const __m256i query = _mm256_set1_epi32(index), none = _mm256_setzero_si256();
    std::size_t j = 0;
    for (; j + 8 <= m; j += 8) {
        const __m256 upper = _mm256_add_ps(score, _mm256_min_ps(_mm256_loadu_ps(plane + j), zero));
        const __m256i candidate =
            _mm256_castps_si256(_mm256_cmp_ps(upper, _mm256_loadu_ps(floor_of + j), _CMP_GE_OQ));
        auto* c = reinterpret_cast<__m256i*>(count + j);
        auto* f = reinterpret_cast<__m256i*>(first + j);
        auto* l = reinterpret_cast<__m256i*>(last + j);
        const __m256i seen = _mm256_loadu_si256(c);
        const __m256i fresh = _mm256_and_si256(candidate, _mm256_cmpeq_epi32(seen, none));
        _mm256_storeu_si256(f, _mm256_blendv_epi8(_mm256_loadu_si256(f), query, fresh));
        _mm256_storeu_si256(l, _mm256_blendv_epi8(_mm256_loadu_si256(l), query, candidate));
        _mm256_storeu_si256(c, _mm256_sub_epi32(seen, candidate));
    }
    mf_candidates_scalar(plane + j, m - j, log_score, floor_of + j, index, count + j, first + j, last + j);
}
}  // namespace

const kernels::PanopticKernels panoptic_kernels = {write_ids_transposed, mf_bounds, mf_candidates};

}  // namespace maskkit::avx2
MASKKIT_TARGET_END

#else
namespace maskkit::avx2 { const kernels::PanopticKernels panoptic_kernels = scalar::panoptic_kernels; }
#endif
