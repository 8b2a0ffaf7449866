// Why the flags and mapping words are mc::atomic with relaxed accesses even for the kernel's
// "plain" accesses (__set_bit, __SetPageMovable, the lock-free __PageMovable read): the
// kernel reads these words lock-free from pfn scanners by design, so every plain access
// races with a scanner somewhere. The hazard that matters is the lost update of a
// non-atomic read-modify-write, which the model keeps by making __set_bit a separate load
// step and store step. Reporting the races themselves would flag every version (KCSAN's
// default CONFIG_KCSAN_ASSUME_PLAIN_WRITES_ATOMIC does not report them either). Fields that
// are protected by locks (lru links, private, contents) are mc::plain and race-checked.
#include "protocol/page.h"

#include <cstdio>
#include <stdexcept>

#include "protocol/version.h"

namespace proto {

namespace {

thread_local Memory* current_memory = nullptr;

#define PFN_NAMES(field)                                                            \
  {                                                                                 \
    "page0." field, "page1." field, "page2." field, "page3." field, "page4." field, \
        "page5." field, "dev0." field                                               \
  }
const char* const kFlagsName[] = PFN_NAMES("flags");
const char* const kRefName[] = PFN_NAMES("_refcount");
const char* const kMapcountName[] = PFN_NAMES("_mapcount");
const char* const kMappingName[] = PFN_NAMES("mapping");
const char* const kPrivateName[] = PFN_NAMES("private");
const char* const kLruNextName[] = PFN_NAMES("lru.next");
const char* const kLruPrevName[] = PFN_NAMES("lru.prev");
const char* const kWaitName[] = PFN_NAMES("wait_queue");
const char* const kWaitLockName[] = PFN_NAMES("wait_queue.lock");
const char* const kFreeName[] = PFN_NAMES("free");
#undef PFN_NAMES
// Six pfns of the zone, then the device private page (protocol/hmm.h).
const char* const kPageName[] = {"page0", "page1", "page2", "page3", "page4", "page5", "dev0"};

const char* flag_name(unsigned nr) {
  const bool v617 = kcfg().movable_ops_flag();
  switch (nr) {
    case PG_locked:
      return "locked";
    case PG_error:
      return "error";
    case PG_referenced:
      return "referenced";
    case PG_uptodate:
      return v617 ? "uptodate/movable_ops" : "uptodate";
    case PG_dirty:
      return "dirty";
    case PG_lru:
      return "lru";
    case PG_active:
      return "active";
    case PG_waiters:
      return "waiters";
    case PG_slab:
      return "slab";
    case PG_owner_priv_1:
      return "owner_priv_1";
    case PG_arch_1:
      return "arch_1";
    case PG_reserved:
      return "reserved";
    case PG_private:
      return "private";
    case PG_private_2:
      return "private_2";
    case PG_writeback:
      return "writeback";
    case PG_head:
      return "head";
    case PG_swapcache:
      return "swapcache";
    case PG_mappedtodisk:
      return "mappedtodisk";
    case PG_reclaim:
      return v617 ? "reclaim/movable_ops_isolated" : "reclaim/isolated";
    case PG_swapbacked:
      return "swapbacked";
    case PG_unevictable:
      return "unevictable";
    case PG_mlocked:
      return "mlocked";
    default:
      return "?";
  }
}

std::string hex(unsigned long v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%lx", v);
  return buf;
}

void fail_violation(const char* name, const std::string& msg, const SL& loc) {
  mc::violation(name, msg, loc);
}

}  // namespace

const char* migrate_mode_name(migrate_mode m) {
  switch (m) {
    case migrate_mode::MIGRATE_ASYNC:
      return "MIGRATE_ASYNC";
    case migrate_mode::MIGRATE_SYNC_LIGHT:
      return "MIGRATE_SYNC_LIGHT";
    case migrate_mode::MIGRATE_SYNC:
      return "MIGRATE_SYNC";
  }
  return "?";
}

std::string format_page_flags(uint64_t flags) {
  std::string s = hex(flags) + "(";
  bool first = true;
  for (unsigned nr = 0; nr < NR_PAGEFLAGS; ++nr) {
    if (!(flags & bit(nr))) continue;
    if (!first) s += '|';
    s += flag_name(nr);
    first = false;
  }
  return s + ")";
}

std::string format_mapping(uint64_t m) {
  if (m == 0) return "0x0 (NULL)";
  std::string s = hex(m) + " (";
  // The model's mappings are small numbers; a larger word is another owner's field (a slab's
  // pointer or list poison, protocol/slab.h).
  if (m >> 2) s += (m >> 2) < 0x10000 ? "mapping#" + std::to_string(m >> 2) : "not a mapping";
  switch (m & PAGE_MAPPING_FLAGS) {
    case 0:
      break;
    case PAGE_MAPPING_ANON:
      s += (m >> 2 ? "|" : ""), s += "PAGE_MAPPING_ANON";
      break;
    case PAGE_MAPPING_MOVABLE:
      s += (m >> 2 ? "|" : ""), s += "PAGE_MAPPING_MOVABLE";
      break;
    default:
      s += (m >> 2 ? "|" : ""), s += "PAGE_MAPPING_KSM";
      break;
  }
  return s + ")";
}

// ---- list_head ----

std::string format_list_link(uint64_t v) {
  if (v == reinterpret_cast<uintptr_t>(LIST_POISON1)) return "LIST_POISON1";
  if (v == reinterpret_cast<uintptr_t>(LIST_POISON2)) return "LIST_POISON2";
  return v ? mc::format_word(v) : "NULL";
}

void name_list_head(const void* head, const char* next_name) {
  std::string_view name = next_name;
  if (name.ends_with(".next")) name.remove_suffix(5);
  mc::name_address(head, name);
}

list_head::list_head(const char* next_name, const char* prev_name, page* o)
    : next(nullptr, next_name), prev(nullptr, prev_name), owner(o) {
  next.format = format_list_link;
  prev.format = format_list_link;
  name_list_head(this, next_name);
}

void INIT_LIST_HEAD(list_head* h) {
  h->next.store(h);
  h->prev.store(h);
}

namespace {
void list_corrupt(list_head* entry, const std::string& what, const SL& loc) {
  std::string who =
      entry->owner ? " (lru of page pfn " + std::to_string(entry->owner->pfn) + ")" : "";
  fail_violation("list_del corruption", what + who, loc);
}
bool poisoned(const list_head* l) { return !l || l == LIST_POISON1 || l == LIST_POISON2; }
void __list_add(list_head* entry, list_head* prev, list_head* next, const SL& loc) {
  if (poisoned(prev) || poisoned(next))
    fail_violation("general protection fault", "list_add next to a poisoned or NULL link", loc);
  // __list_add_valid (CONFIG_DEBUG_LIST)
  if (next->prev.load(loc) != prev || prev->next.load(loc) != next || entry == prev ||
      entry == next)
    fail_violation("list_add corruption", "list_add: neighbours do not point at each other", loc);
  next->prev.store(entry, loc);
  entry->next.store(next, loc);
  entry->prev.store(prev, loc);
  prev->next.store(entry, loc);
}
}  // namespace

namespace {
// __list_splice: `list`'s entries between `prev` and `next`.
void __list_splice(list_head* list, list_head* prev, list_head* next, const SL& loc) {
  list_head* first = list->next.load(loc);
  list_head* last = list->prev.load(loc);
  first->prev.store(prev, loc);
  prev->next.store(first, loc);
  last->next.store(next, loc);
  next->prev.store(last, loc);
}
}  // namespace

void list_splice_init(list_head* list, list_head* head, SL loc) {
  if (list_empty(list, loc)) return;
  __list_splice(list, head, head->next.load(loc), loc);
  INIT_LIST_HEAD(list);
}
void list_splice_tail_init(list_head* list, list_head* head, SL loc) {
  if (list_empty(list, loc)) return;
  __list_splice(list, head->prev.load(loc), head, loc);
  INIT_LIST_HEAD(list);
}

void list_add(list_head* entry, list_head* head, SL loc) {
  __list_add(entry, head, head->next.load(loc), loc);
}
void list_add_tail(list_head* entry, list_head* head, SL loc) {
  __list_add(entry, head->prev.load(loc), head, loc);
}

void list_del(list_head* entry, SL loc) {
  list_head* next = entry->next.load(loc);
  list_head* prev = entry->prev.load(loc);
  if (next == LIST_POISON1)
    return list_corrupt(entry, "next is LIST_POISON1 (already deleted)", loc);
  if (prev == LIST_POISON2)
    return list_corrupt(entry, "prev is LIST_POISON2 (already deleted)", loc);
  if (!next || !prev) return list_corrupt(entry, "entry is not on any list (NULL link)", loc);
  if (prev->next.load(loc) != entry)
    return list_corrupt(entry, "prev->next should point here", loc);
  if (next->prev.load(loc) != entry)
    return list_corrupt(entry, "next->prev should point here", loc);
  next->prev.store(prev, loc);
  prev->next.store(next, loc);
  entry->next.store(LIST_POISON1, loc);
  entry->prev.store(LIST_POISON2, loc);
}

void list_del_init(list_head* entry, SL loc) {
  list_del(entry, loc);
  INIT_LIST_HEAD(entry);
}

bool list_empty(list_head* head, SL loc) { return head->next.load(loc) == head; }

page* list_first_page(list_head* head, SL loc) {
  list_head* n = head->next.load(loc);
  return n == head ? nullptr : n->owner;
}

page* list_next_page(page* p, list_head* head, SL loc) {
  list_head* n = p->lru.next.load(loc);
  if (poisoned(n))
    fail_violation("general protection fault",
                   "following page->lru.next = " + hex(reinterpret_cast<unsigned long>(n)) +
                       " of pfn " + std::to_string(p->pfn) + " (freed or unlinked while on a list)",
                   loc);
  return n == head ? nullptr : n->owner;
}

// The end-state walks stop at a NULL or poisoned link (a page freed or unlinked while still
// on the list: the model's own checks report that) and after 64 entries (a cycle).
int list_count_peek(const list_head* head) {
  int n = 0;
  for (const list_head* e = head->next.peek(); e && e != head && !poisoned(e) && n < 64;
       e = e->next.peek())
    ++n;
  return n;
}

bool list_contains_peek(const list_head* head, const page* p) {
  int n = 0;
  for (const list_head* e = head->next.peek(); e && e != head && !poisoned(e) && n < 64;
       e = e->next.peek(), ++n)
    if (e->owner == p) return true;
  return false;
}

// ---- struct page ----

page::page(int n)
    : pfn(n),
      flags(0, kFlagsName[n]),
      _refcount(0, kRefName[n]),
      _mapcount(kMapcountNone, kMapcountName[n]),
      mapping(0, kMappingName[n]),
      private_(0, kPrivateName[n]),
      private_bits(0, kPrivateName[n]),
      lru(kLruNextName[n], kLruPrevName[n], this),
      wait(kWaitName[n]),
      wait_lock(kWaitLockName[n]) {
  flags.format = format_page_flags;
  mapping.format = format_mapping;
  mc::name_address(this, kPageName[n]);
}

bool test_bit(unsigned nr, page* p, SL loc) { return p->flags.load(kRelaxed, loc) & bit(nr); }
void set_bit(unsigned nr, page* p, SL loc) { p->flags.fetch_or(bit(nr), kRelaxed, loc); }
void clear_bit(unsigned nr, page* p, SL loc) { p->flags.fetch_and(~bit(nr), kRelaxed, loc); }
void __set_bit(unsigned nr, page* p, SL loc) {
  const unsigned long v = p->flags.load(kRelaxed, loc);
  p->flags.store(v | bit(nr), kRelaxed, loc);
}
void __clear_bit(unsigned nr, page* p, SL loc) {
  const unsigned long v = p->flags.load(kRelaxed, loc);
  p->flags.store(v & ~bit(nr), kRelaxed, loc);
}

// ---- checks ----

std::string dump_page(page* p, const std::string& reason) {
  std::string s =
      "page:pfn" + std::to_string(p->pfn) + " refcount:" + std::to_string(p->_refcount.peek()) +
      " mapcount:" + std::to_string(p->_mapcount.peek() + 1) +
      " mapping:" + format_mapping(p->mapping.peek()) + " index:0x0 pfn:" + hex(p->pfn) + "\n";
  s += "flags: " + format_page_flags(p->flags.peek()) + "\n";
  s += "page dumped because: " + reason;
  return s;
}

void VM_BUG_ON_PAGE(bool cond, page* p, const char* expr, SL loc) {
  if (cond)
    fail_violation("VM_BUG_ON_PAGE", dump_page(p, std::string("VM_BUG_ON_PAGE(") + expr + ")"),
                   loc);
}

void VM_WARN_ON_ONCE_PAGE(bool cond, page* p, const char* expr, SL loc) {
  if (cond)
    mc::warning("VM_WARN_ON_ONCE_PAGE",
                dump_page(p, std::string("VM_WARN_ON_ONCE_PAGE(") + expr + ")"), loc);
}

bool WARN_ON_ONCE(bool cond, const char* expr, SL loc) {
  if (cond) mc::warning("WARN_ON_ONCE", std::string("WARNING: WARN_ON_ONCE(") + expr + ")", loc);
  return cond;
}

void BUG_ON(bool cond, const char* expr, SL loc) {
  if (cond) fail_violation("BUG_ON", std::string("kernel BUG: BUG_ON(") + expr + ")", loc);
}

// ---- reference counts ----

int page_count(page* p, SL loc) { return p->_refcount.load(kRelaxed, loc); }

// get_page (mm.h 4.8): VM_BUG_ON_PAGE(page_ref_count(page) <= 0); page_ref_inc. The check and
// the increment are one step here (the check reads the value the increment starts from).
void get_page(page* p, SL loc) {
  const int old = p->_refcount.fetch_add(1, kRelaxed, loc);
  VM_BUG_ON_PAGE(old <= 0, p, "page_ref_count(page) <= 0", loc);
}

// get_page_unless_zero (mm.h 4.8): atomic_add_unless(&_refcount, 1, 0), a full barrier when
// it succeeds.
bool atomic_inc_not_zero(mc::atomic<int>& v, std::memory_order mo, SL loc) {
  int expected = 1;  // the common case first: one step when the guess is right
  while (true) {
    if (v.compare_exchange_strong(expected, expected + 1, mo, loc)) return true;
    if (expected == 0) return false;
  }
}

bool get_page_unless_zero(page* p, SL loc) {
  return atomic_inc_not_zero(p->_refcount, std::memory_order_acq_rel, loc);
}

// put_page_testzero (mm.h 4.8): VM_BUG_ON_PAGE(page_ref_count(page) == 0); dec_and_test.
bool put_page_testzero(page* p, SL loc) {
  const int old = p->_refcount.fetch_sub(1, std::memory_order_acq_rel, loc);
  VM_BUG_ON_PAGE(old == 0, p, "page_ref_count(page) == 0", loc);
  return old == 1;
}

// put_page (mm.h 4.8): the last reference frees the page (__put_page -> free_hot_cold_page).
void put_page(page* p, SL loc) {
  if (put_page_testzero(p, loc)) {
    MC_FUNC("__put_page");
    if (p->pgmap)
      free_zone_device_page(p, loc);
    else
      Memory::current().free_page(p, loc);
  }
}

// ---- Memory ----

Memory::Memory(int nr_pages, bool may_fail) : nr_(nr_pages), may_fail_(may_fail) {
  if (nr_pages > kMaxPages) throw std::invalid_argument("too many pages");
  for (int i = 0; i < nr_; ++i) {
    pages_[i] = std::make_unique<page>(i);
    free_[i] = std::make_unique<mc::plain<bool>>(true, kFreeName[i]);
  }
  saved_ = current_memory;
  current_memory = this;
}

Memory::~Memory() { current_memory = saved_; }

Memory& Memory::current() {
  if (!current_memory) throw std::logic_error("no Memory in this execution");
  return *current_memory;
}

address_space* Memory::register_mapping(const char* name, const movable_operations* ops,
                                        void* host) {
  if (nr_spaces_ == kMaxMappings)
    throw std::length_error("more than " + std::to_string(kMaxMappings) +
                            " drivers' address spaces in one execution");
  address_space& a = spaces_[nr_spaces_];
  a.id = ++nr_spaces_;
  a.name = name;
  a.a_ops = ops;
  a.host = host;
  return &a;
}

address_space* Memory::mapping_by_id(int id) {
  return id >= 1 && id <= nr_spaces_ ? &spaces_[id - 1] : nullptr;
}

// check_new_page (page_alloc.c 4.8): a page leaving the buddy must be clean.
page* Memory::alloc_page(bool from_top, SL loc) {
  MC_FUNC("alloc_page");
  if (may_fail_ && mc::choose(2, loc)) return nullptr;  // the allocation may fail
  page* p = nullptr;
  zone_lock_.lock(loc);
  for (int k = 0; k < nr_ && !p; ++k) {
    const int pfn = from_top ? nr_ - 1 - k : k;
    if (free_[pfn]->load(loc)) {
      free_[pfn]->store(false, loc);
      p = pages_[pfn].get();
    }
  }
  zone_lock_.unlock(loc);
  if (!p) return nullptr;
  const unsigned long f = p->flags.load(kRelaxed, loc);
  if (f & PAGE_FLAGS_CHECK_AT_PREP)
    fail_violation("bad page state",
                   "BUG: Bad page state in process T  pfn:" + hex(p->pfn) + "\n" +
                       dump_page(p, "PAGE_FLAGS_CHECK_AT_PREP flag(s) set"),
                   loc);
  p->data = mc::make_named<PageData>("page contents", loc);
  p->lru.next.store(nullptr, loc);
  p->lru.prev.store(nullptr, loc);
  p->_refcount.store(1, std::memory_order_release, loc);  // set_page_refcounted
  return p;
}

// free_pages_prepare + free_pages_check (page_alloc.c 4.8; 6.17 resets page_type instead of
// checking the mapcount of typed pages).
void Memory::free_page(page* p, SL loc) {
  MC_FUNC("free_pages_prepare");
  const bool v617 = kcfg().movable_ops_flag();
  const unsigned long m = p->mapping.load(kRelaxed, loc);
  if (m & PAGE_MAPPING_FLAGS) p->mapping.store(0, kRelaxed, loc);
  if (v617 && p->_mapcount.load(kRelaxed, loc) != kMapcountNone)
    p->_mapcount.store(kMapcountNone, kRelaxed, loc);  // 2dfcd1608f3a: freeing clears the type
  // free_pages_check: the last matching reason wins, as in free_pages_check_bad.
  const char* bad = nullptr;
  if (p->_mapcount.load(kRelaxed, loc) != kMapcountNone) bad = "nonzero mapcount";
  if (p->mapping.load(kRelaxed, loc) != 0) bad = "non-NULL mapping";
  if (p->_refcount.load(kRelaxed, loc) != 0) bad = "nonzero _refcount";
  if (p->flags.load(kRelaxed, loc) & PAGE_FLAGS_CHECK_AT_FREE)
    bad = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
  if (bad)
    fail_violation(
        "bad page state",
        "BUG: Bad page state in process T  pfn:" + hex(p->pfn) + "\n" + dump_page(p, bad), loc);
  // p->flags &= ~PAGE_FLAGS_CHECK_AT_PREP: a plain store at refcount 0 (silently drops
  // PG_isolated, PG_waiters, PG_movable_ops).
  const unsigned long f = p->flags.load(kRelaxed, loc);
  p->flags.store(f & ~PAGE_FLAGS_CHECK_AT_PREP, kRelaxed, loc);
  mc::free(p->data, loc);
  p->lru.next.store(LIST_POISON1, loc);  // the buddy reuses page->lru
  p->lru.prev.store(LIST_POISON2, loc);
  zone_lock_.lock(loc);
  free_[p->pfn]->store(true, loc);
  zone_lock_.unlock(loc);
}

}  // namespace proto
