// What DPOR keeps of each instrumented object: the frontier of accesses that a later event
// races against (in the object itself, small), and its per-thread part (in the object's
// shadow, kept by the execution by object id). Only the race tracker reads or writes them.
#pragma once

#include <cstdint>

#include "checker/runtime/thread_id.h"

namespace mc {

struct DporFrontier {
  int32_t last_write = -1;           // the last write event (-1: none in this execution)
  ObjectThreadMask read_mask = 0;    // threads that read since that write
  int32_t last_exclusive = -1;       // the last exclusive acquisition (a lock)
  ObjectThreadMask shared_mask = 0;  // threads that took it shared since
};

// Each part is read only where the frontier's masks say it was set in this execution, so
// nothing is cleared between executions.
struct DporShadow {
  int32_t last_read[kMaxThreads];  // where DporFrontier::read_mask is set
  int32_t shared[kMaxThreads];     // where DporFrontier::shared_mask is set
};

}  // namespace mc
