// The engine allocates nothing per event and nothing per execution once its buffers have
// grown: every global operator new of this binary is counted (bench/alloc_count.cc), and the
// count of one exploration is compared with that of a longer one. A buffer that grows by
// doubling adds a few allocations as the run gets longer; an allocation per event or per
// execution would add thousands.
#include <gtest/gtest.h>

#include "bench/alloc_count.h"
#include "bench/steady_state.h"
#include "checker/explore/explorer.h"
#include "checker/mc.h"
#include "checker/programs/classic.h"
#include "test_support.h"

namespace {

struct Measured {
  uint64_t allocations;
  mc::RunResult result;
};

// Allocations made by one exploration, from setting it up to judging its result.
Measured explore_counting(const mc::TestCase& t, const mc::Params& p) {
  mc::ExploreOptions o;
  const uint64_t before = mcbench::allocations();
  mc::RunResult r = mc::explore(t, p, o);
  const uint64_t made = mcbench::allocations() - before;
  return {made, std::move(r)};
}

// The bench's steady-state program: the events grow with n, the executions with runs.
mc::TestCase loads_case(int n, uint32_t runs) {
  return mctest::make_case("loads", [n, runs] { mcbench::independent_loads(n, runs); });
}

// Three threads racing on an atomic, a lock and the plain counter it protects, each making
// and freeing a block of the model heap, with final states observed under names too long for
// a short-string buffer: races, wakeup trees, sleep sets, the data-race shadow, the model
// heap and the outcome table all work in every execution.
mc::TestCase racing_case(uint32_t runs) {
  return mctest::make_case("racing", [runs] {
    (void)mc::choose(runs);
    mc::atomic<int> x(0, "x");
    mc::mutex lock("lock");
    mc::plain<int> counter(0, "counter");
    mc::atomic<int> first(-1, "first");
    struct Scratch {
      mc::atomic<int> value{0, "scratch"};
      char bytes[200] = {};
    };
    auto body = [&](int me) {
      Scratch* mine = mc::make_named<Scratch>("scratch", std::source_location::current());
      mine->value.store(me);
      mc::free(mine);
      int none = -1;
      first.compare_exchange_strong(none, me);
      x.fetch_add(1);
      lock.lock();
      counter.store(counter.load() + 1);
      lock.unlock();
    };
    mc::thread a = mc::spawn([&] { body(1); });
    mc::thread b = mc::spawn([&] { body(2); });
    mc::thread c = mc::spawn([&] { body(3); });
    a.join();
    b.join();
    c.join();
    mc::observe("the_first_thread_to_arrive", first.load());
    mc::observe("the_counter_after_every_thread", counter.load());
  });
}

TEST(Allocations, NoneThatGrowWithTheEvents) {
  const mc::Params p;
  const Measured short_run = explore_counting(loads_case(1000, 3), p);
  const Measured long_run = explore_counting(loads_case(16000, 3), p);
  ASSERT_EQ(short_run.result.complete, 3u);
  ASSERT_EQ(long_run.result.complete, 3u);
  const uint64_t more_events = long_run.result.events - short_run.result.events;
  ASSERT_GT(more_events, 80000u);
  // Buffers double: 16 times the events is four more doublings of each per-event buffer.
  EXPECT_LE(long_run.allocations, short_run.allocations + 24)
      << short_run.allocations << " allocations for " << short_run.result.events << " events, "
      << long_run.allocations << " for " << long_run.result.events;
}

TEST(Allocations, NoneThatGrowWithTheExecutions) {
  const mc::Params p;
  // A warm-up, so that the pool of thread stacks is made before either count.
  (void)explore_counting(racing_case(1), p);
  const Measured few = explore_counting(racing_case(2), p);
  const Measured many = explore_counting(racing_case(40), p);
  ASSERT_TRUE(few.result.exhausted);
  ASSERT_TRUE(many.result.exhausted);
  ASSERT_EQ(many.result.complete, 20 * few.result.complete);
  ASSERT_GT(few.result.complete, 10u);
  ASSERT_GE(few.result.outcomes.size(), 3u);
  // The same outcomes are met again and again: copied into the table once each.
  EXPECT_EQ(many.result.outcomes.size(), few.result.outcomes.size());
  EXPECT_LE(many.allocations, few.allocations + 8)
      << few.allocations << " allocations for " << few.result.complete << " executions, "
      << many.allocations << " for " << many.result.complete;
}

TEST(Allocations, ReadersAllocatesNothingPerExecution) {
  mc::Registry r;
  mc::register_classic_programs(r);
  const mc::TestCase* readers = r.find("classic/readers");
  ASSERT_NE(readers, nullptr);
  auto params = [&](const char* n) {
    mc::Params p;
    EXPECT_EQ(mc::resolve_params(*readers, {{"n", n}}, &p), "");
    return p;
  };
  (void)explore_counting(*readers, params("10"));  // warm-up: stacks for every thread
  const Measured few = explore_counting(*readers, params("6"));
  const Measured many = explore_counting(*readers, params("10"));
  ASSERT_EQ(few.result.complete, 64u);
  ASSERT_EQ(many.result.complete, 1024u);
  EXPECT_LE(many.allocations, few.allocations + 16)
      << few.allocations << " allocations for 64 executions, " << many.allocations << " for 1024";
}

}  // namespace
