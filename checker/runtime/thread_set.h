// The model threads of an execution: each one's state (its fiber and stack, its pending
// operation, its clocks, its labels), and the masks that make enabledness a bit test.
#pragma once

#include <bit>
#include <string>

#include "checker/runtime/fiber.h"
#include "checker/runtime/inline_function.h"
#include "checker/runtime/labels.h"
#include "checker/runtime/op.h"
#include "checker/runtime/vector_clock.h"

namespace mc {

inline ThreadMask thread_mask_of(ThreadId t) { return ThreadMask{1} << t; }

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
  const char* name = nullptr;  // the model's name for the thread ("P0"), or null: "T<n>"
  int32_t spawn_detail = -1;   // history mode: the trace entry of its spawn, named after it
  // Where the input driving the model is (e.g. a litmus statement), described on demand.
  const void* origin = nullptr;
  std::string (*describe_origin)(const void*) = nullptr;
  Stack stack;
  ctx::fcontext_t context = nullptr;
  InlineFunction<96> body;

  // The function labels the thread is inside, outermost first: "zs_page_migrate > trypin_tag".
  std::string label_path() const { return join_labels(labels, label_depth); }
};

class ThreadSet {
 public:
  ThreadSet() : stacks_(shared_stack_pool()) {}
  ~ThreadSet();
  ThreadSet(const ThreadSet&) = delete;
  ThreadSet& operator=(const ThreadSet&) = delete;

  ThreadState& operator[](ThreadId t) { return threads_[t]; }
  const ThreadState& operator[](ThreadId t) const { return threads_[t]; }
  int count() const { return count_; }
  // A new thread slot (fresh: reset() cleared every state used last time), with its stack.
  ThreadId add() {
    const ThreadId t = count_++;
    give_stack(threads_[t]);
    return t;
  }
  // Every thread slot used by the last execution made ready for the next one.
  void reset();

  // Threads past their first scheduling point whose pending operation can run now.
  ThreadMask enabled() const {
    ThreadMask m = started & ~gated;
    for (ThreadMask g = started & gated; g; g &= g - 1) {
      const int t = std::countr_zero(g);
      const PendingOp& op = *threads_[t].pending;
      if (op.ready(op.arg, t)) m |= thread_mask_of(t);
    }
    return m;
  }
  ThreadMask live() const;
  // The thread waits at a scheduling point to run `op`.
  void set_pending(ThreadId t, const PendingOp& op) {
    threads_[t].pending = &op;
    threads_[t].pending_loc = op.loc;
    if (op.ready)
      gated |= thread_mask_of(t);
    else
      gated &= ~thread_mask_of(t);
  }
  // Stacks taken from the pool (one per thread slot, reused by every execution).
  size_t stacks_used() const { return stacks_used_; }

  // Live threads past their first scheduling point, and those whose pending operation has a
  // readiness condition: kept with the states so that enabledness costs a mask test each.
  ThreadMask started = 0;
  ThreadMask gated = 0;

 private:
  // A thread slot takes a stack from the pool once and keeps it for later executions.
  void give_stack(ThreadState& t) {
    if (t.stack.base) [[likely]]
      return;
    t.stack = stacks_.acquire();
    ++stacks_used_;
  }

  ThreadState threads_[kMaxThreads];
  int count_ = 0;
  StackPool& stacks_;
  size_t stacks_used_ = 0;
};

}  // namespace mc
