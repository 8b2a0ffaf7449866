// Which kernel the protocol model follows, and which deliberate mistake (bug variant) it
// carries. Every scenario takes `kernel` and `bug`; the model reads them through kcfg().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace proto {

// The kernels the model distinguishes. Each gate below names the commit that changed it.
enum class Kernel {
  v4_8,
  v4_10,
  v4_14,
  v4_15,
  v5_0,
  v5_3,
  v5_4,
  v5_9,
  v5_15,
  v5_16,
  v5_17,
  v5_18,
  v5_19,
  v6_0,
  v6_5,
  v6_15,
  v6_17,
  v6_18
};

// Named model variants that re-introduce a known mistake (`--set bug=ID`).
enum class Bug {
  none,
  clear_movable_drops_flag,      // __ClearPageMovable clears PAGE_MAPPING_MOVABLE too (2016 review)
  lock_before_movable_check,     // isolate_movable_page trylocks before the __PageMovable test
  isolate_without_ref,           // isolate_movable_page without get_page_unless_zero
  newpage_movable_after_unlock,  // target putback decided by a movable test after unlock (5.0 fix)
  set_movable_unlocked,          // driver marks the page movable without holding its lock
  dequeue_without_lock,          // balloon_page_dequeue walks the list without pages_lock
  zs_no_trypin,           // zs_page_migrate without trypin_tag of the page's objects (2016 series)
  fill_num_pfns_early,    // fill_balloon counts a pfn before writing it (c7cdff0e8647 as merged)
  remove_config_enabled,  // virtio_dev_remove leaves config changes on during the driver's remove
  isolate_without_slab_check,  // 130d4df57390's slab layout without 8b8817630ae8 (linux-next, 2022)
};

// Fixes a stable or distribution kernel may carry on top of its version (`with=ID`): each is a
// gate of the model, on from `since` and, below it, when applied by its commit id.
enum class Fix : uint8_t {
  pg_isolated_atomic,          // 356ea3865687 (5.18)
  zs_dec_isolated_barrier,     // afe8605ca454 (5.16)
  zs_lock_zspage_safe,         // 2505a981114d (5.19)
  zs_isolated_under_lock,      // 4b5d1e47b694 (6.5)
  hmm_flush_under_ptl,         // 60bae7370896 (6.0)
  vmw_refused_new_page_ok,     // 4ba5a8a7faa6 (6.18; 6.17.6)
  movable_ops_no_freed_check,  // 95c2908f1a4f (6.18; 6.17.6, as 4ba5a8a7faa6's dependency)
};
struct FixInfo {
  Fix fix;
  const char* id;       // the first 12 hex digits of the mainline commit
  Kernel since;         // the first modelled version that has it
  Kernel applies_from;  // the first that has the code it fixes
  const char* what;
};
const std::vector<FixInfo>& fixes();
// The fix a commit id names (at least 7 hex digits of it), or null.
const FixInfo* find_fix(const std::string& id);

struct Config {
  Kernel kernel = Kernel::v6_18;
  Bug bug = Bug::none;
  uint32_t with = 0;  // fixes applied on top of the version, one bit per Fix

  bool at_least(Kernel k) const { return kernel >= k; }
  bool has(Bug b) const { return bug == b; }
  // The code has the fix: from its version on (fixes()), or applied by id.
  bool fixed(Fix f) const;

