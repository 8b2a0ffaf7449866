// The z3fold model. Written from mm/z3fold.c as 5.11-5.18 have it (after dcf5aedb24f8 "z3fold:
// stricter locking and more careful reclaim", 5.11, and the inter-page compaction of
// 4a3ac9311dac, 5.5) and the later commits gated below, and from the code of the model's 5.3,
// 5.4 and 5.9 (the 5.3.1, 5.4.18 and 5.9.1 trees); each kernel function keeps its kernel name.
// Simplifications (docs/z3fold.md): one CPU; no HEADLESS pages (objects that need a page of their
// own are never movable); no reclaim (z3fold_reclaim_page, zswap's writeback until 6.5), so nothing
// encodes handles in a HANDLES_NOFREE slots structure; the slots cache never fails; migrate_disable
// / cpu_relax are not events.
#include "protocol/z3fold.h"

#include <string>

#include "protocol/end_state.h"
#include "protocol/page_lock.h"
#include "protocol/version.h"
#include "protocol/wait.h"

namespace proto {

namespace {

// ---- version gates ----
// The model's 5.3, 5.4 and 5.9 are their own code (read from the 5.3.1, 5.4.18 and 5.9.1
// trees); each change of 5.5-5.8 is gated at 5.9, each of 5.10-5.14 at 5.15, the next modelled
// versions.
// d776aaa9895e "mm/z3fold.c: fix race between migration and destruction" (5.3-rc6): the pool
// counts its isolated pages under pool->lock, isolation refuses the pages of a pool being
// destroyed, and z3fold_destroy_pool waits on isolate_wait with the condition inverted
// (`!pool_isolated_are_drained`); 6e73fd25e2c7 reverted all of it (5.4-rc1 and 5.3.2: "may
// get blocked on wait_event() for indefinite time").
bool destroy_waits_for_isolated() { return !kcfg().at_least(Kernel::v5_4); }
// 5b6807de1144 "mm/z3fold.c: claim page in the beginning of free" (5.4-rc3): z3fold_free claims
// the page (PAGE_CLAIMED) first; a free that finds it claimed already only frees its object.
// Before, only reclaim claimed pages, and z3fold_free tests PG_isolated.
bool free_claims_page() { return kcfg().at_least(Kernel::v5_4); }
// "z3fold: fix retry mechanism in page reclaim" (5.4, id not found): isolation refuses a
// claimed page before it takes the page lock, and do_compact_page leaves one alone.
bool claimed_left_alone() { return kcfg().at_least(Kernel::v5_4); }
// 4a3ac9311dac "mm/z3fold.c: add inter-page compaction" (5.5): the slots' rwlock around every
// read and write of a slot, get_z3fold_header (the slot read and the header trylocked under
// it), zhdr->foreign_handles and compact_single_buddy, the slots allocated again for a page
// whose own were freed, get_free_buddy; isolation takes pool->lock around the buddy list
// removal too (read from the posted patch and the 5.6 and 5.9 trees). 5.9 is the code of 5.6
// with free_handle's slot check under the write lock ("z3fold: fix use-after-free when freeing
// handles", in 5.9's tree, not 5.6's; id not identified).
bool slots_locked() { return kcfg().at_least(Kernel::v5_9); }
// dcf5aedb24f8 "z3fold: stricter locking and more careful reclaim" (5.11-rc1, in mainline's log
// next to fc5488651c7d; not read from a 5.11 tree): isolation claims the page, migration and
// putback release the claim, do_compact_page takes it too, z3fold_free no longer tests
// PG_isolated (in 5.15's tree, not in 5.9's).
bool isolation_claims() { return kcfg().at_least(Kernel::v5_15); }
// fc5488651c7d "z3fold: simplify freeing slots" (5.11-rc1): free_handle frees a slots structure
// once its slots are empty, the page's own included (zhdr->slots then NULL, allocated again by
// z3fold_alloc), HANDLES_NOFREE marks reclaim's; before, the page's own slots are freed by
// __release_z3fold_page, or marked HANDLES_ORPHANED there and freed by the last free_handle.
bool free_handle_frees_own_slots() { return kcfg().at_least(Kernel::v5_15); }
// get_free_buddy, where the buddy for an object is chosen (z3fold_alloc, compact_single_buddy):
// in 5.15's tree, not in 5.9's (commit not identified). Before, the inline choice of 5.3, which
// takes LAST for an object no smaller than start_middle whether or not LAST is free.
bool has_get_free_buddy() { return kcfg().at_least(Kernel::v5_15); }
// __z3fold_alloc refuses a claimed page: in 5.6's tree, not in 5.4's (the commit not
// identified).
bool alloc_refuses_claimed() { return kcfg().at_least(Kernel::v5_9); }
// 68f2736a8583 "mm: Convert all PageMovable users to movable_operations" (6.0): z3fold_mops
// instead of the pseudo filesystem's inode; the model registers one mapping for either
// (z3fold_create_pool), and __ClearPageMovable's own gate drops the page lock check.
// 5.19, Miaohe Lin's series (ids verified from the mainline list):
// 943fb61dd66f "fix z3fold_page_migrate races with z3fold_map": PAGE_MIGRATED on the old page,
// which get_z3fold_header then passes over.
bool page_migrated_flag() { return kcfg().at_least(Kernel::v5_19); }
// 4a1c3839108a "always clear PAGE_CLAIMED under z3fold page lock".
bool claim_cleared_locked() { return kcfg().at_least(Kernel::v5_19); }
// 6cf9a34967ed "put z3fold page back into unbuddied list when reclaim or migration fails".
bool putback_unbuddied() { return kcfg().at_least(Kernel::v5_19); }
// 2c0f35143478 (5.19, the trylock_page warning): z3fold_alloc without sleeping warns when
// trylock_page fails and marks the page movable either way.
bool movable_mark_always() { return kcfg().at_least(Kernel::v5_19); }
// Miaohe Lin's clean-up series merged for 5.19 (the mainline ids not verified): pages_nr
// decremented in __release_z3fold_page instead of by each caller; no ClearPagePrivate (z3fold
// never sets PG_private) and no page_mapcount_reset in z3fold_page_migrate; z3fold_free's
// direct compaction leaves the list_del_init to do_compact_page.
bool cleanup_519() { return kcfg().at_least(Kernel::v5_19); }
// "mm: remove PageMovable export" (6.3, id not verified): no VM_BUG_ON_PAGE(!PageMovable) in
// isolate and migrate. Of the modelled versions, 6.5.
bool asserts_movable() { return !kcfg().at_least(Kernel::v6_5); }
// e774a7bc7f0a "mm: zswap: remove page reclaim logic from z3fold" (6.5): no pool->lru.
bool has_lru() { return !kcfg().at_least(Kernel::v6_5); }
// z3fold_reclaim_page's history (each read in the 5.3.1, 5.4.18, 5.9.1, 5.15.55 and 5.19 trees):
// "z3fold: fix retry mechanism in page reclaim" (5.4, id not found; in 5.4.18, not 5.3.1) and
// dcf5aedb24f8 (5.11): the handles given to evict are encoded in reclaim's own slots (on its
// stack; HANDLES_NOFREE from dcf5aedb24f8), not the page's; 4a3ac9311dac (5.5) had gone back to
// the page's own slots, freeing each handle after its eviction.
bool reclaim_local_slots() { return (free_claims_page() && !slots_locked()) || isolation_claims(); }
// 04094226d6ce "mm/z3fold: fix z3fold_reclaim_page races with z3fold_free" (5.19): the page's
// reference taken after the claim, under the page lock; before (from dcf5aedb24f8), taken with
// kref_get_unless_zero before the trylock and dropped when the trylock failed, with the release
// that takes pool->lock, which reclaim holds.
bool reclaim_ref_after_claim() { return kcfg().at_least(Kernel::v5_19); }

// ---- z3fold's lists (list.h with CONFIG_DEBUG_LIST's checks) ----
constexpr auto kOnce = std::memory_order_relaxed;  // READ_ONCE / WRITE_ONCE
void INIT_LIST_HEAD(z3_list* l, SL loc = SL::current()) {
  l->next.store(l, kOnce, loc);
  l->prev.store(l, loc);
}
bool list_empty(z3_list* head, SL loc = SL::current()) {
  return head->next.load(kOnce, loc) == head;
}
void list_add(z3_list* entry, z3_list* head, SL loc = SL::current()) {
  z3_list* next = head->next.load(kOnce, loc);
  if (next->prev.load(loc) != head || entry == head || entry == next)
    mc::violation("list_add corruption", "list_add: neighbours do not point at each other", loc);
  next->prev.store(entry, loc);
  entry->next.store(next, kOnce, loc);
  entry->prev.store(head, loc);
  head->next.store(entry, kOnce, loc);
}
void list_del_entry(z3_list* entry, SL loc) {
  z3_list* next = entry->next.load(kOnce, loc);
  z3_list* prev = entry->prev.load(loc);
  if (!next || !prev || prev->next.load(kOnce, loc) != entry || next->prev.load(loc) != entry) {
    mc::violation("list_del corruption",
                  "list_del: the entry's neighbours do not point at it (zhdr->buddy)", loc);
    return;
  }
  next->prev.store(prev, loc);
  prev->next.store(next, kOnce, loc);
}
void list_del(z3_list* entry, SL loc = SL::current()) {
  list_del_entry(entry, loc);
  entry->next.store(reinterpret_cast<z3_list*>(LIST_POISON1), kOnce, loc);
  entry->prev.store(reinterpret_cast<z3_list*>(LIST_POISON2), loc);
}
void list_del_init(z3_list* entry, SL loc = SL::current()) {
  list_del_entry(entry, loc);
  INIT_LIST_HEAD(entry, loc);
}
// list_first_entry_or_null: the page whose header is first, null if the list is empty.
page* list_first_page(z3_list* head, SL loc = SL::current()) {
  z3_list* n = head->next.load(kOnce, loc);
  return n == head ? nullptr : n->owner;
}

// ---- page->private bits: atomic bitops (set_bit / clear_bit unordered, test_and_* full) ----
bool ptest(unsigned nr, page* p, SL loc = SL::current()) {
  return p->private_bits.load(kRelaxed, loc) & bit(nr);
}
void pset(unsigned nr, page* p, SL loc = SL::current()) {
  p->private_bits.fetch_or(bit(nr), kRelaxed, loc);
}
void pclear(unsigned nr, page* p, SL loc = SL::current()) {
  p->private_bits.fetch_and(~bit(nr), kRelaxed, loc);
}
bool ptest_and_set(unsigned nr, page* p, SL loc = SL::current()) {
  return p->private_bits.fetch_or(bit(nr), std::memory_order_seq_cst, loc) & bit(nr);
}
bool ptest_and_clear(unsigned nr, page* p, SL loc = SL::current()) {
  return p->private_bits.fetch_and(~bit(nr), std::memory_order_seq_cst, loc) & bit(nr);
}

// ---- memory: page_address / virt_to_page ----
z3fold_page_mem* mem_of(page* p) { return static_cast<z3fold_page_mem*>(p->virt); }
z3fold_header* page_address(page* p, SL loc = SL::current()) {
  z3fold_page_mem* m = mem_of(p);
  if (!m) {
    mc::violation(
        "bad page access",
        "z3fold uses pfn " + std::to_string(p->pfn) + " as its page, which it does not own", loc);
    return nullptr;
  }
  return &m->hdr;
}
z3fold_page_mem* mem_of(z3fold_header* zhdr) { return zhdr->mem; }
page* virt_to_page(z3fold_header* zhdr) { return mem_of(zhdr)->pg; }

// z3fold takes the page's memory into use (the page is its own from here) / lets it go.
z3fold_header* take_page_mem(page* p) {
  auto* m = mc::make_named<z3fold_page_mem>("z3fold page memory", SL::current(), p);
  p->virt = m;
  return &m->hdr;
}
void drop_page_mem(page* p) {
  if (p->virt) mc::free(mem_of(p));
  p->virt = nullptr;
}

// The header's bit-fields (one word).
constexpr int kFirstNum = 0, kMappedCount = 2, kForeignHandles = 4;
unsigned field(z3fold_header* z, int shift, SL loc = SL::current()) {
  return (z->bits.load(loc) >> shift) & 3u;
}
void set_field(z3fold_header* z, int shift, unsigned v, SL loc = SL::current()) {
  const unsigned w = z->bits.load(loc);
  z->bits.store((w & ~(3u << shift)) | ((v & 3u) << shift), loc);
}

void WARN_ON(bool cond, const char* expr, SL loc = SL::current()) {
  if (cond) mc::warning("WARN_ON", std::string("WARNING: WARN_ON(") + expr + ")", loc);
}

// ---- locks ----
void z3fold_page_lock(z3fold_header* zhdr, SL loc = SL::current()) {
  MC_FUNC("z3fold_page_lock");
  zhdr->page_lock.lock(loc);
}
bool z3fold_page_trylock(z3fold_header* zhdr, SL loc = SL::current()) {
  MC_FUNC("z3fold_page_trylock");
  return zhdr->page_lock.try_lock(loc);
}
void z3fold_page_unlock(z3fold_header* zhdr, SL loc = SL::current()) {
  MC_FUNC("z3fold_page_unlock");
  zhdr->page_lock.unlock(loc);
}

// ---- handles and slots ----
z3fold_buddy_slots* handle_to_slots(unsigned long handle) {
  return reinterpret_cast<z3fold_buddy_slots*>(handle & ~(SLOTS_ALIGN - 1));
}
// *(unsigned long *)handle: the slot the handle is the address of.
mc::plain<unsigned long>& handle_slot(unsigned long handle) {
  return handle_to_slots(handle)->slot[(handle & (SLOTS_ALIGN - 1)) / sizeof(unsigned long)];
}
z3fold_pool* slots_to_pool(z3fold_buddy_slots* s) {
  return reinterpret_cast<z3fold_pool*>(s->pool.load() & ~3ul);
}

// alloc_slots (kmem_cache_zalloc of c_handle).
z3fold_buddy_slots* alloc_slots(z3fold_pool* pool) {
  MC_FUNC("alloc_slots");
  auto* slots = mc::make_named<z3fold_buddy_slots>("z3fold_buddy_slots", SL::current());
  slots->pool.store(reinterpret_cast<unsigned long>(pool));
  ++pool->c_handle_objects;
  return slots;
}
void free_slots(z3fold_pool* pool, z3fold_buddy_slots* slots) {
  --pool->c_handle_objects;
  mc::free(slots);  // kmem_cache_free(pool->c_handle, slots)
}

// get_z3fold_header (767cc6c5568a, 5.14, folded __get_z3fold_header into it): the header the
// handle's slot points at, page-locked (spinning on the trylock until it succeeds). 5.19
// (943fb61dd66f) also passes over a page migration has marked PAGE_MIGRATED, until the slot
// points at the new page.
z3fold_header* get_z3fold_header(unsigned long handle, SL loc = SL::current()) {
  MC_FUNC("get_z3fold_header");
  z3fold_buddy_slots* slots = handle_to_slots(handle);
  while (true) {
    slots->lock.read_lock(loc);
    const unsigned long addr = handle_slot(handle).load(loc);
    auto* zhdr = reinterpret_cast<z3fold_header*>(addr & Z3_ADDR_MASK);
    if (!zhdr) {
      slots->lock.read_unlock(loc);
      mc::violation("NULL pointer dereference",
                    "BUG: kernel NULL pointer dereference: the handle's slot is empty (the object "
                    "was freed)",
                    loc);
      return nullptr;
    }
    const bool locked = z3fold_page_trylock(zhdr, loc);
    slots->lock.read_unlock(loc);
    if (locked) {
      if (!page_migrated_flag() || !ptest(PAGE_MIGRATED, virt_to_page(zhdr), loc)) return zhdr;
      z3fold_page_unlock(zhdr, loc);
    }
    // cpu_relax() and again: the model waits until another try can go otherwise, the slot
    // pointing elsewhere or (not after PAGE_MIGRATED) the page it names unlocked. The wait
    // reads neither through the old header: a spinning CPU re-reads the slot first.
    mc::plain<unsigned long>& s = handle_slot(handle);
    const bool migrated = locked;
    mc::await(
        slots->lock,
        [&s, addr, zhdr, migrated] {
          return s.peek() != addr || (!migrated && zhdr->page_lock.owner() == mc::kNoThread);
        },
        loc);
  }
}
// handle_to_z3fold_header: the header the handle's slot points at; to 5.4 read without a lock,
// the callers then taking its page lock (z3fold_page_lock, which waits); from 5.5
// (__get_z3fold_header without the page lock, 5.9's free_handle) under the slots' read lock.
z3fold_header* handle_to_z3fold_header(unsigned long handle, SL loc = SL::current()) {
  MC_FUNC("handle_to_z3fold_header");
  z3fold_buddy_slots* slots = handle_to_slots(handle);
  if (slots_locked()) slots->lock.read_lock(loc);
  const unsigned long addr = handle_slot(handle).load(loc);
  if (slots_locked()) slots->lock.read_unlock(loc);
  auto* zhdr = reinterpret_cast<z3fold_header*>(addr & Z3_ADDR_MASK);
  if (!zhdr)
    mc::violation("NULL pointer dereference",
                  "BUG: kernel NULL pointer dereference: the handle's slot is empty (the object "
                  "was freed)",
                  loc);
  return zhdr;
}

// The page-locked header of a handle's object, as z3fold_free / z3fold_map / z3fold_unmap find
// it: get_z3fold_header from 5.5 (4a3ac9311dac); before, handle_to_z3fold_header, the
// HEADLESS test (no such page in the model) and z3fold_page_lock.
z3fold_header* lookup_locked(unsigned long handle, SL loc = SL::current()) {
  if (slots_locked()) return get_z3fold_header(handle, loc);
  z3fold_header* zhdr = handle_to_z3fold_header(handle, loc);
  if (!zhdr) return nullptr;
  if (ptest(PAGE_HEADLESS, virt_to_page(zhdr), loc)) return nullptr;  // never, in the model
  z3fold_page_lock(zhdr, loc);
  return zhdr;
}

void put_z3fold_header(z3fold_header* zhdr, SL loc = SL::current()) {
  MC_FUNC("put_z3fold_header");
  if (!ptest(PAGE_HEADLESS, virt_to_page(zhdr), loc)) z3fold_page_unlock(zhdr, loc);
}

// The end of z3fold_free / z3fold_map / z3fold_unmap: put_z3fold_header from 5.5
// (4a3ac9311dac); before, z3fold_page_unlock.
void unlock_found(z3fold_header* zhdr, SL loc = SL::current()) {
  if (slots_locked())
    put_z3fold_header(zhdr, loc);
  else
    z3fold_page_unlock(zhdr, loc);
}

// PAGE_CLAIMED cleared and the page lock dropped (by `unlock`: z3fold_page_unlock or
// put_z3fold_header): 4a1c3839108a (5.19) clears the claim first, under the lock; before, after.
void unclaim_and_unlock(z3fold_header* zhdr, page* p, void (*unlock)(z3fold_header*, SL)) {
  if (claim_cleared_locked()) {
    pclear(PAGE_CLAIMED, p);
    unlock(zhdr, SL::current());
  } else {
    unlock(zhdr, SL::current());
    pclear(PAGE_CLAIMED, p);
  }
}

// Whether every slot of the structure is empty (read in order up to the first that is not).
bool slots_empty(z3fold_buddy_slots* slots) {
  for (unsigned i = 0; i <= BUDDY_MASK; ++i)
    if (slots->slot[i].load()) return false;
  return true;
}

// 5.9's free_handle: the header found again through the slot (under the slots' read lock, not
// page-locked), then under the write lock the slot cleared; the page's own slots are left to
// __release_z3fold_page, a foreign structure is freed by the last free_handle once
// __release_z3fold_page of its page marked it HANDLES_ORPHANED.
void free_handle_59(unsigned long handle) {
  z3fold_header* zhdr = handle_to_z3fold_header(handle);
  z3fold_buddy_slots* slots = handle_to_slots(handle);
  slots->lock.write_lock();
  handle_slot(handle).store(0);
  if (zhdr->slots.load() == slots) {
    slots->lock.write_unlock();
    return;
  }
  set_field(zhdr, kForeignHandles, field(zhdr, kForeignHandles) - 1);
  if (!(slots->pool.load() & (1ul << HANDLES_ORPHANED))) {
    slots->lock.write_unlock();
    return;
  }
  const bool is_free = slots_empty(slots);
  slots->lock.write_unlock();
  if (is_free) free_slots(slots_to_pool(slots), slots);
}

// free_handle (fc5488651c7d, 5.11): the slot cleared under the slots' write lock; the slots
// structure freed once all its slots are empty. 5.3 has no lock; 5.9: free_handle_59.
void free_handle(unsigned long handle, z3fold_header* zhdr) {
  MC_FUNC("free_handle");
  if (handle & (1ul << PAGE_HEADLESS)) return;
  if (!slots_locked()) {
    // 5.3: the slot cleared and the others read without a lock, the slots structure freed
    // when all are empty (zhdr->slots keeps pointing at it).
    WARN_ON(handle_slot(handle).load() == 0, "*(unsigned long *)handle == 0");
    handle_slot(handle).store(0);
    z3fold_buddy_slots* slots = handle_to_slots(handle);
    if (slots_empty(slots)) free_slots(slots_to_pool(slots), slots);
    return;
  }
  if (handle_slot(handle).load() == 0) {
    WARN_ON(true, "*(unsigned long *)handle == 0");
    return;
  }
  if (!free_handle_frees_own_slots()) return free_handle_59(handle);
  z3fold_buddy_slots* slots = handle_to_slots(handle);
  slots->lock.write_lock();
  handle_slot(handle).store(0);
  if (slots->pool.load() & (1ul << HANDLES_NOFREE)) {
    slots->lock.write_unlock();
    return;
  }
  if (zhdr->slots.load() != slots)
    set_field(zhdr, kForeignHandles, field(zhdr, kForeignHandles) - 1);
  const bool is_free = slots_empty(slots);
  slots->lock.write_unlock();
  if (is_free) {
    z3fold_pool* pool = slots_to_pool(slots);
    if (zhdr->slots.load() == slots) zhdr->slots.store(nullptr);
    free_slots(pool, slots);
  }
}

int __idx(z3fold_header* zhdr, z3_buddy bud) {
  return (static_cast<int>(bud) + static_cast<int>(field(zhdr, kFirstNum))) & BUDDY_MASK;
}

// __encode_handle: the object's address (header | index, | the last object's size) in the
// slot, the slot's address as the handle.
unsigned long __encode_handle(z3fold_header* zhdr, z3fold_buddy_slots* slots, z3_buddy bud) {
  MC_FUNC("encode_handle");
  unsigned long h = reinterpret_cast<unsigned long>(zhdr);
  const int idx = __idx(zhdr, bud);
  h += static_cast<unsigned long>(idx);
  if (bud == LAST) h |= static_cast<unsigned long>(zhdr->last_chunks.load()) << BUDDY_SHIFT;
  if (slots_locked()) slots->lock.write_lock();
  slots->slot[idx].store(h);
  if (slots_locked()) slots->lock.write_unlock();
  return reinterpret_cast<unsigned long>(slots) +
         sizeof(unsigned long) * static_cast<unsigned>(idx);
}
unsigned long encode_handle(z3fold_header* zhdr, z3_buddy bud) {
  return __encode_handle(zhdr, zhdr->slots.load(), bud);
}

// The slot's value, under the slots' read lock from 5.5 (4a3ac9311dac).
unsigned long read_slot(unsigned long handle) {
  z3fold_buddy_slots* slots = handle_to_slots(handle);
  if (slots_locked()) slots->lock.read_lock();
  const unsigned long addr = handle_slot(handle).load();
  if (slots_locked()) slots->lock.read_unlock();
  return addr;
}

// handle_to_chunks: only for LAST.
unsigned handle_to_chunks(unsigned long handle) {
  const unsigned long addr = read_slot(handle);
  return static_cast<unsigned>((addr & (SLOTS_ALIGN - 1)) >> BUDDY_SHIFT);
}

// handle_to_buddy: reads the slot again and the header's first_num.
z3_buddy handle_to_buddy(unsigned long handle) {
  const unsigned long addr = read_slot(handle);
  auto* zhdr = reinterpret_cast<z3fold_header*>(addr & Z3_ADDR_MASK);
  if (!zhdr)
    mc::violation("NULL pointer dereference",
                  "BUG: kernel NULL pointer dereference in handle_to_buddy: the handle's slot was "
                  "emptied (the object freed) after the lookup found the page, and "
                  "zhdr->first_num is read at its address");
  return static_cast<z3_buddy>((addr - field(zhdr, kFirstNum)) & BUDDY_MASK);
}

// ---- pages ----

// init_z3fold_page (not headless).
z3fold_header* init_z3fold_page(page* p, z3fold_pool* pool) {
  MC_FUNC("init_z3fold_page");
  z3fold_header* zhdr = take_page_mem(p);
  if (has_lru()) INIT_LIST_HEAD(&p->lru);
  pclear(PAGE_HEADLESS, p);
  pclear(MIDDLE_CHUNK_MAPPED, p);
  pclear(NEEDS_COMPACTING, p);
  pclear(PAGE_STALE, p);
  pclear(PAGE_CLAIMED, p);
  if (page_migrated_flag()) pclear(PAGE_MIGRATED, p);
  z3fold_buddy_slots* slots = alloc_slots(pool);
  // memset(zhdr, 0), spin_lock_init, kref_init, INIT_LIST_HEAD, INIT_WORK: the block is new.
  zhdr->refcount.store(1, kRelaxed);
  zhdr->cpu.store(-1);
  zhdr->slots.store(slots);
  zhdr->pool.store(pool);
  INIT_LIST_HEAD(&zhdr->buddy);
  return zhdr;
}

// free_z3fold_page (not headless): the movable mark off under the page lock, then the page
// back to the allocator.
void free_z3fold_page(page* p) {
  MC_FUNC("free_z3fold_page");
  lock_page(p);
  __ClearPageMovable(p);
  unlock_page(p);
  if (!cleanup_519()) clear_bit(PG_private, p);  // ClearPagePrivate
  drop_page_mem(p);
  put_page(p);  // __free_page
}

void __release_z3fold_page(z3fold_header* zhdr, bool locked) {
  MC_FUNC("__release_z3fold_page");
  page* p = virt_to_page(zhdr);
  z3fold_pool* pool = zhdr->pool.load();
  WARN_ON(!list_empty(&zhdr->buddy), "!list_empty(&zhdr->buddy)");
  pset(PAGE_STALE, p);
  pclear(NEEDS_COMPACTING, p);
  pool->lock.lock();
  if (has_lru() && !list_empty(&p->lru)) list_del_init(&p->lru);
  pool->lock.unlock();
  if (slots_locked() && !free_handle_frees_own_slots()) {
    // 5.5-5.10: the page's own slots freed if empty, else marked HANDLES_ORPHANED for the last
    // free_handle of an object compaction moved away.
    z3fold_buddy_slots* slots = zhdr->slots.load();
    slots->lock.read_lock();
    const bool is_free = slots_empty(slots);
    if (!is_free) slots->pool.store(slots->pool.load() | (1ul << HANDLES_ORPHANED));  // set_bit
    slots->lock.read_unlock();
    if (is_free) free_slots(pool, zhdr->slots.load());
  }
  if (locked) z3fold_page_unlock(zhdr);
  pool->stale_lock.lock();
  list_add(&zhdr->buddy, &pool->stale);
  queue_work(pool->release_wq, &pool->work);
  pool->stale_lock.unlock();
  if (cleanup_519()) pool->pages_nr.fetch_sub(1);
}

// The callers' atomic64_dec(&pool->pages_nr) after a kref_put that released the page (before
// the 5.19 clean-up moved it into __release_z3fold_page).
void pages_nr_dec(z3fold_pool* pool) {
  if (!cleanup_519()) pool->pages_nr.fetch_sub(1);
}

bool kref_put(z3fold_header* zhdr, void (*release)(z3fold_header*), SL loc = SL::current()) {
  if (zhdr->refcount.fetch_sub(1, std::memory_order_release, loc) == 1) {
    release(zhdr);
    return true;
  }
  return false;
}
void kref_get(z3fold_header* zhdr, SL loc = SL::current()) {
  zhdr->refcount.fetch_add(1, kRelaxed, loc);
}

void release_z3fold_page_locked(z3fold_header* zhdr) {
  WARN_ON(z3fold_page_trylock(zhdr), "z3fold_page_trylock(zhdr)");
  __release_z3fold_page(zhdr, true);
}
void release_z3fold_page_locked_list(z3fold_header* zhdr) {
  z3fold_pool* pool = zhdr->pool.load();
  pool->lock.lock();
  list_del_init(&zhdr->buddy);
  pool->lock.unlock();
  WARN_ON(z3fold_page_trylock(zhdr), "z3fold_page_trylock(zhdr)");
  __release_z3fold_page(zhdr, true);
}

// free_pages_work: frees the stale pages, after cancelling each one's compaction work.
void free_pages_work(work_struct* w) {
  MC_FUNC("free_pages_work");
  auto* pool = static_cast<z3fold_pool*>(w->container);
  pool->stale_lock.lock();
  while (!list_empty(&pool->stale)) {
    page* p = list_first_page(&pool->stale);
    z3fold_header* zhdr = page_address(p);
    if (!zhdr) break;
    list_del(&zhdr->buddy);
    if (!ptest(PAGE_STALE, p)) {
      WARN_ON(true, "!test_bit(PAGE_STALE, &page->private)");
      continue;
    }
    pool->stale_lock.unlock();
    cancel_work_sync(pool->compact_wq, &zhdr->work);
    free_z3fold_page(p);
    pool->stale_lock.lock();
  }
  pool->stale_lock.unlock();
}

int num_free_chunks(z3fold_header* zhdr) {
  const int first = static_cast<int>(zhdr->first_chunks.load());
  const int middle = static_cast<int>(zhdr->middle_chunks.load());
  const int last = static_cast<int>(zhdr->last_chunks.load());
  if (middle != 0) {
    const int start = static_cast<int>(zhdr->start_middle.load());
    const int before = first ? 0 : start - ZHDR_CHUNKS;
    const int after = last ? 0 : kZ3Chunks - (start + middle);
    return before > after ? before : after;
  }
  return NCHUNKS - first - last;
}

void add_to_unbuddied(z3fold_pool* pool, z3fold_header* zhdr) {
  if (zhdr->first_chunks.load() == 0 || zhdr->last_chunks.load() == 0 ||
      zhdr->middle_chunks.load() == 0) {
    const int freechunks = num_free_chunks(zhdr);
    pool->lock.lock();
    list_add(&zhdr->buddy, &pool->unbuddied[freechunks]);
    pool->lock.unlock();
    zhdr->cpu.store(0);  // smp_processor_id()
  }
}

z3_buddy get_free_buddy(z3fold_header* zhdr, int chunks) {
  if (zhdr->middle_chunks.load()) {
    if (!zhdr->first_chunks.load() &&
        chunks <= static_cast<int>(zhdr->start_middle.load()) - ZHDR_CHUNKS)
      return FIRST;
    if (!zhdr->last_chunks.load()) return LAST;
    return HEADLESS;
  }
  if (!zhdr->first_chunks.load()) return FIRST;
  if (!zhdr->last_chunks.load()) return LAST;
  return MIDDLE;
}

// The chunks of the model's page: `n` chunks from `from` to `to` (memmove / memcpy).
void copy_chunks(z3fold_page_mem* src, int from, z3fold_page_mem* dst, int to, int n) {
  long v[kZ3Chunks];
  for (int i = 0; i < n; ++i) v[i] = src->chunk[from + i].load();
  for (int i = 0; i < n; ++i) dst->chunk[to + i].store(v[i]);
}
void mchunk_memmove(z3fold_header* zhdr, unsigned dst_chunk) {
  copy_chunks(mem_of(zhdr), static_cast<int>(zhdr->start_middle.load()), mem_of(zhdr),
              static_cast<int>(dst_chunk), static_cast<int>(zhdr->middle_chunks.load()));
}

bool buddy_single(z3fold_header* zhdr) {
  const bool f = zhdr->first_chunks.load(), m = zhdr->middle_chunks.load(),
             l = zhdr->last_chunks.load();
  return !((f && m) || (f && l) || (m && l));
}

z3fold_header* __z3fold_alloc(z3fold_pool* pool, int chunks);

// 5.3's choice of a buddy in z3fold_alloc (get_free_buddy replaced it in 4a3ac9311dac, 5.5): a
// page with no first object takes the new one last when it does not fit before the middle one;
// HEADLESS stands for "no free chunks".
z3_buddy z3fold_alloc_buddy_53(z3fold_header* zhdr, int chunks) {
  if (zhdr->first_chunks.load() == 0) {
    if (zhdr->middle_chunks.load() != 0 && chunks >= static_cast<int>(zhdr->start_middle.load()))
      return LAST;
    return FIRST;
  }
  if (zhdr->last_chunks.load() == 0) return LAST;
  if (zhdr->middle_chunks.load() == 0) return MIDDLE;
  return HEADLESS;
}

// compact_single_buddy (4a3ac9311dac, 5.5): the page's only object moves to another page;
// its handle's slot points there and that page counts a foreign handle.
z3fold_header* compact_single_buddy(z3fold_header* zhdr) {
  MC_FUNC("compact_single_buddy");
  z3fold_pool* pool = zhdr->pool.load();
  z3fold_buddy_slots* slots = zhdr->slots.load();
  const int first_idx = __idx(zhdr, FIRST), middle_idx = __idx(zhdr, MIDDLE),
            last_idx = __idx(zhdr, LAST);
  int from = 0, chunks = 0;
  mc::plain<unsigned long>* old_handle = nullptr;
  mc::plain<unsigned>* moved_chunks = nullptr;
  // "No need to protect slots here": the slots are the page's own, the page is locked.
  if (zhdr->first_chunks.load() && slots->slot[first_idx].load()) {
    from = ZHDR_CHUNKS;
    chunks = static_cast<int>(zhdr->first_chunks.load());
    old_handle = &slots->slot[first_idx];
    moved_chunks = &zhdr->first_chunks;
  } else if (zhdr->middle_chunks.load() && slots->slot[middle_idx].load()) {
    from = static_cast<int>(zhdr->start_middle.load());
    chunks = static_cast<int>(zhdr->middle_chunks.load());
    old_handle = &slots->slot[middle_idx];
    moved_chunks = &zhdr->middle_chunks;
  } else if (zhdr->last_chunks.load() && slots->slot[last_idx].load()) {
    chunks = static_cast<int>(zhdr->last_chunks.load());
    from = kZ3Chunks - chunks;
    old_handle = &slots->slot[last_idx];
    moved_chunks = &zhdr->last_chunks;
  }
  if (chunks == 0) return nullptr;
  z3fold_header* new_zhdr = __z3fold_alloc(pool, chunks);
  if (!new_zhdr) return nullptr;
  if (new_zhdr == zhdr) {
    WARN_ON(true, "new_zhdr == zhdr");
  } else {
    const z3_buddy new_bud = has_get_free_buddy() ? get_free_buddy(new_zhdr, chunks)
                                                  : z3fold_alloc_buddy_53(new_zhdr, chunks);
    int to = 0;
    switch (new_bud) {
      case FIRST:
        new_zhdr->first_chunks.store(static_cast<unsigned>(chunks));
        to = ZHDR_CHUNKS;
        break;
      case MIDDLE:
        new_zhdr->middle_chunks.store(static_cast<unsigned>(chunks));
        new_zhdr->start_middle.store(new_zhdr->first_chunks.load() + ZHDR_CHUNKS);
        to = static_cast<int>(new_zhdr->start_middle.load());
        break;
      case LAST:
        new_zhdr->last_chunks.store(static_cast<unsigned>(chunks));
        to = kZ3Chunks - chunks;
        break;
      default:
        to = -1;
    }
    if (to >= 0) {
      set_field(new_zhdr, kForeignHandles, field(new_zhdr, kForeignHandles) + 1);
      copy_chunks(mem_of(zhdr), from, mem_of(new_zhdr), to, chunks);
      slots->lock.write_lock();
      unsigned long a = reinterpret_cast<unsigned long>(new_zhdr) +
                        static_cast<unsigned>(__idx(new_zhdr, new_bud));
      if (new_bud == LAST)
        a |= static_cast<unsigned long>(new_zhdr->last_chunks.load()) << BUDDY_SHIFT;
      old_handle->store(a);
      slots->lock.write_unlock();
      add_to_unbuddied(pool, new_zhdr);
      z3fold_page_unlock(new_zhdr);
      moved_chunks->store(0);
      return new_zhdr;
    }
  }
  // out_fail
  if (kref_put(new_zhdr, release_z3fold_page_locked)) {
    pages_nr_dec(pool);
  } else {
    add_to_unbuddied(pool, new_zhdr);
    z3fold_page_unlock(new_zhdr);
  }
  return nullptr;
}

constexpr int BIG_CHUNK_GAP = 3;
// z3fold_compact_page (page locked): the middle object moves towards the others.
bool z3fold_compact_page(z3fold_header* zhdr) {
  MC_FUNC("z3fold_compact_page");
  page* p = virt_to_page(zhdr);
  if (ptest(MIDDLE_CHUNK_MAPPED, p)) return false;
  if (PageIsolated(p)) return false;
  const unsigned middle = zhdr->middle_chunks.load();
  if (middle == 0) return false;
  const unsigned first = zhdr->first_chunks.load(), last = zhdr->last_chunks.load();
  const unsigned start = zhdr->start_middle.load();
  if (first == 0 && last == 0) {
    mchunk_memmove(zhdr, ZHDR_CHUNKS);
    zhdr->first_chunks.store(middle);
    zhdr->middle_chunks.store(0);
    zhdr->start_middle.store(0);
    set_field(zhdr, kFirstNum, field(zhdr, kFirstNum) + 1);
    return true;
  }
  if (first != 0 && last == 0 && static_cast<int>(start - (first + ZHDR_CHUNKS)) >= BIG_CHUNK_GAP) {
    mchunk_memmove(zhdr, first + ZHDR_CHUNKS);
    zhdr->start_middle.store(first + ZHDR_CHUNKS);
    return true;
  }
  if (last != 0 && first == 0 &&
      kZ3Chunks - static_cast<int>(last + start + middle) >= BIG_CHUNK_GAP) {
    const unsigned new_start = kZ3Chunks - last - middle;
    mchunk_memmove(zhdr, new_start);
    zhdr->start_middle.store(new_start);
    return true;
  }
  return false;
}

void do_compact_page(z3fold_header* zhdr, bool locked) {
  MC_FUNC("do_compact_page");
  z3fold_pool* pool = zhdr->pool.load();
  page* p = virt_to_page(zhdr);
  if (locked)
    WARN_ON(z3fold_page_trylock(zhdr), "z3fold_page_trylock(zhdr)");
  else
    z3fold_page_lock(zhdr);
  if (!ptest_and_clear(NEEDS_COMPACTING, p)) {
    WARN_ON(true, "!test_and_clear_bit(NEEDS_COMPACTING, &page->private)");
    z3fold_page_unlock(zhdr);
    return;
  }
  pool->lock.lock();
  list_del_init(&zhdr->buddy);
  pool->lock.unlock();
  if (kref_put(zhdr, release_z3fold_page_locked)) {
    pages_nr_dec(pool);
    return;
  }
  if (!slots_locked()) {
    // 5.3, 5.4: an isolated page is left to its migration, from 5.4 a claimed one to its
    // claimer; no inter-page compaction.
    if (PageIsolated(p) || (claimed_left_alone() && ptest(PAGE_CLAIMED, p)) ||
        ptest(PAGE_STALE, p)) {
      z3fold_page_unlock(zhdr);
      return;
    }
    z3fold_compact_page(zhdr);
    add_to_unbuddied(pool, zhdr);
    z3fold_page_unlock(zhdr);
    return;
  }
  // 5.9 leaves an isolated or claimed page alone; from dcf5aedb24f8 (5.11) the compaction claims
  // the page itself.
  const bool claims = isolation_claims();
  if (claims ? ptest(PAGE_STALE, p) || ptest_and_set(PAGE_CLAIMED, p)
             : PageIsolated(p) || ptest(PAGE_CLAIMED, p) || ptest(PAGE_STALE, p)) {
    z3fold_page_unlock(zhdr);
    return;
  }
  if (!field(zhdr, kForeignHandles) && buddy_single(zhdr) && field(zhdr, kMappedCount) == 0 &&
      compact_single_buddy(zhdr)) {
    if (kref_put(zhdr, release_z3fold_page_locked)) {
      pages_nr_dec(pool);
    } else {
      if (claims) pclear(PAGE_CLAIMED, p);
      z3fold_page_unlock(zhdr);
    }
    return;
  }
  z3fold_compact_page(zhdr);
  add_to_unbuddied(pool, zhdr);
  if (claims) pclear(PAGE_CLAIMED, p);
  z3fold_page_unlock(zhdr);
}

void compact_page_work(work_struct* w) {
  MC_FUNC("compact_page_work");
  do_compact_page(&static_cast<z3fold_page_mem*>(w->container)->hdr, false);
}

// The common end of __z3fold_alloc's two passes (written out twice in the kernel), for a page
// first on its list and page-locked under pool->lock: off the list, pool->lock dropped; a page
// waiting for compaction or claimed is unlocked and refused, else it gains a reference ("this
// page could not be removed from its unbuddied list while pool lock was held, and then we've
// taken page lock so kref_put could not be called").
bool take_locked_page(z3fold_pool* pool, z3fold_header* zhdr) {
  list_del_init(&zhdr->buddy);
  zhdr->cpu.store(-1);
  pool->lock.unlock();
  page* p = virt_to_page(zhdr);
  if (ptest(NEEDS_COMPACTING, p) || (alloc_refuses_claimed() && ptest(PAGE_CLAIMED, p))) {
    z3fold_page_unlock(zhdr);
    return false;
  }
  kref_get(zhdr);
  return true;
}

// __z3fold_alloc: a page from the unbuddied lists with room for `chunks`, locked and with a
// reference, or null.
z3fold_header* __z3fold_alloc(z3fold_pool* pool, int chunks) {
  MC_FUNC("__z3fold_alloc");
  z3fold_header* zhdr = nullptr;
lookup:
  for (int i = chunks; i < NCHUNKS; ++i) {
    z3_list* l = &pool->unbuddied[i];
    page* first = list_first_page(l);  // READ_ONCE, no lock
    if (!first) continue;
    zhdr = page_address(first);
    if (!zhdr) return nullptr;
    pool->lock.lock();
    if (list_first_page(l) != first || !z3fold_page_trylock(zhdr)) {
      pool->lock.unlock();
      // cond_resched() and look again: the model waits until the look can go otherwise (the
      // page off the list's head, or its lock free).
      z3_list* head = &zhdr->buddy;
      mc::await(pool->lock, [l, head, zhdr] {
        return l->next.peek() != head || zhdr->page_lock.owner() == mc::kNoThread;
      });
      zhdr = nullptr;
      goto lookup;
    }
    if (!take_locked_page(pool, zhdr)) {
      zhdr = nullptr;
      goto lookup;
    }
    break;
  }
  if (!zhdr) {
    // The exact-size lists of every online CPU (one here).
    z3_list* l = &pool->unbuddied[chunks];
    pool->lock.lock();
    page* first = list_first_page(l);
    zhdr = first ? page_address(first) : nullptr;
    if (!zhdr || !z3fold_page_trylock(zhdr)) {
      pool->lock.unlock();
      zhdr = nullptr;
    } else if (!take_locked_page(pool, zhdr)) {
      zhdr = nullptr;
    }
  }
  if (free_handle_frees_own_slots() && zhdr && !zhdr->slots.load())
    zhdr->slots.store(alloc_slots(pool));
  return zhdr;
}

}  // namespace

z3_list::z3_list(const char* next_name, const char* prev_name, page* o)
    : next(nullptr, next_name), prev(nullptr, prev_name), owner(o) {
  next.format = format_list_link;
  prev.format = format_list_link;
  name_list_head(this, next_name);
}

z3fold_buddy_slots::z3fold_buddy_slots()
    : slot{mc::plain<unsigned long>(0, "slots->slot[0]"),
           mc::plain<unsigned long>(0, "slots->slot[1]"),
           mc::plain<unsigned long>(0, "slots->slot[2]"),
           mc::plain<unsigned long>(0, "slots->slot[3]")},
      pool(0, "slots->pool") {}

z3fold_header::z3fold_header(page* p, z3fold_page_mem* m)
    : buddy("zhdr->buddy.next", "zhdr->buddy.prev", p),
      work(compact_page_work, "zhdr->work"),
      mem(m) {}

z3fold_page_mem::z3fold_page_mem(page* p) : hdr(p, this), pg(p) {
  hdr.work.container = this;
  for (auto& c : chunk) c.init(0);
}

z3fold_pool::z3fold_pool()
    : unbuddied{
          z3_list("unbuddied[0].next", "unbuddied[0].prev"),
          z3_list("unbuddied[1].next", "unbuddied[1].prev"),
          z3_list("unbuddied[2].next", "unbuddied[2].prev"),
          z3_list("unbuddied[3].next", "unbuddied[3].prev"),
          z3_list("unbuddied[4].next", "unbuddied[4].prev"),
          z3_list("unbuddied[5].next", "unbuddied[5].prev"),
          z3_list("unbuddied[6].next", "unbuddied[6].prev"),
      },
      lru("pool->lru.next", "pool->lru.prev"),
      stale("pool->stale.next", "pool->stale.prev"),
      work(free_pages_work, "pool->work") {
  static_assert(NCHUNKS == 7, "one name per unbuddied list");
  work.container = this;
}

// 58ba73e521b3 "mm: z3fold: remove z3fold" (6.15).
bool z3fold_modelled() { return kcfg().at_least(Kernel::v5_3) && !kcfg().at_least(Kernel::v6_15); }

// ---- API ----

// z3fold_create_pool (5.x: with z3fold_register_migration's inode).
z3fold_pool* z3fold_create_pool(const char* name) {
  MC_FUNC("z3fold_create_pool");
  auto* pool = mc::make_named<z3fold_pool>("z3fold_pool", SL::current());
  for (auto& l : pool->unbuddied) INIT_LIST_HEAD(&l);
  INIT_LIST_HEAD(&pool->lru);
  INIT_LIST_HEAD(&pool->stale);
  pool->compact_wq = mc::make_named<workqueue_struct>("workqueue_struct", SL::current(), name);
  pool->release_wq = mc::make_named<workqueue_struct>("workqueue_struct", SL::current(), name);
  pool->inode = Memory::current().register_mapping("z3fold", &z3fold_mops, pool);
  return pool;
}

// destroy_workqueue: drains the queue (its works run here, the model's pools having no
// worker thread of their own), then frees it.
static void destroy_workqueue(workqueue_struct* wq) {
  MC_FUNC("destroy_workqueue");
  run_pending_works(wq);
  mc::free(wq);
}

// pool_isolated_are_drained (5.3 only, d776aaa9895e).
static bool pool_isolated_are_drained(z3fold_pool* pool) {
  MC_FUNC("pool_isolated_are_drained");
  pool->lock.lock();
  const bool ret = pool->isolated.load() == 0;
  pool->lock.unlock();
  return ret;
}

// z3fold_destroy_pool (6051d3bd3b91 and b997052bc3ac, 5.3: compact_wq before release_wq, the
// inode after both). At 5.3 (d776aaa9895e) it first marks the pool destroying and waits on
// isolate_wait for the condition as written, `!pool_isolated_are_drained(pool)`: until some
// page is isolated.
void z3fold_destroy_pool(z3fold_pool* pool) {
  MC_FUNC("z3fold_destroy_pool");
  // kmem_cache_destroy(pool->c_handle): slab reports a cache that still has objects.
  if (pool->c_handle_objects != 0)
    mc::warning("kmem_cache_destroy",
                "kmem_cache_destroy z3fold_handle: Slab cache still has objects (" +
                    std::to_string(pool->c_handle_objects) + ")");
  if (destroy_waits_for_isolated()) {
    pool->lock.lock();
    pool->destroying.store(true);
    pool->lock.unlock();
    wait_event(pool->isolate_wait, [pool] { return !pool_isolated_are_drained(pool); });
  }
  destroy_workqueue(pool->compact_wq);
  destroy_workqueue(pool->release_wq);
  mc::free(pool);
}

// z3fold_alloc (not headless) with zswap's gfp, which does not allow blocking: no page from the
// stale list (that needed cancel_work_sync, and df6f0f1d0cf0 removed it in 5.19), the new page
// marked movable under trylock_page.
unsigned long z3fold_alloc(z3fold_pool* pool, int chunks) {
  MC_FUNC("z3fold_alloc");
  z3fold_header* zhdr = nullptr;
  page* p = nullptr;
  z3_buddy bud = FIRST;
retry:
  zhdr = __z3fold_alloc(pool, chunks);
  if (zhdr) {
    bud = has_get_free_buddy() ? get_free_buddy(zhdr, chunks) : z3fold_alloc_buddy_53(zhdr, chunks);
    if (bud == HEADLESS) {
      if (kref_put(zhdr, release_z3fold_page_locked))
        pages_nr_dec(pool);
      else
        z3fold_page_unlock(zhdr);
      WARN_ON(true, "1 /* No free chunks in unbuddied */");
      goto retry;
    }
    p = virt_to_page(zhdr);
  } else {
    bud = FIRST;
    p = alloc_page();
    if (!p) return 0;  // -ENOMEM
    zhdr = init_z3fold_page(p, pool);
    pool->pages_nr.fetch_add(1);
    if (movable_mark_always()) {
      WARN_ON(!trylock_page(p), "!trylock_page(page)");
      __SetPageMovable(p, pool->inode);
      unlock_page(p);
    } else if (trylock_page(p)) {
      __SetPageMovable(p, pool->inode);
      unlock_page(p);
    }
    z3fold_page_lock(zhdr);
  }
  // found:
  if (bud == FIRST) {
    zhdr->first_chunks.store(static_cast<unsigned>(chunks));
  } else if (bud == LAST) {
    zhdr->last_chunks.store(static_cast<unsigned>(chunks));
  } else {
    zhdr->middle_chunks.store(static_cast<unsigned>(chunks));
    zhdr->start_middle.store(zhdr->first_chunks.load() + ZHDR_CHUNKS);
  }
  add_to_unbuddied(pool, zhdr);
  pool->lock.lock();
  if (has_lru()) {
    // Add or move the page to the head of the LRU.
    if (!list_empty(&p->lru)) list_del(&p->lru);
    list_add(&p->lru, &pool->lru);
  }
  const unsigned long handle = encode_handle(zhdr, bud);
  pool->lock.unlock();
  z3fold_page_unlock(zhdr);
  return handle;
}

// z3fold_free's release of the object's chunks in its (locked) page; false for a handle of no
// known buddy, after the kernel's warning.
bool clear_buddy_chunks(z3fold_header* zhdr, z3_buddy bud) {
  switch (bud) {
    case FIRST:
      zhdr->first_chunks.store(0);
      return true;
    case MIDDLE:
      zhdr->middle_chunks.store(0);
      return true;
    case LAST:
      zhdr->last_chunks.store(0);
      return true;
    default:
      WARN_ON(true, "1 /* unknown bud */");
      return false;
  }
}

// The end of z3fold_free for a page that needs compacting: compacted at once when it is on no
// CPU's list (the list removal left to do_compact_page from the 5.19 clean-up), else its work
// queued. The free's claim is dropped before that, except in 5.4, which drops it after.
void compact_or_queue(z3fold_pool* pool, z3fold_header* zhdr, page* p) {
  const bool claimed = free_claims_page();
  const bool late = claimed && !slots_locked();
  if (zhdr->cpu.load() < 0) {  // || !cpu_online(zhdr->cpu): one CPU, always online
    if (!cleanup_519()) {
      pool->lock.lock();
      list_del_init(&zhdr->buddy);
      pool->lock.unlock();
    }
    zhdr->cpu.store(-1);
    kref_get(zhdr);
    if (claimed && !late) pclear(PAGE_CLAIMED, p);
    do_compact_page(zhdr, true);
    if (late) pclear(PAGE_CLAIMED, p);
    return;
  }
  kref_get(zhdr);
  if (claimed && !late) pclear(PAGE_CLAIMED, p);
  queue_work(pool->compact_wq, &zhdr->work);  // queue_work_on(zhdr->cpu, ...)
  if (late) pclear(PAGE_CLAIMED, p);
  unlock_found(zhdr);
}

// 5.4's z3fold_free (5b6807de1144): the page claimed before it is locked; the handle freed
// whether or not the claim was won; a page claimed by another (reclaim, or a free of another
// object of it) only unlocked; an isolated page left to its migration, its claim dropped after
// the unlock; the direct compaction run while the page is still claimed by this free, so that
// do_compact_page (which leaves claimed pages alone from the same release) neither compacts it
// nor puts it back on an unbuddied list.
void z3fold_free_54(z3fold_pool* pool, unsigned long handle) {
  z3fold_header* zhdr = handle_to_z3fold_header(handle);
  if (!zhdr) return;
  page* p = virt_to_page(zhdr);
  const bool page_claimed = ptest_and_set(PAGE_CLAIMED, p);
  if (ptest(PAGE_HEADLESS, p)) return;  // never, in the model
  z3fold_page_lock(zhdr);
  if (!clear_buddy_chunks(zhdr, handle_to_buddy(handle))) {
    z3fold_page_unlock(zhdr);
    return;
  }
  free_handle(handle, zhdr);
  if (kref_put(zhdr, release_z3fold_page_locked_list)) {
    pages_nr_dec(pool);
    return;
  }
  if (page_claimed) {
    z3fold_page_unlock(zhdr);
    return;
  }
  if (PageIsolated(p) || ptest_and_set(NEEDS_COMPACTING, p)) {
    z3fold_page_unlock(zhdr);
    pclear(PAGE_CLAIMED, p);
    return;
  }
  compact_or_queue(pool, zhdr, p);
}

// z3fold_free. In 5.3 the page is not claimed: the handle is freed at once, a page claimed (by
// reclaim) or isolated is only unlocked. 5.4: z3fold_free_54.
void z3fold_free(z3fold_pool* pool, unsigned long handle) {
  MC_FUNC("z3fold_free");
  if (free_claims_page() && !slots_locked()) return z3fold_free_54(pool, handle);
  z3fold_header* zhdr = lookup_locked(handle);
  if (!zhdr) return;
  page* p = virt_to_page(zhdr);
  const bool page_claimed = free_claims_page() && ptest_and_set(PAGE_CLAIMED, p);
  if (!clear_buddy_chunks(zhdr, handle_to_buddy(handle))) {
    unlock_found(zhdr);
    return;
  }
  if (!page_claimed) free_handle(handle, zhdr);
  if (kref_put(zhdr, release_z3fold_page_locked_list)) {
    pages_nr_dec(pool);
    return;
  }
  if (!free_claims_page()) {
    // 5.3: a page claimed (by reclaim) or isolated is left as it is.
    if (ptest(PAGE_CLAIMED, p) || PageIsolated(p) || ptest_and_set(NEEDS_COMPACTING, p)) {
      z3fold_page_unlock(zhdr);
      return;
    }
  } else if (page_claimed) {
    // the page has not been claimed by us (z3fold_page_unlock until the 5.19 clean-up)
    if (cleanup_519())
      put_z3fold_header(zhdr);
    else
      z3fold_page_unlock(zhdr);
    return;
  } else if ((!isolation_claims() && PageIsolated(p)) || ptest_and_set(NEEDS_COMPACTING, p)) {
    // Before dcf5aedb24f8 (5.11) an isolated page is left to its migration.
    unclaim_and_unlock(zhdr, p, put_z3fold_header);
    return;
  }
  compact_or_queue(pool, zhdr, p);
}

// ---- reclaim (until 6.5) ----

bool kref_get_unless_zero(z3fold_header* zhdr, SL loc = SL::current()) {
  return atomic_inc_not_zero(zhdr->refcount, kRelaxed, loc);
}

// release_z3fold_page: the unlocked release (pool->lock taken inside, for page->lru).
void release_z3fold_page(z3fold_header* zhdr) { __release_z3fold_page(zhdr, false); }

// The walk of pool->lru from its tail (list_for_each_prev, pool->lock held) for a page to
// reclaim: the page claimed, locked and referenced, taken off its unbuddied list; null when
// none. `zhdr` is the caller's variable: 5.4-5.10 leave it as the previous round set it when
// every page is passed over (and `page` NULL), as the kernel does.
void reclaim_walk(z3fold_pool* pool, z3fold_header*& zhdr, page*& pg) {
  for (list_head* pos = pool->lru.prev.load(); pos != &pool->lru; pos = pos->prev.load()) {
    pg = pos->owner;
    if (!isolation_claims()) {
      // 5.3-5.10: the claim first, without the page lock.
      if (ptest_and_set(PAGE_CLAIMED, pg)) {
        if (claimed_left_alone()) pg = nullptr;
        continue;
      }
      if (PageIsolated(pg)) {
        if (claimed_left_alone()) {
          pclear(PAGE_CLAIMED, pg);
          pg = nullptr;
        }
        continue;  // 5.3: its claim left set
      }
      zhdr = page_address(pg);
      if (!z3fold_page_trylock(zhdr)) {
        if (claimed_left_alone()) pclear(PAGE_CLAIMED, pg);
        zhdr = nullptr;
        continue;  // can't evict at this point
      }
      if (slots_locked() && field(zhdr, kForeignHandles)) {
        pclear(PAGE_CLAIMED, pg);
        z3fold_page_unlock(zhdr);
        zhdr = nullptr;
        continue;  // can't evict such page
      }
      kref_get(zhdr);
      list_del_init(&zhdr->buddy);
      zhdr->cpu.store(-1);
      return;
    }
    zhdr = page_address(pg);
    if (!reclaim_ref_after_claim() && !kref_get_unless_zero(zhdr)) {
      zhdr = nullptr;
      return;
    }
    if (!z3fold_page_trylock(zhdr)) {
      if (!reclaim_ref_after_claim() && kref_put(zhdr, release_z3fold_page)) pages_nr_dec(pool);
      zhdr = nullptr;
      continue;  // can't evict at this point
    }
    // The claim under the page lock, so that __z3fold_alloc's test of it means something.
    if (field(zhdr, kForeignHandles) || ptest_and_set(PAGE_CLAIMED, pg)) {
      if (reclaim_ref_after_claim())
        z3fold_page_unlock(zhdr);
      else if (kref_put(zhdr, release_z3fold_page_locked))  // 28473d91ff7f (5.14)
        pages_nr_dec(pool);
      else
        z3fold_page_unlock(zhdr);
      zhdr = nullptr;
      continue;  // can't evict such page
    }
    list_del_init(&zhdr->buddy);
    zhdr->cpu.store(-1);
    if (reclaim_ref_after_claim()) kref_get(zhdr);
    return;
  }
}

int z3fold_reclaim_page(z3fold_pool* pool, unsigned retries) {
  MC_FUNC("z3fold_reclaim_page");
  // The slots on reclaim's stack (5.4 leaves them uninitialised; dcf5aedb24f8 marks them
  // HANDLES_NOFREE): model memory freed at the return, so a use after it is one.
  z3fold_buddy_slots* own_stack = nullptr;
  if (reclaim_local_slots()) {
    own_stack = mc::make_named<z3fold_buddy_slots>("reclaim's slots", SL::current());
    if (isolation_claims())
      own_stack->pool.store(reinterpret_cast<unsigned long>(pool) | (1ul << HANDLES_NOFREE));
  }
  auto done = [own_stack](int r) {
    if (own_stack) mc::free(own_stack);
    return r;
  };
  int ret = slots_locked() ? -1 : 0;
  pool->lock.lock();
  if (!pool->evict || retries == 0) {
    pool->lock.unlock();
    return done(-EINVAL);
  }
  z3fold_header* zhdr = nullptr;
  page* pg = nullptr;
  for (unsigned i = 0; i < retries; ++i) {
    if (list_empty(&pool->lru)) {
      pool->lock.unlock();
      return done(-EINVAL);
    }
    reclaim_walk(pool, zhdr, pg);
    if (!zhdr) break;
    if (!pg) {
      pool->lock.unlock();
      mc::violation("NULL pointer dereference",
                    "BUG: kernel NULL pointer dereference in z3fold_reclaim_page: "
                    "list_del_init(&page->lru) with page NULL: every page of this round was "
                    "passed over, and zhdr is still the previous round's");
      return done(-EINVAL);
    }
    list_del_init(&pg->lru);
    pool->lock.unlock();
    // The handles, encoded before the unlock (a free may clear the chunks).
    auto encode = [own_stack, zhdr](z3_buddy bud) {
      return own_stack ? __encode_handle(zhdr, own_stack, bud) : encode_handle(zhdr, bud);
    };
    unsigned long first = 0, middle = 0, last = 0;
    if (own_stack && isolation_claims())  // memset(slots.slot, 0, ...) each round (5.11 on)
      for (auto& slot : own_stack->slot) slot.store(0);
    if (zhdr->first_chunks.load()) first = encode(FIRST);
    if (zhdr->middle_chunks.load()) middle = encode(MIDDLE);
    if (zhdr->last_chunks.load()) last = encode(LAST);
    const unsigned long handles[3] = {middle, first, last};
    z3fold_page_unlock(zhdr);
    // The eviction callbacks, middle first.
    for (unsigned long h : handles) {
      if (!h) continue;
      ret = pool->evict(pool, h);
      if (ret) break;
      if (slots_locked() && !reclaim_local_slots()) free_handle(h, zhdr);  // 5.5-5.10
    }
    // next:
    if (!slots_locked() && !free_claims_page()) {
      // 5.3: the claim dropped under the page lock, before the reference.
      z3fold_page_lock(zhdr);
      pclear(PAGE_CLAIMED, pg);
      if (kref_put(zhdr, release_z3fold_page_locked)) {
        pages_nr_dec(pool);
        return done(0);
      }
      pool->lock.lock();
      list_add(&pg->lru, &pool->lru);
      pool->lock.unlock();
      z3fold_page_unlock(zhdr);
    } else {
      // dcf5aedb24f8: the page's own slots, read before the lock, freed with the page.
      z3fold_buddy_slots* slots = isolation_claims() ? zhdr->slots.load() : nullptr;
      z3fold_page_lock(zhdr);
      if (kref_put(zhdr, release_z3fold_page_locked)) {
        if (slots) free_slots(pool, slots);  // kmem_cache_free(pool->c_handle, slots)
        pages_nr_dec(pool);
        return done(0);
      }
      pool->lock.lock();
      list_add(&pg->lru, &pool->lru);
      pool->lock.unlock();
      if (putback_unbuddied() && list_empty(&zhdr->buddy)) add_to_unbuddied(pool, zhdr);
      unclaim_and_unlock(zhdr, pg, z3fold_page_unlock);
    }
    pool->lock.lock();
  }
  pool->lock.unlock();
  return done(-EAGAIN);
}

mc::plain<long>* z3fold_map(z3fold_pool* pool, unsigned long handle) {
  MC_FUNC("z3fold_map");
  (void)pool;
  z3fold_header* zhdr = lookup_locked(handle);
  if (!zhdr) return nullptr;
  page* p = virt_to_page(zhdr);
  mc::plain<long>* addr = nullptr;
  if (!slots_locked() || !ptest(PAGE_HEADLESS, p)) {  // 5.3 tested it before the lock
    const z3_buddy buddy = handle_to_buddy(handle);
    switch (buddy) {
      case FIRST:
        addr = &mem_of(zhdr)->chunk[ZHDR_CHUNKS];
        break;
      case MIDDLE:
        addr = &mem_of(zhdr)->chunk[zhdr->start_middle.load()];
        pset(MIDDLE_CHUNK_MAPPED, p);
        break;
      case LAST:
        addr = &mem_of(zhdr)->chunk[kZ3Chunks - static_cast<int>(handle_to_chunks(handle))];
        break;
      default:
        WARN_ON(true, "1 /* unknown buddy id */");
    }
    if (addr) set_field(zhdr, kMappedCount, field(zhdr, kMappedCount) + 1);
  }
  unlock_found(zhdr);
  return addr;
}

void z3fold_unmap(z3fold_pool* pool, unsigned long handle) {
  MC_FUNC("z3fold_unmap");
  (void)pool;
  z3fold_header* zhdr = lookup_locked(handle);
  if (!zhdr) return;
  page* p = virt_to_page(zhdr);
  if (slots_locked() && ptest(PAGE_HEADLESS, p)) return;  // 5.3: before the lock
  if (handle_to_buddy(handle) == MIDDLE) pclear(MIDDLE_CHUNK_MAPPED, p);
  set_field(zhdr, kMappedCount, field(zhdr, kMappedCount) - 1);
  unlock_found(zhdr);
}

// z3fold_dec_isolated / z3fold_inc_isolated (5.3 only, d776aaa9895e), under pool->lock; the
// last page out of isolation wakes the destroy.
void z3fold_dec_isolated(z3fold_pool* pool) {
  MC_FUNC("z3fold_dec_isolated");
  if (pool->lock.owner() == mc::kNoThread)
    mc::violation("BUG_ON", "kernel BUG: assert_spin_locked(&pool->lock) in z3fold_dec_isolated");
  const int n = pool->isolated.load();
  if (n <= 0) mc::violation("VM_BUG_ON", "kernel BUG: VM_BUG_ON(pool->isolated <= 0)");
  pool->isolated.store(n - 1);
  if (n - 1 == 0 && pool->isolate_wait.active()) pool->isolate_wait.wake_up_all();
}
void z3fold_inc_isolated(z3fold_pool* pool) { pool->isolated.store(pool->isolated.load() + 1); }

// 5.3's and 5.4's z3fold_page_isolate, from the page lock on: no claim, the buddy list left
// without pool->lock (4a3ac9311dac, 5.5, took it there), the page's lru entry deleted (not
// re-initialised), and in 5.3 d776aaa9895e's destroying test and isolated count.
bool z3fold_page_isolate_53(page* p, z3fold_header* zhdr) {
  if (ptest(NEEDS_COMPACTING, p) || ptest(PAGE_STALE, p) || field(zhdr, kMappedCount) != 0) {
    z3fold_page_unlock(zhdr);
    return false;
  }
  z3fold_pool* pool = zhdr->pool.load();
  kref_get(zhdr);
  if (!list_empty(&zhdr->buddy)) list_del_init(&zhdr->buddy);
  pool->lock.lock();
  if (!list_empty(&p->lru)) list_del(&p->lru);
  if (!destroy_waits_for_isolated()) {  // 5.4: reverted (6e73fd25e2c7)
    pool->lock.unlock();
    z3fold_page_unlock(zhdr);
    return true;
  }
  if (pool->destroying.load()) {
    pool->lock.unlock();
    if (kref_put(zhdr, release_z3fold_page_locked)) {
      mc::warning("WARN_ON", "WARNING: WARN(1, \"Z3fold is experiencing kref problems\")");
      z3fold_page_unlock(zhdr);
      return false;
    }
    z3fold_page_unlock(zhdr);
    return false;
  }
  z3fold_inc_isolated(pool);
  pool->lock.unlock();
  z3fold_page_unlock(zhdr);
  return true;
}

bool z3fold_page_isolate(page* p, isolate_mode_t mode) {
  MC_FUNC("z3fold_page_isolate");
  (void)mode;
  if (asserts_movable()) VM_BUG_ON_PAGE(!PageMovable(p), p, "!PageMovable(page)");
  VM_BUG_ON_PAGE(PageIsolated(p), p, "PageIsolated(page)");
  if (ptest(PAGE_HEADLESS, p) ||
      (claimed_left_alone() && !isolation_claims() && ptest(PAGE_CLAIMED, p)))
    return false;
  z3fold_header* zhdr = page_address(p);
  if (!zhdr) return false;
  z3fold_page_lock(zhdr);
  if (!slots_locked()) return z3fold_page_isolate_53(p, zhdr);
  if (ptest(NEEDS_COMPACTING, p) || ptest(PAGE_STALE, p) || field(zhdr, kMappedCount) != 0 ||
      field(zhdr, kForeignHandles) != 0 || (isolation_claims() && ptest_and_set(PAGE_CLAIMED, p))) {
    z3fold_page_unlock(zhdr);
    return false;
  }
  z3fold_pool* pool = zhdr->pool.load();
  pool->lock.lock();
  if (!list_empty(&zhdr->buddy)) list_del_init(&zhdr->buddy);
  if (has_lru() && !list_empty(&p->lru)) list_del_init(&p->lru);
  pool->lock.unlock();
  kref_get(zhdr);
  z3fold_page_unlock(zhdr);
  return true;
}

int z3fold_page_migrate(address_space* mapping, page* newpage, page* p, migrate_mode mode) {
  MC_FUNC("z3fold_page_migrate");
  (void)mapping;
  (void)mode;
  if (asserts_movable()) VM_BUG_ON_PAGE(!PageMovable(p), p, "!PageMovable(page)");
  VM_BUG_ON_PAGE(!PageIsolated(p), p, "!PageIsolated(page)");
  if (isolation_claims())
    VM_BUG_ON_PAGE(!ptest(PAGE_CLAIMED, p), p, "!test_bit(PAGE_CLAIMED, &page->private)");
  VM_BUG_ON_PAGE(!PageLocked(newpage), newpage, "!PageLocked(newpage)");
  z3fold_header* zhdr = page_address(p);
  if (!zhdr) return -EAGAIN;
  z3fold_pool* pool = zhdr->pool.load();
  if (!z3fold_page_trylock(zhdr)) return -EAGAIN;
  if (field(zhdr, kMappedCount) != 0 || (slots_locked() && field(zhdr, kForeignHandles) != 0)) {
    if (isolation_claims())
      unclaim_and_unlock(zhdr, p, z3fold_page_unlock);
    else
      z3fold_page_unlock(zhdr);
    return -EBUSY;
  }
  if (zhdr->work.data.load(kRelaxed) & 1) {  // work_pending
    z3fold_page_unlock(zhdr);
    return -EAGAIN;
  }
  // memcpy(new_zhdr, zhdr, PAGE_SIZE): the header's fields and the chunks. The page lock, the
  // buddy link and the work are initialised again below (c92d2f38563d, 5.3): the new block's
  // own are already so.
  z3fold_header* new_zhdr = take_page_mem(newpage);
  new_zhdr->refcount.store(zhdr->refcount.load_nonatomic(), kRelaxed);
  new_zhdr->slots.store(zhdr->slots.load());
  new_zhdr->pool.store(zhdr->pool.load());
  new_zhdr->cpu.store(zhdr->cpu.load());
  new_zhdr->first_chunks.store(zhdr->first_chunks.load());
  new_zhdr->middle_chunks.store(zhdr->middle_chunks.load());
  new_zhdr->last_chunks.store(zhdr->last_chunks.load());
  new_zhdr->start_middle.store(zhdr->start_middle.load());
  new_zhdr->bits.store(zhdr->bits.load());
  copy_chunks(mem_of(zhdr), ZHDR_CHUNKS, mem_of(new_zhdr), ZHDR_CHUNKS, NCHUNKS);
  newpage->private_bits.store_nonatomic(p->private_bits.load_nonatomic());
  if (page_migrated_flag())
    pset(PAGE_MIGRATED, p);
  else
    p->private_bits.store_nonatomic(0);
  z3fold_page_unlock(zhdr);
  INIT_LIST_HEAD(&new_zhdr->buddy);
  address_space* new_mapping = page_mapping(p);
  __ClearPageMovable(p);
  if (!cleanup_519()) clear_bit(PG_private, p);  // ClearPagePrivate
  get_page(newpage);
  z3fold_page_lock(new_zhdr);
  if (new_zhdr->first_chunks.load()) encode_handle(new_zhdr, FIRST);
  if (new_zhdr->last_chunks.load()) encode_handle(new_zhdr, LAST);
  if (new_zhdr->middle_chunks.load()) encode_handle(new_zhdr, MIDDLE);
  pset(NEEDS_COMPACTING, newpage);
  new_zhdr->cpu.store(0);  // smp_processor_id()
  if (has_lru()) {
    pool->lock.lock();
    list_add(&newpage->lru, &pool->lru);
    pool->lock.unlock();
  }
  __SetPageMovable(newpage, new_mapping);
  z3fold_page_unlock(new_zhdr);
  queue_work(pool->compact_wq, &new_zhdr->work);  // queue_work_on(new_zhdr->cpu, ...)
  if (destroy_waits_for_isolated()) {
    pool->lock.lock();
    z3fold_dec_isolated(pool);
    pool->lock.unlock();
  }
  if (!cleanup_519()) p->_mapcount.store(kMapcountNone, kRelaxed);  // page_mapcount_reset
  if (page_migrated_flag())
    p->private_bits.store_nonatomic(0);  // 943fb61dd66f: cleared only now
  else if (isolation_claims())
    pclear(PAGE_CLAIMED, p);
  drop_page_mem(p);  // z3fold lets the old page go
  put_page(p);
  return MIGRATEPAGE_SUCCESS;
}

void z3fold_page_putback(page* p) {
  MC_FUNC("z3fold_page_putback");
  z3fold_header* zhdr = page_address(p);
  if (!zhdr) return;
  z3fold_pool* pool = zhdr->pool.load();
  z3fold_page_lock(zhdr);
  if (!list_empty(&zhdr->buddy)) list_del_init(&zhdr->buddy);
  INIT_LIST_HEAD(&p->lru);
  if (kref_put(zhdr, release_z3fold_page_locked)) {
    pages_nr_dec(pool);
    if (destroy_waits_for_isolated()) {
      pool->lock.lock();
      z3fold_dec_isolated(pool);
      pool->lock.unlock();
    }
    return;
  }
  if (has_lru()) {
    pool->lock.lock();
    list_add(&p->lru, &pool->lru);
    if (destroy_waits_for_isolated()) z3fold_dec_isolated(pool);
    pool->lock.unlock();
  }
  if (putback_unbuddied() && list_empty(&zhdr->buddy)) add_to_unbuddied(pool, zhdr);
  if (isolation_claims()) pclear(PAGE_CLAIMED, p);
  z3fold_page_unlock(zhdr);
}

const movable_operations z3fold_mops = {"z3fold", z3fold_page_isolate, z3fold_page_migrate,
                                        z3fold_page_putback};

// ---- model helpers ----

page* z3fold_handle_page_peek(unsigned long handle) {
  if (!handle) return nullptr;
  const unsigned long addr = handle_slot(handle).peek();
  if (!addr) return nullptr;
  return reinterpret_cast<z3fold_header*>(addr & Z3_ADDR_MASK)->mem->pg;
}

long z3fold_obj_value_peek(unsigned long handle) {
  page* p = z3fold_handle_page_peek(handle);
  if (!p || !p->virt) return -1;
  z3fold_page_mem* m = mem_of(p);
  const unsigned long addr = handle_slot(handle).peek();
  const unsigned first_num = (m->hdr.bits.peek() >> kFirstNum) & 3u;
  switch (static_cast<z3_buddy>((addr - first_num) & BUDDY_MASK)) {
    case FIRST:
      return m->chunk[ZHDR_CHUNKS].peek();
    case MIDDLE:
      return m->chunk[m->hdr.start_middle.peek()].peek();
    case LAST:
      return m->chunk[kZ3Chunks - static_cast<int>((addr & (SLOTS_ALIGN - 1)) >> BUDDY_SHIFT)]
          .peek();
    default:
      return -1;
  }
}

// End state, after the works ran and with no thread left: every page the pool holds (its
// memory is z3fold's) is claimed for the zone check, unlocked, not isolated, not claimed or
// waiting for compaction, with no object mapped and one reference; the chunks in use and the
// pages counted match the objects still allocated.
void z3fold_check_pool_peek(z3fold_pool* pool, int expected_objects) {
  Memory& mem = Memory::current();
  int objects = 0;
  long pages = 0;
  for (int pfn = 0; pfn < mem.nr_pages(); ++pfn) {
    page* p = mem.pfn_to_page(pfn);
    auto* m = mem_of(p);
    if (!m) continue;
    mem.claim_peek(pfn, "z3fold");
    ++pages;
    const std::string at = "z3fold page pfn " + std::to_string(pfn);
    const unsigned long priv = p->private_bits.peek();
    z3fold_header& z = m->hdr;
    // A claim nobody holds: the page is never compacted, isolated or allocated from again,
    // and z3fold_free on it skips free_handle. The kernel goes on (a warning, so that what
    // follows from it is seen too).
    if (priv & bit(PAGE_CLAIMED))
      mc::warning("stale PAGE_CLAIMED",
                  at + ": PAGE_CLAIMED is set with no isolation, free or compaction under way "
                       "(z3fold_free will skip free_handle, and isolation fails on the page)");
    if (priv & bit(NEEDS_COMPACTING))
      end_violation(at + ": NEEDS_COMPACTING is set after the works ran");
    if (priv & bit(PAGE_STALE)) end_violation(at + ": a stale page was not freed");
    if (p->flags.peek() & bit(PG_isolated)) end_violation(at + " is still isolated");
    if (p->flags.peek() & bit(PG_locked)) end_violation(at + " is still locked");
    if (z.page_lock.owner() != mc::kNoThread) end_violation(at + ": zhdr->page_lock is still held");
    if (p->_refcount.peek() != 1)
      end_violation(at + ": page refcount " + std::to_string(p->_refcount.peek()) + ", expected 1");
    if (z.refcount.peek() < 1)
      end_violation(at + ": zhdr->refcount " + std::to_string(z.refcount.peek()));
    if (((z.bits.peek() >> kMappedCount) & 3u) != 0)
      end_violation(at + ": mapped_count " + std::to_string((z.bits.peek() >> kMappedCount) & 3u) +
                    " with nothing mapped");
    objects +=
        (z.first_chunks.peek() != 0) + (z.middle_chunks.peek() != 0) + (z.last_chunks.peek() != 0);
  }
  if (objects != expected_objects)
    end_violation("the pool's pages hold " + std::to_string(objects) + " object(s), expected " +
                  std::to_string(expected_objects));
  if (pool->isolated.peek() != 0)
    end_violation("pool->isolated is " + std::to_string(pool->isolated.peek()) +
                  " with no page in isolation");
  if (pool->pages_nr.peek() != pages)
    end_violation("pool->pages_nr is " + std::to_string(pool->pages_nr.peek()) +
                  ", the pool holds " + std::to_string(pages) + " page(s)");
}

}  // namespace proto
