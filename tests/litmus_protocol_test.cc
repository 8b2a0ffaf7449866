// Litmus files with the protocol: the suite in litmus/tests/ (every file matches its declared
// expectation), the binding registry, and the errors a person gets for malformed input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "checker/report/text.h"
#include "litmus/bindings.h"
#include "litmus/bindings/all.h"
#include "litmus/interpreter.h"
#include "litmus/parser.h"
#include "litmus/runner.h"
#include "protocol/version.h"

namespace {

using litmus::Agreement;
using litmus::LitmusRun;

std::string suite_dir() { return MIGCHECK_LITMUS_DIR; }
std::string docs_file() { return MIGCHECK_LITMUS_DOC; }

std::string errors(const LitmusRun& r) {
  std::string s;
  for (const std::string& e : r.errors) s += e + "\n";
  return s;
}

LitmusRun run(const std::string& text, const litmus::Overrides& o = {}) {
  return litmus::run_litmus_source(text, "inline.litmus", mc::ExploreOptions{}, o);
}

// `r` failed with exactly these input errors, each found as a substring of one of them.
void expect_input_errors(const LitmusRun& r, const std::vector<std::string>& wanted) {
  const std::string e = errors(r);
  ASSERT_EQ(r.errors.size(), wanted.size()) << e;
  for (const std::string& w : wanted) EXPECT_NE(e.find(w), std::string::npos) << w << "\n" << e;
}

// Runs `text` once per combination of the settings it lists: `count` runs, each passing.
void expect_every_run_passes(const std::string& text, size_t count) {
  const auto runs = litmus::run_litmus_text(text, "inline.litmus", mc::ExploreOptions{}, {});
  ASSERT_EQ(runs.size(), count);
  for (const LitmusRun& r : runs) {
    ASSERT_TRUE(r.verdict) << errors(r);
    EXPECT_TRUE(r.ok()) << r.variant << ": " << r.verdict->explanation;
  }
}

// ---- the suite ----

TEST(LitmusSuite, EveryFileMatchesItsExpectation) {
  // Every file once, at the first version it runs (4.8 for most), read from the tree (not the
  // built-in copies). Every version and bug variant each file lists is the CI gate's, one CTest
  // test per scenario (label litmus).
  std::vector<LitmusRun> runs;
  for (const std::string& file : litmus::litmus_files({suite_dir()}, nullptr)) {
    const std::vector<std::string> kernels = litmus::file_kernels_of(file);
    ASSERT_FALSE(kernels.empty()) << file;
    for (LitmusRun& r :
         litmus::run_litmus_file(file, mc::ExploreOptions{}, {{"kernel", kernels.front()}}))
      runs.push_back(std::move(r));
  }
  ASSERT_GE(runs.size(), 20u);
  std::cout << litmus::format_table(runs, suite_dir()) << std::flush;
  int with_finding = 0, without = 0;
  for (const LitmusRun& r : runs) {
    const std::string name =
        std::filesystem::relative(r.file, suite_dir()).string() + " " + r.variant;
    ASSERT_TRUE(r.errors.empty()) << name << ":\n" << errors(r);
    EXPECT_TRUE(r.ok()) << name << ": " << r.verdict->explanation << "\n" << litmus::format_herd(r);
    EXPECT_NE(r.verdict->agreement, Agreement::kNoExpectation) << name << ": no Result line";
    (r.verdict->expected_findings.empty() ? without : with_finding)++;
  }
  EXPECT_GT(with_finding, 5);  // lost wake-ups and bug variants
  EXPECT_GT(without, 10);
}

TEST(LitmusSuite, PerVersionExpectationOfTheLostWakeup) {
  const std::string file = suite_dir() + "/protocol/lock-page-vs-migration.litmus";
  for (const std::string kernel : {"4.8", "4.10", "5.17", "5.18", "6.17"}) {
    const std::vector<LitmusRun> runs =
        litmus::run_litmus_file(file, mc::ExploreOptions{}, {{"kernel", kernel}, {"bug", "none"}});
    ASSERT_EQ(runs.size(), 1u);
    const LitmusRun& r = runs[0];
    ASSERT_TRUE(r.errors.empty()) << errors(r);
    const bool lost = kernel == "4.10" || kernel == "5.17";
    EXPECT_EQ(r.verdict->finding, lost ? "lost-wakeup" : "") << kernel;
    EXPECT_TRUE(r.ok()) << kernel << ": " << r.verdict->explanation;
  }
}

// ---- a finding that is not expected fails, with its trace ----

const char* kPutbackVsFree = R"(C putback-vs-free-inline
(*
 * Result: Never
 * kernel=5.0
 *)
{
  struct page pg0;
  struct refdrv drv;
  struct compact_control cc;
  refdrv_alloc(drv, 42);
  isolate_movable_page(pg0);
  list_add(pg0, cc);
}
P0(struct compact_control *cc) { putback_movable_pages(cc); }
P1(struct refdrv *drv) { refdrv_free(drv); }
exists (false)
)";

TEST(LitmusProtocol, UnexpectedFindingFailsWithTrace) {
  const LitmusRun r = run(kPutbackVsFree);
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->finding, "lost-wakeup");
  EXPECT_EQ(r.verdict->agreement, Agreement::kFindingUnexpected);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(litmus::litmus_exit_code({r}), 1);
  const std::string herd = litmus::format_herd(r);
  EXPECT_NE(herd.find("finding: lost-wakeup"), std::string::npos) << herd;
  EXPECT_NE(herd.find("refdrv_free > lock_page"), std::string::npos) << herd;
  EXPECT_NE(herd.find("Model: bug=none kernel=5.0"), std::string::npos) << herd;
  const mc::json::Value j = litmus::litmus_json(r);
  ASSERT_NE(j.get("finding"), nullptr);
  // `result` and `mismatches` follow the file's verdict, as `ok` and the exit code do.
  ASSERT_NE(j.get("result"), nullptr);
  EXPECT_EQ(j.get("result")->str(), "fail");
  EXPECT_FALSE(r.result->mismatches.empty());
}

// A pointer value prints as what it points at: a list head by name ("cc.migratepages"), a page
// ("page0"), a model heap block ("zspage"), a poisoned link as the poison. Before, each was a
// raw address that changes from run to run.
TEST(LitmusProtocol, TraceValuesNameWhatTheyPointAt) {
  const LitmusRun r = run(kPutbackVsFree);
  ASSERT_TRUE(r.result && r.result->counterexample) << errors(r);
  const std::string trace = mc::format_trace(*r.result->counterexample);
  EXPECT_NE(trace.find("write cc.migratepages.next := page0.lru"), std::string::npos) << trace;
  EXPECT_NE(trace.find("write page0.lru.next := cc.migratepages"), std::string::npos) << trace;
  EXPECT_NE(trace.find("write ret.next := ret"), std::string::npos) << trace;
  EXPECT_NE(trace.find(":= LIST_POISON1"), std::string::npos) << trace;
  // No value is a raw address (user-space addresses print with 12 hex digits).
  static const std::regex kAddress(R"(:?= 0x[0-9a-f]{12}\b)");
  std::smatch m;
  EXPECT_FALSE(std::regex_search(trace, m, kAddress)) << m.str() << "\n" << trace;
}

