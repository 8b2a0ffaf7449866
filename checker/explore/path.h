// The exploration path shared by the depth-first strategies: one node per decision (which
// thread runs, or which value choose() returns), replayed from the root on every execution.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "checker/runtime/vector_clock.h"

namespace mc {

inline int lowest_thread(ThreadMask m) { return std::countr_zero(m); }
std::string thread_set(ThreadMask m);  // "{T0 T2}"

struct PathNode {
  bool is_value = false;
  uint32_t chosen = 0;       // thread id, or value
  uint32_t values = 0;       // value nodes: choose(values)
  ThreadMask enabled = 0;    // thread nodes: enabled on arrival
  ThreadMask done = 0;       // threads explored from here
  ThreadMask sleep = 0;      // sleep set on arrival
  int current = -1;          // thread that reached the decision
  uint32_t preemptions = 0;  // preemptions before this node
};

}  // namespace mc
