#include "protocol/migrate.h"

#include "protocol/page_lock.h"
#include "protocol/slab.h"
#include "protocol/version.h"

namespace proto {

namespace {

constexpr int NR_MAX_MIGRATE_PAGES_RETRY = 10;
constexpr int NR_MAX_MIGRATE_ASYNC_RETRY = 3;  // 6.17 migrate_pages_sync, first batch
constexpr int NR_MAX_MIGRATE_SYNC_RETRY = 7;   // 6.17 migrate_pages_sync, one by one

// "Is this a non-LRU movable page" as each version asks it, lock-free.
bool movable_kind(page* p, SL loc) {
  return kcfg().movable_ops_flag() ? page_has_movable_ops(p, loc) : __PageMovable(p, loc);
}

// The model has no LRU pages: the core taking its LRU path for a page of the movable protocol
// is the bug (page->lru belongs to a driver or a migration list, not to the LRU).
void lru_path_on_movable_page(page* p, const char* where, SL loc) {
  mc::violation(
      "non-LRU page on LRU path",
      dump_page(p, std::string(where) + " on a non-LRU movable page (its lru is not the LRU's)"),
      loc);
}

// putback_lru_page (migrate.c 4.8). A blank page (no movable mapping, no type, not
// isolated) becomes an orphan on the LRU that reclaim frees when it finds it (4.8 does this
// with an untouched target page after the "released by owner" shortcut, see
// docs/protocol.md); the model frees it at once. A page of the movable protocol reaching
// here means its lru is reused while a driver or migration list still owns it.
void putback_lru_page(page* p, SL loc) {
  MC_FUNC("putback_lru_page");
  const bool movable_state = (p->mapping.peek() & PAGE_MAPPING_FLAGS) ||
                             p->_mapcount.peek() != kMapcountNone ||
                             (p->flags.peek() & bit(PG_isolated));
  if (movable_state) lru_path_on_movable_page(p, "putback_lru_page", loc);
  put_page(p, loc);
}

void release_new_page(page* newpage, free_page_t put_new_page, void* priv, SL loc) {
  if (put_new_page)
    put_new_page(newpage, priv);
  else
    put_page(newpage, loc);
}

// move_to_new_page (migrate.c 4.8; move_to_new_folio 6.0): the non-LRU branch.
int move_to_new_page(page* newpage, page* p, migrate_mode mode, SL loc) {
  MC_FUNC("move_to_new_page");
  int rc = -EAGAIN;
  const bool is_lru = !__PageMovable(p, loc);
  VM_BUG_ON_PAGE(!PageLocked(p, loc), p, "!PageLocked(page)", loc);
  VM_BUG_ON_PAGE(!PageLocked(newpage, loc), newpage, "!PageLocked(newpage)", loc);
  address_space* mapping = page_mapping(p, loc);
  if (is_lru) {
    lru_path_on_movable_page(p, "move_to_new_page (LRU branch)", loc);
    return rc;
  }
  VM_BUG_ON_PAGE(!PageIsolated(p, loc), p, "!PageIsolated(page)", loc);
  if (!PageMovable(p, loc)) {
    // The owner released the page after isolation: report success without the driver.
    ClearPageIsolated(p, loc);
    return MIGRATEPAGE_SUCCESS;
  }
  const movable_operations* ops = movable_ops_of(p, loc);
  rc = ops->migratepage(mapping, newpage, p, mode);
  WARN_ON_ONCE(rc == MIGRATEPAGE_SUCCESS && !PageIsolated(p, loc),
               "rc == MIGRATEPAGE_SUCCESS && !PageIsolated(page)", loc);
  if (rc == MIGRATEPAGE_SUCCESS) {
    // Clear under the page lock so no scanner isolates the old page again.
    if (__PageMovable(p, loc)) {
      VM_BUG_ON_PAGE(!PageIsolated(p, loc), p, "!PageIsolated(page)", loc);
      ClearPageIsolated(p, loc);
    }
    if (!PageMappingFlags(p, loc)) p->mapping.store(0, std::memory_order_relaxed, loc);
  }
  return rc;
}

// The target page's fate after success: 4.8 reads __PageMovable(newpage) after unlocking it;
// 5.0 decides by is_lru; 5.18 (c3096e6782b7) always put_page.
void release_newpage_after_success(page* newpage, bool is_lru, SL loc) {
  const Config& k = kcfg();
  bool movable;
  if (k.has(Bug::newpage_movable_after_unlock)) {
    // As 3.12-4.7 stable did with __is_movable_balloon_page(newpage): a test the owner can
    // make false once newpage is unlocked (here: still owned by a movable mapping).
    movable = __PageMovable(newpage, loc) && page_mapping(newpage, loc);
    if (k.movable_ops_flag()) movable = page_has_movable_ops(newpage, loc);
  } else if (k.newpage_always_put()) {
    movable = true;
  } else if (k.newpage_putback_by_is_lru()) {
    movable = !is_lru;
  } else {
    movable = __PageMovable(newpage, loc);  // 4.8: latent, __ClearPageMovable keeps the bit
  }
  if (movable)
    put_page(newpage, loc);
  else
    putback_lru_page(newpage, loc);
}

// __unmap_and_move (migrate.c 4.8; 5.0 fix; 5.18 put_page(newpage))
int __unmap_and_move(page* p, page* newpage, bool force, migrate_mode mode, SL loc) {
  MC_FUNC("__unmap_and_move");
  int rc = -EAGAIN;
  const bool is_lru = !__PageMovable(p, loc);
  if (!trylock_page(p, loc)) {
    if (!force || mode == migrate_mode::MIGRATE_ASYNC) return rc;
    // (current->flags & PF_MEMALLOC: the model's compactors are kcompactd-like, never set.)
    lock_page(p, loc);
  }
  if (!trylock_page(newpage, loc)) {
    unlock_page(p, loc);
    return rc;
  }
  if (is_lru)
    lru_path_on_movable_page(p, "__unmap_and_move (LRU branch)", loc);
  else
    rc = move_to_new_page(newpage, p, mode, loc);
  unlock_page(newpage, loc);
  unlock_page(p, loc);
  if (rc == MIGRATEPAGE_SUCCESS) release_newpage_after_success(newpage, is_lru, loc);
  return rc;
}

// unmap_and_move (migrate.c 4.8; the count check before the allocation from 5.9, the ret
// list from 5.15)
int unmap_and_move(new_page_t get_new_page, free_page_t put_new_page, void* priv, page* p,
                   bool force, migrate_mode mode, list_head* ret, SL loc) {
  MC_FUNC("unmap_and_move");
  const Config& k = kcfg();
  const bool early = k.count_check_before_alloc();
  page* newpage = nullptr;
  bool newpage_consumed = false;
  int rc = MIGRATEPAGE_SUCCESS;
  if (!early) {
    newpage = get_new_page(p, priv);
    if (!newpage) return -ENOMEM;
  }
  if (page_count(p, loc) == 1) {
    // The owner dropped its reference: only the isolation reference is left.
    clear_bit(PG_active, p, loc);
    clear_bit(PG_unevictable, p, loc);
    if (__PageMovable(p, loc)) {
      lock_page(p, loc);
      if (!PageMovable(p, loc)) ClearPageIsolated(p, loc);
      unlock_page(p, loc);
    }
  } else {
    if (early) {
      newpage = get_new_page(p, priv);
      if (!newpage) return -ENOMEM;
    }
    rc = __unmap_and_move(p, newpage, force, mode, loc);
    newpage_consumed = rc == MIGRATEPAGE_SUCCESS;
  }
  if (rc != -EAGAIN) list_del(&p->lru, loc);
  if (rc == MIGRATEPAGE_SUCCESS) {
    put_page(p, loc);  // the isolation reference: normally frees the old page
  } else if (rc != -EAGAIN) {
    if (k.ret_list()) {
      list_add_tail(&p->lru, ret, loc);  // the caller puts it back
    } else if (!__PageMovable(p, loc)) {
      putback_lru_page(p, loc);
    } else {
      lock_page(p, loc);
      if (PageMovable(p, loc))
        putback_movable_page(p, loc);
      else
        ClearPageIsolated(p, loc);
      unlock_page(p, loc);
      put_page(p, loc);
    }
  }
  if (newpage && !newpage_consumed) release_new_page(newpage, put_new_page, priv, loc);
  return rc;
}

// ---- 6.17: batched migration (6.3+ structure) with movable_ops pages ----

// migrate_movable_ops_page (migrate.c 6.17): no "released by its owner" check any more.
int migrate_movable_ops_page(page* dst, page* src, migrate_mode mode, SL loc) {
  MC_FUNC("migrate_movable_ops_page");
  VM_WARN_ON_ONCE_PAGE(!page_has_movable_ops(src, loc), src, "!page_has_movable_ops(src)", loc);
  VM_WARN_ON_ONCE_PAGE(!PageIsolated(src, loc), src, "!PageMovableOpsIsolated(src)", loc);
  const int rc = page_movable_ops(src, loc)->migratepage(nullptr, dst, src, mode);
  if (rc == MIGRATEPAGE_SUCCESS) ClearPageIsolated(src, loc);  // ClearPageMovableOpsIsolated
  return rc;
}

// The folio was freed from under the migration: only the isolation reference is left.
// free_pages_prepare clears the isolated flag.
void migrate_freed_folio_done(page* src, SL loc) {
  clear_bit(PG_active, src, loc);
  clear_bit(PG_unevictable, src, loc);
  list_del(&src->lru, loc);
  put_page(src, loc);  // migrate_folio_done
}

// migrate_folio_unmap's result for a folio unmapped and ready to move: MIGRATEPAGE_UNMAP until
// 95c2908f1a4f (6.18) made it 0.
int unmapped_rc() { return kcfg().movable_ops_no_freed_check() ? 0 : MIGRATEPAGE_UNMAP; }

// migrate_folio_unmap (migrate.c 6.17, 6.18), for order-0 movable_ops pages.
int migrate_folio_unmap(new_page_t get_new_page, free_page_t put_new_page, void* priv, page* src,
                        page** dstp, migrate_mode mode, SL loc) {
  MC_FUNC("migrate_folio_unmap");
  if (!kcfg().movable_ops_no_freed_check() && page_count(src, loc) == 1) {
    migrate_freed_folio_done(src, loc);
    return MIGRATEPAGE_SUCCESS;
  }
  page* dst = get_new_page(src, priv);
  if (!dst) return -ENOMEM;
  int rc = -EAGAIN;
  bool locked = trylock_page(src, loc);
  if (!locked) {
    // No `force` gate in 6.17. PG_uptodate aliases PG_movable_ops, so SYNC_LIGHT locks.
    if (mode != migrate_mode::MIGRATE_ASYNC &&
        !(mode == migrate_mode::MIGRATE_SYNC_LIGHT && !test_bit(PG_uptodate, src, loc))) {
      lock_page(src, loc);
      locked = true;
    }
  }
  if (locked) {
    if (trylock_page(dst, loc)) {
      if (page_has_movable_ops(src, loc)) {
        *dstp = dst;
        return unmapped_rc();  // both pages stay locked
      }
      lru_path_on_movable_page(src, "migrate_folio_unmap (LRU branch)", loc);
    }
    unlock_page(src, loc);
  }
  release_new_page(dst, put_new_page, priv, loc);
  return rc;
}

// migrate_folio_move (migrate.c 6.17), movable_ops branch.
int migrate_folio_move(free_page_t put_new_page, void* priv, page* src, page* dst,
                       migrate_mode mode, list_head* ret, SL loc) {
  MC_FUNC("migrate_folio_move");
  const int rc = migrate_movable_ops_page(dst, src, mode, loc);
  if (rc == -EAGAIN) return rc;  // both locks kept for the next pass
  if (rc != MIGRATEPAGE_SUCCESS) {
    unlock_page(src, loc);
    list_del(&src->lru, loc);
    list_add_tail(&src->lru, ret, loc);
    unlock_page(dst, loc);
    release_new_page(dst, put_new_page, priv, loc);
    return rc;
  }
  unlock_page(dst, loc);
  if (kcfg().has(Bug::newpage_movable_after_unlock))
    release_newpage_after_success(dst, false, loc);
  else
    put_page(dst, loc);  // the allocation reference
  list_del(&src->lru, loc);
  unlock_page(src, loc);
  put_page(src, loc);  // migrate_folio_done: the isolation reference
  return rc;
}

// migrate_pages_batch (migrate.c 6.3-6.18): an unmap phase, then a move phase that keeps both
// locks across -EAGAIN retries; leftovers are undone to `ret`.
int migrate_pages_batch(list_head* from, new_page_t get_new_page, free_page_t put_new_page,
                        void* priv, migrate_mode mode, list_head* ret, int nr_pass,
                        migrate_scratch* s, SL loc) {
  MC_FUNC("migrate_pages_batch");
  int nr_failed = 0;
  s->nr_pairs = 0;
  int retry = 1;
  bool stop = false;
  for (int pass = 0; pass < nr_pass && retry && !stop; ++pass) {
    retry = 0;
    for (page* p = list_first_page(from, loc); p && !stop;) {
      page* next = list_next_page(p, from, loc);
      page* dst = nullptr;
      // 6.18: the freed-folio test, here and for folios only (95c2908f1a4f).
      if (kcfg().movable_ops_no_freed_check() && !page_has_movable_ops(p, loc) &&
          page_count(p, loc) == 1) {
        migrate_freed_folio_done(p, loc);
        p = next;
        continue;
      }
      const int rc = migrate_folio_unmap(get_new_page, put_new_page, priv, p, &dst, mode, loc);
      if (rc == unmapped_rc()) {
        list_del(&p->lru, loc);
        list_add_tail(&p->lru, &s->unmap, loc);
        s->pairs[s->nr_pairs++] = {p, dst, false};
      } else if (rc == -EAGAIN) {
        ++retry;
      } else if (rc == -ENOMEM) {
        ++nr_failed;
        stop = true;  // move what is already unmapped
      } else if (rc != MIGRATEPAGE_SUCCESS) {
        ++nr_failed;
        list_del(&p->lru, loc);
        list_add_tail(&p->lru, ret, loc);
      }
      p = next;
    }
  }
  nr_failed += retry;
  retry = 1;
  for (int pass = 0; pass < nr_pass && retry; ++pass) {
    retry = 0;
    for (int i = 0; i < s->nr_pairs; ++i) {
      auto& pr = s->pairs[i];
      if (pr.done) continue;
      const int rc = migrate_folio_move(put_new_page, priv, pr.src, pr.dst, mode, ret, loc);
      if (rc == -EAGAIN) {
        ++retry;
        continue;
      }
      pr.done = true;
      if (rc != MIGRATEPAGE_SUCCESS) ++nr_failed;
    }
  }
  // migrate_folios_undo
  for (int i = 0; i < s->nr_pairs; ++i) {
    auto& pr = s->pairs[i];
    if (pr.done) continue;
    pr.done = true;
    ++nr_failed;
    unlock_page(pr.src, loc);
    list_del(&pr.src->lru, loc);
    list_add_tail(&pr.src->lru, ret, loc);
    unlock_page(pr.dst, loc);
    release_new_page(pr.dst, put_new_page, priv, loc);
  }
  return stop ? -ENOMEM : nr_failed;
}

}  // namespace

migrate_scratch::migrate_scratch()
    : ret("ret.next", "ret.prev"), unmap("unmap.next", "unmap.prev"), one("one.next", "one.prev") {
  INIT_LIST_HEAD(&ret);
  INIT_LIST_HEAD(&unmap);
  INIT_LIST_HEAD(&one);
}

void check_isolated_on_list(page* p, const char* where, SL loc) {
  if (!(p->flags.peek() & bit(PG_isolated)) || p->_refcount.peek() < 1)
    mc::violation("isolation invariant",
                  dump_page(p, std::string(where) +
                                   ": a page on a migration list must be PG_isolated with the "
                                   "core's reference"),
                  loc);
}

// isolate_movable_page (migrate.c 4.8 bool / 4.11-6.3 int; 5.18 atomic SetPageIsolated;
// 6.0 movable_operations) and isolate_movable_ops_page (6.17).
bool isolate_movable_page(page* p, isolate_mode_t mode, SL loc) {
  const Config& k = kcfg();
  MC_FUNC(k.movable_ops_flag() ? "isolate_movable_ops_page" : "isolate_movable_page");
  const bool take_ref = !k.has(Bug::isolate_without_ref);
  auto put = [&] {
    if (take_ref) put_page(p, loc);
  };
  // Avoid pages being freed: a page at refcount 0 is not ours to touch.
  if (take_ref && !get_page_unless_zero(p, loc)) return false;
  if (k.has(Bug::lock_before_movable_check)) {
    if (!trylock_page(p, loc)) {
      put();
      return false;
    }
    if (!movable_kind(p, loc)) {
      unlock_page(p, loc);
      put();
      return false;
    }
  } else {
    // 8b8817630ae8 (6.2): a slab page's fields share page->mapping's word and can look movable;
    // PageSlab is tested before and after the word, each read ordered against the slab's
    // smp_wmb (PG_slab set before the word is written, cleared after it is reset).
    const bool skip_slab = k.isolate_skips_slab();
    if (skip_slab && PageSlab(p, loc)) {
      put();
      return false;
    }
    if (skip_slab) mc::fence(std::memory_order_acquire, loc);  // smp_rmb
    // Lock-free check first: the owner may be setting flags non-atomically on a page it just
    // allocated, and an atomic trylock on the same word could lose its bit (or ours).
    if (!movable_kind(p, loc)) {
      put();
      return false;
    }
    if (skip_slab) mc::fence(std::memory_order_acquire, loc);  // smp_rmb
    if (skip_slab && PageSlab(p, loc)) {
      put();
      return false;
    }
    if (!trylock_page(p, loc)) {
      put();
      return false;
    }
  }
  if (k.movable_ops_flag()) {
    VM_WARN_ON_ONCE_PAGE(!page_has_movable_ops(p, loc), p, "!page_has_movable_ops(page)", loc);
    if (PageIsolated(p, loc)) {
      unlock_page(p, loc);
      put();
      return false;
    }
  } else if (!PageMovable(p, loc) || PageIsolated(p, loc)) {
    unlock_page(p, loc);
    put();
    return false;
  }
  const movable_operations* ops = movable_ops_of(p, loc);
  if (k.movable_ops_flag()) {
    if (WARN_ON_ONCE(!ops, "!mops", loc)) {
      unlock_page(p, loc);
      put();
      return false;
    }
  } else {
    VM_BUG_ON_PAGE(!ops, p, k.movable_operations() ? "!mops" : "!mapping", loc);
  }
  if (!ops->isolate_page(p, mode)) {
    unlock_page(p, loc);
    put();
    return false;
  }
  // The driver must not set PG_isolated itself.
  if (k.movable_ops_flag())
    VM_WARN_ON_ONCE_PAGE(PageIsolated(p, loc), p, "PageMovableOpsIsolated(page)", loc);
  else
    WARN_ON_ONCE(PageIsolated(p, loc), "PageIsolated(page)", loc);
  SetPageIsolated(p, loc);
  unlock_page(p, loc);
  return true;
}

// putback_movable_page (migrate.c 4.8; 6.0 mops): the caller holds the page lock.
void putback_movable_page(page* p, SL loc) {
  MC_FUNC("putback_movable_page");
  VM_BUG_ON_PAGE(!PageLocked(p, loc), p, "!PageLocked(page)", loc);
  VM_BUG_ON_PAGE(!PageMovable(p, loc), p, "!PageMovable(page)", loc);
  VM_BUG_ON_PAGE(!PageIsolated(p, loc), p, "!PageIsolated(page)", loc);
  movable_ops_of(p, loc)->putback_page(p);
  ClearPageIsolated(p, loc);
}

namespace {
// putback_movable_ops_page (migrate.c 6.17): takes the lock and drops the reference itself.
void putback_movable_ops_page(page* p, SL loc) {
  MC_FUNC("putback_movable_ops_page");
  VM_WARN_ON_ONCE_PAGE(!page_has_movable_ops(p, loc), p, "!page_has_movable_ops(page)", loc);
  VM_WARN_ON_ONCE_PAGE(!PageIsolated(p, loc), p, "!PageMovableOpsIsolated(page)", loc);
  lock_page(p, loc);
  page_movable_ops(p, loc)->putback_page(p);
  ClearPageIsolated(p, loc);
  unlock_page(p, loc);
  put_page(p, loc);
}
}  // namespace

// putback_movable_pages (migrate.c 4.8; 6.17 without the released-page branch)
void putback_movable_pages(list_head* l, SL loc) {
  MC_FUNC("putback_movable_pages");
  const Config& k = kcfg();
  while (page* p = list_first_page(l, loc)) {
    list_del(&p->lru, loc);
    if (k.movable_ops_flag()) {
      if (page_has_movable_ops(p, loc))
        putback_movable_ops_page(p, loc);
      else
        putback_lru_page(p, loc);
      continue;
    }
    if (__PageMovable(p, loc)) {
      VM_BUG_ON_PAGE(!PageIsolated(p, loc), p, "!PageIsolated(page)", loc);
      lock_page(p, loc);
      if (PageMovable(p, loc))
        putback_movable_page(p, loc);
      else
        ClearPageIsolated(p, loc);  // released by its owner while isolated
      unlock_page(p, loc);
      put_page(p, loc);
    } else {
      putback_lru_page(p, loc);
    }
  }
}

// migrate_pages (migrate.c 4.8 / 6.0: 10 passes, force from pass 3; 6.17: batched, sync
// modes first try the batch as ASYNC, then each page alone).
int migrate_pages(list_head* from, new_page_t get_new_page, free_page_t put_new_page, void* priv,
                  migrate_mode mode, migrate_scratch* s, SL loc) {
  MC_FUNC("migrate_pages");
  const Config& k = kcfg();
  if (k.movable_ops_flag()) {
    int rc;
    if (mode == migrate_mode::MIGRATE_ASYNC) {
      rc = migrate_pages_batch(from, get_new_page, put_new_page, priv, mode, &s->ret,
                               NR_MAX_MIGRATE_PAGES_RETRY, s, loc);
    } else {
      // migrate_pages_sync: failures of the ASYNC batch are all retried one by one.
      rc = migrate_pages_batch(from, get_new_page, put_new_page, priv, migrate_mode::MIGRATE_ASYNC,
                               &s->one, NR_MAX_MIGRATE_ASYNC_RETRY, s, loc);
      list_splice_tail_init(&s->one, from, loc);
      if (rc >= 0) {
        rc = 0;
        while (page* p = list_first_page(from, loc)) {
          list_del(&p->lru, loc);
          list_add_tail(&p->lru, &s->one, loc);
          const int r = migrate_pages_batch(&s->one, get_new_page, put_new_page, priv, mode,
                                            &s->ret, NR_MAX_MIGRATE_SYNC_RETRY, s, loc);
          list_splice_tail_init(&s->one, &s->ret, loc);  // -EAGAIN leftovers: failed
          if (r < 0) {
            rc = r;
            break;
          }
          rc += r;
        }
      }
    }
    list_splice_init(&s->ret, from, loc);  // list_splice: in front of what is left
    return rc;
  }
  int nr_failed = 0;
  int retry = 1;
  for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && retry; ++pass) {
    retry = 0;
    for (page* p = list_first_page(from, loc); p;) {
      page* next = list_next_page(p, from, loc);
      const int rc =
          unmap_and_move(get_new_page, put_new_page, priv, p, pass > 2, mode, &s->ret, loc);
      if (rc == -ENOMEM) {
        ++nr_failed;
        if (k.ret_list()) list_splice_init(&s->ret, from, loc);
        return -ENOMEM;
      }
      if (rc == -EAGAIN)
        ++retry;
      else if (rc != MIGRATEPAGE_SUCCESS)
        ++nr_failed;
      p = next;
    }
  }
  nr_failed += retry;
  if (k.ret_list()) list_splice_init(&s->ret, from, loc);
  return nr_failed;
}

