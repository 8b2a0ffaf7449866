// Bindings of the zsmalloc model (protocol/zsmalloc.h): a pool with its configuration, handles,
// zs_malloc / zs_free / zs_map_object / zs_unmap_object (with the mapped object's words),
// zs_compact, zs_destroy_pool and the pool's free_work. Migration of zsmalloc pages goes through
// the protocol bindings (isolate_movable_page, list_add, migrate_pages, putback_movable_pages,
// compact_zone): the pool registers zsmalloc's movable_operations as protocol/zsmalloc.cc does.
//
// Handles are values: zs_malloc returns one into a register (a small number naming the
// handle, stable across executions), and a `struct zs_handle h;` declared in the initial state
// is a handle variable that zs_malloc_into / zs_malloc_write fill (usable in setup calls).
// Every function taking a handle accepts either.
//
// At the end: the worker thread, if any, is stopped
// and joined; if no thread destroyed the pool, pending free_work runs, zs_check_pool_peek
// checks the pool against the objects still allocated, each object holds the last value written
// to its word 0, and the teardown (zs_free of every object, free_work, zs_destroy_pool) must give
// every page back to the allocator.
#include "protocol/zsmalloc.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checker/mc.h"
#include "litmus/bindings.h"
#include "litmus/bindings/kinds.h"
#include "litmus/bindings/zone.h"
#include "protocol/end_state.h"

