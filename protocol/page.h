// struct page as the migration protocol sees it, reference counting, a tiny page allocator
// with the free-time checks of mm/page_alloc.c, and kernel-style list_head.
#pragma once

#include <cerrno>
#include <cstdint>
#include <memory>
#include <source_location>
#include <string>
#include <vector>

#include "checker/mc.h"

namespace proto {

using SL = std::source_location;

// Bit numbers of page->flags. One layout for every version: the 4.10 one, where PG_waiters
// is bit 7 in the same byte as PG_locked (b91e1302ad9b); 4.8 simply never sets PG_waiters.
enum pageflags : unsigned {
  PG_locked = 0,
  PG_error,
  PG_referenced,
  PG_uptodate,
  PG_dirty,
  PG_lru,
  PG_active,
  PG_waiters,  // 4.10+
  PG_slab,
  PG_owner_priv_1,
  PG_arch_1,
  PG_reserved,
  PG_private,
  PG_private_2,
  PG_writeback,
  PG_head,
  PG_swapcache,
  PG_mappedtodisk,
  PG_reclaim,
  PG_swapbacked,
  PG_unevictable,
  PG_mlocked,
  NR_PAGEFLAGS,
  PG_isolated = PG_reclaim,              // 4.8-6.16: "non-lru isolated movable page"
  PG_movable_ops_isolated = PG_reclaim,  // 6.17 rename (92f091769fde)
  PG_movable_ops = PG_uptodate,          // 6.17 (3d388584d599)
};

constexpr unsigned long bit(unsigned nr) { return 1ul << nr; }

// The models' word accesses are relaxed unless the kernel orders them.
inline constexpr auto kRelaxed = std::memory_order_relaxed;

constexpr unsigned long PAGE_FLAGS_CHECK_AT_FREE =
    bit(PG_lru) | bit(PG_locked) | bit(PG_private) | bit(PG_private_2) | bit(PG_writeback) |
    bit(PG_reserved) | bit(PG_slab) | bit(PG_swapcache) | bit(PG_active) | bit(PG_unevictable) |
    bit(PG_mlocked);
constexpr unsigned long PAGE_FLAGS_CHECK_AT_PREP = bit(NR_PAGEFLAGS) - 1;

// Low bits of page->mapping (4.8-6.16).
constexpr unsigned long PAGE_MAPPING_ANON = 0x1;
constexpr unsigned long PAGE_MAPPING_MOVABLE = 0x2;
constexpr unsigned long PAGE_MAPPING_KSM = 0x3;
constexpr unsigned long PAGE_MAPPING_FLAGS = 0x3;

// Values of the _mapcount / page_type word.
constexpr int kMapcountNone = -1;
constexpr int PAGE_BALLOON_MAPCOUNT_VALUE = -256;  // 4.8 PageBalloon (a _mapcount value)
constexpr int PGTY_offline = -512;                 // 6.17 balloon pages (PageOffline)
constexpr int PGTY_zsmalloc = -1024;               // 6.17: the reference driver's type
constexpr int PGTY_slab = -2048;                   // 6.10 (46df8e73a4a3): PageSlab

// Error codes and migration modes.
constexpr int MIGRATEPAGE_SUCCESS = 0;
constexpr int MIGRATEPAGE_UNMAP = 1;  // 6.3-6.17, internal (95c2908f1a4f)
// -EAGAIN, -ENOMEM, -EBUSY: the kernel's values, from <cerrno>.
enum class migrate_mode { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC };
const char* migrate_mode_name(migrate_mode m);
using isolate_mode_t = unsigned;

struct page;
struct address_space;
struct dev_pagemap;

// Kernel list_head with plain (race-checked) links. `owner` is the page whose lru this is
// (container_of), null for list heads.
struct list_head {
  explicit list_head(const char* next_name = "list.next", const char* prev_name = "list.prev",
                     page* owner = nullptr);
  mc::plain<list_head*> next;
  mc::plain<list_head*> prev;
  page* owner;
};
void INIT_LIST_HEAD(list_head* h);  // for heads only
// Traces: a link's value is the head it points at by name ("ret", "cc.migratepages"), or
// NULL or a poison; a head is named after its links ("ret" for "ret.next").
std::string format_list_link(uint64_t v);
void name_list_head(const void* head, const char* next_name);
void list_add(list_head* entry, list_head* head, SL loc = SL::current());
void list_add_tail(list_head* entry, list_head* head, SL loc = SL::current());
// With CONFIG_DEBUG_LIST's validity checks: corruption is the named finding
// "list_del corruption"; the entry is poisoned afterwards.
void list_del(list_head* entry, SL loc = SL::current());
// list_del_init: unlinked (with the same checks) and pointing at itself.
void list_del_init(list_head* entry, SL loc = SL::current());
bool list_empty(list_head* head, SL loc = SL::current());
// list_splice_init / list_splice_tail_init: the entries of `list` (a head) joined at the front
// or the back of `head` by relinking its first and last entries only, `list` left empty.
void list_splice_init(list_head* list, list_head* head, SL loc = SL::current());
void list_splice_tail_init(list_head* list, list_head* head, SL loc = SL::current());
page* list_first_page(list_head* head, SL loc = SL::current());  // null if empty
// The page after `p` on the list headed by `head` (null at the end). Following a poisoned
// link is the kernel's general protection fault on LIST_POISON1.
page* list_next_page(page* p, list_head* head, SL loc = SL::current());
// End-of-test helpers: walk a list without events.
int list_count_peek(const list_head* head);
bool list_contains_peek(const list_head* head, const page* p);
inline list_head* const LIST_POISON1 = reinterpret_cast<list_head*>(0x100);
inline list_head* const LIST_POISON2 = reinterpret_cast<list_head*>(0x122);

// The content of a page: a model heap block from allocation to free, so that touching a
// freed page's memory is a use-after-free finding.
struct PageData {
  mc::plain<long> word{0, "page contents"};
};

struct page {
  explicit page(int pfn);
  int pfn;
  mc::atomic<unsigned long> flags;
  mc::atomic<int> _refcount;
  mc::atomic<int> _mapcount;  // also page_type (PageBalloon 4.8 value, PGTY_* in 6.x)
  // A word: address_space id << 2 | PAGE_MAPPING_* bits (aligned word accesses, see page.cc).
  mc::atomic<unsigned long> mapping;
  mc::plain<unsigned long> private_;
  // page->private again, for a driver that keeps flags in it with atomic bitops (z3fold): the
  // same kernel field as private_, which the other models access with plain loads and stores.
  // A page is only ever one driver's, so only one of the two is in use.
  mc::atomic<unsigned long> private_bits;
  list_head lru;
  // The page's bucket of the hashed page wait table and its q->lock.
  mc::waitqueue wait;
  mc::spinlock wait_lock;
  PageData* data = nullptr;
  // page_address() for a driver that keeps its structures in the page's memory (z3fold's
  // header): the model's block for that memory, set and freed by the driver.
  void* virt = nullptr;
  // ZONE_DEVICE pages only (protocol/hmm.h): the device memory the page stands for.
  dev_pagemap* pgmap = nullptr;
};

// ---- flag helpers (kernel bitops on page->flags) ----
bool test_bit(unsigned nr, page* p, SL loc = SL::current());
void set_bit(unsigned nr, page* p, SL loc = SL::current());    // atomic, unordered
void clear_bit(unsigned nr, page* p, SL loc = SL::current());  // atomic, unordered
// Non-atomic read-modify-write of the whole word (__set_bit/__clear_bit): two steps, so an
// atomic update of another bit by another CPU between them is lost.
void __set_bit(unsigned nr, page* p, SL loc = SL::current());
void __clear_bit(unsigned nr, page* p, SL loc = SL::current());

inline bool PageLocked(page* p, SL loc = SL::current()) { return test_bit(PG_locked, p, loc); }
inline bool PageLRU(page* p, SL loc = SL::current()) { return test_bit(PG_lru, p, loc); }
inline bool PageWaiters(page* p, SL loc = SL::current()) { return test_bit(PG_waiters, p, loc); }

// ---- reference counting (include/linux/mm.h, 4.8; same semantics to 6.17) ----
int page_count(page* p, SL loc = SL::current());
void get_page(page* p, SL loc = SL::current());
// atomic_add_unless(v, 1, 0) (refcount_inc_not_zero): the value incremented unless it is 0,
// with `mo` when it succeeds; false when it was 0.
bool atomic_inc_not_zero(mc::atomic<int>& v, std::memory_order mo, SL loc = SL::current());
bool get_page_unless_zero(page* p, SL loc = SL::current());
bool put_page_testzero(page* p, SL loc = SL::current());
void put_page(page* p, SL loc = SL::current());
// The last reference of a ZONE_DEVICE page: back to its driver (protocol/hmm.cc).
void free_zone_device_page(page* p, SL loc = SL::current());
inline unsigned long page_private(page* p, SL loc = SL::current()) { return p->private_.load(loc); }
inline void set_page_private(page* p, unsigned long v, SL loc = SL::current()) {
  p->private_.store(v, loc);
}

// ---- named kernel checks ----
std::string dump_page(page* p, const std::string& reason);
void VM_BUG_ON_PAGE(bool cond, page* p, const char* expr, SL loc = SL::current());
void VM_WARN_ON_ONCE_PAGE(bool cond, page* p, const char* expr, SL loc = SL::current());
bool WARN_ON_ONCE(bool cond, const char* expr, SL loc = SL::current());
void BUG_ON(bool cond, const char* expr, SL loc = SL::current());
std::string format_page_flags(uint64_t flags);
std::string format_mapping(uint64_t mapping);

// ---- memory: the pfn range, the allocator, and the registered mappings ----
struct movable_operations;

// page->mapping points at one of these (4.8: the driver's address_space; 6.0: its
// movable_operations, modelled by the same struct).
struct address_space {
  int id = 0;
  const char* name = "";
  const movable_operations* a_ops = nullptr;
  void* host = nullptr;  // the driver instance, for the model's own bookkeeping
};

class Memory {
 public:
  static constexpr int kMaxPages = 6;
  // Drivers' address spaces one execution holds (the litmus bindings bound each driver type's
  // count so that every file fits: 3 reference drivers, 3 balloons, 1 zsmalloc pool).
  static constexpr int kMaxMappings = 8;
  // `nr_pages` pages, all free; allocation fails nondeterministically when `may_fail`.
  Memory(int nr_pages, bool may_fail);
  ~Memory();
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  static Memory& current();
  int nr_pages() const { return nr_; }
  page* pfn_to_page(int pfn) { return pages_[pfn].get(); }
  bool is_free_peek(int pfn) const { return free_[pfn]->peek(); }
  void set_may_fail(bool f) { may_fail_ = f; }