TEST(LitmusProtocol, JsonResultFollowsTheFileWhenAFindingIsExpected) {
  std::string text = kPutbackVsFree;
  text.replace(text.find(" * kernel=5.0"), 13, " * Expect: lost-wakeup\n * kernel=5.0");
  const LitmusRun r = run(text);
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->agreement, Agreement::kFindingAsExpected);
  EXPECT_TRUE(r.ok());
  const mc::json::Value j = litmus::litmus_json(r);
  ASSERT_NE(j.get("result"), nullptr);
  EXPECT_EQ(j.get("result")->str(), "pass");
  EXPECT_TRUE(r.result->mismatches.empty());
  ASSERT_NE(j.get("ok"), nullptr);
}

TEST(LitmusProtocol, OverrideFixesItAndAMissingFindingFails) {
  LitmusRun r = run(kPutbackVsFree, {{"kernel", "5.18"}});
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_TRUE(r.ok()) << r.verdict->explanation;
  std::string text = kPutbackVsFree;
  text.replace(text.find(" * kernel=5.0"), 13, " * Expect: lost-wakeup\n * kernel=6.17");
  r = run(text);
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->agreement, Agreement::kFindingMissing);
  EXPECT_FALSE(r.ok());
}

// PG_waiters (62906027091f, 4.10): a lock_page sleeper sets it while the holder has the lock;
// 4.8 has no such bit.
TEST(LitmusProtocol, PageWaitersSetBySleepersFrom410) {
  const char* text = R"(C waiters
(*
 * Result: Sometimes
 *)
{ struct page pg0; }
P0(struct page *pg0) { int r0; lock_page(pg0); r0 = PageWaiters(pg0); unlock_page(pg0); }
P1(struct page *pg0) { lock_page(pg0); unlock_page(pg0); }
exists (0:r0=1)
)";
  LitmusRun r = run(text, {{"kernel", "4.10"}});
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, litmus::Observation::kSometimes) << litmus::format_herd(r);
  EXPECT_TRUE(r.ok()) << r.verdict->explanation;
  r = run(text, {{"kernel", "4.8"}});
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, litmus::Observation::kNever) << litmus::format_herd(r);
}

TEST(LitmusProtocol, RegistersComparedWithObjects) {
  const LitmusRun r = run(R"(C object-page
(* Result: Always *)
{
  struct page pg0;
  struct page pg1;
  struct refdrv drv;
  refdrv_alloc(drv, 7);
}
P0(struct refdrv *drv) {
  struct page *r0;
  int r1;
  r0 = refdrv_object_page(drv);
  r1 = refdrv_read(drv);
}
exists (0:r0=pg0 /\ 0:r1=7)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, litmus::Observation::kAlways);
  EXPECT_TRUE(r.ok()) << r.verdict->explanation;
}

// ---- the registry ----

TEST(LitmusBindings, RegistryIsWellFormed) {
  const litmus::Bindings& b = litmus::model_bindings();
  for (const char* name :
       {"lock_page", "trylock_page", "unlock_page", "get_page_unless_zero", "put_page",
        "isolate_movable_page", "migrate_pages", "putback_movable_pages", "compact_zone",
        "refdrv_alloc", "fill_balloon", "leak_balloon", "zs_malloc", "zs_free", "zs_map_object",
        "zs_unmap_object", "zs_compact", "zs_destroy_pool", "zs_run_pending_work"})
    EXPECT_NE(b.function(name), nullptr) << name;
  for (const auto& [name, f] : b.functions()) {
    EXPECT_EQ(name, f.name);
    EXPECT_FALSE(f.summary.empty()) << name;
    EXPECT_FALSE(f.subsystem.empty()) << name;
    EXPECT_TRUE(f.run) << name;
    EXPECT_EQ(litmus::primitives().count(name), 0u) << name << " shadows a primitive";
    for (litmus::ArgKind k : f.params) EXPECT_NE(k, litmus::ArgKind::kVoid) << name;
  }
  for (const auto& [name, t] : b.types()) {
    EXPECT_TRUE(t.create) << name;
    EXPECT_EQ(name.rfind("struct ", 0), 0u) << name;
  }
  ASSERT_NE(b.setting("kernel"), nullptr);
  EXPECT_TRUE(b.setting("kernel")->list);
  ASSERT_NE(b.setting("bug"), nullptr);
}

TEST(LitmusBindings, AddingAFunctionNeedsNoParserChange) {
  litmus::Bindings b;
  b.add(litmus::ModelFunction{"my_new_function",
                              {litmus::ArgKind::kInt},
                              litmus::ArgKind::kInt,
                              "test",
                              "doubles",
                              [](const litmus::Call& c) { return 2 * c.arg(0); }});
  EXPECT_NE(b.function("my_new_function"), nullptr);
  EXPECT_NE(litmus::format_bindings_reference(b).find("`my_new_function(int)` | int | doubles"),
            std::string::npos);
  EXPECT_THROW(b.add(litmus::ModelFunction{
                   "my_new_function", {}, litmus::ArgKind::kVoid, "t", "again", nullptr}),
               std::logic_error);
}

// The registry tables of docs/litmus.md are what `migcheck litmus-functions` prints.
TEST(LitmusBindings, DocumentationIsTheRegistrysOwnOutput) {
  std::ifstream in(docs_file());
  ASSERT_TRUE(in) << docs_file();
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  const std::string heading = "## The registry (output of `migcheck litmus-functions`)\n\n";
  const size_t at = doc.find(heading);
  ASSERT_NE(at, std::string::npos) << docs_file();
  const std::string reference = litmus::format_bindings_reference(litmus::model_bindings());
  EXPECT_EQ(doc.substr(at + heading.size(), reference.size()), reference)
      << "re-print the section with `migcheck litmus-functions`";
}

// ---- errors a person can act on ----

TEST(LitmusProtocolErrors, UnknownFunction) {
  const LitmusRun r = run(R"(C bad
{ struct page pg0; }
P0(struct page *pg0) {
  lock_the_page(pg0);
}
exists (false)
)");
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  EXPECT_EQ(r.errors[0].rfind("inline.litmus:4:3: unknown function 'lock_the_page': expected", 0),
            0u)
      << errors(r);
  EXPECT_EQ(litmus::litmus_exit_code({r}), 2);
}

