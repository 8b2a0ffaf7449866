// migcheck ci: the baseline file, what a change of each kind prints and whether it fails the
// gate, runs in parallel giving the same results as in sequence, and the JUnit, SARIF and HTML
// reports (the SARIF schema and the page in a browser: cli.ci_sarif_*, cli.ci_html_*).
#include "cli/gate.h"

#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/html.h"
#include "cli/sarif.h"

namespace {

gate::Entry entry(std::string test, std::string variant, std::vector<std::string> findings,
                  uint64_t executions, std::vector<std::string> outcomes = {}) {
  gate::Entry e;
  e.test = std::move(test);
  e.variant = std::move(variant);
  e.verdict = "pass";
  e.findings = std::move(findings);
  e.executions = executions;
  e.outcomes = std::move(outcomes);
  return e;
}

std::string whats(const std::vector<gate::Change>& cs) {
  std::string s;
  for (const auto& c : cs)
    s += c.key + ": " + c.what + (c.detail.empty() ? "" : " (" + c.detail + ")") +
         (c.regression ? " !" : "") + "\n";
  return s;
}

TEST(Baseline, WrittenAndReadBackTheSame) {
  const std::vector<gate::Entry> es = {
      entry("zsmalloc/map-vs-migrate", "kernel=4.8 bug=no-trypin", {"bad page access", "data-race"},
            875, {"0:r0=42"}),
      entry("classic.litmus", "", {}, 3, {"0:r0=0; 1:r0=1", "0:r0=1; 1:r0=0"})};
  const std::string text = gate::write_baseline(es);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  std::vector<gate::Entry> back;
  std::string err;
  ASSERT_TRUE(gate::read_baseline(text, "b.jsonl", &back, &err)) << err;
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(gate::write_baseline(back), text);
  EXPECT_TRUE(gate::compare(back, es).empty()) << whats(gate::compare(back, es));
}

TEST(Baseline, ABadLineSaysWhereAndWhatWasExpected) {
  std::vector<gate::Entry> back;
  std::string err;
  EXPECT_FALSE(gate::read_baseline("# comment\n{\"test\":\"t\"}\n", "b.jsonl", &back, &err));
  EXPECT_EQ(err.rfind("b.jsonl:2: expected an object with test, variant and verdict", 0), 0u)
      << err;
  EXPECT_FALSE(gate::read_baseline("not json\n", "b.jsonl", &back, &err));
  EXPECT_EQ(err.rfind("b.jsonl:1: expected one JSON object per line", 0), 0u) << err;
  EXPECT_FALSE(
      gate::read_baseline("{\"test\":\"t\",\"variant\":\"\",\"verdict\":\"pass\",\"findings\":[],"
                          "\"executions\":-1,\"outcomes\":[]}\n",
                          "b.jsonl", &back, &err));
}

TEST(Baseline, AnUpdateKeepsTheFilesOrder) {
  const std::vector<gate::Entry> before = {entry("z", "", {}, 1), entry("a", "kernel=4.8", {}, 1),
                                           entry("a", "kernel=5.0", {}, 1), entry("m", "", {}, 1)};
  const std::vector<gate::Entry> now = {entry("a", "kernel=4.8", {}, 2),
                                        entry("a", "kernel=5.17", {}, 2), entry("b", "", {}, 2)};
  std::string keys;
  for (const auto& e : gate::merge_baseline(before, now))
    keys += e.key() + "=" + std::to_string(e.executions) + " ";
  EXPECT_EQ(keys, "z=1 a [kernel=4.8]=2 a [kernel=5.17]=2 m=1 b=2 ");
}

TEST(Compare, EachKindOfChangeAndWhetherItFailsTheGate) {
  const std::vector<gate::Entry> before = {
      entry("a", "kernel=4.8", {"data-race"}, 10, {"0:r0=1"}),
      entry("a", "kernel=5.0", {}, 10),
      entry("b", "", {"lost-wakeup"}, 5),
      entry("c", "", {}, 7),
  };
  std::vector<gate::Entry> now = {
      entry("a", "kernel=4.8", {"data-race", "use-after-free"}, 12, {"0:r0=1", "0:r0=2"}),
      entry("a", "kernel=5.17", {}, 3),  // new variant; kernel=5.0 gone
      entry("b", "", {}, 5),             // the finding is gone
      entry("c", "", {}, 9),             // only the count moved
  };
  now.push_back(entry("d", "", {}, 1));
  now.back().verdict = "incomplete";
  now.back().why = "time limit";
  const auto cs = gate::compare(before, now);
  EXPECT_EQ(whats(cs),
            "a [kernel=4.8]: new finding (use-after-free) !\n"
            "a [kernel=4.8]: outcomes changed (new: 0:r0=2) !\n"
            "a [kernel=4.8]: count changed (10 -> 12 complete executions)\n"
            "a [kernel=5.17]: not in baseline (findings: none; 3 executions)\n"
            "b: finding gone (lost-wakeup) !\n"
            "c: count changed (7 -> 9 complete executions)\n"
            "d: incomplete (time limit (not a pass)) !\n"
            "d: not in baseline (findings: none; 1 executions)\n"
            "a [kernel=5.0]: removed (the test no longer runs this variant) !\n");
  const auto missing = std::count_if(cs.begin(), cs.end(), [](auto& c) { return c.missing; });
  EXPECT_EQ(missing, 2);
}

// A run that failed its own expectations fails the gate whatever the baseline says.
TEST(Compare, AFailedOrBrokenRunFailsTheGate) {
  auto e = entry("a", "", {"data-race"}, 4);
  const std::vector<gate::Entry> before = {e};
  e.verdict = "fail";
  e.why = "finding: data-race, expected none";
  auto cs = gate::compare(before, {e});
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_TRUE(cs[0].regression);
  EXPECT_EQ(cs[0].what, "failed");
  e.verdict = "error";
  e.why = "a.litmus:3:1: expected ...";
  cs = gate::compare(before, {e});
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].what, "error");
}

