// DPOR's bookkeeping as events are committed: each thread's dependency clock (happens-before
// through conflicting accesses), each object's frontier, and the earlier events that race
// with the event being committed (the race candidates the trace observer is handed). The
// execution calls it once per visible event: it is inline, as the rest of the commit path.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "checker/explore/frontier.h"
#include "checker/runtime/object.h"
#include "checker/runtime/trace.h"

namespace mc {

class RaceTracker {
 public:
  RaceTracker() : candidates_(2 * kMaxThreads + 4) {}

  // Earlier events that race with the event just recorded (valid until the next record).
  std::span<const uint32_t> candidates() const { return {candidates_.data(), n_}; }

  // Thread `p`, whose dependency clock is `clock` with its own component still `own_before`,
  // is about to record event `idx` (`kind`, `access`, `acquire`) on `obj`: its clock joins
  // the events it now follows, the object's frontier moves, and, when `observed`, the events
  // it races with are collected. Returns the object's previous write (-1: none).
  [[gnu::always_inline]] int32_t record(const std::vector<Event>& events, ThreadId p,
                                        VectorClock& clock, uint32_t own_before, ObjectBase& obj,
                                        DporShadow& os, OpKind kind, Access access, Acquire acquire,
                                        uint32_t idx, bool observed);
  // An event that touches no object races with nothing.
  void record_none() { n_ = 0; }

  // The writes to `f`'s object that a thread whose clock is `clock` has not seen, latest
  // first: a thread blocked waiting on the object might have run before any of them.
  static void unseen_writes(const std::vector<Event>& events, const VectorClock& clock,
                            const DporFrontier& f, std::vector<uint32_t>& out);

 private:
  std::vector<uint32_t> candidates_;  // sized, not filled: the first n_ are valid
  size_t n_ = 0;
};

inline int32_t RaceTracker::record(const std::vector<Event>& events, ThreadId p, VectorClock& clock,
                                   uint32_t own_before, ObjectBase& obj, DporShadow& os,
                                   OpKind kind, Access access, Acquire acquire, uint32_t idx,
                                   bool observed) {
  DporFrontier& f = obj.dpor;
  n_ = 0;
  // The helpers below are forced inline: GCC's choice for them depends on the size of the
  // whole commit path, and one left out of line costs a call per event (measured: 10% more
  // instructions in commit).
  auto known_before = [&](ThreadId tid, uint32_t seq) __attribute__((always_inline)) {
    return tid == p ? own_before >= seq : clock.at[tid] >= seq;
  };
  auto bit = [](ThreadId t) __attribute__((always_inline)) { return ThreadMask{1} << t; };
  if (observed) {
    // Only events this thread does not already know can race with it; the buffer is sized
    // once (a wait's chain of unknown writes may outgrow it, then it grows).
    auto add = [&](int32_t e) __attribute__((always_inline)) {
      if (e < 0) return;
      const Event& c = events[e];
      if (known_before(c.tid, c.seq)) return;
      if (n_ == candidates_.size()) candidates_.resize(2 * n_);
      candidates_[n_++] = static_cast<uint32_t>(e);
    };
    if (kind == OpKind::kAwait) {
      // A satisfied wait may have been satisfiable earlier: every write it does not already
      // know is a place to try it before.
      for (int32_t w = f.last_write; w >= 0; w = events[w].prev_write) {
        const Event& we = events[w];
        if (known_before(we.tid, we.seq)) break;
        add(w);
      }
    } else if (kind == OpKind::kLock || kind == OpKind::kReadLock) {
      // A blocking acquisition races with what its access conflicts with, like any event,
      // except that a release stands for the acquisition it ends: run before the release,
      // the acquirer would only block, while run before that acquisition it takes the lock
      // first. Reads of the lock's state (spin_is_locked(), a failed trylock) stay races. A
      // downgrade ends the write hold as a release does (for a reader); its read hold goes on
      // from the exclusive acquisition (for a writer, through the downgrader's read release).
      auto add_acquisition_of = [&](int32_t e) __attribute__((always_inline)) {
        if (e < 0) return;
        const Event& c = events[e];
        if (known_before(c.tid, c.seq)) return;
        if (c.kind == OpKind::kUnlock || c.kind == OpKind::kDowngrade)
          add(f.last_exclusive);
        else if (c.kind == OpKind::kReadUnlock)
          add((f.shared_mask & bit(c.tid)) ? os.shared[c.tid] : -1);
        else
          add(e);
      };
      if (access == Access::kWrite && f.read_mask) {
        for (ThreadMask m = f.read_mask; m; m &= m - 1)
          add_acquisition_of(os.last_read[std::countr_zero(m)]);
      } else {
        add_acquisition_of(f.last_write);
      }
    } else if (access != Access::kNone) {
      // Trylocks too: run before a release, a trylock fails instead of blocking.
      if (access == Access::kWrite && f.read_mask) {
        for (ThreadMask m = f.read_mask; m; m &= m - 1) add(os.last_read[std::countr_zero(m)]);
      } else {
        add(f.last_write);
      }
    }
    // Keep real races: drop a candidate ordered before this event through another one.
    if (n_ > 1 && kind != OpKind::kAwait) {
      uint32_t* cand = candidates_.data();
      size_t n = 0;
      for (size_t i = 0; i < n_; ++i) {
        const Event& c = events[cand[i]];
        bool covered = false;
        for (size_t j = 0; j < n_ && !covered; ++j)
          covered = cand[j] != cand[i] && knows(events[cand[j]].clock, c.tid, c.seq);
        if (!covered) cand[n++] = cand[i];
      }
      n_ = n;
    }
  }

  // A read follows the last write; a write follows it and every read since. Their clocks are
  // in the trace, and a clock this thread already knows the event of adds nothing.
  auto follow = [&](int32_t i) __attribute__((always_inline)) {
    if (i < 0) return;
    const Event& w = events[i];
    if (!known_before(w.tid, w.seq)) clock.join(w.clock);
  };
  int32_t prev_write = -1;
  if (access == Access::kRead) {
    follow(f.last_write);
    os.last_read[p] = static_cast<int32_t>(idx);
    f.read_mask |= bit(p);
  } else if (access == Access::kWrite) {
    follow(f.last_write);
    for (ThreadMask m = f.read_mask & ~bit(p); m; m &= m - 1)
      follow(os.last_read[std::countr_zero(m)]);
    f.read_mask = 0;
    prev_write = f.last_write;
    f.last_write = static_cast<int32_t>(idx);
  }
  if (acquire == Acquire::kExclusive) {
    f.last_exclusive = static_cast<int32_t>(idx);
    f.shared_mask = 0;
  } else if (acquire == Acquire::kShared) {
    os.shared[p] = static_cast<int32_t>(idx);
    f.shared_mask |= bit(p);
  } else if (kind == OpKind::kDowngrade) {
    os.shared[p] = f.last_exclusive;  // the read hold the write hold became
    f.shared_mask |= bit(p);
  }
  return prev_write;
}

}  // namespace mc
