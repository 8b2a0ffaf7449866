// The VMware balloon (drivers/misc/vmw_balloon.c), written from the driver as 5.3 to 6.14 have
// it (83a8afa72e9c "vmw_balloon: Compaction support", 5.3, made its 4 KiB pages movable; the
// driver's own code is the same through 6.14). Function by function under the kernel's names:
// the balloon worker (vmballoon_work) with its reset (vmballoon_reset: down_write(conf_sem),
// vmballoon_pop, the start handshake, batching set up), inflation and deflation through a
// vmballoon_ctl's page lists, the batched and the basic lock commands (vmballoon_lock,
// vmballoon_lock_op, vmballoon_add_page, vmballoon_status_page), the statistics
// (vmballoon_enable_stats, the vmballoon_stats_* counters behind their static key), and
// vmballoon_migratepage. The hypervisor is modelled (struct vmw_host): the explorer chooses its
// answer for each page of a lock or unlock command. Not modelled: 2 MiB pages (never migrated),
// the VMCI doorbell, the shrinker (off by default) and its shrink_timeout, the 64-bit target;
// docs/balloon.md says what each leaves out.
#pragma once

#include "protocol/balloon.h"

namespace proto {

// The hypervisor's status codes (VMW_BALLOON_SUCCESS ... VMW_BALLOON_ERROR_BUSY).
enum vmw_status : unsigned long {
  VMW_BALLOON_SUCCESS = 0,
  VMW_BALLOON_ERROR_CMD_INVALID = 1,
  VMW_BALLOON_ERROR_PPN_INVALID = 2,
  VMW_BALLOON_ERROR_PPN_LOCKED = 3,
  VMW_BALLOON_ERROR_PPN_UNLOCKED = 4,
  VMW_BALLOON_ERROR_PPN_PINNED = 5,
  VMW_BALLOON_ERROR_PPN_NOTNEEDED = 6,
  VMW_BALLOON_ERROR_RESET = 7,
  VMW_BALLOON_ERROR_BUSY = 8,
  VMW_BALLOON_SUCCESS_WITH_CAPABILITIES = 0x03000000,
};

// The model's batch: the kernel's batch page holds PAGE_SIZE / 8 entries; the model's zone has
// a few pages, so four entries are more than any scenario fills.
constexpr unsigned kVmwBatchEntries = 4;

// The batch page (alloc_page in vmballoon_init_batching; page_address): one 64-bit entry per
// page, `pfn << PAGE_SHIFT | status` (struct vmballoon_batch_entry's bit-fields share the word).
struct vmballoon_batch_page {
  vmballoon_batch_page();
  mc::plain<unsigned long> entry[kVmwBatchEntries];
};

// struct vmballoon_stats (kzalloc'ed by vmballoon_enable_stats): the counters the driver keeps
// for the debugfs file. General: timer, doorbell, reset, shrink, shrink-free; per page (4 KiB
// only): alloc, alloc-fail, refused-alloc, refused-free, free; per command: ops and failures.
constexpr int kVmwStatGeneral = 5, kVmwStatPage = 5, kVmwCmds = 11;
struct vmballoon_stats {
  vmballoon_stats();
  mc::atomic<long> general_stat[kVmwStatGeneral];
  mc::atomic<long> page_stat[kVmwStatPage];
  mc::atomic<long> ops[kVmwCmds][2];
};

// The hypervisor (the other side of the `inl` of __vmballoon_cmd). Its state is the host's, not
// guest memory: no events. It offers the basic and (unless told otherwise) the batched
// commands, answers GET_TARGET and each successful lock or unlock with `target`, locks and
// unlocks pages as asked (each page's answer chosen by the explorer: success, or refused with
// VMW_BALLOON_ERROR_PPN_PINNED). When it resets its side (vmw_host_reset) it forgets the pages
// it held and answers every command but START with VMW_BALLOON_ERROR_RESET until the driver
// starts the protocol again.
struct vmw_host {
  unsigned long target = 0;
  bool batched = true;
  bool reset_pending = false;
  unsigned locked = 0;  // one bit per pfn it holds as ballooned
};
// The host resets its side (as after the virtual machine moved): see vmw_host.
void vmw_host_reset(vmballoon* b);

struct vmballoon {
  vmballoon();
  mc::atomic<long> size{0, "b->size"};                        // atomic64_t
  mc::atomic<unsigned long> target{0, "b->target"};           // READ_ONCE / WRITE_ONCE
  mc::plain<bool> reset_required{true, "b->reset_required"};  // vmballoon_init sets it
  mc::plain<unsigned long> capabilities{0, "b->capabilities"};
  mc::plain<vmballoon_batch_page*> batch_page{nullptr, "b->batch_page"};
  mc::plain<unsigned> batch_max_pages{1, "b->batch_max_pages"};
  mc::plain<page*> page_{nullptr, "b->page"};  // the page of a basic (non-batched) command
  mc::plain<vmballoon_stats*> stats{nullptr, "b->stats"};
  balloon_dev_info b_dev_info;
  mc::rw_semaphore conf_sem{"b->conf_sem"};
  mc::spinlock comm_lock{"b->comm_lock"};
  // The static keys vmw_balloon_batching (on by default) and balloon_stat_enabled: text
  // patched on every CPU at once, so reading them is no memory access (no event).
  bool batching_key = true;
  bool stat_key = false;
  vmw_host host;
};

// The balloon's worker, one run (vmballoon_work without its re-queueing): reset if required,
// then under down_read(conf_sem) the host's target and an inflation or deflation towards it.
void vmballoon_work(vmballoon* b);
// The debugfs file's first open.
int vmballoon_enable_stats(vmballoon* b);
int vmballoon_migratepage(balloon_dev_info* b_dev_info, page* newpage, page* p, migrate_mode mode);
// The model's end of the driver (no event): the current batch page and the statistics freed
// (the kernel never frees them; a batch page not current any more is a leak the heap reports).
void vmballoon_release_peek(vmballoon* b);

}  // namespace proto
