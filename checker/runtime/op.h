// Operations: what a model thread does at a scheduling point (a pending operation, read for
// enabledness and sleep-set independence) and the kinds of event it records.
#pragma once

#include <cstdint>
#include <source_location>

#include "checker/runtime/thread_id.h"

namespace mc {

struct ObjectBase;

enum class OpKind : uint8_t {
  kLoad,
  kStore,
  kRmw,
  kCasFail,
  kFence,
  kLock,
  kTryLock,
  kTryLockFail,
  kUnlock,
  kReadLock,
  kTryReadLock,
  kReadUnlock,
  kDowngrade,
  kAwait,
  kPrepareWait,
  kSleep,
  kWake,
  kJoin,
  kSpawn,
  kChoose,
  kPlainRead,
  kPlainWrite,
  kNonatomicRead,
  kNonatomicWrite,
  kAlloc,
  kFree,
  kThreadEnd,
  kAssume,
};
const char* op_name(OpKind k);

// How an event touches its object, for the dependency relation: two events are dependent
// when they touch the same object and at least one writes it.
enum class Access : uint8_t { kNone, kRead, kWrite };
// Lock acquisitions race with earlier acquisitions rather than with the release, because
// reversing an acquisition with a release only reaches a state where the acquirer is blocked.
enum class Acquire : uint8_t { kNone, kExclusive, kShared };

// What a thread is about to do: enough for enabledness and for sleep-set independence.
struct PendingOp {
  OpKind kind = OpKind::kLoad;
  Access access = Access::kNone;
  const ObjectBase* obj = nullptr;
  bool (*ready)(const void* arg, ThreadId self) = nullptr;  // null: always enabled
  const void* arg = nullptr;
  std::source_location loc;
  // For operations whose access depends on the state (a compare-and-swap or trylock that
  // would fail only reads): says, from the current state, whether it would write.
  bool (*would_write)(const void* arg) = nullptr;
  const void* predict_arg = nullptr;

  Access access_now() const {
    if (access == Access::kWrite && would_write && !would_write(predict_arg)) return Access::kRead;
    return access;
  }
};

inline constexpr PendingOp kNoOperation{};

}  // namespace mc
