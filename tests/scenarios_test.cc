// The scenario library (litmus/tests, built into the binary): every scenario meets its Expect
// lines under every bug variant of its subsystem at the oldest and the newest version, and in
// each migration mode; the built-in copies are the files in the tree. Each scenario at every
// version and bug variant its header lists is the CI gate's (tests/CMakeLists.txt, `ctest -L
// litmus`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "litmus/bindings.h"
#include "litmus/bindings/all.h"
#include "litmus/catalog.h"
#include "litmus/parser.h"
#include "litmus/runner.h"
#include "protocol/version.h"

namespace {

using litmus::CatalogFile;
using litmus::LitmusRun;

// Every scenario exhausts well within the cap (the largest, compaction-vs-free-before-isolation
// at 5.3, has about 1.1 million executions); a run cut by it is INCOMPLETE and fails here.
mc::ExploreOptions options() {
  mc::ExploreOptions o;
  o.max_executions = 3000000;
  o.minimize_seconds = 0.5;
  return o;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string errors(const LitmusRun& r) {
  std::string s;
  for (const std::string& e : r.errors) s += e + "\n";
  return s;
}

void expect_runs_ok(const std::vector<LitmusRun>& runs, const std::string& what) {
  ASSERT_FALSE(runs.empty()) << what;
  for (const LitmusRun& r : runs) {
    ASSERT_TRUE(r.errors.empty()) << what << ":\n" << errors(r);
    EXPECT_TRUE(r.ok()) << what << " " << r.variant << ": " << r.verdict->explanation << "\n"
                        << litmus::format_herd(r);
  }
}

TEST(Catalog, BuiltInCopiesAreTheFilesInTheTree) {
  const std::string dir = MIGCHECK_LITMUS_DIR;
  std::set<std::string> in_tree;
  for (const std::string& file : litmus::litmus_files({dir})) {
    std::string name = std::filesystem::relative(file, dir).string();
    name = name.substr(0, name.size() - 7);
    in_tree.insert(name);
    const CatalogFile* c = litmus::find_scenario(name);
    ASSERT_NE(c, nullptr) << name << " is in the tree but not built in: rebuild";
    EXPECT_EQ(c->text, read(file)) << name << " changed since the build: rebuild";
  }
  EXPECT_EQ(in_tree.size(), litmus::catalog().size()) << "a built-in scenario has no file";
  EXPECT_GE(in_tree.size(), 20u);
  EXPECT_EQ(litmus::match_catalog("zsmalloc/*").size(), 8u);
  EXPECT_EQ(litmus::find_scenario("protocol/no-such-scenario"), nullptr);
}

// A bug variant changes the code of one subsystem: no-trypin zsmalloc's, the others the
// migration core's and the reference driver's or the balloon's.
bool variant_applies(const std::string& bug, const std::string& scenario) {
  const bool zs = scenario.rfind("zsmalloc/", 0) == 0;
  return bug == "no-trypin" ? zs : !zs;
}

// Each bug variant: every scenario of its subsystem at the oldest and the newest version,
// whether or not its header lists the variant (where it lists none for the variant, the
// scenario behaves as without it).
class UnderBug : public ::testing::TestWithParam<std::string> {};

TEST_P(UnderBug, EveryScenarioAtTheOldestAndNewestKernel) {
  const std::string bug = GetParam();
  int ran = 0;
  for (const CatalogFile* f : litmus::catalog()) {
    if (!variant_applies(bug, f->name)) continue;
    for (const char* kernel : {"4.8", "6.17"}) {
      expect_runs_ok(
          litmus::run_litmus_text(f->text, f->path, options(), {{"kernel", kernel}, {"bug", bug}}),
          std::string(f->name) + " kernel=" + kernel + " bug=" + bug);
      ++ran;
    }
  }
  EXPECT_GE(ran, 2);
}

std::vector<std::string> variants() {
  std::vector<std::string> v;
  for (const std::string& b : proto::bug_choices())
    if (b != "none") v.push_back(b);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Variants, UnderBug, ::testing::ValuesIn(variants()), [](const auto& info) {
  std::string n = info.param;
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
});

// `mode=` replaces every compaction's declared mode: each scenario meets its expectations in
// each mode at 4.8 (docs/protocol.md, "Migration modes").
TEST(Scenarios, EveryMigrationModeAt48) {
  for (const CatalogFile* f : litmus::catalog())
    for (const char* mode : {"MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT", "MIGRATE_SYNC"})
      expect_runs_ok(litmus::run_litmus_text(f->text, f->path, options(),
                                             {{"kernel", "4.8"}, {"bug", "none"}, {"mode", mode}}),
                     std::string(f->name) + " mode=" + mode);
}

// The table of docs/scenarios.md is the tool's output, not a copy kept by hand.
TEST(Catalog, DocsTableIsWhatTheToolPrints) {
  const std::string doc = read(MIGCHECK_SCENARIOS_DOC);
  const std::string heading = "## Expected findings (`migcheck expectations`)\n\n";
  const size_t at = doc.find(heading);
  ASSERT_NE(at, std::string::npos) << MIGCHECK_SCENARIOS_DOC << " has no section '" << heading;
  EXPECT_EQ(doc.substr(at + heading.size()), litmus::format_expectations(litmus::catalog()))
      << "re-print it: replace the section's table with the output of `migcheck expectations`";
}

// The lost wake-up of PG_waiters and the non-atomic __ClearPageIsolated, per version: 4.10
// (62906027091f) brought it, 5.18 (356ea3865687) fixed it.
TEST(Scenarios, LostWakeupOnlyBetween410And517) {
  const CatalogFile* f = litmus::find_scenario("protocol/lock-page-vs-migration");
  ASSERT_NE(f, nullptr);
  for (const std::string kernel : {"4.8", "4.10", "5.17", "5.18", "6.17"}) {
    const auto runs =
        litmus::run_litmus_text(f->text, f->path, options(), {{"kernel", kernel}, {"bug", "none"}});
    ASSERT_EQ(runs.size(), 1u);
    ASSERT_TRUE(runs[0].errors.empty()) << errors(runs[0]);
    const bool lost = kernel == "4.10" || kernel == "5.17";
    EXPECT_EQ(runs[0].verdict->finding, lost ? "lost-wakeup" : "") << kernel;
    EXPECT_TRUE(runs[0].result->exhausted || lost) << kernel;
  }
}

}  // namespace
