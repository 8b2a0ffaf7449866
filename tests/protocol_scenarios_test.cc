// Every protocol scenario at every kernel version with no variant, each bug variant on the
// scenario that demonstrates it, and unit tests of the page helpers.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "checker/explore/explorer.h"
#include "protocol/movable.h"
#include "protocol/page_lock.h"
#include "protocol/scenarios.h"
#include "protocol/version.h"

namespace {

// Every scenario exhausts well within the cap (the largest, compaction-vs-free-before-isolation
// at 5.18, has 866,813 executions); a run cut by it is INCOMPLETE, and r.pass is false.
constexpr uint64_t kExecutionCap = 2000000;

mc::RunResult run(const mc::TestCase& t, std::map<std::string, std::string> given) {
  mc::Params p;
  const std::string err = mc::resolve_params(t, given, &p);
  EXPECT_EQ(err, "");
  mc::ExploreOptions o;
  o.max_executions = kExecutionCap;
  o.minimize_seconds = 0.5;
  return mc::explore(t, p, o);
}

// The finding's kind; "" only when an exhaustive search found none.
std::string found(const mc::RunResult& r) {
  if (r.counterexample) return r.counterexample->finding.kind_string();
  return r.exhausted ? "" : "(incomplete search)";
}

const mc::Registry& registry() {
  static const mc::Registry r = [] {
    mc::Registry reg;
    register_protocol_scenarios(reg);
    return reg;
  }();
  return r;
}

TEST(ProtocolScenarios, RegisteredWithParameters) {
  EXPECT_GE(registry().match("protocol/*").size(), 10u);
  EXPECT_EQ(registry().match("balloon/*").size(), 2u);
  for (const auto& t : registry().all()) {
    mc::Params p;
    EXPECT_NE(mc::resolve_params(t, {{"kernel", "4.9"}}, &p), "") << t.name;
    EXPECT_NE(mc::resolve_params(t, {{"bug", "typo"}}, &p), "") << t.name;
    EXPECT_EQ(mc::resolve_params(t, {}, &p), "") << t.name;
    EXPECT_EQ(p.get("kernel"), "6.17");
    EXPECT_EQ(p.get("bug"), "none");
  }
}

class EveryVersion : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryVersion, ScenariosMeetTheirExpectation) {
  for (const auto& t : registry().all()) {
    const mc::RunResult r = run(t, {{"kernel", GetParam()}});
    EXPECT_TRUE(r.pass) << t.name << " kernel=" << GetParam() << ": "
                        << (r.mismatches.empty() ? "" : r.mismatches.front());
    const bool newest_or_first = GetParam() == "4.8" || GetParam() == "6.17";
    if (newest_or_first) {
      EXPECT_EQ(found(r), "") << t.name << " must pass at " << GetParam();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, EveryVersion,
                         ::testing::Values("4.8", "4.10", "5.0", "5.18", "6.0", "6.17"));

TEST(ProtocolScenarios, HistoricalLostWakeupOnlyBetween410And517) {
  const mc::TestCase* t = registry().find("protocol/lock-page-vs-migration");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(found(run(*t, {{"kernel", "4.8"}})), "");
  EXPECT_EQ(found(run(*t, {{"kernel", "4.10"}})), "lost-wakeup");
  EXPECT_EQ(found(run(*t, {{"kernel", "5.0"}})), "lost-wakeup");
  EXPECT_EQ(found(run(*t, {{"kernel", "5.18"}})), "");  // 356ea3865687
}

class EveryVariant : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryVariant, DemonstratingScenarioFindsIt) {
  const proto::Bug bug = proto::parse_bug(GetParam());
  const mc::TestCase* t = registry().find(proto::variant_scenario(bug));
  ASSERT_NE(t, nullptr);
  for (const char* kernel : {"4.8", "6.0"}) {
    const mc::RunResult r = run(*t, {{"kernel", kernel}, {"bug", GetParam()}});
    EXPECT_NE(found(r), "") << t->name << " bug=" << GetParam() << " kernel=" << kernel;
    EXPECT_TRUE(r.pass) << t->name << " bug=" << GetParam() << " kernel=" << kernel << ": "
                        << (r.mismatches.empty() ? "" : r.mismatches.front());
  }
}

// Every scenario under the variant, at the oldest and newest version, meets its declared
// expectation (see kVariantRows in protocol/scenarios.cc); one expected to pass exhausts.
TEST_P(EveryVariant, EveryScenarioMeetsItsExpectation) {
  for (const char* kernel : {"4.8", "6.17"})
    for (const mc::TestCase* t : registry().match("*")) {
      if (t->name.rfind("protocol/", 0) != 0 && t->name.rfind("balloon/", 0) != 0) continue;
      const mc::RunResult r = run(*t, {{"kernel", kernel}, {"bug", GetParam()}});
      EXPECT_TRUE(r.pass) << t->name << " bug=" << GetParam() << " kernel=" << kernel << ": "
                          << (r.mismatches.empty() ? "" : r.mismatches.front());
    }
}

INSTANTIATE_TEST_SUITE_P(Variants, EveryVariant,
                         ::testing::Values("clear-movable-drops-flag", "lock-before-movable-check",
                                           "isolate-without-ref", "newpage-movable-after-unlock",
                                           "set-movable-unlocked", "dequeue-without-lock"));

TEST(ProtocolScenarios, VariantFindingKinds) {
  auto kind = [](const char* scenario, const char* kernel, const char* bug) {
    return found(run(*registry().find(scenario), {{"kernel", kernel}, {"bug", bug}}));
  };
  EXPECT_EQ(kind("protocol/putback-vs-free", "4.8", "clear-movable-drops-flag"),
            "non-LRU page on LRU path");
  EXPECT_EQ(kind("protocol/offline-vs-alloc", "6.17", "lock-before-movable-check"),
            "VM_BUG_ON_PAGE");
  EXPECT_EQ(kind("balloon/deflate-vs-compaction", "4.8", "newpage-movable-after-unlock"),
            "non-LRU page on LRU path");
  EXPECT_EQ(kind("balloon/deflate-vs-compaction", "6.17", "dequeue-without-lock"), "data-race");
  EXPECT_EQ(kind("protocol/compaction-vs-alloc", "6.17", "set-movable-unlocked"), "data-race");
}

// ---- page helpers ----

TEST(PageHelpers, FlagsDecoding) {
  proto::Config c;
  c.kernel = proto::Kernel::v4_8;
  proto::ConfigScope scope(c);
  EXPECT_EQ(proto::format_page_flags(proto::bit(proto::PG_locked) | proto::bit(proto::PG_isolated)),
            "0x40001(locked|reclaim/isolated)");
  EXPECT_EQ(proto::format_page_flags(0), "0x0()");
  EXPECT_EQ(proto::format_mapping(0x6), "0x6 (mapping#1|PAGE_MAPPING_MOVABLE)");
  EXPECT_EQ(proto::format_mapping(0x2), "0x2 (PAGE_MAPPING_MOVABLE)");
}

TEST(PageHelpers, MovableOpsAliasAt617) {
  proto::Config c;
  c.kernel = proto::Kernel::v6_17;
  proto::ConfigScope scope(c);
  EXPECT_EQ(proto::format_page_flags(proto::bit(proto::PG_movable_ops)),
            "0x8(uptodate/movable_ops)");
}

// Runs `body` as a one-off test and returns the finding kind ("" if none).
std::string finding_of(void (*body)()) {
  mc::TestCase t;
  t.name = "unit";
  t.body = [body](const mc::Params&) {
    proto::Config c;
    c.kernel = proto::Kernel::v4_8;
    proto::ConfigScope scope(c);
    proto::Memory mem(1, false);
    body();
  };
  return found(mc::explore(t, mc::Params(), mc::ExploreOptions()));
}

TEST(PageHelpers, RefcountRoundTripFreesCleanly) {
  EXPECT_EQ(finding_of([] {
              proto::page* p = proto::alloc_page();
              proto::get_page(p);
              MC_ASSERT(proto::page_count(p) == 2);
              proto::put_page(p);
              proto::put_page(p);
              MC_ASSERT(proto::Memory::current().is_free_peek(0));
            }),
            "");
}

TEST(PageHelpers, FreeingALockedPageIsBadPageState) {
  EXPECT_EQ(finding_of([] {
              proto::page* p = proto::alloc_page();
              proto::lock_page(p);
              proto::put_page(p);
            }),
            "bad page state");
}

TEST(PageHelpers, PutOfAFreePageIsVmBugOn) {
  EXPECT_EQ(finding_of([] {
              proto::page* p = proto::alloc_page();
              proto::put_page(p);
              proto::put_page(p);
            }),
            "VM_BUG_ON_PAGE");
}

TEST(PageHelpers, GetPageUnlessZeroFailsOnFreePage) {
  EXPECT_EQ(finding_of([] {
              proto::page* p = proto::Memory::current().pfn_to_page(0);
              MC_ASSERT(!proto::get_page_unless_zero(p));
            }),
            "");
}

TEST(PageHelpers, SetPageMovableNeedsThePageLock) {
  EXPECT_EQ(finding_of([] {
              proto::page* p = proto::alloc_page();
              proto::address_space* m =
                  proto::Memory::current().register_mapping("test", nullptr, nullptr);
              proto::__SetPageMovable(p, m);
            }),
            "VM_BUG_ON_PAGE");
}

}  // namespace
