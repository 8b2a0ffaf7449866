// The zsmalloc model. Written from mm/zsmalloc.c of 4.8 (48b4800a1c6a, "zsmalloc: page
// migration support") and the later commits gated below; each kernel function keeps its
// kernel name and says which version it follows. Simplifications: insert_zspage adds at the
// head of the list (the kernel orders by inuse, a performance choice); class statistics are
// the two counters zs_can_compact needs; kmap_atomic is the direct page memory.
#include "protocol/zsmalloc.h"

#include <string>

#include "protocol/page_lock.h"
#include "protocol/version.h"
#include "protocol/wait.h"

namespace proto {

namespace {

constexpr unsigned ZSPAGE_MAGIC = 0x58;

// ---- version gates ----
// 77ff465799c6 (4.14): zs_page_migrate migrates a zspage with no objects instead of -EBUSY.
bool migrate_empty_zspage() { return kcfg().at_least(Kernel::v4_14); }
// 1a87aa03597e (5.3): migration puts the zspage back with putback_zspage_deferred (frees it
// through free_work when it became empty).
bool putback_deferred() { return kcfg().at_least(Kernel::v5_3); }
// c4549b871102 + 7aa1068b711e... series (5.17): no zspage isolation from the class lists,
// pool->migrate_lock instead of the handle pin bit.
bool rework_517() { return kcfg().at_least(Kernel::v5_17); }
// 701d678599d0 (5.3): pool->isolated_pages and zs_destroy_pool waits for it to drain;
// removed with zspage isolation by c4549b871102 (5.17).
bool isolated_accounting() { return kcfg().at_least(Kernel::v5_3) && !rework_517(); }
// afe8605ca454 (5.16; often dated 5.15, where it was backported): smp_mb__after_atomic()
// between the decrement and the pool->destroying test in zs_pool_dec_isolated.
bool dec_isolated_barrier() { return kcfg().fixed(Fix::zs_dec_isolated_barrier); }
// 2505a981114d (5.19): lock_zspage under migrate_read_lock, re-reading the chain after each
// sleep. Merged for 5.19-rc1 (Linus's merge 77fb622de139 of mm-hotfixes-stable-2022-05-27,
// 27 May 2022, after 5.18's release on 22 May), so mainline 5.18 lacks it; the stable series
// took it in 5.18.2, 5.17.13, 5.15.45, 5.10.120, 5.4.197, 4.19.246 and 4.14.282.
bool lock_zspage_safe() { return kcfg().fixed(Fix::zs_lock_zspage_safe); }
// 68f2736a8583 (6.0): movable_operations; the pool comes from zspage->pool.
bool pool_from_zspage() { return kcfg().at_least(Kernel::v6_0); }
// 4b5d1e47b694 (6.5): zspage->isolated updated under the same lock as fullness.
bool isolated_under_pool_lock() { return kcfg().fixed(Fix::zs_isolated_under_lock); }
// 6.17 "mm/zsmalloc: stop using __ClearPageMovable()" (series 20250704102524): the callbacks
// check for a destroyed page; PG_movable_ops + PageZsmalloc instead of the mapping bit. By
// 6.17 zspage->isolated is gone (its zs_page_isolate just returns true before the change).
bool v617() { return kcfg().movable_ops_flag(); }
// e27af3f9360e "zsmalloc: sleepable zspage reader-lock" (6.15): zspage->zsl, whose readers may
// sleep and whose writers (migration, compaction) only trylock: zs_page_migrate returns
// -EINVAL while a reader holds the zspage, __zs_compact stops the class. With it in 6.15:
// 0d6fa44e4e25 renames pool->migrate_lock to pool->lock, 44f76413496e brings zs_obj_read_begin
// / zs_obj_read_end / zs_obj_write, 07864f1a57fb removes zs_map_object / zs_unmap_object and
// the per-CPU areas.
bool sleepable_zspage_lock() { return kcfg().at_least(Kernel::v6_15); }
// c0547d0b6a4b "zsmalloc: consolidate zs_pool's migrate_lock and size_class's locks" (6.2): one
// pool->lock spinlock where the pool's migrate_lock and the class locks were taken; 6.11
// ("mm/zsmalloc: change back to per-size_class lock", id not verified) restored them. Of the
// modelled versions, 6.5.
bool one_pool_lock() { return kcfg().at_least(Kernel::v6_5) && !kcfg().at_least(Kernel::v6_15); }
// 5a845e9f2d66 "zsmalloc: rework compaction algorithm" (6.4, with f7ddb6125683): __zs_compact
// takes a destination zspage first and keeps it (write-locked, the outer lock) while it drains
// source zspages into it (each write-locked nested), one loop while zs_can_compact; the locks
// are dropped only when the destination is full. d2658f2052c7 (6.4/6.5): one compaction of a
// pool at a time (pool->compaction_in_progress). Of the modelled versions, 6.5 and 6.17.
bool compact_dst_first() { return kcfg().at_least(Kernel::v6_5); }
// "mm/zsmalloc: remove migrate_write_lock_nested()" (6.9, id not verified): only the source is
// write-locked; and the 6.6 clean-up ("move migration destination zspage inuse check", id not
// verified): migrate_zspage stops after the object that filled the destination or emptied the
// source. Of the modelled versions, 6.15.
bool compact_src_lock_only() { return kcfg().at_least(Kernel::v6_15); }

// The class lock and the pool's lock of the running version.
void class_lock(zs_pool* pool, size_class* c, SL loc = SL::current()) {
  if (one_pool_lock())
    pool->lock.lock(loc);
  else
    c->lock.lock(loc);
}
void class_unlock(zs_pool* pool, size_class* c, SL loc = SL::current()) {
  if (one_pool_lock())
    pool->lock.unlock(loc);
  else
    c->lock.unlock(loc);
}
void pool_lock_read(zs_pool* pool, SL loc = SL::current()) {
  if (one_pool_lock())
    pool->lock.lock(loc);
  else
    pool->migrate_lock.read_lock(loc);
}
void pool_unlock_read(zs_pool* pool, SL loc = SL::current()) {
  if (one_pool_lock())
    pool->lock.unlock(loc);
  else
    pool->migrate_lock.read_unlock(loc);
}
void pool_lock_write(zs_pool* pool, SL loc = SL::current()) {
  if (one_pool_lock())
    pool->lock.lock(loc);
  else
    pool->migrate_lock.write_lock(loc);
}
void pool_unlock_write(zs_pool* pool, SL loc = SL::current()) {
  if (one_pool_lock())
    pool->lock.unlock(loc);
  else
    pool->migrate_lock.write_unlock(loc);
}
// The zspage's isolated count is gone: not in 6.14's tree, in 6.5's ("mm/zsmalloc: remove
// unused zspage->isolated", 6.9 by its title, id not verified). zs_page_isolate then only
// returns true and zs_page_putback only asserts. Of the modelled versions, 6.15.
bool has_isolated_field() { return !kcfg().at_least(Kernel::v6_15); }

void zs_bug(bool cond, const char* expr, SL loc = SL::current()) {
  if (cond) mc::violation("BUG_ON", std::string("kernel BUG: ") + expr, loc);
}
void null_deref(const char* what, SL loc = SL::current()) {
  mc::violation("NULL pointer dereference",
                std::string("BUG: kernel NULL pointer dereference in ") + what, loc);
}

// ---- the zspage word ----
enum : unsigned {
  FULLNESS_SHIFT = 0,
  FULLNESS_MASK = 0x3,
  CLASS_SHIFT = 2,
  CLASS_MASK = 0xff,
  ISOLATED_SHIFT = 10,
  ISOLATED_MASK = 0x7,
  MAGIC_SHIFT = 13,
  MAGIC_MASK = 0xff,
};
unsigned field(zspage* z, unsigned shift, unsigned mask) {
  return (z->bits.load_nonatomic() >> shift) & mask;
}
void set_field(zspage* z, unsigned shift, unsigned mask, unsigned v) {
  const unsigned w = z->bits.load_nonatomic();
  z->bits.store_nonatomic((w & ~(mask << shift)) | ((v & mask) << shift));
}

// ---- lists of zspages ----
void zlist_init(zs_link* h) {
  h->next.store(h);
  h->prev.store(h);
}
bool zlist_empty(zs_link* h) { return h->next.load() == h; }
void zlist_add(zs_link* e, zs_link* h) {
  zs_link* n = h->next.load();
  n->prev.store(e);
  e->next.store(n);
  e->prev.store(h);
  h->next.store(e);
}
void zlist_del_init(zs_link* e) {
  zs_link* n = e->next.load();
  zs_link* p = e->prev.load();
  if (!n || !p) {
    mc::violation("list_del corruption", "zspage->list is not on a list");
    return;
  }
  n->prev.store(p);
  p->next.store(n);
  zlist_init(e);
}
zspage* zlist_first(zs_link* h) {
  zs_link* n = h->next.load();
  return n == h ? nullptr : n->owner;
}

// ---- zspage fields (zsmalloc.c 4.8) ----
bool is_zspage_isolated(zspage* z) { return field(z, ISOLATED_SHIFT, ISOLATED_MASK); }
unsigned get_zspage_inuse(zspage* z) { return z->inuse.load(); }
void mod_zspage_inuse(zspage* z, int d) { z->inuse.store(z->inuse.load() + d); }
unsigned get_freeobj(zspage* z) { return z->freeobj.load(); }
void set_freeobj(zspage* z, unsigned o) { z->freeobj.store(o); }
void get_zspage_mapping(zspage* z, unsigned* class_idx, unsigned* fg) {
  const unsigned w = z->bits.load_nonatomic();
  *class_idx = (w >> CLASS_SHIFT) & CLASS_MASK;
  *fg = (w >> FULLNESS_SHIFT) & FULLNESS_MASK;
}
// set_zspage_mapping (4.8): fullness and class written by one read and one write of the word.
void set_zspage_mapping(zspage* z, unsigned class_idx, unsigned fg) {
  const unsigned w = z->bits.load_nonatomic();
  z->bits.store_nonatomic((w & ~((CLASS_MASK << CLASS_SHIFT) | (FULLNESS_MASK << FULLNESS_SHIFT))) |
                          ((class_idx & CLASS_MASK) << CLASS_SHIFT) |
                          ((fg & FULLNESS_MASK) << FULLNESS_SHIFT));
}
// inc/dec_zspage_isolation (4.8; VM_BUG_ON(isolated == 0) since c4549b871102).
void inc_zspage_isolation(zspage* z) {
  set_field(z, ISOLATED_SHIFT, ISOLATED_MASK, field(z, ISOLATED_SHIFT, ISOLATED_MASK) + 1);
}
void dec_zspage_isolation(zspage* z) {
  const unsigned iso = field(z, ISOLATED_SHIFT, ISOLATED_MASK);
  if (rework_517() && iso == 0)
    mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(zspage->isolated == 0)");
  set_field(z, ISOLATED_SHIFT, ISOLATED_MASK, iso - 1);
}

zs_page_ext& ext(zs_pool* pool, page* p) { return pool->ext[p->pfn]; }

}  // namespace

// get_zspage (4.8): page->private, with the magic check.
zspage* get_zspage(page* p) {
  zspage* z = reinterpret_cast<zspage*>(page_private(p));
  if (!z) {
    null_deref("get_zspage (page->private of a page zsmalloc released)");
    return nullptr;
  }
  zs_bug(((z->bits.peek() >> MAGIC_SHIFT) & MAGIC_MASK) != ZSPAGE_MAGIC,
         "BUG_ON(zspage->magic != ZSPAGE_MAGIC)");
  return z;
}

namespace {

page* get_first_page(zspage* z) {
  page* p = z->first_page.load();
  VM_BUG_ON_PAGE(!test_bit(PG_private, p), p, "!is_first_page(first_page)");
  return p;
}
bool PageHugeObject(page* p) { return test_bit(PG_owner_priv_1, p); }
// get_next_page (4.8): page->freelist, NULL for a huge object's page.
page* get_next_page(zs_pool* pool, page* p) {
  MC_FUNC("get_next_page");
  if (PageHugeObject(p)) return nullptr;
  return ext(pool, p).next.load();
}

}  // namespace

size_class* pool_class(zs_pool* pool, unsigned idx) { return pool->size_class_[idx].load(); }
// The class bits, like the magic, never change after the zspage is set up: the model reads
// them without an event, so that their byte-level overlap with concurrent fullness/isolated
// updates is not reported on every version. Updates of fullness/isolated, and reads of
// them, are the non-atomic word accesses.
unsigned zspage_class_idx(zspage* z) { return (z->bits.peek() >> CLASS_SHIFT) & CLASS_MASK; }
size_class* zspage_class(zs_pool* pool, zspage* z) { return pool_class(pool, zspage_class_idx(z)); }

namespace {

// ---- objects and handles ----
unsigned long location_to_obj(page* p, unsigned idx) {
  return ((static_cast<unsigned long>(p->pfn) << OBJ_INDEX_BITS) | (idx & OBJ_INDEX_MASK))
         << OBJ_TAG_BITS;
}
// obj_to_location (4.8)
void obj_to_location(unsigned long obj, page** p, unsigned* idx) {
  obj >>= OBJ_TAG_BITS;
  *p = Memory::current().pfn_to_page(static_cast<int>(obj >> OBJ_INDEX_BITS));
  *idx = obj & OBJ_INDEX_MASK;
}
zs_handle* H(unsigned long handle) { return reinterpret_cast<zs_handle*>(handle); }
// handle_to_obj: 4.8-5.16 the word is also a bit spinlock that other CPUs update atomically
// (and record_obj stores with WRITE_ONCE), 5.17+ a plain word under pool->migrate_lock.
unsigned long handle_to_obj(unsigned long handle) {
  if (rework_517()) return H(handle)->word.load_nonatomic();
  return H(handle)->word.load(kRelaxed);
}
int self_tid() { return mc::Execution::current() ? mc::Execution::current()->self() : -1; }
// The invariant the pin stands for (docs/protocol.md: handle locations stay valid while an
// object is mapped): nobody re-points a handle another thread has pinned.
void check_location_stable(unsigned long handle, SL loc = SL::current()) {
  zs_handle* h = reinterpret_cast<zs_handle*>(handle);
  if ((h->word.peek() & (1ul << HANDLE_PIN_BIT)) && h->pin_owner >= 0 && h->pin_owner != self_tid())
    mc::violation("stale object location",
                  "the object of a handle pinned by " + mc::thread_name(h->pin_owner) +
                      " (zs_map_object/zs_free) moves: its user keeps the old <page, obj_idx>",
                  loc);
}
void record_obj(unsigned long handle, unsigned long obj) {
  if (!rework_517()) check_location_stable(handle);
  if (rework_517())
    H(handle)->word.store_nonatomic(obj);  // 5.17: class->lock synchronizes
  else
    H(handle)->word.store(obj, std::memory_order_release);  // WRITE_ONCE, pin bit included
}
// pin_tag / trypin_tag / unpin_tag (4.8-5.16): bit_spin_lock on HANDLE_PIN_BIT.
bool trypin_tag(unsigned long handle) {
  MC_FUNC("trypin_tag");
  mc::preempt_disable();
  if (H(handle)->word.fetch_or(1ul << HANDLE_PIN_BIT, std::memory_order_acquire) &
      (1ul << HANDLE_PIN_BIT)) {
    mc::preempt_enable();
    return false;
  }
  H(handle)->pin_owner = self_tid();
  return true;
}
void pin_tag(unsigned long handle) {
  MC_FUNC("pin_tag");
  zs_handle* h = H(handle);
  mc::preempt_disable();
  while (h->word.fetch_or(1ul << HANDLE_PIN_BIT, std::memory_order_acquire) &
         (1ul << HANDLE_PIN_BIT)) {
    mc::preempt_enable();
    mc::await(h->word, [h] { return !(h->word.peek() & (1ul << HANDLE_PIN_BIT)); });
    mc::preempt_disable();
  }
  h->pin_owner = self_tid();
}
void unpin_tag(unsigned long handle) {
  MC_FUNC("unpin_tag");
  H(handle)->pin_owner = -1;
  H(handle)->word.fetch_and(~(1ul << HANDLE_PIN_BIT), std::memory_order_release);
  mc::preempt_enable();
}
bool testpin_tag(unsigned long handle) {
  return H(handle)->word.load(kRelaxed) & (1ul << HANDLE_PIN_BIT);
}

// The memory of page `p` as zsmalloc sees it (kmap_atomic).
zs_page_mem* kmap(zs_pool* pool, page* p) {
  zs_page_mem* m = ext(pool, p).mem;
  if (!m)
    mc::violation("bad page access",
                  "zsmalloc maps pfn " + std::to_string(p->pfn) + ", which it does not own");
  return m;
}

// Where object `idx` of a zspage starts: page number in the chain and offset.
void obj_pos(size_class* c, unsigned idx, int* nr_page, int* off) {
  const int start = static_cast<int>(idx) * c->size;
  *nr_page = start / kZsUnits;
  *off = start % kZsUnits;
}
page* nth_page(zs_pool* pool, zspage* z, int n) {
  page* p = get_first_page(z);
  for (int i = 0; i < n && p; ++i) p = get_next_page(pool, p);
  return p;
}
// The word `u` units into the object starting at `off` of page `p` (may be in the next page).
mc::plain<unsigned long>* obj_word(zs_pool* pool, page* p, int off, int u) {
  int at = off + u;
  while (at >= kZsUnits) {
    p = get_next_page(pool, p);
    zs_bug(!p, "BUG_ON(!pages[1])");
    if (!p) return nullptr;
    at -= kZsUnits;
  }
  zs_page_mem* m = kmap(pool, p);
  return m ? &m->unit[at] : nullptr;
}

// obj_to_head (4.8): a huge object's handle lives in first_page->index.
unsigned long obj_to_head(zs_pool* pool, page* p, int off) {
  if (PageHugeObject(p)) return ext(pool, p).index.load() | OBJ_ALLOCATED_TAG;
  return kmap(pool, p)->unit[off].load();
}

// get_first_obj_offset: where the first object starting in `p` begins.
int get_first_obj_offset(zs_pool* pool, size_class* c, page* first, page* p) {
  int pos = 0;
  for (page* q = first; q && q != p; q = get_next_page(pool, q)) ++pos;
  const int ofs = (pos * kZsUnits) % c->size;
  return ofs ? c->size - ofs : 0;
}
// ---- fullness ----
// get_fullness_group (4.8)
unsigned get_fullness_group(size_class* c, zspage* z) {
  const unsigned inuse = get_zspage_inuse(z);
  const unsigned objs = static_cast<unsigned>(c->objs_per_zspage);
  if (inuse == 0) return ZS_EMPTY;
  if (inuse == objs) return ZS_FULL;
  if (inuse <= 3 * objs / 4) return ZS_ALMOST_EMPTY;
  return ZS_ALMOST_FULL;
}
// insert_zspage / remove_zspage (4.8; VM_BUG_ON(is_zspage_isolated) until c4549b871102)
void insert_zspage(size_class* c, zspage* z, unsigned fg) {
  zlist_add(&z->list, c->fullness_list[fg]);
}
void remove_zspage(size_class* c, zspage* z, unsigned fg) {
  if (zlist_empty(c->fullness_list[fg]))
    mc::violation("VM_BUG_ON",
                  "kernel BUG: VM_BUG_ON(list_empty(&class->fullness_list[fullness]))");
  if (!rework_517() && has_isolated_field() && is_zspage_isolated(z))
    mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(is_zspage_isolated(zspage))");
  zlist_del_init(&z->list);
}
// fix_fullness_group (4.8; c4549b871102 drops the isolated test)
unsigned fix_fullness_group(size_class* c, zspage* z) {
  unsigned class_idx, currfg;
  get_zspage_mapping(z, &class_idx, &currfg);
  const unsigned newfg = get_fullness_group(c, z);
  if (newfg == currfg) return newfg;
  if (rework_517() || !is_zspage_isolated(z)) {
    remove_zspage(c, z, currfg);
    insert_zspage(c, z, newfg);
  }
  set_zspage_mapping(z, class_idx, newfg);
  return newfg;
}

// ---- page life cycle ----
// reset_page (4.8; 6.17 keeps the page movable-ops marked until it is freed)
void reset_page(zs_pool* pool, page* p) {
  MC_FUNC("reset_page");
  if (!v617()) __ClearPageMovable(p);
  clear_bit(PG_private, p);  // ClearPagePrivate
  set_page_private(p, 0);
  clear_bit(PG_owner_priv_1, p);  // ClearPageHugeObject
  zs_page_ext& e = ext(pool, p);
  e.next.store(nullptr);
  // zsmalloc lets the page go: its memory is no longer zsmalloc's to touch.
  if (e.mem) mc::free(e.mem);
  e.mem = nullptr;
}

// trylock_zspage (4.8)
bool trylock_zspage(zs_pool* pool, zspage* z) {
  page* first = get_first_page(z);
  page* cursor = first;
  for (; cursor; cursor = get_next_page(pool, cursor))
    if (!trylock_page(cursor)) break;
  if (!cursor) return true;
  for (page* f = first; f != cursor; f = get_next_page(pool, f)) unlock_page(f);
  return false;
}

// migrate_read_lock and friends (4.8-6.14): zspage->lock, an rwlock.
void migrate_read_lock(zspage* z) { z->lock.read_lock(); }
void migrate_read_unlock(zspage* z) { z->lock.read_unlock(); }
void migrate_write_lock(zspage* z) { z->lock.write_lock(); }
void migrate_write_unlock(zspage* z) { z->lock.write_unlock(); }

// zspage_read_lock and friends (e27af3f9360e, 6.15): a reader takes the spinlock only to count
// itself in or out, and may then sleep; a writer only trylocks, and keeps the spinlock (so
// readers spin and it cannot sleep) until zspage_write_unlock.
constexpr int ZS_PAGE_UNLOCKED = 0;
constexpr int ZS_PAGE_WRLOCKED = -1;
void zspage_read_lock(zspage* z) {
  z->zsl_lock.lock();
  z->zsl_cnt.store(z->zsl_cnt.load() + 1);
  z->zsl_lock.unlock();
}
void zspage_read_unlock(zspage* z) {
  z->zsl_lock.lock();
  z->zsl_cnt.store(z->zsl_cnt.load() - 1);
  z->zsl_lock.unlock();
}
bool zspage_write_trylock(zspage* z) {
  z->zsl_lock.lock();
  if (z->zsl_cnt.load() == ZS_PAGE_UNLOCKED) {
    z->zsl_cnt.store(ZS_PAGE_WRLOCKED);
    return true;  // the spinlock stays held
  }
  z->zsl_lock.unlock();
  return false;
}
void zspage_write_unlock(zspage* z) {
  z->zsl_cnt.store(ZS_PAGE_UNLOCKED);
  z->zsl_lock.unlock();
}

// The zspage's read lock of the running version.
void zspage_lock_read(zspage* z) {
  if (sleepable_zspage_lock())
    zspage_read_lock(z);
  else
    migrate_read_lock(z);
}
void zspage_unlock_read(zspage* z) {
  if (sleepable_zspage_lock())
    zspage_read_unlock(z);
  else
    migrate_read_unlock(z);
}

}  // namespace

// lock_zspage (4.8: lock_page down the chain; 2505a981114d (5.19): under migrate_read_lock,
// waiting for a busy page with a reference and re-reading the chain; 6.15: zspage_read_lock).
void lock_zspage(zs_pool* pool, zspage* z) {
  MC_FUNC("lock_zspage");
  if (!lock_zspage_safe()) {
    page* p = get_first_page(z);
    do {
      lock_page(p);
    } while ((p = get_next_page(pool, p)) != nullptr);
    return;
  }
  page* p;
  while (true) {
    zspage_lock_read(z);
    p = get_first_page(z);
    if (trylock_page(p)) break;
    get_page(p);
    zspage_unlock_read(z);
    wait_on_page_locked(p);
    put_page(p);
  }
  page* curr = p;
  while ((p = get_next_page(pool, curr))) {
    if (trylock_page(p)) {
      curr = p;
    } else {
      get_page(p);
      zspage_unlock_read(z);
      wait_on_page_locked(p);
      put_page(p);
      zspage_lock_read(z);
    }
  }
  zspage_unlock_read(z);
}

namespace {

void schedule_work(zs_pool* pool) {
  zs_wq* wq = pool->free_work.load();
  wq->pool = pool;
  wq->state.fetch_or(1);
}
void kick_deferred_free(zs_pool* pool) { schedule_work(pool); }

// __free_zspage (4.8): every page locked by the caller.
void __free_zspage(zs_pool* pool, size_class* c, zspage* z) {
  MC_FUNC("__free_zspage");
  unsigned class_idx, fg;
  get_zspage_mapping(z, &class_idx, &fg);
  if (fg != ZS_EMPTY) mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(fg != ZS_EMPTY)");
  page* p = get_first_page(z);
  do {
    VM_BUG_ON_PAGE(!PageLocked(p), p, "!PageLocked(page)");
    page* next = get_next_page(pool, p);
    reset_page(pool, p);
    unlock_page(p);
    put_page(p);
    p = next;
  } while (p);
  mc::free(z);                                                           // cache_free_zspage
  c->obj_allocated.store(c->obj_allocated.load() - c->objs_per_zspage);  // zs_stat_dec
  pool->pages_allocated.fetch_sub(c->pages_per_zspage, kRelaxed);
}

}  // namespace

// free_zspage (4.8): only trylocks (zs_free cannot sleep); otherwise the worker frees it.
void free_zspage(zs_pool* pool, size_class* c, zspage* z) {
  MC_FUNC("free_zspage");
  if (get_zspage_inuse(z))
    mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(get_zspage_inuse(zspage))");
  if (zlist_empty(&z->list))
    mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(list_empty(&zspage->list))");
  if (!trylock_zspage(pool, z)) {
    kick_deferred_free(pool);
    return;
  }
  remove_zspage(c, z, ZS_EMPTY);
  __free_zspage(pool, c, z);
}

namespace {}  // namespace

// async_free_zspage (4.8; lock_zspage per 2505a981114d from 5.19)
void async_free_zspage(zs_pool* pool) {
  MC_FUNC("async_free_zspage");
  zs_link free_pages("free_pages.next", "free_pages.prev", nullptr);
  zlist_init(&free_pages);
  for (int i = 0; i < pool->nr_classes; ++i) {
    size_class* c = pool_class(pool, static_cast<unsigned>(i));
    class_lock(pool, c);
    while (zspage* z = zlist_first(c->fullness_list[ZS_EMPTY])) {  // list_splice_init
      zlist_del_init(&z->list);
      zlist_add(&z->list, &free_pages);
    }
    class_unlock(pool, c);
  }
  while (zspage* z = zlist_first(&free_pages)) {
    zlist_del_init(&z->list);
    lock_zspage(pool, z);
    unsigned class_idx, fg;
    get_zspage_mapping(z, &class_idx, &fg);
    if (fg != ZS_EMPTY) mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(fullness != ZS_EMPTY)");
    size_class* c = pool_class(pool, class_idx);
    class_lock(pool, c);
    __free_zspage(pool, c, z);
    class_unlock(pool, c);
  }
}

namespace {

// create_page_chain (4.8; 6.17 marks the page type first)
void create_page_chain(zs_pool* pool, size_class* c, zspage* z, page* pages[]) {
  MC_FUNC("create_page_chain");
  page* prev = nullptr;
  for (int i = 0; i < c->pages_per_zspage; ++i) {
    page* p = pages[i];
    set_page_private(p, reinterpret_cast<unsigned long>(z));
    ext(pool, p).next.store(nullptr);
    if (i == 0) {
      z->first_page.store(p);
      set_bit(PG_private, p);  // SetPagePrivate
      if (c->objs_per_zspage == 1 && c->pages_per_zspage == 1)
        set_bit(PG_owner_priv_1, p);  // SetPageHugeObject
    } else {
      ext(pool, prev).next.store(p);
    }
    prev = p;
  }
}

// init_zspage (4.8): every object free, linked in index order.
void init_zspage(zs_pool* pool, size_class* c, zspage* z) {
  for (int k = 0; k < c->objs_per_zspage; ++k) {
    int nr, off;
    obj_pos(c, static_cast<unsigned>(k), &nr, &off);
    page* p = nth_page(pool, z, nr);
    const unsigned long next =
        k + 1 < c->objs_per_zspage ? static_cast<unsigned long>(k + 1) : ~0ul >> 2;
    if (!PageHugeObject(p)) kmap(pool, p)->unit[off].store(next << OBJ_TAG_BITS);
  }
  set_freeobj(z, 0);
}

// alloc_zspage (4.8)
zspage* alloc_zspage(zs_pool* pool, size_class* c) {
  MC_FUNC("alloc_zspage");
  zspage* z = mc::make_named<zspage>("zspage", SL::current());  // cache_alloc_zspage
  set_field(z, MAGIC_SHIFT, MAGIC_MASK, ZSPAGE_MAGIC);
  if (pool_from_zspage()) z->pool.store(pool);
  page* pages[kZsMaxPagesPerZspage] = {};
  for (int i = 0; i < c->pages_per_zspage; ++i) {
    page* p = alloc_page();
    if (!p) {
      // The pages taken so far go back with their contents: the model's memory of a page
      // stands for what the page holds, and goes with it (as in reset_page).
      while (--i >= 0) {
        zs_page_ext& e = ext(pool, pages[i]);
        mc::free(e.mem);
        e.mem = nullptr;
        put_page(pages[i]);
      }
      mc::free(z);
      return nullptr;
    }
    if (v617()) __SetPageType(p, PGTY_zsmalloc);  // __SetPageZsmalloc (6.11+)
    ext(pool, p).mem = mc::make_named<zs_page_mem>("zsmalloc page memory", SL::current());
    pages[i] = p;
  }
  create_page_chain(pool, c, z, pages);
  init_zspage(pool, c, z);
  return z;
}

// SetZsPageMovable (4.8; 6.17 SetPageMovableOps)
void SetZsPageMovable(zs_pool* pool, zspage* z) {
  page* p = get_first_page(z);
  do {
    WARN_ON_ONCE(!trylock_page(p), "!trylock_page(page)");
    if (v617())
      SetPageMovableOps(p);
    else
      __SetPageMovable(p, pool->inode);
    unlock_page(p);
  } while ((p = get_next_page(pool, p)) != nullptr);
}

// find_get_zspage (4.8)
zspage* find_get_zspage(size_class* c) {
  for (int i = ZS_ALMOST_FULL; i >= ZS_EMPTY; --i)
    if (zspage* z = zlist_first(c->fullness_list[i])) return z;
  return nullptr;
}

// obj_malloc (4.8)
unsigned long obj_malloc(zs_pool* pool, size_class* c, zspage* z, unsigned long handle) {
  const unsigned idx = get_freeobj(z);
  int nr, off;
  obj_pos(c, idx, &nr, &off);
  page* m_page = nth_page(pool, z, nr);
  if (PageHugeObject(m_page)) {
    set_freeobj(z, ~0u >> 2);
    ext(pool, get_first_page(z)).index.store(handle);
  } else {
    mc::plain<unsigned long>& link = kmap(pool, m_page)->unit[off];
    set_freeobj(z, static_cast<unsigned>(link.load() >> OBJ_TAG_BITS));
    link.store(handle | OBJ_ALLOCATED_TAG);
  }
  mod_zspage_inuse(z, 1);
  return location_to_obj(m_page, idx);
}

// obj_free (4.8)
void obj_free(zs_pool* pool, size_class* c, unsigned long obj) {
  obj &= ~OBJ_ALLOCATED_TAG;
  page* f_page;
  unsigned f_idx;
  obj_to_location(obj, &f_page, &f_idx);
  const int f_off = (c->size * static_cast<int>(f_idx)) % kZsUnits;
  zspage* z = get_zspage(f_page);
  if (!z) return;
  if (!PageHugeObject(f_page))
    kmap(pool, f_page)
        ->unit[f_off]
        .store(static_cast<unsigned long>(get_freeobj(z)) << OBJ_TAG_BITS);
  else
    ext(pool, f_page).index.store(0);
  set_freeobj(z, f_idx);
  mod_zspage_inuse(z, -1);
}

zs_pool* pool_of_page(page* p) {
  if (pool_from_zspage()) {
    zspage* z = reinterpret_cast<zspage*>(page_private(p));
    return z ? z->pool.load() : nullptr;
  }
  address_space* m = page_mapping(p);  // mapping->private_data
  return m ? static_cast<zs_pool*>(m->host) : nullptr;
}

}  // namespace

// putback_zspage (4.8)
unsigned putback_zspage(size_class* c, zspage* z) {
  if (!rework_517() && is_zspage_isolated(z))
    mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(is_zspage_isolated(zspage))");
  const unsigned fg = get_fullness_group(c, z);
  insert_zspage(c, z, fg);
  set_zspage_mapping(z, c->index, fg);
  return fg;
}
// putback_zspage_deferred (1a87aa03597e, 5.3)
void putback_zspage_deferred(zs_pool* pool, size_class* c, zspage* z) {
  if (putback_zspage(c, z) == ZS_EMPTY) schedule_work(pool);
}
// zs_pool_dec_isolated (701d678599d0, 5.3; afe8605ca454, 5.16)
void zs_pool_dec_isolated(zs_pool* pool) {
  MC_FUNC("zs_pool_dec_isolated");
  if (pool->isolated_pages.load(kRelaxed) <= 0)
    mc::violation("VM_BUG_ON",
                  "kernel BUG: VM_BUG_ON(atomic_long_read(&pool->isolated_pages) <= 0)");
  if (!dec_isolated_barrier()) {
    // No barrier: the plain load of pool->destroying may be satisfied before the decrement
    // is visible (store->load reordering); the checker is sequentially consistent, so the
    // model performs the load first, the earliest order the hardware allows.
    const bool destroying = pool->destroying.load(kRelaxed);
    pool->isolated_pages.fetch_sub(1, kRelaxed);
    if (pool->isolated_pages.load(kRelaxed) == 0 && destroying) pool->migration_wait.wake_up_all();
    return;
  }
  pool->isolated_pages.fetch_sub(1, kRelaxed);
  mc::fence();  // smp_mb__after_atomic
  if (pool->isolated_pages.load(kRelaxed) == 0 && pool->destroying.load(kRelaxed))
    pool->migration_wait.wake_up_all();
}

namespace {

// replace_sub_page (4.8)
void replace_sub_page(zs_pool* pool, size_class* c, zspage* z, page* newpage, page* oldpage) {
  MC_FUNC("replace_sub_page");
  page* pages[kZsMaxPagesPerZspage] = {};
  int idx = 0;
  page* p = get_first_page(z);
  do {
    pages[idx] = p == oldpage ? newpage : p;
    ++idx;
  } while ((p = get_next_page(pool, p)) != nullptr);
  create_page_chain(pool, c, z, pages);
  if (PageHugeObject(oldpage)) ext(pool, newpage).index.store(ext(pool, oldpage).index.load());
  if (v617())
    SetPageMovableOps(newpage);
  else
    __SetPageMovable(newpage, page_mapping(oldpage));
}

void copy_page_mem(zs_pool* pool, page* from, page* to) {
  zs_page_mem* s = kmap(pool, from);
  zs_page_mem* d = mc::make_named<zs_page_mem>("zsmalloc page memory", SL::current());
  ext(pool, to).mem = d;
  if (!s) return;
  for (int u = 0; u < kZsUnits; ++u) d->unit[u].store(s->unit[u].load());
}

// zs_page_migrate for 4.8-5.16 (48b4800a1c6a; 77ff465799c6; 1a87aa03597e; 701d678599d0).
int zs_page_migrate_48(address_space* mapping, page* newpage, page* p) {
  VM_BUG_ON_PAGE(!PageMovable(p), p, "!PageMovable(page)");
  VM_BUG_ON_PAGE(!PageIsolated(p), p, "!PageIsolated(page)");
  zspage* z = get_zspage(p);
  if (!z) return -EAGAIN;
  migrate_write_lock(z);  // no other subpage of the zspage migrates meanwhile
  zs_pool* pool = static_cast<zs_pool*>(mapping->host);
  size_class* c = zspage_class(pool, z);  // get_zspage_mapping: class_idx
  int offset = get_first_obj_offset(pool, c, get_first_page(z), p);
  const bool no_trypin = kcfg().has(Bug::zs_no_trypin);
  int ret = -EAGAIN;
  class_lock(pool, c);
  if (!get_zspage_inuse(z)) {
    if (!migrate_empty_zspage()) {
      class_unlock(pool, c);
      migrate_write_unlock(z);
      return -EBUSY;
    }
    offset = kZsUnits;  // 77ff465799c6: skip the object loops
  }
  int pos = offset;
  while (pos < kZsUnits) {
    const unsigned long head = obj_to_head(pool, p, pos);
    if (head & OBJ_ALLOCATED_TAG) {
      const unsigned long handle = head & ~OBJ_ALLOCATED_TAG;
      if (!no_trypin && !trypin_tag(handle)) break;  // goto unpin_objects
    }
    pos += c->size;
  }
  const bool all_pinned = pos >= kZsUnits;
  if (all_pinned) {
    copy_page_mem(pool, p, newpage);  // memcpy(d_addr, s_addr, PAGE_SIZE)
    for (int a = offset; a < pos && a < kZsUnits; a += c->size) {
      const unsigned long head = obj_to_head(pool, p, a);
      if (!(head & OBJ_ALLOCATED_TAG)) continue;
      const unsigned long handle = head & ~OBJ_ALLOCATED_TAG;
      if (!no_trypin) zs_bug(!testpin_tag(handle), "BUG() (!testpin_tag(handle))");
      page* dummy;
      unsigned obj_idx;
      obj_to_location(handle_to_obj(handle), &dummy, &obj_idx);
      unsigned long new_obj = location_to_obj(newpage, obj_idx);
      if (!no_trypin) new_obj |= 1ul << HANDLE_PIN_BIT;
      record_obj(handle, new_obj);
    }
    replace_sub_page(pool, c, z, newpage, p);
    get_page(newpage);
    dec_zspage_isolation(z);
    // The last isolated subpage puts the zspage back on its class list.
    if (!is_zspage_isolated(z)) {
      if (putback_deferred())
        putback_zspage_deferred(pool, c, z);
      else
        putback_zspage(c, z);
      if (isolated_accounting()) zs_pool_dec_isolated(pool);
    }
    reset_page(pool, p);
    put_page(p);
    ret = MIGRATEPAGE_SUCCESS;
  }
  // unpin_objects: the pins are on the handles, wherever the objects now are.
  if (!no_trypin) {
    page* cur = all_pinned ? newpage : p;
    for (int a = offset; a < pos && a < kZsUnits; a += c->size) {
      const unsigned long head = obj_to_head(pool, cur, a);
      if (!(head & OBJ_ALLOCATED_TAG)) continue;
      const unsigned long handle = head & ~OBJ_ALLOCATED_TAG;
      zs_bug(!testpin_tag(handle), "BUG() (!testpin_tag(handle))");
      unpin_tag(handle);
    }
  }
  class_unlock(pool, c);
  migrate_write_unlock(z);
  return ret;
}

// zs_page_migrate for 5.17+ (c4549b871102 series; 4b5d1e47b694 in 6.5; e27af3f9360e (6.15):
// the zspage write trylock, -EINVAL; 6.17 destroyed-page check).
int zs_page_migrate_517(address_space* mapping, page* newpage, page* p) {
  if (v617()) {
    if (!page_private(p)) return MIGRATEPAGE_SUCCESS;  // destroyed meanwhile: fake success
  } else {
    if (has_isolated_field()) VM_BUG_ON_PAGE(!PageMovable(p), p, "!PageMovable(page)");
    VM_BUG_ON_PAGE(!PageIsolated(p), p, "!PageIsolated(page)");
  }
  zs_pool* pool = pool_from_zspage() ? pool_of_page(p) : static_cast<zs_pool*>(mapping->host);
  pool_lock_write(pool);  // against zs_free/zs_map_object finding the zspage
  zspage* z = get_zspage(p);
  if (!z) {
    pool_unlock_write(pool);
    return -EAGAIN;
  }
  size_class* c = zspage_class(pool, z);
  if (!one_pool_lock()) c->lock.lock();  // against object alloc/free in the zspage
  // Against users of the objects of the zspage (zs_map_object; 6.15: zs_obj_read_begin /
  // zs_obj_write, which the migration does not wait for).
  if (!sleepable_zspage_lock()) {
    migrate_write_lock(z);
  } else if (!zspage_write_trylock(z)) {
    class_unlock(pool, c);
    pool_unlock_write(pool);
    return -EINVAL;
  }
  const int offset = get_first_obj_offset(pool, c, get_first_page(z), p);
  copy_page_mem(pool, p, newpage);
  for (int a = offset; a < kZsUnits; a += c->size) {
    const unsigned long head = obj_to_head(pool, p, a);
    if (!(head & OBJ_ALLOCATED_TAG)) continue;
    const unsigned long handle = head & ~OBJ_ALLOCATED_TAG;
    page* dummy;
    unsigned obj_idx;
    obj_to_location(handle_to_obj(handle), &dummy, &obj_idx);
    record_obj(handle, location_to_obj(newpage, obj_idx));
  }
  replace_sub_page(pool, c, z, newpage, p);
  if (isolated_under_pool_lock() && has_isolated_field()) dec_zspage_isolation(z);
  pool_unlock_write(pool);
  if (!one_pool_lock()) c->lock.unlock();
  if (!isolated_under_pool_lock()) dec_zspage_isolation(z);
  if (sleepable_zspage_lock())
    zspage_write_unlock(z);
  else
    migrate_write_unlock(z);
  get_page(newpage);
  reset_page(pool, p);
  put_page(p);
  return MIGRATEPAGE_SUCCESS;
}

// __zs_map_object / __zs_unmap_object (4.8): the copy through the per-CPU buffer.
void __zs_map_object(zs_pool* pool, mapping_area* area, page* p, int off, int size) {
  if (area->vm_mm.load() == ZS_MM_WO) return;
  for (int u = 0; u < size; ++u)
    if (mc::plain<unsigned long>* w = obj_word(pool, p, off, u)) area->vm_buf[u].store(w->load());
}
void __zs_unmap_object(zs_pool* pool, mapping_area* area, page* p, int off, int size) {
  if (area->vm_mm.load() == ZS_MM_RO) return;
  for (int u = 1; u < size; ++u)  // the handle head is not written back
    if (mc::plain<unsigned long>* w = obj_word(pool, p, off, u)) w->store(area->vm_buf[u].load());
}

mapping_area* this_cpu_area(zs_pool* pool) {
  return &pool->area[mc::Execution::current() ? mc::Execution::current()->self() % kZsMaxCpus : 0];
}

// zs_can_compact (4.8): from the class's statistics, which count every zspage of the class,
// an isolated one (off its list) included.
long zs_can_compact(zs_pool* pool, size_class* c) {
  (void)pool;
  const long allocated = c->obj_allocated.load();
  const long used = c->obj_used.load();
  if (allocated <= used) return 0;
  const long wasted = (allocated - used) / c->objs_per_zspage;
  return wasted * c->pages_per_zspage;
}

// isolate_zspage (4.8): the first zspage of the source or destination fullness groups.
zspage* isolate_zspage(size_class* c, bool source) {
  const unsigned fg[2] = {source ? ZS_ALMOST_EMPTY : ZS_ALMOST_FULL,
                          source ? ZS_ALMOST_FULL : ZS_ALMOST_EMPTY};
  for (unsigned g : fg) {
    if (zspage* z = zlist_first(c->fullness_list[g])) {
      remove_zspage(c, z, g);
      return z;
    }
  }
  return nullptr;
}

// find_alloced_obj (4.8; c4549b871102 without trypin_tag): next allocated object starting in
// `p` from index *idx (counted from the first object of the page).
unsigned long find_alloced_obj(zs_pool* pool, size_class* c, zspage* z, page* p, int* idx) {
  int offset = get_first_obj_offset(pool, c, get_first_page(z), p) + c->size * *idx;
  unsigned long handle = 0;
  while (offset < kZsUnits) {
    const unsigned long head = obj_to_head(pool, p, offset);
    if (head & OBJ_ALLOCATED_TAG) {
      handle = head & ~OBJ_ALLOCATED_TAG;
      if (rework_517() || trypin_tag(handle)) break;
      handle = 0;
    }
    offset += c->size;
    ++*idx;
  }
  return handle;
}

// zs_object_copy (4.8): the whole object, straddling pages on either side.
void zs_object_copy(zs_pool* pool, size_class* c, unsigned long dst, unsigned long src) {
  page *sp, *dp;
  unsigned si, di;
  obj_to_location(src, &sp, &si);
  obj_to_location(dst, &dp, &di);
  const int soff = (c->size * static_cast<int>(si)) % kZsUnits;
  const int doff = (c->size * static_cast<int>(di)) % kZsUnits;
  for (int u = 0; u < c->size; ++u) {
    mc::plain<unsigned long>* s = obj_word(pool, sp, soff, u);
    mc::plain<unsigned long>* d = obj_word(pool, dp, doff, u);
    if (s && d) d->store(s->load());
  }
}

// migrate_zspage (4.8; 5.17 without pins): move objects of the source into the destination.
int migrate_zspage(zs_pool* pool, size_class* c, zspage* src, zspage* dst, page** s_page,
                   int* obj_idx) {
  int ret = 0;
  while (true) {
    const unsigned long handle = find_alloced_obj(pool, c, src, *s_page, obj_idx);
    if (!handle) {
      *s_page = get_next_page(pool, *s_page);
      if (!*s_page) break;
      *obj_idx = 0;
      continue;
    }
    if (!compact_src_lock_only() &&
        get_zspage_inuse(dst) == static_cast<unsigned>(c->objs_per_zspage)) {  // zspage_full
      if (!rework_517()) unpin_tag(handle);
      ret = -ENOMEM;
      break;
    }
    const unsigned long used_obj = handle_to_obj(handle) & ~(1ul << HANDLE_PIN_BIT);
    unsigned long free_obj = obj_malloc(pool, c, dst, handle);
    zs_object_copy(pool, c, free_obj, used_obj);
    ++*obj_idx;
    if (!rework_517()) free_obj |= 1ul << HANDLE_PIN_BIT;  // keep the pin across record_obj
    record_obj(handle, free_obj);
    if (!rework_517()) unpin_tag(handle);
    obj_free(pool, c, used_obj);
    if (compact_src_lock_only()) {  // 6.6: checked after each object
      if (get_zspage_inuse(dst) == static_cast<unsigned>(c->objs_per_zspage)) break;
      if (get_zspage_inuse(src) == 0) break;  // zspage_empty
    }
  }
  return ret;
}

// __zs_compact from 6.4 (5a845e9f2d66): the destination first, kept across sources.
// Contention of the pool's lock is not modelled (spin_is_contended / rwlock_is_contended false):
// the locks are dropped when the destination is full.
long __zs_compact_dst_first(zs_pool* pool, size_class* c) {
  long pages_freed = 0;
  const bool src_only = compact_src_lock_only();
  const bool trylock = sleepable_zspage_lock();
  auto lock = [&] {
    pool_lock_write(pool);
    if (!one_pool_lock()) c->lock.lock();
  };
  auto unlock = [&] {
    if (!one_pool_lock()) c->lock.unlock();
    pool_unlock_write(pool);
  };
  lock();
  zspage* src = nullptr;
  zspage* dst = nullptr;
  while (zs_can_compact(pool, c)) {
    if (!dst) {
      dst = isolate_zspage(c, false);  // isolate_dst_zspage: the fullest first
      if (!dst) break;
      if (!src_only) migrate_write_lock(dst);
    }
    src = isolate_zspage(c, true);  // isolate_src_zspage: the emptiest first
    if (!src) break;
    if (trylock) {
      if (!zspage_write_trylock(src)) break;  // e27af3f9360e (6.15): a reader holds it
    } else {
      migrate_write_lock(src);  // migrate_write_lock_nested up to 6.8
    }
    page* s_page = get_first_page(src);
    int obj_idx = 0;
    migrate_zspage(pool, c, src, dst, &s_page, &obj_idx);
    unsigned fg;
    if (src_only) {
      if (trylock)
        zspage_write_unlock(src);
      else
        migrate_write_unlock(src);
      fg = putback_zspage(c, src);
    } else {
      fg = putback_zspage(c, src);
      migrate_write_unlock(src);
    }
    if (fg == ZS_EMPTY) {
      free_zspage(pool, c, src);
      pages_freed += c->pages_per_zspage;
    }
    src = nullptr;  // f7ddb6125683
    if (get_fullness_group(c, dst) == ZS_FULL) {
      putback_zspage(c, dst);
      if (!src_only) migrate_write_unlock(dst);
      dst = nullptr;
      unlock();
      lock();  // cond_resched() between
    }
  }
  if (src) putback_zspage(c, src);  // 6.17: the source whose trylock failed, never locked
  if (dst) {
    putback_zspage(c, dst);
    if (!src_only) migrate_write_unlock(dst);
  }
  unlock();
  return pages_freed;
}

// __zs_compact up to 6.3 (4.8; 5.17: under pool->migrate_lock with the zspage write locks);
// from 6.4 __zs_compact_dst_first
long __zs_compact(zs_pool* pool, size_class* c) {
  MC_FUNC("__zs_compact");
  if (compact_dst_first()) return __zs_compact_dst_first(pool, c);
  long pages_freed = 0;
  const bool r = rework_517();  // one_pool_lock() and the trylock are 6.5+: dst first there
  if (r) pool_lock_write(pool);
  c->lock.lock();
  zspage* src = nullptr;
  bool src_locked = false;
  while ((src = isolate_zspage(c, true))) {
    if (r) {
      migrate_write_lock(src);
      src_locked = true;
    }
    if (!zs_can_compact(pool, c)) break;
    page* s_page = get_first_page(src);
    int obj_idx = 0;
    zspage* dst = nullptr;
    while ((dst = isolate_zspage(c, false))) {
      if (r) migrate_write_lock(dst);  // migrate_write_lock_nested
      const int rc = migrate_zspage(pool, c, src, dst, &s_page, &obj_idx);
      putback_zspage(c, dst);
      if (r) migrate_write_unlock(dst);
      if (!rc) break;
    }
    if (!dst) break;
    const unsigned fg = putback_zspage(c, src);
    if (r) migrate_write_unlock(src);
    src_locked = false;
    if (fg == ZS_EMPTY) {
      free_zspage(pool, c, src);
      pages_freed += c->pages_per_zspage;
    }
    src = nullptr;
  }
  if (src) {
    putback_zspage(c, src);
    if (src_locked) migrate_write_unlock(src);
  }
  c->lock.unlock();
  if (r) pool_unlock_write(pool);
  return pages_freed;
}

}  // namespace

// zs_unregister_migration (4.8: flush_work + iput; 701d678599d0 (5.3): wait for isolated
// zspages first; c4549b871102 (5.17) drops the wait again).
void zs_unregister_migration(zs_pool* pool) {
  MC_FUNC("zs_unregister_migration");
  if (isolated_accounting()) {
    pool->destroying.store(1, kRelaxed);
    mc::fence();  // smp_mb
    MC_FUNC("wait_for_isolated_drain");
    wait_event(pool->migration_wait, [pool] { return pool->isolated_pages.load(kRelaxed) == 0; });
  }
  // flush_work(&pool->free_work)
  zs_wq* wq = pool->free_work.load();
  if (pool->own_wq) {
    // No kworker is modelled for this pool: queued work runs when a thread runs it
    // (zs_run_pending_work) and, at the latest, here: the flush stands for the worker that
    // runs it now, as the kernel's would before flush_work returns.
    zs_run_pending_work(pool);
    return;
  }
  mc::await(wq->state, [wq] { return !(wq->state.peek() & 3); });
  // iput(pool->inode): the mapping no longer leads to the pool (freed below).
}

namespace {}  // namespace

// ---- objects with names ----

zs_page_mem::zs_page_mem()
    : unit{mc::plain<unsigned long>(0, "page memory[0]"),
           mc::plain<unsigned long>(0, "page memory[1]"),
           mc::plain<unsigned long>(0, "page memory[2]"),
           mc::plain<unsigned long>(0, "page memory[3]")} {}

zs_page_ext::zs_page_ext() : next(nullptr, "page->freelist"), index(0, "page->index") {}

zspage::zspage() : list("zspage->list.next", "zspage->list.prev", this) {}

size_class::size_class() {
  static const char* const kNames[NR_ZS_FULLNESS][2] = {
      {"fullness_list[ZS_EMPTY].next", "fullness_list[ZS_EMPTY].prev"},
      {"fullness_list[ZS_ALMOST_EMPTY].next", "fullness_list[ZS_ALMOST_EMPTY].prev"},
      {"fullness_list[ZS_ALMOST_FULL].next", "fullness_list[ZS_ALMOST_FULL].prev"},
      {"fullness_list[ZS_FULL].next", "fullness_list[ZS_FULL].prev"}};
  for (int i = 0; i < NR_ZS_FULLNESS; ++i) {
    fullness_list[i] = new zs_link(kNames[i][0], kNames[i][1], nullptr);
    zlist_init(fullness_list[i]);
  }
}
size_class::~size_class() {
  for (auto* l : fullness_list) delete l;
}

mapping_area::mapping_area()
    : vm_buf{mc::plain<unsigned long>(0, "zs_map_area.vm_buf[0]"),
             mc::plain<unsigned long>(0, "zs_map_area.vm_buf[1]"),
             mc::plain<unsigned long>(0, "zs_map_area.vm_buf[2]"),
             mc::plain<unsigned long>(0, "zs_map_area.vm_buf[3]"),
             mc::plain<unsigned long>(0, "zs_map_area.vm_buf[4]"),
             mc::plain<unsigned long>(0, "zs_map_area.vm_buf[5]"),
             mc::plain<unsigned long>(0, "zs_map_area.vm_buf[6]"),
             mc::plain<unsigned long>(0, "zs_map_area.vm_buf[7]")} {}

zs_pool::zs_pool()
    : size_class_{mc::plain<size_class*>(nullptr, "pool->size_class[0]"),
                  mc::plain<size_class*>(nullptr, "pool->size_class[1]")} {}

// ---- the API ----

// zs_create_pool (4.8; zs_register_migration makes the anon inode mapping)
zs_pool* zs_create_pool(const char*, const zs_pool_config& cfg) {
  MC_FUNC("zs_create_pool");
  zs_pool* pool = mc::make_named<zs_pool>("zs_pool", SL::current());
  pool->nr_classes = cfg.nr_classes;
  for (int i = 0; i < cfg.nr_classes; ++i) {
    size_class* c = mc::make_named<size_class>("size_class", SL::current());
    c->size = cfg.size[i];
    c->pages_per_zspage = cfg.pages_per_zspage[i];
    c->objs_per_zspage = c->pages_per_zspage * kZsUnits / c->size;
    c->index = static_cast<unsigned>(i);
    pool->size_class_[i].store(c);
  }
  zs_wq* wq = cfg.wq;
  if (!wq) {
    wq = mc::make_named<zs_wq>("system_wq", SL::current());
    pool->own_wq = true;
  }
  pool->free_work.store(wq);
  pool->inode = Memory::current().register_mapping("zsmalloc", &zsmalloc_mops, pool);
  register_movable_ops(PGTY_zsmalloc, &zsmalloc_mops);
  return pool;
}

// zs_destroy_pool (4.8; 5.3-5.16 waits for isolated zspages)
void zs_destroy_pool(zs_pool* pool) {
  MC_FUNC("zs_destroy_pool");
  zs_unregister_migration(pool);
  for (int i = 0; i < pool->nr_classes; ++i) {
    size_class* c = pool_class(pool, static_cast<unsigned>(i));
    // "Freeing non-empty class" is only a pr_info in the kernel; the pages leak.
    mc::free(c);
  }
  if (pool->own_wq) mc::free(pool->free_work.load());
  mc::free(pool);
}

// zs_malloc (4.8; 5.17 the same under class->lock)
unsigned long zs_malloc(zs_pool* pool, int size) {
  MC_FUNC("zs_malloc");
  zs_handle* h = mc::make_named<zs_handle>("handle", SL::current());  // cache_alloc_handle
  const unsigned long handle = reinterpret_cast<unsigned long>(h);
  size += 1;  // ZS_HANDLE_SIZE
  size_class* c = nullptr;
  for (int i = 0; i < pool->nr_classes && !c; ++i) {
    size_class* k = pool_class(pool, static_cast<unsigned>(i));
    if (k->size >= size) c = k;
  }
  if (!c) {
    mc::free(h);
    return 0;
  }
  class_lock(pool, c);
  if (zspage* z = find_get_zspage(c)) {
    const unsigned long obj = obj_malloc(pool, c, z, handle);
    fix_fullness_group(c, z);
    record_obj(handle, obj);
    c->obj_used.store(c->obj_used.load() + 1);  // zs_stat_inc(class, OBJ_USED, 1)
    class_unlock(pool, c);
    return handle;
  }
  class_unlock(pool, c);
  zspage* z = alloc_zspage(pool, c);
  if (!z) {
    mc::free(h);
    return 0;
  }
  class_lock(pool, c);
  const unsigned long obj = obj_malloc(pool, c, z, handle);
  const unsigned fg = get_fullness_group(c, z);
  insert_zspage(c, z, fg);
  set_zspage_mapping(z, c->index, fg);
  record_obj(handle, obj);
  c->obj_allocated.store(c->obj_allocated.load() + c->objs_per_zspage);
  c->obj_used.store(c->obj_used.load() + 1);
  pool->pages_allocated.fetch_add(c->pages_per_zspage, kRelaxed);
  SetZsPageMovable(pool, z);  // the zspage is complete: mark its pages movable
  class_unlock(pool, c);
  return handle;
}

// zs_free (4.8 with pin_tag; 5.17 with pool->migrate_lock)
void zs_free(zs_pool* pool, unsigned long handle) {
  MC_FUNC("zs_free");
  if (!handle) return;
  if (rework_517()) {
    pool_lock_read(pool);
    const unsigned long obj = handle_to_obj(handle);
    page* f_page;
    unsigned idx;
    obj_to_location(obj, &f_page, &idx);
    zspage* z = get_zspage(f_page);
    if (!z) return;
    size_class* c = zspage_class(pool, z);
    if (!one_pool_lock()) {
      class_lock(pool, c);
      pool->migrate_lock.read_unlock();
    }
    obj_free(pool, c, obj);
    c->obj_used.store(c->obj_used.load() - 1);  // zs_stat_dec(class, OBJ_USED, 1)
    if (fix_fullness_group(c, z) == ZS_EMPTY) free_zspage(pool, c, z);
    class_unlock(pool, c);
    mc::free(H(handle));  // cache_free_handle
    return;
  }
  pin_tag(handle);
  const unsigned long obj = handle_to_obj(handle);
  page* f_page;
  unsigned idx;
  obj_to_location(obj, &f_page, &idx);
  zspage* z = get_zspage(f_page);
  if (!z) return;
  migrate_read_lock(z);
  size_class* c = zspage_class(pool, z);  // get_zspage_mapping: class_idx
  class_lock(pool, c);
  obj_free(pool, c, obj);
  c->obj_used.store(c->obj_used.load() - 1);
  if (fix_fullness_group(c, z) != ZS_EMPTY) {
    migrate_read_unlock(z);
  } else {
    const bool isolated = is_zspage_isolated(z);
    migrate_read_unlock(z);
    // An isolated zspage is freed by zs_page_putback (or the migration's putback).
    if (!isolated) free_zspage(pool, c, z);
  }
  class_unlock(pool, c);
  unpin_tag(handle);
  mc::free(H(handle));  // cache_free_handle
}

// zs_map_object (4.8: pin_tag then migrate_read_lock; 5.17: pool->migrate_lock instead of
// the pin). Preemption stays disabled (per-CPU area) until zs_unmap_object.
mc::plain<unsigned long>* zs_map_object(zs_pool* pool, unsigned long handle, zs_mapmode mm) {
  MC_FUNC("zs_map_object");
  if (rework_517())
    pool_lock_read(pool);
  else
    pin_tag(handle);  // from now on, migration cannot move the object
  const unsigned long obj = handle_to_obj(handle);
  page* p;
  unsigned obj_idx;
  obj_to_location(obj, &p, &obj_idx);
  // Location check (model invariant, no events): the page the handle names is a page of a
  // zspage whose memory zsmalloc owns.
  if (!p->private_.peek() || !ext(pool, p).mem)
    mc::violation("stale object location", "zs_map_object: the handle names pfn " +
                                               std::to_string(p->pfn) +
                                               ", which is not (or not yet) a page of a zspage");
  zspage* z = get_zspage(p);
  if (!z) return nullptr;
  migrate_read_lock(z);  // no subpage of this zspage migrates until zs_unmap_object
  if (rework_517()) pool_unlock_read(pool);
  size_class* c = zspage_class(pool, z);
  const int off = (c->size * static_cast<int>(obj_idx)) % kZsUnits;
  mc::preempt_disable();  // get_cpu_var(zs_map_area) / local_lock
  mapping_area* area = this_cpu_area(pool);
  area->vm_mm.store(mm);
  const bool huge = PageHugeObject(p);
  if (off + c->size <= kZsUnits) {
    zs_page_mem* m = kmap(pool, p);  // kmap_atomic
    if (!m) return nullptr;
    return &m->unit[off + (huge ? 0 : 1)];
  }
  // The object spans two pages: copy it into the per-CPU buffer.
  zs_bug(!get_next_page(pool, p), "BUG_ON(!pages[1])");
  __zs_map_object(pool, area, p, off, c->size);
  return &area->vm_buf[huge ? 0 : 1];
}

// zs_unmap_object (4.8; 5.17)
void zs_unmap_object(zs_pool* pool, unsigned long handle) {
  MC_FUNC("zs_unmap_object");
  const unsigned long obj = handle_to_obj(handle);
  page* p;
  unsigned obj_idx;
  obj_to_location(obj, &p, &obj_idx);
  zspage* z = get_zspage(p);
  if (!z) return;
  size_class* c = zspage_class(pool, z);
  const int off = (c->size * static_cast<int>(obj_idx)) % kZsUnits;
  mapping_area* area = this_cpu_area(pool);
  if (off + c->size > kZsUnits) {
    zs_bug(!get_next_page(pool, p), "BUG_ON(!pages[1])");
    __zs_unmap_object(pool, area, p, off, c->size);
  }
  mc::preempt_enable();  // put_cpu_var / local_unlock
  migrate_read_unlock(z);
  if (!rework_517()) unpin_tag(handle);
}

bool zs_has_map_object() { return !sleepable_zspage_lock(); }
bool zs_has_obj_api() { return sleepable_zspage_lock(); }

namespace {

// The object of `handle` and its zspage, read-locked, for zs_obj_read_begin / zs_obj_write
// (44f76413496e, 6.15): pool->lock (read) only while the handle is resolved.
zspage* zs_obj_lock(zs_pool* pool, unsigned long handle, page** pp, int* off, const char* who) {
  pool->migrate_lock.read_lock();  // pool->lock (0d6fa44e4e25): the zspage stays the handle's
  const unsigned long obj = handle_to_obj(handle);
  unsigned obj_idx;
  obj_to_location(obj, pp, &obj_idx);
  page* p = *pp;
  if (!p->private_.peek() || !ext(pool, p).mem)
    mc::violation("stale object location", std::string(who) + ": the handle names pfn " +
                                               std::to_string(p->pfn) +
                                               ", which is not (or not yet) a page of a zspage");
  zspage* z = get_zspage(p);
  if (!z) {
    pool->migrate_lock.read_unlock();
    return nullptr;
  }
  zspage_read_lock(z);  // migration does not move this zspage's pages meanwhile
  pool->migrate_lock.read_unlock();
  *off = (zspage_class(pool, z)->size * static_cast<int>(obj_idx)) % kZsUnits;
  return z;
}

}  // namespace

// zs_obj_read_begin (44f76413496e, 6.15): no preemption or per-CPU area; a straddling object is
// copied into the caller's buffer.
mc::plain<unsigned long>* zs_obj_read_begin(zs_pool* pool, unsigned long handle,
                                            mc::plain<unsigned long>* local_copy) {
  MC_FUNC("zs_obj_read_begin");
  page* p;
  int off;
  zspage* z = zs_obj_lock(pool, handle, &p, &off, "zs_obj_read_begin");
  if (!z) return nullptr;
  const size_class* c = zspage_class(pool, z);
  const int head = PageHugeObject(p) ? 0 : 1;
  if (off + c->size <= kZsUnits) {
    zs_page_mem* m = kmap(pool, p);  // kmap_local_zpdesc
    return m ? &m->unit[off + head] : nullptr;
  }
  for (int u = 0; u < c->size; ++u)  // memcpy_from_page, both halves
    if (mc::plain<unsigned long>* w = obj_word(pool, p, off, u)) local_copy[u].store(w->load());
  return &local_copy[head];
}

// zs_obj_read_end (44f76413496e, 6.15): the zspage is found again without pool->lock (the read
// lock pins it).
void zs_obj_read_end(zs_pool* pool, unsigned long handle) {
  MC_FUNC("zs_obj_read_end");
  page* p;
  unsigned obj_idx;
  obj_to_location(handle_to_obj(handle), &p, &obj_idx);
  zspage* z = get_zspage(p);
  if (!z) return;
  zspage_class(pool, z);  // the object's offset, for kunmap_local of a one-page object
  zspage_read_unlock(z);
}

// zs_obj_write (44f76413496e, 6.15)
void zs_obj_write(zs_pool* pool, unsigned long handle, const unsigned long* mem, int len) {
  MC_FUNC("zs_obj_write");
  page* p;
  int off;
  zspage* z = zs_obj_lock(pool, handle, &p, &off, "zs_obj_write");
  if (!z) return;
  const int head = PageHugeObject(p) ? 0 : 1;
  for (int u = 0; u < len; ++u)  // memcpy into one page, or memcpy_to_page on both
    if (mc::plain<unsigned long>* w = obj_word(pool, p, off, u + head)) w->store(mem[u]);
  zspage_read_unlock(z);
}

// zs_compact (4.8; d2658f2052c7, 6.4/6.5: one compaction of the pool at a time)
unsigned long zs_compact(zs_pool* pool) {
  MC_FUNC("zs_compact");
  if (compact_dst_first() && pool->compaction_in_progress.exchange(1)) return 0;
  long freed = 0;
  for (int i = pool->nr_classes - 1; i >= 0; --i)
    freed += __zs_compact(pool, pool_class(pool, static_cast<unsigned>(i)));
  if (compact_dst_first()) pool->compaction_in_progress.store(0);
  return static_cast<unsigned long>(freed);
}

// zs_page_isolate (4.8; 701d678599d0 counts isolated zspages; c4549b871102 (5.17) only
// counts isolated subpages under the zspage lock; 4b5d1e47b694 (6.5) under the class lock;
// 6.17 refuses a destroyed page).
bool zs_page_isolate(page* p, isolate_mode_t) {
  MC_FUNC("zs_page_isolate");
  if (v617()) return page_private(p) != 0;
  if (!has_isolated_field()) {
    VM_BUG_ON_PAGE(PageIsolated(p), p, "PageIsolated(page)");
    return true;  // the page lock keeps the zspage from being freed
  }
  VM_BUG_ON_PAGE(!PageMovable(p), p, "!PageMovable(page)");
  VM_BUG_ON_PAGE(PageIsolated(p), p, "PageIsolated(page)");
  if (rework_517()) {
    zspage* z = get_zspage(p);
    if (!z) return false;
    if (isolated_under_pool_lock()) {
      zs_pool* pool = pool_of_page(p);
      size_class* c = zspage_class(pool, z);
      class_lock(pool, c);  // pool->lock (c0547d0b6a4b) at 6.5
      inc_zspage_isolation(z);
      class_unlock(pool, c);
    } else {
      migrate_write_lock(z);
      inc_zspage_isolation(z);
      migrate_write_unlock(z);
    }
    return true;
  }
  zspage* z = get_zspage(p);
  if (!z) return false;
  // Without class->lock the fullness may be stale, but class_idx is stable.
  zs_pool* pool = pool_of_page(p);
  size_class* c = zspage_class(pool, z);
  unsigned class_idx, fg;
  class_lock(pool, c);
  if (get_zspage_inuse(z) == 0) {
    class_unlock(pool, c);
    return false;
  }
  // The zspage is off the lists for object migration (zs_compact).
  if (zlist_empty(&z->list) && !is_zspage_isolated(z)) {
    class_unlock(pool, c);
    return false;
  }
  // The first isolated subpage takes the zspage off its class list: no allocation from it.
  if (!zlist_empty(&z->list) && !is_zspage_isolated(z)) {
    get_zspage_mapping(z, &class_idx, &fg);
    if (isolated_accounting()) pool->isolated_pages.fetch_add(1, kRelaxed);
    remove_zspage(c, z, fg);
  }
  inc_zspage_isolation(z);
  class_unlock(pool, c);
  return true;
}

int zs_page_migrate(address_space* mapping, page* newpage, page* p, migrate_mode) {
  MC_FUNC("zs_page_migrate");
  if (!mapping) mapping = Memory::current().mapping_by_id(1);
  if (rework_517()) return zs_page_migrate_517(mapping, newpage, p);
  return zs_page_migrate_48(mapping, newpage, p);
}

// zs_page_putback (4.8; 1a87aa03597e/701d678599d0 in 5.3; c4549b871102 in 5.17; 4b5d1e47b694
// in 6.5; nothing left to do in 6.17)
void zs_page_putback(page* p) {
  MC_FUNC("zs_page_putback");
  if (v617()) return;
  if (!has_isolated_field()) {
    VM_BUG_ON_PAGE(!PageIsolated(p), p, "!PageIsolated(page)");
    return;
  }
  VM_BUG_ON_PAGE(!PageMovable(p), p, "!PageMovable(page)");
  VM_BUG_ON_PAGE(!PageIsolated(p), p, "!PageIsolated(page)");
  zspage* z = get_zspage(p);
  if (!z) return;
  zs_pool* pool = pool_of_page(p);
  if (rework_517()) {
    if (isolated_under_pool_lock()) {
      size_class* c = zspage_class(pool, z);
      class_lock(pool, c);
      dec_zspage_isolation(z);
      class_unlock(pool, c);
    } else {
      migrate_write_lock(z);
      dec_zspage_isolation(z);
      migrate_write_unlock(z);
    }
    return;
  }
  size_class* c = zspage_class(pool, z);  // get_zspage_mapping: class_idx
  class_lock(pool, c);
  dec_zspage_isolation(z);
  if (!is_zspage_isolated(z)) {
    // The page lock is held: the zspage cannot be freed here, so defer.
    if (putback_deferred()) {
      putback_zspage_deferred(pool, c, z);
    } else if (putback_zspage(c, z) == ZS_EMPTY) {
      schedule_work(pool);
    }
    if (isolated_accounting()) zs_pool_dec_isolated(pool);
  }
  class_unlock(pool, c);
}

const movable_operations zsmalloc_mops = {"zsmalloc", zs_page_isolate, zs_page_migrate,
                                          zs_page_putback};

// The system workqueue's worker running free_work.
void zs_kworker(zs_wq* wq) {
  mc::set_thread_name("kworker");  // a worker of the system workqueue, as the kernel names it
  MC_FUNC("kworker");
  while (true) {
    mc::await(wq->state, [wq] { return (wq->state.peek() & 5) != 0; });
    const int st = wq->state.load();
    if (st & 1) {
      wq->state.fetch_xor(3);  // pending -> running
      async_free_zspage(wq->pool);
      wq->state.fetch_and(~2);
      continue;
    }
    if (st & 4) return;
  }
}

void zs_work_stop(zs_wq* wq) { wq->state.fetch_or(4); }

void zs_run_pending_work(zs_pool* pool) {
  zs_wq* wq = pool->free_work.load();
  if (wq->state.load() & 1) {
    wq->state.fetch_and(~1);
    async_free_zspage(pool);
  }
}

bool zs_has_isolated_accounting() { return isolated_accounting(); }

// ---- end-state helpers (no events) ----

page* zs_handle_page_peek(unsigned long handle) {
  const unsigned long obj = H(handle)->word.peek() >> OBJ_TAG_BITS;
  return Memory::current().pfn_to_page(static_cast<int>(obj >> OBJ_INDEX_BITS));
}

long zs_obj_value_peek(zs_pool* pool, unsigned long handle) {
  const unsigned long obj = H(handle)->word.peek() >> OBJ_TAG_BITS;
  page* p = Memory::current().pfn_to_page(static_cast<int>(obj >> OBJ_INDEX_BITS));
  zspage* z = reinterpret_cast<zspage*>(p->private_.peek());
  if (!z) return -1;
  size_class* c = nullptr;
  const unsigned idx = (z->bits.peek() >> CLASS_SHIFT) & CLASS_MASK;
  if (static_cast<int>(idx) < pool->nr_classes) c = pool->size_class_[idx].peek();
  if (!c) return -1;
  int at = (c->size * static_cast<int>(obj & OBJ_INDEX_MASK)) % kZsUnits + 1;
  while (at >= kZsUnits) {
    p = pool->ext[p->pfn].next.peek();
    if (!p) return -1;
    at -= kZsUnits;
  }
  zs_page_mem* m = pool->ext[p->pfn].mem;
  return m ? static_cast<long>(m->unit[at].peek()) : -1;
}

void zs_check_pool_peek(zs_pool* pool, int expected_objects) {
  Memory& mem = Memory::current();
  int inuse = 0;
  for (int pfn = 0; pfn < mem.nr_pages(); ++pfn) {
    page* p = mem.pfn_to_page(pfn);
    const std::string where = "pfn " + std::to_string(pfn) + ": ";
    if (mem.is_free_peek(pfn)) {
      if (p->_refcount.peek() != 0) mc::violation("end state", where + "free with a reference");
      continue;
    }
    zspage* z = reinterpret_cast<zspage*>(p->private_.peek());
    if (!z) continue;  // not zsmalloc's: another owner's, or nobody's (check_zone_end)
    if (p->_refcount.peek() != 1)
      mc::violation("end state", where + "zsmalloc page with refcount " +
                                     std::to_string(p->_refcount.peek()) + "\n" +
                                     dump_page(p, "end state"));
    if (p->flags.peek() & (bit(PG_locked) | bit(PG_isolated)))
      mc::violation("end state",
                    where + "zsmalloc page still locked or isolated\n" + dump_page(p, "end state"));
    if (z->first_page.peek() == p) inuse += static_cast<int>(z->inuse.peek());
    if (pool->ext[pfn].mem) mc::expect_alive(pool->ext[pfn].mem);
    mc::expect_alive(z);
  }
  if (inuse != expected_objects)
    mc::violation("end state", "zspages hold " + std::to_string(inuse) + " objects, expected " +
                                   std::to_string(expected_objects));
}

}  // namespace proto
