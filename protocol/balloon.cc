#include "protocol/balloon.h"

#include <algorithm>
#include <stdexcept>
#include <string>

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

}  // namespace

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

namespace {

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

// set_page_pfns: the balloon pfns of one page (one per page: 4 KiB pages) at pfns[i].
void set_page_pfns(virtio_balloon* vb, unsigned i, page* p) {
  if (i >= kVbPfnsMax) {
    mc::violation("out-of-bounds", "set_page_pfns writes vb->pfns[" + std::to_string(i) +
                                       "], past the array's " + std::to_string(kVbPfnsMax) +
                                       " entries");
    return;
  }
  vb->pfns[i].store(static_cast<unsigned>(p->pfn));
}

// tell_host: the host takes vb->pfns[0..num_pfns) from the inflate or deflate virtqueue and
// acks (tell_host sleeps in wait_event(vb->acked) until then). The host's side is checked
// here: it may only inflate pages the balloon holds (it discards their contents) and only
// deflate pages it inflated.
void tell_host(virtio_balloon* vb, bool inflate) {
  MC_FUNC("tell_host");
  const unsigned n = vb->num_pfns.load();
  Memory& mem = Memory::current();
  for (unsigned i = 0; i < n && i < kVbPfnsMax; ++i) {
    const unsigned pfn = vb->pfns[i].load();
    if (pfn >= static_cast<unsigned>(mem.nr_pages())) {
      mc::violation(inflate ? "inflated page in use" : "deflated page not inflated",
                    "the host is told pfn " + std::to_string(pfn) + ", past the zone's pages");
      continue;
    }
    page* p = mem.pfn_to_page(static_cast<int>(pfn));
    const unsigned bit = 1u << pfn;
    if (inflate) {
      if (p->private_.peek() != reinterpret_cast<unsigned long>(&vb->vb_dev_info))
        mc::violation("inflated page in use",
                      dump_page(p, "the host inflates pfn " + std::to_string(pfn) +
                                       ", which the balloon does not hold: it discards memory "
                                       "the guest may be using"));
      vb->host.inflated |= bit;
    } else {
      if (!(vb->host.inflated & bit))
        mc::violation("deflated page not inflated",
                      dump_page(p, "the host deflates pfn " + std::to_string(pfn) +
                                       ", which it was never told to inflate"));
      vb->host.inflated &= ~bit;
    }
  }
}

// virtballoon_migratepage (virtio_balloon.c 4.8): newpage into the balloon and inflated, the
// old page out of it and deflated, under a trylocked balloon_lock. The old page leaves the
// balloon under pages_lock from 89da619bc18d (4.18) to 6.16 (balloon_migrate_delete_locked);
// 6.17 finalizes it after the unlock (15504b116300).
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
  vb->num_pfns.store(1);
  set_page_pfns(vb, 0, newpage);
  tell_host(vb, true);
  if (!kcfg().movable_ops_flag()) {
    const bool locked = kcfg().balloon_migrate_delete_locked();
    if (locked) b->pages_lock.lock();
    balloon_page_delete(p);
    if (locked) b->pages_lock.unlock();
  }
  vb->num_pfns.store(1);
  set_page_pfns(vb, 0, p);
  tell_host(vb, false);
  vb->balloon_lock.unlock();
  if (kcfg().movable_ops_flag()) balloon_page_delete(p);
  put_page(p);  // the balloon's reference
  return MIGRATEPAGE_SUCCESS;
}

// The caller's own list head, LIST_HEAD(pages) on the kernel function's stack (initialised
// at each call): one per thread.
list_head* local_list(std::array<list_head, kVbLocalLists>& lists, const char* fn) {
  const int t = mc::Execution::current() ? mc::Execution::current()->self() : 0;
  if (t < 0 || t >= kVbLocalLists)
    throw std::logic_error(std::string(fn) + ": the model keeps local lists for " +
                           std::to_string(kVbLocalLists) + " threads");
  list_head* h = &lists[static_cast<size_t>(t)];
  INIT_LIST_HEAD(h);
  return h;
}

