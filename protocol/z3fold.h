// z3fold (mm/z3fold.c) on the migration protocol: up to three objects (buddies) per page, the
// z3fold header in the page's first chunk with its page lock, reference count and compaction
// work, the handles' slots, the pool's unbuddied, lru and stale lists and its two workqueues,
// the movable-page callbacks and, until 6.5, reclaim (with its user, zswap: protocol/zswap.h).
// Movable from 5.2 (1f862989b04a) until z3fold's removal in 6.15 (58ba73e521b3); each
// difference between versions is gated in z3fold.cc on its commit.
//
// Scale: a page is kZ3Chunks chunks, the header takes the first (ZHDR_CHUNKS); an object is
// 1..kZ3MaxChunks chunks. Objects that need a page of their own (HEADLESS pages, never
// movable) are not modelled. One CPU: the pool's per-CPU unbuddied lists are that CPU's.
#pragma once

#include "protocol/migrate.h"
#include "protocol/workqueue.h"

namespace proto {

constexpr int kZ3Chunks = 8;  // TOTAL_CHUNKS of the model's page
constexpr int ZHDR_CHUNKS = 1;
constexpr int NCHUNKS = kZ3Chunks - ZHDR_CHUNKS;
// The largest object a page with a header takes (size > PAGE_SIZE - ZHDR - CHUNK is HEADLESS).
constexpr int kZ3MaxChunks = NCHUNKS - 1;
constexpr unsigned BUDDY_MASK = 0x3;
constexpr unsigned BUDDY_SHIFT = 2;
constexpr unsigned long SLOTS_ALIGN = 0x40;
// The model's PAGE_MASK for the address in a slot: the header is 64-byte aligned and the low
// bits hold the buddy index and the last object's size (chunks << BUDDY_SHIFT).
constexpr unsigned long Z3_ADDR_MASK = ~(SLOTS_ALIGN - 1);

enum z3_buddy { HEADLESS = 0, FIRST, MIDDLE, LAST };

// Bits of page->private.
enum z3fold_page_flags : unsigned {
  PAGE_HEADLESS = 0,
  MIDDLE_CHUNK_MAPPED,
  NEEDS_COMPACTING,
  PAGE_STALE,
  PAGE_CLAIMED,
  PAGE_MIGRATED,  // 5.19 (943fb61dd66f)
};
// Bit of slots->pool.
constexpr unsigned HANDLES_NOFREE = 0;
constexpr unsigned HANDLES_ORPHANED = 0;  // 5.5-5.10's name of the bit (fc5488651c7d renamed it)

struct z3fold_pool;
struct zswap_tree;

// A list_head of z3fold's own lists (the unbuddied and stale lists, linked through
// zhdr->buddy), with list.h's marked accesses: ->next read and written with READ_ONCE /
// WRITE_ONCE (__z3fold_alloc peeks at a list's first entry without pool->lock), ->prev plain.
// `owner` is the page whose header holds the link (null for heads).
struct z3_list {
  z3_list(const char* next_name, const char* prev_name, page* owner = nullptr);
  mc::atomic<z3_list*> next;
  mc::plain<z3_list*> prev;
  page* owner;
};

// struct z3fold_buddy_slots (kmem_cache c_handle, SLOTS_ALIGN-aligned): a handle is the
// address of one slot, the slot holds the object's address.
struct alignas(64) z3fold_buddy_slots {
  z3fold_buddy_slots();
  mc::plain<unsigned long> slot[BUDDY_MASK + 1];
  mc::plain<unsigned long> pool;  // back link, HANDLES_NOFREE (HANDLES_ORPHANED) in bit 0
  mc::rwlock lock{"slots->lock"};
};

struct z3fold_page_mem;

// struct z3fold_header, at the start of the page's memory (its address, 64-byte aligned, is
// what a slot holds, with the buddy index and the last object's size in the low bits).
struct alignas(64) z3fold_header {
  z3fold_header(page* p, z3fold_page_mem* m);
  z3_list buddy;  // on an unbuddied list (pool->lock) or the stale list (pool->stale_lock)
  mc::spinlock page_lock{"zhdr->page_lock"};
  mc::atomic<int> refcount{0, "zhdr->refcount"};  // struct kref
  work_struct work;
  mc::plain<z3fold_buddy_slots*> slots{nullptr, "zhdr->slots"};
  mc::plain<z3fold_pool*> pool{nullptr, "zhdr->pool"};
  mc::plain<int> cpu{-1, "zhdr->cpu"};
  mc::plain<unsigned> first_chunks{0, "zhdr->first_chunks"};
  mc::plain<unsigned> middle_chunks{0, "zhdr->middle_chunks"};
  mc::plain<unsigned> last_chunks{0, "zhdr->last_chunks"};
  mc::plain<unsigned> start_middle{0, "zhdr->start_middle"};
  // first_num:2, mapped_count:2, foreign_handles:2 share one word: each update of one field
  // is a read and a write of the whole word.
  mc::plain<unsigned> bits{0, "zhdr->{first_num,mapped_count,foreign_handles}"};
  z3fold_page_mem* mem;  // the model's: the page memory the header starts (no event)
};

// The page's memory while z3fold uses it (page_address): the header, then the chunks. Each
// object keeps its value in its first chunk.
struct alignas(64) z3fold_page_mem {
  explicit z3fold_page_mem(page* p);
  z3fold_header hdr;
  mc::plain<long> chunk[kZ3Chunks];
  page* pg;  // virt_to_page
};

struct z3fold_pool {
  z3fold_pool();
  mc::spinlock lock{"pool->lock"};
  mc::spinlock stale_lock{"pool->stale_lock"};
  z3_list unbuddied[NCHUNKS];
  list_head lru;  // page->lru of the pool's pages, until 6.5 (e774a7bc7f0a)
  z3_list stale;
  mc::atomic<long> pages_nr{0, "pool->pages_nr"};
  // The objects of the kmem_cache c_handle, as slab counts them (no event: kmem_cache_destroy
  // checks it).
  int c_handle_objects = 0;
  workqueue_struct* compact_wq = nullptr;
  workqueue_struct* release_wq = nullptr;
  work_struct work;                // free_pages_work, on release_wq
  address_space* inode = nullptr;  // 5.x: the anon inode's mapping; 6.0+: &z3fold_mops
  // 5.3 only (d776aaa9895e, reverted by 6e73fd25e2c7): the pages in isolation, counted under
  // pool->lock, and the destroy's flag and wait queue.
  mc::plain<bool> destroying{false, "pool->destroying"};
  mc::plain<int> isolated{0, "pool->isolated"};
  mc::waitqueue isolate_wait{"pool->isolate_wait"};
  // pool->ops->evict: the zpool user's writeback of an object (zswap_writeback_entry), with
  // its tree; none: reclaim returns -EINVAL.
  int (*evict)(z3fold_pool* pool, unsigned long handle) = nullptr;
  zswap_tree* zswap = nullptr;
};

// ---- the API (the zpool driver's calls) ----
z3fold_pool* z3fold_create_pool(const char* name);
void z3fold_destroy_pool(z3fold_pool* pool);
// `chunks` 1..kZ3MaxChunks, with zswap's gfp (no blocking).
// Returns the handle, 0 on failure.
unsigned long z3fold_alloc(z3fold_pool* pool, int chunks);
void z3fold_free(z3fold_pool* pool, unsigned long handle);
// The object's first chunk (null if the handle's buddy is unknown), until z3fold_unmap.
mc::plain<long>* z3fold_map(z3fold_pool* pool, unsigned long handle);
void z3fold_unmap(z3fold_pool* pool, unsigned long handle);
// z3fold_reclaim_page (until 6.5, e774a7bc7f0a): the least recently used page that can be
// claimed, each of its objects given to pool->evict; 0 when a page was freed, -EAGAIN after
// `retries` pages, -EINVAL with nothing to reclaim.
int z3fold_reclaim_page(z3fold_pool* pool, unsigned retries);
// The movable-page callbacks (z3fold_aops / z3fold_mops).
bool z3fold_page_isolate(page* p, isolate_mode_t mode);
int z3fold_page_migrate(address_space* mapping, page* newpage, page* p, migrate_mode mode);
void z3fold_page_putback(page* p);
extern const movable_operations z3fold_mops;
// Whether the model has z3fold at the running kernel version (its migration is in 5.2 to 6.14;
// the model has 5.3's code and, from 5.15, the 5.14 code with its later changes).
bool z3fold_modelled();

// ---- model helpers (no events) ----
// The page a handle's object is in, null if none.
page* z3fold_handle_page_peek(unsigned long handle);
long z3fold_obj_value_peek(unsigned long handle);
// End-state consistency of the pool (after its works ran): reports violations.
void z3fold_check_pool_peek(z3fold_pool* pool, int expected_objects);

}  // namespace proto
