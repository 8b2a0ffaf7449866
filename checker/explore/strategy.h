// The one interface every exploration strategy implements, in the shape of a scheduler: start
// an execution, pick the next thread, pick a value. A strategy is an oracle over the
// exploration path: DPOR keeps its wakeup trees and sleep sets along that path, replay reads a
// recorded one. A strategy that learns from the events it scheduled (only DPOR does) also
// offers a trace observer (trace_observer.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "checker/runtime/trace.h"

namespace mc {

class TraceObserver;

// What a strategy is, for reports and verdicts.
struct StrategyInfo {
  std::string name;         // "dpor", "dfs", "bounded", "random", "pct", "replay"
  std::string description;  // one line on what it guarantees ("exhaustive, optimal DPOR ...")
  bool exhaustive = false;  // running out of executions means every behaviour was seen
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual StrategyInfo info() const = 0;
  // Called before each execution; false when nothing is left to explore.
  virtual bool begin_execution() = 0;
  // Which of the `enabled` threads runs its pending operation next. `current` is the thread
  // that reached the scheduling point (it may have finished). kNoThread stops the execution
  // as pruned.
  virtual ThreadId pick_thread(ThreadMask enabled, ThreadId current) = 0;
  // A value in [0, n) for choose(n), n >= 2.
  virtual uint32_t pick_value(uint32_t n) = 0;
  // After each execution, with how it ended and the decisions it made.
  virtual void end_execution(ExecutionEnd how, std::span<const Decision> decisions) {
    (void)how;
    (void)decisions;
  }
  // Non-empty when the strategy could not do what it was asked (replay divergence, a model
  // that is not deterministic); the run stops there.
  virtual std::string error() const { return {}; }
  // The strategy whose pick_thread() and pick_value() the execution calls: this one, unless it
  // only watches whole executions and leaves every decision to a strategy it wraps (the
  // determinism check), which then decides without a call through the wrapper.
  virtual Strategy& decider() { return *this; }
  // The fraction of its search done, estimated from where it stands (a depth-first search:
  // the branches finished and known at each decision of its path); -1 when it cannot tell.
  virtual double progress() const { return -1; }
  // The observer of the executions' traces, or null (the strategy needs no events: then the
  // execution collects no race candidates at all).
  virtual TraceObserver* observer() { return nullptr; }
};

}  // namespace mc
