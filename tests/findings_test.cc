// Each finding kind: a program that must produce it, and a corrected one that must not.
#include <gtest/gtest.h>

#include <stdexcept>

#include "checker/runtime/sanitizer.h"
#include "test_support.h"

namespace {

using mctest::finding_of;
using mctest::run;

TEST(Assertion, FoundAndNot) {
  auto body = [](bool guarded) {
    return [guarded] {
      mc::atomic<int> x(0, "x");
      mc::mutex m;
      auto inc = [&] {
        if (guarded) m.lock();
        int v = x.load();
        x.store(v + 1);
        if (guarded) m.unlock();
      };
      mc::thread a = mc::spawn(inc), b = mc::spawn(inc);
      a.join();
      b.join();
      MC_ASSERT(x.load() == 2, "lost update: x=%d", x.load());
    };
  };
  auto bad = run(body(false));
  EXPECT_EQ(finding_of(bad), "assertion");
  ASSERT_TRUE(bad.counterexample);
  EXPECT_NE(bad.counterexample->finding.message.find("lost update: x=1"), std::string::npos);
  EXPECT_TRUE(bad.counterexample->reproduced);
  EXPECT_EQ(finding_of(run(body(true))), "");
}

TEST(NamedViolation, FoundAndNot) {
  auto body = [](bool order) {
    return [order] {
      mc::atomic<int> state(0, "state");
      mc::thread a = mc::spawn([&] { state.store(1); });
      if (!order) {
        if (state.load() == 1) mc::violation("VM_BUG_ON_PAGE", "page already isolated");
      }
      a.join();
      if (order && state.load() != 1) mc::violation("VM_BUG_ON_PAGE", "never happens");
    };
  };
  EXPECT_EQ(finding_of(run(body(false))), "VM_BUG_ON_PAGE");
  EXPECT_EQ(finding_of(run(body(true))), "");
}

TEST(Deadlock, LockOrderInversion) {
  auto body = [](bool same_order) {
    return [same_order] {
      mc::mutex a("A"), b("B");
      mc::thread t1 = mc::spawn([&] {
        a.lock();
        b.lock();
        b.unlock();
        a.unlock();
      });
      mc::thread t2 = mc::spawn([&] {
        mc::mutex& first = same_order ? a : b;
        mc::mutex& second = same_order ? b : a;
        first.lock();
        second.lock();
        second.unlock();
        first.unlock();
      });
      t1.join();
      t2.join();
    };
  };
  auto bad = run(body(false));
  EXPECT_EQ(finding_of(bad), "deadlock");
  ASSERT_TRUE(bad.counterexample);
  EXPECT_NE(bad.counterexample->finding.message.find("lock of A"), std::string::npos);
  EXPECT_EQ(finding_of(run(body(true))), "");
}

// The classic lost wake-up: test the condition, then queue yourself; the waker's wake-up can
// fall in between.
TEST(LostWakeup, CheckBeforePrepare) {
  auto body = [](bool correct) {
    return [correct] {
      mc::atomic<int> cond(0, "cond");
      mc::waitqueue wq("wq");
      mc::thread waiter = mc::spawn([&] {
        if (correct) {
          wq.prepare_to_wait();
          if (cond.load() == 0) wq.sleep();
          wq.finish_wait();
        } else {
          if (cond.load() == 0) {
            wq.prepare_to_wait();
            wq.sleep();
            wq.finish_wait();
          }
        }
      });
      mc::thread waker = mc::spawn([&] {
        cond.store(1);
        wq.wake_up_all();
      });
      waiter.join();
      waker.join();
    };
  };
  EXPECT_EQ(finding_of(run(body(false))), "lost-wakeup");
  EXPECT_EQ(finding_of(run(body(true))), "");
}

TEST(DataRace, PlainCounter) {
  auto body = [](bool locked) {
    return [locked] {
      mc::plain<int> counter(0, "counter");
      mc::spinlock l("l");
      auto inc = [&] {
        MC_FUNC("increment");
        if (locked) l.lock();
        counter.store(counter.load() + 1);
        if (locked) l.unlock();
      };
      mc::thread a = mc::spawn(inc), b = mc::spawn(inc);
      a.join();
      b.join();
    };
  };
  auto bad = run(body(false));
  EXPECT_EQ(finding_of(bad), "data-race");
  ASSERT_TRUE(bad.counterexample);
  const std::string& m = bad.counterexample->finding.message;
  EXPECT_NE(m.find("counter"), std::string::npos);
  EXPECT_NE(m.find("findings_test.cc"), std::string::npos) << m;  // both sites are named
  EXPECT_NE(m.find("[increment]"), std::string::npos) << m;       // with their function labels
  EXPECT_EQ(finding_of(run(body(true))), "");
}

// What a thread did before spawning, plain writes after its last visible event included,
// happens before everything the child does; the parent's later writes do not.
TEST(DataRace, SpawnOrdersThePlainSetupBeforeIt) {
  auto body = [](bool write_after_spawn) {
    return [write_after_spawn] {
      mc::atomic<int> visible(0, "visible");
      visible.store(1);
      mc::plain<int> setup(0, "setup");
      setup.store(1);  // after the parent's last visible event
      mc::thread child = mc::spawn([&] { (void)setup.load(); });
      if (write_after_spawn) setup.store(2);
      child.join();
    };
  };
  EXPECT_EQ(finding_of(run(body(false))), "");
  EXPECT_EQ(finding_of(run(body(true))), "data-race");
}

// A release fence publishes the plain writes before it, even those after the thread's last
// event; a relaxed flag without the fence publishes nothing.
TEST(DataRace, ReleaseFencePublishesEarlierPlainWrites) {
  auto body = [](bool fenced) {
    return [fenced] {
      mc::atomic<int> flag(0, "flag");
      mc::plain<int> data(0, "data");
      mc::thread writer = mc::spawn([&] {
        data.store(1);
        if (fenced) mc::fence(std::memory_order_release);
        flag.store(1, std::memory_order_relaxed);
      });
      mc::thread reader = mc::spawn([&] {
        if (flag.load(std::memory_order_acquire) == 1) (void)data.load();
      });
      writer.join();
      reader.join();
    };
  };
  EXPECT_EQ(finding_of(run(body(true))), "");
  EXPECT_EQ(finding_of(run(body(false))), "data-race");
}

// Message passing of plain data: a relaxed flag does not order it, release/acquire does.
TEST(DataRace, MessagePassingNeedsReleaseAcquire) {
  auto body = [](std::memory_order store_mo, std::memory_order load_mo) {
    return [=] {
      mc::plain<int> data(0, "data");
      mc::atomic<int> flag(0, "flag");
      mc::thread a = mc::spawn([&] {
        data.store(42);
        flag.store(1, store_mo);
      });
      mc::thread b = mc::spawn([&] {
        if (flag.load(load_mo) == 1) MC_ASSERT(data.load() == 42);
      });
      a.join();
      b.join();
    };
  };
  EXPECT_EQ(finding_of(run(body(std::memory_order_relaxed, std::memory_order_relaxed))),
            "data-race");
  EXPECT_EQ(finding_of(run(body(std::memory_order_release, std::memory_order_acquire))), "");
}

// A non-atomic read-modify-write of a word (the kernel's __set_bit) against an atomic bit
// operation: the update can be lost, and the two accesses race.
TEST(DataRace, NonAtomicBitOperation) {
  auto body = [](bool atomic_both) {
    return [atomic_both] {
      mc::atomic<unsigned long> flags(0, "page->flags");
      mc::thread a = mc::spawn([&] {
        if (atomic_both) {
          flags.fetch_or(1);
        } else {
          unsigned long v = flags.load_nonatomic();
          flags.store_nonatomic(v | 1);
        }
      });
      mc::thread b = mc::spawn([&] { flags.fetch_or(2); });
      a.join();
      b.join();
      MC_ASSERT(flags.load() == 3, "a bit was lost");
    };
  };
  std::string f = finding_of(run(body(false)));
  EXPECT_TRUE(f == "data-race" || f == "assertion") << f;
  EXPECT_EQ(finding_of(run(body(true))), "");
}

struct Node {
  mc::atomic<int> value{7, "node->value"};
};

// A race report names each access with its own labels: a non-atomic write (committed and
// logged like an atomic access) once showed the labels of the event logged after it.
TEST(DataRace, ReportShowsTheNonatomicAccessesOwnLabels) {
  auto r = run([] {
    mc::atomic<int> word(0, "word");
    mc::atomic<int> other(0, "other");
    mc::thread writer = mc::spawn([&] {
      {
        mc::Label l("set_the_bit");
        word.store_nonatomic(1);
      }
      mc::Label l("afterwards");
      (void)other.load();
      (void)other.load();
    });
    mc::thread reader = mc::spawn([&] {
      mc::Label l("reader");
      (void)other.load();
      (void)word.load();
    });
    writer.join();
    reader.join();
  });
  ASSERT_EQ(finding_of(r), "data-race");
  const std::string& m = r.counterexample->finding.message;
  EXPECT_NE(m.find("[set_the_bit]"), std::string::npos) << m;
  EXPECT_EQ(m.find("[afterwards]"), std::string::npos) << m;
}

TEST(UseAfterFree, FreeRacingWithAccess) {
  auto body = [](bool join_first) {
    return [join_first] {
      Node* n = mc::make<Node>();
      mc::thread reader = mc::spawn([&] { (void)n->value.load(); });
      if (join_first) reader.join();
      mc::free(n);
      if (!join_first) reader.join();
    };
  };
  auto bad = run(body(false));
  EXPECT_EQ(finding_of(bad), "use-after-free");
  EXPECT_EQ(finding_of(run(body(true))), "");
}

TEST(UseAfterFree, PlainAccessAfterFree) {
  struct Obj {
    mc::plain<int> field{0, "obj->field"};
  };
  auto bad = run([] {
    Obj* o = mc::make<Obj>();
    mc::free(o);
    o->field.store(1);
  });
  EXPECT_EQ(finding_of(bad), "use-after-free");
  ASSERT_TRUE(bad.counterexample);
  EXPECT_NE(bad.counterexample->finding.message.find("freed by T0"), std::string::npos);
}

TEST(DoubleFree, FoundAndNot) {
  auto body = [](bool twice) {
    return [twice] {
      Node* n = mc::make<Node>();
      mc::atomic<int> owner(0, "owner");
      auto put = [&] {
        // Without the claim both threads free the node.
        if (twice || owner.exchange(1) == 0) mc::free(n);
      };
      mc::thread a = mc::spawn(put), b = mc::spawn(put);
      a.join();
      b.join();
    };
  };
  EXPECT_EQ(finding_of(run(body(true))), "double-free");
  EXPECT_EQ(finding_of(run(body(false))), "");
}

TEST(Leak, FoundAndNot) {
  EXPECT_EQ(finding_of(run([] { (void)mc::make<Node>(); })), "leak");
  // The report names the line that allocated, not the checker's header.
  const auto leak = run([] { (void)mc::make<Node>(); });
  ASSERT_TRUE(leak.counterexample);
  const int line = __LINE__ - 2;
  EXPECT_NE(
      leak.counterexample->finding.message.find("tests/findings_test.cc:" + std::to_string(line)),
      std::string::npos)
      << leak.counterexample->finding.message;
  EXPECT_EQ(finding_of(run([] { mc::expect_alive(mc::make<Node>()); })), "");
  EXPECT_EQ(finding_of(run([] { mc::free(mc::make<Node>()); })), "");
}

TEST(StepBound, UnboundedSpinIsPossibleLivelock) {
  auto spin = run(
      [] {
        mc::atomic<int> x(0, "x");
        while (x.load() == 0) {
        }
      },
      "dpor", 200);
  EXPECT_EQ(finding_of(spin), "step-bound");
  auto bounded = run(
      [] {
        mc::atomic<int> x(0, "x");
        for (int i = 0; i < 50; ++i) (void)x.load();
      },
      "dpor", 200);
  EXPECT_EQ(finding_of(bounded), "");
}

// The same spin written with await(): the waiter is disabled, not spinning, so the search
// stays small and a wait that is never satisfied is a finding, not a hang.
TEST(Await, SpinWithoutBlowUp) {
  auto spinlock_program = [] {
    mc::atomic<int> lock(0, "lock");
    mc::plain<int> data(0, "data");
    auto critical = [&] {
      for (;;) {
        mc::await(lock, [&] { return lock.peek() == 0; });
        int expected = 0;
        if (lock.compare_exchange_strong(expected, 1, std::memory_order_acquire)) break;
      }
      data.store(data.load() + 1);
      lock.store(0, std::memory_order_release);
    };
    mc::thread a = mc::spawn(critical), b = mc::spawn(critical), c = mc::spawn(critical);
    a.join();
    b.join();
    c.join();
    MC_ASSERT(data.load() == 3);
  };
  auto r = run(spinlock_program);
  EXPECT_EQ(finding_of(r), "");
  EXPECT_TRUE(r.exhausted);
  // Finite, and no more than plain exhaustive search (each await read is a dependent event,
  // so traces differ by which release a waiter saw).
  auto naive = run(spinlock_program, "naive");
  EXPECT_GE(r.complete, 6u);
  EXPECT_LE(r.complete, naive.complete);
  auto never = run([] {
    mc::atomic<int> flag(0, "flag");
    mc::await(flag, [&] { return flag.peek() == 1; });
  });
  EXPECT_EQ(finding_of(never), "lost-wakeup");
}

TEST(Exception, EscapingAModelThread) {
  EXPECT_EQ(finding_of(run([] {
              mc::thread t = mc::spawn([] { throw std::runtime_error("boom"); });
              t.join();
            })),
            "exception");
  EXPECT_EQ(finding_of(run([] {
              mc::thread t = mc::spawn([] {
                try {
                  throw std::runtime_error("handled");
                } catch (const std::runtime_error&) {
                }
              });
              t.join();
            })),
            "");
}

#ifndef MC_ASAN  // AddressSanitizer handles these faults itself (checker/runtime/fault.cc)
int recurse(int n, mc::atomic<int>& x) {
  volatile char pad[512];
  pad[0] = static_cast<char>(n);
  if (n == 0) return x.load();
  return recurse(n - 1, x) + pad[0];
}

TEST(StackOverflow, ReportedNotACrash) {
  auto deep = run([] {
    mc::atomic<int> x(0, "x");
    mc::thread t = mc::spawn([&] { (void)recurse(100000, x); });
    t.join();
  });
  EXPECT_EQ(finding_of(deep), "stack-overflow");
  auto shallow = run([] {
    mc::atomic<int> x(0, "x");
    mc::thread t = mc::spawn([&] { (void)recurse(20, x); });
    t.join();
  });
  EXPECT_EQ(finding_of(shallow), "");
}

// Model code that follows a bad pointer is a finding (the kernel would Oops), not a crash of
// the checker; the run goes on to report it.
TEST(Crash, InvalidAccessInModelCodeIsAFinding) {
  auto r = run([] {
    mc::atomic<int*> p(nullptr, "p");
    mc::thread t = mc::spawn([&] {
      int* q = p.load();
      *static_cast<volatile int*>(q) = 1;
    });
    t.join();
  });
  EXPECT_EQ(finding_of(r), "crash");
  ASSERT_TRUE(r.counterexample);
  EXPECT_NE(r.counterexample->finding.message.find("invalid address"), std::string::npos);
}

// So is an integer division by zero (SIGFPE) and a trap (SIGILL): they ended the process.
// (UndefinedBehaviorSanitizer stops at the division first: the sanitizer build skips these.)
TEST(Crash, ArithmeticFaultsAndTrapsInModelCodeAreFindings) {
  auto fpe = run([] {
    mc::atomic<int> zero(0, "zero");
    mc::thread t = mc::spawn([&] {
      volatile int n = 7, d = zero.load();  // (1 / d compiles to a comparison)
      volatile int q = n / d;
      (void)q;
    });
    t.join();
  });
  EXPECT_EQ(finding_of(fpe), "crash");
  ASSERT_TRUE(fpe.counterexample);
  EXPECT_NE(fpe.counterexample->finding.message.find("SIGFPE"), std::string::npos)
      << fpe.counterexample->finding.message;
  auto ill = run([] {
    mc::atomic<int> x(0, "x");
    mc::thread t = mc::spawn([&] {
      if (x.load() == 0) __builtin_trap();
    });
    t.join();
  });
  EXPECT_EQ(finding_of(ill), "crash");
  ASSERT_TRUE(ill.counterexample);
  EXPECT_NE(ill.counterexample->finding.message.find("SIGILL"), std::string::npos)
      << ill.counterexample->finding.message;
}
#endif

// Two bugs in one program: an assertion (x changed) and a data race (data).
mc::TestCase two_bugs() {
  auto body = [] {
    mc::atomic<int> x(0, "x");
    mc::plain<int> data(0, "data");
    mc::thread a = mc::spawn([&] {
      x.store(1);
      MC_ASSERT(x.load() == 1, "someone changed x");
    });
    mc::thread b = mc::spawn([&] {
      x.store(2);
      data.store(1);
    });
    mc::thread c = mc::spawn([&] { (void)data.load(); });
    a.join();
    b.join();
    c.join();
  };
  return mctest::make_case("two bugs", body);
}

// A bug met first must not hide the others: by default the search stops at the first
// finding; --all-findings goes on, in the execution and across executions, and reports each
// distinct finding with its own counterexample that replays to it.
TEST(AllFindings, FirstFindingHidesNothing) {
  mc::TestCase t = two_bugs();
  mc::ExploreOptions o;
  o.minimize_seconds = 1;
  const mc::RunResult first = mc::explore(t, mc::Params(), o);
  EXPECT_EQ(mc::finding_kinds(first).size(), 1u);
  o.all_findings = true;
  const mc::RunResult all = mc::explore(t, mc::Params(), o);
  EXPECT_TRUE(all.exhausted);
  EXPECT_EQ(mc::finding_kinds(all), (std::vector<std::string>{"assertion", "data-race"}));
  ASSERT_GE(all.all_findings.size(), 2u);
  for (const mc::Counterexample& c : all.all_findings) {
    EXPECT_TRUE(c.reproduced) << mc::finding_identity(c.finding) << ": " << c.note;
    const mc::RunResult again =
        mc::replay(t, mc::Params(), c.schedule, 100000, true, mc::finding_identity(c.finding));
    ASSERT_TRUE(again.counterexample) << mc::finding_identity(c.finding);
    EXPECT_EQ(mc::finding_identity(again.counterexample->finding), mc::finding_identity(c.finding));
  }
  // Expectations are sets: the exact set passes, a subset or superset fails.
  t.expect = [](const mc::Params&) {
    mc::Expectation e;
    e.finding_kinds = std::vector<std::string>{"assertion", "data-race"};
    return e;
  };
  EXPECT_TRUE(mc::explore(t, mc::Params(), o).pass);
  t.expect = [](const mc::Params&) {
    mc::Expectation e;
    e.finding_kinds = std::vector<std::string>{"assertion"};
    return e;
  };
  EXPECT_FALSE(mc::explore(t, mc::Params(), o).pass);
  t.expect = [](const mc::Params&) {
    mc::Expectation e;
    e.finding_kinds = std::vector<std::string>{"assertion", "data-race", "deadlock"};
    return e;
  };
  const mc::RunResult missing = mc::explore(t, mc::Params(), o);
  EXPECT_FALSE(missing.pass);
  EXPECT_FALSE(missing.incomplete);
}

// What follows an oops is its consequence, not another finding: once a thread exits on a
// failed check, the end-state checks, leaks and further failed checks of that execution are not
// recorded. The leak and the end-state violation below happen only after the assertion.
// A directed search (stop_at) ends at the first finding it wants, whatever came before it,
// and says it is not exhaustive; one that wants nothing runs to the end.
TEST(AllFindings, StopAtEndsTheSearchAtTheWantedFinding) {
  mc::TestCase t = two_bugs();
  mc::ExploreOptions o;
  o.all_findings = true;
  o.minimize_seconds = 0.5;
  const mc::RunResult full = mc::explore(t, mc::Params(), o);
  o.stop_at = [](const mc::Finding& f) { return f.kind == mc::FindingKind::kDataRace; };
  const mc::RunResult directed = mc::explore(t, mc::Params(), o);
  EXPECT_FALSE(directed.exhausted);
  EXPECT_EQ(directed.limit, "stopped at the finding searched for");
  ASSERT_FALSE(directed.all_findings.empty());
  EXPECT_EQ(directed.all_findings.back().finding.kind, mc::FindingKind::kDataRace);
  EXPECT_LT(directed.complete + directed.with_finding, full.complete + full.with_finding);
  o.stop_at = [](const mc::Finding&) { return false; };
  const mc::RunResult none = mc::explore(t, mc::Params(), o);
  EXPECT_TRUE(none.exhausted);
  EXPECT_EQ(mc::finding_kinds(none), mc::finding_kinds(full));
}

TEST(AllFindings, NothingIsRecordedAfterAnOops) {
  auto body = [] {
    mc::atomic<int> x(0, "x");
    int* block = nullptr;
    mc::thread a = mc::spawn([&] {
      block = mc::make<int>(7);
      MC_ASSERT(x.load() == 0, "x changed under us");
      mc::free(block);
      block = nullptr;
    });
    mc::thread b = mc::spawn([&] { x.store(1); });
    a.join();
    b.join();
    if (block) mc::violation("end state", "the block outlived its owner");
  };
  mc::TestCase t = mctest::make_case("oops then consequences", body);
  mc::ExploreOptions o;
  o.all_findings = true;
  o.minimize_seconds = 0.5;
  const mc::RunResult all = mc::explore(t, mc::Params(), o);
  EXPECT_TRUE(all.exhausted);
  EXPECT_EQ(mc::finding_kinds(all), (std::vector<std::string>{"assertion"}));
}

TEST(SleepInAtomic, MutexUnderSpinlock) {
  auto body = [](bool nested) {
    return [nested] {
      mc::spinlock s("s");
      mc::mutex m("m");
      s.lock();
      if (!nested) s.unlock();
      m.lock();
      m.unlock();
      if (nested) s.unlock();
    };
  };
  EXPECT_EQ(finding_of(run(body(true))), "sleep-in-atomic");
  EXPECT_EQ(finding_of(run(body(false))), "");
}

TEST(BadUnlock, ReleasingALockNotHeld) {
  EXPECT_EQ(finding_of(run([] {
              mc::mutex m("m");
              m.unlock();
            })),
            "bad unlock balance");
}

}  // namespace
