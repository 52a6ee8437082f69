// Large blocks: 2 MiB aligned and advised for transparent huge pages on Linux (the kernel may
// ignore the advice; the memory is correct either way).
#include "maskkit/raw_vector.hpp"

#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace maskkit {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kLargeBlock = std::size_t{4} << 20;

bool is_large(std::size_t bytes) {
#if defined(__linux__)
    return bytes >= kLargeBlock;
#else
    (void)bytes;
    return false;
#endif
}

}  // namespace

void* allocate_block(std::size_t bytes) {
    if (bytes == 0) bytes = 1;
    void* block = nullptr;
    if (is_large(bytes)) {
#if defined(__linux__)
        const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
        block = std::aligned_alloc(kHugePage, rounded);
        if (block != nullptr) madvise(block, rounded, MADV_HUGEPAGE);
#endif
    } else {
        block = std::malloc(bytes);
    }
    if (block == nullptr) throw std::bad_alloc();
    return block;
}

void release_block(void* block, std::size_t) noexcept { std::free(block); }

}  // namespace maskkit
