// A small persistent thread pool for batched calls.
//
// parallel_for splits [0, n) into contiguous chunks; every index is processed exactly once and
// each result depends only on its own index, so output is bit-identical for any thread count.
// The calling thread works too. If the pool is already running a job (a call from another Python
// thread), the new call runs serially in its caller instead of queueing behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace maskkit {

// The most threads a call may use.
inline constexpr int kMaxThreads = 1024;

// Number of threads batched calls may use, in [1, kMaxThreads]. Initialised from
// MASKKIT_NUM_THREADS (std::invalid_argument if it is set to anything else than an integer in
// that range), else the number of hardware threads. If the system refuses to start that many
// threads, calls run on those it did start.
int num_threads();

// Set the thread count; n must be in [1, kMaxThreads] (std::invalid_argument otherwise).
void set_num_threads(int n);

// The smallest chunk of items worth handing to a thread when each item costs about
// `pixels_per_item` pixels of work: enough items for ~64K pixels (a thread hand-off costs
// about as much as touching that many), and at least one.
inline std::size_t grain_for(std::uint64_t pixels_per_item) {
    constexpr std::uint64_t kPixelsPerChunk = std::uint64_t{1} << 16;
    return pixels_per_item >= kPixelsPerChunk ? 1 : static_cast<std::size_t>(kPixelsPerChunk / (pixels_per_item + 1)) + 1;
}

// Run body(begin, end) over chunks of [0, n). grain is the smallest chunk worth a thread.
// Exceptions thrown by body are rethrown in the caller (the first one wins).
void parallel_for(std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t)>& body);

// Run body(owner, begin, end) over [0, n) cut into `blocks` contiguous blocks, one per thread,
// each walked from its front in pieces of at most `piece` items; a thread done with its own
// block takes pieces from the back of the others' until none is left. Every item is in exactly
// one call; `owner` is the block of the thread making it (for per-thread partial results), and
// calls with the same owner never run at the same time. For work whose cost per item depends on
// the moment (fresh memory that the kernel faults in at uneven speed): each thread stays in one
// region of memory, and the threads still finish together.
void parallel_blocks(std::size_t n, std::size_t blocks, std::size_t piece,
                     const std::function<void(std::size_t, std::size_t, std::size_t)>& body);

}  // namespace maskkit