// ---- compaction ----

compact_control::compact_control(const char* name)
    : next_name(std::string(name) + ".migratepages.next"),
      prev_name(std::string(name) + ".migratepages.prev"),
      migratepages(next_name.c_str(), prev_name.c_str()) {
  INIT_LIST_HEAD(&migratepages);
}

// isolate_migratepages_block (compaction.c 4.8), the non-LRU branch only: every page of the
// model is either free or a non-LRU page.
int isolate_migratepages_block(compact_control* cc, int low, int high, SL loc) {
  MC_FUNC("isolate_migratepages_block");
  const Config& k = kcfg();
  Memory& mem = Memory::current();
  int nr_isolated = 0;
  for (int pfn = low; pfn < high; ++pfn) {
    page* p = mem.pfn_to_page(pfn);
    if (PageLRU(p, loc)) continue;
    const bool candidate = k.movable_ops_flag()
                               ? page_has_movable_ops(p, loc) && !PageIsolated(p, loc)
                               : __PageMovable(p, loc) && !PageIsolated(p, loc);
    if (!candidate) continue;
    if (!isolate_movable_page(p, 0, loc)) continue;
    list_add(&p->lru, &cc->migratepages, loc);
    check_isolated_on_list(p, "isolate_migratepages_block", loc);
    ++cc->nr_migratepages;
    ++nr_isolated;
  }
  return nr_isolated;
}

