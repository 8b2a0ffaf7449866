// Bindings of the protocol model (protocol/): the kernel settings, pages, the compaction
// control with its migration list, the reference driver, and the kernel functions on them.
#include <memory>
#include <string>

#include "litmus/bindings.h"
#include "litmus/bindings/kinds.h"
#include "litmus/bindings/zone.h"
#include "litmus/interpreter.h"
#include "protocol/driver.h"
#include "protocol/end_state.h"
#include "protocol/migrate.h"
#include "protocol/page_lock.h"
#include "protocol/version.h"

namespace litmus {

namespace {

// Arguments 1 and 2 of a call, a pfn range [low, high), checked against the pages the file
// declares: a scanner walking past them would index the zone's page array out of bounds.
std::pair<int, int> pfn_range(const Call& c) {
  const int64_t low = c.arg(1), high = c.arg(2);
  const int n = proto::Memory::current().nr_pages();
  if (low < 0 || high < low || high > n)
    c.fail("pfn range [" + std::to_string(low) + ", " + std::to_string(high) +
           ") is outside the pages the file declares (pfns 0 to " + std::to_string(n - 1) +
           "): expected 0 <= low <= high <= " + std::to_string(n));
  return {static_cast<int>(low), static_cast<int>(high)};
}

using namespace proto;

constexpr const char* kPage = "struct page";

struct KernelConfig {
  explicit KernelConfig(const Config& c) : cfg(c), scope(cfg) {}
  Config cfg;
  ConfigScope scope;
};

// The end state every driver of a scenario checks (protocol/end_state.h).
void check_refdrv_end(World& w, void* obj) {
  proto::check_refdrv_end(zone(w), *static_cast<refdrv*>(obj));
}

}  // namespace

proto::Memory& zone(World& w) {
  if (void* m = w.singleton("memory")) return *static_cast<proto::Memory*>(m);
  proto::Memory* m = w.keep(std::make_unique<proto::Memory>(w.count_of("struct page"), false));
  w.set_singleton("memory", m);
  return *m;
}

namespace {

// A setting whose value may be a list (or "all"), each value run on its own.
ModelSetting list_setting(std::string key, std::string fallback, std::vector<std::string> choices,
                          std::string summary) {
  ModelSetting s;
  s.key = std::move(key);
  s.fallback = std::move(fallback);
  s.choices = std::move(choices);
  s.list = true;
  s.summary = std::move(summary);
  return s;
}

}  // namespace

void add_protocol_bindings(Bindings& bn) {
  bn.add_finding_kinds({"BUG_ON", "VM_BUG_ON_PAGE", "VM_WARN_ON_ONCE_PAGE", "WARN_ON_ONCE",
                        "bad page state", "general protection fault", "list_add corruption",
                        "list_del corruption", "isolation invariant", "non-LRU page on LRU path",
                        "driver lru access while isolated", "end state"});
  ModelSetting kernel = list_setting(
      "kernel", kernel_choices().back(), kernel_choices(),
      "kernel version the model follows: a modelled one, or any version from 4.8 on (5.2, "
      "5.15.80, 6.4-rc1), answered by the newest modelled version at or before it; a list "
      "(4.10,5.0) or 'all' runs each");
  kernel.resolve = modelled_kernel_for;
  kernel.covers = kernel_entry_covers;
  kernel.resolve_hint = "any version from 4.8 on, such as 5.2 or 5.15.80";
  bn.add(kernel);
  ModelSetting bug = list_setting("bug", "none", bug_choices(),
                                  "a deliberate historical mistake to inject (docs/protocol.md); "
                                  "a list (none,isolate-without-ref) or 'all' runs each");
  for (const std::string& b : bug_choices()) bug.choice_notes.push_back(bug_mistake(parse_bug(b)));
  bn.add(bug);
  // Fixes applied on top of the version: a stable or distribution kernel.
  ModelSetting with;
  with.key = "with";
  with.fallback = "none";
  with.choices = {"none"};
  for (const FixInfo& f : fixes()) {
    with.choices.push_back(f.id);
    with.choice_notes.push_back(std::string(f.what) + " (mainline from " + kernel_name(f.since) +
                                "; applies from " + kernel_name(f.applies_from) + ")");
  }
  with.choice_notes.insert(with.choice_notes.begin(), "no fix beyond the version's own code");
  with.combined = true;
  with.resolve = [](const std::string& id) {
    const FixInfo* f = find_fix(id);
    return f ? std::string(f->id) : std::string();
  };
  with.resolve_hint = "a fix's commit id shortened to no fewer than 7 digits";
  with.summary =
      "fixes applied on top of the kernel version, by commit id (a stable or distribution "
      "kernel: kernel=5.15 with=2505a981114d); several separated by commas";
  bn.add(with);
  bn.check_settings([](const std::map<std::string, std::string>& s) {
    std::vector<std::pair<std::string, std::string>> problems;
    auto w = s.find("with");
    auto k = s.find("kernel");
    if (w == s.end() || k == s.end() || w->second == "none") return problems;
    const Kernel kernel = parse_kernel(k->second);
    for (const std::string& id : split_commas(w->second)) {
      if (id == "none") continue;
      const FixInfo* f = find_fix(id);
      if (f && kernel < f->applies_from)
        problems.emplace_back("with", "with=" + id + " fixes code that kernel " + k->second +
                                          " does not have yet (it applies from " +
                                          kernel_name(f->applies_from) + ")");
    }
    return problems;
  });
  bn.add(list_setting("mode", "declared",
                      {"declared", "MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT", "MIGRATE_SYNC"},
                      "the migration mode of every struct compact_control (declared: each its "
                      "own); a list or 'all' runs each"));
  // The zone as a whole, once every owner has checked and claimed its pages.
  bn.on_end([](World& w) {
    if (void* m = w.singleton("memory")) proto::check_zone_end(*static_cast<proto::Memory*>(m));
  });
  bn.on_begin([](World& w) {
    Config c;
    c.kernel =
        parse_kernel(w.setting("kernel").empty() ? kernel_choices().back() : w.setting("kernel"));
    c.bug = parse_bug(w.setting("bug").empty() ? "none" : w.setting("bug"));
    if (!w.setting("with").empty() && w.setting("with") != "none")
      for (const std::string& id : split_commas(w.setting("with")))
        if (const FixInfo* f = find_fix(id)) c.with |= uint32_t{1} << static_cast<int>(f->fix);
    w.keep(std::make_unique<KernelConfig>(c));
  });

  // ---- objects ----
  ObjectType page_type;
  page_type.type = kPage;
  page_type.kind = kPageKind;
  page_type.subsystem = "protocol";
  page_type.summary =
      "a page of the zone, free at the start; pfns follow the declaration order and the "
      "allocator hands out the lowest free pfn (compaction's targets: the highest)";
  page_type.max_count = Memory::kMaxPages;
  page_type.create = [](World& w, const ObjectDecl& d) -> void* {
    Memory& mem = zone(w);
    int pfn = 0;
    for (const ObjectDecl& o : w.decls()) {
      if (&o == &d || o.name == d.name) break;
      pfn += o.type == kPage;
    }
    return mem.pfn_to_page(pfn);
  };
  bn.add(std::move(page_type));

  ObjectType cc_type;
  cc_type.type = "struct compact_control";
  cc_type.kind = kListKind;
  cc_type.subsystem = "protocol";
  cc_type.summary =
      "a compaction (or offlining) run: its migration list cc->migratepages and its mode "
      "(= MIGRATE_ASYNC, the default, MIGRATE_SYNC_LIGHT or MIGRATE_SYNC)";
  cc_type.initialisers = {"MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT", "MIGRATE_SYNC"};
  cc_type.create = [](World& w, const ObjectDecl& d) -> void* {
    zone(w);
    auto cc = std::make_unique<compact_control>(d.name.c_str());
    // `mode=` (a setting) replaces the declared mode of every compaction.
    const std::string& forced = w.setting("mode");
    const std::string& mode = forced.empty() || forced == "declared" ? d.value.symbol : forced;
    if (mode == "MIGRATE_SYNC") cc->mode = migrate_mode::MIGRATE_SYNC;
    if (mode == "MIGRATE_SYNC_LIGHT") cc->mode = migrate_mode::MIGRATE_SYNC_LIGHT;
    return w.keep(std::move(cc));
  };
  bn.add(std::move(cc_type));

  ObjectType drv_type;
  drv_type.type = "struct refdrv";
  drv_type.kind = kDriverKind;
  drv_type.subsystem = "protocol";
  drv_type.max_count = 3;  // Memory::kMaxMappings holds every driver a file may declare
  drv_type.summary =
      "the reference driver (Documentation/vm/page_migration, section C): its page list under "
      "a spinlock and one object; at the end every page must be free or the driver's";
  drv_type.create = [](World& w, const ObjectDecl&) -> void* {
    zone(w);
    return w.keep(std::make_unique<refdrv>());
  };
  drv_type.check_end = check_refdrv_end;
  bn.add(std::move(drv_type));

  // ---- functions ----
  const SubsystemFunctions fn(bn, "protocol");
  const ArgKind P = kPageKind, I = ArgKind::kInt, L = kListKind, D = kDriverKind,
                V = ArgKind::kVoid;

  // Page lock and reference count.
  fn("trylock_page", {P}, I, "PG_locked test-and-set; 1 if taken, never sleeps",
     [](const Call& c) { return b(trylock_page(c.object<page>(0))); });
  fn("lock_page", {P}, V, "sleeps until PG_locked is taken (PG_waiters from 4.10)",
     [](const Call& c) {
       lock_page(c.object<page>(0));
       return int64_t{0};
     });
  fn("unlock_page", {P}, V, "clears PG_locked and wakes sleepers (only if PG_waiters from 4.10)",
     [](const Call& c) {
       unlock_page(c.object<page>(0));
       return int64_t{0};
     });
  fn("wait_on_page_locked", {P}, V, "sleeps until the page is unlocked", [](const Call& c) {
    wait_on_page_locked(c.object<page>(0));
    return int64_t{0};
  });
  fn("get_page", {P}, V, "takes a reference (VM_BUG_ON_PAGE on a free page)", [](const Call& c) {
    get_page(c.object<page>(0));
    return int64_t{0};
  });
  fn("get_page_unless_zero", {P}, I, "takes a reference unless the count is 0; 1 if taken",
     [](const Call& c) { return b(get_page_unless_zero(c.object<page>(0))); });
  fn("put_page", {P}, V, "drops a reference; the last one frees the page", [](const Call& c) {
    put_page(c.object<page>(0));
    return int64_t{0};
  });
  // The kernel's page checks, written in a thread body: a finding with the page's dump.
  fn("VM_BUG_ON_PAGE", {I, P}, V, "a kernel BUG with the page's dump when the condition holds",
     [](const Call& c) {
       const std::string what = "the condition at " + c.loc.to_string();
       VM_BUG_ON_PAGE(c.arg(0) != 0, c.object<page>(1), what.c_str());
       return int64_t{0};
     });
  fn("VM_WARN_ON_ONCE_PAGE", {I, P}, I,
     "a kernel warning with the page's dump when the condition holds; the condition",
     [](const Call& c) {
       const std::string what = "the condition at " + c.loc.to_string();
       VM_WARN_ON_ONCE_PAGE(c.arg(0) != 0, c.object<page>(1), what.c_str());
       return int64_t{c.arg(0) != 0};
     });
  fn("alloc_page", {}, P,
     "takes a free page from the zone (the lowest pfn), refcount 1, as a target page comes from "
     "the allocator; 0 if none is free. Give it back with put_page",
     [](const Call& c) { return c.world.value_of(zone(c.world).alloc_page(), c); });
  fn("page_count", {P}, I, "the reference count",
     [](const Call& c) { return int64_t{page_count(c.object<page>(0))}; });
  fn("PageLocked", {P}, I, "PG_locked",
     [](const Call& c) { return b(PageLocked(c.object<page>(0))); });
  fn("PageWaiters", {P}, I, "PG_waiters: a sleeper waits for the page lock (4.10 on; 0 before)",
     [](const Call& c) { return b(PageWaiters(c.object<page>(0))); });
  fn("PageIsolated", {P}, I, "PG_isolated (PG_movable_ops_isolated from 6.17)",
     [](const Call& c) { return b(PageIsolated(c.object<page>(0))); });
  fn("__PageMovable", {P}, I, "lock-free movable test (page_has_movable_ops from 6.17)",
     [](const Call& c) {
       page* p = c.object<page>(0);
       return b(kcfg().movable_ops_flag() ? page_has_movable_ops(p) : __PageMovable(p));
     });
  fn("PageMovable", {P}, I, "movable and owned by a mapping with callbacks; needs the page lock",
     [](const Call& c) { return b(PageMovable(c.object<page>(0))); });

  // Isolation, migration, putback.
  fn("isolate_movable_page", {P}, I,
     "get_page_unless_zero, __PageMovable, trylock_page, driver isolate_page, PG_isolated; 1 if "
     "isolated (the core keeps the reference)",
     [](const Call& c) { return b(isolate_movable_page(c.object<page>(0), 0)); });
  fn("list_add", {P, L}, V,
     "list_add(&page->lru, &cc->migratepages) for an isolated page (checks the core's "
     "invariant: isolated, referenced)",
     [](const Call& c) {
       page* p = c.object<page>(0);
       compact_control* cc = c.object<compact_control>(1);
       list_add(&p->lru, &cc->migratepages);
       check_isolated_on_list(p, "list_add");
       ++cc->nr_migratepages;
       return int64_t{0};
     });
  fn("putback_movable_page", {P}, V, "driver putback_page and clear PG_isolated (page locked)",
     [](const Call& c) {
       putback_movable_page(c.object<page>(0));
       return int64_t{0};
     });
  fn("putback_movable_pages", {L}, V, "puts back every page left on cc->migratepages",
     [](const Call& c) {
       putback_movable_pages(&c.object<compact_control>(0)->migratepages);
       return int64_t{0};
     });
  fn("migrate_pages", {L}, I,
     "migrate_pages(&cc->migratepages, compaction_alloc, compaction_free, cc, cc->mode): the "
     "number of pages not migrated, or -ENOMEM; leftovers stay on the list",
     [](const Call& c) {
       compact_control* cc = c.object<compact_control>(0);
       return int64_t{migrate_pages(&cc->migratepages, compaction_alloc, compaction_free, cc,
                                    cc->mode, &cc->scratch)};
     });
  fn("isolate_migratepages_block", {L, I, I}, I,
     "compaction's migrate scanner over pfns [low, high): isolates movable pages onto "
     "cc->migratepages; the number isolated",
     [](const Call& c) {
       const auto [low, high] = pfn_range(c);
       return int64_t{isolate_migratepages_block(c.object<compact_control>(0), low, high)};
     });
  fn("compact_zone", {L, I, I}, V,
     "isolate_migratepages_block, migrate_pages, putback_movable_pages of what is left",
     [](const Call& c) {
       const auto [low, high] = pfn_range(c);
       compact_zone(c.object<compact_control>(0), low, high);
       return int64_t{0};
     });
  fn("do_migrate_range", {L, I, I}, V,
     "memory offlining over pfns [start, end): pin, isolate_movable_page (no lock-free "
     "pre-check), MIGRATE_SYNC migration, putback",
     [](const Call& c) {
       const auto [low, high] = pfn_range(c);
       do_migrate_range(c.object<compact_control>(0), low, high);
       return int64_t{0};
     });

  // The reference driver.
  fn("refdrv_alloc", {D, I}, I,
     "allocates a page (lowest free pfn), stores the object, marks the page movable and puts it "
     "on the driver's list; 1 on success",
     [](const Call& c) {
       return b(refdrv_alloc(c.object<refdrv>(0), static_cast<long>(c.arg(1))));
     });
  fn("refdrv_free", {D}, V,
     "the object's owner releases it: lock the page, unmark it, drop the driver's reference "
     "(the page may be isolated)",
     [](const Call& c) {
       refdrv_free(c.object<refdrv>(0));
       return int64_t{0};
     });
  fn("refdrv_read", {D}, I, "reads the object under its page lock (a lock_page user); -1 if none",
     [](const Call& c) { return int64_t{refdrv_read(c.object<refdrv>(0))}; });
  fn("refdrv_inject_eagain", {D, I}, V,
     "setup: the driver's migratepage returns -EAGAIN the next n times", [](const Call& c) {
       c.object<refdrv>(0)->eagain_budget.store(static_cast<int>(c.arg(1)));
       return int64_t{0};
     });
  fn("refdrv_inject_failure", {D}, V, "setup: the driver's migratepage fails permanently (-EBUSY)",
     [](const Call& c) {
       c.object<refdrv>(0)->fail_permanently.store(true);
       return int64_t{0};
     });
  fn("refdrv_object_page", {D}, P, "the page holding the object (driver lock held), NULL if none",
     [](const Call& c) {
       refdrv* d = c.object<refdrv>(0);
       d->lock.lock();
       page* p = d->handle.load();
       d->lock.unlock();
       return c.world.value_of(p, c);
     });
}

}  // namespace litmus
