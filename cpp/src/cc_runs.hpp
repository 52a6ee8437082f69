// What a Labeling holds (the public header keeps it opaque): the runs found by the labeling
// pass (cc.cpp), in the bands of rows that threads scanned, with the final label of each of
// their sets, which the writer (cc_write.cpp) turns into the label image.
#pragma once

#include <cstdint>
#include <vector>

#include "maskkit/cc.hpp"
#include "maskkit/raw_vector.hpp"

namespace maskkit {

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

struct Labeling::Parts {
    LabelShape shape{0, 0, 0};
    std::vector<RunBand> bands;           // in row order, together covering every row
    RawVector<std::uint32_t> set_labels;  // final label of each set of the image
    std::uint64_t count = 0;
    // One-byte images: their pixels and background, read again by write() to select run pixels
    // (see label_components), so the image is borrowed until then.
    const std::uint8_t* byte_pixels = nullptr;
    std::uint8_t background_byte = 0;
};

}  // namespace maskkit
