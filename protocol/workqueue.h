// Work items and a workqueue with one worker (kernel/workqueue.c, as its callers see it):
// queue_work sets a work's PENDING bit and queues it unless it was set; the worker clears
// PENDING before it runs the function, so a work may requeue itself; cancel_work_sync takes
// PENDING (a queue_work meanwhile fails), unqueues the work and waits for a running instance.
// The pool lock also guards the model's own state of each work (queued, canceling). Which work
// the worker runs is the worker's (current_work), as in the kernel, which never touches a work
// item after its function returned: the function may free it.
// One worker thread per workqueue (system_freezable_wq has more; see docs/protocol.md).
#pragma once

#include "checker/mc.h"

namespace proto {

struct work_struct;
using work_func_t = void (*)(work_struct*);

struct work_struct {
  work_struct(work_func_t f, const char* name);
  work_func_t func;
  void* container = nullptr;  // what container_of(work, ...) gives the function
  // work->data: bit 0 WORK_STRUCT_PENDING.
  mc::atomic<unsigned long> data;
  // Model state under the pool lock: queued on the worklist.
  mc::plain<bool> queued;
  mc::plain<bool> canceling;  // a cancel_work_sync holds PENDING (WORK_OFFQ_CANCELING)
  work_struct* next = nullptr;
};

struct workqueue_struct {
  explicit workqueue_struct(const char* name);
  const char* name;
  mc::spinlock lock{"pool->lock"};
  work_struct* first = nullptr;  // the worklist, under lock
  // The worker's wake-up word: the number of queued works, and kWorkerStop.
  mc::atomic<unsigned> nr_queued{0, "pool->worklist"};
  // worker->current_work: the work whose function runs now (cancel_work_sync waits for it).
  mc::atomic<work_struct*> current_work{nullptr, "worker->current_work"};
};

// true if the work was queued, false if it was already pending.
bool queue_work(workqueue_struct* wq, work_struct* work);
// true if the work was pending; on return it is neither pending nor running.
bool cancel_work_sync(workqueue_struct* wq, work_struct* work);
// The worker thread's loop (worker_thread / process_one_work) until worker_stop.
void worker_thread(workqueue_struct* wq);
void worker_stop(workqueue_struct* wq);
// Runs the works queued now in the calling thread (a scenario without a worker thread).
void run_pending_works(workqueue_struct* wq);

}  // namespace proto
