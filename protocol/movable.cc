#include "protocol/movable.h"

#include "protocol/version.h"

namespace proto {

namespace {
thread_local const movable_operations* ops_by_type[3] = {};
int type_slot(int type) { return type == PGTY_offline ? 1 : type == PGTY_zsmalloc ? 2 : 0; }

// page_mapping's decoding of the word: NULL for anon, flag bits stripped.
address_space* mapping_of_word(unsigned long m) {
  if (m & PAGE_MAPPING_ANON) return nullptr;
  return Memory::current().mapping_by_id(static_cast<int>(m >> 2));
}
}  // namespace

// __PageMovable (page-flags.h 4.8-6.16): lock-free, no compound_head, may be a false positive.
bool __PageMovable(page* p, SL loc) {
  return (p->mapping.load(kRelaxed, loc) & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE;
}

bool PageMappingFlags(page* p, SL loc) {
  return (p->mapping.load(kRelaxed, loc) & PAGE_MAPPING_FLAGS) != 0;
}

// page_mapping (mm/util.c 4.8): NULL for anon, flag bits stripped. 6.0's page_movable_ops
// decodes the same word.
address_space* page_mapping(page* p, SL loc) {
  return mapping_of_word(p->mapping.load(kRelaxed, loc));
}

// What page->mapping points at, dereferenced: a word that decodes to no registered mapping (a
// field of another owner sharing the word, such as a slab's list poison) is not a pointer the
// kernel can follow: the general protection fault (or oops) of the dereference.
address_space* deref_page_mapping(page* p, SL loc) {
  const unsigned long m = p->mapping.load(kRelaxed, loc);
  address_space* a = mapping_of_word(m);
  if (!a && (m >> 2) != 0 && !(m & PAGE_MAPPING_ANON))
    mc::violation("general protection fault",
                  "dereferencing page->mapping " + format_mapping(m) + " of pfn " +
                      std::to_string(p->pfn) +
                      ": the word holds another owner's field, not a pointer to an address_space "
                      "or movable_operations",
                  loc);
  return a;
}

// PageMovable (compaction.c 4.8: follows mapping->a_ops; 6.0 only checks that
// page_movable_ops is not NULL, isolate_movable_page then calls through it): exact, needs the
// page lock.
bool PageMovable(page* p, SL loc) {
  MC_FUNC("PageMovable");
  VM_BUG_ON_PAGE(!PageLocked(p, loc), p, "!PageLocked(page)", loc);
  if (!__PageMovable(p, loc)) return false;
  if (kcfg().movable_operations()) return (p->mapping.load(kRelaxed, loc) >> 2) != 0;
  address_space* m = deref_page_mapping(p, loc);
  return m && m->a_ops && m->a_ops->isolate_page;
}

// __SetPageMovable (compaction.c 4.8-6.16): plain store of mapping | PAGE_MAPPING_MOVABLE.
void __SetPageMovable(page* p, address_space* mapping, SL loc) {
  MC_FUNC("__SetPageMovable");
  VM_BUG_ON_PAGE(!PageLocked(p, loc), p, "!PageLocked(page)", loc);
  const unsigned long m = static_cast<unsigned long>(mapping->id) << 2;
  VM_BUG_ON_PAGE(m & PAGE_MAPPING_MOVABLE, p, "(unsigned long)mapping & PAGE_MAPPING_MOVABLE", loc);
  p->mapping.store(m | PAGE_MAPPING_MOVABLE, kRelaxed, loc);
}

// __ClearPageMovable (compaction.c 4.8: asserts PageLocked and PageMovable; 6.0 only the
// latter, PageMovable asserts the lock). Keeps PAGE_MAPPING_MOVABLE so the VM can still tell
// a released isolated page from an LRU page; removed in 6.17.
void __ClearPageMovable(page* p, SL loc) {
  MC_FUNC("__ClearPageMovable");
  if (!kcfg().movable_operations())
    VM_BUG_ON_PAGE(!PageLocked(p, loc), p, "!PageLocked(page)", loc);
  VM_BUG_ON_PAGE(!PageMovable(p, loc), p, "!PageMovable(page)", loc);
  if (kcfg().has(Bug::clear_movable_drops_flag)) {
    p->mapping.store(0, kRelaxed, loc);  // the 2016 review's suggestion: forget the page kind
    return;
  }
  p->mapping.store(PAGE_MAPPING_MOVABLE, kRelaxed, loc);
}

// PageIsolated: test_bit (4.8-6.16) / PageMovableOpsIsolated (6.17).
bool PageIsolated(page* p, SL loc) { return test_bit(PG_isolated, p, loc); }

// __SetPageIsolated (4.8-5.17, __set_bit) / SetPageIsolated (5.18+, set_bit;
// SetPageMovableOpsIsolated in 6.17).
void SetPageIsolated(page* p, SL loc) {
  MC_FUNC("SetPageIsolated");
  if (kcfg().atomic_isolated())
    set_bit(PG_isolated, p, loc);
  else
    __set_bit(PG_isolated, p, loc);
}

// __ClearPageIsolated (4.8-5.17) / ClearPageIsolated (5.18+; ClearPageMovableOpsIsolated in
// 6.17).
void ClearPageIsolated(page* p, SL loc) {
  MC_FUNC("ClearPageIsolated");
  if (kcfg().atomic_isolated())
    clear_bit(PG_isolated, p, loc);
  else
    __clear_bit(PG_isolated, p, loc);
}

// PageMovableOps / SetPageMovableOps (page-flags.h 6.17): atomic, never cleared but at free.
bool PageMovableOps(page* p, SL loc) { return test_bit(PG_movable_ops, p, loc); }
void SetPageMovableOps(page* p, SL loc) { set_bit(PG_movable_ops, p, loc); }

// page_has_movable_ops (page-flags.h 6.17): the flag alone is ambiguous (PG_uptodate); the
// page type makes it exact.
bool page_has_movable_ops(page* p, SL loc) {
  if (!PageMovableOps(p, loc)) return false;
  const int t = p->_mapcount.load(kRelaxed, loc);
  return t == PGTY_offline || t == PGTY_zsmalloc;
}

void register_movable_ops(int page_type, const movable_operations* ops) {
  ops_by_type[type_slot(page_type)] = ops;
}

// page_movable_ops (migrate.c 6.17): by page type.
const movable_operations* page_movable_ops(page* p, SL loc) {
  const int t = p->_mapcount.load(kRelaxed, loc);
  const int slot = type_slot(t);
  return slot ? ops_by_type[slot] : nullptr;
}

const movable_operations* movable_ops_of(page* p, SL loc) {
  if (kcfg().movable_ops_flag()) return page_movable_ops(p, loc);
  address_space* m = deref_page_mapping(p, loc);
  return m ? m->a_ops : nullptr;
}

// PageBalloon: 4.8 a _mapcount value (-256); 6.0 a page type in the same word.
bool PageBalloon(page* p, SL loc) {
  return p->_mapcount.load(kRelaxed, loc) == PAGE_BALLOON_MAPCOUNT_VALUE;
}

void __SetPageBalloon(page* p, SL loc) {
  VM_BUG_ON_PAGE(p->_mapcount.load(kRelaxed, loc) != kMapcountNone, p,
                 "atomic_read(&page->_mapcount) != -1", loc);
  p->_mapcount.store(PAGE_BALLOON_MAPCOUNT_VALUE, kRelaxed, loc);
}

void __ClearPageBalloon(page* p, SL loc) {
  VM_BUG_ON_PAGE(!PageBalloon(p, loc), p, "!PageBalloon(page)", loc);
  p->_mapcount.store(kMapcountNone, kRelaxed, loc);
}

void __SetPageType(page* p, int type, SL loc) {
  VM_BUG_ON_PAGE(p->_mapcount.load(kRelaxed, loc) != kMapcountNone, p, "page_has_type(page)", loc);
  p->_mapcount.store(type, kRelaxed, loc);
}

}  // namespace proto
