// maskkit._core runtime controls: SIMD target and thread count.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "maskkit/cpu_features.hpp"
#include "maskkit/thread_pool.hpp"

namespace maskkit::bindings {

namespace py = pybind11;

void register_runtime(py::module_& m) {
    m.def("simd_targets", [] {
        std::vector<std::string> names;
        for (SimdTarget t : available_targets()) names.emplace_back(target_name(t));
        return names;
    }, "SIMD targets this CPU can run, narrowest first.");
    m.def("simd_active", [] { return std::string(target_name(active_target())); },
          "The SIMD target kernels dispatch to.");
    m.def("set_simd_target", [](const std::string& name) { set_active_target(name); }, py::arg("name"),
          "Switch the active SIMD target (scalar, avx2, avx512).");
    m.attr("max_threads") = kMaxThreads;
    m.def("num_threads", &num_threads, "Threads batched calls may use.");
    m.def("set_num_threads", &set_num_threads, py::arg("n"), "Set the thread count (1 to max_threads).");
}

}  // namespace maskkit::bindings
