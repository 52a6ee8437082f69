// Pairwise box overlaps, one pass per pair without the (N, M, 2) intermediates of the tensor
// formulations. Each value is computed with the same IEEE operations, in the same order and
// precision, as torchvision.ops.boxes (eps = 1e-7 rounded to T) and detectron2's pairwise_ioa,
// so the results equal theirs bit for bit; this file is compiled without FMA contraction
// (-ffp-contract=off), which would otherwise round differently. Degenerate pairs keep the
// references' values (0/0 gives NaN for torchvision's measures, 0 for IoA).
#include <algorithm>
#include <cmath>

#include "maskkit/iou.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit {
namespace {

template <class T>
T clamp0(T x) {
    return x < T(0) ? T(0) : x;  // torch.clamp(min=0)
}

template <class T>
T pair_value(const T* p, const T* g, BoxKind kind) {
    const T eps = static_cast<T>(1e-7);
    const T area_p = (p[2] - p[0]) * (p[3] - p[1]);
    const T area_g = (g[2] - g[0]) * (g[3] - g[1]);
    const T w = clamp0(std::min(p[2], g[2]) - std::max(p[0], g[0]));
    const T h = clamp0(std::min(p[3], g[3]) - std::max(p[1], g[1]));
    const T inter = w * h;
    if (kind == BoxKind::ioa) return inter > T(0) ? inter / area_g : T(0);
    const T uni = area_p + area_g - inter;
    const T iou = inter / uni;
    if (kind == BoxKind::iou) return iou;
    const T wi = clamp0(std::max(p[2], g[2]) - std::min(p[0], g[0]));
    const T hi = clamp0(std::max(p[3], g[3]) - std::min(p[1], g[1]));
    if (kind == BoxKind::giou) {
        const T area_i = wi * hi;
        return iou - (area_i - uni) / area_i;
    }
    const T diagonal = wi * wi + hi * hi + eps;
    const T dx = (p[0] + p[2]) / T(2) - (g[0] + g[2]) / T(2);
    const T dy = (p[1] + p[3]) / T(2) - (g[1] + g[3]) / T(2);
    const T diou = iou - (dx * dx + dy * dy) / diagonal;
    if (kind == BoxKind::diou) return diou;
    const T angle = std::atan((p[2] - p[0]) / (p[3] - p[1])) - std::atan((g[2] - g[0]) / (g[3] - g[1]));
    const T v = static_cast<T>(4 / (M_PI * M_PI)) * (angle * angle);
    const T alpha = v / (T(1) - iou + v + eps);
    return diou - alpha * v;
}

}  // namespace

template <class T>
void box_overlaps(const T* a, std::size_t n, const T* b, std::size_t m, BoxKind kind, T* out) {
    parallel_for(n, grain_for(64 * m), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            for (std::size_t j = 0; j < m; ++j) out[i * m + j] = pair_value(a + 4 * i, b + 4 * j, kind);
    });
}

template void box_overlaps<float>(const float*, std::size_t, const float*, std::size_t, BoxKind, float*);
template void box_overlaps<double>(const double*, std::size_t, const double*, std::size_t, BoxKind, double*);

}  // namespace maskkit
