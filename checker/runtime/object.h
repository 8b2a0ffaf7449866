// State every instrumented object carries: its identity, DPOR's frontier (explore/frontier.h)
// and the data-race detector's summary; its per-thread records and release clock in an
// ObjectShadow that the execution keeps by object id.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>

#include "checker/explore/frontier.h"
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

// What an object keeps per thread, and its release clock: large (about 800 bytes), so it is
// not in the object but in the execution's table, by object id, reused from one execution to
// the next. Each part is read only where the object's masks and flags say it was set in this
// execution, so nothing is cleared between executions.
struct ObjectShadow {
  DporShadow dpor;
  VectorClock release_clock;               // where ObjectBase::released
  AccessRecord shadow_write;               // where ObjectBase::has_shadow_write
  AccessRecord shadow_reads[kMaxThreads];  // where ObjectBase::shadow_read_mask is set
  // The thread that made the object (-1: the host, before any thread ran). Ids are handed out
  // in the order objects are made, which differs between equivalent executions when two
  // threads allocate; the maker and its own count of objects do not.
  ThreadId maker;
};

// An instrumented object: small, so that a model with many objects (a hundred per execution
// is common) keeps them in a few cache lines; what it keeps per thread is in ObjectShadow.
struct ObjectBase {
  ObjectBase(const char* name, const char* kind);
  ObjectBase(const ObjectBase&) = delete;
  ObjectBase& operator=(const ObjectBase&) = delete;

  uint32_t id = 0;  // 0: created outside an execution (not instrumented)

  DporFrontier dpor;
  // Data-race shadow (FastTrack style: last write, reads since it).
  ObjectThreadMask shadow_read_mask = 0;
  bool has_shadow_write = false;
  bool plain_accessed = false;  // some non-atomic access was checked: atomic ones can race
  // Synchronisation: a release made the release clock, which a later acquire joins.
  bool released = false;

  const char* name;            // may be null: "kind#id" is printed
  const char* kind;            // "atomic", "mutex", "plain", ...
  HeapBlock* owner = nullptr;  // the model heap block holding this object, if any
  // Formats a value of this object for traces (e.g. page flags decoded); may be null.
  std::string (*format)(uint64_t) = nullptr;

  std::string display_name() const;
  std::string format_value(uint64_t v) const;
};

// A word as traces print it without a format of its own: an address as what it points at
// (Execution::name_of) or in hex, a small number in decimal.
std::string format_word(uint64_t v);

}  // namespace mc
