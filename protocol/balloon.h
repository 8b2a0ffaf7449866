// The balloon (mm/balloon_compaction.c, include/linux/balloon_compaction.h) and the
// virtio-balloon driver (drivers/virtio/virtio_balloon.c) over its whole life: fill and leak
// with the pfn array they tell the host, the config-change work, deflation under memory
// pressure, removal, and migration of its pages; 4.8 to 6.17 (gates in protocol/version.h).
#pragma once

#include <array>

#include "protocol/migrate.h"
#include "protocol/workqueue.h"

namespace proto {

struct virtio_balloon;
struct vmballoon;

struct balloon_dev_info {
  balloon_dev_info();
  virtio_balloon* vb = nullptr;  // container_of(b_dev_info, struct virtio_balloon, vb_dev_info)
  vmballoon* vmb = nullptr;      // container_of(b_dev_info, struct vmballoon, b_dev_info)
  mc::plain<unsigned long> isolated_pages{0, "b_dev_info->isolated_pages"};
  mc::spinlock pages_lock{"b_dev_info->pages_lock"};
  list_head pages;
  int (*migratepage)(balloon_dev_info* b, page* newpage, page* p, migrate_mode mode) = nullptr;
  address_space* mapping = nullptr;  // 4.8: the balloon inode's mapping
};

// ARRAY_SIZE(vb->pfns): the kernel's VIRTIO_BALLOON_ARRAY_PFNS_MAX is 256; the model's zone
// has at most a few pages. One balloon pfn per page (4 KiB pages).
constexpr int kVbPfnsMax = 4;
// Threads that may run fill_balloon or leak_balloon at once (their lists are on the stack).
constexpr int kVbLocalLists = 8;

// The device as the guest sees it: its config space (the host's target, the guest's actual
// size) and what the host has been told. The host is the other side of a virtqueue: tell_host
// hands it the pfn array and returns when it has taken it (balloon_ack).
struct virtio_balloon_host {
  mc::atomic<unsigned> num_pages{0, "config.num_pages"};  // the target, written by the host
  mc::atomic<unsigned> actual{0, "config.actual"};        // written by update_balloon_size
  unsigned inflated = 0;  // the host's view: one bit per pfn it holds as inflated
};

struct virtio_balloon {
  virtio_balloon();
  balloon_dev_info vb_dev_info;
  mc::mutex balloon_lock{"vb->balloon_lock"};
  mc::plain<unsigned> num_pages{0, "vb->num_pages"};
  mc::plain<unsigned> num_pfns{0, "vb->num_pfns"};
  mc::plain<unsigned> pfns[kVbPfnsMax];
  virtio_balloon_host host;
  // The config-change work (4.6+, fad7b7b27b6a), stopped by remove under stop_update_lock.
  work_struct update_balloon_size_work;
  mc::spinlock stop_update_lock{"vb->stop_update_lock"};
  mc::plain<bool> stop_update{false, "vb->stop_update"};
  workqueue_struct* wq = nullptr;  // system_freezable_wq
  // The virtio device's (vdev->config_lock, config_enabled, config_change_pending).
  mc::spinlock config_lock{"vdev->config_lock"};
  mc::plain<bool> config_enabled{true, "vdev->config_enabled"};
  mc::plain<bool> config_change_pending{false, "vdev->config_change_pending"};
  // This balloon's OOM notifier (the shrinker in 4.19-5.6): registered, and the calls in
  // progress. The chain's rwsem (a sleeping lock, read by each call, written by
  // unregister_oom_notifier, which so waits for the calls in progress) as the model has it.
  mc::atomic<bool> notifier_registered{true, "vb->nb registered"};
  mc::atomic<int> notifier_calls{0, "oom_notify_list.rwsem readers"};
  // The memory kfree(vb) gives back: a model heap block every entry point through a
  // container_of (the work, the notifier) reads first, so a use after removal is a finding.
  mc::plain<int>* alive = nullptr;
  bool removed = false;      // virtballoon_remove returned (for the end-state check)
  int fruitless_rounds = 0;  // the work's rounds in a row that changed nothing
  // The local `pages` lists of fill_balloon (4.15+) and leak_balloon (4.14+), one per thread.
  std::array<list_head, kVbLocalLists> filled;
  std::array<list_head, kVbLocalLists> deflated;
};

// balloon_page_alloc (4.15+) and balloon_page_enqueue (4.8-4.14: allocates too).
page* balloon_page_alloc();
// Pages_lock held (and the page's lock, or a page nobody else can reach yet).
void balloon_page_insert(balloon_dev_info* b, page* p);
void balloon_page_delete(page* p);  // 6.17: balloon_page_finalize
void balloon_page_enqueue(balloon_dev_info* b, page* p);
// balloon_page_list_enqueue (418a3ab1e778, 5.3): the n pages of the caller's list into the
// balloon under one hold of pages_lock; the pages added.
size_t balloon_page_list_enqueue(balloon_dev_info* b, page* const* pages, size_t n);
page* balloon_page_enqueue(balloon_dev_info* b);  // 4.8-4.14 form; from 4.15: alloc + enqueue
page* balloon_page_dequeue(balloon_dev_info* b);
// balloon_page_list_dequeue (418a3ab1e778, 5.3): up to n pages out of the balloon into out[]
// (the kernel's list of the caller), skipping pages locked or isolated by migration.
size_t balloon_page_list_dequeue(balloon_dev_info* b, page** out, size_t n);

// The driver's paths. fill_balloon / leak_balloon take and return balloon pages (pfns).
unsigned fill_balloon(virtio_balloon* vb, size_t num);
unsigned leak_balloon(virtio_balloon* vb, size_t num);
long towards_target(virtio_balloon* vb);
void update_balloon_size(virtio_balloon* vb);
void update_balloon_size_func(work_struct* work);
// The config interrupt's handler (the host changed the target).
void virtballoon_changed(virtio_balloon* vb);
// Deflation under memory pressure: the OOM notifier (virtballoon_oom_notify 4.8-4.18, named
// virtio_balloon_oom_notify from 5.7), or the shrinker's scan (virtio_balloon_shrinker_scan,
// 4.19-5.6). Returns the pages freed.
unsigned long virtballoon_oom_notify(virtio_balloon* vb, unsigned long nr);
void virtballoon_remove(virtio_balloon* vb);
// The virtio core around the driver: a config interrupt (virtio_config_changed) and the
// device's removal (virtio_dev_remove: virtio_config_disable, then virtballoon_remove).
void virtio_config_changed(virtio_balloon* vb);
void virtio_dev_remove(virtio_balloon* vb);
// The host: virtio_balloon_to_target (QEMU's name) sets the target and raises the config
// interrupt, whose handler (virtio_config_changed) runs in the calling thread.
void virtio_balloon_to_target(virtio_balloon* vb, unsigned target);

extern const movable_operations balloon_mops;

}  // namespace proto
