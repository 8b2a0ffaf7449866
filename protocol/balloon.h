// The balloon (mm/balloon_compaction.c, include/linux/balloon_compaction.h) and the
// virtio-balloon driver's use of it (drivers/virtio/virtio_balloon.c), 4.8 and 6.17.
#pragma once

#include "protocol/migrate.h"

namespace proto {

struct virtio_balloon;

struct balloon_dev_info {
  balloon_dev_info();
  virtio_balloon* vb = nullptr;  // container_of(b_dev_info, struct virtio_balloon, vb_dev_info)
  mc::plain<unsigned long> isolated_pages{0, "b_dev_info->isolated_pages"};
  mc::spinlock pages_lock{"b_dev_info->pages_lock"};
  list_head pages;
  int (*migratepage)(balloon_dev_info* b, page* newpage, page* p, migrate_mode mode) = nullptr;
  address_space* mapping = nullptr;  // 4.8: the balloon inode's mapping
};

struct virtio_balloon {
  virtio_balloon();
  balloon_dev_info vb_dev_info;
  mc::mutex balloon_lock{"vb->balloon_lock"};
  mc::plain<int> num_pages{0, "vb->num_pages"};
  list_head deflated;  // leak_balloon's local list
};

page* balloon_page_enqueue(balloon_dev_info* b);
page* balloon_page_dequeue(balloon_dev_info* b);
// virtio-balloon inflate / deflate of one page (fill_balloon / leak_balloon).
bool fill_balloon(virtio_balloon* vb);
bool leak_balloon(virtio_balloon* vb);

extern const movable_operations balloon_mops;

}  // namespace proto
