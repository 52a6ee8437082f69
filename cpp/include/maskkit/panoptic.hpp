// maskkit panoptic core: id maps, merges and PQ statistics over pointers and shapes. Python-free;
// errors are std exceptions. Sections: formats, merges, evaluation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace maskkit::panoptic {

// ---- formats -------------------------------------------------------------------------------

// ---- merges --------------------------------------------------------------------------------

// ---- evaluation ----------------------------------------------------------------------------

}  // namespace maskkit::panoptic
