// Connected-component labeling of 2-D and 3-D images, numbered like scipy.ndimage.label.
//
// Labels are 1..n in raster (C) order of each component's first pixel; background is 0. Binary
// mode connects every pixel whose value differs from the background; multilabel mode connects
// neighbouring pixels of equal value (scikit-image's semantics). Connectivity is 4 or 8 in 2-D
// and 6, 18 or 26 in 3-D.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace maskkit {

struct LabelShape {
    std::uint64_t depth = 1;   // planes (1 for a 2-D image)
    std::uint64_t height = 1;  // rows per plane
    std::uint64_t width = 1;   // pixels per row
};

// Per-component measures gathered while the labels are written (index = label - 1).
struct ComponentStats {
    std::vector<std::uint64_t> area;        // pixels
    std::vector<std::uint64_t> bbox;        // 6 per component: z0, y0, x0, z1, y1, x1 (ends exclusive)
    std::vector<std::uint64_t> coordinate_sums;  // 3 per component: sum of z, y and x (exact)
};

// Labels a C-contiguous image whose pixels are `element_size` (1, 2, 4 or 8) bytes, compared
// bit for bit (so signed and unsigned values of one width behave alike). `background` holds the
// background value in the same width. Writes uint64 labels to `labels` (depth*height*width
// entries), fills `stats` when it is not null, and returns the number of components. Throws
// std::invalid_argument for an unsupported connectivity or element size.
std::uint64_t label_components(const void* image, std::size_t element_size, const LabelShape& shape,
                               int connectivity, bool multilabel, std::uint64_t background,
                               std::vector<std::uint64_t>& labels, ComponentStats* stats = nullptr);

}  // namespace maskkit
