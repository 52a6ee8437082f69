#include "maskkit/cpu_features.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#define MASKKIT_X86 1
#include <cpuid.h>
#endif

namespace maskkit {
namespace {

#if MASKKIT_X86
void cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
}

unsigned long long read_xcr0() {
    unsigned eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<unsigned long long>(edx) << 32) | eax;
}
#endif

std::vector<SimdTarget> detect() {
    std::vector<SimdTarget> targets{SimdTarget::scalar};
#if MASKKIT_X86
    unsigned r[4];
    cpuid(0, 0, r);
    const unsigned max_leaf = r[0];
    if (max_leaf < 7) return targets;
    cpuid(1, 0, r);
    const bool osxsave = (r[2] >> 27) & 1u;
    if (!osxsave) return targets;
    const unsigned long long xcr0 = read_xcr0();
    const bool ymm_state = (xcr0 & 0x6) == 0x6;            // SSE + AVX registers saved by the OS
    const bool zmm_state = (xcr0 & 0xE6) == 0xE6;          // + opmask and upper ZMM
    cpuid(7, 0, r);
    const bool avx2 = (r[1] >> 5) & 1u;
    const bool bmi1 = (r[1] >> 3) & 1u;
    const bool bmi2 = (r[1] >> 8) & 1u;
    const bool avx512f = (r[1] >> 16) & 1u;
    const bool avx512bw = (r[1] >> 30) & 1u;
    const bool avx512vl = (r[1] >> 31) & 1u;
    if (ymm_state && avx2 && bmi1 && bmi2) {
        targets.push_back(SimdTarget::avx2);
        if (zmm_state && avx512f && avx512bw && avx512vl) targets.push_back(SimdTarget::avx512);
    }
#endif
    return targets;
}

const std::vector<SimdTarget>& cached_targets() {
    static const std::vector<SimdTarget> targets = detect();
    return targets;
}

SimdTarget parse(const std::string& name) {
    if (name == "scalar") return SimdTarget::scalar;
    if (name == "avx2") return SimdTarget::avx2;
    if (name == "avx512") return SimdTarget::avx512;
    throw std::invalid_argument("unknown SIMD target '" + name +
                                "': expected one of scalar, avx2, avx512");
}

bool is_available(SimdTarget target) {
    for (SimdTarget t : cached_targets())
        if (t == target) return true;
    return false;
}

SimdTarget initial_target() {
    const char* forced = std::getenv("MASKKIT_SIMD");
    if (forced != nullptr && *forced != '\0') {
        const SimdTarget target = parse(forced);
        if (!is_available(target))
            throw std::invalid_argument(std::string("MASKKIT_SIMD=") + forced +
                                     " is not supported by this CPU");
        return target;
    }
    return cached_targets().back();
}

std::atomic<int> g_active{-1};
std::mutex g_init_mutex;

}  // namespace

const char* target_name(SimdTarget target) {
    switch (target) {
        case SimdTarget::scalar: return "scalar";
        case SimdTarget::avx2: return "avx2";
        case SimdTarget::avx512: return "avx512";
    }
    return "unknown";
}

std::vector<SimdTarget> available_targets() { return cached_targets(); }

SimdTarget active_target() {
    int value = g_active.load(std::memory_order_acquire);
    if (value < 0) {
        std::lock_guard<std::mutex> lock(g_init_mutex);
        value = g_active.load(std::memory_order_acquire);
        if (value < 0) {
            value = static_cast<int>(initial_target());
            g_active.store(value, std::memory_order_release);
        }
    }
    return static_cast<SimdTarget>(value);
}

void set_active_target(const std::string& name) {
    const SimdTarget target = parse(name);
    if (!is_available(target))
        throw std::invalid_argument("SIMD target '" + name + "' is not supported by this CPU");
    g_active.store(static_cast<int>(target), std::memory_order_release);
}

}  // namespace maskkit
