// Inlining decisions that the speed of a hot loop depends on, pinned instead of left to the
// compiler's size heuristics, which flip them when unrelated code nearby grows or shrinks: the
// run walks of the labeling and the writer of a band of rows each stay one function, as they
// were when measured fastest.
#pragma once

#define MASKKIT_NOINLINE __attribute__((noinline))  // GCC and Clang (the supported compilers)