TEST(LitmusProtocolErrors, WrongArgumentKindAndArity) {
  const LitmusRun r = run(R"(C bad
{ struct page pg0; struct refdrv drv; int x; }
P0(struct page *pg0, struct refdrv *drv, int *x) {
  lock_page(drv);
  unlock_page(x);
  refdrv_alloc(drv, pg0);
  put_page(pg0, 1);
  get_page(5);
}
exists (false)
)");
  const std::string e = errors(r);
  ASSERT_EQ(r.errors.size(), 5u) << e;
  EXPECT_NE(e.find("inline.litmus:4:13: lock_page argument 1: expected struct page *, found 'drv' "
                   "(struct refdrv)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:5:15: unlock_page argument 1: expected struct page *, found 'x' "
                   "(not a model object)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:6:21: refdrv_alloc argument 2: expected an integer, found 'pg0'"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:7:3: put_page takes 1 argument(s) (put_page(struct page *)), "
                   "given 2"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:8:12: get_page argument 1: expected struct page *, found the "
                   "integer 5"),
            std::string::npos)
      << e;
  EXPECT_EQ(litmus::litmus_exit_code({r}), 2);
}

TEST(LitmusProtocolErrors, WrongKindAtRunTimeIsAFinding) {
  const LitmusRun r = run(R"(C bad
{ struct page pg0; struct refdrv drv; }
P0(struct refdrv *drv) {
  struct page *r0;
  r0 = drv;
  lock_page(r0);
}
exists (false)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  ASSERT_TRUE(r.result->counterexample.has_value());
  EXPECT_NE(
      r.result->counterexample->finding.message.find(
          "inline.litmus:6:3: lock_page: argument 1 is a struct refdrv *, expected struct page *"),
      std::string::npos)
      << r.result->counterexample->finding.message;
}

TEST(LitmusProtocolErrors, UnknownKernelVersionAndBug) {
  const LitmusRun r = run(R"(C bad
(*
 * Expect 4.4: lost-wakeup
 * kernel=4.x
 * bug=no-such-bug
 * Expect bug=typo: leak
 *)
{ struct page pg0; }
P0(struct page *pg0) { lock_page(pg0); unlock_page(pg0); }
exists (false)
)");
  expect_input_errors(r, {"inline.litmus:6:4: Expect: unknown bug 'typo' (expected none, ",
                          "inline.litmus:4:4: kernel=4.x: unknown kernel version '4.x' (expected a "
                          "comma-separated list of 4.8, 4.10",
                          "inline.litmus:5:4: bug=no-such-bug: unknown bug 'no-such-bug' (expected "
                          "a comma-separated list of none, ",
                          "inline.litmus:3:4: Expect: unknown kernel version '4.4'"});
  const LitmusRun o =
      run("C ok\n{ struct page pg0; }\nP0(struct page *pg0) { put_page(pg0); }\n"
          "exists (false)\n",
          {{"kernel", "4.7"}});
  ASSERT_EQ(o.errors.size(), 1u) << errors(o);
  EXPECT_NE(o.errors[0].find("--set kernel=4.7: unknown kernel version '4.7'"), std::string::npos)
      << errors(o);
}

// A header key no model reads is a typo, and a version range that runs backwards a slip: both
// are input errors, never a run at the default version that proves nothing about the one named.
TEST(LitmusProtocolErrors, UnknownSettingsAndBackwardRanges) {
  const LitmusRun r = run(R"(C bad
(*
 * kernl=4.8
 * Kernel=5.17
 * foo=bar
 * Expect 5.17..4.10: lost-wakeup
 *)
{ struct page pg0; }
P0(struct page *pg0) { lock_page(pg0); unlock_page(pg0); }
exists (false)
)");
  expect_input_errors(
      r, {"inline.litmus:3:4: unknown setting 'kernl=4.8' (the settings are: kernel, ",
          "inline.litmus:4:4: unknown setting 'Kernel=5.17'",
          "inline.litmus:5:4: unknown setting 'foo=bar'",
          "inline.litmus:6:4: Expect: the range 5.17..4.10 runs backwards (write 4.10..5.17)"});
}

// A pfn range past the declared pages (or backwards) is the file's mistake, reported at its
// call: the scanner used to index the zone's page array out of bounds and kill the process.
TEST(LitmusProtocolErrors, PfnRangesAreCheckedAgainstTheDeclaredPages) {
  for (const char* range : {"0, 99", "-1, 1", "1, 0"}) {
    const LitmusRun r = run(std::string("C pfn\n{ struct page pg0; struct compact_control cc; }\n"
                                        "P0(struct compact_control *cc) { compact_zone(cc, ") +
                            range + "); }\nexists (false)\n");
    ASSERT_TRUE(r.errors.empty()) << errors(r);
    ASSERT_TRUE(r.result->counterexample.has_value()) << range;
    EXPECT_NE(r.result->counterexample->finding.message.find(
                  "inline.litmus:3:34: compact_zone: pfn range [" + std::string(range) +
                  ") is outside the pages the file declares (pfns 0 to 0)"),
              std::string::npos)
        << r.result->counterexample->finding.message;
  }
}

TEST(LitmusProtocolErrors, ObjectsInTheInitialState) {
  const LitmusRun r = run(R"(C bad
{
  struct page *pg0;
  struct compact_control cc = MIGRATE_SOON;
  struct refdrv drv;
  WRITE_ONCE(*x, 1);
  refdrv_alloc(drv, 1);
  nothing_here(drv);
}
P0(struct refdrv *drv) { refdrv_free(drv); }
exists (drv=0)
)");
  const std::string e = errors(r);
  EXPECT_NE(e.find("inline.litmus:3:3: declare the object itself ('struct page pg0;')"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:4:31: struct compact_control cc: expected one of MIGRATE_ASYNC"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:6:3: 'WRITE_ONCE' cannot run in the initial state"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:8:3: unknown function 'nothing_here'"), std::string::npos) << e;
  EXPECT_NE(e.find("inline.litmus:11:9: 'drv' is a model object"), std::string::npos) << e;
}

// A model object taken as a thread parameter must be made in the initial state: before, P0 got
// a fresh page nobody had set up, and lock/unlock on it passed, checking nothing. A plain
// location as a parameter only stays allowed (herd7 makes it, zero).
TEST(LitmusProtocolErrors, ObjectParameterNotDeclaredInTheInitialState) {
  const LitmusRun r = run(R"(C bad
{
}
P0(struct page *page, int *x)
{
  lock_page(page);
  WRITE_ONCE(*x, 1);
  unlock_page(page);
}
exists (x=1)
)");
  const std::string e = errors(r);
  EXPECT_NE(e.find("inline.litmus:4:4: P0's parameter 'page' is a struct page that the initial "
                   "state does not declare: declare it there ('struct page page;')"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("'x'"), std::string::npos) << e;
}

// A call in an initial value: the error says calls are not allowed there and where to make
// it, not that an argument should have been an integer.
// A setting written before the header comment is a herd info line (metadata): it would be
// ignored, so it is an error that says where settings go.
TEST(LitmusProtocolErrors, SettingWrittenAsAnInfoLine) {
  const LitmusRun r = run(R"(C info-setting
kernel=4.8
{
  struct page pg0;
}
P0(struct page *pg0) { lock_page(pg0); unlock_page(pg0); }
exists (true)
)");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("inline.litmus:2:1:"), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[0].find("write it inside the comment, as ' * kernel=4.8'"), std::string::npos)
      << r.errors[0];
}

TEST(LitmusProtocolErrors, CallInAnInitialValue) {
  const LitmusRun r = run(R"(C bad
{
  struct zs_pool pool;
  0:r1 = zs_malloc(pool, 1);
}
P0(struct zs_pool *pool) { int r1; r1 = 0; }
exists (0:r1=0)
)");
  const std::string e = errors(r);
  EXPECT_NE(e.find("inline.litmus:4:10: expected an initial value"), std::string::npos) << e;
  EXPECT_NE(e.find("the initial state runs no code, so call 'zs_malloc' in a thread ('r1 = "
                   "zs_malloc(...);')"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("integer argument"), std::string::npos) << e;
}

// A run that stopped at a finding before any execution completed did not deadlock: its
// herd-style block says Stopped, and DEADLOCK keeps its meaning (every execution blocked, or
// none passed the filter).
TEST(LitmusProtocol, AFindingIsNotADeadlock) {
  const LitmusRun r = run(R"(C stops-at-finding
{
  struct page pg0;
}
P0(struct page *pg0) { unlock_page(pg0); }
exists (true)
)");
  ASSERT_TRUE(r.verdict) << errors(r);
  EXPECT_EQ(r.verdict->observation, litmus::Observation::kStopped);
  const std::string herd = litmus::format_herd(r);
  EXPECT_NE(herd.find("Observation stops-at-finding Stopped 0 0"), std::string::npos) << herd;
  EXPECT_EQ(herd.find("DEADLOCK"), std::string::npos) << herd;

  const LitmusRun filtered = run(R"(C nothing-passes-the-filter
{
}
P0(int *x) { WRITE_ONCE(*x, 1); }
filter (x=2)
exists (x=1)
)");
  ASSERT_TRUE(filtered.verdict) << errors(filtered);
  EXPECT_EQ(filtered.verdict->observation, litmus::Observation::kDeadlock);
}

// kernel=5.2 runs the model of 5.0 and says so; Expect lines may name the same free versions
// and ranges; a version before 4.8 is an error that says what is accepted.
TEST(LitmusProtocol, AnyKernelVersion) {
  const std::string text = R"(C free-versions
(*
 * Expect 5.2: VM_BUG_ON_PAGE
 * Expect 5.15.80..6.4: none
 * kernel=5.2,5.15.80,6.4-rc1
 *)
{
  struct page pg0;
}
P0(struct page *pg0) { lock_page(pg0); unlock_page(pg0); unlock_page(pg0); }
exists (true)
)";
  const auto runs = litmus::run_litmus_text(text, "inline.litmus", mc::ExploreOptions{}, {});
  ASSERT_EQ(runs.size(), 3u);
  const char* modelled[] = {"5.0", "5.15", "6.0"};
  const char* asked[] = {"5.2", "5.15.80", "6.4-rc1"};
  for (size_t i = 0; i < runs.size(); ++i) {
    ASSERT_TRUE(runs[i].verdict) << errors(runs[i]);
    EXPECT_EQ(runs[i].program->settings.at("kernel"), modelled[i]);
    const std::string herd = litmus::format_herd(runs[i]);
    EXPECT_NE(herd.find(std::string("kernel=") + modelled[i] + " (for " + asked[i] + ")"),
              std::string::npos)
        << herd;
  }
  // Double unlock: a finding at every version; 5.2 expects it, the range expects none.
  EXPECT_FALSE(runs[0].verdict->failed) << runs[0].verdict->explanation;
  EXPECT_TRUE(runs[1].verdict->failed);
  EXPECT_TRUE(runs[2].verdict->failed);

  const LitmusRun old = run(R"(C too-old
(* kernel=4.4 *)
{
  struct page pg0;
}
P0(struct page *pg0) { lock_page(pg0); unlock_page(pg0); }
exists (true)
)");
  const std::string e = errors(old);
  EXPECT_NE(e.find("unknown kernel version '4.4'"), std::string::npos) << e;
  EXPECT_NE(e.find("any version from 4.8 on, such as 5.2 or 5.15.80"), std::string::npos) << e;
}

// choose(N) is a branch the exploration takes every way: each value is an outcome.
TEST(LitmusProtocol, ChooseTriesEveryValue) {
  const LitmusRun r = run(R"(C choose
{
}
P0(int *x) { int r0; r0 = choose(3); WRITE_ONCE(*x, r0); }
exists (x=2)
)");
  ASSERT_TRUE(r.result) << errors(r);
  EXPECT_TRUE(r.result->exhausted);
  std::set<std::string> outcomes;
  for (const auto& [key, n] : r.result->outcomes) outcomes.insert(key);
  EXPECT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(r.verdict->observation, litmus::Observation::kSometimes);
  const LitmusRun zero =
      run("C c\n{\n}\nP0(int *x) { WRITE_ONCE(*x, choose(0)); }\nexists (x=0)\n");
  ASSERT_TRUE(zero.result) << errors(zero);
  ASSERT_TRUE(zero.result->counterexample);
  EXPECT_NE(
      zero.result->counterexample->finding.message.find("choose(0): expected between 1 and 64"),
      std::string::npos);
}

// The kernel's checks written in a thread body become findings named for them, with the
// file's line; WARN_ON gives its condition back, as in `if (WARN_ON(...))`.
TEST(LitmusProtocol, KernelChecksInThreadBodies) {
  const std::string text = R"(C checks
(*
 * Expect: BUG_ON, VM_BUG_ON_PAGE, WARN_ON
 *)
{
  struct page pg0;
}
P0(struct page *pg0, int *x)
{
  int r0;
  r0 = choose(3);
  if (WARN_ON(r0 == 1))
    WRITE_ONCE(*x, 7);
  BUG_ON(r0 == 2);
  VM_BUG_ON_PAGE(page_count(pg0) == 0, pg0);
}
exists (x=7)
)";
  mc::ExploreOptions all;
  all.all_findings = true;
  const LitmusRun r = litmus::run_litmus_source(text, "inline.litmus", all, {});
  ASSERT_TRUE(r.verdict) << errors(r);
  EXPECT_FALSE(r.verdict->failed) << r.verdict->explanation;
  EXPECT_EQ(r.verdict->findings, (std::vector<std::string>{"BUG_ON", "VM_BUG_ON_PAGE", "WARN_ON"}));
  std::string messages;
  for (const auto& c : r.result->all_findings) messages += c.finding.message + "\n";
  EXPECT_NE(messages.find("kernel BUG at inline.litmus:14:3!"), std::string::npos) << messages;
  EXPECT_NE(messages.find("WARNING: at inline.litmus:12:7: WARN_ON(r0 == 1)"), std::string::npos)
      << messages;
  EXPECT_NE(
      messages.find("page dumped because: VM_BUG_ON_PAGE(the condition at inline.litmus:15:3)"),
      std::string::npos)
      << messages;
}

// A WARN reports and the kernel goes on: under --all-findings the thread continues past it (the
// final state is reached and a later check still fires), where a BUG ends the thread. Before,
// a WARN ended the thread as a BUG does.
TEST(LitmusProtocol, AWarningLetsTheThreadGoOn) {
  const std::string text = R"(C warn-goes-on
(*
 * Result: Always
 * Expect: BUG_ON, WARN_ON
 *)
{
}
P0(int *x)
{
  WARN_ON(1);
  WRITE_ONCE(*x, 1);
  BUG_ON(1);
  WRITE_ONCE(*x, 2);
}
exists (x=1)
)";
  mc::ExploreOptions all;
  all.all_findings = true;
  const LitmusRun r = litmus::run_litmus_source(text, "inline.litmus", all, {});
  ASSERT_TRUE(r.verdict) << errors(r);
  EXPECT_TRUE(r.ok()) << r.verdict->explanation;
  EXPECT_EQ(r.verdict->findings, (std::vector<std::string>{"BUG_ON", "WARN_ON"}));
  EXPECT_EQ(r.verdict->positive, 1u);  // x=1: past the WARN, not past the BUG
}

// A stable kernel is a version plus backports: with=ID applies a fix (its commit id, shortened
// to 7 digits or more) on top of the version. 4.10 with 356ea3865687 (atomic PG_isolated) loses
// the lost wake-up of putback-vs-free; a fix for code the version does not have, or an id
// that names no fix, is an error.
TEST(LitmusProtocol, BackportsByCommitId) {
  const std::string path = suite_dir() + "/protocol/putback-vs-free.litmus";
  const auto plain =
      litmus::run_litmus_file(path, mc::ExploreOptions{}, {{"kernel", "4.10"}, {"bug", "none"}});
  ASSERT_EQ(plain.size(), 1u);
  ASSERT_TRUE(plain[0].verdict) << errors(plain[0]);
  EXPECT_EQ(plain[0].verdict->finding, "lost-wakeup");
  const auto fixed = litmus::run_litmus_file(
      path, mc::ExploreOptions{}, {{"kernel", "4.10"}, {"bug", "none"}, {"with", "356ea38"}});
  ASSERT_EQ(fixed.size(), 1u);
  ASSERT_TRUE(fixed[0].verdict) << errors(fixed[0]);
  EXPECT_EQ(fixed[0].verdict->finding, "");
  EXPECT_TRUE(fixed[0].result->exhausted);
  EXPECT_EQ(fixed[0].program->settings.at("with"), "356ea3865687");
  EXPECT_NE(litmus::format_herd(fixed[0]).find("with=356ea3865687"), std::string::npos);

  const std::string text =
      "C t\n(* kernel=4.10 *)\n{ struct page pg0; }\nP0(struct page *pg0) { lock_page(pg0); "
      "unlock_page(pg0); }\nexists (true)\n";
  const std::string too_early = errors(run(text, {{"with", "4b5d1e47b694"}}));
  EXPECT_NE(too_early.find("with=4b5d1e47b694 fixes code that kernel 4.10 does not have yet (it "
                           "applies from 5.17)"),
            std::string::npos)
      << too_early;
  const std::string unknown = errors(run(text, {{"with", "356ea3865687,deadbeef"}}));
  EXPECT_NE(unknown.find("unknown with 'deadbeef'"), std::string::npos) << unknown;
  const std::string short_id = errors(run(text, {{"with", "356ea3"}}));
  EXPECT_NE(short_id.find("unknown with '356ea3'"), std::string::npos) << short_id;
}

// 6.17.6 carries 4ba5a8a7faa6 (mainline 6.18): with it the
// VMware balloon's migration whose new page the host refused returns success, and 6.17's
// putback warning of balloon/vmw-migration goes.
TEST(LitmusProtocol, TheVmwBalloonBackportOfAStableTree) {
  const std::string path = suite_dir() + "/balloon/vmw-migration.litmus";
  const auto plain = litmus::run_litmus_file(path, mc::ExploreOptions{}, {{"kernel", "6.17"}});
  ASSERT_EQ(plain.size(), 1u);
  ASSERT_TRUE(plain[0].verdict) << errors(plain[0]);
  EXPECT_EQ(plain[0].verdict->finding, "WARN_ON_ONCE");
  const auto fixed = litmus::run_litmus_file(path, mc::ExploreOptions{},
                                             {{"kernel", "6.17"}, {"with", "4ba5a8a7faa6"}});
  ASSERT_EQ(fixed.size(), 1u);
  ASSERT_TRUE(fixed[0].verdict) << errors(fixed[0]);
  EXPECT_EQ(fixed[0].verdict->finding, "");
  EXPECT_TRUE(fixed[0].result->exhausted);
}

// 6.17.6 also carries 95c2908f1a4f (4ba5a8a7faa6's dependency): the core no longer takes a
// movable_ops page it holds the last reference of for freed. Under isolate-without-ref that
// reference is the driver's: 6.17 drops it as if the page were freed (the references end
// unbalanced), 6.18 and 6.17 with the fix hand the page to the driver's migratepage, whose put
// frees it while locked.
TEST(LitmusProtocol, TheFreedPageShortcutBackportOfAStableTree) {
  const std::string path = suite_dir() + "/protocol/compaction-vs-alloc.litmus";
  const auto finding = [&](const std::string& kernel, const std::string& with) {
    const auto runs = litmus::run_litmus_file(
        path, mc::ExploreOptions{},
        {{"kernel", kernel}, {"bug", "isolate-without-ref"}, {"with", with}});
    EXPECT_EQ(runs.size(), 1u);
    return runs.size() == 1 && runs[0].verdict ? runs[0].verdict->finding : errors(runs[0]);
  };
  EXPECT_EQ(finding("6.17", "none"), "end state");
  EXPECT_EQ(finding("6.17", "95c2908f1a4f"), "bad page state");
  EXPECT_EQ(finding("6.18", "none"), "bad page state");
}

// A class whose zspage needs two pages where one is left: alloc_zspage gives back the page it
// took, with its contents, and zs_malloc fails. Before, the page's model memory stayed
// allocated: a false leak at every version.
TEST(LitmusZsmalloc, AClassOutOfPagesLeaksNothing) {
  const std::string text = R"(C zs-out-of-pages
(*
 * Result: Always
 * kernel=all
 *)
{
  struct page pg0;
  struct zs_pool pool = ZS_POOL(3, 2);
}
P0(struct zs_pool *pool) { int r0; r0 = zs_malloc(pool, 2); }
exists (0:r0=0)
)";
  expect_every_run_passes(text, proto::kernel_choices().size());  // no finding expected
}

// A page allocated and never given back is a `leak`, under the same name in the text, the
// JSON and `Expect`, as model memory never freed is. Before, it was an "end state" finding
// while the documentation offered `leak`.
TEST(LitmusProtocol, APageNobodyHoldsIsALeak) {
  std::string text = R"(C page-never-freed
(*
 * Result: Always
 * kernel=4.8
 *)
{
  struct page pg0;
}
P0() { int r0; r0 = alloc_page(); }
exists (0:r0=pg0)
)";
  const LitmusRun found = run(text);
  ASSERT_TRUE(found.errors.empty()) << errors(found);
  EXPECT_FALSE(found.ok());
  ASSERT_TRUE(found.result->counterexample);
  EXPECT_EQ(found.result->counterexample->finding.kind_string(), "leak");
  EXPECT_NE(found.result->counterexample->finding.message.find("no owner holds it"),
            std::string::npos);
  const mc::json::Value j = litmus::litmus_json(found);
  ASSERT_NE(j.get("finding"), nullptr);
  EXPECT_NE(j.get("finding")->str().find("leak"), std::string::npos) << j.get("finding")->str();
  text.replace(text.find(" * kernel=4.8"), 13, " * Expect: leak\n * kernel=4.8");
  const LitmusRun expected = run(text);
  ASSERT_TRUE(expected.errors.empty()) << errors(expected);
  EXPECT_TRUE(expected.ok()) << expected.verdict->explanation;
}

