// One execution of a test, built from small parts, each in its own file: the model threads
// (thread_set.h; their fibers and the scheduling loop in scheduler.cc), the objects
// (object_store.h), the trace (trace.h), the model heap (heap.h), DPOR's race tracker
// (explore/race_tracker.h), and the detectors (detectors.cc). The object is reused across
// executions so that the steady state allocates nothing per event.
#pragma once

#include <csetjmp>
#include <cstdint>
#include <functional>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include "checker/explore/race_tracker.h"
#include "checker/report/finding.h"
#include "checker/runtime/address_names.h"
#include "checker/runtime/heap.h"
#include "checker/runtime/object.h"
#include "checker/runtime/object_store.h"
#include "checker/runtime/op.h"
#include "checker/runtime/thread_set.h"
#include "checker/runtime/trace.h"

namespace mc {

class Strategy;
class TraceObserver;

// Thrown inside a model thread to unwind it when the execution is being abandoned.
struct Unwind {};

struct ExecutionLimits {
  uint64_t max_steps = 100000;  // per execution; exceeding it is a possible livelock
};

class Execution {
 public:
  Execution();
  ~Execution();
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  // The execution running on this OS thread, or null outside any execution.
  static Execution* current() { return current_; }

  // Runs one execution of `body` (thread 0) under `strategy`. Returns how it ended.
  ExecutionEnd run(const std::function<void()>& body, Strategy& strategy, bool history);

  // ---- used by the instrumented layer (checker/api) ----
  ThreadId self() const { return running_; }
  ThreadState& thread(ThreadId t) { return threads_[t]; }
  const ThreadState& thread(ThreadId t) const { return threads_[t]; }
  bool aborting() const { return aborting_; }
  bool history() const { return history_; }

  // A scheduling point: returns once the strategy has chosen this thread to run `op`, which
  // is read in place until then (the caller's temporary lives as long as the call).
  void schedule_point(const PendingOp& op);
  // Records the event that the thread just performed at its scheduling point.
  uint32_t commit(ObjectBase* obj, OpKind kind, Access access, Acquire acquire,
                  const std::source_location& loc);
  // Value history for the report (only call when history() is true).
  void describe_last(ObjectBase* obj, std::string value, std::memory_order order, bool has_order);
  // A non-visible access (plain data, fences, heap): logged in history mode only.
  void log_invisible(ObjectBase* obj, OpKind kind, std::string value,
                     const std::source_location& loc);

  // Every object made in an execution registers here.
  uint32_t register_object(ObjectBase* obj) {
    obj->owner = heap_.constructing();
    if (history_ && obj->name) [[unlikely]]
      names_.name(obj, std::string("&") + obj->name, true);
    return objects_.add(running_);
  }
  // In history mode: `p` is called `name` in traces (mc::name_address).
  void name_address(const void* p, std::string_view name) {
    if (history_) names_.name(p, name, false);
  }
  // What a pointer value points at, as traces print it: a named structure, a place in a model
  // heap block ("zspage#2", "zs_pool+0x40"), an object's address ("&x"); empty when unknown.
  std::string name_of(uint64_t v) const;
  ObjectShadow& shadow(const ObjectBase& o) { return objects_.shadow(o.id); }
  const ObjectShadow& shadow(const ObjectBase& o) const { return objects_.shadow(o.id); }
  // The thread that made object `id` of this execution (-1: made before any thread ran).
  ThreadId object_maker(uint32_t id) const { return objects_.shadow(id).maker; }
  uint32_t choose(uint32_t n, const std::source_location& loc);
  ThreadId spawn(InlineFunction<96>&& body, const std::source_location& loc);
  void join(ThreadId t, const std::source_location& loc);
  void assume(bool cond);
  void observe(const char* name, int64_t value) { trace_.observe(name, value); }