// A retry loop's round that changed nothing (a balloon page isolated or locked by migration,
// memory short): the model drops the execution at the second such round in a row, as
// GenMC's spin-assume does. What another thread does next is explored from the first round;
// a loop that could never make progress shows as executions that end blocked.
void no_progress(int& rounds) {
  if (++rounds >= 2) mc::assume(false);
}

void touch_vb(virtio_balloon* vb) { (void)vb->alive->load(); }

}  // namespace

const movable_operations balloon_mops = {"balloon", balloon_page_isolate, balloon_page_migrate,
                                         balloon_page_putback};

balloon_dev_info::balloon_dev_info() : pages("b_dev_info->pages.next", "b_dev_info->pages.prev") {
  INIT_LIST_HEAD(&pages);
  mc::name_address(this, "b_dev_info");  // page->private of its pages, in traces
  mapping = Memory::current().register_mapping("balloon", &balloon_mops, this);
  register_movable_ops(PGTY_offline, &balloon_mops);
}

namespace {
const char* const kPfnNames[kVbPfnsMax] = {"vb->pfns[0]", "vb->pfns[1]", "vb->pfns[2]",
                                           "vb->pfns[3]"};
}  // namespace

#define MC_LOCAL_PAGES list_head("pages.next", "pages.prev")
virtio_balloon::virtio_balloon()
    : pfns{mc::plain<unsigned>(0, kPfnNames[0]), mc::plain<unsigned>(0, kPfnNames[1]),
           mc::plain<unsigned>(0, kPfnNames[2]), mc::plain<unsigned>(0, kPfnNames[3])},
      update_balloon_size_work(update_balloon_size_func, "update_balloon_size_work"),
      filled{MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES,
             MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES},
      deflated{MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES,
               MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES, MC_LOCAL_PAGES} {
  static_assert(kVbLocalLists == 8, "one initialiser per local list");
  vb_dev_info.migratepage = virtballoon_migratepage;
  vb_dev_info.vb = this;
  update_balloon_size_work.container = this;
  mc::name_address(this, "vb");
  alive = mc::make_named<mc::plain<int>>("struct virtio_balloon", std::source_location::current(),
                                         1, "vb");
  mc::expect_alive(alive);
}
#undef MC_LOCAL_PAGES

// balloon_page_alloc (c7cdff0e8647, 4.15): the page, allocated outside balloon_lock.
page* balloon_page_alloc() {
  MC_FUNC("balloon_page_alloc");
  return alloc_page();
}

// A new page into the balloon (4.8-5.2): lock it (nobody else can hold it), insert it under
// pages_lock.
static void lock_and_insert(balloon_dev_info* b, page* p) {
  BUG_ON(!trylock_page(p), "!trylock_page(page)");
  b->pages_lock.lock();
  balloon_page_insert(b, p);
  b->pages_lock.unlock();
  unlock_page(p);
}

// balloon_page_enqueue(b_dev_info, page) (c7cdff0e8647, 4.15): lock the page (nobody else can
// hold it), insert it under pages_lock. 418a3ab1e778 (5.3) moved the trylock inside
// pages_lock (balloon_page_enqueue_one).
// balloon_page_enqueue_one (418a3ab1e778, 5.3), pages_lock held.
static void balloon_page_enqueue_one(balloon_dev_info* b, page* p) {
  MC_FUNC("balloon_page_enqueue_one");
  BUG_ON(!trylock_page(p), "!trylock_page(page)");
  balloon_page_insert(b, p);
  unlock_page(p);
}

void balloon_page_enqueue(balloon_dev_info* b, page* p) {
  MC_FUNC("balloon_page_enqueue");
  if (kcfg().balloon_list_interfaces()) {
    b->pages_lock.lock();
    balloon_page_enqueue_one(b, p);
    b->pages_lock.unlock();
    return;
  }
  lock_and_insert(b, p);
}

