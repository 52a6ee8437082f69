// Conversions between numpy and the core's pointer + size views, done with the GIL held.
// Input checks here raise the Python type the rule calls for, with the received value echoed.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "maskkit/raw_vector.hpp"
#include "maskkit/rle.hpp"

namespace maskkit::bindings {

namespace py = pybind11;

// Heights and widths above this cannot be held by COCO's uint32 arithmetic (and their product
// could overflow 64 bits).
constexpr long long max_dimension = 0xffffffffLL;

// An image height or width from Python: non-negative, at most 2**32 - 1 (OverflowError, the
// type pycocotools' `siz` conversion raises, otherwise).
inline std::uint64_t dimension(long long value, const char* name) {
    if (value < 0)
        throw std::overflow_error(std::string("can't convert negative value to siz: ") + name + " = " +
                                  std::to_string(value));
    if (value > max_dimension)
        throw std::overflow_error(std::string(name) + " must be at most 2**32 - 1, got " + std::to_string(value));
    return static_cast<std::uint64_t>(value);
}

// A numpy array that owns a std::vector's buffer (moved, not copied); 1-D, or (size/columns,
// columns) when columns > 0.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& values, py::ssize_t columns = 0) {
    auto* owned = new std::vector<T>(std::move(values));
    py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    const auto size = static_cast<py::ssize_t>(owned->size());
    const auto item = static_cast<py::ssize_t>(sizeof(T));
    if (columns > 0)
        return py::array_t<T>({size / columns, columns}, {columns * item, item}, owned->data(), free_when_done);
    return py::array_t<T>({size}, {item}, owned->data(), free_when_done);
}

// A new, uninitialised array of `dtype` and `shape` (strides in bytes, C order when empty) for a
// result the core fills. Large ones start on a 2 MiB boundary: numpy offers its large arrays to
// the kernel for transparent huge pages, but malloc places them 16 bytes into a mapping that
// starts anywhere, so the first and last partial 2 MiB of the array are faulted in 4 KiB pages,
// 512 page faults where one would do, costing about 4% of a call that labels a 4096 x 4096
// image. The array is then a view into a numpy byte buffer 2 MiB longer, whose untouched slack
// takes no memory (its `base` is that buffer). The array must be under 2^63 bytes (callers
// check sizes that come from Python).
inline py::array fresh_array(const py::dtype& dtype, const std::vector<py::ssize_t>& shape,
                             const std::vector<py::ssize_t>& strides = {}) {
    std::size_t bytes = static_cast<std::size_t>(dtype.itemsize());
    for (py::ssize_t extent : shape) bytes *= static_cast<std::size_t>(extent);
    auto plain = [&] { return strides.empty() ? py::array(dtype, shape) : py::array(dtype, shape, strides); };
    if (bytes < kHugePagesFrom) return plain();
    py::array_t<std::uint8_t> buffer;
    try {
        buffer = py::array_t<std::uint8_t>(static_cast<py::ssize_t>(bytes + kHugePageBytes));
    } catch (const py::error_already_set&) {
        return plain();  // numpy refuses it again, naming the array's own shape and dtype
    }
    std::uint8_t* start = buffer.mutable_data();
    start += (kHugePageBytes - reinterpret_cast<std::uintptr_t>(start) % kHugePageBytes) % kHugePageBytes;
    return strides.empty() ? py::array(dtype, shape, start, buffer) : py::array(dtype, shape, strides, start, buffer);
}

// New uint8 masks for n decoded h x w images: (h, w, n) in Fortran order (pycocotools' layout)
// or (n, h, w) in C order. ValueError when they are too many bytes for one array.
inline py::array fresh_masks(std::uint64_t h, std::uint64_t w, std::uint64_t n, bool fortran) {
    const auto most = static_cast<std::uint64_t>(std::numeric_limits<py::ssize_t>::max());
    if ((h != 0 && w > most / h) || (h * w != 0 && n > most / (h * w)))
        throw py::value_error("array is too big: " + std::to_string(n) + " masks of " + std::to_string(h) + " x " +
                              std::to_string(w) + " pixels");
    const auto H = static_cast<py::ssize_t>(h), W = static_cast<py::ssize_t>(w), N = static_cast<py::ssize_t>(n);
    const py::dtype byte = py::dtype::of<std::uint8_t>();
    if (fortran) return fresh_array(byte, {H, W, N}, {1, H, H * W});
    return fresh_array(byte, {N, H, W}, {H * W, W, 1});
}