  // Raises a finding in the running thread. By default the execution is abandoned (no return
  // when called from a model thread; returns only if it is already being abandoned). With
  // keep_going (--all-findings) the execution goes on: after a detector's finding (a data
  // race, a use after free, a double free, sleeping in atomic context, a leak) and a warning
  // (WARN_ON) the thread goes on, as the kernel would after a KCSAN or KASAN report or a WARN;
  // after a failed check (a violation, an
  // assertion) the thread exits, as a task that oopses does, and the others go on. Once a
  // thread has so exited, nothing more is recorded in that execution: what follows an oops
  // (the end-state checks, leaks, further checks failing on the state it left) is its
  // consequence, not another finding; the schedules in which the oops does not happen first
  // are explored on their own.
  // kGoesOn: the thread goes on under keep_going whatever the kind (a warning).
  enum Continuation { kByKind, kGoesOn };
  void fail(Finding f, Continuation how = kByKind);
  void set_keep_going(bool on) { keep_going_ = on; }
  bool keep_going() const { return keep_going_; }
  // Every thread finished (with keep_going, some may have exited on a finding): the final
  // state exists and its observations were made.
  bool completed() const { return completed_; }
  Finding finding(FindingKind kind, std::string message,
                  const std::source_location& loc = std::source_location::current()) const {
    return make_finding(kind, "", std::move(message), loc);
  }
  Finding violation(std::string name, std::string message,
                    const std::source_location& loc = std::source_location::current()) const {
    return make_finding(FindingKind::kViolation, std::move(name), std::move(message), loc);
  }
  // Records a finding found outside any model thread (end-of-execution checks).
  void fail_at_end(Finding f);

  ModelHeap& heap() { return heap_; }

  // ---- labels ----
  void push_label(const char* l);
  void pop_label();
  std::string label_path(ThreadId t) const;
  // The running thread's name ("P0", "kworker"; the string must outlive the execution), and
  // where the input that drives the model is (a litmus statement), described only when a
  // finding is made (null: nowhere): both go into the findings and traces.
  void set_thread_name(const char* name);
  void set_origin(const void* where, std::string (*describe)(const void*)) {
    threads_[running_].origin = where;
    threads_[running_].describe_origin = describe;
  }
  // "P0" (the thread's name) or "T1" (its number).
  std::string thread_label(ThreadId t) const;
  // Where the driving input of thread `t` is now ("" if it did not say).
  std::string origin_of(ThreadId t) const;
  // The labels of every thread of this execution, by id.
  std::vector<std::string> thread_labels() const;

  // ---- what strategies and reports read ----
  const std::vector<Event>& events() const { return trace_.events; }
  const std::vector<EventDetail>& details() const { return trace_.details; }
  const std::vector<Decision>& schedule() const { return trace_.schedule; }
  ExecutionEnd end() const { return end_; }
  // What a thread at its scheduling point (or finished) would do next; stale for a thread
  // that has run on past it (the running thread between two scheduling points).
  const PendingOp& pending(ThreadId t) const { return *threads_[t].pending; }
  int thread_count() const { return threads_.count(); }
  ThreadMask live_mask() const { return threads_.live(); }
  uint32_t preemptions() const { return preemptions_; }
  const std::vector<Finding>& findings() const { return findings_; }
  const std::vector<ObservedValue>& observations() const { return trace_.observations; }
  // Events the strategy saw (a pruned run's unobserved tail is not counted).
  uint64_t event_count() const { return trace_.events.size(); }
  bool draining() const { return draining_; }
  // Stacks this execution object took from the pool (one per thread slot, reused by every run).
  size_t stacks_used() const { return threads_.stacks_used(); }

  ExecutionLimits limits;

  // For the fault handler: true (and the fault recorded) when a model thread is running, whose
  // stack overflowed or whose code touched an invalid address: both end as findings.
  bool overflow_in_progress(const void* fault_addr, int sig);
  sigjmp_buf& host_jump() { return host_jump_; }

