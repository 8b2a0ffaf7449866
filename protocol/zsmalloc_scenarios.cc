// zsmalloc scenarios: thread 0 builds the pool and its objects, sets up the starting state
// (isolation done alone), spawns the racing threads, joins them, then tears everything down
// and checks that every page went back to the allocator and every object kept its value.
#include "protocol/zsmalloc_scenarios.h"

#include <string>

#include "protocol/end_state.h"
#include "protocol/page_lock.h"
#include "protocol/scenario_support.h"
#include "protocol/version.h"
#include "protocol/zsmalloc.h"

namespace proto {
namespace {

unsigned long alloc_with(zs_pool* pool, long value) {
  const unsigned long h = zs_malloc(pool, 1);
  if (!h) {
    mc::violation("end state", "setup: zs_malloc failed");
    return 0;
  }
  mc::plain<unsigned long>* obj = zs_map_object(pool, h, ZS_MM_WO);
  if (obj) obj->store(static_cast<unsigned long>(value));
  zs_unmap_object(pool, h);
  return h;
}

long read_obj(zs_pool* pool, unsigned long h) {
  mc::plain<unsigned long>* obj = zs_map_object(pool, h, ZS_MM_RO);
  const long v = obj ? static_cast<long>(obj->load()) : -1;
  zs_unmap_object(pool, h);
  return v;
}

void expect_value(zs_pool* pool, unsigned long h, long v, const char* what) {
  const long got = zs_obj_value_peek(pool, h);
  if (got != v)
    mc::violation("end state", std::string(what) + " holds " + std::to_string(got) + ", expected " +
                                   std::to_string(v));
}

// Frees the objects, runs deferred work, destroys the pool: every page must be free again.
void teardown(Memory& mem, zs_pool* pool, std::initializer_list<unsigned long> handles) {
  for (unsigned long h : handles) zs_free(pool, h);
  zs_run_pending_work(pool);
  zs_destroy_pool(pool);
  check_all_pages_free(mem, "never went back to the allocator");
}

// ---- scenarios ----

// Seed 001: zs_map_object finds the object's page while zs_page_migrate moves it.
void map_vs_migrate() {
  Memory mem(2, false);
  zs_pool* pool = zs_create_pool("zram0");
  const unsigned long h = alloc_with(pool, 42);
  compact_control cc("cc.migratepages");
  isolate_in_setup(cc, mem.pfn_to_page(0));
  long seen = 0;
  mc::run_concurrently([&] { seen = read_obj(pool, h); }, [&] { migrate_isolated(cc); });
  MC_ASSERT(seen == 42, "zs_map_object read %ld", seen);
  zs_check_pool_peek(pool, 1);
  expect_value(pool, h, 42, "the object");
  teardown(mem, pool, {h});
}

// zs_free of the last object while compaction isolates and migrates its page.
void free_last_vs_migration() {
  Memory mem(2, false);
  zs_pool* pool = zs_create_pool("zram0");
  const unsigned long h = alloc_with(pool, 42);
  compact_control cc("cc.migratepages");
  mc::run_concurrently([&] { zs_free(pool, h); }, [&] { compact_zone(&cc, 0, 1); });
  zs_run_pending_work(pool);
  zs_check_pool_peek(pool, 0);
  teardown(mem, pool, {});
}

// zs_compact moves an object between zspages while compaction migrates the source page.
void compact_vs_migration() {
  Memory mem(3, false);
  zs_pool* pool = zs_create_pool("zram0");
  const unsigned long h1 = alloc_with(pool, 11);
  const unsigned long h2 = alloc_with(pool, 22);
  const unsigned long h3 = alloc_with(pool, 33);  // a second zspage
  zs_free(pool, h2);                              // both zspages half full
  compact_control cc("cc.migratepages");
  mc::run_concurrently([&] { zs_compact(pool); }, [&] { compact_zone(&cc, 0, 1); });
  zs_run_pending_work(pool);
  zs_check_pool_peek(pool, 2);
  expect_value(pool, h1, 11, "object 1");
  expect_value(pool, h3, 33, "object 3");
  teardown(mem, pool, {h1, h3});
}

// putback_movable_pages of an isolated page while its last object is freed.
void putback_vs_free() {
  Memory mem(1, false);
  zs_pool* pool = zs_create_pool("zram0");
  const unsigned long h = alloc_with(pool, 42);
  compact_control cc("cc.migratepages");
  isolate_in_setup(cc, mem.pfn_to_page(0));
  mc::run_concurrently([&] { putback_movable_pages(&cc.migratepages); }, [&] { zs_free(pool, h); });
  zs_run_pending_work(pool);
  zs_check_pool_peek(pool, 0);
  teardown(mem, pool, {});
}

// A two-page zspage: its last object is freed (the free may be deferred to the worker's
// async_free_zspage) while its second page is migrated.
void async_free_vs_migration() {
  Memory mem(3, false);
  zs_pool_config cfg;
  cfg.size[0] = 3;  // 2 objects in 2 pages; object 1 straddles them
  cfg.pages_per_zspage[0] = 2;
  zs_pool* pool = zs_create_pool("zram0", cfg);
  const unsigned long h = zs_malloc(pool, 2);
  compact_control cc("cc.migratepages");
  isolate_in_setup(cc, mem.pfn_to_page(1));
  // The worker is thread A itself: it runs the free_work that its zs_free may queue (a
  // worker starting right after the kick), racing with the migration.
  mc::run_concurrently(
      [&] {
        zs_free(pool, h);
        zs_run_pending_work(pool);
      },
      [&] { migrate_isolated(cc); });
  zs_run_pending_work(pool);
  zs_check_pool_peek(pool, 0);
  teardown(mem, pool, {});
}

// zs_destroy_pool while a page of an (emptied) zspage is still isolated and migrating.
void destroy_vs_migration() {
  Memory mem(2, false);
  zs_wq* wq = mc::make_named<zs_wq>("system_wq", SL::current());
  zs_pool_config cfg;
  cfg.wq = wq;
  zs_pool* pool = zs_create_pool("zram0", cfg);
  const unsigned long h = alloc_with(pool, 42);
  compact_control cc("cc.migratepages");
  isolate_in_setup(cc, mem.pfn_to_page(0));
  zs_free(pool, h);  // the zspage is empty; its page is still isolated
  mc::thread w = mc::spawn([&] { zs_kworker(wq); });
  mc::run_concurrently([&] { zs_destroy_pool(pool); }, [&] { migrate_isolated(cc); });
  zs_work_stop(wq);
  w.join();
  mc::free(wq);
  check_all_pages_free(mem, "outlived its pool");
}

// zs_malloc of a second object while the page of the first one migrates.
void malloc_vs_migration() {
  Memory mem(3, false);
  zs_pool* pool = zs_create_pool("zram0");
  const unsigned long h1 = alloc_with(pool, 11);
  compact_control cc("cc.migratepages");
  isolate_in_setup(cc, mem.pfn_to_page(0));
  unsigned long h2 = 0;
  mc::run_concurrently([&] { h2 = alloc_with(pool, 22); }, [&] { migrate_isolated(cc); });
  zs_check_pool_peek(pool, 2);
  expect_value(pool, h1, 11, "object 1");
  expect_value(pool, h2, 22, "object 2");
  teardown(mem, pool, {h1, h2});
}

struct ZsScenario {
  const char* name;
  const char* description;
  void (*run)();
};

const ZsScenario kZsScenarios[] = {
    {"zsmalloc/map-vs-migrate",
     "zs_map_object reads an object while zs_page_migrate moves its page", map_vs_migrate},
    {"zsmalloc/free-last-vs-migration",
     "zs_free of a zspage's last object while compaction isolates and migrates its page",
     free_last_vs_migration},
    {"zsmalloc/compact-vs-migration",
     "zs_compact moves objects between zspages while compaction migrates a page",
     compact_vs_migration},
    {"zsmalloc/putback-vs-free", "putback of an isolated page while its last object is freed",
     putback_vs_free},
    {"zsmalloc/async-free-vs-migration",
     "the deferred free of a two-page zspage (async_free_zspage) while one of its pages migrates",
     async_free_vs_migration},
    {"zsmalloc/destroy-vs-migration",
     "zs_destroy_pool while a page of the pool is isolated and migrating", destroy_vs_migration},
    {"zsmalloc/malloc-vs-migrate",
     "zs_malloc of a second object while the first one's page migrates", malloc_vs_migration},
};

}  // namespace

// The expected finding per scenario and version ("" = none); see docs/zsmalloc.md.
std::string zs_expected(const std::string& name, Kernel k, Bug bug);

}  // namespace proto

