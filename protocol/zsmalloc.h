// zsmalloc (mm/zsmalloc.c) on the migration protocol: pool, size classes, zspages with their
// fullness groups, handles with the pin bit, the per-CPU mapping area, compaction, the
// movable-page callbacks, deferred free and the destroy path, by kernel version (the `kernel`
// parameter; each difference is gated in zsmalloc.cc on the commit that made it).
//
// Scale: a page holds kUnits words ("units"); a size class stores objects of `size` units
// (one head word + payload) in zspages of `pages_per_zspage` pages, so an object may straddle
// two pages when size does not divide kUnits.
#pragma once

#include "protocol/migrate.h"

namespace proto {

constexpr int kZsUnits = 4;  // PAGE_SIZE of the model, in words
constexpr int kZsMaxClasses = 2;
constexpr int kZsMaxPagesPerZspage = 2;
constexpr int kZsMaxCpus = 8;

// Object location <pfn, obj_idx> in an unsigned long, with the low tag bit (OBJ_TAG_BITS).
constexpr unsigned OBJ_TAG_BITS = 1;
constexpr unsigned long OBJ_ALLOCATED_TAG = 1;
constexpr unsigned OBJ_INDEX_BITS = 8;
constexpr unsigned long OBJ_INDEX_MASK = (1ul << OBJ_INDEX_BITS) - 1;
constexpr unsigned HANDLE_PIN_BIT = 0;  // 4.8-5.16

enum fullness_group { ZS_EMPTY, ZS_ALMOST_EMPTY, ZS_ALMOST_FULL, ZS_FULL, NR_ZS_FULLNESS };
enum zs_mapmode { ZS_MM_RW, ZS_MM_RO, ZS_MM_WO };

struct zspage;
struct zs_pool;

// An intrusive list link of zspages (the kernel's list_head in struct zspage).
struct zs_link {
  zs_link(const char* next_name, const char* prev_name, zspage* o)
      : next(nullptr, next_name), prev(nullptr, prev_name), owner(o) {
    next.format = format_list_link;
    prev.format = format_list_link;
    name_list_head(this, next_name);
  }
  mc::plain<zs_link*> next;
  mc::plain<zs_link*> prev;
  zspage* owner;
};

// The memory of a page while zsmalloc owns it (allocated with the page by zsmalloc, freed by
// reset_page when zsmalloc lets the page go): touching it afterwards is a use-after-free.
struct zs_page_mem {
  zs_page_mem();
  mc::plain<unsigned long> unit[kZsUnits];
};

// The fields of struct page zsmalloc uses besides flags/private: page->freelist (4.8: next
// page of the zspage) and page->index (the handle of a huge object), and the page's memory.
struct zs_page_ext {
  zs_page_ext();
  mc::plain<page*> next;
  mc::plain<unsigned long> index;
  zs_page_mem* mem = nullptr;
};

// An object handle (cache_alloc_handle): a word holding the object's location, whose bit 0
// is the pin bit spinlock in 4.8-5.16.
struct zs_handle {
  mc::atomic<unsigned long> word{0, "handle"};
  int pin_owner = -1;  // model bookkeeping for the location check: who holds the pin bit
};

struct zspage {
  zspage();
  // fullness:2, class:8, isolated:3, magic:8 in one unsigned int: each update of one
  // bitfield is a non-atomic read and write of the whole word.
  mc::atomic<unsigned> bits{0, "zspage->{fullness,class,isolated,magic}"};
  mc::plain<unsigned> inuse{0, "zspage->inuse"};
  mc::plain<unsigned> freeobj{0, "zspage->freeobj"};
  mc::plain<page*> first_page{nullptr, "zspage->first_page"};
  zs_link list;
  mc::rwlock lock{"zspage->lock"};                    // up to 6.14
  mc::plain<zs_pool*> pool{nullptr, "zspage->pool"};  // 6.0+
  // 6.15+ (e27af3f9360e): struct zspage_lock instead of the rwlock: a spinlock held around the
  // reader count, and by a writer for its whole section; cnt -1 is write-locked.
  mc::spinlock zsl_lock{"zspage->zsl.lock"};
  mc::plain<int> zsl_cnt{0, "zspage->zsl.cnt"};
};

struct size_class {
  size_class();
  ~size_class();
  size_class(const size_class&) = delete;
  size_class& operator=(const size_class&) = delete;
  mc::spinlock lock{"class->lock"};
  zs_link* fullness_list[NR_ZS_FULLNESS];
  int size = 2;  // in units, head included
  int objs_per_zspage = 2;
  int pages_per_zspage = 1;
  unsigned index = 0;
  // class->stats (zs_stat_get; ZS_OBJS_ALLOCATED / ZS_OBJS_INUSE from 6.4), under the class
  // lock: the object slots of the class's zspages, isolated ones included, and the objects in
  // use. zs_can_compact reads them.
  mc::plain<long> obj_allocated{0, "class->stats.OBJ_ALLOCATED"};
  mc::plain<long> obj_used{0, "class->stats.OBJ_USED"};
};

// The per-CPU area of zs_map_object for objects that straddle two pages.
struct mapping_area {
  mapping_area();
  mc::plain<unsigned long> vm_buf[2 * kZsUnits];
  mc::plain<int> vm_mm{0, "zs_map_area.vm_mm"};
};

// The system workqueue with the pool's free_work item: bit 0 pending, bit 1 running, bit 2
// stop (the model's way to end the worker thread). It outlives the pool, as system_wq does.
struct zs_wq {
  mc::atomic<int> state{0, "free_work state"};
  zs_pool* pool = nullptr;  // the work item's container (container_of(work, ...))
};

struct zs_pool {
  zs_pool();
  mc::plain<size_class*> size_class_[kZsMaxClasses];
  int nr_classes = 0;
  address_space* inode = nullptr;  // 4.8-5.19: the pool's anon inode mapping
  mc::plain<zs_wq*> free_work{nullptr, "pool->free_work"};
  bool own_wq = false;
  mc::rwlock migrate_lock{"pool->migrate_lock"};  // 5.17-6.1, 6.11+ (pool->lock from 6.15)
  // 6.2-6.10 (c0547d0b6a4b): one spinlock instead of migrate_lock and the class locks.
  mc::spinlock lock{"pool->lock"};
  // 5.3-5.16 (701d678599d0): isolated zspages, and the destroy path's wait for them.
  mc::atomic<long> isolated_pages{0, "pool->isolated_pages"};
  mc::atomic<int> destroying{0, "pool->destroying"};  // a plain bool read lock-free
  mc::waitqueue migration_wait{"pool->migration_wait"};
  zs_page_ext ext[Memory::kMaxPages];  // by pfn
  mapping_area area[kZsMaxCpus];
  mc::atomic<long> pages_allocated{0, "pool->pages_allocated"};
  mc::atomic<int> compaction_in_progress{0, "pool->compaction_in_progress"};  // 6.4+
};

// Pool geometry: each class by (object size in units, pages per zspage).
struct zs_pool_config {
  int nr_classes = 1;
  int size[kZsMaxClasses] = {2, 3};
  int pages_per_zspage[kZsMaxClasses] = {1, 2};
  zs_wq* wq = nullptr;  // null: the pool makes its own (no worker thread; see zs_run_pending_work)
};

// ---- the API (zsmalloc.h of the kernel) ----
zs_pool* zs_create_pool(const char* name, const zs_pool_config& cfg = {});
void zs_destroy_pool(zs_pool* pool);
// `size` in units, payload only (zs_malloc adds the handle's head word); 0 on failure.
unsigned long zs_malloc(zs_pool* pool, int size);
void zs_free(zs_pool* pool, unsigned long handle);
// Returns the object's payload as a pointer into the page or into the per-CPU buffer; the
// caller reads/writes payload words with zs_obj_read/zs_obj_write until zs_unmap_object.
// Up to 6.14 (removed by 07864f1a57fb in 6.15; zs_has_map_object()).
mc::plain<unsigned long>* zs_map_object(zs_pool* pool, unsigned long handle, zs_mapmode mm);
void zs_unmap_object(zs_pool* pool, unsigned long handle);
// 6.15+ (44f76413496e; zs_has_obj_api()): the object's payload, its zspage read-locked until
// zs_obj_read_end; an object that straddles two pages is copied into `local_copy` (kZsUnits
// words). The read section may sleep.
mc::plain<unsigned long>* zs_obj_read_begin(zs_pool* pool, unsigned long handle,
                                            mc::plain<unsigned long>* local_copy);
void zs_obj_read_end(zs_pool* pool, unsigned long handle);
// Writes `len` payload words from `mem` under the zspage read lock.
void zs_obj_write(zs_pool* pool, unsigned long handle, const unsigned long* mem, int len);
bool zs_has_map_object();
bool zs_has_obj_api();
unsigned long zs_compact(zs_pool* pool);
// The movable-page callbacks (zsmalloc_aops / zsmalloc_mops).
bool zs_page_isolate(page* p, isolate_mode_t mode);
int zs_page_migrate(address_space* mapping, page* newpage, page* p, migrate_mode mode);
void zs_page_putback(page* p);
// The free_work worker (async_free_zspage); runs until zs_work_stop. A scenario spawns it.
void zs_kworker(zs_wq* wq);
void zs_work_stop(zs_wq* wq);
// Runs pending free work now in the calling thread (a scenario without a worker thread).
void zs_run_pending_work(zs_pool* pool);

// ---- internal paths, callable on their own (each under its kernel name) ----
// get_zspage: page->private, with the magic check; zspage_class: the zspage's class.
zspage* get_zspage(page* p);
size_class* zspage_class(zs_pool* pool, zspage* z);
// lock_zspage: every page of the zspage locked (sleeping); free_zspage: an empty zspage off
// its list and freed if every page can be trylocked, else the free deferred to free_work.
void lock_zspage(zs_pool* pool, zspage* z);
void free_zspage(zs_pool* pool, size_class* c, zspage* z);
// The free_work function: frees the class lists' empty zspages, locking each first.
void async_free_zspage(zs_pool* pool);
// 5.3-5.16: one isolated zspage fewer; wakes zs_destroy_pool's wait at the last one.
void zs_pool_dec_isolated(zs_pool* pool);
// Whether the running kernel version has zs_pool_dec_isolated (pool->isolated_pages).
bool zs_has_isolated_accounting();
// The migration part of zs_destroy_pool: wait for isolated zspages (5.3-5.16), flush_work.
void zs_unregister_migration(zs_pool* pool);

// ---- model helpers ----
extern const movable_operations zsmalloc_mops;
// obj_to_location of the handle's current object (no events: for end-state checks).
page* zs_handle_page_peek(unsigned long handle);
// The payload word 0 of the object (no events), -1 if unreadable.
long zs_obj_value_peek(zs_pool* pool, unsigned long handle);
// End-state consistency of the pool: pages owned, chains, inuse, lists. Reports violations.
void zs_check_pool_peek(zs_pool* pool, int expected_objects);

}  // namespace proto
