#include "maskkit/thread_pool.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace maskkit {
namespace {

long current_pid() { return static_cast<long>(::getpid()); }

// A pool worker: a POSIX thread with a small stack. Workers run flat loops over memory their
// callers own, and the default stack (8 MiB of address space each) made a few hundred workers
// exhaust an address-space limit, where thread-local buffers could then not be allocated.
class Worker {
public:
    static constexpr std::size_t kStackBytes = std::size_t{1} << 20;

    // Starts `body` on a new thread; throws std::system_error if the system refuses one.
    explicit Worker(std::function<void()> body) : body_(std::make_unique<std::function<void()>>(std::move(body))) {
        pthread_attr_t attributes;
        if (int error = pthread_attr_init(&attributes)) throw std::system_error(error, std::generic_category());
        int error = pthread_attr_setstacksize(&attributes, kStackBytes);
        if (error == 0) error = pthread_create(&handle_, &attributes, &Worker::start, body_.get());
        pthread_attr_destroy(&attributes);
        if (error) throw std::system_error(error, std::generic_category(), "cannot start a worker thread");
    }
    Worker(Worker&& other) noexcept : handle_(other.handle_), body_(std::move(other.body_)) {}
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;
    Worker& operator=(Worker&&) = delete;
    ~Worker() = default;  // joined by the pool (a moved-from worker has no body)

    void join() {
        if (body_) pthread_join(handle_, nullptr);
    }

private:
    static void* start(void* body) {
        (*static_cast<std::function<void()>*>(body))();
        return nullptr;
    }

    pthread_t handle_{};
    std::unique_ptr<std::function<void()>> body_;
};

// MASKKIT_NUM_THREADS, else the number of hardware threads. A value that is not an integer in
// [1, kMaxThreads] is refused rather than ignored: a typo would otherwise change the thread count
// without a word.
int default_thread_count() {
    const char* env = std::getenv("MASKKIT_NUM_THREADS");
    if (env != nullptr && *env != '\0') {
        char* end = nullptr;
        errno = 0;
        const long value = std::strtol(env, &end, 10);
        if (*env < '0' || *env > '9' || *end != '\0' || errno == ERANGE || value < 1 || value > kMaxThreads)
            throw std::invalid_argument("MASKKIT_NUM_THREADS must be an integer from 1 to " +
                                        std::to_string(kMaxThreads) + ", got '" + env + "'");
        return static_cast<int>(value);
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(std::min<unsigned>(hw, kMaxThreads));
}

class Pool {
public:
    // Starts up to threads - 1 workers. When the system refuses a thread (limits on processes
    // or address space), the pool keeps the workers that did start and jobs use those: a worker
    // that never started must not be waited for.
    explicit Pool(int threads) : pid_(current_pid()), requested_(threads) {
        workers_.reserve(static_cast<std::size_t>(threads - 1));
        for (int i = 1; i < threads; ++i) {
            try {
                workers_.emplace_back([this, i] { worker_loop(static_cast<std::size_t>(i - 1)); });
            } catch (const std::system_error&) {
                break;
            }
        }
    }
    ~Pool() {
        {
            std::lock_guard<std::mutex> lock(state_mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& t : workers_) t.join();
    }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    long pid() const { return pid_; }
    // The thread count this pool was made for (it may run fewer, see the constructor).
    int requested() const { return requested_; }

    // Runs body over chunks of [0, n) in the calling thread and the first `helpers` workers (at
    // most the workers that started). Returns false (without running anything) if another job holds the pool.
    bool try_run(std::size_t n, std::size_t chunk, const std::function<void(std::size_t, std::size_t)>& body,
                 std::size_t helpers) {
        std::unique_lock<std::mutex> job_lock(job_mutex_, std::try_to_lock);
        if (!job_lock.owns_lock()) return false;
        {
            std::lock_guard<std::mutex> lock(state_mutex_);
            body_ = &body;
            n_ = n;
            chunk_ = chunk;
            next_.store(0, std::memory_order_relaxed);
            helpers_ = std::min(helpers, workers_.size());
            busy_workers_ = helpers_;
            error_ = nullptr;
            ++generation_;
        }
        wake_.notify_all();
        work();
        std::unique_lock<std::mutex> lock(state_mutex_);
        done_.wait(lock, [this] { return busy_workers_ == 0; });
        body_ = nullptr;
        if (error_) std::rethrow_exception(error_);
        return true;
    }

private:
    void work() {
        for (;;) {
            const std::size_t begin = next_.fetch_add(chunk_, std::memory_order_relaxed);
            if (begin >= n_) return;
            const std::size_t end = std::min(n_, begin + chunk_);
            try {
                (*body_)(begin, end);
            } catch (...) {
                std::lock_guard<std::mutex> lock(state_mutex_);
                if (!error_) error_ = std::current_exception();
                next_.store(n_, std::memory_order_relaxed);  // stop handing out chunks
            }
        }
    }

    void worker_loop(std::size_t index) {
#if defined(__linux__)
        pthread_setname_np(pthread_self(), "maskkit-worker");  // as top, perf and py-spy show it
#endif
        std::size_t seen = 0;
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(state_mutex_);
                wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
                if (stopping_) return;
                seen = generation_;
                if (index >= helpers_) continue;  // not needed for this job
            }
            work();
            std::lock_guard<std::mutex> lock(state_mutex_);
            if (--busy_workers_ == 0) done_.notify_one();
        }
    }

    const long pid_;
    const int requested_;
    std::vector<Worker> workers_;
    std::mutex job_mutex_;
    std::mutex state_mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    bool stopping_ = false;
    std::size_t generation_ = 0;
    std::size_t busy_workers_ = 0;
    std::size_t helpers_ = 0;
    const std::function<void(std::size_t, std::size_t)>* body_ = nullptr;
    std::size_t n_ = 0;
    std::size_t chunk_ = 1;
    std::atomic<std::size_t> next_{0};
    std::exception_ptr error_;
};

std::mutex g_config_mutex;
std::atomic<int> g_threads{0};
std::shared_ptr<Pool> g_pool;  // guarded by g_config_mutex

// A pool with at least `threads` threads. A pool is only replaced to grow: after a smaller
// thread count, jobs use the first workers of the pool they have, and workers that stay put
// keep their CPU and warm caches (a new worker's first jobs ran up to 40% slower on a VM, until
// the scheduler had settled it).
std::shared_ptr<Pool> acquire_pool(int threads) {
    std::lock_guard<std::mutex> lock(g_config_mutex);
    if (g_pool && g_pool->pid() != current_pid()) {
        // After fork() the worker threads do not exist in the child; the old object cannot be
        // joined or destroyed safely, so it is leaked on purpose and replaced.
        new std::shared_ptr<Pool>(std::move(g_pool));
        g_pool = nullptr;
    }
    if (!g_pool || g_pool->requested() < threads) g_pool = std::make_shared<Pool>(threads);
    return g_pool;
}

}  // namespace

