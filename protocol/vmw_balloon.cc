#include "protocol/vmw_balloon.h"

#include <string>

#include "protocol/page_lock.h"
#include "protocol/version.h"

namespace proto {

namespace {

vmballoon* vmballoon_of(balloon_dev_info* b) { return b->vmb; }

// vmballoon_lock_op / __vmballoon_cmd with one page (VMW_BALLOON_CMD_LOCK or _UNLOCK; the
// batched commands answer per page the same way): the page's PFN in b->page under
// comm_lock, then the hypervisor's answer, chosen by the explorer. The hypervisor's side is
// checked here: it may only give back pages it holds.
vmw_status vmballoon_lock_op(vmballoon* b, page* p, bool inflate) {
  MC_FUNC("vmballoon_lock_op");
  b->cmd_pfn.store(static_cast<unsigned long>(p->pfn));
  const unsigned long pfn = b->cmd_pfn.load();  // the hypervisor reads the command
  if (mc::choose(2) == 1) return vmw_status::VMW_BALLOON_ERROR_PPN_PINNED;
  const unsigned bit = pfn < 32 ? 1u << pfn : 0;
  if (inflate) {
    b->locked |= bit;
  } else {
    if (!(b->locked & bit))
      mc::violation("deflated page not inflated",
                    dump_page(p, "the hypervisor is asked to unlock pfn " + std::to_string(pfn) +
                                     ", which it does not hold"));
    b->locked &= ~bit;
  }
  return vmw_status::VMW_BALLOON_SUCCESS;
}

}  // namespace

vmballoon::vmballoon() {
  b_dev_info.migratepage = vmballoon_migratepage;
  b_dev_info.vmb = this;
  mc::name_address(this, "b");
}

// vmballoon_inflate (5.3, one page per command): allocate a page (balloon_page_alloc), lock
// it with the hypervisor under comm_lock, and on success count it in b->size and enqueue it
// (vmballoon_enqueue_page_list -> balloon_page_list_enqueue). A refused page is freed (the
// kernel keeps refused pages on a list until the loop ends, then frees them).
unsigned vmballoon_inflate(vmballoon* b, unsigned n) {
  MC_FUNC("vmballoon_inflate");
  unsigned done = 0;
  for (unsigned i = 0; i < n; ++i) {
    page* p = balloon_page_alloc();
    if (!p) break;
    b->comm_lock.lock();
    const vmw_status status = vmballoon_lock_op(b, p, true);
    b->comm_lock.unlock();
    if (status != vmw_status::VMW_BALLOON_SUCCESS) {
      put_page(p);  // refused
      continue;
    }
    b->size.fetch_add(1);  // atomic64_add
    {
      MC_FUNC("vmballoon_enqueue_page_list");
      balloon_page_enqueue(&b->b_dev_info, p);
    }
    ++done;
  }
  return done;
}

// vmballoon_deflate (5.3, one page per command): take up to n pages out of the balloon
// (vmballoon_dequeue_page_list -> balloon_page_list_dequeue), unlock each with the hypervisor
// when coordinated (vmballoon_reset pops uncoordinated), free those it gave back and count
// them out of b->size; a page the hypervisor refuses goes back into the balloon.
unsigned vmballoon_deflate(vmballoon* b, unsigned n, bool coordinated) {
  MC_FUNC("vmballoon_deflate");
  constexpr size_t kMax = 4;
  page* pages[kMax];
  size_t got = 0;
  {
    MC_FUNC("vmballoon_dequeue_page_list");
    got = balloon_page_list_dequeue(&b->b_dev_info, pages, n < kMax ? n : kMax);
  }
  unsigned freed = 0;
  for (size_t i = 0; i < got; ++i) {
    page* p = pages[i];
    if (coordinated) {
      b->comm_lock.lock();
      const vmw_status status = vmballoon_lock_op(b, p, false);
      b->comm_lock.unlock();
      if (status != vmw_status::VMW_BALLOON_SUCCESS) {
        MC_FUNC("vmballoon_enqueue_page_list");  // the refused pages go back
        balloon_page_enqueue(&b->b_dev_info, p);
        continue;
      }
    }
    b->size.fetch_sub(1);  // atomic64_sub
    put_page(p);
    ++freed;
  }
  return freed;
}

// vmballoon_migratepage (83a8afa72e9c, 5.3; both pages locked by migration, the old one
// isolated): under a trylocked conf_sem (a reset in progress: -EAGAIN) and comm_lock, first
// deflate the old page, then inflate the new one. The old page leaves the balloon
// (balloon_page_delete; 6.17 balloon_page_finalize, 15504b116300) as soon as the hypervisor
// gave it back. If the hypervisor then refuses the new page, the balloon shrinks by one and
// the driver returns -EBUSY: up to 6.16 the core only clears the old page's isolation, but
// from 6.17 (3544c4faccb8) it puts the page back through balloon_page_putback, which warns
// about the page it finds without a balloon (4ba5a8a7faa6, 6.18, returns success instead).
int vmballoon_migratepage(balloon_dev_info* b_dev_info, page* newpage, page* p, migrate_mode) {
  MC_FUNC("vmballoon_migratepage");
  vmballoon* b = vmballoon_of(b_dev_info);
  if (!b->conf_sem.read_trylock()) return -EAGAIN;
  b->comm_lock.lock();
  vmw_status status = vmballoon_lock_op(b, p, false);
  if (status != vmw_status::VMW_BALLOON_SUCCESS) {
    b->comm_lock.unlock();
    b->conf_sem.read_unlock();
    return -EBUSY;  // the old page stays in the balloon; the core puts it back
  }
  balloon_page_delete(p);
  put_page(p);  // the balloon's reference
  status = vmballoon_lock_op(b, newpage, true);
  b->comm_lock.unlock();
  int ret = MIGRATEPAGE_SUCCESS;
  if (status != vmw_status::VMW_BALLOON_SUCCESS) {
    b->size.fetch_sub(1);  // atomic64_sub
    ret = -EBUSY;
  } else {
    get_page(newpage);  // the balloon's reference
  }
  b_dev_info->pages_lock.lock();
  if (status == vmw_status::VMW_BALLOON_SUCCESS) balloon_page_insert(b_dev_info, newpage);
  b_dev_info->isolated_pages.store(b_dev_info->isolated_pages.load() - 1);
  b_dev_info->pages_lock.unlock();
  b->conf_sem.read_unlock();
  return ret;
}

}  // namespace proto
