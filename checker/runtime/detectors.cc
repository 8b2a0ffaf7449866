// The findings an execution raises by itself, beside those the instrumented operations raise
// (data races, use after free: checker/api): a deadlock or a thread blocked forever, a leak at
// the end, a possible livelock, an exception or a fault escaping model code; and the rule
// that keeps what follows an oops from being reported as more findings.
#include <csignal>
#include <cstdio>

#include "checker/explore/race_tracker.h"
#include "checker/explore/trace_observer.h"
#include "checker/runtime/execution.h"

namespace mc {

Finding Execution::make_finding(FindingKind kind, std::string name, std::string message,
                                const std::source_location& loc) const {
  Finding f;
  f.kind = kind;
  f.name = std::move(name);
  f.message = std::move(message);
  f.loc = loc;
  f.step = trace_.events.size();
  if (history_) f.at_event = static_cast<int64_t>(trace_.details.size());
  if (running_ >= 0 && running_ < kMaxThreads) {
    f.thread = running_;
    f.labels = label_path(running_);
    if (threads_[running_].name) f.thread_name = threads_[running_].name;
    const ThreadState& t = threads_[running_];
    if (t.origin && t.describe_origin) f.origin = t.describe_origin(t.origin);
  }
  return f;
}

void Execution::fail(Finding f, Continuation how) {
  if (aborting_) return;
  if (draining_) {  // a pruned run reports nothing: just abandon it
    aborting_ = true;
    throw Unwind{};
  }
  const FindingKind kind = f.kind;
  const bool goes_on = how == kGoesOn || kind == FindingKind::kDataRace ||
                       kind == FindingKind::kUseAfterFree || kind == FindingKind::kDoubleFree ||
                       kind == FindingKind::kSleepInAtomic || kind == FindingKind::kLeak;
  if (keep_going_ && halted_) {  // after an oops: a consequence, not recorded
    if (goes_on) return;
    throw Unwind{};
  }
  findings_.push_back(std::move(f));
  end_ = ExecutionEnd::kFinding;
  if (keep_going_) {
    if (goes_on) return;
    halted_ = true;
    throw Unwind{};  // the thread exits; fiber_entry finishes it and the others go on
  }
  aborting_ = true;
  throw Unwind{};
}

void Execution::fail_at_end(Finding f) {
  if (keep_going_ && halted_) return;  // after an oops: a consequence (see fail)
  findings_.push_back(std::move(f));
  end_ = ExecutionEnd::kFinding;
}

void Execution::record_exception(const char* what) {
  if (aborting_) return;
  if (draining_) {
    aborting_ = true;
    return;
  }
  if (keep_going_ && halted_) return;  // after an oops: a consequence (see fail)
  findings_.push_back(
      make_finding(FindingKind::kException, "",
                   "exception escaped thread " + thread_label(running_) + ": " + what,
                   threads_[running_].pending_loc));
  end_ = ExecutionEnd::kFinding;
  if (keep_going_) {
    halted_ = true;  // the thread ends; the others go on
    return;
  }
  aborting_ = true;
}

void Execution::report_fault() {
  if (overflowed_ == kNoThread || draining_) return;  // a pruned run reports nothing
  end_ = ExecutionEnd::kFinding;
  if (keep_going_ && halted_) return;  // after an oops: a consequence (see fail)
  const ThreadState& bad = threads_[overflowed_];
  char addr[32];
  std::snprintf(addr, sizeof addr, "%p", fault_addr_);
  const std::string who = "thread " + thread_label(overflowed_);
  Finding f = fault_in_guard_
                  ? make_finding(FindingKind::kStackOverflow, "",
                                 who + " overflowed its " +
                                     std::to_string(bad.stack.usable() / 1024) + " KiB stack",
                                 bad.pending_loc)
              : fault_signal_ == SIGFPE
                  ? make_finding(FindingKind::kCrash, "",
                                 "model code in " + who +
                                     " raised an arithmetic fault (SIGFPE, an integer division "
                                     "by zero or overflow; in the kernel, a divide error Oops): "
                                     "the fault is after its last scheduling point",
                                 bad.pending_loc)
              : fault_signal_ == SIGILL
                  ? make_finding(FindingKind::kCrash, "",
                                 "model code in " + who +
                                     " executed an illegal instruction (SIGILL, a trap; in the "
                                     "kernel, an invalid opcode Oops): the fault is after its "
                                     "last scheduling point",
                                 bad.pending_loc)
                  : make_finding(FindingKind::kCrash, "",
                                 "model code in " + who + " touched an invalid address (" + addr +
                                     "; in the kernel, an Oops): the fault is after its last "
                                     "scheduling point",
                                 bad.pending_loc);
  f.thread = overflowed_;
  f.thread_name = bad.name ? bad.name : "";
  if (bad.origin && bad.describe_origin) f.origin = bad.describe_origin(bad.origin);
  findings_.push_back(std::move(f));
}

void Execution::step_bound_exceeded(ThreadId cur) {
  findings_.push_back(make_finding(
      FindingKind::kStepBound, "",
      "possible livelock: the execution did not finish within " + std::to_string(limits.max_steps) +
          " steps (raise --max-steps if it is just long)",
      cur >= 0 && cur < kMaxThreads ? threads_[cur].pending_loc : std::source_location()));
  end_ = ExecutionEnd::kFinding;
  aborting_ = true;
}

void Execution::report_stuck_threads() {
  for (int t = 0; t < threads_.count(); ++t) {
    const ThreadState& th = threads_[t];
    if (th.status != ThreadState::Status::kLive || !th.pending->obj || !th.pending->obj->id)
      continue;
    RaceTracker::unseen_writes(trace_.events, th.dpor, th.pending->obj->dpor, stuck_writes_);
    if (!stuck_writes_.empty()) observer_->on_stuck(*this, t, stuck_writes_);
  }
}

void Execution::end_with_no_runnable_thread() {
  if (observer_) {
    report_stuck_threads();
    observer_->on_trace_end(*this);
  }
  bool all_finished = true;
  bool sleeping = false;
  bool assumed = false;
  std::string msg;
  for (int t = 0; t < threads_.count(); ++t) {
    const ThreadState& th = threads_[t];
    if (th.status != ThreadState::Status::kLive) continue;
    all_finished = false;
    const PendingOp& op = *th.pending;
    if (op.kind == OpKind::kSleep || op.kind == OpKind::kAwait) sleeping = true;
    if (op.kind == OpKind::kAssume) assumed = true;
    if (!msg.empty()) msg += "; ";
    msg += thread_label(t) + " blocked in " + op_name(op.kind);
    if (op.obj) msg += " of " + op.obj->display_name();
    msg += " at " + source_where(op.loc);
    std::string labels = label_path(t);
    if (!labels.empty()) msg += " [" + labels + "]";
  }
  if (all_finished) {
    completed_ = true;
    end_ = findings_.empty() ? ExecutionEnd::kComplete : ExecutionEnd::kFinding;
    return;
  }
  if (halted_) {
    // A thread exited on a finding and others wait, most likely for it (its locks, its
    // exit): a consequence of that finding, not reported again.
    end_ = ExecutionEnd::kFinding;
    aborting_ = true;
    return;
  }
  if (assumed) {
    end_ = ExecutionEnd::kBlocked;  // an assume() failed: not complete, not a finding
    aborting_ = true;
    return;
  }
  // A sleeper nobody wakes is the cause; threads joining it or waiting for its locks follow.
  FindingKind kind = sleeping ? FindingKind::kLostWakeup : FindingKind::kDeadlock;
  std::string head = sleeping ? "thread blocked forever (nobody is left to wake it): "
                              : "deadlock: every live thread is blocked: ";
  findings_.push_back(make_finding(kind, "", head + msg, std::source_location()));
  end_ = ExecutionEnd::kFinding;
  aborting_ = true;
}

void Execution::end_checks() {
  if (halted_) return;  // after an oops: what it left allocated is a consequence (see fail)
  std::string leaked;
  for (size_t i = 0; i < heap_.size(); ++i) {
    const HeapBlock& b = heap_.block(i);
    if (b.freed || b.expected_alive) continue;
    if (!leaked.empty()) leaked += "; ";
    leaked += std::string(b.name ? b.name : b.type) + " allocated by " + thread_label(b.alloc_tid) +
              " at " + source_where(b.alloc_loc);
  }
  if (!leaked.empty()) {
    findings_.push_back(make_finding(
        FindingKind::kLeak, "", "still allocated at the end: " + leaked, std::source_location()));
    end_ = ExecutionEnd::kFinding;
  }
}

}  // namespace mc
