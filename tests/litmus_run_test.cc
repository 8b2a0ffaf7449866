// C litmus tests run on the engine under sequential consistency: the kernel's corpus (every file
// parses, runs, and never contradicts a `Result: Never`), inline programs with known SC answers,
// filters, and positioned errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "checker/report/json.h"
#include "litmus/bindings/all.h"
#include "litmus/interpreter.h"
#include "litmus/parser.h"
#include "litmus/runner.h"

namespace {

using litmus::Agreement;
using litmus::LitmusRun;
using litmus::Observation;

std::string peer_dir() { return MIGCHECK_PEER_DIR; }

LitmusRun run(const std::string& text) {
  return litmus::run_litmus_source(text, "inline.litmus", mc::ExploreOptions{});
}

std::string errors(const LitmusRun& r) {
  std::string s;
  for (const std::string& e : r.errors) s += e + "\n";
  return s;
}

// On the kernel's litmus tests when they are beside the project; else on the repository's own
// suite (each file at the last version it runs, 6.17 for most), so that a clone on its own
// still runs a corpus. The sanitizer pass
// (MIGCHECK_QUICK) takes the protocol and balloon folders of the own suite and gives each file
// 5 s: it looks for memory errors, and one file's exhaustive search took most of its minute
// there; the normal build searches every file to the end.
TEST(LitmusCorpus, EveryFileRunsAndNeverIsNeverContradicted) {
  const bool peer = std::filesystem::is_directory(peer_dir());
  const bool quick = std::getenv("MIGCHECK_QUICK") != nullptr;
  const std::string dir = peer ? peer_dir() : std::string(MIGCHECK_LITMUS_DIR);
  std::vector<std::string> paths = {dir};
  if (!peer && quick) paths = {dir + "/protocol", dir + "/balloon"};
  mc::ExploreOptions eo;
  if (quick) eo.time_limit = 5;
  std::vector<LitmusRun> runs;
  if (peer) {
    runs = litmus::run_litmus_paths(paths, eo, {});
  } else {
    for (const std::string& file : litmus::litmus_files(paths, nullptr)) {
      const std::vector<std::string> kernels = litmus::file_kernels_of(file);
      ASSERT_FALSE(kernels.empty()) << file;
      for (LitmusRun& r : litmus::run_litmus_file(file, eo, {{"kernel", kernels.back()}}))
        runs.push_back(std::move(r));
    }
  }
  ASSERT_GE(runs.size(), peer ? 40u : quick ? 10u : 20u);
  std::cout << litmus::format_table(runs, dir) << std::flush;
  for (const LitmusRun& r : runs) {
    const std::string name = std::filesystem::relative(r.file, dir).string();
    EXPECT_TRUE(r.errors.empty()) << name << ":\n" << errors(r);
    if (!r.errors.empty()) continue;
    ASSERT_TRUE(r.verdict.has_value());
    const litmus::LitmusVerdict& v = *r.verdict;
    EXPECT_TRUE(r.result->exhausted || r.result->counterexample || (quick && v.incomplete)) << name;
    EXPECT_FALSE(v.failed) << name << ": " << v.explanation << "\n" << litmus::format_herd(r);
    if (v.expected == litmus::ExpectedResult::kNever) {
      EXPECT_NE(v.observation, Observation::kSometimes) << name;
      EXPECT_NE(v.observation, Observation::kAlways) << name;
    }
  }
}

// The agreement table of docs/litmus.md is the runner's output on the kernel's tests (the
// seconds column aside): checked when those tests are beside the project.
TEST(LitmusCorpus, DocsAgreementTableIsWhatTheRunnerPrints) {
  if (!std::filesystem::is_directory(peer_dir()))
    GTEST_SKIP() << peer_dir() << " is not beside the project";
  std::ifstream in(MIGCHECK_LITMUS_DOC);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  const size_t section = doc.find("## Agreement with the kernel's memory model");
  ASSERT_NE(section, std::string::npos);
  const size_t open = doc.find("```\n", section);
  const size_t close = doc.find("```", open + 4);
  ASSERT_NE(close, std::string::npos);
  const std::string table = doc.substr(open + 4, close - open - 4);
  const std::vector<LitmusRun> runs = litmus::run_litmus_paths({peer_dir()}, mc::ExploreOptions{});
  // Seconds vary from run to run: compare without them.
  const std::regex seconds(R"( +[0-9]+\.[0-9][0-9] +)");
  auto strip = [&seconds](const std::string& t) { return std::regex_replace(t, seconds, " "); };
  EXPECT_EQ(strip(table), strip(litmus::format_table(runs, peer_dir())))
      << "re-print it with `migcheck run ../shared/peer/lkmm-litmus` (paths relative to it)";
}

TEST(LitmusInline, StoreBufferingIsNeverUnderSc) {
  const LitmusRun r = run(R"(C SB
(* Result: Sometimes *)
{}
P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x); }
exists (0:r0=0 /\ 1:r0=0)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kNever);
  EXPECT_EQ(r.verdict->positive, 0u);
  EXPECT_EQ(r.verdict->agreement, Agreement::kNeverUnderSc);
  EXPECT_FALSE(r.verdict->failed);
  const std::string herd = litmus::format_herd(r);
  EXPECT_NE(herd.find("Test SB Allowed"), std::string::npos) << herd;
  EXPECT_NE(herd.find("States 3"), std::string::npos) << herd;
  EXPECT_NE(herd.find("Observation SB Never 0 "), std::string::npos) << herd;
  EXPECT_NE(herd.find("Memory model: sequential consistency (migcheck)"), std::string::npos);
  EXPECT_NE(herd.find("Never under SC"), std::string::npos) << herd;
  std::cout << herd;
}

