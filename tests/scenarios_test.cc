// The scenario library (litmus/tests, built into the binary): every scenario meets its Expect
// lines in each migration mode, every bug variant is caught by some scenario, a file states
// nothing for the variants it does not name; the built-in copies are the files in the tree.
// Each scenario at every version and bug variant it runs is the CI gate's (tests/CMakeLists.txt,
// `ctest -L litmus`).
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
#include "litmus/interpreter.h"
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
  size_t zsmalloc = 0;
  for (const std::string& name : in_tree) zsmalloc += name.starts_with("zsmalloc/");
  EXPECT_GE(zsmalloc, 2u);
  EXPECT_EQ(litmus::match_catalog("zsmalloc/*").size(), zsmalloc);
  EXPECT_EQ(litmus::find_scenario("protocol/no-such-scenario"), nullptr);
}

// Every bug variant is caught: some scenario names it with a finding set that differs from the
// one it states without the variant, at some version (the CI gate checks that claim).
TEST(Variants, EachIsCaughtBySomeScenario) {
  const litmus::ModelSetting* kernel = litmus::model_bindings().setting("kernel");
  ASSERT_NE(kernel, nullptr);
  for (const std::string& bug : proto::bug_choices()) {
    if (bug == "none") continue;
    std::string caught_by;
    for (const CatalogFile* f : litmus::catalog()) {
      const litmus::ParseResult p = litmus::parse_litmus(f->text, f->path);
      ASSERT_TRUE(p.ok()) << f->name;
      for (const std::string& k : kernel->choices)
        if (caught_by.empty() &&
            litmus::expected_findings(*p.test, litmus::model_bindings(), k, bug) !=
                litmus::expected_findings(*p.test, litmus::model_bindings(), k, "none"))
          caught_by = std::string(f->name) + " at " + k;
    }
    EXPECT_FALSE(caught_by.empty()) << "no scenario states a finding for bug=" << bug;
  }
}

// Without a bug setting a file runs none and every variant its Expect lines name; it states
// nothing for another variant, and a run under one is reported, NOT CHECKED (exit code 3).
// protocol/compaction-vs-alloc names isolate-without-ref and set-movable-unlocked.
std::string claims_text() {
  const CatalogFile* f = litmus::find_scenario("protocol/compaction-vs-alloc");
  return f ? f->text : "";
}

TEST(Claims, AFileRunsNoneAndTheVariantsItsExpectLinesName) {
  const std::vector<LitmusRun> runs =
      litmus::run_litmus_text(claims_text(), "claims.litmus", options(), {{"kernel", "4.8"}});
  std::vector<std::string> variants;
  for (const LitmusRun& r : runs) {
    ASSERT_TRUE(r.errors.empty()) << errors(r);
    variants.push_back(r.variant);
    EXPECT_TRUE(r.ok()) << r.variant;
  }
  // In the order of the setting's choices.
  EXPECT_EQ(variants, (std::vector<std::string>{"bug=none", "bug=isolate-without-ref",
                                                "bug=set-movable-unlocked"}));
}

TEST(Claims, AVariantTheFileDoesNotNameIsReportedNotChecked) {
  mc::ExploreOptions o = options();
  o.all_findings = true;
  const std::vector<LitmusRun> runs = litmus::run_litmus_text(
      claims_text(), "claims.litmus", o, {{"kernel", "4.8"}, {"bug", "clear-movable-drops-flag"}});
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_TRUE(runs[0].errors.empty()) << errors(runs[0]);
  ASSERT_TRUE(runs[0].verdict);
  EXPECT_TRUE(runs[0].verdict->unchecked);
  EXPECT_FALSE(runs[0].verdict->failed);
  EXPECT_FALSE(runs[0].ok());
  EXPECT_EQ(litmus::litmus_exit_code(runs), 3);
  EXPECT_NE(runs[0].verdict->explanation.find("NOT CHECKED"), std::string::npos)
      << runs[0].verdict->explanation;
  EXPECT_NE(litmus::format_herd(runs[0]).find("nothing stated for bug=clear-movable-drops-flag"),
            std::string::npos);
}

TEST(Claims, AFileListMustRunEveryVariantItsExpectLinesName) {
  std::string text = claims_text();
  const size_t at = text.find(" * kernel=all");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, " * bug=none,set-movable-unlocked\n");
  const std::vector<LitmusRun> runs =
      litmus::run_litmus_text(text, "claims.litmus", options(), {{"kernel", "4.8"}});
  ASSERT_EQ(runs.size(), 1u);
  // One error for each of the file's two isolate-without-ref lines (every version, 6.18).
  ASSERT_EQ(runs[0].errors.size(), 2u);
  for (const std::string& e : runs[0].errors) {
    EXPECT_EQ(e.rfind("claims.litmus:", 0), 0u) << e;
    EXPECT_NE(e.find("bug=isolate-without-ref"), std::string::npos) << e;
    EXPECT_NE(e.find("does not run it"), std::string::npos) << e;
  }
  EXPECT_NE(runs[0].errors[0], runs[0].errors[1]);
  EXPECT_EQ(litmus::litmus_exit_code(runs), 2);
}

// `mode=` replaces every compaction's declared mode: each scenario meets its expectations in
// each mode at 4.8 (docs/protocol.md, "Migration modes").
// The first kernel version a scenario runs (4.8 for most).
std::string first_kernel(const CatalogFile& f) {
  const std::vector<std::string> kernels = litmus::file_kernels(f.text, f.path);
  return kernels.empty() ? "4.8" : kernels.front();
}

TEST(Scenarios, EveryMigrationModeAtTheFirstVersion) {
  for (const CatalogFile* f : litmus::catalog())
    for (const char* mode : {"MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT", "MIGRATE_SYNC"})
      expect_runs_ok(
          litmus::run_litmus_text(f->text, f->path, options(),
                                  {{"kernel", first_kernel(*f)}, {"bug", "none"}, {"mode", mode}}),
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
