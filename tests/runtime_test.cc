// Threads, stacks, strategies, replay and the file formats.
#include <gtest/gtest.h>

#include "checker/programs/classic.h"
#include "checker/report/json.h"
#include "checker/report/text.h"
#include "checker/runtime/invariant.h"
#include "test_support.h"
#include "traces/trace_file.h"

namespace {

using mctest::finding_of;
using mctest::run;

TEST(Threads, FifteenThreadsSpawnAndJoinNested) {
  // Each thread writes its own counter: independent, so one trace, but 15 live threads.
  auto r = run([] {
    std::vector<std::unique_ptr<mc::atomic<int>>> counts;
    for (int i = 0; i < 14; ++i) counts.push_back(std::make_unique<mc::atomic<int>>(0));
    std::vector<mc::thread> ts;
    for (int i = 0; i < 7; ++i) {
      ts.push_back(mc::spawn([&counts, i] {
        mc::thread child = mc::spawn([&counts, i] { counts[2 * i + 1]->fetch_add(1); });
        counts[2 * i]->fetch_add(1);
        child.join();
      }));
    }
    for (auto& t : ts) t.join();
    for (auto& c : counts) MC_ASSERT(c->load() == 1);
  });
  EXPECT_EQ(finding_of(r), "");
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.complete, 1u);
}

TEST(Threads, StacksArePooledAcrossExecutions) {
  auto r = run([] {
    mc::atomic<int> x(0, "x");
    mc::thread a = mc::spawn([&] { x.fetch_add(1); });
    mc::thread b = mc::spawn([&] { x.fetch_add(1); });
    mc::thread c = mc::spawn([&] { x.fetch_add(1); });
    a.join();
    b.join();
    c.join();
  });
  EXPECT_EQ(r.complete, 6u);
  EXPECT_LE(r.stacks_used, 4u);  // one per thread, reused by every execution
}

TEST(Threads, StacksOutliveTheRunThatMadeThem) {
  // A second run of the same test (the next test of a suite) takes the first run's stacks
  // from the thread's pool: it creates none.
  auto body = [] {
    mc::atomic<int> x(0, "x");
    mc::thread a = mc::spawn([&] { x.fetch_add(1); });
    mc::thread b = mc::spawn([&] { x.fetch_add(1); });
    a.join();
    b.join();
  };
  auto first = run(body);
  const size_t created = mc::shared_stack_pool().created();
  auto second = run(body);
  EXPECT_EQ(second.complete, first.complete);
  EXPECT_EQ(second.stacks_used, 3u);
  EXPECT_EQ(mc::shared_stack_pool().created(), created);
}

TEST(Choose, ExploresEveryValue) {
  auto r = run([] {
    uint32_t a = mc::choose(3);
    uint32_t b = mc::choose(2);
    mc::observe("a", a);
    mc::observe("b", b);
  });
  EXPECT_EQ(r.complete, 6u);
  EXPECT_EQ(r.outcomes.size(), 6u);
}

TEST(Assume, BlockedExecutionsAreCountedApart) {
  auto r = run([] {
    uint32_t v = mc::choose(4);
    mc::assume(v % 2 == 0);
  });
  EXPECT_EQ(r.complete, 2u);
  EXPECT_EQ(r.blocked, 2u);
}

mc::TestCase registered(const std::string& name) {
  mc::Registry reg;
  mc::register_classic_programs(reg);
  return *reg.find(name);
}

TEST(Strategies, BoundedSaysItIsBoundedAndFindsWithinItsBound) {
  mc::TestCase t = registered("classic/dekker-broken");
  mc::ExploreOptions o;
  o.strategy = "bounded";
  o.bound = 0;
  auto r0 = mc::explore(t, mc::Params(), o);
  EXPECT_NE(r0.strategy_description.find("BOUNDED"), std::string::npos);
  EXPECT_FALSE(r0.exhausted);
  EXPECT_EQ(finding_of(r0), "");  // needs two preemptions
  o.bound = 2;
  EXPECT_EQ(finding_of(mc::explore(t, mc::Params(), o)), "assertion");
}

