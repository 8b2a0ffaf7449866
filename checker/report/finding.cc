#include "checker/report/finding.h"

namespace mc {

const std::vector<std::string>& engine_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (int k = 0; k <= static_cast<int>(FindingKind::kCrash); ++k)
      if (static_cast<FindingKind>(k) != FindingKind::kViolation)
        v.push_back(kind_name(static_cast<FindingKind>(k)));
    v.push_back("bad unlock balance");  // api/sync.cc
    return v;
  }();
  return names;
}

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

std::string source_where(const std::source_location& loc) {
  std::string f = loc.file_name();
  // Paths are printed relative to the project, as a developer would type them.
  for (const char* top :
       {"/protocol/", "/checker/", "/litmus/", "/traces/", "/tests/", "/bench/"}) {
    auto p = f.rfind(top);
    if (p != std::string::npos) {
      f = f.substr(p + 1);
      break;
    }
  }
  return f + ":" + std::to_string(loc.line());
}

}  // namespace mc
