// Each page has its own wait queue in the model (the kernel hashes pages into a shared
// table; a shared bucket only adds spurious wake-ups, which every waiter loop tolerates).
// Waking: the kernel wakes every non-exclusive waiter and one exclusive one whose bit is
// clear; the model wakes every waiter when the bit is clear (extra waiters re-check and sleep
// again), so the only lost wake-ups it can show are the ones where the kernel wakes nobody.
#include "protocol/page_lock.h"

#include "protocol/version.h"

namespace proto {

namespace {

bool test_and_set_bit_lock(page* p, SL loc) {
  return p->flags.fetch_or(bit(PG_locked), std::memory_order_acquire, loc) & bit(PG_locked);
}

bool queued(page* p) { return p->wait.waiters() & (1u << mc::Execution::current()->self()); }

// __wait_on_bit_lock / __wait_on_bit on bit_waitqueue(page, PG_locked) (sched/wait.c, 4.8).
void wait_on_bit_48(page* p, bool lock, SL loc) {
  while (true) {
    p->wait.prepare_to_wait(loc);
    if (test_bit(PG_locked, p, loc)) p->wait.sleep(loc);  // io_schedule
    if (lock ? !test_and_set_bit_lock(p, loc) : !test_bit(PG_locked, p, loc)) break;
  }
  p->wait.finish_wait(loc);
}

// SetPageWaiters (page-flags.h, 4.10 62906027091f): an atomic set_bit, made under q->lock.
void SetPageWaiters(page* p, SL loc) {
  MC_FUNC("SetPageWaiters");
  set_bit(PG_waiters, p, loc);
}

// wait_on_page_bit_common (filemap.c, 4.10 b91e1302ad9b).
void wait_on_page_bit_common(page* p, bool lock, SL loc) {
  MC_FUNC("wait_on_page_bit_common");
  while (true) {
    p->wait_lock.lock(loc);  // spin_lock_irq(&q->lock)
    const bool was_queued = queued(p);
    p->wait.prepare_to_wait(loc);  // __add_wait_queue(_entry_tail_exclusive) + set_current_state
    if (!was_queued) SetPageWaiters(p, loc);  // under q->lock
    p->wait_lock.unlock(loc);
    if (test_bit(PG_locked, p, loc)) p->wait.sleep(loc);  // io_schedule
    if (lock) {
      if (!test_and_set_bit_lock(p, loc)) break;
    } else if (!test_bit(PG_locked, p, loc)) {
      break;
    }
  }
  p->wait.finish_wait(loc);
}

// wake_up_page_bit (filemap.c, 4.10).
void wake_up_page_bit(page* p, SL loc) {
  MC_FUNC("wake_up_page_bit");
  p->wait_lock.lock(loc);
  const bool had_waiters = p->wait.waiters() != 0;  // key.page_match: an entry for this page
  // wake_page_function: not woken while the bit is set again.
  if (!test_bit(PG_locked, p, loc)) p->wait.wake_up_all(loc);
  if (!p->wait.active(loc) || !had_waiters) clear_bit(PG_waiters, p, loc);  // ClearPageWaiters
  p->wait_lock.unlock(loc);
}

}  // namespace

void __SetPageLocked(page* p, SL loc) { __set_bit(PG_locked, p, loc); }

// trylock_page (pagemap.h 4.8-6.17): test_and_set_bit_lock, never sleeps.
bool trylock_page(page* p, SL loc) { return !test_and_set_bit_lock(p, loc); }

// lock_page (pagemap.h 4.8; __lock_page filemap.c 4.8 / 4.10)
void lock_page(page* p, SL loc) {
  MC_FUNC("lock_page");
  mc::might_sleep("lock_page", loc);
  if (trylock_page(p, loc)) return;
  if (kcfg().pg_waiters())
    wait_on_page_bit_common(p, true, loc);
  else
    wait_on_bit_48(p, true, loc);
}

// unlock_page (filemap.c 4.8: clear, mb, wake_up_page; 4.10+: one RMW that clears PG_locked
// and reports PG_waiters of the same byte, clear_bit_unlock_is_negative_byte).
void unlock_page(page* p, SL loc) {
  MC_FUNC("unlock_page");
  const unsigned long old = p->flags.fetch_and(~bit(PG_locked), std::memory_order_release, loc);
  VM_BUG_ON_PAGE(!(old & bit(PG_locked)), p, "!PageLocked(page)", loc);
  if (kcfg().pg_waiters()) {
    if (old & bit(PG_waiters)) wake_up_page_bit(p, loc);
    return;
  }
  mc::fence(std::memory_order_seq_cst, loc);  // smp_mb__after_atomic
  // __wake_up_bit: lock-free waitqueue_active, then wake_bit_function skips if the bit is set.
  if (p->wait.active(loc)) {
    p->wait_lock.lock(loc);
    if (!test_bit(PG_locked, p, loc)) p->wait.wake_up_all(loc);
    p->wait_lock.unlock(loc);
  }
}

// wait_on_page_locked (pagemap.h 4.8; wait_on_page_bit 4.10+)
void wait_on_page_locked(page* p, SL loc) {
  MC_FUNC("wait_on_page_locked");
  mc::might_sleep("wait_on_page_locked", loc);
  if (!test_bit(PG_locked, p, loc)) return;
  if (kcfg().pg_waiters())
    wait_on_page_bit_common(p, false, loc);
  else
    wait_on_bit_48(p, false, loc);
}

// migration_entry_wait_on_locked (filemap.c, ffa65753c431, 5.17): queued on the page's wait
// queue (PG_waiters set under q->lock) while the caller's page table lock still keeps the
// page from being freed, then the PTL dropped and the sleep until the unlock's wake-up; the
// page is not touched after the PTL is dropped. Not queued if the page is unlocked already.
void migration_entry_wait_on_locked(page* p, mc::spinlock& ptl, SL loc) {
  MC_FUNC("migration_entry_wait_on_locked");
  p->wait_lock.lock(loc);
  SetPageWaiters(p, loc);
  const bool queue = test_bit(PG_locked, p, loc);  // folio_trylock_flag
  if (queue) p->wait.prepare_to_wait(loc);
  p->wait_lock.unlock(loc);
  ptl.unlock(loc);
  mc::might_sleep("migration_entry_wait_on_locked", loc);
  if (!queue) return;
  p->wait.sleep(loc);
  p->wait.finish_wait(loc);
}

}  // namespace proto
