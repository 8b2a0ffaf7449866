// Every primitive the kernel's memory model defines (tools/memory-model/linux-kernel.def of the
// newest kernel, 6.15 on) is known to the litmus reader and does what that file defines: each
// is called once on a location holding 3, and the value it returns and the value it leaves are
// checked. Ordering is not observable under sequential consistency; the order each one carries
// is checked by the kernel's litmus tests instead.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "litmus/interpreter.h"
#include "litmus/runner.h"

namespace {

using litmus::LitmusRun;

// The names linux-kernel.def defines, in its order: 114.
const std::vector<std::string> kDefNames = {"READ_ONCE",
                                            "WRITE_ONCE",
                                            "smp_store_release",
                                            "smp_load_acquire",
                                            "rcu_assign_pointer",
                                            "rcu_dereference",
                                            "smp_store_mb",
                                            "smp_mb",
                                            "smp_rmb",
                                            "smp_wmb",
                                            "smp_mb__before_atomic",
                                            "smp_mb__after_atomic",
                                            "smp_mb__after_spinlock",
                                            "smp_mb__after_unlock_lock",
                                            "smp_mb__after_srcu_read_unlock",
                                            "barrier",
                                            "xchg",
                                            "xchg_relaxed",
                                            "xchg_release",
                                            "xchg_acquire",
                                            "cmpxchg",
                                            "cmpxchg_relaxed",
                                            "cmpxchg_acquire",
                                            "cmpxchg_release",
                                            "spin_lock",
                                            "spin_unlock",
                                            "spin_trylock",
                                            "spin_is_locked",
                                            "rcu_read_lock",
                                            "rcu_read_unlock",
                                            "synchronize_rcu",
                                            "synchronize_rcu_expedited",
                                            "srcu_read_lock",
                                            "srcu_read_unlock",
                                            "srcu_down_read",
                                            "srcu_up_read",
                                            "synchronize_srcu",
                                            "synchronize_srcu_expedited",
                                            "atomic_read",
                                            "atomic_set",
                                            "atomic_read_acquire",
                                            "atomic_set_release",
                                            "atomic_add",
                                            "atomic_sub",
                                            "atomic_and",
                                            "atomic_or",
                                            "atomic_xor",
                                            "atomic_inc",
                                            "atomic_dec",
                                            "atomic_andnot",
                                            "atomic_add_return",
                                            "atomic_add_return_relaxed",
                                            "atomic_add_return_acquire",
                                            "atomic_add_return_release",
                                            "atomic_fetch_add",
                                            "atomic_fetch_add_relaxed",
                                            "atomic_fetch_add_acquire",
                                            "atomic_fetch_add_release",
                                            "atomic_fetch_and",
                                            "atomic_fetch_and_relaxed",
                                            "atomic_fetch_and_acquire",
                                            "atomic_fetch_and_release",
                                            "atomic_fetch_or",
                                            "atomic_fetch_or_relaxed",
                                            "atomic_fetch_or_acquire",
                                            "atomic_fetch_or_release",
                                            "atomic_fetch_xor",
                                            "atomic_fetch_xor_relaxed",
                                            "atomic_fetch_xor_acquire",
                                            "atomic_fetch_xor_release",
                                            "atomic_inc_return",
                                            "atomic_inc_return_relaxed",
                                            "atomic_inc_return_acquire",
                                            "atomic_inc_return_release",
                                            "atomic_fetch_inc",
                                            "atomic_fetch_inc_relaxed",
                                            "atomic_fetch_inc_acquire",
                                            "atomic_fetch_inc_release",
                                            "atomic_sub_return",
                                            "atomic_sub_return_relaxed",
                                            "atomic_sub_return_acquire",
                                            "atomic_sub_return_release",
                                            "atomic_fetch_sub",
                                            "atomic_fetch_sub_relaxed",
                                            "atomic_fetch_sub_acquire",
                                            "atomic_fetch_sub_release",
                                            "atomic_dec_return",
                                            "atomic_dec_return_relaxed",
                                            "atomic_dec_return_acquire",
                                            "atomic_dec_return_release",
                                            "atomic_fetch_dec",
                                            "atomic_fetch_dec_relaxed",
                                            "atomic_fetch_dec_acquire",
                                            "atomic_fetch_dec_release",
                                            "atomic_xchg",
                                            "atomic_xchg_relaxed",
                                            "atomic_xchg_release",
                                            "atomic_xchg_acquire",
                                            "atomic_cmpxchg",
                                            "atomic_cmpxchg_relaxed",
                                            "atomic_cmpxchg_acquire",
                                            "atomic_cmpxchg_release",
                                            "atomic_sub_and_test",
                                            "atomic_dec_and_test",
                                            "atomic_inc_and_test",
                                            "atomic_add_negative",
                                            "atomic_add_negative_relaxed",
                                            "atomic_add_negative_acquire",
                                            "atomic_add_negative_release",
                                            "atomic_fetch_andnot",
                                            "atomic_fetch_andnot_acquire",
                                            "atomic_fetch_andnot_release",
                                            "atomic_fetch_andnot_relaxed",
                                            "atomic_add_unless"};

// One call on `x` (holding 3) and what it must give: the returned value (if it returns one)
// and x afterwards, as the file's definition computes them.
struct Case {
  std::string name;
  std::string
      call;  // `x` is the location (a pointer parameter), `l` a spinlock, `s` an srcu_struct
  std::optional<long> returns;
  long x_after;
};

const char* kSuffixes[] = {"", "_relaxed", "_acquire", "_release"};

std::vector<Case> cases() {
  std::vector<Case> c = {
      {"READ_ONCE", "READ_ONCE(*x)", 3, 3},
      {"WRITE_ONCE", "WRITE_ONCE(*x, 5)", {}, 5},
      {"smp_store_release", "smp_store_release(x, 5)", {}, 5},
      {"smp_load_acquire", "smp_load_acquire(x)", 3, 3},
      {"rcu_assign_pointer", "rcu_assign_pointer(*x, 5)", {}, 5},
      {"rcu_dereference", "rcu_dereference(*x)", 3, 3},
      {"smp_store_mb", "smp_store_mb(*x, 5)", {}, 5},
      {"atomic_read", "atomic_read(x)", 3, 3},
      {"atomic_set", "atomic_set(x, 5)", {}, 5},
      {"atomic_read_acquire", "atomic_read_acquire(x)", 3, 3},
      {"atomic_set_release", "atomic_set_release(x, 5)", {}, 5},
      {"atomic_add", "atomic_add(6, x)", {}, 9},
      {"atomic_sub", "atomic_sub(6, x)", {}, -3},
      {"atomic_and", "atomic_and(6, x)", {}, 2},
      {"atomic_or", "atomic_or(6, x)", {}, 7},
      {"atomic_xor", "atomic_xor(6, x)", {}, 5},
      {"atomic_andnot", "atomic_andnot(6, x)", {}, 1},
      {"atomic_inc", "atomic_inc(x)", {}, 4},
      {"atomic_dec", "atomic_dec(x)", {}, 2},
      {"atomic_sub_and_test", "atomic_sub_and_test(3, x)", 1, 0},
      {"atomic_dec_and_test", "atomic_dec_and_test(x)", 0, 2},
      {"atomic_inc_and_test", "atomic_inc_and_test(x)", 0, 4},
      {"atomic_add_unless", "atomic_add_unless(x, 2, 3)", 0, 3},
  };
  for (const char* f :
       {"smp_mb", "smp_rmb", "smp_wmb", "smp_mb__before_atomic", "smp_mb__after_atomic",
        "smp_mb__after_spinlock", "smp_mb__after_unlock_lock", "smp_mb__after_srcu_read_unlock",
        "barrier", "rcu_read_lock(); rcu_read_unlock", "synchronize_rcu",
        "synchronize_rcu_expedited"}) {
    const std::string call = std::string(f) + "()";
    const std::string name = call.starts_with("rcu_read_lock") ? "rcu_read_lock" : f;
    c.push_back({name, call, {}, 3});
    if (name == "rcu_read_lock") c.push_back({"rcu_read_unlock", call, {}, 3});
  }
  c.push_back({"spin_lock", "spin_lock(l); spin_unlock(l)", {}, 3});
  c.push_back({"spin_unlock", "spin_lock(l); spin_unlock(l)", {}, 3});
  c.push_back({"spin_trylock", "spin_trylock(l)", 1, 3});
  c.push_back({"spin_is_locked", "spin_is_locked(l)", 0, 3});
  for (const char* lock : {"srcu_read_lock", "srcu_down_read"}) {
    const std::string unlock =
        std::string(lock) == "srcu_read_lock" ? "srcu_read_unlock" : "srcu_up_read";
    // The lock reads the srcu_struct (0), and the unlock is given what the lock returned.
    c.push_back({lock, std::string(lock) + "(s); " + unlock + "(s, r0)", 0, 3});
    c.push_back({unlock, "r1 = " + std::string(lock) + "(s); " + unlock + "(s, r1)", {}, 3});
  }
  c.push_back({"synchronize_srcu", "synchronize_srcu(s)", {}, 3});
  c.push_back({"synchronize_srcu_expedited", "synchronize_srcu_expedited(s)", {}, 3});
  for (const char* sfx : kSuffixes) {
    const std::string s = sfx;
    c.push_back({"xchg" + s, "xchg" + s + "(x, 5)", 3, 5});
    c.push_back({"cmpxchg" + s, "cmpxchg" + s + "(x, 3, 5)", 3, 5});
    c.push_back({"atomic_xchg" + s, "atomic_xchg" + s + "(x, 5)", 3, 5});
    c.push_back({"atomic_cmpxchg" + s, "atomic_cmpxchg" + s + "(x, 4, 5)", 3, 3});  // fails
    c.push_back({"atomic_add_return" + s, "atomic_add_return" + s + "(6, x)", 9, 9});
    c.push_back({"atomic_sub_return" + s, "atomic_sub_return" + s + "(6, x)", -3, -3});
    c.push_back({"atomic_inc_return" + s, "atomic_inc_return" + s + "(x)", 4, 4});
    c.push_back({"atomic_dec_return" + s, "atomic_dec_return" + s + "(x)", 2, 2});
    c.push_back({"atomic_fetch_add" + s, "atomic_fetch_add" + s + "(6, x)", 3, 9});
    c.push_back({"atomic_fetch_sub" + s, "atomic_fetch_sub" + s + "(6, x)", 3, -3});
    c.push_back({"atomic_fetch_and" + s, "atomic_fetch_and" + s + "(6, x)", 3, 2});
    c.push_back({"atomic_fetch_or" + s, "atomic_fetch_or" + s + "(6, x)", 3, 7});
    c.push_back({"atomic_fetch_xor" + s, "atomic_fetch_xor" + s + "(6, x)", 3, 5});
    c.push_back({"atomic_fetch_andnot" + s, "atomic_fetch_andnot" + s + "(6, x)", 3, 1});
    c.push_back({"atomic_fetch_inc" + s, "atomic_fetch_inc" + s + "(x)", 3, 4});
    c.push_back({"atomic_fetch_dec" + s, "atomic_fetch_dec" + s + "(x)", 3, 2});
    c.push_back({"atomic_add_negative" + s, "atomic_add_negative" + s + "(-5, x)", 1, -2});
  }
  return c;
}

std::string program(const Case& c) {
  const std::string body = c.returns ? "r0 = " + c.call + ";" : c.call + ";";
  std::string cond = "x=" + std::to_string(c.x_after);
  if (c.returns) cond = "0:r0=" + std::to_string(*c.returns) + " /\\ " + cond;
  return "C def-" + c.name +
         "\n(* Result: Always *)\n{ int x = 3; spinlock_t l; struct srcu_struct s; }\n" +
         "P0(int *x, spinlock_t *l, struct srcu_struct *s) {\n  int r0; int r1;\n  " + body +
         "\n}\nexists (" + cond + ")\n";
}

TEST(LkmmDef, EveryNameIsKnownAndDoesWhatTheFileDefines) {
  ASSERT_EQ(kDefNames.size(), 114u);
  std::set<std::string> covered;
  for (const Case& c : cases()) {
    const std::string text = program(c);
    const LitmusRun r = litmus::run_litmus_source(text, "def.litmus", mc::ExploreOptions{});
    std::string errors;
    for (const std::string& e : r.errors) errors += e + "\n";
    ASSERT_TRUE(r.errors.empty()) << c.name << ":\n" << errors << text;
    EXPECT_TRUE(r.ok()) << c.name << ": " << r.verdict->explanation << "\n"
                        << text << "\n"
                        << litmus::format_herd(r);
    covered.insert(c.name);
  }
  for (const std::string& name : kDefNames) {
    EXPECT_TRUE(covered.count(name)) << name << " has no case";
    EXPECT_TRUE(litmus::primitives().count(name)) << name << " is not known";
  }
}

// srcu_down_read's section may be ended by another task's srcu_up_read: P1 ends the section P0
// began once P0 hands it over; when P1 runs first there is nothing to end (the memory model
// flags it), and when P1 does not see the hand-over P0's section stays open (flagged too).
TEST(LkmmDef, SrcuUpReadEndsASectionAnotherThreadBegan) {
  const std::string text = R"(C srcu-down-up
(*
 * Result: Sometimes
 * Expect: unmatched-srcu-lock
 *)
{ int h = 0; struct srcu_struct s; }
P0(int *h, struct srcu_struct *s) {
  int idx;
  idx = srcu_down_read(s);
  smp_store_release(h, 1);
}
P1(int *h, struct srcu_struct *s) {
  int r0;
  r0 = smp_load_acquire(h);
  if (r0 == 1)
    srcu_up_read(s, 0);
}
exists (1:r0=1)
)";
  mc::ExploreOptions all;
  all.all_findings = true;
  const LitmusRun r = litmus::run_litmus_source(text, "srcu.litmus", all);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_TRUE(r.ok()) << r.verdict->explanation << "\n" << litmus::format_herd(r);
  EXPECT_EQ(r.verdict->findings, (std::vector<std::string>{"unmatched-srcu-lock"}));
  EXPECT_GE(r.verdict->positive, 1u);  // the executions where P1 ends P0's section
}

}  // namespace
