// Instrumented locks and waiting: mutex (sleeping), spinlock, rwlock (spinning, as the
// kernel's rwlock_t), rw_semaphore (sleeping, with downgrade_write), kernel-style wait queues
// with explicit wake-ups, and await().
#pragma once

#include <source_location>

#include "checker/api/detail.h"

namespace mc {

class mutex : public ObjectBase {
 public:
  using SL = std::source_location;
  explicit mutex(const char* name = nullptr) : ObjectBase(name, "mutex") {}
  void lock(SL loc = SL::current());
  bool try_lock(SL loc = SL::current());
  void unlock(SL loc = SL::current());
  bool is_locked(SL loc = SL::current());
  ThreadId owner() const { return owner_; }

 protected:
  mutex(const char* name, const char* kind, bool spins) : ObjectBase(name, kind), spins_(spins) {}
  ThreadId owner_ = kNoThread;
  bool spins_ = false;
};

// A spinning lock: acquiring it enters atomic context (sleeping under it is a finding).
class spinlock : public mutex {
 public:
  explicit spinlock(const char* name = nullptr) : mutex(name, "spinlock", true) {}
};

class rwlock : public ObjectBase {
 public:
  using SL = std::source_location;
  explicit rwlock(const char* name = nullptr) : ObjectBase(name, "rwlock") {}
  void read_lock(SL loc = SL::current());
  bool read_trylock(SL loc = SL::current());
  void read_unlock(SL loc = SL::current());
  void write_lock(SL loc = SL::current());
  bool write_trylock(SL loc = SL::current());
  void write_unlock(SL loc = SL::current());
  int readers() const { return readers_; }
  ThreadId writer() const { return writer_; }

 protected:
  rwlock(const char* name, const char* kind, bool spins) : ObjectBase(name, kind), spins_(spins) {}
  // The running thread holds it for writing; else a "bad unlock balance" finding.
  bool check_write_held(Execution& ex, const char* verb, SL loc);
  bool spins_ = true;
  ThreadMask reader_mask_ = 0;
  int readers_ = 0;
  ThreadId writer_ = kNoThread;
  VectorClock readers_release_;  // what a writer acquires from the readers before it
};

// The kernel's struct rw_semaphore: an rwlock whose holders may sleep (taking it may sleep, so
// it is a finding in atomic context), and whose writer may turn its hold into a read hold
// without letting another writer in between (downgrade_write: readers waiting may go on).
class rw_semaphore : public rwlock {
 public:
  explicit rw_semaphore(const char* name = nullptr) : rwlock(name, "rw_semaphore", false) {}
  void downgrade_write(SL loc = SL::current());
};

// A kernel wait queue: prepare_to_wait, then sleep() until a wake_up() that comes after the
// prepare. A wake-up before prepare_to_wait is lost, as in the kernel, so a sleeper nobody
// wakes is a finding (lost wake-up), never a hang of the checker.
class waitqueue : public ObjectBase {
 public:
  using SL = std::source_location;
  explicit waitqueue(const char* name = nullptr) : ObjectBase(name, "waitqueue") {}
  void prepare_to_wait(SL loc = SL::current());
  void sleep(SL loc = SL::current());  // schedule(): returns at once if already woken
  void finish_wait(SL loc = SL::current());
  void wake_up_all(SL loc = SL::current());
  void wake_up_one(SL loc = SL::current());
  bool active(SL loc = SL::current());  // waitqueue_active()
  ThreadMask waiters() const { return waiters_; }

 private:
  void wake(bool all, SL loc);
  ThreadMask waiters_ = 0;
};

// Blocks the thread (disabled, not spinning) until `pred` holds; `pred` reads `obj` with
// peek() only. A wait that is never satisfied ends as a finding.
template <typename Pred>
void await(ObjectBase& obj, Pred pred, std::source_location loc = std::source_location::current()) {
  Execution* ex = detail::checked(obj);
  if (!ex) return;
  PendingOp op;
  op.kind = OpKind::kAwait;
  op.access = Access::kRead;
  op.obj = &obj;
  op.ready = [](const void* arg, ThreadId) { return (*static_cast<const Pred*>(arg))(); };
  op.arg = &pred;
  op.loc = loc;
  ex->schedule_point(op);
  detail::check_lifetime(*ex, obj, false, loc);
  ex->commit(&obj, OpKind::kAwait, Access::kRead, Acquire::kNone, loc);
  detail::acquire(*ex, obj, std::memory_order_acquire);
}

// Atomic context, as preempt_disable()/preempt_enable(): sleeping inside is a finding.
void preempt_disable();
void preempt_enable();
// Reports a finding if the running thread may not sleep here (the kernel's might_sleep()).
void might_sleep(const char* what, std::source_location loc = std::source_location::current());

}  // namespace mc