TEST(Strategies, RandomAndPctAreSeededAndFindTheBug) {
  mc::TestCase t = registered("classic/peterson-broken");
  for (const char* s : {"random", "pct"}) {
    mc::ExploreOptions o;
    o.strategy = s;
    o.seed = 7;
    o.iterations = 2000;
    o.bound = 3;
    auto a = mc::explore(t, mc::Params(), o);
    auto b = mc::explore(t, mc::Params(), o);
    EXPECT_EQ(finding_of(a), "assertion") << s;
    ASSERT_TRUE(a.counterexample && b.counterexample);
    EXPECT_EQ(a.complete, b.complete) << s << ": same seed, same run";
    EXPECT_FALSE(a.exhausted);
  }
}

TEST(Counterexample, FewestPreemptions) {
  // The bug needs one preemption; exploration may first meet it with more.
  auto r = run([] {
    mc::atomic<int> x(0, "x"), y(0, "y");
    mc::thread a = mc::spawn([&] {
      x.store(1);
      y.store(1);
      x.store(0);
    });
    mc::thread b = mc::spawn([&] {
      (void)y.load();
      MC_ASSERT(x.load() == 0);
    });
    a.join();
    b.join();
  });
  ASSERT_TRUE(r.counterexample);
  EXPECT_LE(r.counterexample->preemptions, 1u);
  EXPECT_TRUE(r.counterexample->reproduced);
  EXPECT_FALSE(r.counterexample->events.empty());
}

TEST(Counterexample, DiagramHasOneColumnPerRacingThread) {
  // Drawn as a commit message draws a race: columns headed by the function each thread runs,
  // the scenario's setup left out, the finding marked where it happens.
  auto r = run([] {
    mc::atomic<int> setup(0, "setup_only");
    setup.store(1);
    mc::plain<int> data(0, "data");
    mc::thread a = mc::spawn([&] {
      MC_FUNC("writer");
      data.store(1);
    });
    mc::thread b = mc::spawn([&] {
      MC_FUNC("reader");
      {
        MC_FUNC("helper");
        (void)data.load();
      }
    });
    a.join();
    b.join();
  });
  ASSERT_TRUE(r.counterexample);
  const std::string d = mc::format_diagram(*r.counterexample);
  EXPECT_NE(d.find("writer"), std::string::npos) << d;
  EXPECT_NE(d.find("T2 reader"), std::string::npos) << d;
  EXPECT_NE(d.find("  helper()"), std::string::npos) << d;
  EXPECT_NE(d.find("<-- data-race"), std::string::npos) << d;
  EXPECT_EQ(d.find("setup_only"), std::string::npos) << d;
  EXPECT_EQ(d.find("T0"), std::string::npos) << d;
}

TEST(Replay, SameExecutionAndDivergenceIsReported) {
  mc::TestCase t = registered("classic/dekker-broken");
  auto r = mc::explore(t, mc::Params(), mc::ExploreOptions{});
  ASSERT_TRUE(r.counterexample);
  auto again = mc::replay(t, mc::Params(), r.counterexample->schedule, 1000);
  ASSERT_TRUE(again.counterexample);
  EXPECT_EQ(again.counterexample->finding.message, r.counterexample->finding.message);
  EXPECT_TRUE(again.error.empty());

  std::vector<mc::Decision> broken = r.counterexample->schedule;
  broken.insert(broken.begin(), mc::Decision{mc::Decision::kThread, 9});
  auto bad = mc::replay(t, mc::Params(), broken, 1000);
  EXPECT_NE(bad.error.find("diverged from the schedule at decision 0"), std::string::npos)
      << bad.error;
}

TEST(TraceFile, RoundTripAndErrors) {
  mc::TestCase t = registered("classic/dekker-broken");
  auto r = mc::explore(t, mc::Params(), mc::ExploreOptions{});
  ASSERT_TRUE(r.counterexample);
  std::string text = traces::trace_json_text(r);
  traces::TraceFile tf;
  std::string err;
  ASSERT_TRUE(traces::parse_trace(text, "x.json", &tf, &err)) << err;
  EXPECT_EQ(tf.test, "classic/dekker-broken");
  EXPECT_EQ(tf.schedule, r.counterexample->schedule);
  EXPECT_EQ(tf.finding_kind, "assertion");

  EXPECT_FALSE(
      traces::parse_trace("{\"format\": \"migcheck-trace\",\n  \"test\" 3}", "t.json", &tf, &err));
  EXPECT_EQ(err,
            "t.json:2:10: syntax error while parsing object separator - unexpected number "
            "literal; expected ':'");
  EXPECT_FALSE(
      traces::parse_trace("{\"format\":\"migcheck-trace\",\"test\":\"a\",\"schedule\":"
                          "[{\"t\":99}]}",
                          "t.json", &tf, &err));
  EXPECT_NE(err.find("schedule[0]"), std::string::npos) << err;
}

