// One execution of a test: model threads as fibers, the scheduling loop, the event trace with
// the clocks that DPOR and the detectors need, and the findings. The object is reused across
// executions so that the steady state allocates nothing per event.
#pragma once

#include <atomic>
#include <csetjmp>
#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include "checker/report/finding.h"
#include "checker/runtime/fiber.h"
#include "checker/runtime/heap.h"
#include "checker/runtime/inline_function.h"
#include "checker/runtime/labels.h"
#include "checker/runtime/object.h"
#include "checker/runtime/vector_clock.h"

namespace mc {

class Strategy;
struct ObjectBase;

inline constexpr ThreadId kNoThread = -1;

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

// The record DPOR and the detectors keep of each visible event (no strings, no allocation).
struct Event {
  Event() : clock(VectorClock::Uninitialised{}) {}  // appended per event: set, not zeroed
  ThreadId tid;
  OpKind kind;
  Access access;
  uint32_t obj;        // object id, 0 = none
  uint32_t seq;        // the thread's own sequence number of this event
  uint32_t node;       // index of the decision that scheduled it
  int32_t prev_write;  // previous write event to the same object, -1 if none
  VectorClock clock;   // dependency clock after the event (DPOR's happens-before)
};

// What the report needs of an event; filled only when re-running a counterexample.
struct EventDetail {
  uint32_t step;
  ThreadId tid;
  OpKind kind;
  bool visible;  // a scheduling point (plain accesses are logged but are not)
  uint32_t obj;
  std::string object;  // name of the object
  std::string value;   // value read / written, formatted by the object
  std::memory_order order;
  bool has_order;
  std::source_location loc;
  std::string labels;  // "zs_page_migrate > trypin_tag"
};

struct Decision {
  enum Kind : uint8_t { kThread, kValue } kind;
  uint32_t value;
  bool operator==(const Decision&) const = default;
};

enum class ExecutionEnd : uint8_t {
  kComplete,  // every thread finished
  kBlocked,   // an assume() failed: not a complete execution, not a finding
  kPruned,    // the strategy cut it (sleep-set blocked, or nothing left to replay)
  kFinding,   // stopped at a finding
};

// A named value of the final state, recorded by mc::observe (an outcome is the set of them).
struct ObservedValue {
  const char* name;
  int64_t value;
};

class Execution;

// Thrown inside a model thread to unwind it when the execution is being abandoned.
struct Unwind {};

struct ThreadState {
  enum class Status : uint8_t { kUnused, kLive, kFinished };
  Status status = Status::kUnused;
  // The operation the thread waits to run, in its own frame at its scheduling point (it lives
  // as long as the thread waits there): not copied, since the caller has just built it. Stale
  // while the thread runs on past that point (no one reads the running thread's: its event
  // is in the trace); an unused or finished thread points at an operation touching nothing.
  const PendingOp* pending = &kNoOperation;
  std::source_location pending_loc;  // kept for reports after the thread has moved on
  uint32_t seq = 0;
  VectorClock dpor;           // dependency clock
  VectorClock sync;           // synchronisation clock (data races)
  VectorClock fence_release;  // sync clock at the last release fence
  VectorClock fence_acquire;  // what an acquire fence would join
  int atomic_depth = 0;       // spinlocks held, preemption disabled: sleeping is a finding
  bool woken = false;         // set by a wake of a queue the thread waits on
  bool starting = false;      // spawned, running up to its first scheduling point
  ThreadId parent = -1;
  const char* labels[kMaxLabels] = {};
  int label_depth = 0;
  Stack stack;
  ctx::fcontext_t context = nullptr;
  InlineFunction<96> body;
};

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

  // Every object made in an execution registers here (a model may make a hundred per
  // execution): the table only grows, so the common case is a compare and an increment.
  uint32_t register_object(ObjectBase* obj) {
    obj->owner = constructing_;
    if (next_object_id_ >= shadow_capacity_) [[unlikely]]
      grow_shadows();
    shadows_[next_object_id_].maker = running_;
    return next_object_id_++;
  }
  ObjectShadow& shadow(const ObjectBase& o) { return shadows_[o.id]; }
  // The thread that made object `id` of this execution (-1: made before any thread ran).
  ThreadId object_maker(uint32_t id) const { return shadows_[id].maker; }
  const ObjectShadow& shadow(const ObjectBase& o) const { return shadows_[o.id]; }
  uint32_t choose(uint32_t n, const std::source_location& loc);
  ThreadId spawn(InlineFunction<96>&& body, const std::source_location& loc);
  void join(ThreadId t, const std::source_location& loc);
  void assume(bool cond);
  void observe(const char* name, int64_t value);

  // Raises a finding in the running thread. By default the execution is abandoned (no return
  // when called from a model thread; returns only if it is already being abandoned). With
  // keep_going (--all-findings) the execution goes on: after a detector's finding (a data
  // race, a use after free, a double free, sleeping in atomic context) the thread goes on as
  // the kernel would after a KCSAN or KASAN report; after a failed check (a violation, an
  // assertion) the thread exits, as a task that oopses does, and the others go on. Once a
  // thread has so exited, nothing more is recorded in that execution: what follows an oops
  // (the end-state checks, leaks, further checks failing on the state it left) is its
  // consequence, not another finding; the schedules in which the oops does not happen first
  // are explored on their own.
  void fail(Finding f);
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

  // ---- model heap ----
  HeapBlock* constructing() const { return constructing_; }
  void set_constructing(HeapBlock* b) { constructing_ = b; }
  // The record of a new allocation: block records are kept from one execution to the next
  // and made afresh in place.
  HeapBlock* new_block();
  // Memory for a model object, valid until the end of the execution.
  void* heap_memory(size_t size, size_t align) { return arena_.allocate(size, align); }
  HeapBlock* find_block(const void* p);