  // alloc_page(GFP_HIGHUSER_MOVABLE): lowest free pfn; `from_top` takes the highest (the
  // compaction free scanner works from the zone's end).
  page* alloc_page(bool from_top = false, SL loc = SL::current());
  // __free_pages(page, 0) after the last reference: free_pages_prepare + back to the buddy.
  void free_page(page* p, SL loc = SL::current());

  // The end state: each owner (a driver, the balloon) claims the pages it holds, then every
  // page must be free or held by exactly one owner (check_zone_end, end_state.h). Claims are
  // the checker's bookkeeping, not kernel state.
  void claim_peek(int pfn, const char* owner) { claims_[pfn].push_back(owner); }
  const std::vector<const char*>& claims_peek(int pfn) const { return claims_[pfn]; }

  address_space* register_mapping(const char* name, const movable_operations* ops, void* host);
  address_space* mapping_by_id(int id);

 private:
  int nr_;
  bool may_fail_;
  std::unique_ptr<page> pages_[kMaxPages];
  std::unique_ptr<mc::plain<bool>> free_[kMaxPages];
  std::vector<const char*> claims_[kMaxPages];
  mc::spinlock zone_lock_{"zone->lock"};
  address_space spaces_[kMaxMappings];
  int nr_spaces_ = 0;
  Memory* saved_;
};

inline page* alloc_page(SL loc = SL::current()) { return Memory::current().alloc_page(false, loc); }

}  // namespace proto
