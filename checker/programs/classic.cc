// Validation programs for the engine: the SC litmus classics with their outcome sets, mutual
// exclusion (correct and broken), and the DPOR benchmarks with published optimal counts.
#include "checker/programs/classic.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "checker/mc.h"

namespace mc {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;

// The programs' own bookkeeping allocates nothing per execution, so that the bench measures
// the engine: a fixed set of thread handles, and one block for an array of shared variables.
class Threads {
 public:
  void add(thread t) { ts_[n_++] = t; }
  void join_all() {
    for (int i = 0; i < n_; ++i) ts_[i].join();
  }

 private:
  thread ts_[kMaxThreads];
  int n_ = 0;
};

template <typename T>
std::unique_ptr<T[]> named_array(int n, const char* name) {
  auto a = std::make_unique<T[]>(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) a[i].name = name;
  return a;
}

Expectation outcomes(uint64_t executions, std::vector<std::string> allowed) {
  Expectation e;
  e.executions = executions;
  e.outcomes = std::move(allowed);
  return e;
}

// Store buffering: under SC at least one thread sees the other's store.
void sb(const Params&) {
  atomic<int> x(0, "x"), y(0, "y");
  int r0 = -1, r1 = -1;
  thread a = spawn([&] {
    x.store(1, kRelaxed);
    r0 = y.load(kRelaxed);
  });
  thread b = spawn([&] {
    y.store(1, kRelaxed);
    r1 = x.load(kRelaxed);
  });
  a.join();
  b.join();
  observe("r0", r0);
  observe("r1", r1);
}

// Message passing: seeing the flag means seeing the data.
void mp(const Params&) {
  atomic<int> data(0, "data"), flag(0, "flag");
  int r0 = -1, r1 = -1;
  thread a = spawn([&] {
    data.store(1, kRelaxed);
    flag.store(1, kRelease);
  });
  thread b = spawn([&] {
    r0 = flag.load(kAcquire);
    r1 = data.load(kRelaxed);
  });
  a.join();
  b.join();
  observe("r0", r0);
  observe("r1", r1);
}

// Load buffering: under SC the two loads cannot both see the other thread's later store.
void lb(const Params&) {
  atomic<int> x(0, "x"), y(0, "y");
  int r0 = -1, r1 = -1;
  thread a = spawn([&] {
    r0 = x.load(kRelaxed);
    y.store(1, kRelaxed);
  });
  thread b = spawn([&] {
    r1 = y.load(kRelaxed);
    x.store(1, kRelaxed);
  });
  a.join();
  b.join();
  observe("r0", r0);
  observe("r1", r1);
}

// Independent reads of independent writes: SC readers agree on the order of the two stores.
void iriw(const Params&) {
  atomic<int> x(0, "x"), y(0, "y");
  int r0 = -1, r1 = -1, r2 = -1, r3 = -1;
  thread w0 = spawn([&] { x.store(1, kRelaxed); });
  thread w1 = spawn([&] { y.store(1, kRelaxed); });
  thread a = spawn([&] {
    r0 = x.load(kRelaxed);
    r1 = y.load(kRelaxed);
  });
  thread b = spawn([&] {
    r2 = y.load(kRelaxed);
    r3 = x.load(kRelaxed);
  });
  w0.join();
  w1.join();
  a.join();
  b.join();
  observe("r0", r0);
  observe("r1", r1);
  observe("r2", r2);
  observe("r3", r3);
}

// 2+2W: the final values cannot both come from the first store of each thread.
void two_plus_two_w(const Params&) {
  atomic<int> x(0, "x"), y(0, "y");
  thread a = spawn([&] {
    x.store(1, kRelaxed);
    y.store(2, kRelaxed);
  });
  thread b = spawn([&] {
    y.store(1, kRelaxed);
    x.store(2, kRelaxed);
  });
  a.join();
  b.join();
  observe("x", x.load());
  observe("y", y.load());
}

// The critical section of the mutual-exclusion programs: a plain counter (races are
// reported) and an atomic occupancy count (two inside is an assertion).
struct CriticalSection {
  atomic<int> inside{0, "inside"};
  plain<int> counter{0, "counter"};
  void enter_and_leave() {
    MC_FUNC("critical_section");
    const int before = inside.fetch_add(1);
    MC_ASSERT(before == 0, "%d other thread(s) in the critical section", before);
    counter.store(counter.load() + 1);
    inside.fetch_sub(1);
  }
};

// Dekker's algorithm. The busy-wait loops are written as assume(): an execution whose read
// would keep spinning is blocked (a spin that later succeeds is explored separately).
void dekker(bool broken) {
  atomic<int> flag[2] = {atomic<int>(0, "flag0"), atomic<int>(0, "flag1")};
  atomic<int> turn(0, "turn");
  CriticalSection cs;
  auto process = [&](int me) {
    MC_FUNC(me == 0 ? "dekker_p0" : "dekker_p1");
    const int other = 1 - me;
    if (broken) {
      // Checks the other flag before raising its own: both may pass.
      assume(flag[other].load() == 0);
      flag[me].store(1);
    } else {
      flag[me].store(1);
      if (flag[other].load() != 0) {
        if (turn.load() != me) {
          flag[me].store(0);
          assume(turn.load() == me);
          flag[me].store(1);
        }
        assume(flag[other].load() == 0);
      }
    }
    cs.enter_and_leave();
    turn.store(other);
    flag[me].store(0);
  };
  thread a = spawn([&] { process(0); });
  thread b = spawn([&] { process(1); });
  a.join();
  b.join();
  observe("counter", cs.counter.load());
}

// Peterson's algorithm; the broken variant gives way before announcing interest.
void peterson(bool broken) {
  atomic<int> flag[2] = {atomic<int>(0, "flag0"), atomic<int>(0, "flag1")};
  atomic<int> turn(0, "turn");
  CriticalSection cs;
  auto process = [&](int me) {
    MC_FUNC(me == 0 ? "peterson_p0" : "peterson_p1");
    const int other = 1 - me;
    if (broken) {
      turn.store(other);
      flag[me].store(1);
    } else {
      flag[me].store(1);
      turn.store(other);
    }
    const bool interested = flag[other].load() != 0;
    const bool its_turn = turn.load() == other;
    assume(!(interested && its_turn));
    cs.enter_and_leave();
    flag[me].store(0);
  };
  thread a = spawn([&] { process(0); });
  thread b = spawn([&] { process(1); });
  a.join();
  b.join();
  observe("counter", cs.counter.load());
}

// readers(n): one writer, n readers of the same variable: 2^n traces.
void readers(const Params& p) {
  const int n = static_cast<int>(p.get_int("n", 3));
  MC_ASSERT(n >= 1 && n <= kNarrowThreads - 2, "readers takes n from 1 to %d", kNarrowThreads - 2);
  atomic<int> x(0, "x");
  Threads ts;
  ts.add(spawn([&] { x.store(42, kRelease); }));
  for (int i = 0; i < n; ++i) ts.add(spawn([&] { (void)x.load(kAcquire); }));
  ts.join_all();
}

// lastzero(n), acquire/release version: writer j sets a[j] = a[j-1] + 1; the reader scans
// down from a[n] to the last zero. The main thread is the reader.
void lastzero(const Params& p) {
  const int n = static_cast<int>(p.get_int("n", 3));
  MC_ASSERT(n >= 1 && n <= kNarrowThreads - 1, "lastzero takes n from 1 to %d", kNarrowThreads - 1);
  auto a = named_array<atomic<int>>(n + 1, "array[i]");
  Threads ts;
  for (int j = 1; j <= n; ++j)
    ts.add(spawn([&a, j] { a[j].store(a[j - 1].load(kAcquire) + 1, kRelease); }));
  int i = n;
  while (a[i].load(kAcquire) != 0) --i;
  ts.join_all();
}

// indexer(n) (Flanagan & Godefroid, POPL'05): n threads insert 4 values each into a hash
// table with compare-and-swap; collisions, and so dependencies, appear from n = 12.
void indexer(const Params& p) {
  const int n = static_cast<int>(p.get_int("n", 12));
  MC_ASSERT(n >= 1 && n <= kNarrowThreads - 1, "indexer takes n from 1 to %d", kNarrowThreads - 1);
  constexpr int kSize = 128;
  constexpr int kMax = 4;
  auto table = named_array<atomic<int>>(kSize, "table[h]");
  Threads ts;
  for (int tid = 0; tid < n; ++tid) {
    ts.add(spawn([&table, tid] {
      for (int m = 1; m <= kMax; ++m) {
        const int w = m * 11 + tid;
        int h = (w * 7) % kSize;
        int expected = 0;
        while (!table[h].compare_exchange_strong(expected, w, kRelaxed)) {
          expected = 0;
          h = (h + 1) % kSize;
        }
      }
    }));
  }
  ts.join_all();
}

// n threads incrementing a counter under one lock: n! orders of the critical sections.
void lockinc(const Params& p) {
  const int n = static_cast<int>(p.get_int("n", 3));
  MC_ASSERT(n >= 1 && n <= kNarrowThreads - 1, "lockinc takes n from 1 to %d", kNarrowThreads - 1);
  mutex lock("lock");
  plain<int> counter(0, "counter");
  Threads ts;
  for (int i = 0; i < n; ++i) {
    ts.add(spawn([&] {
      lock.lock();
      counter.store(counter.load() + 1);
      lock.unlock();
    }));
  }
  ts.join_all();
  MC_ASSERT(counter.load() == n, "counter %d after %d increments", counter.load(), n);
}

uint64_t factorial(int n) { return n <= 1 ? 1 : static_cast<uint64_t>(n) * factorial(n - 1); }

std::optional<uint64_t> lookup(const std::map<int64_t, uint64_t>& table, int64_t n) {
  auto it = table.find(n);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

// n threads (or n besides the main one): at most what an execution may have.
Parameter n_param(const char* fallback, const char* help, int64_t max) {
  return {"n", fallback, help, {}, true, 1, max};
}

}  // namespace

void register_classic_programs(Registry& r) {
  const char* sc = "sequential consistency";
  r.add({"classic/sb", "store buffering: T0 x=1; r0=y || T1 y=1; r1=x", {}, sb, [](const Params&) {
           return outcomes(3, {"r0=0 r1=1", "r0=1 r1=0", "r0=1 r1=1"});
         }});
  r.add(
      {"classic/mp", "message passing: data then flag; flag then data", {}, mp, [](const Params&) {
         return outcomes(3, {"r0=0 r1=0", "r0=0 r1=1", "r0=1 r1=1"});
       }});
  r.add({"classic/lb", "load buffering: r0=x; y=1 || r1=y; x=1", {}, lb, [](const Params&) {
           return outcomes(3, {"r0=0 r1=0", "r0=0 r1=1", "r0=1 r1=0"});
         }});
  r.add({"classic/iriw", "independent reads of independent writes", {}, iriw, [](const Params&) {
           std::vector<std::string> all;
           for (int m = 0; m < 16; ++m) {
             int r0 = m & 1, r1 = m >> 1 & 1, r2 = m >> 2 & 1, r3 = m >> 3 & 1;
             if (r0 == 1 && r1 == 0 && r2 == 1 && r3 == 0) continue;  // forbidden under SC
             all.push_back("r0=" + std::to_string(r0) + " r1=" + std::to_string(r1) +
                           " r2=" + std::to_string(r2) + " r3=" + std::to_string(r3));
           }
           return outcomes(15, all);
         }});
  r.add({"classic/2+2w",
         "two writers, two variables, opposite orders",
         {},
         two_plus_two_w,
         [](const Params&) {
           return outcomes(3, {"x=1 y=2", "x=2 y=1", "x=2 y=2"});
         }});
  (void)sc;
  r.add({"classic/dekker",
         "Dekker's mutual exclusion (correct under SC)",
         {},
         [](const Params&) { dekker(false); },
         [](const Params&) {
           Expectation e;
           e.outcomes = std::vector<std::string>{"counter=2"};
           return e;
         }});
  r.add({"classic/dekker-broken",
         "Dekker without the flag-then-check order: both may enter",
         {},
         [](const Params&) { dekker(true); },
         [](const Params&) { return Expectation{"assertion", {}, {}, {}, "", {}}; }});
  r.add({"classic/peterson",
         "Peterson's mutual exclusion (correct under SC)",
         {},
         [](const Params&) { peterson(false); },
         [](const Params&) {
           Expectation e;
           e.outcomes = std::vector<std::string>{"counter=2"};
           return e;
         }});
  r.add({"classic/peterson-broken",
         "Peterson giving way before announcing interest",
         {},
         [](const Params&) { peterson(true); },
         [](const Params&) { return Expectation{"assertion", {}, {}, {}, "", {}}; }});
  r.add({"classic/readers",
         "one writer, n readers: 2^n traces",
         {n_param("3", "readers", kNarrowThreads - 2)},
         readers,
         [](const Params& p) {
           Expectation e;
           e.executions = uint64_t{1} << p.get_int("n", 3);
           e.source = "2^n, Abdulla et al. POPL'14";
           return e;
         }});
  r.add({"classic/lastzero",
         "lastzero(n), acquire/release",
         {n_param("3", "writers", kNarrowThreads - 1)},
         lastzero,
         [](const Params& p) {
           Expectation e;
           e.executions = lookup({{5, 64}, {10, 3328}, {15, 147456}}, p.get_int("n", 3));
           e.source = "Abdulla et al. POPL'14; GenMC tests/correct/synthetic";
           return e;
         }});
  r.add({"classic/indexer",
         "indexer(n): hash-table insertion with CAS",
         {n_param("12", "threads", kNarrowThreads - 1)},
         indexer,
         [](const Params& p) {
           Expectation e;
           e.executions = lookup({{12, 8}, {15, 4096}}, p.get_int("n", 12));
           e.source = "Flanagan & Godefroid POPL'05; Abdulla et al. POPL'14";
           return e;
         }});
  r.add({"classic/lockinc",
         "n threads increment under one lock: n! traces",
         {n_param("3", "threads", kNarrowThreads - 1)},
         lockinc,
         [](const Params& p) {
           Expectation e;
           e.executions = factorial(static_cast<int>(p.get_int("n", 3)));
           e.source = "n!";
           return e;
         }});
}

}  // namespace mc
