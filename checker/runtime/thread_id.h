// Model threads: their ids, how many an execution may have, and sets of them as bit masks.
#pragma once

#include <cstdint>

namespace mc {

// Storage is sized for kMaxThreads; a run uses kNarrowThreads unless it asks for more
// (ExploreOptions::max_threads), and its vector clocks then work on that many components only
// (vector_clock.h), so that programs of 16 threads or fewer pay little for the wider limit.
inline constexpr int kMaxThreads = 32;
inline constexpr int kNarrowThreads = 16;
using ThreadId = int;
using ThreadMask = uint64_t;
// kMaxThreads threads and the host (id kMaxThreads) in one mask.
static_assert(kMaxThreads < 64, "thread sets are 64-bit masks");
// A set of model threads as an object keeps it (the host never accesses objects): 32 bits, so
// that every instrumented object stays as small as with 16 threads.
using ObjectThreadMask = uint32_t;
static_assert(kMaxThreads <= 32, "an object's thread sets are 32-bit masks");

inline ThreadMask thread_bit(ThreadId t) { return ThreadMask{1} << t; }

}  // namespace mc