// do_migrate_range (memory_hotplug.c 4.8, as extended by bda807d44454; body from memory, not
// re-read): pin, isolate, drop the pin, migrate in MIGRATE_SYNC, put back failures.
void do_migrate_range(compact_control* cc, int start, int end, SL loc) {
  MC_FUNC("do_migrate_range");
  Memory& mem = Memory::current();
  for (int pfn = start; pfn < end; ++pfn) {
    page* p = mem.pfn_to_page(pfn);
    if (!get_page_unless_zero(p, loc)) continue;  // free pages are skipped
    if (PageLRU(p, loc)) {
      put_page(p, loc);
      continue;
    }
    const bool isolated = isolate_movable_page(p, 0, loc);
    put_page(p, loc);
    if (isolated) {
      list_add_tail(&p->lru, &cc->migratepages, loc);
      check_isolated_on_list(p, "do_migrate_range", loc);
    }
  }
  if (list_empty(&cc->migratepages, loc)) return;
  if (migrate_pages(&cc->migratepages, compaction_alloc, compaction_free, cc,
                    migrate_mode::MIGRATE_SYNC, &cc->scratch, loc))
    putback_movable_pages(&cc->migratepages, loc);
}

// compaction_alloc: a free page from the top of the zone (the free scanner's side).
page* compaction_alloc(page*, void*) { return Memory::current().alloc_page(true); }
// compaction_free: give an unused target back (the model frees it at once).
void compaction_free(page* p, void*) { put_page(p); }

// compact_zone (compaction.c), reduced to one block: isolate, migrate, put back the rest.
void compact_zone(compact_control* cc, int low, int high, SL loc) {
  MC_FUNC("compact_zone");
  if (!isolate_migratepages_block(cc, low, high, loc)) return;
  if (cc->migrate) {
    const int err = migrate_pages(&cc->migratepages, compaction_alloc, compaction_free, cc,
                                  cc->mode, &cc->scratch, loc);
    if (err) putback_movable_pages(&cc->migratepages, loc);
  } else {
    putback_movable_pages(&cc->migratepages, loc);
  }
  cc->nr_migratepages = 0;
}

}  // namespace proto
