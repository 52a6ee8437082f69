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

#include "maskkit/raw_vector.hpp"

namespace maskkit {


struct LabelShape {
    std::uint64_t depth = 1;   // planes (1 for a 2-D image)
    std::uint64_t height = 1;  // rows per plane
    std::uint64_t width = 1;   // pixels per row
};

// Per-component measures (index = label - 1) with `dims` coordinates: 3 (z, y, x), or 2 (y, x)
// for a 2-D image (one plane). The caller sets dims.
struct ComponentStats {
    int dims = 3;
    std::vector<std::uint64_t> area;  // pixels
    std::vector<std::int64_t> bbox;   // 2 * dims per component: first coordinates, then ends (exclusive)
    std::vector<double> centroid;     // dims per component: the mean of each coordinate over the pixels
};

// What joins two neighbouring pixels, besides both differing from the background.
enum class Joining {
    Any,          // binary: every foreground pixel
    EqualValues,  // multilabel: equal values
    CloseValues,  // continuous values: |a - b| <= delta (cc3d's delta)
};

// How CloseValues reads pixels (the other modes compare pixels bit for bit).
enum class PixelKind { Unsigned, Signed, Float };

struct LabelOptions {
    int connectivity = 8;           // 4 or 8 (2-D), 6, 18 or 26 (3-D)
    Joining joining = Joining::Any;
    std::uint64_t background = 0;   // the background value's bits, as wide as a pixel
    bool periodic = false;          // opposite faces touch: the image is a torus
    PixelKind kind = PixelKind::Unsigned;
    std::uint64_t integer_delta = 0;  // CloseValues on integers: join when |a - b| <= integer_delta
    double float_delta = 0;           // CloseValues on floats (differences taken in double)
};

// The result of the labeling pass: the image's runs with their final labels (through their
// sets). Writing the label image is a separate step so the caller can choose the output type
// once the count is known.
class Labeling {
public:
    // The runs of consecutive rows [first_row, first_row + row_first.size() - 1), as one thread
    // found them: threads label bands of the image, and their runs stay where they were found.
    struct RunBand {
        std::uint64_t first_row = 0;
        RawVector<std::uint32_t> bounds;     // start, end ([start, end), within the row) of each run, raster order
        RawVector<std::uint32_t> sets;       // set of each run, counted from first_set
        RawVector<std::uint64_t> row_first;  // runs of row first_row + r: [row_first[r], row_first[r + 1])
        std::uint64_t first_set = 0;         // the band's set s is set first_set + s of the image

        std::uint64_t rows() const { return row_first.size() - 1; }
        std::uint64_t runs() const { return sets.size(); }
    };
    struct Parts {
        std::vector<RunBand> bands;          // in row order, together covering every row
        RawVector<std::uint32_t> set_labels; // final label of each set of the image
        std::uint64_t count = 0;
    };

    std::uint64_t count() const { return parts_.count; }

    // Writes every pixel (background 0) into a C-ordered buffer of integers `element_size`
    // (1, 2, 4 or 8) bytes wide; the caller has checked that count() fits. With `stats`, also
    // measures every component in the same pass.
    void write(void* out, std::size_t element_size, ComponentStats* stats = nullptr) const;

private:
    friend Labeling label_components(const void*, std::size_t, const LabelShape&, const LabelOptions&);
    LabelShape shape_;
    Parts parts_;
    // One-byte images: their pixels and background, read by write() (see label_components).
    const std::uint8_t* byte_pixels_ = nullptr;
    std::uint8_t background_byte_ = 0;
};

// Labels a C-contiguous image whose pixels are `element_size` (1, 2, 4 or 8) bytes. Rows must be
// shorter than 2^32 - 2 pixels and the image must have fewer than 2^32 runs. A Labeling of an
// image of one-byte pixels may read them again in write(): keep the image alive and unchanged
// until then (write() may itself overwrite it). Throws std::invalid_argument for an unsupported
// connectivity, pixel size or delta and std::length_error for too many runs.
Labeling label_components(const void* image, std::size_t element_size, const LabelShape& shape,
                          const LabelOptions& options);

// Labels `count` independent 2-D images of height x width stored one after another (a (B, H, W)
// stack), in parallel; each image is numbered from 1 on its own.
std::vector<Labeling> label_image_stack(const void* images, std::size_t element_size, std::uint64_t count,
                                        std::uint64_t height, std::uint64_t width, const LabelOptions& options);

}  // namespace maskkit
