// The VMware balloon (drivers/misc/vmw_balloon.c) as far as page migration meets it: 4 KiB
// pages inflated and deflated one command at a time, the hypervisor's answers chosen by the
// explorer, and vmballoon_migratepage (83a8afa72e9c "vmw_balloon: Compaction support", 5.3).
// Not modelled: 2 MiB pages, batches of more than one page, the statistics, the doorbell and
// vmballoon_reset (the only writer of conf_sem), so migration's down_read_trylock never fails
// here. docs/balloon.md says what each simplification leaves out.
#pragma once

#include "protocol/balloon.h"

namespace proto {

// The hypervisor's per-page answers the model gives (VMW_BALLOON_SUCCESS, or one of the
// errors after which the driver treats the page as refused; which error does not matter to
// the driver's code paths modelled here).
enum class vmw_status { VMW_BALLOON_SUCCESS, VMW_BALLOON_ERROR_PPN_PINNED };

struct vmballoon {
  vmballoon();
  balloon_dev_info b_dev_info;
  mc::rwlock conf_sem{"b->conf_sem"};
  mc::spinlock comm_lock{"b->comm_lock"};
  mc::atomic<long> size{0, "b->size"};
  // b->page (the PFN of a non-batched command) or batch_page[0]: written under comm_lock.
  mc::plain<unsigned long> cmd_pfn{0, "b->page"};
  // The hypervisor's view: one bit per pfn it holds as ballooned (locked).
  unsigned locked = 0;
};

// One page per command: vmballoon_inflate(b, n) allocates, locks with the hypervisor and
// enqueues up to n pages; vmballoon_deflate(b, n, coordinated) dequeues up to n, unlocks them
// with the hypervisor (when coordinated) and frees those it accepted, putting back the refused.
unsigned vmballoon_inflate(vmballoon* b, unsigned n);
unsigned vmballoon_deflate(vmballoon* b, unsigned n, bool coordinated);
int vmballoon_migratepage(balloon_dev_info* b_dev_info, page* newpage, page* p, migrate_mode mode);

}  // namespace proto
