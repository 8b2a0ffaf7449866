#include "checker/api/sync.h"

#include <bit>
#include <string>

namespace mc {

namespace {

PendingOp op(OpKind kind, Access access, const ObjectBase* obj, const std::source_location& loc,
             bool (*ready)(const void*, ThreadId) = nullptr, const void* arg = nullptr) {
  PendingOp p;
  p.kind = kind;
  p.access = access;
  p.obj = obj;
  p.ready = ready;
  p.arg = arg;
  p.loc = loc;
  return p;
}

void describe(Execution& ex, ObjectBase* o, const char* what) {
  if (ex.history()) ex.describe_last(o, what, std::memory_order_seq_cst, false);
}

void enter_atomic(Execution& ex) { ++ex.thread(ex.self()).atomic_depth; }
void leave_atomic(Execution& ex) {
  int& d = ex.thread(ex.self()).atomic_depth;
  if (d > 0) --d;
}

}  // namespace

// ---- mutex / spinlock ----

void mutex::lock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    owner_ = 0;
    return;
  }
  if (!spins_) detail::might_sleep(*ex, "mutex_lock", loc);
  ex->schedule_point(op(
      OpKind::kLock, Access::kWrite, this, loc,
      [](const void* a, ThreadId) { return static_cast<const mutex*>(a)->owner_ == kNoThread; },
      this));
  detail::check_lifetime(*ex, *this, true, loc);
  owner_ = ex->self();
  ex->commit(this, OpKind::kLock, Access::kWrite, Acquire::kExclusive, loc);
  detail::acquire(*ex, *this, std::memory_order_acquire);
  if (spins_) enter_atomic(*ex);
  describe(*ex, this, "acquired");
}

bool mutex::try_lock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    if (owner_ != kNoThread) return false;
    owner_ = 0;
    return true;
  }
  PendingOp pending = op(OpKind::kTryLock, Access::kWrite, this, loc);
  pending.would_write = [](const void* a) {
    return static_cast<const mutex*>(a)->owner_ == kNoThread;
  };
  pending.predict_arg = this;
  ex->schedule_point(pending);
  detail::check_lifetime(*ex, *this, true, loc);
  if (owner_ == kNoThread) {
    owner_ = ex->self();
    ex->commit(this, OpKind::kTryLock, Access::kWrite, Acquire::kExclusive, loc);
    detail::acquire(*ex, *this, std::memory_order_acquire);
    if (spins_) enter_atomic(*ex);
    describe(*ex, this, "acquired");
    return true;
  }
  ex->commit(this, OpKind::kTryLockFail, Access::kRead, Acquire::kNone, loc);
  if (ex->history())
    ex->describe_last(this, "busy (held by T" + std::to_string(owner_) + ")",
                      std::memory_order_seq_cst, false);
  return false;
}

void mutex::unlock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    owner_ = kNoThread;
    return;
  }
  if (owner_ != ex->self()) {
    ex->fail(ex->violation(
        "bad unlock balance",
        ex->thread_label(ex->self()) + " releases " + display_name() +
            (owner_ == kNoThread ? " which is not held" : " held by T" + std::to_string(owner_)),
        loc));
    return;
  }
  ex->schedule_point(op(OpKind::kUnlock, Access::kWrite, this, loc));
  detail::check_lifetime(*ex, *this, true, loc);
  owner_ = kNoThread;
  ex->commit(this, OpKind::kUnlock, Access::kWrite, Acquire::kNone, loc);
  detail::release(*ex, *this, std::memory_order_release, false);
  if (spins_) leave_atomic(*ex);
  describe(*ex, this, "released");
}

bool mutex::is_locked(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) return owner_ != kNoThread;
  ex->schedule_point(op(OpKind::kLoad, Access::kRead, this, loc));
  detail::check_lifetime(*ex, *this, false, loc);
  const bool held = owner_ != kNoThread;
  ex->commit(this, OpKind::kLoad, Access::kRead, Acquire::kNone, loc);
  describe(*ex, this, held ? "locked" : "unlocked");
  return held;
}

// ---- rwlock ----

void rwlock::read_lock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    ++readers_;
    return;
  }
  if (!spins_) detail::might_sleep(*ex, "down_read", loc);
  ex->schedule_point(op(
      OpKind::kReadLock, Access::kRead, this, loc,
      [](const void* a, ThreadId) { return static_cast<const rwlock*>(a)->writer_ == kNoThread; },
      this));
  detail::check_lifetime(*ex, *this, false, loc);
  ++readers_;
  reader_mask_ |= thread_bit(ex->self());
  ex->commit(this, OpKind::kReadLock, Access::kRead, Acquire::kShared, loc);
  detail::acquire(*ex, *this, std::memory_order_acquire);
  if (spins_) enter_atomic(*ex);
  describe(*ex, this, "read-acquired");
}

