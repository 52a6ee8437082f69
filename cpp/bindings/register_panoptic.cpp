// maskkit._core panoptic functions: formats, merges, evaluation. Each section converts its
// arguments with the GIL, releases it around the core call and wraps the result.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "arrays.hpp"
#include "maskkit/panoptic.hpp"

namespace maskkit::bindings {
namespace {

// ---- formats -------------------------------------------------------------------------------

void register_formats(py::module_& m) {
    (void)m;
}

// ---- merges --------------------------------------------------------------------------------

void register_merges(py::module_& m) {
    (void)m;
}

// ---- evaluation ----------------------------------------------------------------------------

void register_evaluation(py::module_& m) {
    (void)m;
}

}  // namespace

void register_panoptic(py::module_& m) {
    register_formats(m);
    register_merges(m);
    register_evaluation(m);
}

}  // namespace maskkit::bindings
