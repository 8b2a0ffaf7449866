// The standing cross-check of DPOR against naive exhaustive search, on everything the project
// runs: every scenario of the library (litmus/tests) at every kernel version and bug variant it
// lists, the kernel's litmus tests (when they are beside the project), and the engine's
// validation programs, both searches going on past findings (--all-findings) so that a bug met
// first hides nothing. Every final state and finding kind that naive DFS reaches within its
// execution cap, DPOR reaches too; wherever naive DFS exhausts, the two sets are equal.
// For the scenarios, DPOR's answers are the project's baseline (litmus/baseline.jsonl): the CI
// gate (`ctest -L litmus`) checks at every run that DPOR, searching to the end, finds exactly
// the baseline's finding kinds and final states, and that they are the scenario's Expect set.
// Naive DFS is compared with each of them, none cut short by a cap, without a second DPOR
// search of the library.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"
#include "cli/gate.h"
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
  int compared = 0;  // naive exhausted: the sets are equal
  int subset = 0;    // naive was cut by its cap: what it reached is in DPOR's sets
  int skipped = 0;   // DPOR did not exhaust within its cap: nothing compared
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

void cross_check_litmus(const std::vector<std::string>& paths, Tally& t) {
  const auto naive = litmus::run_litmus_paths(paths, options("dfs", naive_cap()));
  const auto dpor = litmus::run_litmus_paths(paths, options("dpor", dpor_cap()));
  ASSERT_EQ(naive.size(), dpor.size());
  for (size_t i = 0; i < naive.size(); ++i) {
    const std::string what = naive[i].file + " " + naive[i].variant;
    ASSERT_TRUE(naive[i].errors.empty()) << what;
    ASSERT_TRUE(naive[i].result && dpor[i].result) << what;
    compare(*naive[i].result, *dpor[i].result, what, t);
  }
}

// The baseline's runs by key ("zsmalloc/map-vs-migrate [kernel=4.8 bug=none]").
const std::map<std::string, gate::Entry>& baseline() {
  static const std::map<std::string, gate::Entry> runs = [] {
    const std::string path = std::string(MIGCHECK_BASELINE);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<gate::Entry> entries;
    std::string error;
    EXPECT_TRUE(in && gate::read_baseline(text.str(), path, &entries, &error)) << path << error;
    std::map<std::string, gate::Entry> m;
    for (gate::Entry& e : entries) m[e.key()] = std::move(e);
    return m;
  }();
  return runs;
}

// Naive DFS over the scenarios of `paths`, each run compared with the baseline's DPOR answer.
// `kernel`: the one version to run, of a file that lists several (its baseline keys name it).
void cross_check_scenarios(const std::vector<std::string>& paths, Tally& t,
                           const std::string& kernel = "") {
  litmus::Overrides overrides;
  if (!kernel.empty()) overrides["kernel"] = kernel;
  const std::string root = std::string(MIGCHECK_LITMUS_DIR) + "/";
  for (const litmus::LitmusRun& run :
       litmus::run_litmus_paths(paths, options("dfs", naive_cap()), overrides)) {
    gate::Entry e;
    e.test = run.file.substr(root.size(), run.file.size() - root.size() - 7);  // no ".litmus"
    e.variant = kernel.empty()        ? run.variant
                : run.variant.empty() ? "kernel=" + kernel
                                      : "kernel=" + kernel + " " + run.variant;
    const std::string what = e.key();
    ASSERT_EQ(run.file.rfind(root, 0), 0u) << what;
    ASSERT_TRUE(run.errors.empty() && run.result) << what;
    const mc::RunResult& naive = *run.result;
    ASSERT_TRUE(naive.error.empty()) << what << ": " << naive.error;
    const auto it = baseline().find(what);
    ASSERT_NE(it, baseline().end()) << what << ": not in the baseline";
    const gate::Entry& b = it->second;
    ASSERT_EQ(b.verdict, "pass") << what;
    const std::set<std::string> no = outcome_set(naive), dpo(b.outcomes.begin(), b.outcomes.end());
    std::vector<std::string> nk = mc::finding_kinds(naive);
    std::sort(nk.begin(), nk.end());
    nk.erase(std::unique(nk.begin(), nk.end()), nk.end());
    if (naive.exhausted) {
      ++t.compared;
      EXPECT_EQ(no, dpo) << what << ": final states differ";
      EXPECT_EQ(join(nk), join(b.findings)) << what << ": finding kinds differ";
      EXPECT_LE(b.executions, naive.complete) << what;
      continue;
    }
    ++t.subset;
    for (const std::string& o : no) EXPECT_TRUE(dpo.count(o)) << what << ": DPOR misses " << o;
    const std::set<std::string> dks(b.findings.begin(), b.findings.end());
    for (const std::string& k : nk) EXPECT_TRUE(dks.count(k)) << what << ": DPOR misses " << k;
  }
}

void print(const char* what, const Tally& t, bool dpor_capped = true) {
  std::printf(
      "%s: %d runs with equal sets, %d beyond naive DFS's cap of %llu executions "
      "(checked as subsets)",
      what, t.compared, t.subset, static_cast<unsigned long long>(naive_cap()));
  if (dpor_capped)
    std::printf(", %d beyond DPOR's cap of %llu (not compared)", t.skipped,
                static_cast<unsigned long long>(dpor_cap()));
  std::printf("\n");
}

// One test per folder of the suite, so that CTest runs them side by side.
void cross_check_suite_folder(const std::string& folder, int min_equal) {
  const std::string dir = std::string(MIGCHECK_LITMUS_DIR) + "/" + folder;
  Tally t;
  if (!quick()) {
    cross_check_scenarios({dir}, t);
  } else {
    // The sanitizer pass runs every file once, at the first version it runs (4.8 for most).
    for (const std::string& file : litmus::litmus_files({dir}, nullptr)) {
      const std::vector<std::string> kernels = litmus::file_kernels_of(file);
      ASSERT_FALSE(kernels.empty()) << file;
      cross_check_scenarios({file}, t, kernels.size() > 1 ? kernels.front() : "");
    }
  }
  print(folder.c_str(), t, false);
  EXPECT_GE(t.compared + t.subset, quick() ? 1 : 5);
  EXPECT_GE(t.compared, quick() ? 0 : min_equal);
}

TEST(CrossCheck, LitmusSuiteProtocol) { cross_check_suite_folder("protocol", 1); }
TEST(CrossCheck, LitmusSuiteBalloon) { cross_check_suite_folder("balloon", 0); }
TEST(CrossCheck, LitmusSuiteZsmalloc) { cross_check_suite_folder("zsmalloc", 1); }
TEST(CrossCheck, LitmusSuiteZ3fold) { cross_check_suite_folder("z3fold", 1); }
TEST(CrossCheck, LitmusSuiteSlab) { cross_check_suite_folder("slab", 1); }

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
  print("registered programs", t);
  EXPECT_GE(t.compared, quick() ? 5 : 10);
}

}  // namespace