// A zsmalloc pool and the reference driver share the zone: each owner checks the pages it
// holds, and the zone check asks only that every page be free or held by one owner. Before,
// each owner took the other's pages for leaks ("never went back to the allocator").
TEST(LitmusZsmalloc, APoolAndADriverShareTheZone) {
  const std::string text = R"(C pool-and-driver
(*
 * Result: Always
 * kernel=4.8,5.17,6.17
 *)
{
  struct page pg0;
  struct page pg1;
  struct page pg2;
  struct zs_pool pool = ZS_POOL(3, 1);
  struct refdrv drv;

  refdrv_alloc(drv, 42);
}
P0(struct zs_pool *pool) { int r0; r0 = zs_malloc(pool, 2); }
exists (0:r0!=0)
)";
  expect_every_run_passes(text, 3u);
}

// Work queued on a pool with no kworker declared runs when a thread runs it, and at the latest
// when zs_destroy_pool flushes it, as the kernel's worker would before flush_work returns.
// Before, the flush waited for a worker that did not exist: a lost wake-up (here at 4.8).
TEST(LitmusZsmalloc, FlushWithoutAWorkerRunsThePendingWork) {
  const std::string text = R"(C flush-without-worker
(*
 * Result: Always
 * kernel=all
 *)
{
  struct page pg0;
  struct page pg1;
  struct zs_pool pool = ZS_POOL(3, 2);
  struct zs_handle h;
  struct compact_control cc;

  zs_malloc_into(pool, h, 2);
  isolate_movable_page(pg1);
  list_add(pg1, cc);
}
P0(struct zs_pool *pool, struct zs_handle *h, struct compact_control *cc)
{
  zs_free(pool, h);
  putback_movable_pages(cc);
  zs_destroy_pool(pool);
}
exists (true)
)";
  expect_every_run_passes(text, proto::kernel_choices().size());
}