// Plain C accesses are non-atomic: the engine's race detector checks them, and herd's
// DATARACE in the Result line is the data-race finding the run must produce.
TEST(LitmusInline, PlainAccessesAreRaceChecked) {
  const char* racy = R"(C MP+plain
(* Result: Sometimes DATARACE *)
{}
P0(int *x, int *y) { *x = 1; WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = *x; }
exists (1:r0=1 /\ 1:r1=0)
)";
  LitmusRun r = run(racy);
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->finding, "data-race") << litmus::format_herd(r);
  EXPECT_EQ(r.verdict->agreement, Agreement::kFindingAsExpected) << r.verdict->explanation;
  EXPECT_FALSE(r.verdict->failed);
  std::string no_datarace = racy;
  no_datarace.replace(no_datarace.find(" DATARACE"), 9, "");
  r = run(no_datarace);
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->finding, "data-race");
  EXPECT_EQ(r.verdict->agreement, Agreement::kFindingUnexpected);
  EXPECT_TRUE(r.verdict->failed);
  // Release/acquire orders the plain accesses: no race, and the outcome is Never.
  r = run(R"(C MP+plain+rel-acq
(* Result: Never *)
{}
P0(int *x, int *y) { *x = 1; smp_store_release(y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire(y); if (r0) r1 = *x; else r1 = 1; }
exists (1:r0=1 /\ 1:r1=0)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->finding, "") << litmus::format_herd(r);
  EXPECT_EQ(r.verdict->observation, Observation::kNever);
  EXPECT_FALSE(r.verdict->failed) << r.verdict->explanation;
}

// Message passing with release/acquire: Never under SC (and in the kernel's model).
const char* kMessagePassing = R"(P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release(y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire(y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\ 1:r1=0)
)";

TEST(LitmusInline, MessagePassingSometimesAndNever) {
  const LitmusRun r = run(std::string("C MP\n(* Result: Never *)\n{}\n") + kMessagePassing);
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kNever);
  EXPECT_EQ(r.verdict->agreement, Agreement::kMatches);
  // The good outcome is reachable but not forced: Sometimes.
  const LitmusRun good = run(R"(C MP-good
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release(y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire(y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\ 1:r1=1)
)");
  ASSERT_TRUE(good.errors.empty()) << errors(good);
  EXPECT_EQ(good.verdict->observation, Observation::kSometimes);
  EXPECT_EQ(good.verdict->agreement, Agreement::kNoExpectation);
}

