// Shared steps of every instrumented operation: lifetime checks, data-race shadow, and the
// synchronisation (release/acquire) clocks.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>

#include "checker/runtime/execution.h"
#include "checker/runtime/object.h"

namespace mc::detail {

inline bool is_acquire(std::memory_order mo) {
  return mo == std::memory_order_acquire || mo == std::memory_order_acq_rel ||
         mo == std::memory_order_seq_cst || mo == std::memory_order_consume;
}
inline bool is_release(std::memory_order mo) {
  return mo == std::memory_order_release || mo == std::memory_order_acq_rel ||
         mo == std::memory_order_seq_cst;
}

// True when the caller must perform the operation without the checker: outside an execution,
// on an object made outside one, or while the execution is being abandoned.
inline Execution* checked(const ObjectBase& o) {
  Execution* ex = Execution::current();
  if (!ex || !o.id || ex->aborting()) return nullptr;
  return ex;
}

// Use after free of the block the object lives in; records the access for the free check.
void check_block_lifetime(Execution& ex, ObjectBase& o, bool write,
                          const std::source_location& loc);
// Most objects live outside the model heap: nothing to check, and no call.
inline void check_lifetime(Execution& ex, ObjectBase& o, bool write,
                           const std::source_location& loc) {
  if (o.owner) check_block_lifetime(ex, o, write, loc);
}
// Data race between this access and earlier unordered ones (at least one non-atomic).
void check_race_shadow(Execution& ex, ObjectBase& o, bool write, bool atomic, uint32_t epoch,
                       const std::source_location& loc);
// The race shadow keeps the last write and the reads since it, one per thread.
inline void remember_access(Execution& ex, ObjectBase& o, const AccessRecord& r) {
  ObjectShadow& os = ex.shadow(o);
  if (r.write) {
    os.shadow_write = r;
    o.has_shadow_write = true;
    o.shadow_read_mask = 0;
  } else {
    os.shadow_reads[r.tid] = r;
    o.shadow_read_mask |= ObjectThreadMask{1} << r.tid;
  }
}

inline void check_race(Execution& ex, ObjectBase& o, bool write, bool atomic, uint32_t epoch,
                       const std::source_location& loc) {
  if (atomic && !o.plain_accessed && !ex.history() && !ex.draining()) {
    // Atomic accesses race only with plain ones, and this object has had none: record the
    // access for a later plain one to check against, and nothing else.
    remember_access(ex, o, AccessRecord{epoch, ex.self(), write, true, -1, loc});
    return;
  }
  check_race_shadow(ex, o, write, atomic, epoch, loc);
}

inline void acquire(Execution& ex, ObjectBase& o, std::memory_order mo) {
  if (!o.released) return;  // nothing released yet: the release clock is zero
  ThreadState& t = ex.thread(ex.self());
  const VectorClock& r = ex.shadow(o).release_clock;
  if (is_acquire(mo))
    t.sync.join(r);
  else
    t.fence_acquire.join(r);
}

inline void release(Execution& ex, ObjectBase& o, std::memory_order mo, bool rmw) {
  ThreadState& t = ex.thread(ex.self());
  const VectorClock& c = is_release(mo) ? t.sync : t.fence_release;
  VectorClock& r = ex.shadow(o).release_clock;
  if (rmw && o.released)
    r.join(c);  // an RMW continues the release sequence it reads from
  else
    r = c;
  o.released = true;
}

// Whether a release of `c` by an update would change the object's release clock.
inline bool release_adds(const Execution& ex, const ObjectBase& o, const VectorClock& c) {
  return o.released ? !c.leq(ex.shadow(o).release_clock) : !c.is_zero();
}
void fence(Execution& ex, std::memory_order mo, const std::source_location& loc);
// A sleeping operation must not run in atomic context.
void might_sleep(Execution& ex, const char* what, const std::source_location& loc);

template <typename T>
uint64_t to_bits(T v) {
  if constexpr (std::is_pointer_v<T>)
    return reinterpret_cast<uintptr_t>(v);
  else
    return static_cast<uint64_t>(v);
}

}  // namespace mc::detail