  // 62906027091f + b91e1302ad9b (4.10): PG_waiters in the flags word, unlock wakes only if set.
  bool pg_waiters() const { return at_least(Kernel::v4_10); }
  // 356ea3865687 (5.18): PAGEFLAG(Isolated) — atomic set/clear instead of __set_bit/__clear_bit.
  bool atomic_isolated() const { return fixed(Fix::pg_isolated_atomic); }
  // 5.0 "don't rely on __PageMovable() of newpage after unlocking it": decide by is_lru.
  bool newpage_putback_by_is_lru() const { return at_least(Kernel::v5_0); }
  // c3096e6782b7 (5.18): success always ends with put_page(newpage), no test at all.
  bool newpage_always_put() const { return at_least(Kernel::v5_18); }
  // "mm: migrate: handle freed page at the first place" (Yang Shi, posted November 2019;
  // commit id not identified): unmap_and_move tests page_count() == 1 before it allocates the
  // new page, so a page freed under the migration costs no allocation. In the 5.6 and 5.9
  // trees, not in 5.4.18's: the model's 5.9 (its 5.4 answers 5.5-5.8 without it).
  bool count_check_before_alloc() const { return at_least(Kernel::v5_9); }
  // dd4ae78a21fc "mm: migrate: simplify the logic for handling permanent failure" (version
  // not verified: between the 5.9 and 5.15 trees, which it is in): unmap_and_move puts a page
  // that failed for good on a ret list, which migrate_pages splices back onto the caller's
  // list for the caller to put back. The model's 5.15.
  bool ret_list() const { return at_least(Kernel::v5_15); }
  // 68f2736a8583 (6.0): struct movable_operations referenced from page->mapping.
  bool movable_operations() const { return at_least(Kernel::v6_0); }
  // 6.17 series (3d388584d599, 92f091769fde, 3544c4faccb8): PG_movable_ops + page type,
  // PG_movable_ops_isolated, no __ClearPageMovable, no "released by owner" check in the core,
  // batched migrate_pages (6.3+).
  bool movable_ops_flag() const { return at_least(Kernel::v6_17); }
  // 95c2908f1a4f "mm/migrate: remove MIGRATEPAGE_UNMAP" (6.18; 6.17.6 carries it as a
  // dependency of 4ba5a8a7faa6): migrate_folio_unmap's one success value is 0, and the test for
  // a folio freed from under the migration (page_count() == 1) moves to migrate_pages_batch,
  // which no longer applies it to movable_ops pages: those reach their driver's migrate_page
  // even after their owner released them. fb49a4425cfa "treewide: remove MIGRATEPAGE_SUCCESS"
  // (6.18) then writes the success of every migration callback as 0, its value all along: the
  // model's MIGRATEPAGE_SUCCESS stays, as a name for 0.
  bool movable_ops_no_freed_check() const { return fixed(Fix::movable_ops_no_freed_check); }

  // ---- virtio-balloon (drivers/virtio/virtio_balloon.c, mm/balloon_compaction.c) ----
  // 195a8c43e93d "virtio-balloon: deflate via a page list" (4.14; the release is inferred from
  // the commit's date, unverified): leak_balloon keeps the pages it took on a local list;
  // before, release_pages_balloon found them again through vb->pfns.
  bool balloon_deflate_page_list() const { return at_least(Kernel::v4_14); }
  // c7cdff0e8647 "virtio_balloon: fix deadlock on OOM" (4.15; the only change 4.15 models):
  // fill_balloon allocates its pages before taking balloon_lock (balloon_page_alloc), then
  // enqueues them under it.
  bool balloon_alloc_outside_lock() const { return at_least(Kernel::v4_15); }
  // 418a3ab1e778 "mm/balloon_compaction: List interfaces" (5.3): balloon_page_enqueue_one,
  // the page's trylock inside pages_lock.
  bool balloon_list_interfaces() const { return at_least(Kernel::v5_3); }
  // 83a8afa72e9c "vmw_balloon: Compaction support" (5.3): the VMware balloon's 4 KiB pages are
  // balloon pages (balloon_page_list_enqueue), migrated by vmballoon_migratepage.
  bool vmw_balloon_compaction() const { return at_least(Kernel::v5_3); }
  // 71994620bb25 (4.19) replaced the OOM notifier by a shrinker; da10329cb057 (5.7: in 5.9's
  // tree, not 5.4's; the model's 5.9) went back, with the notifier renamed
  // virtio_balloon_oom_notify.
  bool balloon_oom_notifier_back() const { return at_least(Kernel::v5_9); }
  bool balloon_shrinker() const { return at_least(Kernel::v5_0) && !balloon_oom_notifier_back(); }
  // 89da619bc18d "virtio_balloon: fix another race between migration and ballooning" (4.18:
  // in 4.18's tree, not in 4.17's; the model's 5.0): virtballoon_migratepage deletes the old
  // page from the balloon under pages_lock, until 6.17 moves the deletion after the unlock.
  bool balloon_migrate_delete_locked() const {
    return at_least(Kernel::v5_0) && !movable_ops_flag();
  }

