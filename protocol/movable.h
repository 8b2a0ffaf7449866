// The movable-page API: marking (__SetPageMovable / SetPageMovableOps), testing
// (__PageMovable, PageMovable, page_has_movable_ops), PG_isolated, page_mapping, and the
// driver interface (movable_operations).
#pragma once

#include "protocol/page.h"

namespace proto {

// The driver callbacks. 4.8 keeps them in address_space_operations and passes the mapping
// to migratepage; 6.0 (68f2736a8583) moves them to struct movable_operations without it.
struct movable_operations {
  const char* name;
  bool (*isolate_page)(page* p, isolate_mode_t mode);
  int (*migratepage)(address_space* mapping, page* newpage, page* p, migrate_mode mode);
  void (*putback_page)(page* p);
};

// ---- 4.8-6.16: PAGE_MAPPING_MOVABLE in page->mapping ----
bool __PageMovable(page* p, SL loc = SL::current());
bool PageMovable(page* p, SL loc = SL::current());
void __SetPageMovable(page* p, address_space* mapping, SL loc = SL::current());
void __ClearPageMovable(page* p, SL loc = SL::current());
address_space* page_mapping(page* p, SL loc = SL::current());
// page_mapping's target dereferenced: a general protection fault when the word is another
// owner's field rather than a mapping (its ops, 6.0).
address_space* deref_page_mapping(page* p, SL loc = SL::current());
bool PageMappingFlags(page* p, SL loc = SL::current());

// ---- PG_isolated: non-atomic until 5.18 (356ea3865687), atomic after ----
bool PageIsolated(page* p, SL loc = SL::current());
void SetPageIsolated(page* p, SL loc = SL::current());    // __SetPageIsolated before 5.18
void ClearPageIsolated(page* p, SL loc = SL::current());  // __ClearPageIsolated before 5.18

// ---- 6.17: PG_movable_ops + a page type ----
bool PageMovableOps(page* p, SL loc = SL::current());
void SetPageMovableOps(page* p, SL loc = SL::current());
bool page_has_movable_ops(page* p, SL loc = SL::current());
// The ops by page type (balloon: PGTY_offline; the reference driver: PGTY_zsmalloc).
const movable_operations* page_movable_ops(page* p, SL loc = SL::current());
void register_movable_ops(int page_type, const movable_operations* ops);

// The ops of a page, whichever version: a_ops of page_mapping (4.8), the mops in
// page->mapping (6.0), by type (6.17). Null if the page has none.
const movable_operations* movable_ops_of(page* p, SL loc = SL::current());

// ---- page types ----
bool PageBalloon(page* p, SL loc = SL::current());
void __SetPageBalloon(page* p, SL loc = SL::current());
void __ClearPageBalloon(page* p, SL loc = SL::current());
void __SetPageType(page* p, int type, SL loc = SL::current());  // __SetPageOffline & co (6.17)

}  // namespace proto
