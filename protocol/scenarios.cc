// Scenarios: small (2-3 threads, 1-3 pages) so that exhaustive exploration stays well under
// a second each. Thread 0 builds the model (every object is made inside the body), runs the
// setup steps alone, spawns the racing threads, joins them and checks the end state.
#include "protocol/scenarios.h"

#include <memory>
#include <string>

#include "protocol/balloon.h"
#include "protocol/driver.h"
#include "protocol/end_state.h"
#include "protocol/migrate.h"
#include "protocol/page_lock.h"
#include "protocol/scenario_support.h"
#include "protocol/version.h"

namespace proto {
namespace {

struct Ctx {
  migrate_mode mode = migrate_mode::MIGRATE_ASYNC;
};

Ctx context_of(const mc::Params& p) {
  Ctx c;
  const std::string m = p.get("mode", "async");
  c.mode = m == "sync"         ? migrate_mode::MIGRATE_SYNC
           : m == "sync-light" ? migrate_mode::MIGRATE_SYNC_LIGHT
                               : migrate_mode::MIGRATE_ASYNC;
  return c;
}

// ---- protocol/ (reference driver) ----

void compaction_vs_alloc(const Ctx& c) {
  Memory mem(2, false);
  refdrv d;
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  mc::run_concurrently([&] { refdrv_alloc(&d, 42); }, [&] { compact_zone(&cc, 0, 1); });
  check_refdrv_end(mem, d);
}

void offline_vs_alloc(const Ctx&) {
  Memory mem(2, false);
  refdrv d;
  compact_control cc("offline.source");
  mc::run_concurrently([&] { refdrv_alloc(&d, 42); }, [&] { do_migrate_range(&cc, 0, 1); });
  check_refdrv_end(mem, d);
}

void free_before_isolation(const Ctx& c) {
  Memory mem(1, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  cc.migrate = false;
  mc::run_concurrently([&] { compact_zone(&cc, 0, 1); }, [&] { refdrv_free(&d); });
  check_refdrv_end(mem, d);
}

void free_between_isolation_and_migration(const Ctx& c) {
  Memory mem(2, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  compact_control cc("cc.migratepages"), cc2("cc2.migratepages");
  cc.mode = cc2.mode = c.mode;
  isolate_in_setup(cc, mem.pfn_to_page(0));
  refdrv_free(&d);  // released while isolated: only the core's reference is left
  mc::run_concurrently([&] { migrate_isolated(cc); }, [&] { compact_zone(&cc2, 0, 1); });
  check_refdrv_end(mem, d);
}

void free_during_migration(const Ctx& c) {
  Memory mem(2, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  isolate_in_setup(cc, mem.pfn_to_page(0));
  mc::run_concurrently([&] { migrate_isolated(cc); }, [&] { refdrv_free(&d); });
  check_refdrv_end(mem, d);
}

void two_compactors(const Ctx& c) {
  Memory mem(3, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  compact_control cc1("cc1.migratepages"), cc2("cc2.migratepages");
  cc1.mode = cc2.mode = c.mode;
  mc::run_concurrently([&] { compact_zone(&cc1, 0, 1); }, [&] { compact_zone(&cc2, 0, 1); });
  check_refdrv_end(mem, d);
  if (d.handle.peek() && d.handle.peek()->data->word.peek() != 42)
    end_violation("the object's contents were lost in migration");
}

void migrate_eagain(const Ctx& c) {
  Memory mem(2, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  d.eagain_budget.store(1);
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  isolate_in_setup(cc, mem.pfn_to_page(0));
  long seen = 0;
  mc::run_concurrently([&] { migrate_isolated(cc); }, [&] { seen = refdrv_read(&d); });
  check_refdrv_end(mem, d);
  MC_ASSERT(seen == 42, "reader saw %ld", seen);
  // -EAGAIN once, then success on a later pass unless the reader held the lock through
  // every pass (ASYNC never sleeps on it): then the page was put back.
  mc::observe("migrated", d.handle.peek() == mem.pfn_to_page(1));
}

void migrate_permanent_failure(const Ctx& c) {
  Memory mem(2, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  d.fail_permanently.store(true);
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  isolate_in_setup(cc, mem.pfn_to_page(0));
  long seen = 0;
  mc::run_concurrently([&] { migrate_isolated(cc); }, [&] { seen = refdrv_read(&d); });
  check_refdrv_end(mem, d);
  MC_ASSERT(seen == 42, "reader saw %ld", seen);
  MC_ASSERT(d.handle.peek() == mem.pfn_to_page(0), "object should have stayed (put back)");
}

void putback_vs_free(const Ctx&) {
  Memory mem(1, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  compact_control cc("cc.migratepages");
  isolate_in_setup(cc, mem.pfn_to_page(0));
  mc::run_concurrently([&] { putback_movable_pages(&cc.migratepages); }, [&] { refdrv_free(&d); });
  check_refdrv_end(mem, d);
}

void lock_page_vs_migration(const Ctx& c) {
  Memory mem(2, false);
  refdrv d;
  refdrv_alloc(&d, 42);
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  isolate_in_setup(cc, mem.pfn_to_page(0));
  long seen = 0;
  mc::run_concurrently([&] { migrate_isolated(cc); }, [&] { seen = refdrv_read(&d); });
  check_refdrv_end(mem, d);
  MC_ASSERT(seen == 42, "reader saw %ld", seen);
}

// ---- balloon/ ----

void balloon_inflate_vs_compaction(const Ctx& c) {
  Memory mem(2, false);
  virtio_balloon vb;
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  mc::run_concurrently([&] { fill_balloon(&vb); }, [&] { compact_zone(&cc, 0, 1); });
  check_balloon_end(mem, vb);
}

void balloon_deflate_vs_compaction(const Ctx& c) {
  Memory mem(2, false);
  virtio_balloon vb;
  fill_balloon(&vb);
  compact_control cc("cc.migratepages");
  cc.mode = c.mode;
  mc::run_concurrently([&] { leak_balloon(&vb); }, [&] { compact_zone(&cc, 0, 1); });
  check_balloon_end(mem, vb);
}

// ---- registration and expectations ----

struct ScenarioDef {
  const char* name;
  const char* description;
  const char* default_mode;  // null: no mode parameter
  void (*run)(const Ctx&);
};

const ScenarioDef kScenarios[] = {
    {"protocol/compaction-vs-alloc",
     "the driver allocates and marks a page movable while compaction scans it", "async",
     compaction_vs_alloc},
    {"protocol/offline-vs-alloc",
     "the driver allocates a page while memory offlining (do_migrate_range) isolates it", nullptr,
     offline_vs_alloc},
    {"protocol/compaction-vs-free-before-isolation",
     "the driver frees its page while compaction isolates it (and puts it back)", "async",
     free_before_isolation},
    {"protocol/compaction-vs-free-between-isolation-and-migration",
     "the page is released while isolated; migration then meets it, racing a second scanner",
     "sync", free_between_isolation_and_migration},
    {"protocol/compaction-vs-free-during-migration",
     "the driver frees an isolated page while migrate_pages works on it", "sync",
     free_during_migration},
    {"protocol/two-compactors", "two compactors scan, isolate and migrate the same page", "async",
     two_compactors},
    {"protocol/migrate-eagain",
     "migratepage returns -EAGAIN once, the next pass succeeds; a reader locks the page", "async",
     migrate_eagain},
    {"protocol/migrate-permanent-failure",
     "migratepage fails permanently: the page is put back; a reader locks the page", "async",
     migrate_permanent_failure},
    {"protocol/putback-vs-free", "putback_movable_pages races with the driver freeing the page",
     nullptr, putback_vs_free},
    {"protocol/lock-page-vs-migration",
     "a lock_page user sleeps on the page while migration holds its lock", "sync",
     lock_page_vs_migration},
    {"balloon/inflate-vs-compaction", "virtio-balloon inflates one page while compaction scans",
     "async", balloon_inflate_vs_compaction},
    {"balloon/deflate-vs-compaction",
     "virtio-balloon deflates one page while compaction isolates and migrates it", "async",
     balloon_deflate_vs_compaction},
};

bool between(Kernel k, Kernel lo, Kernel hi) { return k >= lo && k <= hi; }

constexpr const char* kLruPath = "non-LRU page on LRU path";

// Scenarios in which a page-lock sleeper meets a non-atomic __Set/__ClearPageIsolated.
bool sleeps_on_isolated_page(const std::string& n) {
  return n == "protocol/compaction-vs-free-before-isolation" ||
         n == "protocol/compaction-vs-free-during-migration" || n == "protocol/migrate-eagain" ||
         n == "protocol/migrate-permanent-failure" || n == "protocol/putback-vs-free" ||
         n == "protocol/lock-page-vs-migration";
}

// What each scenario must show with no variant. Empty: no finding.
std::string expected_without_variant(const std::string& name, Kernel k) {
  // The historical lost wake-up: PG_waiters (4.10, 62906027091f/b91e1302ad9b) lives in the
  // flags word that the non-atomic __Set/__ClearPageIsolated rewrites under the page lock; a
  // lock_page sleeper's SetPageWaiters is erased and unlock_page wakes nobody. Fixed in 5.18
  // by 356ea3865687 "mm/migrate: fix race between lock page and clear PG_Isolated".
  if (between(k, Kernel::v4_10, Kernel::v5_17) && sleeps_on_isolated_page(name))
    return "lost-wakeup";
  return "";
}

// What each scenario shows under each variant, by version: every scenario/variant pair at
// 4.8, 4.10, 5.0, 5.18, 6.0 and 6.17 was run exhaustively and the rows below are what the
// checker reported, each explained. The first matching row wins; pairs without a row behave as
// with no variant (the variant's code is not on the scenario's path, or is latent there).
struct VariantRow {
  Bug bug;
  const char* scenario;  // a name, or "protocol/*": every reference-driver scenario
  Kernel lo, hi;
  const char* expected;
};

const VariantRow kVariantRows[] = {
    // __ClearPageMovable clearing PAGE_MAPPING_MOVABLE (6.17 has no __ClearPageMovable):
    // a released isolated page then looks like an LRU page and putback_lru_page reuses its lru.
    // Between 4.10 and 5.17 the lost wake-up is found first where a lock_page sleeper exists,
    // except where the variant removes the non-atomic __ClearPageIsolated that causes it:
    // after the owner's __ClearPageMovable, move_to_new_page's __PageMovable test fails and
    // PG_isolated is left set (and then silently dropped when the page is freed).
    {Bug::clear_movable_drops_flag, "protocol/migrate-eagain", Kernel::v4_10, Kernel::v5_17, ""},
    {Bug::clear_movable_drops_flag, "protocol/lock-page-vs-migration", Kernel::v4_10, Kernel::v5_17,
     ""},
    {Bug::clear_movable_drops_flag, "protocol/putback-vs-free", Kernel::v4_10, Kernel::v5_17,
     "lost-wakeup"},
    {Bug::clear_movable_drops_flag, "protocol/compaction-vs-free-before-isolation", Kernel::v4_10,
     Kernel::v5_17, "lost-wakeup"},
    {Bug::clear_movable_drops_flag, "protocol/putback-vs-free", Kernel::v4_8, Kernel::v6_5,
     kLruPath},
    {Bug::clear_movable_drops_flag, "protocol/compaction-vs-free-before-isolation", Kernel::v4_8,
     Kernel::v6_5, kLruPath},
    {Bug::clear_movable_drops_flag, "protocol/compaction-vs-free-during-migration", Kernel::v4_8,
     Kernel::v6_5, kLruPath},
    // The offliner's trylock lands between the owner's non-atomic __SetPageLocked load and
    // store: both "hold" the lock, and the offliner's unlock trips VM_BUG_ON_PAGE.
    {Bug::lock_before_movable_check, "protocol/offline-vs-alloc", Kernel::v4_8, Kernel::v6_17,
     "VM_BUG_ON_PAGE"},
    // Isolating without a reference breaks every path that isolates: the core's put frees the
    // page under its owner, or the owner's put frees it under the core.
    {Bug::isolate_without_ref, "protocol/compaction-vs-alloc", Kernel::v4_8, Kernel::v6_17,
     "end state"},
    {Bug::isolate_without_ref, "protocol/offline-vs-alloc", Kernel::v4_8, Kernel::v6_17,
     "end state"},
    {Bug::isolate_without_ref, "protocol/two-compactors", Kernel::v4_8, Kernel::v6_17, "end state"},
    {Bug::isolate_without_ref, "protocol/compaction-vs-free-between-isolation-and-migration",
     Kernel::v4_8, Kernel::v6_17, "general protection fault"},
    {Bug::isolate_without_ref, "protocol/*", Kernel::v4_8, Kernel::v6_17, "VM_BUG_ON_PAGE"},
    {Bug::isolate_without_ref, "balloon/inflate-vs-compaction", Kernel::v6_17, Kernel::v6_17,
     "end state"},
    {Bug::isolate_without_ref, "balloon/inflate-vs-compaction", Kernel::v4_8, Kernel::v6_5,
     "bad page state"},
    {Bug::isolate_without_ref, "balloon/deflate-vs-compaction", Kernel::v4_8, Kernel::v6_17,
     "bad page state"},
    // After unlock the owner releases newpage; the test then fails and putback_lru_page reuses
    // its lru. 6.17's page type + PG_movable_ops stays until free, so it is latent there.
    {Bug::newpage_movable_after_unlock, "balloon/deflate-vs-compaction", Kernel::v4_8, Kernel::v6_5,
     kLruPath},
    {Bug::newpage_movable_after_unlock, "protocol/compaction-vs-free-during-migration",
     Kernel::v4_8, Kernel::v6_5, kLruPath},
    // 4.8-6.16: __SetPageMovable's VM_BUG_ON_PAGE(!PageLocked) fires in every scenario in
    // which the reference driver allocates. 6.17 has no such assert: isolation then races with
    // the driver still setting the page up.
    {Bug::set_movable_unlocked, "protocol/compaction-vs-alloc", Kernel::v6_17, Kernel::v6_17,
     "data-race"},
    {Bug::set_movable_unlocked, "protocol/offline-vs-alloc", Kernel::v6_17, Kernel::v6_17,
     "data-race"},
    {Bug::set_movable_unlocked, "protocol/*", Kernel::v4_8, Kernel::v6_5, "VM_BUG_ON_PAGE"},
    // balloon_page_dequeue's list walk races with isolation's list_del.
    {Bug::dequeue_without_lock, "balloon/deflate-vs-compaction", Kernel::v4_8, Kernel::v6_17,
     "data-race"},
};

std::string expected_with_variant(const std::string& name, Kernel k, Bug bug) {
  for (const VariantRow& r : kVariantRows) {
    if (r.bug != bug || !between(k, r.lo, r.hi)) continue;
    const std::string pattern = r.scenario;
    if (pattern == name || (pattern == "protocol/*" && name.rfind("protocol/", 0) == 0))
      return r.expected;
  }
  return expected_without_variant(name, k);
}

}  // namespace

const char* variant_scenario(Bug bug) {
  switch (bug) {
    case Bug::clear_movable_drops_flag:
      return "protocol/putback-vs-free";
    case Bug::lock_before_movable_check:
      return "protocol/offline-vs-alloc";
    case Bug::isolate_without_ref:
      return "protocol/compaction-vs-free-during-migration";
    case Bug::newpage_movable_after_unlock:
      return "balloon/deflate-vs-compaction";
    case Bug::set_movable_unlocked:
      return "protocol/compaction-vs-alloc";
    case Bug::dequeue_without_lock:
      return "balloon/deflate-vs-compaction";
    case Bug::zs_no_trypin:
      return "zsmalloc/map-vs-migrate";
    case Bug::none:
      break;
  }
  return "";
}

}  // namespace proto

void register_protocol_scenarios(mc::Registry& r) {
  using namespace proto;
  for (const ScenarioDef& s : kScenarios) {
    std::vector<mc::Parameter> extra;
    if (s.default_mode)
      extra.push_back({"mode",
                       s.default_mode,
                       "migration mode of the compactor",
                       {"async", "sync-light", "sync"}});
    auto run = s.run;
    r.add(versioned_test(
        s.name, s.description, std::move(extra), [run](const mc::Params& p) { run(context_of(p)); },
        expected_with_variant));
  }
}
