// Large blocks: 2 MiB aligned, advised for transparent huge pages on Linux from 4 MiB up (the
// kernel may ignore the advice; the memory is correct either way), and recycled.
//
// Fresh memory costs a page fault and a page of zeros from the kernel per page touched, which
// for the run arrays of a noisy image adds up to several percent of a labeling call, and more
// when several threads fault pages at once. Released blocks of kLargeBlock bytes and more are
// therefore kept (up to kMaxKept bytes in all) and handed out again to requests of the same
// rounded size, so a loop over images of one size stops paying for them. Blocks hold scratch
// data only, never memory handed to Python.
#include "maskkit/raw_vector.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace maskkit {
namespace {

constexpr std::size_t kLargeBlock = std::size_t{256} << 10;
constexpr std::size_t kMaxKept = std::size_t{256} << 20;

bool is_large(std::size_t bytes) {
#if defined(__linux__)
    return bytes >= kLargeBlock;
#else
    (void)bytes;
    return false;
#endif
}

std::size_t rounded_size(std::size_t bytes) { return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes; }

class KeptBlocks {
public:
    void* take(std::size_t size) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (std::size_t i = blocks_.size(); i-- > 0;) {
            if (blocks_[i].second != size) continue;
            void* block = blocks_[i].first;
            blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(i));
            kept_ -= size;
            return block;
        }
        return nullptr;
    }
    // Keeps `block`, letting the oldest kept blocks go if the total would pass kMaxKept; throws
    // (keeping nothing) if there is no room to remember it.
    void give(void* block, std::size_t size) {
        if (size > kMaxKept) {
            std::free(block);
            return;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        blocks_.emplace_back(block, size);
        kept_ += size;
        while (kept_ > kMaxKept) {
            std::free(blocks_.front().first);
            kept_ -= blocks_.front().second;
            blocks_.erase(blocks_.begin());
        }
    }

private:
    std::mutex mutex_;
    std::vector<std::pair<void*, std::size_t>> blocks_;
    std::size_t kept_ = 0;
};

// Never destroyed: blocks may be released by static destructors that run after it would be.
KeptBlocks& kept_blocks() {
    static KeptBlocks* blocks = new KeptBlocks;
    return *blocks;
}

}  // namespace

void* allocate_block(std::size_t bytes) {
    if (bytes == 0) bytes = 1;
    void* block = nullptr;
    if (is_large(bytes)) {
#if defined(__linux__)
        const std::size_t size = rounded_size(bytes);
        block = kept_blocks().take(size);
        if (block == nullptr) {
            block = std::aligned_alloc(kHugePageBytes, size);
            if (block != nullptr && size >= kHugePagesFrom) madvise(block, size, MADV_HUGEPAGE);
        }
#endif
    } else {
        block = std::malloc(bytes);
    }
    if (block == nullptr) throw std::bad_alloc();
    return block;
}

void release_block(void* block, std::size_t bytes) noexcept {
    if (block == nullptr) return;
    if (is_large(bytes)) {
        try {
            kept_blocks().give(block, rounded_size(bytes));
            return;
        } catch (...) {  // no room to remember it: let it go
        }
    }
    std::free(block);
}

}  // namespace maskkit
