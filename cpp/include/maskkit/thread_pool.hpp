// A small persistent thread pool for batched calls.
//
// parallel_for splits [0, n) into contiguous chunks; every index is processed exactly once and
// each result depends only on its own index, so output is bit-identical for any thread count.
// The calling thread works too. If the pool is already running a job (a call from another Python
// thread), the new call runs serially in its caller instead of queueing behind it.
#pragma once

#include <cstddef>
#include <functional>

namespace maskkit {

// Number of threads batched calls may use (>= 1). Initialised from MASKKIT_NUM_THREADS, else the
// number of hardware threads.
int num_threads();

// Set the thread count; n must be >= 1 (std::invalid_argument otherwise).
void set_num_threads(int n);

// Run body(begin, end) over chunks of [0, n). grain is the smallest chunk worth a thread.
// Exceptions thrown by body are rethrown in the caller (the first one wins).
void parallel_for(std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t)>& body);

}  // namespace maskkit