bool rwlock::read_trylock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    if (writer_ != kNoThread) return false;
    ++readers_;
    return true;
  }
  ex->schedule_point(op(OpKind::kTryReadLock, Access::kRead, this, loc));
  detail::check_lifetime(*ex, *this, false, loc);
  if (writer_ == kNoThread) {
    ++readers_;
    reader_mask_ |= thread_bit(ex->self());
    ex->commit(this, OpKind::kTryReadLock, Access::kRead, Acquire::kShared, loc);
    detail::acquire(*ex, *this, std::memory_order_acquire);
    if (spins_) enter_atomic(*ex);
    describe(*ex, this, "read-acquired");
    return true;
  }
  ex->commit(this, OpKind::kTryLockFail, Access::kRead, Acquire::kNone, loc);
  describe(*ex, this, "busy (write-held)");
  return false;
}

void rwlock::read_unlock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    --readers_;
    return;
  }
  if (!(reader_mask_ & (thread_bit(ex->self())))) {
    ex->fail(ex->violation("bad unlock balance",
                           ex->thread_label(ex->self()) + " read-releases " + display_name() +
                               " which it does not read-hold",
                           loc));
    return;
  }
  ex->schedule_point(op(OpKind::kReadUnlock, Access::kRead, this, loc));
  detail::check_lifetime(*ex, *this, false, loc);
  --readers_;
  reader_mask_ &= ~(thread_bit(ex->self()));
  ex->commit(this, OpKind::kReadUnlock, Access::kRead, Acquire::kNone, loc);
  readers_release_.join(ex->thread(ex->self()).sync);
  if (spins_) leave_atomic(*ex);
  describe(*ex, this, "read-released");
}

void rwlock::write_lock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    writer_ = 0;
    return;
  }
  if (!spins_) detail::might_sleep(*ex, "down_write", loc);
  ex->schedule_point(op(
      OpKind::kLock, Access::kWrite, this, loc,
      [](const void* a, ThreadId) {
        auto* l = static_cast<const rwlock*>(a);
        return l->writer_ == kNoThread && l->readers_ == 0;
      },
      this));
  detail::check_lifetime(*ex, *this, true, loc);
  writer_ = ex->self();
  ex->commit(this, OpKind::kLock, Access::kWrite, Acquire::kExclusive, loc);
  detail::acquire(*ex, *this, std::memory_order_acquire);
  ex->thread(ex->self()).sync.join(readers_release_);
  if (spins_) enter_atomic(*ex);
  describe(*ex, this, "write-acquired");
}

bool rwlock::write_trylock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    if (writer_ != kNoThread || readers_) return false;
    writer_ = 0;
    return true;
  }
  ex->schedule_point(op(OpKind::kTryLock, Access::kWrite, this, loc));
  detail::check_lifetime(*ex, *this, true, loc);
  if (writer_ == kNoThread && readers_ == 0) {
    writer_ = ex->self();
    ex->commit(this, OpKind::kTryLock, Access::kWrite, Acquire::kExclusive, loc);
    detail::acquire(*ex, *this, std::memory_order_acquire);
    ex->thread(ex->self()).sync.join(readers_release_);
    if (spins_) enter_atomic(*ex);
    describe(*ex, this, "write-acquired");
    return true;
  }
  // Unlike a failed mutex trylock, this one is a write for the dependency relation: it fails
  // on readers, whose acquisitions and releases are reads of the lock (they commute with each
  // other), so it must conflict with them.
  ex->commit(this, OpKind::kTryLockFail, Access::kWrite, Acquire::kNone, loc);
  describe(*ex, this, "busy");
  return false;
}

bool rwlock::check_write_held(Execution& ex, const char* verb, SL loc) {
  if (writer_ == ex.self()) return true;
  ex.fail(ex.violation("bad unlock balance",
                       ex.thread_label(ex.self()) + " " + verb + " " + display_name() +
                           " which it does not write-hold",
                       loc));
  return false;
}

void rwlock::write_unlock(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    writer_ = kNoThread;
    return;
  }
  if (!check_write_held(*ex, "write-releases", loc)) return;
  ex->schedule_point(op(OpKind::kUnlock, Access::kWrite, this, loc));
  detail::check_lifetime(*ex, *this, true, loc);
  writer_ = kNoThread;
  ex->commit(this, OpKind::kUnlock, Access::kWrite, Acquire::kNone, loc);
  detail::release(*ex, *this, std::memory_order_release, false);
  if (spins_) leave_atomic(*ex);
  describe(*ex, this, "write-released");
}