void register_zsmalloc_scenarios(mc::Registry& r) {
  using namespace proto;
  for (const ZsScenario& s : kZsScenarios) {
    auto run = s.run;
    r.add(versioned_test(
        s.name, s.description, {}, [run](const mc::Params&) { run(); }, zs_expected));
  }
}

namespace proto {

// What the checker reports (exhaustive dfs): the kernel's own historical bugs where a later
// commit fixed them.
std::string zs_expected(const std::string& name, Kernel k, Bug bug) {
  const bool pins = k < Kernel::v5_17;  // handle pin bit until c4549b871102's series
  if (bug == Bug::zs_no_trypin && name == "zsmalloc/map-vs-migrate")
    return pins ? "stale object location" : "";  // 5.17+ has no trypin_tag to leave out
  // c4549b871102 (5.17) updates zspage->isolated under the zspage lock and fullness under
  // class->lock: one word, two locks. Fixed by 4b5d1e47b694 (6.5).
  const bool word_race = k >= Kernel::v5_17 && k < Kernel::v6_5;
  if (name == "zsmalloc/free-last-vs-migration") {
    // 77ff465799c6 (4.14) migrates the emptied zspage and ignores putback_zspage's ZS_EMPTY:
    // the zspage is never freed, until 1a87aa03597e (5.3).
    if (k >= Kernel::v4_14 && k < Kernel::v5_3) return "end state";
    return word_race ? "data-race" : "";
  }
  if (name == "zsmalloc/putback-vs-free" || name == "zsmalloc/malloc-vs-migrate")
    return word_race ? "data-race" : "";
  if (name == "zsmalloc/async-free-vs-migration") {
    if (k >= Kernel::v4_14 && k < Kernel::v5_3) return "end state";  // as above
    // 4.10 (PG_waiters, 62906027091f): async_free_zspage's lock_zspage sleeps in lock_page on
    // the migrating page while the core's non-atomic __ClearPageIsolated drops PG_waiters: the
    // protocol's lost wake-up (docs/protocol.md), fixed by 356ea3865687 (5.18). Met first here
    // at 4.10 only; the later findings above and below come first at the other versions.
    if (k == Kernel::v4_10) return "lost-wakeup";
    // zs_free's lock-free get_zspage(page) reads page->private while zs_page_migrate's
    // create_page_chain rewrites it (same value) under the zspage write lock.
    if (pins) return "data-race";
    // From 5.17 the zspage word race above, found once the search exhausts.
    return word_race ? "data-race" : "";
  }
  if (name == "zsmalloc/destroy-vs-migration") {
    if (k < Kernel::v5_3) return "use-after-free";  // 701d678599d0
    if (k < Kernel::v5_16) return "lost-wakeup";    // afe8605ca454
    return "";
  }
  return "";
}

}  // namespace proto