  // ---- slab pages met by the compaction scanner (protocol/slab.h) ----
  // 130d4df57390 "mm/sl[au]b: rearrange struct slab fields to allow larger rcu_head" (6.2):
  // slab_cache moves to offset 8, slab_list.prev (and the per-cpu partial count, rcu_head.func)
  // to offset 24, page->mapping's word.
  bool slab_list_in_mapping_word() const { return at_least(Kernel::v6_5); }
  // d4fc5069a394 "mm: switch s_mem and slab_cache in struct page" and the 4.18 struct page
  // series (the later patches' ids unverified): slab_cache in the mapping word, 4.18-6.1.
  bool slab_cache_in_mapping_word() const {
    return at_least(Kernel::v5_0) && !slab_list_in_mapping_word();
  }
  // 8b8817630ae8 "mm/migrate: make isolate_movable_page() skip slab pages" (6.2, the parent of
  // 130d4df57390 in the same pull): PG_slab set before the word is written and cleared after
  // it is reset, with smp_wmb; isolate_movable_page tests PageSlab around __PageMovable.
  bool slab_isolation_barriers() const {
    return slab_list_in_mapping_word() && !has(Bug::isolate_without_slab_check);
  }
  // 6.17 isolates by page type (page_has_movable_ops): the PageSlab tests are not modelled
  // there (the commit that removed them is not identified).
  bool isolate_skips_slab() const { return slab_isolation_barriers() && !movable_ops_flag(); }
  // 46df8e73a4a3 "mm: free up PG_slab" (6.10): PageSlab is a page type. Of the modelled
  // versions, 6.15.
  bool slab_page_type() const { return at_least(Kernel::v6_15); }

