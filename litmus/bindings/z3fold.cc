// Bindings of the z3fold model (protocol/z3fold.h): a pool, handle variables, z3fold_alloc /
// z3fold_free / z3fold_map / z3fold_unmap with the mapped object's value, the pool's two
// workqueues run by a thread when it calls for them, and z3fold_destroy_pool. Migration of
// z3fold pages goes through the protocol bindings (isolate_movable_page, list_add,
// migrate_pages, putback_movable_pages, compact_zone).
//
// At the end, if no thread destroyed the pool: the pending works run, the pool is checked
// against the objects still allocated (each holding the last value written to it), then torn
// down (z3fold_free of every object, the works, z3fold_destroy_pool), which must give every
// page back and leave no handle slots behind.
#include "protocol/z3fold.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "checker/mc.h"
#include "litmus/bindings.h"
#include "litmus/bindings/kinds.h"
#include "litmus/bindings/zone.h"
#include "protocol/end_state.h"
#include "protocol/version.h"
#include "protocol/zswap.h"

namespace litmus {

namespace {

using namespace proto;

struct HandleVar {
  unsigned long handle = 0;
  int chunks = 0;
  bool live = false;
  bool written = false;
  long value = 0;
  // zswap_store's: the entry's swap offset (0: not zswap's) and whether zswap_invalidate ran.
  long offset = 0;
  bool invalidated = false;
};

struct Pool {
  z3fold_pool* pool = nullptr;
  std::unique_ptr<zswap_tree> tree;  // the pool's user, zswap (its evict: the writeback)
  bool destroyed = false;
  std::vector<HandleVar*> handles;  // the file's handle variables
  // What each thread has mapped (z3fold_map's address), until z3fold_unmap.
  std::map<std::pair<int, unsigned long>, mc::plain<long>*> mapped;
};

int self() { return mc::Execution::current() ? mc::Execution::current()->self() : -1; }

Pool& pool_arg(const Call& c) {
  if (!z3fold_modelled())
    c.fail(kcfg().at_least(Kernel::v5_3)
               ? "z3fold was removed in 6.15 (58ba73e521b3): expected kernel=5.3..6.14"
               : "z3fold's pages are movable from 5.2 (1f862989b04a), the model has it from "
                 "5.3: expected kernel=5.3..6.14");
  return *c.object<Pool>(0);
}

HandleVar& handle_var(const Call& c, size_t i) {
  void* o = c.world.find(c.arg(i), kZ3HandleKind);
  if (!o)
    c.fail("argument " + std::to_string(i + 1) +
           " must be a handle variable declared in the initial state (struct z3fold_handle NAME;)");
  return *static_cast<HandleVar*>(o);
}

unsigned long live_handle(const Call& c, size_t i) {
  HandleVar& v = handle_var(c, i);
  if (!v.handle)
    c.fail("argument " + std::to_string(i + 1) + " holds no handle yet (z3fold_alloc first)");
  return v.handle;
}

mc::plain<long>* mapped_of(const Call& c, Pool& p, unsigned long h) {
  auto it = p.mapped.find({self(), h});
  if (it == p.mapped.end() || !it->second)
    c.fail("the object is not mapped by this thread (z3fold_map first)");
  return it->second;
}

void check_chunks(const Call& c, int64_t chunks) {
  if (chunks < 1 || chunks > kZ3MaxChunks)
    c.fail("size " + std::to_string(chunks) + " chunks: the model takes 1.." +
           std::to_string(kZ3MaxChunks) + " (a page is " + std::to_string(kZ3Chunks) +
           " chunks, the header one; larger objects take HEADLESS pages, not modelled)");
}

int64_t do_alloc(const Call& c, Pool& p, HandleVar& v, int64_t chunks) {
  check_chunks(c, chunks);
  const unsigned long h = z3fold_alloc(p.pool, static_cast<int>(chunks));
  if (!h) return -ENOMEM;
  v.handle = h;
  v.chunks = static_cast<int>(chunks);
  v.live = true;
  v.written = false;
  return 0;
}

// The pool's works until none is left (compaction may release pages, releasing queues none).
void run_works(z3fold_pool* pool) {
  for (int round = 0; round < 4; ++round) {
    run_pending_works(pool->compact_wq);
    run_pending_works(pool->release_wq);
  }
}

// A zswap object is live while its entry has not been freed (by zswap_invalidate or by a
// writeback); the entry must be in the tree with its creation reference only, or freed.
void check_zswap_end(Pool& p) {
  for (HandleVar* v : p.handles) {
    if (!v->offset) continue;
    zswap_entry* e = zswap_entry_peek(p.tree.get(), v->offset);
    v->live = !e->freed;
    if (e->in_tree.peek() && e->refcount.peek() != 1)
      end_violation("zswap entry " + std::to_string(v->offset) + " in the tree with refcount " +
                    std::to_string(e->refcount.peek()) + ", expected 1");
    if (!e->in_tree.peek() && !e->freed)
      end_violation("zswap entry " + std::to_string(v->offset) +
                    " left the tree but was not freed (refcount " +
                    std::to_string(e->refcount.peek()) + ")");
  }
}

void check_pool_end(World&, void* obj) {
  Pool& p = *static_cast<Pool*>(obj);
  if (p.destroyed) return;
  run_works(p.pool);
  check_zswap_end(p);
  int live = 0;
  for (HandleVar* v : p.handles) live += v->live;
  z3fold_check_pool_peek(p.pool, live);
  for (size_t n = 0; n < p.handles.size(); ++n) {
    HandleVar* v = p.handles[n];
    if (!v->live || !v->written) continue;
    const long got = z3fold_obj_value_peek(v->handle);
    if (got != v->value)
      end_violation("the object of handle variable " + std::to_string(n + 1) + " holds " +
                    std::to_string(got) + ", expected " + std::to_string(v->value));
  }
  for (HandleVar* v : p.handles)
    if (v->live) {
      v->live = false;
      if (v->offset)
        zswap_frontswap_invalidate_page(p.tree.get(), v->offset);
      else
        z3fold_free(p.pool, v->handle);
    }
  run_works(p.pool);
  z3fold_destroy_pool(p.pool);
  // Every page the pool held is free now: check_zone_end reports one that is not, and the
  // model's heap a handle slots structure nobody freed.
}

}  // namespace

void add_z3fold_bindings(Bindings& bn) {
  bn.add_finding_kinds({"WARN_ON", "BUG_ON", "VM_BUG_ON", "kmem_cache_destroy",
                        "stale PAGE_CLAIMED", "NULL pointer dereference", "bad page access",
                        "end state"});
  ObjectType pool_type;
  pool_type.type = "struct z3fold_pool";
  pool_type.kind = kZ3PoolKind;
  pool_type.subsystem = "z3fold";
  pool_type.summary =
      "z3fold_create_pool: pages of 8 chunks (the header in the first), one CPU; the compaction "
      "and release workqueues run when a thread calls z3fold_compact_work / z3fold_release_work "
      "(destroy drains them); at the end the pool must hold exactly the objects not freed, with "
      "their values, and give every page and handle slot back when torn down";
  pool_type.max_count = 1;
  pool_type.create = [](World& w, const ObjectDecl& d) -> void* {
    zone(w);
    auto p = std::make_unique<Pool>();
    if (z3fold_modelled()) {
      p->pool = z3fold_create_pool(d.name.c_str());
      p->tree = zswap_pool_create(p->pool);  // z3fold's user: zswap
    }
    return w.keep(std::move(p));
  };
  pool_type.check_end = [](World& w, void* obj) {
    if (static_cast<Pool*>(obj)->pool) check_pool_end(w, obj);
  };
  bn.add(std::move(pool_type));

  ObjectType handle_type;
  handle_type.type = "struct z3fold_handle";
  handle_type.kind = kZ3HandleKind;
  handle_type.subsystem = "z3fold";
  handle_type.summary =
      "a handle variable (unsigned long in the kernel), empty until z3fold_alloc stores a "
      "handle in it";
  handle_type.create = [](World& w, const ObjectDecl&) -> void* {
    return w.keep(std::make_unique<HandleVar>());
  };
  bn.add(std::move(handle_type));

  const SubsystemFunctions fn(bn, "z3fold");
  const ArgKind Z = kZ3PoolKind, H = kZ3HandleKind, I = ArgKind::kInt, V = ArgKind::kVoid;
  auto track = [](const Call& c, Pool& p, size_t i) {
    HandleVar& v = handle_var(c, i);
    bool known = false;
    for (HandleVar* k : p.handles) known = known || k == &v;
    if (!known) p.handles.push_back(&v);
    return &v;
  };

  fn("z3fold_alloc", {Z, H, I}, I,
     "allocates an object of `chunks` chunks (1..6) as zswap does (no sleeping: a page from the "
     "unbuddied lists, else a new page, marked movable under trylock_page) into the handle "
     "variable h; 0, or -ENOMEM",
     [track](const Call& c) {
       Pool& p = pool_arg(c);
       return do_alloc(c, p, *track(c, p, 1), c.arg(2));
     });
  fn("z3fold_alloc_write", {Z, H, I, I}, I,
     "z3fold_alloc(pool, h, chunks), then the object's first word = value (z3fold_map, write, "
     "z3fold_unmap); 0, or -ENOMEM",
     [track](const Call& c) {
       Pool& p = pool_arg(c);
       HandleVar& v = *track(c, p, 1);
       const int64_t r = do_alloc(c, p, v, c.arg(2));
       if (r) return r;
       const unsigned long h = v.handle;
       if (mc::plain<long>* a = z3fold_map(p.pool, h)) {
         a->store(static_cast<long>(c.arg(3)));
         v.written = true;
         v.value = static_cast<long>(c.arg(3));
       }
       z3fold_unmap(p.pool, h);
       return int64_t{0};
     });
  fn("z3fold_free", {Z, H}, V,
     "frees the object (the page lock through the handle; the page's compaction queued, or "
     "the page released to the stale list when it became empty)",
     [](const Call& c) {
       Pool& p = pool_arg(c);
       HandleVar& v = handle_var(c, 1);
       const unsigned long h = live_handle(c, 1);
       if (v.offset) c.fail("argument 2: zswap stored this object: zswap_invalidate frees it");
       if (!v.live) c.fail("argument 2: the object was freed already");
       v.live = false;
       z3fold_free(p.pool, h);
       return int64_t{0};
     });
  fn("z3fold_map", {Z, H}, V,
     "maps the object (mapped_count + 1 under the page lock; a page with a mapped object is "
     "not isolated) until z3fold_unmap; z3fold_read / z3fold_write use the address",
     [](const Call& c) {
       Pool& p = pool_arg(c);
       const unsigned long h = live_handle(c, 1);
       p.mapped[{self(), h}] = z3fold_map(p.pool, h);
       return int64_t{0};
     });
  fn("z3fold_read", {Z, H}, I, "the mapped object's first word", [](const Call& c) {
    Pool& p = pool_arg(c);
    return int64_t{mapped_of(c, p, live_handle(c, 1))->load()};
  });
  fn("z3fold_write", {Z, H, I}, V, "writes the mapped object's first word", [](const Call& c) {
    Pool& p = pool_arg(c);
    HandleVar& v = handle_var(c, 1);
    mapped_of(c, p, live_handle(c, 1))->store(static_cast<long>(c.arg(2)));
    v.written = true;
    v.value = static_cast<long>(c.arg(2));
    return int64_t{0};
  });
  fn("z3fold_unmap", {Z, H}, V, "unmaps the object (mapped_count - 1 under the page lock)",
     [](const Call& c) {
       Pool& p = pool_arg(c);
       const unsigned long h = live_handle(c, 1);
       mapped_of(c, p, h);
       p.mapped.erase({self(), h});
       z3fold_unmap(p.pool, h);
       return int64_t{0};
     });
  fn("zswap_store", {Z, H, I}, I,
     "zswap_frontswap_store: an object of `chunks` chunks (1..6) allocated in the pool for a "
     "swapped-out page, its zswap header (the page's swap offset, one per handle variable) "
     "written, its entry inserted in zswap's tree; 0, or -ENOMEM",
     [track](const Call& c) {
       Pool& p = pool_arg(c);
       HandleVar& v = *track(c, p, 1);
       if (v.handle) c.fail("argument 2 holds an object already");
       const int64_t chunks = c.arg(2);
       check_chunks(c, chunks);
       // The swap offset: the handle variable's place among the pool's, from 1.
       const long offset =
           std::find(p.handles.begin(), p.handles.end(), &v) - p.handles.begin() + 1;
       const int r = zswap_frontswap_store(p.tree.get(), offset, static_cast<int>(chunks));
       if (r) return int64_t{r};
       v.handle = zswap_entry_peek(p.tree.get(), offset)->handle.peek();
       v.chunks = static_cast<int>(chunks);
       v.offset = offset;
       v.live = v.written = true;
       v.value = offset;
       return int64_t{0};
     });
  fn("zswap_invalidate", {Z, H}, V,
     "zswap_frontswap_invalidate_page: the entry erased from zswap's tree and its reference "
     "dropped (the object freed with the last one; nothing if a writeback took it already)",
     [](const Call& c) {
       Pool& p = pool_arg(c);
       HandleVar& v = handle_var(c, 1);
       if (!v.offset) c.fail("argument 2: not an object zswap_store stored");
       if (v.invalidated) c.fail("argument 2: invalidated already");
       v.invalidated = true;
       zswap_frontswap_invalidate_page(p.tree.get(), v.offset);
       return int64_t{0};
     });
  fn("z3fold_reclaim_page", {Z, I}, I,
     "z3fold_reclaim_page (until 6.5): up to `retries` pages from the tail of pool->lru, each "
     "claimed and its objects given to zswap's writeback (zswap_writeback_entry: the swap "
     "cache page new, there already, or not allocated, as the explorer chooses); 0 when a page "
     "was freed, -EAGAIN, or -EINVAL",
     [](const Call& c) {
       Pool& p = pool_arg(c);
       if (!kcfg().at_least(Kernel::v5_3) || kcfg().at_least(Kernel::v6_5))
         c.fail(
             "z3fold's reclaim is in 5.2-6.4 (e774a7bc7f0a removed it in 6.5): expected "
             "kernel=5.3..6.4");
       const int64_t retries = c.arg(1);
       if (retries < 0 || retries > 8) c.fail("retries: expected 0..8 (zswap's shrink asks 8)");
       return int64_t{z3fold_reclaim_page(p.pool, static_cast<unsigned>(retries))};
     });
  fn("z3fold_compact_work", {Z}, V,
     "runs the compaction works queued on pool->compact_wq now, in this thread (its kworker)",
     [](const Call& c) {
       run_pending_works(pool_arg(c).pool->compact_wq);
       return int64_t{0};
     });
  fn("z3fold_release_work", {Z}, V,
     "runs pool->work (free_pages_work) if queued on pool->release_wq, in this thread",
     [](const Call& c) {
       run_pending_works(pool_arg(c).pool->release_wq);
       return int64_t{0};
     });
  fn("z3fold_destroy_pool", {Z}, V,
     "destroys the pool (the handle cache, then compact_wq and release_wq drained and "
     "destroyed, then the pool freed); the kernel asks for an empty pool",
     [](const Call& c) {
       Pool& p = pool_arg(c);
       if (p.destroyed) c.fail("the pool was destroyed already");
       p.destroyed = true;
       z3fold_destroy_pool(p.pool);
       return int64_t{0};
     });
}

}  // namespace litmus
