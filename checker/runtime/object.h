// State every instrumented object carries: its identity, the frontier of accesses that DPOR
// races against, the release clock for synchronisation, and the shadow for data races.
#pragma once

#include <cstdint>
#include <new>
#include <source_location>
#include <string>

#include "checker/runtime/vector_clock.h"

namespace mc {

struct HeapBlock;

// One remembered access, for data-race reports.
struct AccessRecord {
  uint32_t epoch = 0;  // 0: none
  ThreadId tid = -1;
  bool write = false;
  bool atomic = false;
  int32_t detail = -1;  // index into the execution's event details (history mode)
  std::source_location loc;
};

struct ObjectBase {
  ObjectBase(const char* name, const char* kind);
  ObjectBase(const ObjectBase&) = delete;
  ObjectBase& operator=(const ObjectBase&) = delete;

  uint32_t id = 0;             // 0: created outside an execution (not instrumented)
  const char* name;            // may be null: "kind#id" is printed
  const char* kind;            // "atomic", "mutex", "plain", ...
  HeapBlock* owner = nullptr;  // the model heap block holding this object, if any
  // Formats a value of this object for traces (e.g. page flags decoded); may be null.
  std::string (*format)(uint64_t) = nullptr;

  // What the constructor sets comes first, so that making an object touches few cache lines
  // (a model may make a hundred per execution); the per-thread arrays, set before they are
  // read, come last.

  // DPOR frontier.
  int32_t last_write = -1;
  ThreadMask read_mask = 0;
  int32_t last_exclusive = -1;
  ThreadMask shared_mask = 0;
  // Data-race shadow (FastTrack style: last write, reads since it).
  ThreadMask shadow_read_mask = 0;
  bool plain_accessed = false;  // some non-atomic access was checked: atomic ones can race
  AccessRecord shadow_write;

  // Synchronisation: the clock a later acquire of this object joins.
  VectorClock release_clock;

  int32_t last_read[kMaxThreads];  // valid where read_mask is set (not zeroed: objects are hot)
  int32_t shared[kMaxThreads];     // valid where shared_mask is set
  // Valid where shadow_read_mask is set; raw storage so that constructing an object does not
  // initialise sixteen records it may never use.
  alignas(AccessRecord) unsigned char shadow_reads_raw[kMaxThreads * sizeof(AccessRecord)];
  const AccessRecord& shadow_read(int t) const {
    return *std::launder(reinterpret_cast<const AccessRecord*>(shadow_reads_raw) + t);
  }
  void set_shadow_read(int t, const AccessRecord& r) {
    new (shadow_reads_raw + t * sizeof(AccessRecord)) AccessRecord(r);
  }

  std::string display_name() const;
  std::string format_value(uint64_t v) const;
};

}  // namespace mc
