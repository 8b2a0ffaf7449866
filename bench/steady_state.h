// The steady-state program: two threads doing long runs of independent loads, so that the
// per-event cost is measured apart from the per-execution cost of spawning and tearing down
// threads. The bench times it; the allocation test lengthens it.
#pragma once

#include <cstdint>

namespace mcbench {

// `n` relaxed loads in each of two threads, explored `runs` times over (a choice at the root:
// runs of the same length, so buffers are warm after the first).
void independent_loads(int n, uint32_t runs);

}  // namespace mcbench
