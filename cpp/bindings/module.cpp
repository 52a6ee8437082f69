// The one extension module; each domain registers its functions from its own file.
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace maskkit::bindings {
void register_runtime(py::module_& m);
void register_rle(py::module_& m);
void register_coco(py::module_& m);
void register_polygon(py::module_& m);
void register_cc(py::module_& m);
void register_panoptic(py::module_& m);
void register_iou(py::module_& m);
void register_sam(py::module_& m);
}  // namespace maskkit::bindings

PYBIND11_MODULE(_core, m) {
    m.doc() = "maskkit compiled core (private; use the maskkit package)";
    maskkit::bindings::register_runtime(m);
    maskkit::bindings::register_rle(m);
    maskkit::bindings::register_coco(m);
    maskkit::bindings::register_polygon(m);
    maskkit::bindings::register_cc(m);
    maskkit::bindings::register_panoptic(m);
    maskkit::bindings::register_iou(m);
    maskkit::bindings::register_sam(m);
}
