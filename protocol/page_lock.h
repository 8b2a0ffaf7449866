// The page lock (PG_locked): trylock_page, lock_page, unlock_page, wait_on_page_locked, with
// the 4.8 hashed bit-waitqueue and the 4.10+ PG_waiters protocol.
#pragma once

#include "protocol/page.h"

namespace proto {

bool trylock_page(page* p, SL loc = SL::current());
void lock_page(page* p, SL loc = SL::current());
void unlock_page(page* p, SL loc = SL::current());
void wait_on_page_locked(page* p, SL loc = SL::current());
// Waits for the page's unlock without a reference: queued while `ptl` (held by the caller,
// which keeps the page alive) is held, then `ptl` is dropped (5.17+).
void migration_entry_wait_on_locked(page* p, mc::spinlock& ptl, SL loc = SL::current());
// Non-atomic, for a page nobody else can lock yet (add_to_page_cache_lru's pattern).
void __SetPageLocked(page* p, SL loc = SL::current());

}  // namespace proto
