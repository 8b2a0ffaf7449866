#include "protocol/zswap.h"

#include <cerrno>

#include "protocol/version.h"
#include "protocol/z3fold.h"

namespace proto {

namespace {

// 5.4 "zswap: do not map same object twice" (id not verified; in the 5.4.18 tree, not in
// 5.3.1's): the writeback keeps reclaim's handle mapped until it ends, where 5.3 unmapped it
// after reading the swap entry and mapped the entry's own handle to decompress.
bool maps_once() { return kcfg().at_least(Kernel::v5_4); }

// zswap_rb_search: the tree's entry for `offset` (tree->lock held).
zswap_entry* zswap_rb_search(zswap_tree* tree, long offset) {
  for (auto& e : tree->entries)
    if (e->offset == offset && e->in_tree.load()) return e.get();
  return nullptr;
}

// zswap_free_entry: the object freed (zpool_free_handle), the entry given back.
void zswap_free_entry(zswap_tree* tree, zswap_entry* entry) {
  MC_FUNC("zswap_free_entry");
  z3fold_free(tree->pool, entry->handle.load());
  entry->freed = true;
}

// zswap_entry_put (tree->lock held): the last reference erases and frees the entry.
void zswap_entry_put(zswap_tree* tree, zswap_entry* entry) {
  const int refcount = entry->refcount.load() - 1;
  entry->refcount.store(refcount);
  if (refcount < 0) mc::violation("BUG_ON", "kernel BUG in zswap_entry_put: BUG_ON(refcount < 0)");
  if (refcount == 0) {
    entry->in_tree.store(false);  // zswap_rb_erase (no-op when erased already)
    zswap_free_entry(tree, entry);
  }
}

// The zswap_header at the start of the object: its swap entry.
long read_swpentry(mc::plain<long>* obj) { return obj ? obj->load() : 0; }

}  // namespace

zswap_entry::zswap_entry(long off) : offset(off) {}

std::unique_ptr<zswap_tree> zswap_pool_create(z3fold_pool* pool) {
  auto tree = std::make_unique<zswap_tree>();
  tree->pool = pool;
  pool->zswap = tree.get();
  pool->evict = zswap_writeback_entry;  // zswap_zpool_ops
  return tree;
}

int zswap_frontswap_store(zswap_tree* tree, long offset, int chunks) {
  MC_FUNC("zswap_frontswap_store");
  const unsigned long handle = z3fold_alloc(tree->pool, chunks);  // zpool_malloc
  if (!handle) return -ENOMEM;
  if (mc::plain<long>* obj = z3fold_map(tree->pool, handle)) obj->store(offset);
  z3fold_unmap(tree->pool, handle);
  tree->entries.push_back(std::make_unique<zswap_entry>(offset));  // zswap_entry_cache_alloc
  zswap_entry* entry = tree->entries.back().get();
  entry->handle.store(handle);
  entry->refcount.store(1);
  tree->lock.lock();
  entry->in_tree.store(true);  // zswap_rb_insert (the file stores each offset once)
  tree->lock.unlock();
  return 0;
}

void zswap_frontswap_invalidate_page(zswap_tree* tree, long offset) {
  MC_FUNC("zswap_frontswap_invalidate_page");
  tree->lock.lock();
  zswap_entry* entry = zswap_rb_search(tree, offset);
  if (!entry) {  // written back
    tree->lock.unlock();
    return;
  }
  entry->in_tree.store(false);   // zswap_rb_erase
  zswap_entry_put(tree, entry);  // the reference of the entry's creation
  tree->lock.unlock();
}

int zswap_writeback_entry(z3fold_pool* pool, unsigned long handle) {
  MC_FUNC("zswap_writeback_entry");
  zswap_tree* tree = pool->zswap;
  const long offset = read_swpentry(z3fold_map(pool, handle));  // zpool_map_handle
  if (!maps_once()) z3fold_unmap(pool, handle);
  tree->lock.lock();
  zswap_entry* entry = zswap_rb_search(tree, offset);  // zswap_entry_find_get
  if (!entry) {                                        // invalidated
    tree->lock.unlock();
    if (maps_once()) z3fold_unmap(pool, handle);
    return 0;
  }
  entry->refcount.store(entry->refcount.load() + 1);
  tree->lock.unlock();
  // zswap_get_swap_cache_page: a new swap cache page, one there already, or no memory.
  enum { kNew, kExist, kFail };
  const uint32_t swapcache = mc::choose(3);
  int ret = 0;
  if (swapcache == kNew) {  // decompress into it, then __swap_writepage
    if (!maps_once()) {
      const unsigned long own = entry->handle.load();
      read_swpentry(z3fold_map(pool, own));
      z3fold_unmap(pool, own);
    }
    tree->lock.lock();
    zswap_entry_put(tree, entry);  // the writeback's reference
    // Still in the tree: not invalidated meanwhile, so the creation reference goes too.
    if (zswap_rb_search(tree, offset) == entry) zswap_entry_put(tree, entry);
    tree->lock.unlock();
  } else {
    ret = swapcache == kExist ? -EEXIST : -ENOMEM;
    tree->lock.lock();
    zswap_entry_put(tree, entry);
    tree->lock.unlock();
  }
  if (maps_once()) z3fold_unmap(pool, handle);
  return ret;
}

zswap_entry* zswap_entry_peek(zswap_tree* tree, long offset) {
  for (auto& e : tree->entries)
    if (e->offset == offset) return e.get();
  return nullptr;
}

}  // namespace proto