  // ---- labels ----
  void push_label(const char* l);
  void pop_label();
  std::string label_path(ThreadId t) const;

  // ---- what strategies and reports read ----
  const std::vector<Event>& events() const { return events_; }
  const std::vector<EventDetail>& details() const { return details_; }
  const std::vector<Decision>& schedule() const { return schedule_; }
  ExecutionEnd end() const { return end_; }
  // Earlier events that race with the event just committed (filled before on_event).
  std::span<const uint32_t> race_candidates() const { return {race_candidates_.data(), ncand_}; }
  // What a thread at its scheduling point (or finished) would do next; stale for a thread
  // that has run on past it (the running thread between two scheduling points).
  const PendingOp& pending(ThreadId t) const { return *threads_[t].pending; }
  int thread_count() const { return thread_count_; }
  ThreadMask live_mask() const;
  uint32_t preemptions() const { return preemptions_; }
  const std::vector<Finding>& findings() const { return findings_; }
  const std::vector<ObservedValue>& observations() const { return observations_; }
  // Events the strategy saw (a pruned run's unobserved tail is not counted).
  uint64_t event_count() const { return events_.size(); }
  bool draining() const { return draining_; }
  // Stacks this execution object took from the pool (one per thread slot, reused by every run).
  size_t stacks_used() const { return stacks_used_; }

  ExecutionLimits limits;

  // For the fault handler: true (and the fault recorded) when a model thread is running, whose
  // stack overflowed or whose code touched an invalid address: both end as findings.
  bool overflow_in_progress(const void* fault_addr);
  sigjmp_buf& host_jump() { return host_jump_; }

 private:
  friend struct ExecutionAccess;
  // A thread slot takes a stack from the pool once and keeps it for later executions.
  void give_stack(ThreadState& t) {
    if (t.stack.base) [[likely]]
      return;
    t.stack = stacks_.acquire();
    ++stacks_used_;
  }
  static constexpr ThreadId kHost = kMaxThreads;
  static void fiber_entry(ctx::transfer_t t);
  ctx::fcontext_t& context_of(ThreadId t) {
    return t == kHost ? host_context_ : threads_[t].context;
  }
  void switch_to(ThreadId to);
  [[noreturn]] void jump_away(ThreadId to);
  ThreadMask enabled_mask() const;
  ThreadId pick_next(ThreadId current);
  ThreadId pick_while_draining(ThreadId current);
  // Cold paths, kept out of the per-event functions so that those stay small.
  [[gnu::cold, gnu::noinline]] void step_bound_exceeded(ThreadId current);
  [[gnu::cold, gnu::noinline]] void log_visible(ObjectBase* obj, OpKind kind, uint32_t idx,
                                                const std::source_location& loc);
  [[gnu::cold, gnu::noinline]] void grow_shadows();
  [[noreturn]] void finish_thread();
  void end_with_no_runnable_thread();
  void report_stuck_threads();
  void record_exception(const char* what);
  void teardown();
  void reset();
  void end_checks();
  Finding make_finding(FindingKind kind, std::string name, std::string message,
                       const std::source_location& loc) const;

  // constinit + inline: no TLS wrapper call (UBSan mis-reports the wrapper on fiber stacks).
  static inline constinit thread_local Execution* current_ = nullptr;

  ThreadState threads_[kMaxThreads];
  int thread_count_ = 0;
  // Kept with the thread states so that enabledness costs a mask test per thread:
  // live threads past their first scheduling point, and those whose pending operation has a
  // readiness condition.
  ThreadMask started_ = 0;
  ThreadMask gated_ = 0;
  ThreadId running_ = kNoThread;
  ThreadId switch_from_ = kNoThread;
  ctx::fcontext_t host_context_ = nullptr;
  SanitizerSwitch san_;
  const void* host_stack_bottom_ = nullptr;
  size_t host_stack_size_ = 0;
  StackPool& stacks_;
  size_t stacks_used_ = 0;
  Strategy* strategy_ = nullptr;
  bool history_ = false;
  bool aborting_ = false;
  bool draining_ = false;       // pruned: running to the end unobserved
  uint64_t drained_steps_ = 0;  // steps of the pruned tail (not in the trace)
  bool done_ = false;
  bool keep_going_ = false;
  bool halted_ = false;     // keep_going: a thread exited on a finding in this execution
  bool completed_ = false;  // every thread finished
  ExecutionEnd end_ = ExecutionEnd::kComplete;
  uint32_t preemptions_ = 0;
  uint32_t next_object_id_ = 1;
  std::vector<ObjectShadow> shadows_;  // by object id (no reference is kept across a growth)
  uint32_t shadow_capacity_ = 0;       // shadows_.size(), without the division
  std::vector<Event> events_;
  std::vector<EventDetail> details_;
  std::vector<Decision> schedule_;
  std::vector<uint32_t> race_candidates_;  // sized, not filled: the first ncand_ are valid
  uint32_t observe_from_ = 0;              // the strategy's observe_from() for this execution
  size_t ncand_ = 0;
  std::vector<Finding> findings_;
  std::vector<ObservedValue> observations_;
  std::vector<std::unique_ptr<HeapBlock>> blocks_;  // the first nblocks_ are this execution's
  size_t nblocks_ = 0;
  Arena arena_;
  HeapBlock* constructing_ = nullptr;
  sigjmp_buf host_jump_;
  ThreadId overflowed_ = kNoThread;  // the thread that faulted (overflow or invalid access)
  bool fault_in_guard_ = false;      // the fault was in its stack's guard page
  const void* fault_addr_ = nullptr;
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
