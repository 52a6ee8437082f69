// Vectors for large scratch arrays of plain integers.
//
// RawVector<T> is a std::vector whose resize() leaves new elements uninitialized, and whose
// large blocks (256 KiB and more) are aligned to 2 MiB and, from 4 MiB up, offered to the kernel
// for transparent huge pages, as numpy does for its arrays. Both matter for arrays of millions of
// runs: zeroing slack that is overwritten anyway costs a pass over memory, and touching fresh
// memory in 4 KiB pages costs one page fault per page, which on virtual machines can take longer
// than writing the page. Released large blocks are kept for reuse (see raw_vector.cpp), so
// RawVector is for scratch data only, never for memory handed to Python.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace maskkit {

// Size of a transparent huge page on x86-64 and most arm64 kernels, and the size from which a
// block is offered to the kernel for them (numpy's threshold for its arrays too): a huge page is
// zeroed whole on first touch, which smaller blocks would not repay.
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
constexpr std::size_t kHugePagesFrom = std::size_t{4} << 20;

// Raw memory of `bytes` (huge-page backed where the system allows it for large blocks); throws
// std::bad_alloc. Release with release_block and the same size.
void* allocate_block(std::size_t bytes);
void release_block(void* block, std::size_t bytes) noexcept;

template <class T>
struct UninitializedAllocator {
    using value_type = T;
    UninitializedAllocator() = default;
    template <class U>
    UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_alloc();
        return static_cast<T*>(allocate_block(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { release_block(p, n * sizeof(T)); }

    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    template <class U>
    bool operator==(const UninitializedAllocator<U>&) const noexcept {
        return true;
    }
    template <class U>
    bool operator!=(const UninitializedAllocator<U>&) const noexcept {
        return false;
    }
};

template <class T>
using RawVector = std::vector<T, UninitializedAllocator<T>>;

}  // namespace maskkit
