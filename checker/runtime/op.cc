#include "checker/runtime/op.h"

namespace mc {

const char* op_name(OpKind k) {
  switch (k) {
    case OpKind::kLoad:
      return "load";
    case OpKind::kStore:
      return "store";
    case OpKind::kRmw:
      return "rmw";
    case OpKind::kCasFail:
      return "cas (failed)";
    case OpKind::kFence:
      return "fence";
    case OpKind::kLock:
      return "lock";
    case OpKind::kTryLock:
      return "trylock";
    case OpKind::kTryLockFail:
      return "trylock (failed)";
    case OpKind::kUnlock:
      return "unlock";
    case OpKind::kReadLock:
      return "read_lock";
    case OpKind::kTryReadLock:
      return "read_trylock";
    case OpKind::kReadUnlock:
      return "read_unlock";
    case OpKind::kDowngrade:
      return "downgrade_write";
    case OpKind::kAwait:
      return "await";
    case OpKind::kPrepareWait:
      return "prepare_to_wait";
    case OpKind::kSleep:
      return "sleep";
    case OpKind::kWake:
      return "wake";
    case OpKind::kJoin:
      return "join";
    case OpKind::kSpawn:
      return "spawn";
    case OpKind::kChoose:
      return "choose";
    case OpKind::kPlainRead:
      return "read";
    case OpKind::kPlainWrite:
      return "write";
    case OpKind::kNonatomicRead:
      return "read (non-atomic)";
    case OpKind::kNonatomicWrite:
      return "write (non-atomic)";
    case OpKind::kAlloc:
      return "alloc";
    case OpKind::kFree:
      return "free";
    case OpKind::kThreadEnd:
      return "exit";
    case OpKind::kAssume:
      return "assume (failed)";
  }
  return "?";
}

}  // namespace mc
