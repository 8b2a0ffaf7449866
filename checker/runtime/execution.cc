#include "checker/runtime/execution.h"

#include <signal.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "checker/explore/strategy.h"
#include "checker/runtime/heap.h"
#include "checker/runtime/invariant.h"
#include "checker/runtime/object.h"
#include "checker/runtime/sanitizer.h"

namespace mc {

namespace {

inline ThreadMask bit(ThreadId t) { return ThreadMask{1} << t; }

#ifdef MC_ASAN
inline void san_start(void** fake, const void* bottom, size_t size) {
  __sanitizer_start_switch_fiber(fake, bottom, size);
}
inline void san_finish(void* fake, const void** old_bottom, size_t* old_size) {
  __sanitizer_finish_switch_fiber(fake, old_bottom, old_size);
}
#else
inline void san_start(void**, const void*, size_t) {}
inline void san_finish(void*, const void**, size_t*) {}
#endif

std::string where(const std::source_location& loc) {
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

#ifndef MC_ASAN
// A model thread's stack overflow faults in the guard page, and model code that follows a bad
// pointer faults elsewhere; the handler runs on an alternate stack and jumps back to the host,
// which reports either as a finding (the kernel would Oops) and abandons the execution. A
// fault outside model threads is the checker's own and ends the process. (Under
// AddressSanitizer its own handler reports faults instead.)
void on_segv(int sig, siginfo_t* info, void* uctx) {
  (void)uctx;
  Execution* ex = Execution::current();
  if (ex && ex->overflow_in_progress(info->si_addr)) siglongjmp(ex->host_jump(), 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

void install_overflow_handler() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
  sigaction(SIGBUS, &sa, nullptr);
}
#endif

}  // namespace

std::string source_where(const std::source_location& loc) { return where(loc); }

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

Execution::Execution() : stacks_(shared_stack_pool()) {
  events_.reserve(1024);
  schedule_.reserve(1024);
  race_candidates_.resize(2 * kMaxThreads + 4);
#ifndef MC_ASAN
  // An alternate signal stack so the overflow handler can run when a fiber stack is full.
  const size_t alt = 64 * 1024;
  alt_stack_ = std::malloc(alt);
  stack_t ss;
  ss.ss_sp = alt_stack_;
  ss.ss_size = alt;
  ss.ss_flags = 0;
  sigaltstack(&ss, nullptr);
  install_overflow_handler();
#endif
}

Execution::~Execution() {
  reset();
  for (ThreadState& t : threads_)
    if (t.stack.base) stacks_.release(t.stack);
#ifndef MC_ASAN
  stack_t ss;
  std::memset(&ss, 0, sizeof ss);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  std::free(alt_stack_);
#endif
}

bool Execution::overflow_in_progress(const void* fault_addr) {
  if (running_ == kNoThread || running_ == kHost) return false;
  overflowed_ = running_;
  fault_in_guard_ = threads_[running_].stack.guard_contains(fault_addr);
  fault_addr_ = fault_addr;
  return true;
}

void Execution::reset() {
  // Only what spawn() does not set again is cleared: a whole-state assignment (about 600
  // bytes per thread) was a tenth of a small program's cost.
  for (int t = 0; t < thread_count_; ++t) {
    ThreadState& th = threads_[t];
    // The stack stays with the slot: the next execution's thread of this number reuses it.
    th.context = nullptr;
    th.body.reset();
    th.status = ThreadState::Status::kUnused;
    th.pending = &kNoOperation;
    th.seq = 0;
    th.fence_acquire.clear();
    th.atomic_depth = 0;
    th.woken = false;
    th.starting = false;
    th.parent = -1;
    th.label_depth = 0;
  }
  thread_count_ = 0;
  started_ = 0;
  gated_ = 0;
  for (size_t i = 0; i < nblocks_; ++i)
    if (blocks_[i]->destroy) blocks_[i]->destroy(blocks_[i]->ptr);
  nblocks_ = 0;
  arena_.rewind();
  events_.clear();
  details_.clear();
  schedule_.clear();
  findings_.clear();
  observations_.clear();
  ncand_ = 0;
  next_object_id_ = 1;
  preemptions_ = 0;
  aborting_ = false;
  draining_ = false;
  drained_steps_ = 0;
  halted_ = false;
  completed_ = false;
  end_ = ExecutionEnd::kComplete;
  running_ = kNoThread;
  overflowed_ = kNoThread;
  constructing_ = nullptr;
}

ExecutionEnd Execution::run(const std::function<void()>& body, Strategy& strategy, bool history) {
  reset();
  strategy_ = &strategy;
  observe_from_ = strategy.observe_from();
  history_ = history;
  Execution* outer = current_;
  current_ = this;

  ThreadState& t0 = threads_[0];
  t0.dpor.clear();
  t0.sync.clear();
  t0.fence_release.clear();
  t0.body = InlineFunction<96>([&body] { body(); });
  t0.status = ThreadState::Status::kLive;
  started_ = bit(0);
  give_stack(t0);
  t0.context = ctx::make_fcontext(t0.stack.coloured_top(0), t0.stack.coloured_usable(0),
                                  &Execution::fiber_entry);
  thread_count_ = 1;

  if (sigsetjmp(host_jump_, 0) == 0) {
    running_ = 0;
    switch_from_ = kHost;
    void* fake = nullptr;
    san_start(&fake, t0.stack.base + (t0.stack.size - t0.stack.usable()), t0.stack.usable());
    ctx::transfer_t back = ctx::jump_fcontext(t0.context, this);
    san_finish(fake, nullptr, nullptr);
    context_of(switch_from_) = back.fctx;
  } else {
    // Back from the overflow handler: the overflowing fiber is abandoned where it stood. The
    // jump skipped the handler's return, so the signal is still blocked: unblock it.
    sigset_t segv;
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    sigaddset(&segv, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &segv, nullptr);
    ThreadState& bad = threads_[overflowed_];
    bad.status = ThreadState::Status::kFinished;
    started_ &= ~bit(overflowed_);
  }
  if (draining_) {
    // A pruned run that overflowed while draining reports nothing.
  } else if (overflowed_ != kNoThread && keep_going_ && halted_) {
    end_ = ExecutionEnd::kFinding;  // after an oops: a consequence (see fail)
  } else if (overflowed_ != kNoThread) {
    ThreadState& bad = threads_[overflowed_];
    char addr[32];
    std::snprintf(addr, sizeof addr, "%p", fault_addr_);
    Finding f = fault_in_guard_
                    ? make_finding(FindingKind::kStackOverflow, "",
                                   "thread T" + std::to_string(overflowed_) + " overflowed its " +
                                       std::to_string(bad.stack.usable() / 1024) + " KiB stack",
                                   bad.pending_loc)
                    : make_finding(FindingKind::kCrash, "",
                                   "model code in thread T" + std::to_string(overflowed_) +
                                       " touched an invalid address (" + addr +
                                       "; in the kernel, an Oops): the fault is after its last "
                                       "scheduling point",
                                   bad.pending_loc);
    f.thread = overflowed_;
    findings_.push_back(std::move(f));
    end_ = ExecutionEnd::kFinding;
  }
  running_ = kHost;
  teardown();
  if (end_ == ExecutionEnd::kComplete || (keep_going_ && completed_)) end_checks();
  current_ = outer;
  strategy.end_execution(*this, end_);
  return end_;
}

void Execution::fiber_entry(ctx::transfer_t t) {
  auto* ex = static_cast<Execution*>(t.data);
  const void* from_bottom = nullptr;
  size_t from_size = 0;
  san_finish(nullptr, &from_bottom, &from_size);
  if (ex->switch_from_ == kHost) {
    ex->host_stack_bottom_ = from_bottom;
    ex->host_stack_size_ = from_size;
  }
  ex->context_of(ex->switch_from_) = t.fctx;
  ThreadId me = ex->running_;
  try {
    ex->threads_[me].body();
  } catch (const Unwind&) {
  } catch (const std::exception& e) {
    ex->record_exception(e.what());
  } catch (...) {
    ex->record_exception("an exception that is not a std::exception");
  }
  ex->finish_thread();
}

void Execution::record_exception(const char* what) {
  if (aborting_) return;
  if (draining_) {
    aborting_ = true;
    return;
  }
  if (keep_going_ && halted_) return;  // after an oops: a consequence (see fail)
  findings_.push_back(make_finding(
      FindingKind::kException, "",
      std::string("exception escaped thread T") + std::to_string(running_) + ": " + what,
      threads_[running_].pending_loc));
  end_ = ExecutionEnd::kFinding;
  if (keep_going_) {
    halted_ = true;  // the thread ends; the others go on
    return;
  }
  aborting_ = true;
}

void Execution::switch_to(ThreadId to) {
  ThreadId me = running_;
  // One fiber runs at a time: the host or a live model thread hands over to another.
  MC_BUG_ON(to == me, "a fiber switches to itself");
  MC_BUG_ON(to != kHost && threads_[to].status != ThreadState::Status::kLive,
            "switch to a model thread that is not live");
  switch_from_ = me;
  running_ = to;
  void* fake = nullptr;
  if (to == kHost) {
    san_start(&fake, host_stack_bottom_, host_stack_size_);
  } else {
    const Stack& s = threads_[to].stack;
    san_start(&fake, s.base + (s.size - s.usable()), s.usable());
  }
  ctx::transfer_t back = ctx::jump_fcontext(context_of(to), this);
  san_finish(fake, nullptr, nullptr);
  context_of(switch_from_) = back.fctx;
}

void Execution::jump_away(ThreadId to) {
  switch_from_ = running_;
  running_ = to;
  if (to == kHost) {
    san_start(nullptr, host_stack_bottom_, host_stack_size_);
  } else {
    const Stack& s = threads_[to].stack;
    san_start(nullptr, s.base + (s.size - s.usable()), s.usable());
  }
  ctx::jump_fcontext(context_of(to), this);
  std::abort();  // a finished fiber is never resumed
}

ThreadMask Execution::enabled_mask() const {
  ThreadMask m = started_ & ~gated_;
  for (ThreadMask g = started_ & gated_; g; g &= g - 1) {
    const int t = std::countr_zero(g);
    const PendingOp& op = *threads_[t].pending;
    if (op.ready(op.arg, t)) m |= bit(t);
  }
  return m;
}

ThreadMask Execution::live_mask() const {
  ThreadMask m = 0;
  for (int t = 0; t < thread_count_; ++t)
    if (threads_[t].status == ThreadState::Status::kLive) m |= bit(t);
  return m;
}

ThreadId Execution::pick_next(ThreadId cur) {
  if (draining_) return pick_while_draining(cur);
  if (events_.size() >= limits.max_steps) {
    step_bound_exceeded(cur);
    return kNoThread;
  }
  ThreadMask en = enabled_mask();
  if (en == 0) {
    end_with_no_runnable_thread();
    return kNoThread;
  }
  ThreadId next = strategy_->pick_thread(*this, en, cur);
  if (next == kNoThread || !(en & bit(next))) {
    end_ = ExecutionEnd::kPruned;
    strategy_->on_trace_end(*this);
    if (history_) {
      aborting_ = true;
      return kNoThread;
    }
    // Unwinding every live thread costs a C++ throw each (about 20k instructions); running
    // the rest of a pruned execution unobserved is far cheaper, and runs the destructors too.
    draining_ = true;
    return pick_while_draining(cur);
  }
  if (next != cur && cur >= 0 && cur < kMaxThreads && (en & bit(cur))) ++preemptions_;
  schedule_.push_back({Decision::kThread, static_cast<uint32_t>(next)});
  return next;
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

ThreadId Execution::pick_while_draining(ThreadId cur) {
  const ThreadMask en = enabled_mask();
  if (en == 0 || events_.size() + drained_steps_ >= limits.max_steps) {
    // Stuck or too long: fall back to unwinding. Nothing is reported for a pruned run.
    if (en != 0 || started_ != 0) aborting_ = true;
    return kNoThread;
  }
  if (cur >= 0 && cur < kMaxThreads && (en & bit(cur))) return cur;
  return std::countr_zero(en);
}

void Execution::schedule_point(const PendingOp& op) {
  ThreadState& me = threads_[running_];
  me.pending = &op;
  me.pending_loc = op.loc;
  if (op.ready)
    gated_ |= bit(running_);
  else
    gated_ &= ~bit(running_);
  if (me.starting) {
    // A new thread stops at its first operation and hands control back to its parent; the
    // strategy decides when it really runs.
    me.starting = false;
    started_ |= bit(running_);
    switch_to(me.parent);
    if (aborting_) throw Unwind{};
    return;
  }
  ThreadId next = pick_next(running_);
  if (next == kNoThread) throw Unwind{};
  if (next != running_) {
    switch_to(next);
    if (aborting_) throw Unwind{};
  }
}

void Execution::finish_thread() {
  ThreadState& me = threads_[running_];
  // A joiner sees everything the thread did, plain accesses after its last event included.
  ++me.seq;
  me.dpor.at[running_] = me.seq;
  me.sync.at[running_] = me.seq;
  me.status = ThreadState::Status::kFinished;
  me.pending = &kNoOperation;  // its frames are gone
  started_ &= ~bit(running_);
  if (history_ && !aborting_) {
    EventDetail d{};
    d.step = static_cast<uint32_t>(events_.size());
    d.tid = running_;
    d.kind = OpKind::kThreadEnd;
    d.visible = false;
    d.labels = label_path(running_);
    details_.push_back(std::move(d));
  }
  if (aborting_) jump_away(kHost);
  if (me.starting) {
    me.starting = false;
    jump_away(me.parent);
  }
  ThreadId next = pick_next(running_);
  if (next == kNoThread) jump_away(kHost);
  jump_away(next);
}

void Execution::report_stuck_threads() {
  std::vector<uint32_t> cands;
  for (int t = 0; t < thread_count_; ++t) {
    const ThreadState& th = threads_[t];
    if (th.status != ThreadState::Status::kLive || !th.pending->obj || !th.pending->obj->id)
      continue;
    cands.clear();
    for (int32_t w = th.pending->obj->last_write; w >= 0; w = events_[w].prev_write) {
      const Event& we = events_[w];
      if (knows(th.dpor, we.tid, we.seq)) break;
      cands.push_back(static_cast<uint32_t>(w));
    }
    if (!cands.empty()) strategy_->on_stuck(*this, t, cands);
  }
}

void Execution::end_with_no_runnable_thread() {
  report_stuck_threads();
  strategy_->on_trace_end(*this);
  bool all_finished = true;
  bool sleeping = false;
  bool assumed = false;
  std::string msg;
  for (int t = 0; t < thread_count_; ++t) {
    const ThreadState& th = threads_[t];
    if (th.status != ThreadState::Status::kLive) continue;
    all_finished = false;
    const PendingOp& op = *th.pending;
    if (op.kind == OpKind::kSleep || op.kind == OpKind::kAwait) sleeping = true;
    if (op.kind == OpKind::kAssume) assumed = true;
    if (!msg.empty()) msg += "; ";
    msg += "T" + std::to_string(t) + " blocked in " + op_name(op.kind);
    if (op.obj) msg += " of " + op.obj->display_name();
    msg += " at " + where(op.loc);
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
  Finding f = make_finding(kind, "", head + msg, std::source_location());
  findings_.push_back(std::move(f));
  end_ = ExecutionEnd::kFinding;
  aborting_ = true;
}

void Execution::teardown() {
  aborting_ = true;
  for (int t = 0; t < thread_count_; ++t) {
    if (threads_[t].status != ThreadState::Status::kLive) continue;
    running_ = kHost;
    switch_to(t);  // the thread unwinds and jumps back
  }
  running_ = kHost;
}

void Execution::end_checks() {
  if (halted_) return;  // after an oops: what it left allocated is a consequence (see fail)
  std::string leaked;
  for (size_t i = 0; i < nblocks_; ++i) {
    const HeapBlock* b = blocks_[i].get();
    if (b->freed || b->expected_alive) continue;
    if (!leaked.empty()) leaked += "; ";
    leaked += std::string(b->name ? b->name : b->type) + " allocated by T" +
              std::to_string(b->alloc_tid) + " at " + where(b->alloc_loc);
  }
  if (!leaked.empty()) {
    findings_.push_back(make_finding(
        FindingKind::kLeak, "", "still allocated at the end: " + leaked, std::source_location()));
    end_ = ExecutionEnd::kFinding;
  }
}

Finding Execution::make_finding(FindingKind kind, std::string name, std::string message,
                                const std::source_location& loc) const {
  Finding f;
  f.kind = kind;
  f.name = std::move(name);
  f.message = std::move(message);
  f.loc = loc;
  f.step = events_.size();
  if (running_ >= 0 && running_ < kMaxThreads) {
    f.thread = running_;
    f.labels = label_path(running_);
  }
  return f;
}

void Execution::fail(Finding f) {
  if (aborting_) return;
  if (draining_) {  // a pruned run reports nothing: just abandon it
    aborting_ = true;
    throw Unwind{};
  }
  const FindingKind kind = f.kind;
  const bool goes_on = kind == FindingKind::kDataRace || kind == FindingKind::kUseAfterFree ||
                       kind == FindingKind::kDoubleFree || kind == FindingKind::kSleepInAtomic;
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

uint32_t Execution::commit(ObjectBase* obj, OpKind kind, Access access, Acquire acquire,
                           const std::source_location& loc) {
  const ThreadId p = running_;
  ThreadState& t = threads_[p];
  if (draining_) {
    // Nobody observes a pruned run's tail: no trace, no clocks; only its length is bounded.
    ++t.seq;
    ++drained_steps_;
    return 0;
  }
  const uint32_t idx = static_cast<uint32_t>(events_.size());
#ifdef MIGCHECK_INVARIANTS
  const VectorClock clock_before = t.dpor;
#endif
  // t.dpor is the thread's clock before this event until the event is recorded: its own
  // component is set last, after the copy into the event (a narrow store just before a wide
  // load of the same clock stalls the load).
  const uint32_t own_before = t.seq;
  // The helpers below are forced inline: GCC's choice for them depends on the size of this
  // whole file, and one left out of line costs a call per event (measured: 10% more
  // instructions in commit).
  auto known_before = [&](ThreadId tid, uint32_t seq) __attribute__((always_inline)) {
    return tid == p ? own_before >= seq : t.dpor.at[tid] >= seq;
  };
  ++t.seq;
  t.sync.at[p] = t.seq;
  ncand_ = 0;
  int32_t prev_write = -1;
  const uint32_t node = schedule_.empty() ? 0 : static_cast<uint32_t>(schedule_.size() - 1);
  // Race candidates only for events the strategy observes (not a replayed prefix).
  const bool observed = node >= observe_from_;

  if (obj && obj->id) {
    ObjectShadow& os = shadow(*obj);
    // Only events this thread does not already know can race with it; the buffer is sized
    // once (a wait's chain of unknown writes may outgrow it, then it grows).
    auto add = [&](int32_t e) __attribute__((always_inline)) {
      if (e < 0) return;
      const Event& c = events_[e];
      if (known_before(c.tid, c.seq)) return;
      if (ncand_ == race_candidates_.size()) race_candidates_.resize(2 * ncand_);
      race_candidates_[ncand_++] = static_cast<uint32_t>(e);
    };
    auto add_write_frontier = [&]() __attribute__((always_inline)) {
      if (access == Access::kWrite && obj->read_mask) {
        for (ThreadMask m = obj->read_mask; m; m &= m - 1) add(os.last_read[std::countr_zero(m)]);
      } else {
        add(obj->last_write);
      }
    };
    if (observed) {
      if (kind == OpKind::kAwait) {
        // A satisfied wait may have been satisfiable earlier: every write it does not already
        // know is a place to try it before.
        for (int32_t w = obj->last_write; w >= 0; w = events_[w].prev_write) {
          const Event& we = events_[w];
          if (known_before(we.tid, we.seq)) break;
          add(w);
        }
      } else if (kind == OpKind::kLock || kind == OpKind::kReadLock) {
        // A blocking acquisition races with what its access conflicts with, like any event,
        // except that a release stands for the acquisition it ends: run before the release,
        // the acquirer would only block, while run before that acquisition it takes the lock
        // first. Reads of the lock's state (spin_is_locked(), a failed trylock) stay races.
        auto add_acquisition_of = [&](int32_t e) __attribute__((always_inline)) {
          if (e < 0) return;
          const Event& c = events_[e];
          if (known_before(c.tid, c.seq)) return;
          if (c.kind == OpKind::kUnlock)
            add(obj->last_exclusive);
          else if (c.kind == OpKind::kReadUnlock)
            add((obj->shared_mask & bit(c.tid)) ? os.shared[c.tid] : -1);
          else
            add(e);
        };
        if (access == Access::kWrite && obj->read_mask) {
          for (ThreadMask m = obj->read_mask; m; m &= m - 1)
            add_acquisition_of(os.last_read[std::countr_zero(m)]);
        } else {
          add_acquisition_of(obj->last_write);
        }
      } else if (access != Access::kNone) {
        // Trylocks too: run before a release, a trylock fails instead of blocking.
        add_write_frontier();
      }
      // Keep real races: drop a candidate ordered before this event through another one.
      if (ncand_ > 1 && kind != OpKind::kAwait) {
        uint32_t* cand = race_candidates_.data();
        size_t n = 0;
        for (size_t i = 0; i < ncand_; ++i) {
          const Event& c = events_[cand[i]];
          bool covered = false;
          for (size_t j = 0; j < ncand_ && !covered; ++j)
            covered = cand[j] != cand[i] && knows(events_[cand[j]].clock, c.tid, c.seq);
          if (!covered) cand[n++] = cand[i];
        }
        ncand_ = n;
      }
    }

    // A read follows the last write; a write follows it and every read since. Their clocks are
    // in the trace, and a clock this thread already knows the event of adds nothing.
    auto follow = [&](int32_t i) __attribute__((always_inline)) {
      if (i < 0) return;
      const Event& w = events_[i];
      if (!known_before(w.tid, w.seq)) t.dpor.join(w.clock);
    };
    if (access == Access::kRead) {
      follow(obj->last_write);
      os.last_read[p] = static_cast<int32_t>(idx);
      obj->read_mask |= bit(p);
    } else if (access == Access::kWrite) {
      follow(obj->last_write);
      for (ThreadMask m = obj->read_mask & ~bit(p); m; m &= m - 1)
        follow(os.last_read[std::countr_zero(m)]);
      obj->read_mask = 0;
      prev_write = obj->last_write;
      obj->last_write = static_cast<int32_t>(idx);
    }
    if (acquire == Acquire::kExclusive) {
      obj->last_exclusive = static_cast<int32_t>(idx);
      obj->shared_mask = 0;
    } else if (acquire == Acquire::kShared) {
      os.shared[p] = static_cast<int32_t>(idx);
      obj->shared_mask |= bit(p);
    }
  }

  Event& e = events_.emplace_back();  // not zeroed: every field is set below
  e.tid = p;
  e.kind = kind;
  e.access = access;
  e.obj = obj ? obj->id : 0;
  e.seq = t.seq;
  e.node = node;
  e.prev_write = prev_write;
  e.clock = t.dpor;
  e.clock.at[p] = t.seq;
  t.dpor.at[p] = t.seq;
#ifdef MIGCHECK_INVARIANTS
  // Clocks only grow: an event knows everything its thread knew before it, and itself.
  MC_BUG_ON(!clock_before.leq(e.clock), "an event's clock lost part of its thread's clock");
  MC_BUG_ON(e.clock.at[p] != own_before + 1, "a thread's own clock component did not advance");
  MC_BUG_ON(running_ != p || threads_[p].status != ThreadState::Status::kLive,
            "an event committed by a thread that is not the running one");
#endif

  if (history_) log_visible(obj, kind, idx, loc);
  if (observed) strategy_->on_event(*this, idx);
  return idx;
}

void Execution::log_visible(ObjectBase* obj, OpKind kind, uint32_t idx,
                            const std::source_location& loc) {
  EventDetail d{};
  d.step = idx;
  d.tid = running_;
  d.kind = kind;
  d.visible = true;
  d.obj = obj ? obj->id : 0;
  if (obj) d.object = obj->display_name();
  d.loc = loc;
  d.labels = label_path(running_);
  details_.push_back(std::move(d));
}

void Execution::describe_last(ObjectBase* obj, std::string value, std::memory_order order,
                              bool has_order) {
  (void)obj;
  if (details_.empty()) return;
  EventDetail& d = details_.back();
  d.value = std::move(value);
  d.order = order;
  d.has_order = has_order;
}

void Execution::log_invisible(ObjectBase* obj, OpKind kind, std::string value,
                              const std::source_location& loc) {
  EventDetail d{};
  d.step = static_cast<uint32_t>(events_.size());
  d.tid = running_;
  d.kind = kind;
  d.visible = false;
  if (obj) {
    d.obj = obj->id;
    d.object = obj->display_name();
  }
  d.value = std::move(value);
  d.loc = loc;
  d.labels = label_path(running_);
  details_.push_back(std::move(d));
}

void Execution::grow_shadows() {
  shadows_.resize(2 * next_object_id_ + 16);
  shadow_capacity_ = static_cast<uint32_t>(shadows_.size());
}

uint32_t Execution::choose(uint32_t n, const std::source_location& loc) {
  if (n <= 1) return 0;
  if (aborting_ || draining_) return 0;
  uint32_t v = strategy_->pick_value(*this, n);
  if (v >= n) v = n - 1;
  schedule_.push_back({Decision::kValue, v});
  if (history_)
    log_invisible(nullptr, OpKind::kChoose, std::to_string(v) + " of " + std::to_string(n), loc);
  return v;
}

ThreadId Execution::spawn(InlineFunction<96>&& body, const std::source_location& loc) {
  const ThreadId parent = running_;
  if (thread_count_ >= kMaxThreads) {
    fail(make_finding(FindingKind::kAssertion, "",
                      "too many model threads (at most " + std::to_string(kMaxThreads) + ")", loc));
    return kNoThread;
  }
  const ThreadId c = thread_count_++;
  ThreadState& t = threads_[c];  // fresh: reset() cleared every state used last time
  t.body = std::move(body);
  t.status = ThreadState::Status::kLive;
  t.starting = true;
  t.parent = parent;
  // Everything the parent did before the spawn, plain accesses included, happens before the
  // child: close the parent's current epoch.
  ThreadState& pt = threads_[parent];
  ++pt.seq;
  pt.dpor.at[parent] = pt.seq;
  pt.sync.at[parent] = pt.seq;
  t.dpor = pt.dpor;
  t.sync = pt.sync;
  t.fence_release = t.sync;
  give_stack(t);
  t.context = ctx::make_fcontext(t.stack.coloured_top(c), t.stack.coloured_usable(c),
                                 &Execution::fiber_entry);
  if (history_) log_invisible(nullptr, OpKind::kSpawn, "T" + std::to_string(c), loc);
  switch_to(c);
  if (aborting_) throw Unwind{};
  return c;
}

void Execution::join(ThreadId target, const std::source_location& loc) {
  if (aborting_) return;
  PendingOp op;
  op.kind = OpKind::kJoin;
  op.access = Access::kNone;
  op.ready = [](const void* arg, ThreadId) {
    return static_cast<const ThreadState*>(arg)->status == ThreadState::Status::kFinished;
  };
  op.arg = &threads_[target];
  op.loc = loc;
  schedule_point(op);
  ThreadState& me = threads_[running_];
  me.dpor.join(threads_[target].dpor);
  me.sync.join(threads_[target].sync);
  commit(nullptr, OpKind::kJoin, Access::kNone, Acquire::kNone, loc);
  if (history_)
    describe_last(nullptr, "T" + std::to_string(target), std::memory_order_seq_cst, false);
}

void Execution::assume(bool cond) {
  if (cond || aborting_) return;
  // The thread is blocked for good (as a spin loop that would never exit); the others go on,
  // so that races later in the execution are still seen. The execution counts as blocked.
  PendingOp op;
  op.kind = OpKind::kAssume;
  op.ready = [](const void*, ThreadId) { return false; };
  schedule_point(op);
  std::abort();  // never scheduled again
}

void Execution::observe(const char* name, int64_t value) {
  for (auto& o : observations_) {
    if (std::strcmp(o.name, name) == 0) {
      o.value = value;
      return;
    }
  }
  observations_.push_back({name, value});
}

HeapBlock* Execution::new_block() {
  if (nblocks_ == blocks_.size()) {
    blocks_.push_back(std::make_unique<HeapBlock>());
  } else {
    HeapBlock* b = blocks_[nblocks_].get();
    std::destroy_at(b);
    std::construct_at(b);  // its lifetime object registers with this execution
  }
  return blocks_[nblocks_++].get();
}

HeapBlock* Execution::find_block(const void* p) {
  for (size_t i = nblocks_; i-- > 0;)
    if (blocks_[i]->ptr == p) return blocks_[i].get();
  return nullptr;
}

void Execution::push_label(const char* l) {
  ThreadState& t = threads_[running_];
  if (t.label_depth < kMaxLabels) t.labels[t.label_depth] = l;
  ++t.label_depth;
}

void Execution::pop_label() {
  ThreadState& t = threads_[running_];
  if (t.label_depth > 0) --t.label_depth;
}

std::string join_labels(const char* const* labels, int depth) {
  std::string s;
  const int n = depth < kMaxLabels ? depth : kMaxLabels;
  for (int i = 0; i < n; ++i) {
    if (i) s += " > ";
    s += labels[i];
  }
  return s;
}

std::string Execution::label_path(ThreadId tid) const {
  if (tid < 0 || tid >= kMaxThreads) return {};
  return join_labels(threads_[tid].labels, threads_[tid].label_depth);
}

Label::Label(const char* name) : ex_(Execution::current()) {
  if (ex_ && ex_->self() >= 0 && ex_->self() < kMaxThreads)
    ex_->push_label(name);
  else
    ex_ = nullptr;
}

Label::~Label() {
  if (ex_) ex_->pop_label();
}

}  // namespace mc
