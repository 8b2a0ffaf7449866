#include "protocol/vmw_balloon.h"

#include <string>
#include <vector>

#include "protocol/page_lock.h"
#include "protocol/version.h"

namespace proto {

namespace {

// Commands (enum vmballoon_cmd_type) and capabilities.
enum : unsigned long {
  VMW_BALLOON_CMD_START = 0,
  VMW_BALLOON_CMD_GET_TARGET = 1,
  VMW_BALLOON_CMD_LOCK = 2,
  VMW_BALLOON_CMD_UNLOCK = 3,
  VMW_BALLOON_CMD_GUEST_ID = 4,
  VMW_BALLOON_CMD_BATCHED_LOCK = 6,
  VMW_BALLOON_CMD_BATCHED_UNLOCK = 7,
  VMW_BALLOON_CMD_VMCI_DOORBELL_SET = 10,
};
constexpr unsigned long VMW_BALLOON_BASIC_CMDS = 1ul << 1, VMW_BALLOON_BATCHED_CMDS = 1ul << 2;
// The model's driver asks for these two (VMW_BALLOON_CAPABILITIES adds 2 MiB pages, the
// doorbell and 64-bit targets, which the model's host does not offer).
constexpr unsigned long VMW_BALLOON_CAPABILITIES =
    VMW_BALLOON_BASIC_CMDS | VMW_BALLOON_BATCHED_CMDS;
constexpr unsigned long VMW_BALLOON_CMD_WITH_TARGET_MASK =
    (1ul << VMW_BALLOON_CMD_GET_TARGET) | (1ul << VMW_BALLOON_CMD_LOCK) |
    (1ul << VMW_BALLOON_CMD_UNLOCK) | (1ul << VMW_BALLOON_CMD_BATCHED_LOCK) |
    (1ul << VMW_BALLOON_CMD_BATCHED_UNLOCK);
constexpr unsigned VMW_BALLOON_MAX_REFUSED = 16;
constexpr int PAGE_SHIFT = 12;

enum vmballoon_op { VMW_BALLOON_INFLATE, VMW_BALLOON_DEFLATE };
enum { VMW_BALLOON_STAT_TIMER, VMW_BALLOON_STAT_DOORBELL, VMW_BALLOON_STAT_RESET };
enum {
  VMW_BALLOON_PAGE_STAT_ALLOC,
  VMW_BALLOON_PAGE_STAT_ALLOC_FAIL,
  VMW_BALLOON_PAGE_STAT_REFUSED_ALLOC,
  VMW_BALLOON_PAGE_STAT_REFUSED_FREE,
  VMW_BALLOON_PAGE_STAT_FREE
};
enum { VMW_BALLOON_OP_STAT, VMW_BALLOON_OP_FAIL_STAT };

// struct vmballoon_ctl: the pages of one inflation or deflation step (4 KiB pages only, so no
// prealloc_pages: those come from splitting refused 2 MiB pages).
struct vmballoon_ctl {
  std::vector<page*> pages;
  std::vector<page*> refused_pages;
  unsigned n_pages = 0;
  unsigned n_refused_pages = 0;
  vmballoon_op op;
};

// ---- statistics (vmballoon_stats_*_inc / _add: only once the static key is on) ----
bool is_vmballoon_stats_on(vmballoon* b) { return b->stat_key; }
void vmballoon_stats_op_inc(vmballoon* b, unsigned long op, int type) {
  if (is_vmballoon_stats_on(b)) b->stats.load()->ops[op][type].fetch_add(1, kRelaxed);
}
void vmballoon_stats_gen_inc(vmballoon* b, int stat) {
  if (is_vmballoon_stats_on(b)) b->stats.load()->general_stat[stat].fetch_add(1, kRelaxed);
}
void vmballoon_stats_page_add(vmballoon* b, int stat, unsigned val) {
  if (is_vmballoon_stats_on(b)) b->stats.load()->page_stat[stat].fetch_add(val, kRelaxed);
}
void vmballoon_stats_page_inc(vmballoon* b, int stat) { vmballoon_stats_page_add(b, stat, 1); }

// ---- the hypervisor ----

// Locks (inflate) or unlocks one pfn for the host; the explorer chooses whether it accepts.
unsigned long host_page(vmballoon* b, page* p, bool inflate) {
  if (mc::choose(2) == 1) return VMW_BALLOON_ERROR_PPN_PINNED;
  const unsigned bit = p->pfn < 32 ? 1u << p->pfn : 0;
  if (inflate) {
    b->host.locked |= bit;
  } else {
    if (!(b->host.locked & bit))
      mc::violation("deflated page not inflated",
                    dump_page(p, "the hypervisor is asked to unlock pfn " + std::to_string(p->pfn) +
                                     ", which it does not hold"));
    b->host.locked &= ~bit;
  }
  return VMW_BALLOON_SUCCESS;
}

// The `inl` of __vmballoon_cmd: the hypervisor reads the command's arguments (and, for a
// batched command, the batch page's entries, writing each entry's status) and returns a status
// and a result.
unsigned long hypervisor(vmballoon* b, unsigned long cmd, unsigned long arg1, unsigned long arg2,
                         unsigned long* caps, unsigned long* result) {
  MC_FUNC("hypervisor");
  *result = 0;
  // A host that reset its side answers every command but START with a reset.
  if (b->host.reset_pending && cmd != VMW_BALLOON_CMD_START) return VMW_BALLOON_ERROR_RESET;
  switch (cmd) {
    case VMW_BALLOON_CMD_START:
      b->host.reset_pending = false;
      *caps = VMW_BALLOON_BASIC_CMDS | (b->host.batched ? VMW_BALLOON_BATCHED_CMDS : 0);
      *caps &= arg1;
      return VMW_BALLOON_SUCCESS_WITH_CAPABILITIES;
    case VMW_BALLOON_CMD_GET_TARGET:
    case VMW_BALLOON_CMD_GUEST_ID:
    case VMW_BALLOON_CMD_VMCI_DOORBELL_SET:
      *result = b->host.target;
      return VMW_BALLOON_SUCCESS;
    case VMW_BALLOON_CMD_LOCK:
    case VMW_BALLOON_CMD_UNLOCK: {
      page* p = Memory::current().pfn_to_page(static_cast<int>(arg1));
      *result = b->host.target;
      return host_page(b, p, cmd == VMW_BALLOON_CMD_LOCK);
    }
    case VMW_BALLOON_CMD_BATCHED_LOCK:
    case VMW_BALLOON_CMD_BATCHED_UNLOCK: {
      vmballoon_batch_page* batch = b->batch_page.load();
      for (unsigned long i = 0; i < arg2 && i < kVmwBatchEntries; ++i) {
        const unsigned long e = batch->entry[i].load();
        page* p = Memory::current().pfn_to_page(static_cast<int>(e >> PAGE_SHIFT));
        const unsigned long status = host_page(b, p, cmd == VMW_BALLOON_CMD_BATCHED_LOCK);
        batch->entry[i].store((e & ~((1ul << 5) - 1)) | status);
      }
      *result = b->host.target;
      return VMW_BALLOON_SUCCESS;
    }
    default:
      return VMW_BALLOON_ERROR_CMD_INVALID;
  }
}

// ---- commands ----

unsigned long __vmballoon_cmd(vmballoon* b, unsigned long cmd, unsigned long arg1,
                              unsigned long arg2, unsigned long* result) {
  MC_FUNC("__vmballoon_cmd");
  vmballoon_stats_op_inc(b, cmd, VMW_BALLOON_OP_STAT);
  unsigned long dummy1 = 0, local_result = 0;
  const unsigned long status = hypervisor(b, cmd, arg1, arg2, &dummy1, &local_result);
  if (result) *result = cmd == VMW_BALLOON_CMD_START ? dummy1 : local_result;
  if (status == VMW_BALLOON_SUCCESS && ((1ul << cmd) & VMW_BALLOON_CMD_WITH_TARGET_MASK))
    b->target.store(local_result, kRelaxed);  // WRITE_ONCE
  if (status != VMW_BALLOON_SUCCESS && status != VMW_BALLOON_SUCCESS_WITH_CAPABILITIES)
    vmballoon_stats_op_inc(b, cmd, VMW_BALLOON_OP_FAIL_STAT);
  if (status == VMW_BALLOON_ERROR_RESET) b->reset_required.store(true);
  return status;
}
unsigned long vmballoon_cmd(vmballoon* b, unsigned long cmd, unsigned long arg1,
                            unsigned long arg2) {
  unsigned long dummy;
  return __vmballoon_cmd(b, cmd, arg1, arg2, &dummy);
}

int vmballoon_send_start(vmballoon* b, unsigned long req_caps) {
  MC_FUNC("vmballoon_send_start");
  unsigned long capabilities = 0;
  const unsigned long status =
      __vmballoon_cmd(b, VMW_BALLOON_CMD_START, req_caps, 0, &capabilities);
  if (status == VMW_BALLOON_SUCCESS_WITH_CAPABILITIES)
    b->capabilities.store(capabilities);
  else if (status == VMW_BALLOON_SUCCESS)
    b->capabilities.store(VMW_BALLOON_BASIC_CMDS);
  else
    return -EIO;
  return 0;  // max_page_size stays 4 KiB: the host offers no 2 MiB commands
}

int vmballoon_send_guest_id(vmballoon* b) {
  MC_FUNC("vmballoon_send_guest_id");
  return vmballoon_cmd(b, VMW_BALLOON_CMD_GUEST_ID, 5 /* VMW_BALLOON_GUEST_ID */, 0) ==
                 VMW_BALLOON_SUCCESS
             ? 0
             : -EIO;
}

int vmballoon_send_get_target(vmballoon* b) {
  MC_FUNC("vmballoon_send_get_target");
  const unsigned long limit = static_cast<unsigned long>(Memory::current().nr_pages());
  return vmballoon_cmd(b, VMW_BALLOON_CMD_GET_TARGET, limit, 0) == VMW_BALLOON_SUCCESS ? 0 : -EIO;
}

// ---- pages ----

int vmballoon_alloc_page_list(vmballoon* b, vmballoon_ctl* ctl, unsigned req_n_pages) {
  MC_FUNC("vmballoon_alloc_page_list");
  unsigned i = 0;
  for (; i < req_n_pages; ++i) {
    page* p = balloon_page_alloc();
    vmballoon_stats_page_inc(b, VMW_BALLOON_PAGE_STAT_ALLOC);
    if (p) {
      ctl->pages.insert(ctl->pages.begin(), p);  // list_add
      continue;
    }
    vmballoon_stats_page_inc(b, VMW_BALLOON_PAGE_STAT_ALLOC_FAIL);
    break;
  }
  ctl->n_pages = i;
  return req_n_pages == ctl->n_pages ? 0 : -ENOMEM;
}

int vmballoon_handle_one_result(vmballoon* b, unsigned long status) {
  if (status == VMW_BALLOON_SUCCESS) return 0;
  vmballoon_stats_page_inc(b, VMW_BALLOON_PAGE_STAT_REFUSED_ALLOC);
  return -EIO;
}

// The status of the idx-th page of the last command and that page: the batch entry's in
// batching mode; else b->page, and success (a failure is the command's status).
unsigned long vmballoon_status_page(vmballoon* b, unsigned idx, page** p) {
  if (b->batching_key) {
    const unsigned long e = b->batch_page.load()->entry[idx].load();
    *p = Memory::current().pfn_to_page(static_cast<int>(e >> PAGE_SHIFT));
    return e & ((1ul << 5) - 1);
  }
  *p = b->page_.load();
  return VMW_BALLOON_SUCCESS;
}

unsigned long vmballoon_lock_op(vmballoon* b, unsigned num_pages, vmballoon_op op) {
  MC_FUNC("vmballoon_lock_op");
  unsigned long cmd, pfn;
  if (b->batching_key) {
    cmd = op == VMW_BALLOON_INFLATE ? VMW_BALLOON_CMD_BATCHED_LOCK : VMW_BALLOON_CMD_BATCHED_UNLOCK;
    pfn = 0;  // PHYS_PFN(virt_to_phys(b->batch_page)): the host finds the batch page itself
  } else {
    cmd = op == VMW_BALLOON_INFLATE ? VMW_BALLOON_CMD_LOCK : VMW_BALLOON_CMD_UNLOCK;
    pfn = static_cast<unsigned long>(b->page_.load()->pfn);
  }
  return vmballoon_cmd(b, cmd, pfn, num_pages);
}

void vmballoon_add_page(vmballoon* b, unsigned idx, page* p) {
  if (b->batching_key)
    b->batch_page.load()->entry[idx].store(static_cast<unsigned long>(p->pfn) << PAGE_SHIFT);
  else
    b->page_.store(p);
}

// Tells the host about ctl's pages under comm_lock; the refused ones move to refused_pages.
int vmballoon_lock(vmballoon* b, vmballoon_ctl* ctl) {
  MC_FUNC("vmballoon_lock");
  const unsigned num_pages = ctl->n_pages;
  if (num_pages == 0) return 0;
  b->comm_lock.lock();
  unsigned i = 0;
  for (page* p : ctl->pages) vmballoon_add_page(b, i++, p);
  const unsigned long batch_status = vmballoon_lock_op(b, ctl->n_pages, ctl->op);
  std::vector<page*> kept;
  for (i = 0; i < num_pages; ++i) {
    page* p = nullptr;
    unsigned long status = vmballoon_status_page(b, i, &p);
    if (batch_status != VMW_BALLOON_SUCCESS) status = batch_status;
    if (!vmballoon_handle_one_result(b, status)) {
      kept.push_back(p);
      continue;
    }
    ctl->refused_pages.insert(ctl->refused_pages.begin(), p);  // list_move
    ctl->n_pages--;
    ctl->n_refused_pages++;
  }
  ctl->pages = kept;
  b->comm_lock.unlock();
  return batch_status == VMW_BALLOON_SUCCESS ? 0 : -EIO;
}

void vmballoon_release_page_list(std::vector<page*>* list, unsigned* n_pages) {
  MC_FUNC("vmballoon_release_page_list");
  for (page* p : *list) put_page(p);  // __free_pages
  list->clear();
  if (n_pages) *n_pages = 0;
}

void vmballoon_release_refused_pages(vmballoon* b, vmballoon_ctl* ctl) {
  vmballoon_stats_page_inc(b, VMW_BALLOON_PAGE_STAT_REFUSED_FREE);
  vmballoon_release_page_list(&ctl->refused_pages, &ctl->n_refused_pages);
}

long vmballoon_change(vmballoon* b) {
  MC_FUNC("vmballoon_change");
  const long size = b->size.load(kRelaxed);
  const long target = static_cast<long>(b->target.load(kRelaxed));  // READ_ONCE
  if (b->reset_required.load()) return 0;
  // A deflation to a non-zero target keeps a 2 MiB slack (512 frames).
  if (target < size && target != 0 && size - target < 512) return 0;
  return target - size;  // (no shrink_timeout: the shrinker is not modelled)
}

void vmballoon_enqueue_page_list(vmballoon* b, std::vector<page*>* pages, unsigned* n_pages) {
  MC_FUNC("vmballoon_enqueue_page_list");
  balloon_page_list_enqueue(&b->b_dev_info, pages->data(), pages->size());
  pages->clear();
  *n_pages = 0;
}

void vmballoon_dequeue_page_list(vmballoon* b, std::vector<page*>* pages, unsigned* n_pages,
                                 unsigned n_req_pages) {
  MC_FUNC("vmballoon_dequeue_page_list");
  page* got[kVmwBatchEntries];
  const size_t n = balloon_page_list_dequeue(
      &b->b_dev_info, got, n_req_pages < kVmwBatchEntries ? n_req_pages : kVmwBatchEntries);
  pages->assign(got, got + n);
  *n_pages = static_cast<unsigned>(n);
}

void vmballoon_inflate(vmballoon* b) {
  MC_FUNC("vmballoon_inflate");
  vmballoon_ctl ctl;
  ctl.op = VMW_BALLOON_INFLATE;
  long to_inflate_frames;
  while ((to_inflate_frames = vmballoon_change(b)) > 0) {
    const unsigned max = b->batch_max_pages.load();
    const unsigned to_inflate_pages = static_cast<unsigned long>(to_inflate_frames) < max
                                          ? static_cast<unsigned>(to_inflate_frames)
                                          : max;
    const int alloc_error = vmballoon_alloc_page_list(b, &ctl, to_inflate_pages);
    const int lock_error = vmballoon_lock(b, &ctl);
    if (lock_error) break;
    b->size.fetch_add(ctl.n_pages, kRelaxed);  // atomic64_add
    vmballoon_enqueue_page_list(b, &ctl.pages, &ctl.n_pages);
    // 4 KiB pages: a failed allocation or too many refusals end the inflation.
    if (alloc_error || ctl.n_refused_pages >= VMW_BALLOON_MAX_REFUSED) break;
  }
  if (ctl.n_refused_pages != 0) vmballoon_release_refused_pages(b, &ctl);
}

unsigned long vmballoon_deflate(vmballoon* b, unsigned long n_frames, bool coordinated) {
  MC_FUNC("vmballoon_deflate");
  unsigned long deflated_frames = 0, tried_frames = 0;
  vmballoon_ctl ctl;
  ctl.op = VMW_BALLOON_DEFLATE;
  while (true) {
    const long to_deflate_frames =
        n_frames ? static_cast<long>(n_frames - tried_frames) : -vmballoon_change(b);
    if (to_deflate_frames <= 0) break;
    const unsigned max = b->batch_max_pages.load();
    const unsigned to_deflate_pages = static_cast<unsigned long>(to_deflate_frames) < max
                                          ? static_cast<unsigned>(to_deflate_frames)
                                          : max;
    vmballoon_dequeue_page_list(b, &ctl.pages, &ctl.n_pages, to_deflate_pages);
    tried_frames += ctl.n_pages;
    if (coordinated) vmballoon_lock(b, &ctl);
    const bool deflated_all = ctl.n_pages == to_deflate_pages;
    b->size.fetch_sub(ctl.n_pages, kRelaxed);  // atomic64_sub
    deflated_frames += ctl.n_pages;
    vmballoon_stats_page_add(b, VMW_BALLOON_PAGE_STAT_FREE, ctl.n_pages);
    vmballoon_release_page_list(&ctl.pages, &ctl.n_pages);
    vmballoon_enqueue_page_list(b, &ctl.refused_pages, &ctl.n_refused_pages);
    if (!deflated_all) break;  // max_page_size is 4 KiB: no larger size to move to
  }
  return deflated_frames;
}

// ---- batching, reset ----

void vmballoon_deinit_batching(vmballoon* b) {
  MC_FUNC("vmballoon_deinit_batching");
  if (vmballoon_batch_page* old = b->batch_page.load()) mc::free(old);  // free_page
  b->batch_page.store(nullptr);
  b->batching_key = false;  // static_branch_disable
  b->batch_max_pages.store(1);
}

// Allocates a new batch page and makes it current: the one a previous reset set up is not
// freed (the kernel's code as it reads, 5.3-6.17).
int vmballoon_init_batching(vmballoon* b) {
  MC_FUNC("vmballoon_init_batching");
  auto* batch = mc::make_named<vmballoon_batch_page>("vmw batch page", SL::current());
  b->batch_page.store(batch);
  b->batch_max_pages.store(kVmwBatchEntries);  // PAGE_SIZE / sizeof(struct vmballoon_batch_entry)
  b->batching_key = true;                      // static_branch_enable
  return 0;
}

void vmballoon_vmci_cleanup(vmballoon* b) {
  MC_FUNC("vmballoon_vmci_cleanup");
  vmballoon_cmd(b, VMW_BALLOON_CMD_VMCI_DOORBELL_SET, ~0ul, ~0ul);  // VMCI_INVALID_ID: no doorbell
}

// Frees every page of the balloon without telling the host (it forgot them with the reset).
// The kernel loops while b->size is not 0; pages isolated by migration are not dequeued, so the
// loop spins until they come back: the model waits for a balloon page or a change of the size.
void vmballoon_pop(vmballoon* b) {
  MC_FUNC("vmballoon_pop");
  long size;
  while ((size = b->size.load(kRelaxed)) != 0) {
    if (vmballoon_deflate(b, static_cast<unsigned long>(size), false) != 0) continue;
    // Nothing dequeued: the model waits until a balloon page could be (unlocked and not
    // isolated) or the size changed, where the kernel goes round again at once.
    balloon_dev_info* d = &b->b_dev_info;
    mc::await(d->pages_lock, [d, b, size] {
      if (b->size.peek() != size) return true;
      Memory& mem = Memory::current();
      for (int pfn = 0; pfn < mem.nr_pages(); ++pfn) {
        page* p = mem.pfn_to_page(pfn);
        if ((p->flags.peek() & (bit(PG_locked) | bit(PG_isolated))) == 0 &&
            list_contains_peek(&d->pages, p))
          return true;
      }
      return false;
    });
  }
}

void vmballoon_reset(vmballoon* b) {
  MC_FUNC("vmballoon_reset");
  b->conf_sem.write_lock();  // down_write
  vmballoon_vmci_cleanup(b);
  vmballoon_pop(b);
  if (vmballoon_send_start(b, VMW_BALLOON_CAPABILITIES) == 0) {
    const unsigned long caps = b->capabilities.load();
    bool ok = true;
    if (caps & VMW_BALLOON_BATCHED_CMDS) {
      if (vmballoon_init_batching(b)) {
        vmballoon_send_start(b, 0);
        ok = false;
      }
    } else if (caps & VMW_BALLOON_BASIC_CMDS) {
      vmballoon_deinit_batching(b);
    }
    if (ok) {
      vmballoon_stats_gen_inc(b, VMW_BALLOON_STAT_RESET);
      b->reset_required.store(false);
      // vmballoon_vmci_init: the host offers no doorbell (VMW_BALLOON_SIGNALLED_WAKEUP_CMD).
      vmballoon_send_guest_id(b);
    }
  }
  b->conf_sem.write_unlock();  // up_write
}

}  // namespace

vmballoon_batch_page::vmballoon_batch_page()
    : entry{mc::plain<unsigned long>(0, "b->batch_page[0]"),
            mc::plain<unsigned long>(0, "b->batch_page[1]"),
            mc::plain<unsigned long>(0, "b->batch_page[2]"),
            mc::plain<unsigned long>(0, "b->batch_page[3]")} {
  static_assert(kVmwBatchEntries == 4, "one name per entry");
}

vmballoon_stats::vmballoon_stats() = default;  // kzalloc: every counter 0

vmballoon::vmballoon() {
  b_dev_info.migratepage = vmballoon_migratepage;
  b_dev_info.vmb = this;
  mc::name_address(this, "b");
}

void vmballoon_work(vmballoon* b) {
  MC_FUNC("vmballoon_work");
  if (b->reset_required.load()) vmballoon_reset(b);
  b->conf_sem.read_lock();  // down_read
  vmballoon_stats_gen_inc(b, VMW_BALLOON_STAT_TIMER);
  long change = 0;
  if (!vmballoon_send_get_target(b)) change = vmballoon_change(b);
  if (change > 0)
    vmballoon_inflate(b);
  else if (change < 0)
    vmballoon_deflate(b, 0, true);
  b->conf_sem.read_unlock();  // up_read
}

int vmballoon_enable_stats(vmballoon* b) {
  MC_FUNC("vmballoon_enable_stats");
  b->conf_sem.write_lock();
  if (!b->stats.load()) {
    b->stats.store(mc::make_named<vmballoon_stats>("vmballoon_stats", SL::current()));
    b->stat_key = true;  // static_key_enable
  }
  b->conf_sem.write_unlock();
  return 0;
}

// vmballoon_migratepage (83a8afa72e9c, 5.3; both pages locked by migration, the old one
// isolated): under a trylocked conf_sem (a reset or the statistics' enabling in progress:
// -EAGAIN) and comm_lock, first unlock the old page with the host, then lock the new one, each
// a one-page command. The old page leaves the balloon (balloon_page_delete; 6.17
// balloon_page_finalize, 15504b116300) as soon as the host gave it back. If the host then
// refuses the new page, the balloon shrinks by one and the driver returns -EBUSY: up to 6.16
// the core only clears the old page's isolation, but from 6.17 (3544c4faccb8) it puts the page
// back through balloon_page_putback, which warns about the page it finds without a balloon
// (4ba5a8a7faa6, 6.18, returns success instead).
int vmballoon_migratepage(balloon_dev_info* b_dev_info, page* newpage, page* p, migrate_mode) {
  MC_FUNC("vmballoon_migratepage");
  vmballoon* b = b_dev_info->vmb;
  if (!b->conf_sem.read_trylock()) return -EAGAIN;
  b->comm_lock.lock();
  vmballoon_add_page(b, 0, p);
  unsigned long status = vmballoon_lock_op(b, 1, VMW_BALLOON_DEFLATE);
  if (status == VMW_BALLOON_SUCCESS) status = vmballoon_status_page(b, 0, &p);
  if (status != VMW_BALLOON_SUCCESS) {
    b->comm_lock.unlock();
    b->conf_sem.read_unlock();
    return -EBUSY;  // the old page stays in the balloon; the core puts it back
  }
  balloon_page_delete(p);
  put_page(p);  // the balloon's reference
  vmballoon_add_page(b, 0, newpage);
  status = vmballoon_lock_op(b, 1, VMW_BALLOON_INFLATE);
  if (status == VMW_BALLOON_SUCCESS) status = vmballoon_status_page(b, 0, &newpage);
  b->comm_lock.unlock();
  int ret = MIGRATEPAGE_SUCCESS;
  if (status != VMW_BALLOON_SUCCESS) {
    b->size.fetch_sub(1, kRelaxed);  // atomic64_dec
    // 4ba5a8a7faa6 (6.18, 6.17.6): the old page is out of the balloon either way, so this is a
    // deflation that succeeded; before, -EBUSY.
    if (!kcfg().fixed(Fix::vmw_refused_new_page_ok)) ret = -EBUSY;
  } else {
    get_page(newpage);  // the balloon's reference
  }
  b_dev_info->pages_lock.lock();
  if (status == VMW_BALLOON_SUCCESS) balloon_page_insert(b_dev_info, newpage);
  b_dev_info->isolated_pages.store(b_dev_info->isolated_pages.load() - 1);
  b_dev_info->pages_lock.unlock();
  b->conf_sem.read_unlock();
  return ret;
}

void vmw_host_reset(vmballoon* b) {
  b->host.reset_pending = true;
  b->host.locked = 0;
}

void vmballoon_release_peek(vmballoon* b) {
  if (vmballoon_batch_page* batch = b->batch_page.peek()) mc::free(batch);
  if (vmballoon_stats* s = b->stats.peek()) mc::free(s);
}

}  // namespace proto