int num_threads() {
    int value = g_threads.load(std::memory_order_acquire);
    if (value == 0) {
        int expected = 0;
        g_threads.compare_exchange_strong(expected, default_thread_count());
        value = g_threads.load(std::memory_order_acquire);
    }
    return value;
}

void set_num_threads(int n) {
    if (n < 1 || n > kMaxThreads)
        throw std::invalid_argument("num_threads must be from 1 to " + std::to_string(kMaxThreads) + ", got " +
                                    std::to_string(n));
    g_threads.store(n, std::memory_order_release);
}

void parallel_for(std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t)>& body) {
    if (n == 0) return;
    grain = std::max<std::size_t>(grain, 1);
    const int threads = num_threads();
    const std::size_t useful = std::min<std::size_t>(static_cast<std::size_t>(threads),
                                                     (n + grain - 1) / grain);
    if (useful <= 1) {
        body(0, n);
        return;
    }
    // Many chunks per thread balance uneven items (masks with many runs next to empty ones): the
    // threads finish at most one chunk apart.
    const std::size_t chunk = std::max(grain, (n + 16 * useful - 1) / (16 * useful));
    std::shared_ptr<Pool> pool = acquire_pool(threads);
    if (!pool->try_run(n, chunk, body, useful - 1)) body(0, n);
}

void parallel_blocks(std::size_t n, std::size_t blocks, std::size_t piece,
                     const std::function<void(std::size_t, std::size_t, std::size_t)>& body) {
    if (n == 0) return;
    blocks = std::max<std::size_t>(1, std::min(blocks, n));
    if (blocks == 1) {
        body(0, 0, n);
        return;
    }
    piece = std::max<std::size_t>(piece, 1);
    // Pieces [front, back) of each block are still to do; a few hundred pieces in all, so one
    // lock around the queues costs nothing next to the pieces.
    struct Queue {
        std::size_t front, back;
    };
    std::vector<Queue> queues(blocks);
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t size = n * (b + 1) / blocks - n * b / blocks;
        queues[b] = {0, (size + piece - 1) / piece};
    }
    std::mutex mutex;
    auto take = [&](std::size_t b, bool from_back, std::size_t& index) {
        std::lock_guard<std::mutex> lock(mutex);
        Queue& q = queues[b];
        if (q.front == q.back) return false;
        index = from_back ? --q.back : q.front++;
        return true;
    };
    auto run_piece = [&](std::size_t owner, std::size_t b, std::size_t index) {
        const std::size_t first = n * b / blocks + index * piece;
        body(owner, first, std::min(n * (b + 1) / blocks, first + piece));
    };
    parallel_for(blocks, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t owner = begin; owner < end; ++owner) {
            std::size_t index = 0;
            while (take(owner, false, index)) run_piece(owner, owner, index);
            for (std::size_t other = 1; other < blocks; ++other) {
                const std::size_t b = (owner + other) % blocks;
                while (take(b, true, index)) run_piece(owner, b, index);
            }
        }
    });
}

}  // namespace maskkit
