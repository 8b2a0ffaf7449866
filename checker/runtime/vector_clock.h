// Small fixed-size vector clocks: one slot per model thread, no allocation.
#pragma once

#include <cstdint>

#include "checker/runtime/thread_id.h"

namespace mc {

struct VectorClock {
  uint32_t at[kMaxThreads] = {};

  VectorClock() = default;
  // For slots that are written before they are read (the event trace): no zeroing.
  struct Uninitialised {};
  explicit VectorClock(Uninitialised) {}

  void clear() {
    for (auto& v : at) v = 0;
  }
  void join(const VectorClock& o) {
    for (int i = 0; i < kMaxThreads; ++i) at[i] = at[i] > o.at[i] ? at[i] : o.at[i];
  }
  bool is_zero() const {
    uint32_t any = 0;
    for (uint32_t v : at) any |= v;
    return any == 0;
  }
  // True when every component is <= the other's: "this happened before (or is) o".
  bool leq(const VectorClock& o) const {
    for (int i = 0; i < kMaxThreads; ++i)
      if (at[i] > o.at[i]) return false;
    return true;
  }
};

// An event of thread `tid` with its own sequence number `seq` is known to `c`.
inline bool knows(const VectorClock& c, ThreadId tid, uint32_t seq) { return c.at[tid] >= seq; }

}  // namespace mc
