// SLUB's slab pages as the compaction scanner meets them (mm/slub.c, mm/slab.h). A slab page
// is not movable, but its struct slab fields share struct page's words, and the scanner reads
// the flags and page->mapping of every page it passes without a lock (isolate_migratepages_block,
// then isolate_movable_page with a reference only). What a slab keeps in the mapping word
// depends on the version:
//   4.8-4.17  the word (offset 8) is SLAB's s_mem; SLUB leaves it NULL.
//   4.18-6.1  slab_cache (offset 24, d4fc5069a394 and the 4.18 struct page series): a pointer,
//             its low bits clear.
//   6.2-      130d4df57390 put slab_cache at offset 8: offset 24 holds slab_list.prev (a list
//             pointer, LIST_POISON2 after list_del), the per-cpu partial count, or
//             rcu_head.func, any of which can end in binary 10, PAGE_MAPPING_MOVABLE. Its
//             parent 8b8817630ae8 (both first in 6.2) made isolate_movable_page skip PageSlab
//             pages, with barriers paired with the slab's own order (PG_slab set before the
//             word is written, the word cleared before PG_slab is).
//   6.10-     46df8e73a4a3: PageSlab is a page type; 6.17 isolates only pages whose type has
//             movable_ops.
// The model is one cache with one slab that goes through a slab's life (allocate_slab,
// add_partial, remove_partial, discard_slab), writing the words the kernel writes. Not
// modelled: the objects and freelists, the per-cpu slabs and their partial count, rcu_head
// (SLAB_TYPESAFE_BY_RCU), SLUB's slab_lock (a bit spinlock on PG_locked, which the scanner's
// trylock_page can also take), SLAB.
#pragma once

#include "protocol/page.h"

namespace proto {

// A kmem_cache with one node (kmem_cache_node: list_lock, partial, nr_partial) and the model's
// one slab.
struct kmem_cache {
  mc::spinlock list_lock{"n->list_lock"};
  mc::plain<int> nr_partial{0, "n->nr_partial"};
  mc::plain<page*> slab{nullptr, "the cache's slab"};
};

// The values the slab code writes to the mapping word (64-bit): the kmem_cache's address and
// the node's partial list head (direct-map pointers, 8-byte aligned) and list_del's
// LIST_POISON2 (0x122 + POISON_POINTER_DELTA).
constexpr unsigned long kSlabCacheAddress = 0xffff888003c40000ul;
constexpr unsigned long kNodePartialAddress = 0xffff888003c41010ul;
constexpr unsigned long kListPoison2Word = 0xdead000000000122ul;

// PageSlab: PG_slab (to 6.9), the slab page type (6.10 on).
bool PageSlab(page* p, SL loc = SL::current());

// allocate_slab: a page for a new slab, PG_slab set (non-atomic __SetPageSlab), slab_cache
// written; the slab becomes the cache's. Null if the allocation fails.
page* allocate_slab(kmem_cache* s, SL loc = SL::current());
// add_partial / remove_partial, under n->list_lock: the slab on and off the node's partial
// list (slab_list: its prev link is the mapping word from 6.2).
void add_partial(kmem_cache* s, SL loc = SL::current());
void remove_partial(kmem_cache* s, SL loc = SL::current());
// discard_slab -> free_slab -> __free_slab: PG_slab cleared, the word reset, the page freed.
void discard_slab(kmem_cache* s, SL loc = SL::current());

}  // namespace proto