TEST(LitmusInline, SpinlockGivesMutualExclusion) {
  const LitmusRun r = run(R"(C lock-counter
(* Result: Always *)
{ int x = 0; }
P0(int *x, spinlock_t *l) { int r0; spin_lock(l); r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); spin_unlock(l); }
P1(int *x, spinlock_t *l) { int r0; spin_lock(l); r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); spin_unlock(l); }
forall (x=2)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kAlways);
  EXPECT_TRUE(r.verdict->ok);
  EXPECT_EQ(r.verdict->agreement, Agreement::kMatches);
  // Without the lock the update is lost in some execution.
  const LitmusRun racy = run(R"(C nolock-counter
(* Result: Always *)
{ int x = 0; }
P0(int *x) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); }
P1(int *x) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); }
forall (x=2)
)");
  ASSERT_TRUE(racy.errors.empty()) << errors(racy);
  EXPECT_EQ(racy.verdict->observation, Observation::kSometimes);
  EXPECT_FALSE(racy.verdict->ok);
  EXPECT_EQ(racy.verdict->agreement, Agreement::kMismatch);
  EXPECT_TRUE(racy.verdict->failed);
}

TEST(LitmusInline, FilterNobodyPassesIsDeadlock) {
  const LitmusRun r = run(R"(C filter-none
(* Result: DEADLOCK *)
{ int x = 0; }
P0(int *x) { WRITE_ONCE(*x, 1); }
P1(int *x) { int r0; r0 = READ_ONCE(*x); }
filter (1:r0=2)
exists (1:r0=1)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kDeadlock);
  EXPECT_EQ(r.verdict->agreement, Agreement::kMatches);
  EXPECT_EQ(r.verdict->filtered_out, r.result->complete);
  const std::string herd = litmus::format_herd(r);
  EXPECT_NE(herd.find("States 0"), std::string::npos) << herd;
}

TEST(LitmusInline, FilterSelectsExecutions) {
  const LitmusRun r = run(R"(C filter-some
{ int x = 0; }
P0(int *x) { WRITE_ONCE(*x, 1); }
P1(int *x) { int r0; int r1; r0 = READ_ONCE(*x); r1 = READ_ONCE(*x); }
filter (1:r0=1)
exists (1:r1=1)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kAlways);
  EXPECT_GT(r.verdict->filtered_out, 0u);
}

TEST(LitmusInline, PointersAndRcu) {
  const LitmusRun r = run(R"(C rcu-ptr
(* Result: Never *)
{ int x = 1; int *y = &x; int z = 1; }
P0(int *x, int *z, int **y) {
  int *r0; int r1;
  rcu_read_lock(); r0 = rcu_dereference(*y); r1 = READ_ONCE(*r0); rcu_read_unlock();
}
P1(int *x, int *z, int **y) { rcu_assign_pointer(*y, z); synchronize_rcu(); WRITE_ONCE(*x, 0); }
exists (0:r0=x /\ 0:r1=0)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kNever);
  const std::string herd = litmus::format_herd(r);
  EXPECT_NE(herd.find("0:r0=x;"), std::string::npos) << herd;
  EXPECT_NE(herd.find("0:r0=z;"), std::string::npos) << herd;
  // Without the grace period the reader can see the freed value.
  const LitmusRun broken = run(R"(C rcu-ptr-nosync
{ int x = 1; int *y = &x; int z = 1; }
P0(int *x, int *z, int **y) {
  int *r0; int r1;
  rcu_read_lock(); r0 = rcu_dereference(*y); r1 = READ_ONCE(*r0); rcu_read_unlock();
}
P1(int *x, int *z, int **y) { rcu_assign_pointer(*y, z); WRITE_ONCE(*x, 0); }
exists (0:r0=x /\ 0:r1=0)
)");
  ASSERT_TRUE(broken.errors.empty()) << errors(broken);
  EXPECT_EQ(broken.verdict->observation, Observation::kSometimes);
}

