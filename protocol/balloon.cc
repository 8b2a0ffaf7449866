#include "protocol/balloon.h"

#include "protocol/page_lock.h"
#include "protocol/version.h"

namespace proto {

namespace {

balloon_dev_info* balloon_page_device(page* p) {
  return reinterpret_cast<balloon_dev_info*>(page_private(p));
}

void balloon_touches_lru(page* p, const char* where) {
  if (p->flags.peek() & bit(PG_isolated))
    mc::violation("driver lru access while isolated",
                  dump_page(p, std::string(where) + " uses page->lru of an isolated page"));
}

// balloon_page_insert (balloon_compaction.h 4.8: PageBalloon + __SetPageMovable; 6.0 the same
// with balloon_mops; 6.17: PageOffline + SetPageMovableOps). Page lock and pages_lock held.
void balloon_page_insert(balloon_dev_info* b, page* p) {
  MC_FUNC("balloon_page_insert");
  if (kcfg().movable_ops_flag()) {
    __SetPageType(p, PGTY_offline);
    SetPageMovableOps(p);
  } else {
    __SetPageBalloon(p);
    __SetPageMovable(p, b->mapping);
  }
  set_page_private(p, reinterpret_cast<unsigned long>(b));
  list_add(&p->lru, &b->pages);
}

// balloon_page_delete (balloon_compaction.h 4.8-6.16); balloon_page_finalize (6.17) only
// clears private: the type and PG_movable_ops stay until the page is freed.
void balloon_page_delete(page* p) {
  MC_FUNC(kcfg().movable_ops_flag() ? "balloon_page_finalize" : "balloon_page_delete");
  if (kcfg().movable_ops_flag()) {
    set_page_private(p, 0);
    return;
  }
  __ClearPageBalloon(p);
  __ClearPageMovable(p);
  set_page_private(p, 0);
  if (!PageIsolated(p)) {
    balloon_touches_lru(p, "balloon_page_delete");
    list_del(&p->lru);
  }
}

bool balloon_page_isolate(page* p, isolate_mode_t) {
  MC_FUNC("balloon_page_isolate");
  balloon_dev_info* b = balloon_page_device(p);
  if (kcfg().movable_ops_flag() && !b) return false;  // 6.17: already deflated
  b->pages_lock.lock();
  balloon_touches_lru(p, "balloon_page_isolate");
  list_del(&p->lru);
  b->isolated_pages.store(b->isolated_pages.load() + 1);
  b->pages_lock.unlock();
  return true;
}

void balloon_page_putback(page* p) {
  MC_FUNC("balloon_page_putback");
  balloon_dev_info* b = balloon_page_device(p);
  if (kcfg().movable_ops_flag() && WARN_ON_ONCE(!b, "!b_dev_info")) return;
  b->pages_lock.lock();
  list_add(&p->lru, &b->pages);
  b->isolated_pages.store(b->isolated_pages.load() - 1);
  b->pages_lock.unlock();
}

int balloon_page_migrate(address_space*, page* newpage, page* p, migrate_mode mode) {
  MC_FUNC("balloon_page_migrate");
  balloon_dev_info* b = balloon_page_device(p);
  VM_BUG_ON_PAGE(!PageLocked(p), p, "!PageLocked(page)");
  VM_BUG_ON_PAGE(!PageLocked(newpage), newpage, "!PageLocked(newpage)");
  if (kcfg().movable_ops_flag() && WARN_ON_ONCE(!b, "!b_dev_info")) return -EAGAIN;
  return b->migratepage(b, newpage, p, mode);
}

virtio_balloon* vb_of(balloon_dev_info* b) { return b->vb; }

// virtballoon_migratepage (virtio_balloon.c 4.8; 6.17 finalizes the old page after the unlock)
int virtballoon_migratepage(balloon_dev_info* b, page* newpage, page* p, migrate_mode) {
  MC_FUNC("virtballoon_migratepage");
  virtio_balloon* vb = vb_of(b);
  // The balloon may be inflating or deflating under balloon_lock: retry later, in any mode.
  if (!vb->balloon_lock.try_lock()) return -EAGAIN;
  get_page(newpage);  // the balloon's reference
  b->pages_lock.lock();
  balloon_page_insert(b, newpage);
  b->isolated_pages.store(b->isolated_pages.load() - 1);
  b->pages_lock.unlock();
  // (tell_host: inflate newpage, deflate page)
  if (!kcfg().movable_ops_flag()) balloon_page_delete(p);
  vb->balloon_lock.unlock();
  if (kcfg().movable_ops_flag()) balloon_page_delete(p);
  put_page(p);  // the balloon's reference
  return MIGRATEPAGE_SUCCESS;
}

}  // namespace

const movable_operations balloon_mops = {"balloon", balloon_page_isolate, balloon_page_migrate,
                                         balloon_page_putback};

balloon_dev_info::balloon_dev_info() : pages("b_dev_info->pages.next", "b_dev_info->pages.prev") {
  INIT_LIST_HEAD(&pages);
  mc::name_address(this, "b_dev_info");  // page->private of its pages, in traces
  mapping = Memory::current().register_mapping("balloon", &balloon_mops, this);
  register_movable_ops(PGTY_offline, &balloon_mops);
}

virtio_balloon::virtio_balloon() : deflated("deflated.next", "deflated.prev") {
  INIT_LIST_HEAD(&deflated);
  vb_dev_info.migratepage = virtballoon_migratepage;
  vb_dev_info.vb = this;
}

// balloon_page_enqueue (balloon_compaction.c 4.8): the page cannot be locked by anyone else.
page* balloon_page_enqueue(balloon_dev_info* b) {
  MC_FUNC("balloon_page_enqueue");
  page* p = alloc_page();
  if (!p) return nullptr;
  BUG_ON(!trylock_page(p), "!trylock_page(page)");
  b->pages_lock.lock();
  balloon_page_insert(b, p);
  b->pages_lock.unlock();
  unlock_page(p);
  return p;
}

// balloon_page_dequeue (balloon_compaction.c 4.8: pages_lock, trylock each page, skip
// isolated ones; 6.17 balloon_page_list_dequeue without the isolated check).
page* balloon_page_dequeue(balloon_dev_info* b) {
  MC_FUNC("balloon_page_dequeue");
  const bool locked = !kcfg().has(Bug::dequeue_without_lock);
  page* found = nullptr;
  if (locked) b->pages_lock.lock();
  for (page* p = list_first_page(&b->pages); p;) {
    page* next = list_next_page(p, &b->pages);
    if (trylock_page(p)) {
      if (!kcfg().movable_ops_flag() && PageIsolated(p)) {
        unlock_page(p);  // raced with isolation
        p = next;
        continue;
      }
      if (kcfg().movable_ops_flag()) list_del(&p->lru);
      balloon_page_delete(p);
      unlock_page(p);
      found = p;
      break;
    }
    p = next;
  }
  if (locked) b->pages_lock.unlock();
  if (!found) {
    // Only isolated pages may be missing from an empty list.
    b->pages_lock.lock();
    BUG_ON(list_empty(&b->pages) && !b->isolated_pages.load(),
           "list_empty(&b_dev_info->pages) && !b_dev_info->isolated_pages");
    b->pages_lock.unlock();
  }
  return found;
}

// fill_balloon (virtio_balloon.c), one page.
bool fill_balloon(virtio_balloon* vb) {
  MC_FUNC("fill_balloon");
  vb->balloon_lock.lock();
  page* p = balloon_page_enqueue(&vb->vb_dev_info);
  if (p) vb->num_pages.store(vb->num_pages.load() + 1);
  vb->balloon_lock.unlock();
  return p != nullptr;
}

// leak_balloon (virtio_balloon.c), one page; release_pages_balloon drops the balloon's ref.
bool leak_balloon(virtio_balloon* vb) {
  MC_FUNC("leak_balloon");
  vb->balloon_lock.lock();
  page* p = balloon_page_dequeue(&vb->vb_dev_info);
  if (p) {
    list_add(&p->lru, &vb->deflated);
    vb->num_pages.store(vb->num_pages.load() - 1);
  }
  // release_pages_balloon
  while (page* q = list_first_page(&vb->deflated)) {
    list_del(&q->lru);
    put_page(q);
  }
  vb->balloon_lock.unlock();
  return p != nullptr;
}

}  // namespace proto
