#include "checker/report/finding.h"

namespace mc {

const char* kind_name(FindingKind k) {
  switch (k) {
    case FindingKind::kAssertion:
      return "assertion";
    case FindingKind::kViolation:
      return "violation";
    case FindingKind::kDeadlock:
      return "deadlock";
    case FindingKind::kLostWakeup:
      return "lost-wakeup";
    case FindingKind::kDataRace:
      return "data-race";
    case FindingKind::kUseAfterFree:
      return "use-after-free";
    case FindingKind::kDoubleFree:
      return "double-free";
    case FindingKind::kLeak:
      return "leak";
    case FindingKind::kStepBound:
      return "step-bound";
    case FindingKind::kException:
      return "exception";
    case FindingKind::kStackOverflow:
      return "stack-overflow";
    case FindingKind::kCrash:
      return "crash";
    case FindingKind::kSleepInAtomic:
      return "sleep-in-atomic";
  }
  return "unknown";
}

}  // namespace mc