TEST(LitmusInline, SrcuGracePeriod) {
  const std::string reader = R"(
P0(int *x, int *y, struct srcu_struct *s) {
  int idx;
  idx = srcu_read_lock(s);
  WRITE_ONCE(*x, 1);
  WRITE_ONCE(*y, 1);
  srcu_read_unlock(s, idx);
}
)";
  const LitmusRun r = run("C srcu\n(* Result: Never *)\n{}\n" + reader + R"(
P1(int *x, int *y, struct srcu_struct *s) {
  int r0; int r1;
  r0 = READ_ONCE(*x); synchronize_srcu(s); r1 = READ_ONCE(*y);
}
exists (1:r0=1 /\ 1:r1=0)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kNever) << litmus::format_herd(r);
  // A grace period of another srcu_struct does not wait for this reader.
  const LitmusRun other = run("C srcu-other\n{}\n" + reader + R"(
P1(int *x, int *y, struct srcu_struct *t) {
  int r0; int r1;
  r0 = READ_ONCE(*x); synchronize_srcu(t); r1 = READ_ONCE(*y);
}
exists (1:r0=1 /\ 1:r1=0)
)");
  ASSERT_TRUE(other.errors.empty()) << errors(other);
  EXPECT_EQ(other.verdict->observation, Observation::kSometimes) << litmus::format_herd(other);
}

TEST(LitmusInline, NotExistsAndAddresses) {
  const LitmusRun r = run(R"(C not-exists
{ int *p = x; int x; int y; }
P0(int **p, int *y) { WRITE_ONCE(*p, y); }
P1(int **p) { int *r0; r0 = READ_ONCE(*p); }
~exists (1:r0=y)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kSometimes);
  EXPECT_FALSE(r.verdict->ok);  // ~exists fails: some execution reads y
  const std::string herd = litmus::format_herd(r);
  EXPECT_NE(herd.find("Condition ~exists (1:r0=y)"), std::string::npos) << herd;
  EXPECT_NE(herd.find("1:r0=x;"), std::string::npos) << herd;
}

TEST(LitmusInline, AtomicsAndLoops) {
  const LitmusRun r = run(R"(C atomics
{ atomic_t v = ATOMIC_INIT(1); int x = 0; }
P0(atomic_t *v, int *x) {
  int r0; int r1; int i;
  r0 = atomic_fetch_add(2, v);
  r1 = cmpxchg(x, 0, 5);
  for (i = 0; i < 3; i++) atomic_inc(v);
}
P1(atomic_t *v) { int r0; r0 = atomic_add_unless(v, 10, 1); }
locations [v]
exists (v=16 /\ 0:r0=1)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kSometimes) << litmus::format_herd(r);
  const mc::json::Value j = litmus::litmus_json(r);
  ASSERT_NE(j.get("observation"), nullptr);
  EXPECT_EQ(j.get("observation")->str(), "Sometimes");
  ASSERT_NE(j.get("expected"), nullptr);
}

TEST(LitmusInline, UnboundedLoopIsAFinding) {
  const LitmusRun r = run(R"(C spin
{ int x = 0; }
P0(int *x) { while (READ_ONCE(*x) == 0) { } }
P1(int *y) { WRITE_ONCE(*y, 0); }
exists (x=0)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->agreement, Agreement::kFindingUnexpected);
  EXPECT_TRUE(r.verdict->failed);
  ASSERT_TRUE(r.result->counterexample.has_value());
  EXPECT_NE(r.result->counterexample->finding.message.find("loop exceeded"), std::string::npos);
}

TEST(LitmusErrors, UnknownFunctionIsPositioned) {
  const LitmusRun r = run(R"(C bad
{}
P0(int *x) {
  frobnicate(x);
}
exists (x=0)
)");
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  EXPECT_EQ(r.errors[0].rfind("inline.litmus:4:3: unknown function 'frobnicate': expected a kernel "
                              "primitive (READ_ONCE, spin_lock, ...) or a modelled function",
                              0),
            0u)
      << errors(r);
  EXPECT_FALSE(r.result.has_value());
  EXPECT_EQ(litmus::litmus_exit_code({r}), 2);
  const mc::json::Value j = litmus::litmus_json(r);
  ASSERT_NE(j.get("errors"), nullptr);
}

