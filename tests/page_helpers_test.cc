// Unit tests of the page helpers of the protocol model (flags, references, the page lock).
#include <gtest/gtest.h>

#include <string>

#include "checker/explore/explorer.h"
#include "protocol/movable.h"
#include "protocol/page_lock.h"
#include "protocol/version.h"

namespace {

std::string found(const mc::RunResult& r) {
  if (r.counterexample) return r.counterexample->finding.kind_string();
  return r.exhausted ? "" : "(incomplete search)";
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
