// zswap (mm/zswap.c) as z3fold's user, 5.3-6.4: the tree of entries (one swap type), each
// entry naming its object by a zpool handle and holding its swap offset in the object's first
// word (struct zswap_header), the store, the invalidation and the writeback that z3fold's
// reclaim calls through the pool's evict operation (zswap_writeback_entry). No compression:
// an object is its header word. The entry's reference count and its place in the tree are
// protected by tree->lock, as in the kernel.
#pragma once

#include <memory>
#include <vector>

#include "checker/mc.h"

namespace proto {

struct z3fold_pool;

struct zswap_entry {
  explicit zswap_entry(long offset);
  long offset;  // swp_offset of the entry's swap slot
  mc::plain<unsigned long> handle{0, "entry->handle"};
  mc::plain<int> refcount{0, "entry->refcount"};
  mc::plain<bool> in_tree{false, "entry in tree->rbroot"};
  bool freed = false;  // the model's: zswap_free_entry ran (its object freed)
};

struct zswap_tree {
  mc::spinlock lock{"tree->lock"};
  std::vector<std::unique_ptr<zswap_entry>> entries;  // every entry made (the rbtree's are in_tree)
  z3fold_pool* pool = nullptr;                        // entry->pool->zpool
};

// zswap_pool_create's zpool: the z3fold pool `pool`, its evict operation zswap's writeback, and
// the tree of zswap's entries in it.
std::unique_ptr<zswap_tree> zswap_pool_create(z3fold_pool* pool);
// zswap_frontswap_store for the page at `offset`: an object of `chunks` chunks allocated
// (zpool_malloc), its header written (zpool_map_handle, the swap entry, zpool_unmap_handle),
// the entry inserted in the tree. 0, or -ENOMEM when the pool has no room.
int zswap_frontswap_store(zswap_tree* tree, long offset, int chunks);
// zswap_frontswap_invalidate_page: the tree's entry for `offset` erased and its creation
// reference dropped (the object freed with the last reference).
void zswap_frontswap_invalidate_page(zswap_tree* tree, long offset);
// zswap_writeback_entry, the pool's evict operation: `handle` (reclaim's) mapped, the swap entry
// read from the object, the tree's entry found and referenced, the page written to swap (or
// not: the swap cache page exists, or cannot be allocated, as the explorer chooses), the entry
// freed if it is still in the tree. 0, -EEXIST or -ENOMEM.
int zswap_writeback_entry(z3fold_pool* pool, unsigned long handle);
// The model's, no events: the entry for `offset` (null if none was made).
zswap_entry* zswap_entry_peek(zswap_tree* tree, long offset);

}  // namespace proto
