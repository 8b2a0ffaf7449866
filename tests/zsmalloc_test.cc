// The zsmalloc model: every scenario at every version meets its declared expectation, the
// no-trypin variant is found with the right kind, and the kernel's own code passes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "checker/explore/explorer.h"
#include "protocol/version.h"
#include "protocol/zsmalloc_scenarios.h"

namespace {

const mc::Registry& registry() {
  static const mc::Registry r = [] {
    mc::Registry reg;
    register_zsmalloc_scenarios(reg);
    return reg;
  }();
  return r;
}

mc::RunResult run(const std::string& name, std::map<std::string, std::string> given) {
  const mc::TestCase* t = registry().find(name);
  EXPECT_NE(t, nullptr) << name;
  mc::Params p;
  EXPECT_EQ(mc::resolve_params(*t, given, &p), "");
  mc::ExploreOptions o;
  o.minimize_seconds = 0.5;
  return mc::explore(*t, p, o);
}

std::string found(const mc::RunResult& r) {
  return r.counterexample ? r.counterexample->finding.kind_string() : "";
}

TEST(Zsmalloc, Registered) {
  EXPECT_EQ(registry().match("zsmalloc/*").size(), 7u);
  for (const auto& t : registry().all()) {
    mc::Params p;
    EXPECT_EQ(mc::resolve_params(t, {{"kernel", "5.3"}, {"bug", "no-trypin"}}, &p), "");
  }
}

class ZsEveryVersion : public ::testing::TestWithParam<std::string> {};

TEST_P(ZsEveryVersion, ScenariosMeetTheirExpectation) {
  for (const auto& t : registry().all()) {
    const mc::RunResult r = run(t.name, {{"kernel", GetParam()}});
    EXPECT_TRUE(r.pass) << t.name << " kernel=" << GetParam() << ": "
                        << (r.mismatches.empty() ? "" : r.mismatches.front());
    if (!r.counterexample) {
      EXPECT_TRUE(r.exhausted) << t.name << " kernel=" << GetParam();
    }
  }
}

// Every kernel version the model knows (4.10 included: its lost wake-up is met first there).
INSTANTIATE_TEST_SUITE_P(ZsKernels, ZsEveryVersion, ::testing::ValuesIn(proto::kernel_choices()));

TEST(Zsmalloc, NoTrypinFoundAsStaleLocation) {
  for (const char* k : {"4.8", "5.3"}) {
    const mc::RunResult r = run("zsmalloc/map-vs-migrate", {{"kernel", k}, {"bug", "no-trypin"}});
    EXPECT_EQ(found(r), "stale object location") << k;
    ASSERT_TRUE(r.counterexample);
    EXPECT_TRUE(r.counterexample->reproduced);
  }
}

TEST(Zsmalloc, MapVsMigrateKernelPassesExhaustively) {
  for (const char* k : {"4.8", "5.3", "5.17", "6.17"}) {
    const mc::RunResult r = run("zsmalloc/map-vs-migrate", {{"kernel", k}});
    EXPECT_EQ(found(r), "") << k;
    EXPECT_TRUE(r.exhausted) << k;
  }
}

TEST(Zsmalloc, DestroyPoolHistory) {
  EXPECT_EQ(found(run("zsmalloc/destroy-vs-migration", {{"kernel", "4.8"}})), "use-after-free");
  EXPECT_EQ(found(run("zsmalloc/destroy-vs-migration", {{"kernel", "5.3"}})), "lost-wakeup");
  EXPECT_EQ(found(run("zsmalloc/destroy-vs-migration", {{"kernel", "5.16"}})), "");
}

}  // namespace