  // ---- HMM migrate_vma (protocol/hmm.h) ----
  // 8763cb45ab96 "mm/migrate: new memory migration helper for use with device memory" and
  // 8c3328f1f36a "mm/migrate: migrate_vma() unmap page from vma while collecting pages" (4.14).
  bool hmm_migrate_vma() const { return at_least(Kernel::v4_14); }
  // The pgmap's migrate_to_ram (dev_pagemap_ops, 5.3; the commit id unverified) replaces its
  // page_fault callback, which do_swap_page reached through device_private_entry_fault.
  bool migrate_to_ram() const { return at_least(Kernel::v5_3); }
  // a7d1f22bb74f "mm: turn migrate_vma upside down" (5.4: in 5.4.18's tree, not in 5.3.1's;
  // the id unverified): the driver calls migrate_vma_setup, _pages and _finalize instead of
  // one migrate_vma with callbacks.
  bool migrate_vma_split() const { return at_least(Kernel::v5_4); }
  // 5143192cd410 "mm/migrate: add a flags parameter to migrate_vma" (5.9: in 5.9.1's tree, not
  // 5.4.18's): MIGRATE_VMA_SELECT_SYSTEM / _DEVICE_PRIVATE and pgmap_owner; before, collect
  // takes present pages and every device private page alike.
  bool migrate_vma_select() const { return at_least(Kernel::v5_9); }
  // ab09243aa95a "mm/migrate.c: remove MIGRATE_PFN_LOCKED" (5.16: in 5.17, not in 5.15; 5.16
  // itself unread): a page collect cannot
  // trylock is dropped; before, migrate_vma_prepare tried its lock once more.
  bool migrate_vma_collect_needs_lock() const { return at_least(Kernel::v5_16); }
  // ffa65753c431 "mm/migrate.c: rework migration_entry_wait() to not take a pageref" (5.17,
  // read from the sources; that it is this commit, from its message):
  // the waiter holds no reference, and migrate_vma_check_page no longer lets every device
  // private page pass (its FIXME: the waiter's reference could not be told from a pin).
  bool migration_wait_without_ref() const { return at_least(Kernel::v5_17); }
  // 27674ef6c73f "mm: remove the extra ZONE_DEVICE struct page refcount" (5.18): an
  // allocated device page holds one reference, not two, while migrate_vma_check_page still
  // adds one for ZONE_DEVICE pages: from here on it lets one reference more pass for them.
  bool device_page_check_tolerates_one() const { return at_least(Kernel::v5_18); }
  // 6c287605fd56 "mm: remember exclusively mapped anonymous pages with PG_anon_exclusive"
  // (5.19; the id unverified): collect clears an exclusive anonymous page's entry with
  // ptep_clear_flush, a flush under the PTL. The model's page is always exclusive (no fork).
  bool anon_exclusive() const { return at_least(Kernel::v5_19); }
  // 60bae7370896 "mm/migrate_device.c: flush TLB while holding PTL" (6.0, in 5.15.72 too):
  // collect flushes before it drops the PTL.
  bool migrate_vma_flush_under_ptl() const { return fixed(Fix::hmm_flush_under_ptl); }
  // 16ce101db85d "mm/memory.c: fix race when faulting a device private page" (6.1): under
  // the PTL and with the entry unchanged, do_swap_page takes a reference on the device page
  // for migrate_to_ram, and migrate_vma counts it (fault_page).
  bool device_private_fault_pins() const { return at_least(Kernel::v6_5); }
  // 1afaeb8293c9 "mm/migrate: Trylock device page in do_swap_page" (6.15): the fault also
  // trylocks the page (else it returns and the CPU faults again), and collect takes the
  // fault's page without its own trylock.
  bool device_private_fault_locks() const { return at_least(Kernel::v6_15); }
  // 09854ba94c6a "mm: do_wp_page() simplification" (5.9: in 5.9.1's tree, not 5.8.1's): a
  // write-protect fault reuses an anonymous page only if it has no reference but its one
  // mapping's; before, if the page lock can be had and it is mapped once (reuse_swap_page).
  bool wp_reuse_by_count() const { return at_least(Kernel::v5_9); }
  // try_to_migrate_one keeps a device private entry's writability in the migration entry
  // (is_writable_device_private_entry: in 5.17's tree, not 5.16's; the commit not identified);
  // before, the migration entry is readable (a5430dda8a3a).
  bool device_private_migration_keeps_write() const { return at_least(Kernel::v5_17); }
  // migrate_device_range and test_hmm's dmirror_device_evict_chunk (6.1: in 6.1's tree, not
  // 6.0's; the id of the commit that added them, e778406b40db, unverified; the model's 6.5):
  // device memory evicted by pfn, without mmap_lock.
  bool migrate_device_range() const { return at_least(Kernel::v6_5); }
  // dd2283f2605e "mm: mmap: zap pages with read mmap_sem in munmap" (4.20; the model's 5.0):
  // munmap removes the VMA under the write lock, then downgrades it and zaps under the read
  // hold.
  bool munmap_downgrades() const { return at_least(Kernel::v5_0); }
};

// The configuration of the running execution (set by ConfigScope in each scenario body).
const Config& kcfg();

class ConfigScope {
 public:
  explicit ConfigScope(const Config& c);
  ~ConfigScope();
  ConfigScope(const ConfigScope&) = delete;
  ConfigScope& operator=(const ConfigScope&) = delete;

 private:
  const Config* saved_;
};

const std::vector<std::string>& kernel_choices();  // "4.8", ..., "6.18"
const std::vector<std::string>& bug_choices();     // "none", "clear-movable-drops-flag", ...
Kernel parse_kernel(const std::string& s);         // throws std::invalid_argument
// The modelled version that answers for a kernel version as users write it ("5.2", "v6.4",
// "5.15.80", "6.4-rc1"): the newest modelled version at or before it, whose code the model
// follows until its next gate. Empty when the text is not a version, or names one before 4.8
// (no non-LRU page migration yet).
std::string modelled_kernel_for(const std::string& version);
// Whether an expectation's kernel entry covers `version` (both as users write them): a version
// "5.2" covers 5.2 and its stable series 5.2.y ("5.15.80" only itself); a range "4.10..5.17"
// covers every version from its first to its last, the last's stable series included.
bool kernel_entry_covers(const std::string& entry, const std::string& version);
Bug parse_bug(const std::string& s);
const char* kernel_name(Kernel k);
const char* bug_name(Bug b);
const char* bug_mistake(Bug b);  // what the variant re-introduces

}  // namespace proto