TEST(Run, TwoJobsGiveWhatOneGives) {
  // Small scenarios of the library (a few hundred executions in all): the question is the
  // threads, not the searches.
  gate::Options o;
  o.paths = {"protocol/compaction-vs-alloc", "protocol/offline-vs-alloc", "z3fold/putback-vs-free",
             "zsmalloc/malloc-vs-migrate", "balloon/inflate-vs-compaction"};
  o.jobs = 1;
  const auto one = gate::run(o);
  o.jobs = 2;
  const auto two = gate::run(o);
  ASSERT_GE(one.size(), 20u);
  EXPECT_EQ(gate::write_baseline(one), gate::write_baseline(two));
  for (const auto& e : one) EXPECT_EQ(e.verdict, "pass") << e.key() << ": " << e.why;
}

TEST(Run, APathThatIsNothingIsAnError) {
  gate::Options o;
  o.paths = {"no-such-scenario/*", "/no/such/dir/x.litmus"};
  const auto es = gate::run(o);
  ASSERT_EQ(es.size(), 2u);
  for (const auto& e : es) EXPECT_EQ(e.verdict, "error") << e.key();
  EXPECT_NE(es[0].why.find("no scenario matches"), std::string::npos) << es[0].why;
}

TEST(Diff, TheRunsWhoseFindingsDifferBetweenTwoVersions) {
  const std::vector<gate::Entry> es = {
      entry("a", "kernel=5.16 bug=none", {"lost-wakeup"}, 4),
      entry("a", "kernel=5.16 bug=x", {"data-race"}, 4),
      entry("a", "kernel=5.18 bug=none", {}, 4),
      entry("a", "kernel=5.18 bug=x", {"data-race"}, 9),  // only the count: the same
      entry("b", "kernel=5.16", {}, 1),
      entry("b", "kernel=5.18", {"VM_BUG_ON"}, 1),
  };
  size_t pairs = 0;
  const auto d = gate::diff_versions(es, "5.16", "5.18", &pairs);
  EXPECT_EQ(pairs, 3u);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].test + " [" + d[0].variant + "]", "a [bug=none]");
  EXPECT_EQ(d[0].a->findings, std::vector<std::string>{"lost-wakeup"});
  EXPECT_TRUE(d[0].b->findings.empty());
  EXPECT_EQ(d[1].test + " [" + d[1].variant + "]", "b []");
}

