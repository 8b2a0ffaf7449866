// The trace of one execution: its decisions (the schedule a replay follows), the record DPOR
// and the detectors keep of each visible event, and, when a counterexample is re-run with
// history, what the report prints of every event.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <string>
#include <vector>

#include "checker/runtime/op.h"
#include "checker/runtime/vector_clock.h"

namespace mc {

inline constexpr ThreadId kNoThread = -1;

// One decision of the path: which thread runs next, or which value choose() returned. The
// question it answered is kept beside it (for the determinism check), but is not part of the
// schedule that a replay follows.
struct Decision {
  enum Kind : uint8_t { kThread, kValue } kind;
  uint32_t value;      // kRefused: the strategy cut the execution here
  uint64_t asked = 0;  // the threads enabled (a ThreadMask), or the number of values
  static constexpr uint32_t kRefused = ~uint32_t{0};
  bool operator==(const Decision& o) const { return kind == o.kind && value == o.value; }
};

// The record of each visible event (no strings, no allocation).
struct Event {
  Event() : clock(VectorClock::Uninitialised{}) {}  // appended per event: set, not zeroed
  ThreadId tid;
  OpKind kind;
  Access access;
  uint32_t obj;        // object id, 0 = none
  uint32_t seq;        // the thread's own sequence number of this event
  uint32_t node;       // index of the decision that scheduled it
  int32_t prev_write;  // previous write event to the same object, -1 if none
  VectorClock clock;   // dependency clock after the event (DPOR's happens-before)
};

// What the report needs of an event; filled only when re-running a counterexample.
struct EventDetail {
  uint32_t step;
  ThreadId tid;
  OpKind kind;
  bool visible;  // a scheduling point (plain accesses are logged but are not)
  uint32_t obj;
  std::string object;  // name of the object
  std::string value;   // value read / written, formatted by the object
  std::memory_order order;
  bool has_order;
  std::source_location loc;
  std::string labels;  // "zs_page_migrate > trypin_tag"
  std::string origin;  // where the driving input was (a litmus statement), if it said
};

enum class ExecutionEnd : uint8_t {
  kComplete,  // every thread finished
  kBlocked,   // an assume() failed: not a complete execution, not a finding
  kPruned,    // the strategy cut it (sleep-set blocked, or nothing left to replay)
  kFinding,   // stopped at a finding
};

// A named value of the final state, recorded by mc::observe (an outcome is the set of them).
struct ObservedValue {
  const char* name;
  int64_t value;
};

// An execution's trace; the vectors keep their capacity from one execution to the next.
struct Trace {
  std::vector<Decision> schedule;
  std::vector<Event> events;
  std::vector<EventDetail> details;  // history mode only
  std::vector<ObservedValue> observations;

  Trace() {
    events.reserve(1024);
    schedule.reserve(1024);
  }
  void clear() {
    schedule.clear();
    events.clear();
    details.clear();
    observations.clear();
  }
  // The decision being followed (that scheduled the latest event).
  uint32_t current_node() const {
    return schedule.empty() ? 0 : static_cast<uint32_t>(schedule.size() - 1);
  }
  // Records a final-state value; a name observed again takes the new value.
  void observe(const char* name, int64_t value);
};

}  // namespace mc
