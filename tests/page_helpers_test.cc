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

// Any kernel version a user types is answered by the newest modelled version at or before it;
// versions before 4.8 (no non-LRU migration) and text that is no version are answered by none.
TEST(KernelVersions, AnyVersionIsAnsweredByTheNewestModelledOneAtOrBeforeIt) {
  EXPECT_EQ(proto::modelled_kernel_for("5.2"), "5.0");
  EXPECT_EQ(proto::modelled_kernel_for("v5.2"), "5.0");
  EXPECT_EQ(proto::modelled_kernel_for("5.3.18"), "5.3");
  EXPECT_EQ(proto::modelled_kernel_for("5.8"), "5.4");
  EXPECT_EQ(proto::modelled_kernel_for("5.10.100"), "5.9");
  EXPECT_EQ(proto::modelled_kernel_for("5.14"), "5.9");
  EXPECT_EQ(proto::modelled_kernel_for("5.4.18"), "5.4");
  EXPECT_EQ(proto::modelled_kernel_for("5.15.80"), "5.15");
  EXPECT_EQ(proto::modelled_kernel_for("6.4"), "6.0");
  EXPECT_EQ(proto::modelled_kernel_for("6.5-rc1"), "6.0");  // before 6.5
  EXPECT_EQ(proto::modelled_kernel_for("6.5"), "6.5");
  EXPECT_EQ(proto::modelled_kernel_for("6.17.6"), "6.17");
  EXPECT_EQ(proto::modelled_kernel_for("6.18.2"), "6.18");
  EXPECT_EQ(proto::modelled_kernel_for("7.1"), "6.18");
  EXPECT_EQ(proto::modelled_kernel_for("4.8"), "4.8");
  EXPECT_EQ(proto::modelled_kernel_for("4.7"), "");
  EXPECT_EQ(proto::modelled_kernel_for("5"), "");
  EXPECT_EQ(proto::modelled_kernel_for("5.x"), "");
  EXPECT_EQ(proto::modelled_kernel_for("5.2.1.4"), "");
}

// An expectation's entry covers versions as users write them: a release covers its stable
// series, a range runs from its first to its last (the last's stable series included).
TEST(KernelVersions, ExpectEntriesCoverFreeVersionsAndRanges) {
  EXPECT_TRUE(proto::kernel_entry_covers("5.15", "5.15"));
  EXPECT_TRUE(proto::kernel_entry_covers("5.15", "5.15.80"));
  EXPECT_FALSE(proto::kernel_entry_covers("5.15.80", "5.15.81"));
  EXPECT_FALSE(proto::kernel_entry_covers("5.15", "5.16"));
  EXPECT_TRUE(proto::kernel_entry_covers("5.2..6.4", "5.2"));
  EXPECT_TRUE(proto::kernel_entry_covers("5.2..6.4", "6.4.12"));
  EXPECT_TRUE(proto::kernel_entry_covers("5.2..6.4", "5.17"));
  EXPECT_FALSE(proto::kernel_entry_covers("5.2..6.4", "5.0"));
  EXPECT_FALSE(proto::kernel_entry_covers("5.2..6.4", "6.5-rc1"));
  EXPECT_TRUE(proto::kernel_entry_covers("5.2..6.4", "6.4-rc1"));
}
