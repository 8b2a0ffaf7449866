// A finding: something a model did that the kernel must never do, with what reproduces it.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <vector>

namespace mc {

enum class FindingKind : uint8_t {
  kAssertion,      // MC_ASSERT failed
  kViolation,      // a named kernel check (VM_BUG_ON_PAGE, bad page state, ...)
  kDeadlock,       // every live thread blocked, at least one on a lock or join
  kLostWakeup,     // a thread sleeps forever: nobody is left to wake it
  kDataRace,       // two unordered accesses, one a write, one not atomic
  kUseAfterFree,   // access to a model object after it was freed
  kDoubleFree,     // a model object freed twice
  kLeak,           // a model object alive at the end that the test did not expect
  kStepBound,      // too many steps in one execution: possible livelock
  kException,      // a C++ exception escaped a model thread
  kStackOverflow,  // a model thread overflowed its stack
  kSleepInAtomic,  // a sleeping operation under a spinlock or with preemption disabled
  kCrash,          // model code touched an invalid address (SIGSEGV / SIGBUS): an Oops
};

const char* kind_name(FindingKind k);
// The names of the findings the engine itself reports: every kind but kViolation (whose
// findings carry the name of the check that failed), and the checks of its own API
// ("bad unlock balance").
const std::vector<std::string>& engine_kind_names();

struct Finding {
  // "P0" (its name) or "T1" (its number).
  std::string thread_label() const {
    return !thread_name.empty() ? thread_name : "T" + std::to_string(thread);
  }
  FindingKind kind = FindingKind::kAssertion;
  std::string name;     // for kViolation: the check's name, e.g. "VM_BUG_ON_PAGE"
  std::string message;  // what happened, in the model's vocabulary
  int thread = -1;
  std::string thread_name;  // the thread's name, if its model named it ("P0", "kworker")
  // Where the model was called from, in the input that drove it (a litmus file's
  // "file:line:col"), if the driver said; `loc` is then the model's own place.
  std::string origin;
  std::source_location loc;
  std::string labels;  // label path of the thread at the finding
  // A finding with two sides (a data race's other access, a use-after-free's free): the label
  // path of that other side, when the execution kept history.
  std::string other_labels;
  // That other side's index in the execution's events, when the execution kept history (the
  // finding's own access is not among them: it failed before it was logged).
  int64_t other_event = -1;
  // How many events the execution had logged when the finding was made (with history): where
  // it happened among them. -1 without history.
  int64_t at_event = -1;
  uint64_t step = 0;  // events executed before the finding
  // The kind as users name it: the violation's name, or the finding kind.
  std::string kind_string() const {
    return kind == FindingKind::kViolation ? name : kind_name(kind);
  }
};

// A source location as a developer types it: the path from the project's top folder, and the
// line ("protocol/migrate.cc:120").
std::string source_where(const std::source_location& loc);

}  // namespace mc
