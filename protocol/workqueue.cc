#include "protocol/workqueue.h"

namespace proto {

namespace {
constexpr unsigned long WORK_STRUCT_PENDING = 1;
constexpr unsigned kWorkerStop = 1u << 16;  // the model's way to end the worker thread

void unlink(workqueue_struct* wq, work_struct* work) {
  for (work_struct** p = &wq->first; *p; p = &(*p)->next)
    if (*p == work) {
      *p = work->next;
      work->next = nullptr;
      break;
    }
  work->queued.store(false);
  wq->nr_queued.fetch_sub(1);
}
}  // namespace

work_struct::work_struct(work_func_t f, const char* name)
    : func(f), data(0, name), queued(false, name), canceling(false, name) {}

workqueue_struct::workqueue_struct(const char* n) : name(n) {}

// queue_work (kernel/workqueue.c): test_and_set_bit(WORK_STRUCT_PENDING), then
// __queue_work inserts the work on the pool's worklist under pool->lock. The model sets the bit
// under pool->lock too: in the kernel's window between the two a work is pending but on no
// list, which only makes a concurrent cancel retry (try_to_grab_pending's -EAGAIN).
bool queue_work(workqueue_struct* wq, work_struct* work) {
  MC_FUNC("queue_work");
  wq->lock.lock();
  if (work->data.fetch_or(WORK_STRUCT_PENDING) & WORK_STRUCT_PENDING) {
    wq->lock.unlock();
    return false;
  }
  work_struct** p = &wq->first;
  while (*p) p = &(*p)->next;
  *p = work;
  work->queued.store(true);
  wq->nr_queued.fetch_add(1);
  wq->lock.unlock();
  return true;
}

// process_one_work: off the worklist, PENDING cleared (set_work_pool_and_clear_pending) and
// current_work set under pool->lock, then the function runs unlocked; afterwards only the
// worker's current_work is reset (the work item may be gone).
static bool process_one_work(workqueue_struct* wq) {
  wq->lock.lock();
  work_struct* work = wq->first;
  if (!work) {
    wq->lock.unlock();
    return false;
  }
  unlink(wq, work);
  wq->current_work.store(work);
  work->data.fetch_and(~WORK_STRUCT_PENDING);
  wq->lock.unlock();
  work->func(work);
  wq->lock.lock();
  wq->current_work.store(nullptr);
  wq->lock.unlock();
  return true;
}

void worker_thread(workqueue_struct* wq) {
  mc::set_thread_name("kworker");
  MC_FUNC("worker_thread");
  while (true) {
    mc::await(wq->nr_queued, [wq] { return wq->nr_queued.peek() != 0; });
    if (process_one_work(wq)) continue;
    if (wq->nr_queued.load() & kWorkerStop) return;
  }
}

void worker_stop(workqueue_struct* wq) { wq->nr_queued.fetch_add(kWorkerStop); }

void run_pending_works(workqueue_struct* wq) {
  MC_FUNC("process_one_work");
  while (process_one_work(wq)) {
  }
}

// cancel_work_sync: try_to_grab_pending takes PENDING (a queued work comes off the worklist;
// a second canceller waits for the first, WORK_OFFQ_CANCELING), then __flush_work waits for a
// running instance and the work's data is cleared. While the canceller holds PENDING,
// queue_work fails, so a function requeueing itself does not outlive the cancel.
bool cancel_work_sync(workqueue_struct* wq, work_struct* work) {
  MC_FUNC("cancel_work_sync");
  wq->lock.lock();
  while (work->canceling.load()) {
    wq->lock.unlock();
    mc::await(work->canceling, [work] { return !work->canceling.peek(); });
    wq->lock.lock();
  }
  const bool was_pending = work->data.fetch_or(WORK_STRUCT_PENDING) & WORK_STRUCT_PENDING;
  if (was_pending) unlink(wq, work);  // pending and not running: on the worklist
  work->canceling.store(true);
  wq->lock.unlock();
  mc::await(wq->current_work, [wq, work] { return wq->current_work.peek() != work; });
  wq->lock.lock();
  work->data.fetch_and(~WORK_STRUCT_PENDING);
  work->canceling.store(false);
  wq->lock.unlock();
  return was_pending;
}

}  // namespace proto