// Hostile input to the JSON reader (a trace file for `migcheck replay`, a baseline) is an
// error with its place, never a crash: a \u escape that is not hex was an uncaught exception,
// 50,000 nested arrays a stack overflow.
TEST(Json, HostileInputIsAnErrorWithItsPlace) {
  mc::json::Value v;
  std::string err;
  EXPECT_FALSE(mc::json::parse("{\"a\": \"\\uZZZZ\"}", &v, &err));
  EXPECT_EQ(err.rfind("1:", 0), 0u) << err;
  EXPECT_NE(err.find("\\u"), std::string::npos) << err;
  const std::string deep = std::string(50000, '[') + std::string(50000, ']');
  EXPECT_FALSE(mc::json::parse(deep, &v, &err));
  EXPECT_NE(err.find("at most 64 levels"), std::string::npos) << err;
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(mc::json::parse(ok, &v, &err)) << err;
  EXPECT_FALSE(mc::json::parse("{\"a\": \"\xff\"}", &v, &err));  // not UTF-8
  EXPECT_FALSE(mc::json::parse("", &v, &err));
  EXPECT_EQ(err.rfind("1:1: ", 0), 0u) << err;
}

// What is written is JSON whatever went in: a name or message with bytes that are not UTF-8
// (from a file's identifiers) is written with U+FFFD in their place.
TEST(Json, InvalidUtf8IsWrittenAsValidJson) {
  const std::string line =
      mc::json::write(mc::json::Object{{"name", mc::json::Value(std::string("P\xff\xfe"
                                                                            "0"))}});
  mc::json::Value back;
  std::string err;
  ASSERT_TRUE(mc::json::parse(line, &back, &err)) << line << ": " << err;
  EXPECT_EQ(back.get("name")->str(),
            "P\xef\xbf\xbd\xef\xbf\xbd"
            "0");
}

TEST(Json, WriteAndParse) {
  mc::json::Value v = mc::json::Object{{"a", mc::json::Value(1)}, {"b", "x\"y\n"}};
  std::string s = mc::json::write(v);
  mc::json::Value back;
  std::string err;
  ASSERT_TRUE(mc::json::parse(s, &back, &err)) << err;
  EXPECT_EQ(back.get("b")->str(), "x\"y\n");
  EXPECT_EQ(back.get("a")->integer(), 1);
}

TEST(Params, UnknownKeysAndBadValuesAreRejected) {
  mc::TestCase t = registered("classic/readers");
  mc::Params p;
  EXPECT_NE(mc::resolve_params(t, {{"m", "3"}}, &p).find("has no parameter 'm'"),
            std::string::npos);
  // An integer parameter is decimal and in its range: never wrapped (4294967297 ran n=1),
  // read in another base (010 was octal) or let through to fail inside the model.
  for (const char* bad : {"x", "4294967297", "-1", "0", "15", "0x10", "3.0", "", " 3"})
    EXPECT_NE(mc::resolve_params(t, {{"n", bad}}, &p)
                  .find(std::string("n=") + bad + ": expected a decimal integer from 1 to 14"),
              std::string::npos)
        << bad;
  ASSERT_EQ(mc::resolve_params(t, {{"n", "010"}}, &p), "");
  EXPECT_EQ(p.get_int("n", 0), 10);
  int64_t v = 0;
  EXPECT_FALSE(mc::parse_decimal("99999999999999999999", &v));
  EXPECT_TRUE(mc::parse_decimal("+7", &v));
  EXPECT_EQ(v, 7);
}

TEST(Glob, Matches) {
  EXPECT_TRUE(mc::glob_match("classic/*", "classic/sb"));
  EXPECT_TRUE(mc::glob_match("*dekker*", "classic/dekker-broken"));
  EXPECT_FALSE(mc::glob_match("protocol/*", "classic/sb"));
}

}  // namespace

namespace {

// The engine's own invariants stop the process with an internal error where they are checked
// (the sanitizer build); elsewhere the condition is not evaluated.
TEST(Invariants, ABrokenInvariantIsAnInternalError) {
  if (!mc::kInvariantsChecked) GTEST_SKIP() << "invariants are checked in the sanitizer build";
  EXPECT_DEATH(MC_BUG_ON(1 + 1 == 2, "arithmetic works"), "internal error: arithmetic works");
}

}  // namespace
