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
void check_race(Execution& ex, ObjectBase& o, bool write, bool atomic, uint32_t epoch,
                const std::source_location& loc);
void acquire(Execution& ex, ObjectBase& o, std::memory_order mo);
void release(Execution& ex, ObjectBase& o, std::memory_order mo, bool rmw);
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