size_t balloon_page_list_enqueue(balloon_dev_info* b, page* const* pages, size_t n) {
  MC_FUNC("balloon_page_list_enqueue");
  b->pages_lock.lock();
  for (size_t i = 0; i < n; ++i) balloon_page_enqueue_one(b, pages[i]);
  b->pages_lock.unlock();
  return n;
}

// balloon_page_enqueue(b_dev_info) (balloon_compaction.c 4.8-4.14): allocates the page too.
// From 4.15 this form is balloon_page_alloc followed by balloon_page_enqueue(b, page).
page* balloon_page_enqueue(balloon_dev_info* b) {
  if (kcfg().balloon_alloc_outside_lock()) {
    page* p = balloon_page_alloc();
    if (p) balloon_page_enqueue(b, p);
    return p;
  }
  MC_FUNC("balloon_page_enqueue");
  page* p = alloc_page();
  if (p) lock_and_insert(b, p);
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

size_t balloon_page_list_dequeue(balloon_dev_info* b, page** out, size_t n) {
  MC_FUNC("balloon_page_list_dequeue");
  size_t taken = 0;
  b->pages_lock.lock();
  for (page* p = list_first_page(&b->pages); p && taken < n;) {
    page* next = list_next_page(p, &b->pages);
    if (trylock_page(p)) {
      if (!kcfg().movable_ops_flag() && PageIsolated(p)) {
        unlock_page(p);  // raced with isolation
      } else {
        if (kcfg().movable_ops_flag()) list_del(&p->lru);
        balloon_page_delete(p);
        unlock_page(p);
        out[taken++] = p;
      }
    }
    p = next;
  }
  b->pages_lock.unlock();
  return taken;
}

// fill_balloon (virtio_balloon.c): up to `num` pages (one pfn array) into the balloon, then
// tell the host. 4.8-4.14 allocate under balloon_lock (balloon_page_enqueue allocates; on
// failure the kernel sleeps 200 ms, still holding it); c7cdff0e8647 (4.15) allocates first onto
// a local list, outside the lock, and enqueues under it.
unsigned fill_balloon(virtio_balloon* vb, size_t num) {
  MC_FUNC("fill_balloon");
  balloon_dev_info* b = &vb->vb_dev_info;
  num = std::min<size_t>(num, kVbPfnsMax);
  if (!kcfg().balloon_alloc_outside_lock()) {
    vb->balloon_lock.lock();
    for (vb->num_pfns.store(0); vb->num_pfns.load() < num;
         vb->num_pfns.store(vb->num_pfns.load() + 1)) {
      page* p = balloon_page_enqueue(b);
      if (!p) break;  // "Out of puff!": msleep(200)
      set_page_pfns(vb, vb->num_pfns.load(), p);
      vb->num_pages.store(vb->num_pages.load() + 1);
    }
  } else {
    list_head* pages = local_list(vb->filled, "fill_balloon");
    for (size_t n = 0; n < num; ++n) {
      page* p = balloon_page_alloc();
      if (!p) break;  // "Out of puff!": msleep(200), outside the lock
      MC_FUNC("balloon_page_push");
      list_add(&p->lru, pages);
    }
    vb->balloon_lock.lock();
    vb->num_pfns.store(0);
    while (page* p = list_first_page(pages)) {
      {
        MC_FUNC("balloon_page_pop");
        list_del(&p->lru);
      }
      balloon_page_enqueue(b, p);
      if (kcfg().has(Bug::fill_num_pfns_early)) {
        vb->num_pfns.store(vb->num_pfns.load() + 1);
        set_page_pfns(vb, vb->num_pfns.load(), p);
        vb->num_pages.store(vb->num_pages.load() + 1);
      } else {
        set_page_pfns(vb, vb->num_pfns.load(), p);
        vb->num_pages.store(vb->num_pages.load() + 1);
        vb->num_pfns.store(vb->num_pfns.load() + 1);
      }
    }
  }
  const unsigned allocated = vb->num_pfns.load();
  if (allocated) tell_host(vb, true);
  vb->balloon_lock.unlock();
  return allocated;
}

// release_pages_balloon: the balloon's reference of each deflated page dropped. 4.8-4.13
// find the pages through vb->pfns; 195a8c43e93d (4.14) through leak_balloon's local list.
static void release_pages_balloon(virtio_balloon* vb, list_head* pages) {
  MC_FUNC("release_pages_balloon");
  if (!kcfg().balloon_deflate_page_list()) {
    for (unsigned i = 0; i < vb->num_pfns.load() && i < kVbPfnsMax; ++i)
      put_page(Memory::current().pfn_to_page(static_cast<int>(vb->pfns[i].load())));
    return;
  }
  while (page* p = list_first_page(pages)) {
    list_del(&p->lru);
    put_page(p);
  }
}

// leak_balloon (virtio_balloon.c): up to `num` pages out of the balloon, but no more than it
// holds (37cf99e08c6f, 4.8), tell the host (first, for VIRTIO_BALLOON_F_MUST_TELL_HOST), then
// give them back, all under balloon_lock.
unsigned leak_balloon(virtio_balloon* vb, size_t num) {
  MC_FUNC("leak_balloon");
  balloon_dev_info* b = &vb->vb_dev_info;
  list_head* pages =
      kcfg().balloon_deflate_page_list() ? local_list(vb->deflated, "leak_balloon") : nullptr;
  num = std::min<size_t>(num, kVbPfnsMax);
  vb->balloon_lock.lock();
  num = std::min<size_t>(num, vb->num_pages.load());
  for (vb->num_pfns.store(0); vb->num_pfns.load() < num;
       vb->num_pfns.store(vb->num_pfns.load() + 1)) {
    page* p = balloon_page_dequeue(b);
    if (!p) break;
    set_page_pfns(vb, vb->num_pfns.load(), p);
    if (kcfg().balloon_deflate_page_list()) list_add(&p->lru, pages);
    vb->num_pages.store(vb->num_pages.load() - 1);
  }
  const unsigned freed = vb->num_pfns.load();
  if (freed) tell_host(vb, false);
  release_pages_balloon(vb, pages);
  vb->balloon_lock.unlock();
  return freed;
}

// towards_target: the host's target (config space) less vb->num_pages, read without
// balloon_lock.
long towards_target(virtio_balloon* vb) {
  MC_FUNC("towards_target");
  const long target = vb->host.num_pages.load();
  return target - static_cast<long>(vb->num_pages.load());
}

// update_balloon_size: vb->num_pages (without balloon_lock) into the config's `actual`.
void update_balloon_size(virtio_balloon* vb) {
  MC_FUNC("update_balloon_size");
  vb->host.actual.store(vb->num_pages.load());
}

// update_balloon_size_func, the config-change work: one pfn array towards the target, then
// requeue itself while the target is not reached.
void update_balloon_size_func(work_struct* work) {
  MC_FUNC("update_balloon_size_func");
  auto* vb = static_cast<virtio_balloon*>(work->container);
  touch_vb(vb);
  long diff = towards_target(vb);
  const long before = diff;
  if (diff > 0)
    diff -= fill_balloon(vb, static_cast<size_t>(diff));
  else if (diff < 0)
    diff += leak_balloon(vb, static_cast<size_t>(-diff));
  update_balloon_size(vb);
  if (diff) {
    if (diff == before)
      no_progress(vb->fruitless_rounds);
    else
      vb->fruitless_rounds = 0;
    queue_work(vb->wq, work);
  }
}

// virtballoon_changed, the config interrupt: queue the work unless removal has begun.
void virtballoon_changed(virtio_balloon* vb) {
  MC_FUNC("virtballoon_changed");
  touch_vb(vb);
  vb->stop_update_lock.lock();  // spin_lock_irqsave
  if (!vb->stop_update.load()) queue_work(vb->wq, &vb->update_balloon_size_work);
  vb->stop_update_lock.unlock();
}

void virtio_balloon_to_target(virtio_balloon* vb, unsigned target) {
  MC_FUNC("virtio_balloon_to_target");
  vb->host.num_pages.store(target);
  virtio_config_changed(vb);
}

// virtio_config_changed (drivers/virtio/virtio.c, 22b7050a024d, 3.19): the driver's
// config_changed runs under vdev->config_lock while config changes are enabled; otherwise the
// change is left pending.
void virtio_config_changed(virtio_balloon* vb) {
  MC_FUNC("virtio_config_changed");
  vb->config_lock.lock();  // spin_lock_irqsave
  if (vb->config_enabled.load())
    virtballoon_changed(vb);
  else
    vb->config_change_pending.store(true);
  vb->config_lock.unlock();
}

// virtio_dev_remove: config changes disabled (virtio_config_disable, under config_lock, so a
// handler running now ends first), then the driver's remove.
void virtio_dev_remove(virtio_balloon* vb) {
  MC_FUNC("virtio_dev_remove");
  if (!kcfg().has(Bug::remove_config_enabled)) {
    MC_FUNC("virtio_config_disable");
    vb->config_lock.lock();
    vb->config_enabled.store(false);
    vb->config_lock.unlock();
  }
  virtballoon_remove(vb);
}

// Deflation under memory pressure, through the OOM notifier chain (blocking_notifier_call_chain
// under the chain's rwsem, which unregistering takes for writing: the model counts the calls
// in progress and unregistering waits for none). virtballoon_oom_notify (4.8-4.18), named
// virtio_balloon_oom_notify from da10329cb057 (5.7): leak_balloon of `nr` pages,
// update_balloon_size.
// 71994620bb25 (4.19-5.6) made it a shrinker, virtio_balloon_shrinker_scan, which leaks until
// `nr` pages are freed or the balloon is empty (its loop as the model has it: the exact
// arithmetic of the kernel's loop is not verified) and then updates the size.
unsigned long virtballoon_oom_notify(virtio_balloon* vb, unsigned long nr) {
  vb->notifier_calls.fetch_add(1);  // down_read(&nh->rwsem)
  unsigned long freed = 0;
  if (vb->notifier_registered.load()) {
    touch_vb(vb);
    if (kcfg().balloon_shrinker()) {
      MC_FUNC("virtio_balloon_shrinker_scan");
      int rounds = 0;
      while (vb->num_pages.load() && freed < nr) {
        const unsigned got = leak_balloon(vb, nr - freed);
        if (got)
          rounds = 0;
        else
          no_progress(rounds);
        freed += got;
      }
      update_balloon_size(vb);
    } else {
      MC_FUNC(kcfg().balloon_oom_notifier_back() ? "virtio_balloon_oom_notify"
                                                 : "virtballoon_oom_notify");
      freed = leak_balloon(vb, nr);
      update_balloon_size(vb);
    }
  }
  vb->notifier_calls.fetch_sub(1);  // up_read
  return freed;
}

// remove_common: every page left in the balloon deflated, the size told, the device reset.
static void remove_common(virtio_balloon* vb) {
  MC_FUNC("remove_common");
  int rounds = 0;
  while (unsigned n = vb->num_pages.load()) {
    if (leak_balloon(vb, n))
      rounds = 0;
    else
      no_progress(rounds);
  }
  update_balloon_size(vb);
}

// virtballoon_remove (4.8): unregister the OOM notifier (the shrinker in 4.19-5.6), stop the
// config work (stop_update under stop_update_lock, then cancel_work_sync), deflate it all,
// kfree(vb).
void virtballoon_remove(virtio_balloon* vb) {
  MC_FUNC("virtballoon_remove");
  {
    MC_FUNC(kcfg().balloon_shrinker() ? "unregister_shrinker" : "unregister_oom_notifier");
    vb->notifier_registered.store(false);
    mc::await(vb->notifier_calls, [vb] { return vb->notifier_calls.peek() == 0; });
  }
  vb->stop_update_lock.lock();  // spin_lock_irq
  vb->stop_update.store(true);
  vb->stop_update_lock.unlock();
  cancel_work_sync(vb->wq, &vb->update_balloon_size_work);
  remove_common(vb);
  mc::free(vb->alive);  // kfree(vb)
  vb->removed = true;
}

}  // namespace proto