// zsmalloc's internal paths are callable on their own, under their kernel names: before, each
// was "unknown function".
TEST(LitmusZsmalloc, InternalPathsAreCallable) {
  const std::string text = R"(C internal-paths
(*
 * Result: Always
 * kernel=all
 *)
{
  struct page pg0;
  struct page pg1;
  struct zs_pool pool = ZS_POOL(3, 2);
  struct zs_handle h;

  zs_malloc_write(pool, h, 7);
}
P0(struct zs_pool *pool, struct page *pg0, struct page *pg1)
{
  int r0;
  lock_zspage(pool, pg0);
  r0 = PageLocked(pg1);
  unlock_page(pg0);
  unlock_page(pg1);
  async_free_zspage(pool);
  zs_unregister_migration(pool);
}
exists (0:r0=1)
)";
  expect_every_run_passes(text, proto::kernel_choices().size());
}

// Where an internal path needs context its caller provides (a page locked, a page isolated, a
// version that has the function), the binding says what is missing.
TEST(LitmusZsmalloc, InternalPathsCheckTheirContext) {
  auto finding = [](const std::string& body, const std::string& kernel) {
    const std::string text = "C t\n(* kernel=" + kernel +
                             " *)\n{\n  struct page pg0;\n  struct page pg1;\n  struct page "
                             "pg2;\n  struct zs_pool pool;\n  struct zs_handle h;\n\n  "
                             "zs_malloc_into(pool, h, 1);\n}\nP0(struct zs_pool *pool, struct "
                             "page *pg0, struct page *pg1, struct page *pg2)\n{\n" +
                             body + "\n}\nexists (true)\n";
    const LitmusRun r = run(text);
    if (!r.result || !r.result->counterexample) return "no finding: " + errors(r);
    return r.result->counterexample->finding.message;
  };
  EXPECT_NE(
      finding("  zs_page_isolate(pg0);", "6.5").find("zs_page_isolate: needs the page locked"),
      std::string::npos);
  EXPECT_NE(finding("  lock_page(pg0);\n  lock_page(pg1);\n  zs_page_migrate(pg1, pg0);", "5.3")
                .find("zs_page_migrate: needs the page isolated"),
            std::string::npos);
  EXPECT_NE(finding("  zs_pool_dec_isolated(pool);", "4.8")
                .find("zs_pool_dec_isolated: exists from 5.3 (701d678599d0) to 5.16"),
            std::string::npos);
  EXPECT_NE(finding("  lock_zspage(pool, pg2);", "5.17").find("pfn 2 is not a zsmalloc page"),
            std::string::npos);
}