namespace litmus {

namespace {

using namespace proto;

constexpr const char* kPool = "struct zs_pool";
constexpr const char* kHandleType = "struct zs_handle";
// A handle returned into a register is kHandleBase + its number (1, 2, ... in the order of
// allocation): unlike the model's handle (an address), stable across executions.
constexpr int64_t kHandleBase = int64_t{1} << 24;

// The handles issued in this execution (by number) and what the end-state check needs.
struct Handles {
  std::vector<unsigned long> issued;  // number n is issued[n - 1]
  struct Info {
    int size = 1;          // payload units asked of zs_malloc
    bool live = true;      // not yet passed to zs_free
    bool written = false;  // word 0 written through zs_obj_write / zs_malloc_write
    long value = 0;        // the last value written to word 0
  };
  std::map<unsigned long, Info> info;
};

Handles& handles(World& w) {
  if (void* h = w.singleton("zs_handles")) return *static_cast<Handles*>(h);
  Handles* h = w.keep(std::make_unique<Handles>());
  w.set_singleton("zs_handles", h);
  return *h;
}

// A declared `struct zs_handle h;`: the handle zs_malloc_into / zs_malloc_write stored.
struct HandleVar {
  unsigned long handle = 0;
};

// A declared `struct zs_pool pool = ...;`.
struct Pool {
  zs_pool* pool = nullptr;
  zs_wq* wq = nullptr;  // with a worker thread: system_wq, outliving the pool
  mc::thread worker;
  bool kworker = false;
  bool destroyed = false;  // a thread called zs_destroy_pool
  // What each thread has mapped: zs_map_object's payload pointer, until zs_unmap_object (or
  // zs_obj_read_begin's, until zs_obj_read_end: read_only).
  struct Mapping {
    mc::plain<unsigned long>* payload = nullptr;
    bool read_only = false;
  };
  std::map<std::pair<int, unsigned long>, Mapping> mapped;
  // zs_obj_read_begin's local_copy, one per thread.
  struct LocalCopy {
    mc::plain<unsigned long> word[kZsUnits];
  };
  std::map<int, std::unique_ptr<LocalCopy>> local_copy;
};

int self() { return mc::Execution::current() ? mc::Execution::current()->self() : -1; }

// The handle argument `i`: a declared handle variable (which must hold one) or a number from
// zs_malloc. NULL (0) only where `null_ok` (zs_free(pool, 0) is a no-op in the kernel).
unsigned long handle_arg(const Call& c, size_t i, bool null_ok = false) {
  const int64_t v = c.arg(i);
  const std::string which = "argument " + std::to_string(i + 1);
  if (v == 0) {
    if (null_ok) return 0;
    c.fail(which + " is a NULL handle");
  }
  if (void* o = c.world.find(v, kHandleKind)) {
    const unsigned long h = static_cast<HandleVar*>(o)->handle;
    if (!h) c.fail(which + " is a handle variable that holds no handle yet");
    return h;
  }
  const Handles& hs = handles(c.world);
  if (v > kHandleBase && v - kHandleBase <= static_cast<int64_t>(hs.issued.size()))
    return hs.issued[static_cast<size_t>(v - kHandleBase - 1)];
  c.fail(which + " (value " + std::to_string(v) + ") is not a zsmalloc handle");
}

HandleVar& handle_var(const Call& c, size_t i) {
  void* o = c.world.find(c.arg(i), kHandleKind);
  if (!o)
    c.fail("argument " + std::to_string(i + 1) +
           " must be a handle variable declared in the initial state (struct zs_handle NAME;)");
  return *static_cast<HandleVar*>(o);
}

// zs_malloc through the binding: records the handle; 0 on failure.
unsigned long do_malloc(const Call& c, Pool& p, int size) {
  if (size < 1) c.fail("size " + std::to_string(size) + ": at least 1 payload unit");
  const unsigned long h = zs_malloc(p.pool, size);
  if (h) {
    Handles& hs = handles(c.world);
    hs.issued.push_back(h);
    hs.info[h] = Handles::Info{size, true, false, 0};
  }
  return h;
}

int64_t number_of(const World& w, unsigned long h) {
  const Handles& hs = *static_cast<const Handles*>(w.singleton("zs_handles"));
  for (size_t n = 0; n < hs.issued.size(); ++n)
    if (hs.issued[n] == h) return kHandleBase + static_cast<int64_t>(n) + 1;
  return 0;
}

mc::plain<unsigned long>* mapped_word(const Call& c, Pool& p, unsigned long h, size_t word_arg,
                                      bool write) {
  auto it = p.mapped.find({self(), h});
  if (it == p.mapped.end() || !it->second.payload)
    c.fail(std::string("the object is not mapped by this thread (") +
           (zs_has_map_object() ? "zs_map_object" : "zs_obj_read_begin") + " first)");
  if (write && it->second.read_only)
    c.fail("zs_obj_read_begin maps the object for reading (zs_obj_write writes it)");
  const int64_t word = c.arg(word_arg);
  const int size = handles(c.world).info[h].size;
  if (word < 0 || word >= size)
    c.fail("word " + std::to_string(word) + " is outside the object (" + std::to_string(size) +
           " payload unit(s))");
  return it->second.payload + word;
}

// A kernel function of another version: refused (c.fail names the function).
void require(const Call& c, bool present, const char* since_or_until) {
  if (!present) c.fail(since_or_until);
}
constexpr const char* kMapRemoved =
    "removed in 6.15 (07864f1a57fb): from 6.15 (modelled from 6.17) a user reads an object "
    "with zs_obj_read_begin / zs_obj_read_end and writes it with zs_obj_write";
constexpr const char* kObjApiFrom =
    "added in 6.15 (44f76413496e; modelled from 6.17): before, a user maps the object with "
    "zs_map_object / zs_unmap_object";

// Pool geometry from the declaration: `ZS_POOL(size, pages[, size2, pages2])`, sizes in units
// of the model's page (kZsUnits words) including the handle's head word.
std::string check_pool_macro(const InitValue& v) {
  const std::string forms =
      "ZS_POOL(size, pages_per_zspage[, size2, pages_per_zspage2]) or ZS_POOL_KWORKER(...)";
  if (v.macro != "ZS_POOL" && v.macro != "ZS_POOL_KWORKER") return "expected " + forms;
  if (v.args.size() != 2 && v.args.size() != 2 * static_cast<size_t>(kZsMaxClasses))
    return v.macro + " takes 2 or 4 arguments (size and pages per zspage of each class), given " +
           std::to_string(v.args.size());
  for (size_t i = 0; i < v.args.size(); i += 2) {
    const int64_t size = v.args[i], pages = v.args[i + 1];
    if (pages < 1 || pages > kZsMaxPagesPerZspage)
      return "pages per zspage " + std::to_string(pages) + ": expected 1.." +
             std::to_string(kZsMaxPagesPerZspage);
    if (size < 2 || size > pages * kZsUnits)
      return "object size " + std::to_string(size) + ": expected 2.." +
             std::to_string(pages * kZsUnits) + " units (the head word included; a page holds " +
             std::to_string(kZsUnits) + ")";
    if (i > 0 && size <= v.args[i - 2]) return "class sizes must grow (zs_malloc takes the first)";
  }
  return "";
}

void check_pool_end(World& w, void* obj) {
  Pool& p = *static_cast<Pool*>(obj);
  if (p.kworker) {
    zs_work_stop(p.wq);
    p.worker.join();
  }
  if (!p.destroyed) {
    zs_run_pending_work(p.pool);
    Handles& hs = handles(w);
    int live = 0;
    for (const auto& [h, info] : hs.info) live += info.live;
    zs_check_pool_peek(p.pool, live);
    for (const auto& [h, info] : hs.info) {
      if (!info.live || !info.written) continue;
      const long got = zs_obj_value_peek(p.pool, h);
      if (got != info.value)
        end_violation("the object of handle " + std::to_string(number_of(w, h)) + " holds " +
                      std::to_string(got) + ", expected " + std::to_string(info.value));
    }
    for (auto& [h, info] : hs.info)
      if (info.live) {
        info.live = false;
        zs_free(p.pool, h);
      }
    zs_run_pending_work(p.pool);
    zs_destroy_pool(p.pool);
  }
  if (p.kworker) mc::free(p.wq);
  // Every page the pool held is free now: check_zone_end reports one that is not.
}

}  // namespace

void add_zsmalloc_bindings(Bindings& bn) {
  bn.add_finding_kinds({"BUG_ON", "VM_BUG_ON", "NULL pointer dereference", "bad page access",
                        "list_del corruption", "stale object location", "end state"});
  ObjectType pool_type;
  pool_type.type = kPool;
  pool_type.kind = kPoolKind;
  pool_type.subsystem = "zsmalloc";
  pool_type.summary =
      "zs_create_pool: size classes by (object size in units of a 4-word page, the head word "
      "included; pages per zspage), default one class ZS_POOL(2, 1); free_work runs when a "
      "thread calls zs_run_pending_work and at the latest when zs_destroy_pool flushes it, or, "
      "with ZS_POOL_KWORKER, in a kworker thread started after the setup and stopped at the "
      "end; at the end the pool must hold exactly the "
      "objects not freed, with their values, and give every page back when torn down";
  pool_type.max_count = 1;
  pool_type.initialisers = {"ZS_POOL_KWORKER", "ZS_POOL(size, pages[, size2, pages2])",
                            "ZS_POOL_KWORKER(size, pages[, size2, pages2])"};
  pool_type.check_macro = check_pool_macro;
  pool_type.create = [](World& w, const ObjectDecl& d) -> void* {
    zone(w);
    auto p = std::make_unique<Pool>();
    zs_pool_config cfg;
    const InitValue& v = d.value;
    p->kworker = v.macro == "ZS_POOL_KWORKER" || v.symbol == "ZS_POOL_KWORKER";
    if (v.kind == InitValue::Kind::kMacro) {
      cfg.nr_classes = static_cast<int>(v.args.size() / 2);
      for (int i = 0; i < cfg.nr_classes; ++i) {
        cfg.size[i] = static_cast<int>(v.args[2 * i]);
        cfg.pages_per_zspage[i] = static_cast<int>(v.args[2 * i + 1]);
      }
    }
    if (p->kworker) {
      p->wq = mc::make_named<zs_wq>("system_wq", std::source_location::current());
      cfg.wq = p->wq;
    }
    p->pool = zs_create_pool(d.name.c_str(), cfg);
    return w.keep(std::move(p));
  };
  pool_type.start = [](World&, void* obj) {
    Pool* p = static_cast<Pool*>(obj);
    if (p->kworker) p->worker = mc::spawn([p] { zs_kworker(p->wq); });
  };
  pool_type.check_end = check_pool_end;
  bn.add(std::move(pool_type));

  ObjectType handle_type;
  handle_type.type = kHandleType;
  handle_type.kind = kHandleKind;
  handle_type.subsystem = "zsmalloc";
  handle_type.summary =
      "a handle variable (unsigned long in the kernel), empty until zs_malloc_into or "
      "zs_malloc_write stores a handle in it; functions taking a handle take it or a handle "
      "zs_malloc returned";
  handle_type.create = [](World& w, const ObjectDecl&) -> void* {
    handles(w);
    return w.keep(std::make_unique<HandleVar>());
  };
  bn.add(std::move(handle_type));

  const SubsystemFunctions fn(bn, "zsmalloc");
  const ArgKind Z = kPoolKind, H = kHandleKind, I = ArgKind::kInt, V = ArgKind::kVoid,
                P = kPageKind;
  auto pool = [](const Call& c) -> Pool& { return *c.object<Pool>(0); };

  fn("zs_malloc", {Z, I}, H,
     "allocates an object of `size` payload units (class->lock, a new zspage if none has room); "
     "the handle, 0 on failure",
     [pool](const Call& c) -> int64_t {
       const unsigned long h = do_malloc(c, pool(c), static_cast<int>(c.arg(1)));
       return h ? number_of(c.world, h) : 0;
     });
  fn("zs_malloc_into", {Z, H, I}, I,
     "zs_malloc(pool, size) stored in the handle variable h; 1 on success", [pool](const Call& c) {
       HandleVar& v = handle_var(c, 1);
       v.handle = do_malloc(c, pool(c), static_cast<int>(c.arg(2)));
       return b(v.handle != 0);
     });
  fn("zs_malloc_write", {Z, H, I}, I,
     "zs_malloc(pool, 1) into the handle variable h, then payload word 0 = value (zs_map_object "
     "ZS_MM_WO and zs_unmap_object; 6.15+: zs_obj_write); 1 on success",
     [pool](const Call& c) {
       Pool& p = pool(c);
       HandleVar& v = handle_var(c, 1);
       // The handle this call allocated: another thread may store into the variable meanwhile.
       const unsigned long handle = do_malloc(c, p, 1);
       v.handle = handle;
       if (!handle) return int64_t{0};
       if (zs_has_obj_api()) {
         const unsigned long value = static_cast<unsigned long>(c.arg(2));
         zs_obj_write(p.pool, handle, &value, 1);
         Handles::Info& info = handles(c.world).info[handle];
         info.written = true;
         info.value = static_cast<long>(c.arg(2));
         return int64_t{1};
       }
       mc::plain<unsigned long>* obj = zs_map_object(p.pool, handle, ZS_MM_WO);
       if (obj) {
         obj->store(static_cast<unsigned long>(c.arg(2)));
         Handles::Info& info = handles(c.world).info[handle];
         info.written = true;
         info.value = static_cast<long>(c.arg(2));
       }
       zs_unmap_object(p.pool, handle);
       return int64_t{1};
     });
  fn("zs_free", {Z, H}, V,
     "frees the object (4.8-5.16: pin_tag; 5.17+: pool->migrate_lock), and its zspage if it "
     "became empty (deferred while isolated)",
     [pool](const Call& c) {
       const unsigned long h = handle_arg(c, 1, true);
       if (h) handles(c.world).info[h].live = false;
       zs_free(pool(c).pool, h);
       return int64_t{0};
     });
  fn("zs_map_object", {Z, H, I}, I,
     "maps the object (mode 0 ZS_MM_RW, 1 ZS_MM_RO, 2 ZS_MM_WO; 4.8-5.16 pins the handle) for "
     "zs_mapped_read/zs_mapped_write until zs_unmap_object; preemption off meanwhile; 1 if "
     "mapped (up to 6.14)",
     [pool](const Call& c) {
       require(c, zs_has_map_object(), kMapRemoved);
       Pool& p = pool(c);
       const unsigned long h = handle_arg(c, 1);
       const int64_t mode = c.arg(2);
       if (mode < 0 || mode > 2) c.fail("mode " + std::to_string(mode) + ": expected 0, 1 or 2");
       if (p.mapped.count({self(), h})) c.fail("the object is already mapped by this thread");
       mc::plain<unsigned long>* obj = zs_map_object(p.pool, h, static_cast<zs_mapmode>(mode));
       p.mapped[{self(), h}] = {obj, false};
       return b(obj != nullptr);
     });
  fn("zs_unmap_object", {Z, H}, V,
     "unmaps the object (copies a straddling object back; unpins the handle in 4.8-5.16; up to "
     "6.14)",
     [pool](const Call& c) {
       require(c, zs_has_map_object(), kMapRemoved);
       Pool& p = pool(c);
       const unsigned long h = handle_arg(c, 1);
       auto it = p.mapped.find({self(), h});
       if (it == p.mapped.end() || it->second.read_only)
         c.fail("the object is not mapped by this thread (zs_map_object)");
       p.mapped.erase(it);
       zs_unmap_object(p.pool, h);
       return int64_t{0};
     });
  fn("zs_obj_read_begin", {Z, H}, I,
     "maps the object for reading with zs_mapped_read until zs_obj_read_end, its zspage "
     "read-locked (the section may sleep; migration of the zspage fails meanwhile); 1 if mapped "
     "(6.15+)",
     [pool](const Call& c) {
       require(c, zs_has_obj_api(), kObjApiFrom);
       Pool& p = pool(c);
       const unsigned long h = handle_arg(c, 1);
       if (p.mapped.count({self(), h})) c.fail("the object is already mapped by this thread");
       auto& local = p.local_copy[self()];
       if (!local) local = std::make_unique<Pool::LocalCopy>();
       mc::plain<unsigned long>* obj = zs_obj_read_begin(p.pool, h, local->word);
       p.mapped[{self(), h}] = {obj, true};
       return b(obj != nullptr);
     });
  fn("zs_obj_read_end", {Z, H}, V, "ends the read of zs_obj_read_begin (6.15+)",
     [pool](const Call& c) {
       require(c, zs_has_obj_api(), kObjApiFrom);
       Pool& p = pool(c);
       const unsigned long h = handle_arg(c, 1);
       auto it = p.mapped.find({self(), h});
       if (it == p.mapped.end() || !it->second.read_only)
         c.fail("the object is not being read by this thread (zs_obj_read_begin)");
       p.mapped.erase(it);
       zs_obj_read_end(p.pool, h);
       return int64_t{0};
     });
  fn("zs_obj_write", {Z, H, I}, V,
     "writes value as the object's payload word 0 under its zspage's read lock (6.15+)",
     [pool](const Call& c) {
       require(c, zs_has_obj_api(), kObjApiFrom);
       Pool& p = pool(c);
       const unsigned long h = handle_arg(c, 1);
       const unsigned long value = static_cast<unsigned long>(c.arg(2));
       zs_obj_write(p.pool, h, &value, 1);
       Handles::Info& info = handles(c.world).info[h];
       info.written = true;
       info.value = static_cast<long>(value);
       return int64_t{0};
     });
  fn("zs_mapped_read", {Z, H, I}, I,
     "payload word i of the object this thread mapped (zs_map_object or zs_obj_read_begin)",
     [pool](const Call& c) {
       Pool& p = pool(c);
       const unsigned long h = handle_arg(c, 1);
       return static_cast<int64_t>(mapped_word(c, p, h, 2, false)->load());
     });
  fn("zs_mapped_write", {Z, H, I, I}, V,
     "writes payload word i of the object this thread mapped with zs_map_object",
     [pool](const Call& c) {
       Pool& p = pool(c);
       const unsigned long h = handle_arg(c, 1);
       mapped_word(c, p, h, 2, true)->store(static_cast<unsigned long>(c.arg(3)));
       if (c.arg(2) == 0) {
         Handles::Info& info = handles(c.world).info[h];
         info.written = true;
         info.value = static_cast<long>(c.arg(3));
       }
       return int64_t{0};
     });
  fn("zs_compact", {Z}, I,
     "moves objects from sparse zspages into fuller ones, class by class; the pages freed",
     [pool](const Call& c) { return static_cast<int64_t>(zs_compact(pool(c).pool)); });
  fn("zs_destroy_pool", {Z}, V,
     "unregisters migration (5.3-5.16 waits for isolated zspages), frees the classes and the "
     "pool; the end state then only asks that every page is free",
     [pool](const Call& c) {
       Pool& p = pool(c);
       p.destroyed = true;
       zs_destroy_pool(p.pool);
       return int64_t{0};
     });
  fn("zs_run_pending_work", {Z}, V,
     "runs the pool's pending free_work (async_free_zspage) in the calling thread, if queued",
     [pool](const Call& c) {
       zs_run_pending_work(pool(c).pool);
       return int64_t{0};
     });
  fn("zs_handle_page", {Z, H}, P,
     "the page holding the object's first word (no events: for conditions and checks)",
     [](const Call& c) {
       c.object<Pool>(0);
       return c.world.value_of(zs_handle_page_peek(handle_arg(c, 1)), c);
     });

  // ---- internal paths, on their own ----
  // The context a caller of each normally provides is checked first (without events): what
  // is missing is a "litmus" finding naming the call.
  auto locked = [](const page* p) { return (p->flags.peek() & bit(PG_locked)) != 0; };
  auto isolated = [](const page* p) { return (p->flags.peek() & bit(PG_isolated)) != 0; };
  auto zspage_of = [](const Call& c, size_t i) {
    page* p = c.object<page>(i);
    if (!p->private_.peek())
      c.fail("pfn " + std::to_string(p->pfn) + " is not a zsmalloc page (page->private is 0)");
    return p;
  };
  fn("zs_page_isolate", {P}, I,
     "the isolate_page callback; needs the page locked, as isolate_movable_page holds it; 1 if "
     "isolated",
     [locked, zspage_of](const Call& c) {
       page* p = zspage_of(c, 0);
       if (!locked(p))
         c.fail(
             "needs the page locked (isolate_movable_page holds the lock): "
             "call trylock_page or lock_page first");
       return b(zs_page_isolate(p, isolate_mode_t{}));
     });
  fn("zs_page_migrate", {P, P}, I,
     "the migratepage callback (newpage, page); needs both pages locked and page isolated, as "
     "move_to_new_page provides; 0 (MIGRATEPAGE_SUCCESS) or -EAGAIN",
     [locked, isolated, zspage_of](const Call& c) {
       page* newpage = c.object<page>(0);
       page* p = zspage_of(c, 1);
       if (!locked(p) || !locked(newpage))
         c.fail(
             "needs both pages locked (migrate_pages holds them): lock page "
             "and newpage first");
       if (!isolated(p)) c.fail("needs the page isolated (zs_page_isolate returned 1 for it)");
       if (newpage->_refcount.peek() == 0)
         c.fail("needs newpage allocated (the core takes it from the allocator: alloc_page)");
       return static_cast<int64_t>(zs_page_migrate(nullptr, newpage, p, migrate_mode{}));
     });
  fn("zs_page_putback", {P}, V,
     "the putback_page callback; needs the page locked and isolated, as putback_movable_page "
     "provides",
     [locked, isolated, zspage_of](const Call& c) {
       page* p = zspage_of(c, 0);
       if (!locked(p) || !isolated(p))
         c.fail(
             "needs the page locked and isolated (putback_movable_page "
             "holds the lock of a page zs_page_isolate isolated)");
       zs_page_putback(p);
       return int64_t{0};
     });
  fn("async_free_zspage", {Z}, V,
     "the free_work function, run here whether or not work was queued: frees the empty "
     "zspages of every class, locking each with lock_zspage",
     [pool](const Call& c) {
       async_free_zspage(pool(c).pool);
       return int64_t{0};
     });
  fn("lock_zspage", {Z, P}, V,
     "locks every page of the page's zspage, sleeping on each (5.19+: under the zspage read "
     "lock, re-reading the chain); the caller unlocks them",
     [pool, zspage_of](const Call& c) {
       lock_zspage(pool(c).pool, get_zspage(zspage_of(c, 1)));
       return int64_t{0};
     });
  fn("free_zspage", {Z, P}, V,
     "frees the page's zspage, which must be empty and on its class list, if every page can be "
     "trylocked, else queues free_work; runs under the class lock, which the binding takes as "
     "zs_free does",
     [pool, zspage_of](const Call& c) {
       zs_pool* zp = pool(c).pool;
       zspage* z = get_zspage(zspage_of(c, 1));
       size_class* cls = zspage_class(zp, z);
       cls->lock.lock();
       free_zspage(zp, cls, z);
       cls->lock.unlock();
       return int64_t{0};
     });
  fn("zs_pool_dec_isolated", {Z}, V,
     "5.3-5.16: one isolated zspage fewer, waking zs_destroy_pool's wait at the last; a "
     "finding at other versions, which have no such function",
     [pool](const Call& c) {
       if (!zs_has_isolated_accounting())
         c.fail(
             "exists from 5.3 (701d678599d0) to 5.16 (removed by "
             "c4549b871102 in 5.17); this run's kernel has none");
       zs_pool_dec_isolated(pool(c).pool);
       return int64_t{0};
     });
  fn("zs_unregister_migration", {Z}, V,
     "the migration part of zs_destroy_pool: 5.3-5.16 waits until no zspage is isolated, then "
     "flush_work(free_work)",
     [pool](const Call& c) {
       zs_unregister_migration(pool(c).pool);
       return int64_t{0};
     });
}

}  // namespace litmus
