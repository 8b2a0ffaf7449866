// The standing cross-check of DPOR against naive exhaustive search, on everything the project
// runs: every scenario of the library (litmus/tests) at every kernel version and bug variant it
// lists, the kernel's litmus tests (when they are beside the project), and the engine's
// validation programs, both searches going on past findings (--all-findings) so that a bug met
// first hides nothing. Every final state and finding kind that naive DFS reaches within its
// execution cap, DPOR reaches too; wherever naive DFS exhausts, the two sets are equal. The
// DPOR runs also check each scenario's Expect lines as sets: exactly the kinds they name.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"
#include "cli/registry.h"
#include "litmus/runner.h"
#include "protocol/version.h"

namespace {

bool quick() { return std::getenv("MIGCHECK_QUICK") != nullptr; }

// Naive DFS beyond this many executions is not compared (counted as skipped).
uint64_t naive_cap() { return quick() ? 1000 : 5000; }
// DPOR beyond this many executions is not compared either (going on past findings, a buggy
// version can have hundreds of thousands), so that the check fits in CI.
uint64_t dpor_cap() { return quick() ? 20000 : 40000; }

mc::ExploreOptions options(const std::string& strategy, uint64_t cap) {
  mc::ExploreOptions o;
  o.strategy = strategy;
  o.all_findings = true;
  o.max_executions = cap;
  o.minimize = false;
  return o;
}

struct Tally {
  int exact_sets = 0;  // DPOR exhausted: its finding kinds are exactly the file's Expect set
  int compared = 0;    // naive exhausted: the sets are equal
  int subset = 0;      // naive was cut by its cap: what it reached is in DPOR's sets
  int skipped = 0;     // DPOR did not exhaust within its cap: nothing compared
};

std::set<std::string> outcome_set(const mc::RunResult& r) {
  std::set<std::string> s;
  for (const auto& [k, n] : r.outcomes) s.insert(k);
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "none" : s;
}

// Compares one pair of runs (DPOR exhaustive, naive maybe cut by its cap).
void compare(const mc::RunResult& naive, const mc::RunResult& dpor, const std::string& what,
             Tally& t) {
  ASSERT_TRUE(naive.error.empty() && dpor.error.empty())
      << what << ": " << naive.error << dpor.error;
  if (!dpor.exhausted) {
    ++t.skipped;
    return;
  }
  const std::set<std::string> no = outcome_set(naive), dpo = outcome_set(dpor);
  const std::vector<std::string> nk = mc::finding_kinds(naive), dk = mc::finding_kinds(dpor);
  if (naive.exhausted) {
    ++t.compared;
    EXPECT_EQ(no, dpo) << what << ": final states differ";
    EXPECT_EQ(join(nk), join(dk)) << what << ": finding kinds differ";
    EXPECT_LE(dpor.complete, naive.complete) << what;
    return;
  }
  ++t.subset;
  for (const std::string& o : no) EXPECT_TRUE(dpo.count(o)) << what << ": DPOR misses " << o;
  const std::set<std::string> dks(dk.begin(), dk.end());
  for (const std::string& k : nk) EXPECT_TRUE(dks.count(k)) << what << ": DPOR misses " << k;
}

void cross_check_litmus(const std::vector<std::string>& paths, Tally& t,
                        const litmus::Overrides& overrides = {}) {
  const auto naive = litmus::run_litmus_paths(paths, options("dfs", naive_cap()), overrides);
  const auto dpor = litmus::run_litmus_paths(paths, options("dpor", dpor_cap()), overrides);
  ASSERT_EQ(naive.size(), dpor.size());
  for (size_t i = 0; i < naive.size(); ++i) {
    const std::string what = naive[i].file + " " + naive[i].variant;
    ASSERT_TRUE(naive[i].errors.empty()) << what;
    ASSERT_TRUE(naive[i].result && dpor[i].result) << what;
    compare(*naive[i].result, *dpor[i].result, what, t);
    // The file's expectations are sets of finding kinds: going on past findings, DPOR finds
    // no kind outside the set, and every kind of it when it exhausts.
    EXPECT_FALSE(dpor[i].verdict->failed) << what << ": " << dpor[i].verdict->explanation;
    if (dpor[i].result->exhausted && dpor[i].ok()) ++t.exact_sets;
  }
}

void print(const char* what, const Tally& t, bool litmus = true) {
  std::printf(
      "%s: %d runs with equal sets, %d beyond naive DFS's cap of %llu executions "
      "(checked as subsets), %d beyond DPOR's cap of %llu (not compared)",
      what, t.compared, t.subset, static_cast<unsigned long long>(naive_cap()), t.skipped,
      static_cast<unsigned long long>(dpor_cap()));
  if (litmus) std::printf("; %d runs found exactly their Expect set", t.exact_sets);
  std::printf("\n");
}

// One test per folder of the suite, so that CTest runs them side by side.
void cross_check_suite_folder(const std::string& folder, int min_equal) {
  const std::string dir = std::string(MIGCHECK_LITMUS_DIR) + "/" + folder;
  Tally t;
  if (!quick()) {
    cross_check_litmus({dir}, t);
  } else {
    // The sanitizer pass runs every file once, at the first version it runs (4.8 for most).
    for (const std::string& file : litmus::litmus_files({dir}, nullptr)) {
      const std::vector<std::string> kernels = litmus::file_kernels_of(file);
      ASSERT_FALSE(kernels.empty()) << file;
      cross_check_litmus({file}, t, {{"kernel", kernels.front()}});
    }
  }
  print(folder.c_str(), t);
  EXPECT_GE(t.compared + t.subset, quick() ? 2 : 5);
  EXPECT_LE(t.skipped, (t.compared + t.subset) / 4) << "too few runs within DPOR's cap";
  EXPECT_GE(t.compared, quick() ? 0 : min_equal);
  EXPECT_GE(t.exact_sets, (t.compared + t.subset) / 2) << "too few exact checks of Expect sets";
}

TEST(CrossCheck, LitmusSuiteProtocol) { cross_check_suite_folder("protocol", 1); }
TEST(CrossCheck, LitmusSuiteBalloon) { cross_check_suite_folder("balloon", 0); }
TEST(CrossCheck, LitmusSuiteZsmalloc) { cross_check_suite_folder("zsmalloc", 1); }
TEST(CrossCheck, LitmusSuiteZ3fold) { cross_check_suite_folder("z3fold", 1); }

TEST(CrossCheck, KernelLitmusTests) {
  if (!std::filesystem::is_directory(MIGCHECK_PEER_DIR))
    GTEST_SKIP() << MIGCHECK_PEER_DIR << " is not beside the project";
  Tally t;
  cross_check_litmus({MIGCHECK_PEER_DIR}, t);
  print("kernel litmus tests", t);
  if (!quick()) {
    EXPECT_EQ(t.subset, 0);
  }
}

TEST(CrossCheck, RegisteredPrograms) {
  mc::Registry registry;
  register_all_tests(registry);
  Tally t;
  for (const mc::TestCase& test : registry.all()) {
    mc::Params params;
    ASSERT_EQ(mc::resolve_params(test, {}, &params), "") << test.name;
    const std::string what = test.name + " " + params.to_string();
    // The validation programs at their default size are for DPOR, not naive DFS.
    const mc::RunResult dpor = mc::explore(test, params, options("dpor", dpor_cap()));
    compare(mc::explore(test, params, options("dfs", naive_cap())), dpor, what, t);
  }
  print("registered programs", t, false);
  EXPECT_GE(t.compared, quick() ? 5 : 10);
}

}  // namespace