TEST(LitmusErrors, WrongArityAndUnknownNames) {
  const LitmusRun r = run(R"(C bad2
{}
P0(int *x) { int r0; r0 = READ_ONCE(*x, 1); }
exists (0:r9=0 /\ y=1)
)");
  ASSERT_EQ(r.errors.size(), 3u) << errors(r);
  EXPECT_NE(r.errors[0].find("inline.litmus:3:27: READ_ONCE takes 1 argument(s), given 2"),
            std::string::npos)
      << errors(r);
  EXPECT_NE(errors(r).find("has no register 'r9'"), std::string::npos);
  EXPECT_NE(errors(r).find("unknown location 'y'"), std::string::npos);
}

TEST(LitmusErrors, ParseErrorsDoNotStopOtherFiles) {
  const std::string dir = testing::TempDir() + "/litmus_run_test";
  std::filesystem::create_directories(dir);
  {
    FILE* f = std::fopen((dir + "/a-bad.litmus").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("C bad\n{\nP0(\n", f);
    std::fclose(f);
    f = std::fopen((dir + "/b-good.litmus").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("C good\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n", f);
    std::fclose(f);
  }
  const std::vector<LitmusRun> runs = litmus::run_litmus_paths({dir}, mc::ExploreOptions{});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_FALSE(runs[0].errors.empty());
  EXPECT_NE(runs[0].errors[0].find("a-bad.litmus:"), std::string::npos);
  EXPECT_TRUE(runs[1].errors.empty()) << errors(runs[1]);
  EXPECT_EQ(runs[1].verdict->observation, Observation::kAlways);
  EXPECT_EQ(litmus::litmus_exit_code(runs), 2);
  std::filesystem::remove_all(dir);
}

}  // namespace

namespace {

// ---- what herd7 reads that a hand-written test may not use ----

// diy7's info lines (some empty) between the name and the initial state are metadata: the test
// runs, and the herd-style output prints back the Hash line, as herd7 does. Before, an empty
// value was an error ("expected a value after 'Relax='").
TEST(Herd7, GeneratedTestsInfoLines) {
  const LitmusRun r = run(R"(C MP+pooncerelease+poacquireonce
"PodWWOnceRelease RfeReleaseAcquire PodRRAcquireOnce FreOnceOnce"
Cycle=PodWWOnceRelease RfeReleaseAcquire PodRRAcquireOnce FreOnceOnce
Relax=
Safe=PodWWOnceRelease RfeReleaseAcquire PodRRAcquireOnce FreOnceOnce
Prefetch=0:x=F,0:y=W,1:y=F,1:x=T
Com=Rf Fr
Orig=PodWWOnceRelease RfeReleaseAcquire PodRRAcquireOnce FreOnceOnce
Generator=diy7 (version 7.57+1)
Hash=4bc9f0bde3c4c5ab1dd1d9cdaf1d1b5f
{}
)" + std::string(kMessagePassing));
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, Observation::kNever);
  ASSERT_EQ(r.test->info.size(), 8u);
  EXPECT_EQ(r.test->info[1].key, "Relax");
  EXPECT_EQ(r.test->info[1].value, "");
  const std::string herd = litmus::format_herd(r);
  EXPECT_NE(herd.find("\nHash=4bc9f0bde3c4c5ab1dd1d9cdaf1d1b5f\n"), std::string::npos) << herd;
  EXPECT_EQ(herd.find("Relax="), std::string::npos) << herd;  // herd7 prints the Hash only
}

// Registers assigned without a declaration are registers, as for herd7, and the condition may
// name them. Before: "P1 has no register 'r0'".
TEST(Herd7, ImplicitRegisters) {
  const LitmusRun r = run(R"(C MP+implicit
(* Result: Never *)
{ int x = 0; int y = 0; int *p = &x; }
P0(int *x, int **p, int *y) { WRITE_ONCE(*y, 1); rcu_assign_pointer(*p, y); }
P1(int *x, int **p) { r1 = rcu_dereference(*p); r2 = READ_ONCE(*r1); }
exists (1:r1=y /\ 1:r2=0)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_TRUE(r.ok()) << r.verdict->explanation << "\n" << litmus::format_herd(r);
  EXPECT_EQ(r.verdict->observation, Observation::kNever);
}

const char* kRacy = R"(C racy
(* Result: %s *)
{ int x = 0; }
P0(int *x) { *x = 1; }
P1(int *x) { int r0; r0 = READ_ONCE(*x); }
exists (1:r0=1)
)";

std::string with_result(const std::string& result) {
  std::string text = kRacy;
  text.replace(text.find("%s"), 2, result);
  return text;
}

// `Result: Maybe` expects nothing; `Result: Flag` expects a flag: a data race here (named or
// not), and a file that raises none fails. Before, both words were "expected 'Never', ...".
TEST(Herd7, ResultMaybeAndFlag) {
  auto without_race = [](std::string text) {
    text.replace(text.find("*x = 1;"), 7, "WRITE_ONCE(*x, 1);");
    return text;
  };
  const LitmusRun maybe = run(without_race(with_result("Maybe")));
  ASSERT_TRUE(maybe.errors.empty()) << errors(maybe);
  EXPECT_TRUE(maybe.ok()) << maybe.verdict->explanation;  // Sometimes here: nothing expected
  // Maybe says nothing of findings: a data race is still one nobody expected.
  EXPECT_FALSE(run(with_result("Maybe")).ok());
  for (const char* flag : {"Flag", "Flag data-race"}) {
    const LitmusRun r = run(with_result(flag));
    ASSERT_TRUE(r.errors.empty()) << errors(r);
    EXPECT_TRUE(r.ok()) << flag << ": " << r.verdict->explanation;
    EXPECT_EQ(r.verdict->finding, "data-race");
    const std::string herd = litmus::format_herd(r);  // herd7 names the flag raised
    EXPECT_NE(herd.find("\nPositive: 0 Negative: 0\nFlag data-race\n"), std::string::npos) << herd;
  }
  const LitmusRun none = run(without_race(with_result("Flag")));
  ASSERT_TRUE(none.errors.empty()) << errors(none);
  EXPECT_FALSE(none.ok()) << none.verdict->explanation;
  // A flag of the kernel's model other than a data race: an srcu unlock with nothing to end.
  const LitmusRun srcu = run(R"(C srcu-unmatched
(* Result: Flag unmatched-srcu-unlock *)
{ struct srcu_struct s; }
P0(struct srcu_struct *s) { srcu_read_unlock(s, 0); }
exists (true)
)");
  ASSERT_TRUE(srcu.errors.empty()) << errors(srcu);
  EXPECT_TRUE(srcu.ok()) << srcu.verdict->explanation;
}

}  // namespace

namespace {

// 19 threads (the kernel's documentation mentions 16- and 19-process tests): beyond the
// engine's narrow 16, the runner asks for its wide clocks. Before: "too many threads (the
// engine runs at most 15)".
TEST(Herd7, NineteenThreads) {
  std::string text = "C nineteen\n(* Result: Sometimes *)\n{}\n";
  for (int i = 0; i < 18; ++i)
    text += "P" + std::to_string(i) + "(int *x" + std::to_string(i) + ") { WRITE_ONCE(*x" +
            std::to_string(i) + ", 1); }\n";
  text += "P18(int *x0, int *x17) { int r0; int r1; r0 = READ_ONCE(*x0); r1 = READ_ONCE(*x17); }\n";
  text += "exists (18:r0=1 /\\ 18:r1=0)\n";
  const LitmusRun r = run(text);
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_TRUE(r.ok()) << r.verdict->explanation;
  EXPECT_EQ(r.verdict->observation, Observation::kSometimes);
  EXPECT_TRUE(r.result->exhausted);
}

}  // namespace