// The writer becomes a reader in one step: a release of the write hold (readers waiting may
// take the lock, and what the writer wrote happens before what they read) that keeps a read
// hold, so a writer waiting still waits for this thread's up_read.
void rw_semaphore::downgrade_write(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) {
    writer_ = kNoThread;
    ++readers_;
    return;
  }
  if (!check_write_held(*ex, "downgrades", loc)) return;
  ex->schedule_point(op(OpKind::kDowngrade, Access::kWrite, this, loc));
  detail::check_lifetime(*ex, *this, true, loc);
  writer_ = kNoThread;
  ++readers_;
  reader_mask_ |= thread_bit(ex->self());
  ex->commit(this, OpKind::kDowngrade, Access::kWrite, Acquire::kNone, loc);
  detail::release(*ex, *this, std::memory_order_release, false);
  describe(*ex, this, "downgraded (read-held)");
}

// ---- wait queues ----

void waitqueue::prepare_to_wait(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) return;
  ex->schedule_point(op(OpKind::kPrepareWait, Access::kWrite, this, loc));
  detail::check_lifetime(*ex, *this, true, loc);
  waiters_ |= thread_bit(ex->self());
  ex->thread(ex->self()).woken = false;
  ex->commit(this, OpKind::kPrepareWait, Access::kWrite, Acquire::kNone, loc);
  detail::acquire(*ex, *this, std::memory_order_acquire);
  detail::release(*ex, *this, std::memory_order_release, true);
  describe(*ex, this, "queued");
}

void waitqueue::sleep(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) return;
  detail::might_sleep(*ex, "schedule", loc);
  ex->schedule_point(op(OpKind::kSleep, Access::kRead, this, loc, [](const void*, ThreadId self) {
    return Execution::current()->thread(self).woken;
  }));
  detail::check_lifetime(*ex, *this, false, loc);
  ex->thread(ex->self()).woken = false;
  ex->commit(this, OpKind::kSleep, Access::kRead, Acquire::kNone, loc);
  detail::acquire(*ex, *this, std::memory_order_acquire);
  describe(*ex, this, "woken");
}

void waitqueue::finish_wait(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) return;
  ex->schedule_point(op(OpKind::kPrepareWait, Access::kWrite, this, loc));
  detail::check_lifetime(*ex, *this, true, loc);
  waiters_ &= ~(thread_bit(ex->self()));
  ex->commit(this, OpKind::kPrepareWait, Access::kWrite, Acquire::kNone, loc);
  detail::release(*ex, *this, std::memory_order_release, true);
  describe(*ex, this, "dequeued");
}

void waitqueue::wake(bool all, SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) return;
  ex->schedule_point(op(OpKind::kWake, Access::kWrite, this, loc));
  detail::check_lifetime(*ex, *this, true, loc);
  ThreadMask woken = 0;
  for (ThreadMask m = waiters_; m; m &= m - 1) {
    const int t = std::countr_zero(m);
    ex->thread(t).woken = true;
    waiters_ &= ~thread_bit(t);
    woken |= thread_bit(t);
    if (!all) break;
  }
  ex->commit(this, OpKind::kWake, Access::kWrite, Acquire::kNone, loc);
  detail::release(*ex, *this, std::memory_order_release, true);
  if (ex->history()) {
    std::string s = woken ? "woke" : "nobody waiting";
    for (ThreadMask m = woken; m; m &= m - 1) s += " T" + std::to_string(std::countr_zero(m));
    ex->describe_last(this, s, std::memory_order_seq_cst, false);
  }
}

void waitqueue::wake_up_all(SL loc) { wake(true, loc); }
void waitqueue::wake_up_one(SL loc) { wake(false, loc); }

bool waitqueue::active(SL loc) {
  Execution* ex = detail::checked(*this);
  if (!ex) return waiters_ != 0;
  ex->schedule_point(op(OpKind::kLoad, Access::kRead, this, loc));
  detail::check_lifetime(*ex, *this, false, loc);
  const bool any = waiters_ != 0;
  ex->commit(this, OpKind::kLoad, Access::kRead, Acquire::kNone, loc);
  describe(*ex, this, any ? "has waiters" : "empty");
  return any;
}

void preempt_disable() {
  if (Execution* ex = Execution::current(); ex && !ex->aborting()) enter_atomic(*ex);
}
void preempt_enable() {
  if (Execution* ex = Execution::current(); ex && !ex->aborting()) leave_atomic(*ex);
}
void might_sleep(const char* what, std::source_location loc) {
  if (Execution* ex = Execution::current(); ex && !ex->aborting())
    detail::might_sleep(*ex, what, loc);
}

}  // namespace mc