// Requires exactly dtype T and C-contiguity without converting (so a lossy cast never happens
// silently); `what` names the argument in the message.
template <class T>
py::array_t<T, py::array::c_style> exact_array(const py::handle& obj, const char* what) {
    if (!py::isinstance<py::array>(obj))
        throw py::type_error(std::string(what) + " must be a numpy array, got " +
                             std::string(py::str(py::type::of(obj).attr("__name__"))));
    auto arr = py::reinterpret_borrow<py::array>(obj);
    if (!arr.dtype().equal(py::dtype::of<T>()))  // equal, not the same object: numpy makes equal copies
        throw py::type_error(std::string(what) + " must have dtype " +
                             std::string(py::str(py::dtype::of<T>())) + ", got " +
                             std::string(py::str(arr.dtype())));
    return py::array_t<T, py::array::c_style>::ensure(arr);
}

// (N, H, W) uint8 or bool masks with any strides (byte strides are passed straight to the core).
struct MaskStack {
    const std::uint8_t* data;
    std::size_t n;
    std::uint64_t h, w;
    std::int64_t stride_n, stride_h, stride_w;
};

inline MaskStack mask_stack(const py::array& masks) {
    const py::dtype dt = masks.dtype();
    if (!(dt.equal(py::dtype::of<std::uint8_t>()) || dt.equal(py::dtype::of<bool>())))
        throw py::type_error("masks must have dtype uint8 or bool, got " + std::string(py::str(dt)));
    if (masks.ndim() != 3)
        throw py::value_error("masks must be 3-D (N, H, W), got ndim=" + std::to_string(masks.ndim()));
    return {static_cast<const std::uint8_t*>(masks.data()), static_cast<std::size_t>(masks.shape(0)),
            static_cast<std::uint64_t>(masks.shape(1)), static_cast<std::uint64_t>(masks.shape(2)),
            masks.strides(0), masks.strides(1), masks.strides(2)};
}

// A batch of RLEs held by numpy arrays (counts uint32 (C,), offsets int64 (N+1,),
// sizes int64 (N, 2)), checked once and exposed as views without copying the counts.
struct BatchViews {
    py::array_t<count_t, py::array::c_style> counts;
    py::array_t<std::int64_t, py::array::c_style> offsets;
    py::array_t<std::int64_t, py::array::c_style> sizes;
    std::vector<RleView> views;
};

inline BatchViews batch_views(const py::handle& counts_obj, const py::handle& offsets_obj,
                              const py::handle& sizes_obj) {
    BatchViews b;
    b.counts = exact_array<count_t>(counts_obj, "counts");
    b.offsets = exact_array<std::int64_t>(offsets_obj, "offsets");
    b.sizes = exact_array<std::int64_t>(sizes_obj, "sizes");
    if (b.counts.ndim() != 1) throw py::value_error("counts must be 1-D, got ndim=" + std::to_string(b.counts.ndim()));
    if (b.offsets.ndim() != 1 || b.offsets.shape(0) < 1)
        throw py::value_error("offsets must be 1-D with at least one element");
    const auto n = static_cast<std::size_t>(b.offsets.shape(0) - 1);
    if (b.sizes.ndim() != 2 || b.sizes.shape(1) != 2 || static_cast<std::size_t>(b.sizes.shape(0)) != n)
        throw py::value_error("sizes must have shape (" + std::to_string(n) + ", 2) to match offsets");
    const std::int64_t* off = b.offsets.data();
    const std::int64_t* sz = b.sizes.data();
    const auto total = static_cast<std::int64_t>(b.counts.shape(0));
    if (off[0] != 0) throw py::value_error("offsets[0] must be 0, got " + std::to_string(off[0]));
    b.views.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (off[i + 1] < off[i] || off[i + 1] > total)
            throw py::value_error("offsets must be non-decreasing and at most len(counts) = " +
                                  std::to_string(total) + ", got offsets[" + std::to_string(i + 1) +
                                  "] = " + std::to_string(off[i + 1]));
        if (sz[2 * i] < 0 || sz[2 * i + 1] < 0)
            throw py::value_error("sizes must be non-negative, got (" + std::to_string(sz[2 * i]) +
                                  ", " + std::to_string(sz[2 * i + 1]) + ") at index " + std::to_string(i));
        if (sz[2 * i] > max_dimension || sz[2 * i + 1] > max_dimension)
            throw std::overflow_error("sizes must be at most 2**32 - 1, got (" + std::to_string(sz[2 * i]) +
                                      ", " + std::to_string(sz[2 * i + 1]) + ") at index " + std::to_string(i));
        b.views[i] = RleView{static_cast<std::uint64_t>(sz[2 * i]), static_cast<std::uint64_t>(sz[2 * i + 1]),
                             b.counts.data() + off[i], static_cast<std::size_t>(off[i + 1] - off[i])};
    }
    return b;
}

// (counts, offsets) of an owned batch as numpy arrays.
inline py::tuple batch_arrays(RleBatch&& batch) {
    std::vector<std::int64_t> offsets(batch.offsets.begin(), batch.offsets.end());
    return py::make_tuple(to_numpy(std::move(batch.counts)), to_numpy(std::move(offsets)));
}

}  // namespace maskkit::bindings
