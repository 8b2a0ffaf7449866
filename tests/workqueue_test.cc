// Unit tests of the work items of the protocol model (protocol/workqueue.h): what callers of
// queue_work and cancel_work_sync rely on, checked exhaustively by DPOR and by naive DFS.
#include "protocol/workqueue.h"

#include <gtest/gtest.h>

#include <string>

#include "checker/explore/explorer.h"

namespace {

using proto::work_struct;
using proto::workqueue_struct;

std::string answer_of(const mc::RunResult& r) {
  if (r.counterexample)
    return r.counterexample->finding.kind_string() + ": " + r.counterexample->finding.message;
  return r.exhausted ? "" : "(incomplete search)";
}

// The work counts its runs; `again` makes it requeue itself once.
struct Counted {
  explicit Counted(bool again) : requeue(again) {}
  workqueue_struct wq{"wq"};
  work_struct work{run, "work"};
  mc::atomic<int> runs{0, "runs"};
  bool requeue;
  static void run(work_struct* w) {
    auto* c = static_cast<Counted*>(w->container);
    if (c->runs.fetch_add(1) == 0 && c->requeue) proto::queue_work(&c->wq, w);
  }
};

// Runs `body` under both searches; both must exhaust with the same answer, which is returned.
std::string finding_under_both(void (*body)()) {
  mc::TestCase t;
  t.name = "workqueue";
  t.body = [body](const mc::Params&) { body(); };
  std::string answer[2];
  const char* strategies[2] = {"dpor", "dfs"};
  for (int i = 0; i < 2; ++i) {
    mc::ExploreOptions o;
    o.strategy = strategies[i];
    o.minimize = false;
    answer[i] = answer_of(mc::explore(t, mc::Params(), o));
  }
  EXPECT_EQ(answer[0], answer[1]) << "DPOR and naive DFS disagree";
  return answer[0];
}

TEST(Workqueue, QueueingAPendingWorkIsRefusedAndItRunsOnce) {
  EXPECT_EQ(finding_under_both([] {
              Counted c(false);
              c.work.container = &c;
              MC_ASSERT(proto::queue_work(&c.wq, &c.work));
              MC_ASSERT(!proto::queue_work(&c.wq, &c.work));
              proto::run_pending_works(&c.wq);
              MC_ASSERT(c.runs.load() == 1);
              MC_ASSERT(proto::queue_work(&c.wq, &c.work));  // no longer pending
              proto::run_pending_works(&c.wq);
              MC_ASSERT(c.runs.load() == 2);
            }),
            "");
}

TEST(Workqueue, AWorkMayRequeueItselfFromItsFunction) {
  EXPECT_EQ(finding_under_both([] {
              Counted c(true);
              c.work.container = &c;
              mc::thread worker = mc::spawn([&c] { proto::worker_thread(&c.wq); });
              proto::queue_work(&c.wq, &c.work);
              mc::await(c.runs, [&c] { return c.runs.peek() == 2; });
              proto::worker_stop(&c.wq);
              worker.join();
              MC_ASSERT(c.runs.load() == 2);
            }),
            "");
}

// Whatever the interleaving of a queueing, a cancel and the worker (whose function requeues
// the work once), once the last cancel_work_sync returns nothing runs any more: a cancel that
// did not wait for the running function would let its requeueing run after it.
TEST(Workqueue, NothingRunsAfterCancelWorkSyncReturns) {
  EXPECT_EQ(finding_under_both([] {
              Counted c(true);
              c.work.container = &c;
              mc::thread worker = mc::spawn([&c] { proto::worker_thread(&c.wq); });
              mc::thread queuer = mc::spawn([&c] { proto::queue_work(&c.wq, &c.work); });
              proto::cancel_work_sync(&c.wq, &c.work);
              queuer.join();  // it may have queued the work again after the cancel
              proto::cancel_work_sync(&c.wq, &c.work);
              const int settled = c.runs.load();
              MC_ASSERT(!c.work.queued.peek() && !(c.work.data.peek() & 1));
              proto::worker_stop(&c.wq);
              worker.join();
              MC_ASSERT(c.runs.load() == settled);
            }),
            "");
}

}  // namespace