TEST(Junit, OneCasePerVariantWithTheFindingOnFailure) {
  gate::Options o;
  o.paths = {"protocol/compaction-vs-alloc"};
  auto now = gate::run(o);
  ASSERT_FALSE(now.empty());
  auto before = now;
  before[0].findings.push_back("use-after-free");  // now "gone": a regression
  const std::string xml = gate::junit_xml(now, gate::compare(before, now));
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  const auto* root = doc.FirstChildElement("testsuites");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->IntAttribute("tests"), static_cast<int>(now.size()));
  EXPECT_EQ(root->IntAttribute("failures"), 1);
  const auto* suite = root->FirstChildElement("testsuite");
  ASSERT_NE(suite, nullptr);
  EXPECT_STREQ(suite->Attribute("name"), "protocol/compaction-vs-alloc");
  const auto* failure = suite->FirstChildElement("testcase")->FirstChildElement("failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_STREQ(failure->Attribute("type"), "finding gone");
}

// The balloon's dequeue race at 4.8 (bug=dequeue-without-lock, b_dev_info->pages read without
// pages_lock): one data race, whose two accesses the SARIF code flow marks.
std::vector<gate::Entry> dequeue_race() {
  gate::Options o;
  o.paths = {"balloon/deflate-vs-compaction"};
  o.overrides = {{"kernel", "4.8"}, {"bug", "dequeue-without-lock"}};
  return gate::run(o);
}

TEST(Sarif, AFindingTheBaselineLacksIsNewAndAnError) {
  const auto now = dequeue_race();
  ASSERT_EQ(now.size(), 1u);
  ASSERT_EQ(now[0].findings, std::vector<std::string>{"data-race"});
  auto before = now;
  before[0].findings.clear();
  const auto log = nlohmann::json::parse(gate::sarif_log(now, gate::compare(before, now), "t"));
  const auto& results = log["runs"][0]["results"];
  ASSERT_EQ(results.size(), now[0].examples.size());
  const auto& r = results[0];
  EXPECT_EQ(r["ruleId"], "data-race");
  EXPECT_EQ(r["baselineState"], "new");
  EXPECT_EQ(r["level"], "error");
  EXPECT_EQ(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "protocol/balloon.cc");
  // Both sides of the race are essential steps, in two threads, in the global order.
  std::vector<std::pair<int64_t, std::string>> essential;
  for (const auto& flow : r["codeFlows"][0]["threadFlows"])
    for (const auto& step : flow["locations"])
      if (step["importance"] == "essential")
        essential.push_back({step["executionOrder"].get<int64_t>(), flow["id"]});
  ASSERT_EQ(essential.size(), 2u);
  EXPECT_NE(essential[0].second, essential[1].second);

  const auto same = nlohmann::json::parse(gate::sarif_log(now, gate::compare(now, now), "t"));
  EXPECT_EQ(same["runs"][0]["results"][0]["baselineState"], "unchanged");
  EXPECT_EQ(same["runs"][0]["results"][0]["level"], "note");
}

TEST(Sarif, AnIncompleteRunIsANotificationNotASilentPass) {
  auto now = dequeue_race();
  now[0].verdict = "incomplete";
  now[0].why = "time limit (1 s)";
  const auto log = nlohmann::json::parse(gate::sarif_log(now, gate::compare(now, now), "t"));
  const auto& n = log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0]["level"], "warning");
  EXPECT_NE(n[0]["message"]["text"].get<std::string>().find("INCOMPLETE"), std::string::npos);
}

TEST(Html, EveryRunIsARowAndAnInterleavingIsDrawnOnce) {
  auto now = dequeue_race();
  ASSERT_FALSE(now[0].examples.empty());
  now.push_back(now[0]);
  now[1].variant = "kernel=4.10 bug=dequeue-without-lock";  // the same steps at another version
  const std::string page = gate::html_report(now, gate::compare(now, now), "t");
  auto count = [&page](const std::string& what) {
    size_t n = 0;
    for (size_t p = page.find(what); p != std::string::npos; p = page.find(what, p + 1)) ++n;
    return n;
  };
  const size_t n = now[0].examples.size();  // distinct data races, each with two sides
  EXPECT_EQ(count("<tr class=\"pass"), 2u);
  EXPECT_EQ(count("<table class=\"interleaving\">"), n);
  EXPECT_EQ(count("The same interleaving as in"), n);
  EXPECT_EQ(count("class=\"ev race"), 2 * n);
  EXPECT_EQ(page.find("http"), std::string::npos);  // nothing to fetch
}

