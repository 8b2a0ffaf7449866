#include "protocol/driver.h"

#include "protocol/page_lock.h"
#include "protocol/version.h"

namespace proto {

namespace {

refdrv* drv_of(page* p) { return reinterpret_cast<refdrv*>(page_private(p)); }

// The invariant the documentation states: after isolation the VM owns page->lru.
void driver_touches_lru(page* p, const char* where) {
  if (p->flags.peek() & bit(PG_isolated))
    mc::violation("driver lru access while isolated",
                  dump_page(p, std::string(where) + " uses page->lru of an isolated page"));
}

// Marks a page movable for the running kernel: __SetPageMovable under the page lock
// (4.8-6.16), page type + SetPageMovableOps (6.17).
void mark_movable(refdrv* d, page* p) {
  set_page_private(p, reinterpret_cast<unsigned long>(d));
  if (kcfg().movable_ops_flag()) {
    __SetPageType(p, PGTY_zsmalloc);
    SetPageMovableOps(p);
  } else {
    __SetPageMovable(p, d->mapping);
  }
}

// Forget a page: __ClearPageMovable under the page lock before releasing it (4.8-6.16); from
// 6.17 the driver clears its own back-pointer and its callbacks check it.
void unmark_movable(page* p) {
  if (!kcfg().movable_ops_flag()) __ClearPageMovable(p);
  set_page_private(p, 0);
}

bool refdrv_isolate_page(page* p, isolate_mode_t) {
  MC_FUNC("refdrv_isolate_page");
  refdrv* d = drv_of(p);
  if (!d) return false;  // 6.17: released by us; nothing to isolate
  d->lock.lock();
  driver_touches_lru(p, "refdrv_isolate_page");
  list_del(&p->lru);  // the driver's allocator must not hand it out any more
  d->lock.unlock();
  return true;
}

int refdrv_migratepage(address_space*, page* newpage, page* p, migrate_mode) {
  MC_FUNC("refdrv_migratepage");
  refdrv* d = drv_of(p);
  if (!d) return MIGRATEPAGE_SUCCESS;  // 6.17: released while isolated, nothing to move
  d->lock.lock();
  const int budget = d->eagain_budget.load();
  if (budget > 0) d->eagain_budget.store(budget - 1);
  const bool fail = d->fail_permanently.load();
  d->lock.unlock();
  if (budget > 0) return -EAGAIN;
  if (fail) return -EBUSY;
  newpage->data->word.store(p->data->word.load());  // copy the object
  mark_movable(d, newpage);
  get_page(newpage);  // the driver's reference on the new page
  d->lock.lock();
  list_add(&newpage->lru, &d->pages);
  if (d->handle.load() == p) d->handle.store(newpage);
  d->lock.unlock();
  unmark_movable(p);  // under the page lock, as the documentation asks
  put_page(p);        // the driver's reference on the old page
  return MIGRATEPAGE_SUCCESS;
}

void refdrv_putback_page(page* p) {
  MC_FUNC("refdrv_putback_page");
  refdrv* d = drv_of(p);
  if (!d) return;  // 6.17: released while isolated; the core's put frees it
  d->lock.lock();
  list_add(&p->lru, &d->pages);
  d->lock.unlock();
}

// Pins the page holding the object and locks it, retrying if migration moved the object.
page* lock_object_page(refdrv* d) {
  while (true) {
    d->lock.lock();
    page* p = d->handle.load();
    if (p) get_page(p);
    d->lock.unlock();
    if (!p) return nullptr;
    lock_page(p);
    d->lock.lock();
    const bool same = d->handle.load() == p;
    d->lock.unlock();
    if (same) return p;
    unlock_page(p);
    put_page(p);
  }
}

}  // namespace

const movable_operations refdrv_mops = {"refdrv", refdrv_isolate_page, refdrv_migratepage,
                                        refdrv_putback_page};

refdrv::refdrv() : pages("refdrv->pages.next", "refdrv->pages.prev") {
  INIT_LIST_HEAD(&pages);
  mc::name_address(this, "refdrv");  // page->private of its pages, in traces
  mapping = Memory::current().register_mapping("refdrv", &refdrv_mops, this);
  register_movable_ops(PGTY_zsmalloc, &refdrv_mops);
}

bool refdrv_alloc(refdrv* d, long value) {
  MC_FUNC("refdrv_alloc");
  page* p = alloc_page();
  if (!p) return false;
  p->data->word.store(value);
  const bool unlocked_bug = kcfg().has(Bug::set_movable_unlocked);
  // Nobody else can lock a page we just allocated: the non-atomic form is allowed, which is
  // why isolate_movable_page must not touch the flags before its __PageMovable test.
  if (!unlocked_bug) __SetPageLocked(p);
  mark_movable(d, p);
  d->lock.lock();
  list_add(&p->lru, &d->pages);
  d->handle.store(p);
  d->lock.unlock();
  if (!unlocked_bug) unlock_page(p);
  return true;
}

void refdrv_free(refdrv* d) {
  MC_FUNC("refdrv_free");
  page* p = lock_object_page(d);
  if (!p) return;
  d->lock.lock();
  d->handle.store(nullptr);
  // PG_isolated is stable under the page lock; an isolated page is on the VM's list.
  if (!PageIsolated(p)) list_del(&p->lru);
  d->lock.unlock();
  unmark_movable(p);
  unlock_page(p);
  put_page(p);  // lock_object_page's pin
  put_page(p);  // the driver's reference: the page now lives on the VM's reference, if any
}

long refdrv_read(refdrv* d) {
  MC_FUNC("refdrv_read");
  page* p = lock_object_page(d);
  if (!p) return -1;
  const long v = p->data->word.load();
  unlock_page(p);
  put_page(p);
  return v;
}

}  // namespace proto
