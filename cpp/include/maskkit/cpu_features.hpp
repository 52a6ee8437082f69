// SIMD targets and the one place that decides which of them runs.
//
// The library is compiled for the baseline ISA; wider kernels opt in per function with target
// attributes and are only called after this module has checked, once, that the CPU and the OS
// support them. MASKKIT_SIMD=scalar|avx2|avx512 forces a target (it must be available).
#pragma once

#include <string>
#include <vector>

namespace maskkit {

enum class SimdTarget { scalar = 0, avx2 = 1, avx512 = 2 };

const char* target_name(SimdTarget target);

// Targets this CPU can run, narrowest first (always starts with scalar).
std::vector<SimdTarget> available_targets();

// The target kernels dispatch to. Chosen on first use from MASKKIT_SIMD or the widest available.
SimdTarget active_target();

// Switch the active target (used by tests to run every target). Throws std::invalid_argument
// for an unknown name and std::runtime_error for a target this CPU cannot run.
void set_active_target(const std::string& name);

}  // namespace maskkit
