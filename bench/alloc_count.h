// Counts the program's heap allocations (every form of global operator new), for the bench's
// allocations-per-event figure and the tests that hold the engine to none per event. Linking
// alloc_count.cc replaces the global operator new and delete of the whole binary.
#pragma once

#include <cstdint>

namespace mcbench {

// Allocations made through operator new since the program started.
uint64_t allocations();

}  // namespace mcbench