// A finding points at the file: the statement of P0 that raised it first, the model's place
// after it; threads are named as the file names them (main sets up and checks the end).
// Two statements reaching the same check of the model are two findings.
TEST(LitmusProtocol, FindingsPointAtTheFile) {
  const std::string text = R"(C points-at-the-file
(*
 * Expect: BUG_ON
 *)
{
  struct page pg0;
}
P0(struct page *pg0, int *x)
{
  int r0;
  r0 = choose(2);
  WRITE_ONCE(*x, 1);
  if (r0 == 0)
    BUG_ON(1);
  BUG_ON(r0 == 1);
}
exists (x=1)
)";
  mc::ExploreOptions all;
  all.all_findings = true;
  const LitmusRun r = litmus::run_litmus_source(text, "inline.litmus", all, {});
  ASSERT_TRUE(r.result) << errors(r);
  ASSERT_EQ(r.result->all_findings.size(), 2u);
  std::set<std::string> origins;
  for (const auto& c : r.result->all_findings) {
    EXPECT_EQ(c.finding.thread_label(), "P0");
    origins.insert(c.finding.origin);
    const std::string trace = mc::format_trace(c);
    EXPECT_NE(trace.find("in P0 at " + c.finding.origin + " ("), std::string::npos) << trace;
    EXPECT_NE(trace.find("spawn = P0"), std::string::npos) << trace;
    EXPECT_NE(trace.find("  main "), std::string::npos) << trace;
    EXPECT_NE(trace.find("x := 1   inline.litmus:12:3 ("), std::string::npos) << trace;
  }
  EXPECT_EQ(origins, (std::set<std::string>{"inline.litmus:14:5", "inline.litmus:15:3"}));
}