// --budget: a search predicted, after its probe, not to fit its budget stops there; one that
// runs out of budget stops too. Either way INCOMPLETE, with the estimate: never a pass.
TEST(Budget, ASearchOverItsBudgetIsIncompleteWithTheEstimate) {
  gate::Options o;
  o.paths = {"zsmalloc/free-last-vs-migration"};
  o.overrides = {{"kernel", "5.17"}, {"bug", "none"}};  // 628126 executions, a minute
  o.budget = 1;
  const auto runs = gate::run(o);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].verdict, "incomplete") << runs[0].why;
  EXPECT_NE(runs[0].why.find("budget of 1 s"), std::string::npos) << runs[0].why;
  ASSERT_TRUE(runs[0].estimate.has_value());
  EXPECT_GT(runs[0].estimate->executions, static_cast<double>(runs[0].estimate->after));
  // Against a baseline of the whole search: incomplete, and nothing else (the count and what
  // was not met compare with nothing).
  auto whole = runs;
  whole[0].verdict = "pass";
  whole[0].executions = 628126;
  whole[0].findings.push_back("use-after-free");
  const auto changes = gate::compare(whole, runs);
  ASSERT_EQ(changes.size(), 1u) << whats(changes);
  EXPECT_EQ(changes[0].what, "incomplete");
  EXPECT_TRUE(changes[0].regression);  // the gate does not pass it
}

// A search that fits its budget runs past its probe to the end, as without one.
TEST(Budget, ASearchThatFitsRunsToTheEnd) {
  gate::Options o;
  o.paths = {"protocol/lock-page-vs-migration"};
  o.overrides = {{"kernel", "5.17"}, {"bug", "none"}};  // about 10000 executions
  const auto plain = gate::run(o);
  o.budget = 100;
  o.probe = 0.05;
  const auto budgeted = gate::run(o);
  EXPECT_EQ(gate::write_baseline(plain), gate::write_baseline(budgeted));
  ASSERT_EQ(budgeted.size(), 1u);
  EXPECT_EQ(budgeted[0].verdict, "pass") << budgeted[0].why;
  ASSERT_TRUE(budgeted[0].estimate.has_value());  // estimated at the probe, then went on
  EXPECT_GT(budgeted[0].estimate->executions, 0);
}

// The measurement behind docs/ci.md's figures: each search's estimate after the probe against
// what it made (MIGCHECK_ESTIMATE_ALL=1 for the library, or MIGCHECK_ESTIMATE_PATH=scenario;
// MIGCHECK_PROBE=seconds). Not part of the suite's run: it takes minutes.
TEST(Budget, EstimateAgainstTheWholeSearch) {
  const char* path = std::getenv("MIGCHECK_ESTIMATE_PATH");
  if (!path && !std::getenv("MIGCHECK_ESTIMATE_ALL"))
    GTEST_SKIP() << "a measurement: set MIGCHECK_ESTIMATE_ALL=1 or MIGCHECK_ESTIMATE_PATH";
  gate::Options o;
  if (path) o.paths = {path};
  o.budget = 1e6;
  o.probe = std::getenv("MIGCHECK_PROBE") ? std::atof(std::getenv("MIGCHECK_PROBE")) : 0.05;
  for (const auto& e : gate::run(o)) {
    EXPECT_EQ(e.verdict, "pass") << e.key() << ": " << e.why;
    if (!e.estimate || e.estimate->executions <= 0) continue;
    std::printf("%-70s made %8llu estimated %10.0f after %6llu: %.2fx\n", e.key().c_str(),
                static_cast<unsigned long long>(e.explored), e.estimate->executions,
                static_cast<unsigned long long>(e.estimate->after),
                e.estimate->executions / static_cast<double>(e.explored));
  }
}

}  // namespace
