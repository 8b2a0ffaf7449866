// Two threads increment a shared counter: without a lock the plain accesses race (a data race:
// the engine reports it where a lost update could start), under a mutex they do not. The
// program checks both models exhaustively and exits 0 when the checker says exactly that.
#include <cstdio>

#include "checker/explore/explorer.h"
#include "checker/mc.h"

namespace {

void increment_twice(bool locked) {
  mc::plain<int> counter(0, "counter");
  mc::mutex lock("counter_lock");
  auto increment = [&] {
    if (locked) lock.lock();
    counter.store(counter.load() + 1);
    if (locked) lock.unlock();
  };
  mc::run_concurrently(increment, increment);
  MC_ASSERT(counter.load() == 2, "an increment was lost: counter = %d", counter.load());
}

mc::RunResult check(const char* name, bool locked) {
  mc::TestCase t;
  t.name = name;
  t.body = [locked](const mc::Params&) { increment_twice(locked); };
  mc::ExploreOptions o;
  o.all_findings = true;
  const mc::RunResult r = mc::explore(t, mc::Params(), o);
  std::printf("%s: %llu executions, %s; findings:", name,
              static_cast<unsigned long long>(r.complete),
              r.exhausted ? "exhaustive" : "not exhaustive");
  for (const std::string& k : mc::finding_kinds(r)) std::printf(" %s", k.c_str());
  std::printf("\n");
  return r;
}

}  // namespace

int main() {
  const mc::RunResult racy = check("counter/unlocked", false);
  const mc::RunResult locked = check("counter/locked", true);
  const bool ok = racy.exhausted && locked.exhausted &&
                  mc::finding_kinds(racy) == std::vector<std::string>{"data-race"} &&
                  mc::finding_kinds(locked).empty();
  std::printf("%s\n", ok ? "as expected" : "NOT as expected");
  return ok ? 0 : 1;
}