TEST(LitmusZsmalloc, HandlesInRegistersAndMappedWords) {
  const LitmusRun r = run(R"(C zs-registers
(* Result: Always *)
{
  struct page pg0;
  struct page pg1;
  struct zs_pool pool = ZS_POOL(2, 1, 3, 2);
}
P0(struct zs_pool *pool) {
  unsigned long r0;
  int r1;
  r0 = zs_malloc(pool, 2);
  zs_map_object(pool, r0, 2);
  zs_mapped_write(pool, r0, 1, 7);
  zs_mapped_write(pool, r0, 0, 5);
  zs_unmap_object(pool, r0);
  zs_map_object(pool, r0, 1);
  r1 = zs_mapped_read(pool, r0, 0) + zs_mapped_read(pool, r0, 1);
  zs_unmap_object(pool, r0);
}
exists (0:r1=12)
)",
                          {{"kernel", "6.5"}});
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->observation, litmus::Observation::kAlways);
  EXPECT_TRUE(r.ok()) << r.verdict->explanation << "\n" << litmus::format_herd(r);
}

// From 6.15 an object is written with zs_obj_write and read between zs_obj_read_begin and
// zs_obj_read_end; the calls of the other era are refused (a "litmus" finding).
TEST(LitmusZsmalloc, TheObjectApiOf615AndTheMapApiBefore) {
  const std::string text = R"(C zs-obj-api
(* Result: Always *)
{
  struct page pg0;
  struct page pg1;
  struct zs_pool pool = ZS_POOL(3, 2);
}
P0(struct zs_pool *pool) {
  unsigned long r0;
  int r1;
  r0 = zs_malloc(pool, 2);
  zs_obj_write(pool, r0, 5);
  zs_obj_read_begin(pool, r0);
  r1 = zs_mapped_read(pool, r0, 0);
  zs_obj_read_end(pool, r0);
}
exists (0:r1=5)
)";
  const LitmusRun now = run(text, {{"kernel", "6.17"}});
  ASSERT_TRUE(now.errors.empty()) << errors(now);
  EXPECT_EQ(now.verdict->observation, litmus::Observation::kAlways);
  EXPECT_TRUE(now.ok()) << now.verdict->explanation << "\n" << litmus::format_herd(now);
  const LitmusRun before = run(text, {{"kernel", "6.5"}});
  ASSERT_TRUE(before.verdict);
  EXPECT_EQ(before.verdict->finding, "litmus");
}

TEST(LitmusZsmalloc, FreeingAHandleTwiceIsAUseAfterFree) {
  // P0 frees the object twice: the model's handle is freed memory the second time.
  const LitmusRun r = run(R"(C zs-double-free
(* Result: Never *)
{
  struct page pg0;
  struct zs_pool pool;
  struct zs_handle h;
  zs_malloc_write(pool, h, 1);
}
P0(struct zs_pool *pool, struct zs_handle *h) { zs_free(pool, h); zs_free(pool, h); }
exists (false)
)");
  ASSERT_TRUE(r.errors.empty()) << errors(r);
  EXPECT_EQ(r.verdict->finding, "use-after-free") << litmus::format_herd(r);
  EXPECT_FALSE(r.ok());
}

TEST(LitmusProtocolErrors, ZsmallocArguments) {
  const LitmusRun r = run(R"(C bad
{
  struct page pg0;
  struct zs_pool pool = ZS_POOL(3, 5);
  struct zs_handle h;
  struct refdrv drv;
}
P0(struct zs_pool *pool, struct zs_handle *h, struct page *pg0) {
  zs_free(pool, pg0);
  zs_malloc(h, 1);
  zs_map_object(pool, h);
  zs_mapped_read(pool, 7, 0);
}
exists (false)
)");
  const std::string e = errors(r);
  ASSERT_EQ(r.errors.size(), 5u) << e;
  EXPECT_NE(e.find("inline.litmus:4:25: struct zs_pool pool: pages per zspage 5: expected 1..2"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:9:17: zs_free argument 2: expected unsigned long (zsmalloc "
                   "handle), found 'pg0' (struct page)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:10:13: zs_malloc argument 1: expected struct zs_pool *, found "
                   "'h' (struct zs_handle)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:11:3: zs_map_object takes 3 argument(s)"), std::string::npos)
      << e;
  EXPECT_NE(e.find("inline.litmus:12:24: zs_mapped_read argument 2: expected unsigned long "
                   "(zsmalloc handle), found the integer 7"),
            std::string::npos)
      << e;
  EXPECT_EQ(litmus::litmus_exit_code({r}), 2);
  const LitmusRun m =
      run("C bad\n{ struct zs_pool pool = ZS_POOL(2); int x = ATOMIC_INIT(1, 2); }\n"
          "P0(struct zs_pool *pool) { zs_compact(pool); }\nexists (false)\n");
  const std::string em = errors(m);
  ASSERT_EQ(m.errors.size(), 2u) << em;
  EXPECT_NE(em.find("inline.litmus:2:25: struct zs_pool pool: ZS_POOL takes 2 or 4 arguments"),
            std::string::npos)
      << em;
  EXPECT_NE(em.find("inline.litmus:2:45: ATOMIC_INIT takes one argument, given 2"),
            std::string::npos)
      << em;
}

TEST(LitmusProtocolErrors, ExpectLineSyntax) {
  const litmus::ParseResult p = litmus::parse_litmus(
      "C bad\n(*\n * Expect 4.10 lost-wakeup\n *)\n{}\nP0() {}\nexists (false)\n", "inline.litmus");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error_text().find("inline.litmus:3:"), std::string::npos) << p.error_text();
  EXPECT_NE(p.error_text().find("':' after 'Expect'"), std::string::npos) << p.error_text();
}