 private:
  static constexpr ThreadId kHost = kMaxThreads;

  // ---- fibers and scheduling (scheduler.cc) ----
  static void fiber_entry(ctx::transfer_t t);
  ctx::fcontext_t& context_of(ThreadId t) {
    return t == kHost ? host_context_ : threads_[t].context;
  }
  void switch_to(ThreadId to);
  [[noreturn]] void jump_away(ThreadId to);
  // Inlined in the scheduling point, as it was when both lived in one file (measured: an
  // outlined copy cost a call and a prologue per event).
  [[gnu::always_inline]] inline ThreadId pick_next(ThreadId current);
  ThreadId pick_while_draining(ThreadId current);
  [[noreturn]] void finish_thread();
  void teardown();

  // ---- the detectors (detectors.cc): findings the execution itself raises ----
  [[gnu::cold, gnu::noinline]] void step_bound_exceeded(ThreadId current);
  void end_with_no_runnable_thread();
  void report_stuck_threads();
  void report_fault();
  void record_exception(const char* what);
  void end_checks();
  Finding make_finding(FindingKind kind, std::string name, std::string message,
                       const std::source_location& loc) const;

  // ---- faults in model code (fault.cc) ----
  void install_fault_handling();
  void remove_fault_handling();

  [[gnu::cold, gnu::noinline]] void log_visible(ObjectBase* obj, OpKind kind, uint32_t idx,
                                                const std::source_location& loc);
  void reset();

  // constinit + inline: no TLS wrapper call (UBSan mis-reports the wrapper on fiber stacks).
  static inline constinit thread_local Execution* current_ = nullptr;

  ThreadSet threads_;
  ObjectStore objects_;
  Trace trace_;
  ModelHeap heap_;
  AddressNames names_;  // history mode only
  RaceTracker races_;
  std::vector<uint32_t> stuck_writes_;  // scratch for report_stuck_threads

  ThreadId running_ = kNoThread;
  ThreadId switch_from_ = kNoThread;
  ctx::fcontext_t host_context_ = nullptr;
  const void* host_stack_bottom_ = nullptr;
  size_t host_stack_size_ = 0;
  Strategy* strategy_ = nullptr;       // the strategy that decides (Strategy::decider())
  TraceObserver* observer_ = nullptr;  // the strategy's, if it has one
  uint32_t observe_from_ = 0;          // its observe_from() for this execution
  bool history_ = false;
  bool aborting_ = false;
  bool draining_ = false;       // pruned: running to the end unobserved
  uint64_t drained_steps_ = 0;  // steps of the pruned tail (not in the trace)
  bool keep_going_ = false;
  bool halted_ = false;     // keep_going: a thread exited on a finding in this execution
  bool completed_ = false;  // every thread finished
  ExecutionEnd end_ = ExecutionEnd::kComplete;
  uint32_t preemptions_ = 0;
  std::vector<Finding> findings_;
  sigjmp_buf host_jump_;
  ThreadId overflowed_ = kNoThread;  // the thread that faulted (overflow or invalid access)
  bool fault_in_guard_ = false;      // the fault was in its stack's guard page
  const void* fault_addr_ = nullptr;
  int fault_signal_ = 0;  // SIGSEGV, SIGBUS, SIGFPE or SIGILL
  void* alt_stack_ = nullptr;
};

// Here rather than in object.h, which cannot see Execution: inlined, an object costs its
// stores and a compare (a model may make a hundred per execution).
inline ObjectBase::ObjectBase(const char* n, const char* k) : name(n), kind(k) {
  if (Execution* ex = Execution::current()) id = ex->register_object(this);
}

// RAII label: "the running thread is now inside `name`" (a kernel function name).
class Label {
 public:
  explicit Label(const char* name);
  ~Label();
  Label(const Label&) = delete;
  Label& operator=(const Label&) = delete;

 private:
  Execution* ex_;
};

}  // namespace mc
