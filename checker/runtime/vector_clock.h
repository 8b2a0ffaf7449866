// Small fixed-size vector clocks: one slot per model thread, no allocation.
//
// The storage has kMaxThreads slots, but a run works on kNarrowThreads of them unless it asked
// for more threads (ClockWidth): every operation is then on 16 components, behind one
// predictable branch. The width is fixed for a whole exploration, so the slots past it are
// never read. What the 32-slot storage still costs a small program is in docs/performance.md.
#pragma once

#include <cstdint>
#include <cstring>

#include "checker/runtime/thread_id.h"

namespace mc {

namespace detail {
// This OS thread's exploration uses kMaxThreads clock components (set by the explorer).
inline thread_local bool t_wide_clocks = false;
}  // namespace detail

// The number of threads the running exploration allows.
inline int thread_limit() { return detail::t_wide_clocks ? kMaxThreads : kNarrowThreads; }

// For the lifetime of an exploration (made before its Execution): its clock width.
class ClockWidth {
 public:
  explicit ClockWidth(int max_threads) : saved_(detail::t_wide_clocks) {
    detail::t_wide_clocks = max_threads > kNarrowThreads;
  }
  ~ClockWidth() { detail::t_wide_clocks = saved_; }
  ClockWidth(const ClockWidth&) = delete;
  ClockWidth& operator=(const ClockWidth&) = delete;

 private:
  bool saved_;
};

struct VectorClock {
  uint32_t at[kMaxThreads];

  VectorClock() { clear(); }  // the slots past the run's width stay unset: never read
  // For slots that are written before they are read (the event trace): no zeroing.
  struct Uninitialised {};
  explicit VectorClock(Uninitialised) {}
  VectorClock(const VectorClock& o) { assign(o); }
  VectorClock& operator=(const VectorClock& o) {
    assign(o);
    return *this;
  }

  void clear() {
    if (detail::t_wide_clocks) [[unlikely]]
      std::memset(at, 0, sizeof at);
    else
      std::memset(at, 0, kNarrowThreads * sizeof at[0]);
  }
  void join(const VectorClock& o) {
    if (detail::t_wide_clocks) [[unlikely]]
      join_n<kMaxThreads>(o);
    else
      join_n<kNarrowThreads>(o);
  }
  bool is_zero() const {
    return detail::t_wide_clocks ? is_zero_n<kMaxThreads>() : is_zero_n<kNarrowThreads>();
  }
  // True when every component is <= the other's: "this happened before (or is) o".
  bool leq(const VectorClock& o) const {
    return detail::t_wide_clocks ? leq_n<kMaxThreads>(o) : leq_n<kNarrowThreads>(o);
  }

 private:
  void assign(const VectorClock& o) {
    if (detail::t_wide_clocks) [[unlikely]]
      std::memcpy(at, o.at, sizeof at);
    else
      std::memcpy(at, o.at, kNarrowThreads * sizeof at[0]);
  }
  template <int N>
  void join_n(const VectorClock& o) {
    for (int i = 0; i < N; ++i) at[i] = at[i] > o.at[i] ? at[i] : o.at[i];
  }
  template <int N>
  bool is_zero_n() const {
    uint32_t any = 0;
    for (int i = 0; i < N; ++i) any |= at[i];
    return any == 0;
  }
  template <int N>
  bool leq_n(const VectorClock& o) const {
    for (int i = 0; i < N; ++i)
      if (at[i] > o.at[i]) return false;
    return true;
  }
};

// An event of thread `tid` with its own sequence number `seq` is known to `c`.
inline bool knows(const VectorClock& c, ThreadId tid, uint32_t seq) { return c.at[tid] >= seq; }

}  // namespace mc