TEST(LitmusProtocolErrors, ExpectSetSyntax) {
  for (const char* line : {" * Expect: none, data-race", " * Expect: data-race,,leak",
                           " * Expect bug= 4.8: leak", " * Expect bug=a bug=b: leak"}) {
    const litmus::ParseResult p = litmus::parse_litmus(
        std::string("C bad\n(*\n") + line + "\n *)\n{}\nP0() {}\nexists (false)\n",
        "inline.litmus");
    ASSERT_FALSE(p.ok()) << line;
    EXPECT_NE(p.error_text().find("inline.litmus:3:"), std::string::npos) << p.error_text();
  }
}

TEST(LitmusProtocol, ExpectLinesRoundTrip) {
  const std::string text =
      "C rt\n(*\n * Result: Never\n * Expect: none\n * Expect 4.10..5.17 6.0: lost-wakeup\n"
      " * Expect bug=isolate-without-ref: end state, VM_BUG_ON_PAGE\n"
      " * Expect bug=isolate-without-ref 6.0: leak\n"
      " * kernel=all\n *)\n{\n  struct page pg0;\n  struct refdrv drv;\n  refdrv_alloc(drv, "
      "1);\n}\n"
      "P0(struct refdrv *drv) { refdrv_free(drv); }\nexists (false)\n";
  const litmus::ParseResult p = litmus::parse_litmus(text, "rt.litmus");
  ASSERT_TRUE(p.ok()) << p.error_text();
  ASSERT_EQ(p.test->expected_findings.size(), 4u);
  EXPECT_EQ(p.test->expected_findings[1].kernels, (std::vector<std::string>{"4.10..5.17", "6.0"}));
  using V = std::vector<std::string>;
  EXPECT_EQ(litmus::expected_findings(*p.test, litmus::model_bindings(), "5.0"), V{"lost-wakeup"});
  EXPECT_EQ(litmus::expected_findings(*p.test, litmus::model_bindings(), "5.18"), V{});
  EXPECT_EQ(litmus::expected_findings(*p.test, litmus::model_bindings(), "6.0"), V{"lost-wakeup"});
  // Most specific first: bug and kernel, bug, kernel, plain. The set is sorted.
  EXPECT_EQ(
      litmus::expected_findings(*p.test, litmus::model_bindings(), "6.0", "isolate-without-ref"),
      V{"leak"});
  EXPECT_EQ(
      litmus::expected_findings(*p.test, litmus::model_bindings(), "5.0", "isolate-without-ref"),
      (V{"VM_BUG_ON_PAGE", "end state"}));
  // The plain lines speak of bug=none; a variant's claims are its own lines, at their versions.
  EXPECT_EQ(
      litmus::expected_findings(*p.test, litmus::model_bindings(), "5.0", "set-movable-unlocked"),
      V{});
  EXPECT_FALSE(
      litmus::expect_claims(*p.test, litmus::model_bindings(), "5.0", "set-movable-unlocked"));
  EXPECT_TRUE(
      litmus::expect_claims(*p.test, litmus::model_bindings(), "5.0", "isolate-without-ref"));
  EXPECT_TRUE(litmus::expect_claims(*p.test, litmus::model_bindings(), "4.8", "none"));
  const std::string printed = litmus::to_string(*p.test);
  EXPECT_NE(printed.find("Expect bug=isolate-without-ref: VM_BUG_ON_PAGE, end state"),
            std::string::npos)
      << printed;
  const litmus::ParseResult again = litmus::parse_litmus(printed, "rt.litmus");
  ASSERT_TRUE(again.ok()) << again.error_text() << printed;
  EXPECT_EQ(litmus::to_string(*again.test), printed);
  EXPECT_NE(printed.find("refdrv_alloc(drv, 1);"), std::string::npos) << printed;
}

}  // namespace

namespace {

// Every check the models and the engine report by name (the first argument of violation,
// warning and fail_violation, read from their sources) is a kind Expect lines may name: the
// binder refuses the others as typos.
TEST(ExpectKinds, EveryNamedCheckInTheSourcesMayBeExpected) {
  const std::set<std::string> kinds = litmus::expectable_kinds(litmus::model_bindings());
  const std::regex call(R"(\b(?:violation|warning|fail_violation)\(\s*"([^"]+)\")");
  size_t seen = 0;
  for (const char* dir : {"protocol", "checker"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(
             std::filesystem::path(MIGCHECK_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".cc" && e.path().extension() != ".h") continue;
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (std::sregex_iterator m(s.begin(), s.end(), call), end; m != end; ++m) {
        ++seen;
        EXPECT_TRUE(kinds.count((*m)[1].str()))
            << e.path() << ": '" << (*m)[1].str() << "' is reported but no Expect line may name it";
      }
      if (s.find("end_violation(") != std::string::npos) {
        EXPECT_TRUE(kinds.count("end state"));
      }
    }
  }
  EXPECT_GT(seen, 20u);
}

TEST(ExpectKinds, ATypoIsAnInputErrorWithTheNearestKind) {
  const std::string text =
      "C typo\n(*\n * kernel=4.8\n * Expect: data_race\n *)\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); "
      "}\nexists (x=1)\n";
  const auto runs = litmus::run_litmus_text(text, "typo.litmus", {}, {});
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_EQ(runs[0].errors.size(), 1u);
  EXPECT_EQ(runs[0].errors[0],
            "typo.litmus:4:4: Expect: unknown finding kind 'data_race' (did you mean "
            "'data-race'?)");
}

}  // namespace
