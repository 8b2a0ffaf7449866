// Fibers and scheduling: model threads run as fibers, one at a time; at each scheduling point
// the running thread asks the strategy which thread runs next and switches to it directly.
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "checker/explore/strategy.h"
#include "checker/explore/trace_observer.h"
#include "checker/runtime/execution.h"
#include "checker/runtime/invariant.h"
#include "checker/runtime/sanitizer.h"

namespace mc {

namespace {

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

inline ThreadMask bit(ThreadId t) { return thread_mask_of(t); }

}  // namespace

ExecutionEnd Execution::run(const std::function<void()>& body, Strategy& strategy, bool history) {
  reset();
  strategy_ = &strategy.decider();
  observer_ = strategy.observer();
  observe_from_ = observer_ ? observer_->observe_from() : ~uint32_t{0};
  history_ = history;
  Execution* outer = current_;
  current_ = this;

  const ThreadId first = threads_.add();
  ThreadState& t0 = threads_[first];
  t0.dpor.clear();
  t0.sync.clear();
  t0.fence_release.clear();
  t0.body = InlineFunction<96>([&body] { body(); });
  t0.status = ThreadState::Status::kLive;
  threads_.started = bit(first);
  t0.context = ctx::make_fcontext(t0.stack.coloured_top(first), t0.stack.coloured_usable(first),
                                  &Execution::fiber_entry);

  if (sigsetjmp(host_jump_, 0) == 0) {
    running_ = first;
    switch_from_ = kHost;
    void* fake = nullptr;
    san_start(&fake, t0.stack.base + (t0.stack.size - t0.stack.usable()), t0.stack.usable());
    ctx::transfer_t back = ctx::jump_fcontext(t0.context, this);
    san_finish(fake, nullptr, nullptr);
    context_of(switch_from_) = back.fctx;
  } else {
    // Back from the fault handler: the faulting fiber is abandoned where it stood. The jump
    // skipped the handler's return, so the signal is still blocked: unblock it.
    sigset_t segv;
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    sigaddset(&segv, SIGBUS);
    sigaddset(&segv, SIGFPE);
    sigaddset(&segv, SIGILL);
    pthread_sigmask(SIG_UNBLOCK, &segv, nullptr);
    threads_[overflowed_].status = ThreadState::Status::kFinished;
    threads_.started &= ~bit(overflowed_);
  }
  report_fault();
  running_ = kHost;
  teardown();
  if (end_ == ExecutionEnd::kComplete || (keep_going_ && completed_)) end_checks();
  current_ = outer;
  strategy.end_execution(end_, trace_.schedule);
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

inline ThreadId Execution::pick_next(ThreadId cur) {
  if (draining_) return pick_while_draining(cur);
  if (trace_.events.size() >= limits.max_steps) {
    step_bound_exceeded(cur);
    return kNoThread;
  }
  ThreadMask en = threads_.enabled();
  if (en == 0) {
    end_with_no_runnable_thread();
    return kNoThread;
  }
  ThreadId next = strategy_->pick_thread(en, cur);
  if (next == kNoThread || !(en & bit(next))) {
    trace_.schedule.push_back({Decision::kThread, Decision::kRefused, en});
    end_ = ExecutionEnd::kPruned;
    if (observer_) observer_->on_trace_end(*this);
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
  trace_.schedule.push_back({Decision::kThread, static_cast<uint32_t>(next), en});
  return next;
}

ThreadId Execution::pick_while_draining(ThreadId cur) {
  const ThreadMask en = threads_.enabled();
  if (en == 0 || trace_.events.size() + drained_steps_ >= limits.max_steps) {
    // Stuck or too long: fall back to unwinding. Nothing is reported for a pruned run.
    if (en != 0 || threads_.started != 0) aborting_ = true;
    return kNoThread;
  }
  if (cur >= 0 && cur < kMaxThreads && (en & bit(cur))) return cur;
  return std::countr_zero(en);
}

void Execution::schedule_point(const PendingOp& op) {
  ThreadState& me = threads_[running_];
  threads_.set_pending(running_, op);
  if (me.starting) {
    // A new thread stops at its first operation and hands control back to its parent; the
    // strategy decides when it really runs.
    me.starting = false;
    threads_.started |= bit(running_);
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
  threads_.started &= ~bit(running_);
  if (history_ && !aborting_) {
    EventDetail d{};
    d.step = static_cast<uint32_t>(trace_.events.size());
    d.tid = running_;
    d.kind = OpKind::kThreadEnd;
    d.visible = false;
    d.labels = label_path(running_);
    trace_.details.push_back(std::move(d));
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

void Execution::teardown() {
  aborting_ = true;
  for (int t = 0; t < threads_.count(); ++t) {
    if (threads_[t].status != ThreadState::Status::kLive) continue;
    running_ = kHost;
    switch_to(t);  // the thread unwinds and jumps back
  }
  running_ = kHost;
}

uint32_t Execution::choose(uint32_t n, const std::source_location& loc) {
  if (n <= 1) return 0;
  if (aborting_ || draining_) return 0;
  uint32_t v = strategy_->pick_value(n);
  if (v >= n) v = n - 1;
  trace_.schedule.push_back({Decision::kValue, v, n});
  if (history_)
    log_invisible(nullptr, OpKind::kChoose, std::to_string(v) + " of " + std::to_string(n), loc);
  return v;
}

ThreadId Execution::spawn(InlineFunction<96>&& body, const std::source_location& loc) {
  const ThreadId parent = running_;
  if (threads_.count() >= thread_limit()) {
    fail(make_finding(FindingKind::kAssertion, "",
                      "too many model threads (this run allows " + std::to_string(thread_limit()) +
                          ", the main thread included; up to " + std::to_string(kMaxThreads) +
                          " with ExploreOptions::max_threads)",
                      loc));
    return kNoThread;
  }
  const ThreadId c = threads_.add();
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
  t.context = ctx::make_fcontext(t.stack.coloured_top(c), t.stack.coloured_usable(c),
                                 &Execution::fiber_entry);
  if (history_) {
    t.spawn_detail = static_cast<int32_t>(trace_.details.size());
    log_invisible(nullptr, OpKind::kSpawn, thread_label(c), loc);  // renamed by set_thread_name
  }
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
  if (history_) describe_last(nullptr, thread_label(target), std::memory_order_seq_cst, false);
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

}  // namespace mc
