// Connected-component labeling of 2-D and 3-D images, numbered like scipy.ndimage.label.
//
// Labels are 1..n in raster (C) order of each component's first pixel; background is 0. Binary
// mode connects every pixel whose value differs from the background; multilabel mode connects
// neighbouring pixels of equal value (scikit-image's semantics). Connectivity is 4 or 8 in 2-D
// and 6, 18 or 26 in 3-D.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

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
// sets), held behind an opaque pointer (the runs' layout is internal to the core). Writing the
// label image is a separate step so the caller can choose the output type once the count is
// known.
class Labeling {
public:
    struct Parts;  // the runs, their labels and what write() reads back (cc_runs.hpp)

    Labeling();  // no image: count 0, writes nothing
    explicit Labeling(std::unique_ptr<Parts> parts);
    Labeling(Labeling&&) noexcept;
    Labeling& operator=(Labeling&&) noexcept;
    ~Labeling();

    std::uint64_t count() const;

    // Writes every pixel (background 0) into a C-ordered buffer of integers `element_size`
    // (1, 2, 4 or 8) bytes wide; the caller has checked that count() fits. With `stats`, also
    // measures every component in the same pass.
    void write(void* out, std::size_t element_size, ComponentStats* stats = nullptr) const;

private:
    std::unique_ptr<Parts> parts_;
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

// The count of each labeling of a stack.
std::vector<std::uint64_t> label_counts(const std::vector<Labeling>& labelings);

// Writes each labeling of a stack of images of `image_pixels` pixels each (label_image_stack's
// result) into its image of the C-ordered (B, H, W) buffer `out` of integers `element_size`
// bytes wide, in parallel; the caller has checked that every count fits.
void write_label_stack(const std::vector<Labeling>& labelings, std::uint64_t image_pixels, void* out,
                       std::size_t element_size);

}  // namespace maskkit
