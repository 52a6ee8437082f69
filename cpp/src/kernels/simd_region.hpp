// Opens and closes a region whose functions are compiled for one ISA, without -m flags for the
// whole file: only code inside the region may use the ISA, and it only runs after the runtime
// check in cpu_features.cpp. Include every header a kernel needs before opening the region.
#pragma once

#define MASKKIT_STRINGIFY_(x) #x
#define MASKKIT_PRAGMA_(x) _Pragma(MASKKIT_STRINGIFY_(x))

#if defined(__clang__)
#define MASKKIT_TARGET_BEGIN(isa) \
    MASKKIT_PRAGMA_(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define MASKKIT_TARGET_END MASKKIT_PRAGMA_(clang attribute pop)
#else  // GCC (CMakeLists.txt accepts no other compiler)
#define MASKKIT_TARGET_BEGIN(isa) \
    MASKKIT_PRAGMA_(GCC push_options) MASKKIT_PRAGMA_(GCC target(isa))
#define MASKKIT_TARGET_END MASKKIT_PRAGMA_(GCC pop_options)
#endif
