// What a strategy that learns from the trace implements besides the Strategy interface (only
// DPOR does): the execution calls it for the events it asks for, with the events that race
// with each, and when the trace is final.
#pragma once

#include <cstdint>
#include <span>

#include "checker/runtime/trace.h"

namespace mc {

class Execution;

class TraceObserver {
 public:
  virtual ~TraceObserver() = default;
  // The first decision whose events are observed (asked once per execution, after
  // begin_execution): on_event is called, and race candidates collected, only for events
  // scheduled there or later. DPOR observes only the new part of the path (the replayed
  // prefix is the previous execution's, already analysed).
  virtual uint32_t observe_from() const = 0;
  // After each observed visible event; `races` are the earlier events that race with it.
  virtual void on_event(const Execution& ex, uint32_t event, std::span<const uint32_t> races) = 0;
  // The execution ended with `thread` blocked on its pending operation; `candidates` are the
  // writes to the awaited object that it has not seen. Running it before one of them may have
  // unblocked it, so DPOR treats the pending operation as an event racing with them.
  virtual void on_stuck(const Execution& ex, ThreadId thread,
                        std::span<const uint32_t> candidates) = 0;
  // The trace is final (every thread finished, blocked, or the strategy stopped it), and the
  // threads' pending operations are still readable. DPOR analyses the execution's races here.
  virtual void on_trace_end(const Execution& ex) = 0;
};

}  // namespace mc
