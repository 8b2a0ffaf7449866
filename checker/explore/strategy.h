// The one interface every exploration strategy implements. A strategy is an oracle over the
// exploration path: the runtime asks it which thread runs next and which value choose()
// returns; DFS keeps its wakeup trees and sleep sets along that path, replay reads a recorded one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checker/runtime/execution.h"

namespace mc {

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Short name for reports: "dpor", "dfs", "bounded", "random", "pct", "replay".
  virtual std::string name() const = 0;
  // One line on what it guarantees, for the output ("exhaustive, optimal DPOR ...").
  virtual std::string describe() const { return name(); }
  // Called before each execution; false when nothing is left to explore.
  virtual bool begin_execution() = 0;
  // Which of the `enabled` threads runs its pending operation next. `current` is the thread
  // that reached the scheduling point (it may have finished). kNoThread stops the execution
  // as pruned.
  virtual ThreadId pick_thread(const Execution& ex, ThreadMask enabled, ThreadId current) = 0;
  // A value in [0, n) for choose(n).
  virtual uint32_t pick_value(const Execution& ex, uint32_t n) = 0;
  // The first decision whose events the strategy observes (asked once per execution, after
  // begin_execution): on_event is called, and race candidates collected, only for events
  // scheduled there or later. DPOR observes only the new part of the path (the replayed
  // prefix is the previous execution's, already analysed); a strategy that needs no events
  // returns kObserveNothing. Pure, so that a wrapper cannot forget to forward it.
  virtual uint32_t observe_from() const = 0;
  static constexpr uint32_t kObserveNothing = ~uint32_t{0};
  // After each observed visible event (DPOR reads the trace and the race candidates here).
  virtual void on_event(const Execution& ex, uint32_t event) {
    (void)ex;
    (void)event;
  }
  // The execution ended with `thread` blocked on its pending operation; `candidates` are the
  // writes to the awaited object that it has not seen. Running it before one of them may have
  // unblocked it, so DPOR treats the pending operation as an event racing with them.
  virtual void on_stuck(const Execution& ex, ThreadId thread,
                        const std::vector<uint32_t>& candidates) {
    (void)ex;
    (void)thread;
    (void)candidates;
  }
  // The trace is final (every thread finished, blocked, or the strategy stopped it), and the
  // threads' pending operations are still readable. DPOR analyses the execution's races here.
  virtual void on_trace_end(const Execution& ex) { (void)ex; }
  virtual void end_execution(const Execution& ex, ExecutionEnd how) {
    (void)ex;
    (void)how;
  }
  // True when running out of executions means every behaviour was seen.
  virtual bool exhaustive() const { return false; }
  // Non-empty when the strategy could not do what it was asked (replay divergence).
  virtual std::string error() const { return {}; }
};

}  // namespace mc
