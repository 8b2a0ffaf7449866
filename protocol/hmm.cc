#include "protocol/hmm.h"

#include <cerrno>
#include <string>

#include "protocol/page_lock.h"
#include "protocol/version.h"

namespace proto {

namespace {

thread_local dmirror_device* current_device = nullptr;

const char* const kTlbName[kMaxCpus] = {"tlb[T0]", "tlb[P0]", "tlb[P1]", "tlb[P2]", "tlb[P3]"};

int this_cpu() { return mc::Execution::current() ? mc::Execution::current()->self() : 0; }

tlb_entry& cpu_tlb(mm_struct* mm) {
  const int cpu = this_cpu();
  MC_ASSERT(cpu >= 0 && cpu < kMaxCpus, "the model keeps a TLB for the init thread and P0-P3");
  return *mm->tlb[cpu];
}

void set_pte_at(mm_struct* mm, pte_t e, SL loc) {
  mm->pte.store(e, std::memory_order_release, loc);
}

// A new present mapping's number (the PTL held).
unsigned new_map(mm_struct* mm, SL loc) {
  const unsigned n = mm->maps.load(loc) + 1;
  mm->maps.store(n, loc);
  return n;
}

// page_add_anon_rmap / page_add_new_anon_rmap and page_remove_rmap for a small page.
void page_add_anon_rmap(page* p, SL loc) {
  p->_mapcount.fetch_add(1, kRelaxed, loc);
  if (p->mapping.load(kRelaxed, loc) != kAnonVmaWord) p->mapping.store(kAnonVmaWord, kRelaxed, loc);
}
void page_remove_rmap(page* p, SL loc) { p->_mapcount.fetch_sub(1, kRelaxed, loc); }
int page_mapcount(page* p, SL loc) { return p->_mapcount.load(kRelaxed, loc) + 1; }

// copy_highpage: the page's word, read then written (the device's copy engine in test_hmm).
void copy_highpage(page* to, page* from, SL loc) {
  MC_FUNC("copy_highpage");
  to->data->word.store(from->data->word.load(loc), loc);
}

std::string pfn_text(int pfn) {
  return pfn == kDevicePfn ? std::string("dev0") : "pfn " + std::to_string(pfn);
}

}  // namespace

std::string format_pte(uint64_t e) {
  const int pfn = pte_pfn(e);
  const char* w = pte_write(e) ? " w" : "";
  switch (pte_kind_of(e)) {
    case pte_kind::none:
      return "none";
    case pte_kind::present:
      return pfn_text(pfn) + (pte_write(e) ? " rw" : " ro") + " (mapping " +
             std::to_string(pte_map(e)) + ")";
    case pte_kind::migration:
      return "migration entry " + pfn_text(pfn) + w;
    case pte_kind::device_private:
      return "device private entry " + pfn_text(pfn) + w;
  }
  return "?";
}

tlb_entry::tlb_entry(int cpu)
    : cached(0, kTlbName[cpu]), revoked(false, "revoked translation"), revoked_by(0, "revoked by") {
  cached.format = format_pte;
}

mm_struct::mm_struct() {
  pte.format = format_pte;
  for (int i = 0; i < kMaxCpus; ++i) tlb[i] = std::make_unique<tlb_entry>(i);
}

page* pfn_to_page(int pfn) {
  if (pfn == kDevicePfn && current_device) return current_device->dpage.get();
  return Memory::current().pfn_to_page(pfn);
}

page* migrate_pfn_to_page(unsigned long mpfn) {
  if (!(mpfn & MIGRATE_PFN_VALID)) return nullptr;
  return pfn_to_page(static_cast<int>(mpfn >> MIGRATE_PFN_SHIFT));
}

bool is_device_private_page(page* p) { return p->pgmap != nullptr; }

// ---- TLB ----

namespace {

// flush_tlb_range for the address: an IPI to every CPU, which drops its translation between
// two of its accesses.
void flush_tlb_range(mm_struct* mm, SL loc) {
  MC_FUNC("flush_tlb_range");
  mm->tlb_lock.write_lock(loc);
  for (auto& t : mm->tlb) {
    if (t->cached.load(loc)) {
      t->cached.store(0, loc);
      t->revoked.store(false, loc);
    }
  }
  mm->tlb_lock.write_unlock(loc);
}

// The return of an unmapping system call: a CPU's translation of the mapping the call
// removed (the present entry it zapped, or the one a migration entry it zapped had replaced)
// is revoked (the model's bookkeeping: the kernel's contract is that none is left).
void revoke_stale_translations(mm_struct* mm, pte_t zapped, const char* call, SL loc) {
  mm->tlb_lock.write_lock(loc);
  for (auto& t : mm->tlb) {
    const pte_t e = t->cached.load(loc);
    if (e && pte_pfn(e) == pte_pfn(zapped) && pte_map(e) == pte_map(zapped)) {
      t->revoked.store(true, loc);
      t->revoked_by.store(this_cpu(), loc);
      t->revoked_call = call;
    }
  }
  mm->tlb_lock.write_unlock(loc);
}

}  // namespace

// ---- faults ----

namespace {

// mmap_read_lock, then the VMA that maps the address looked up under it (vma_lookup; 6.5's
// lock_mm_and_find_vma in the fault path): false, with the lock dropped again, when there is
// none.
bool mmap_read_lock_vma(mm_struct* mm, SL loc) {
  mm->mmap_lock.read_lock(loc);
  if (mm->vma.load(loc)) return true;
  mm->mmap_lock.read_unlock(loc);
  return false;
}

// do_anonymous_page: a new zeroed page, mapped if the entry is still empty under the PTL.
int do_anonymous_page(mm_struct* mm, SL loc) {
  MC_FUNC("do_anonymous_page");
  page* p = alloc_page(loc);
  if (!p) return VM_FAULT_OOM;
  p->data->word.store(0, loc);  // clear_user_highpage
  mm->ptl.lock(loc);
  if (pte_kind_of(mm->pte.load(kRelaxed, loc)) != pte_kind::none) {
    mm->ptl.unlock(loc);
    put_page(p, loc);  // release: another CPU mapped the address first
    return 0;
  }
  page_add_anon_rmap(p, loc);  // page_add_new_anon_rmap
  set_pte_at(mm, make_pte(pte_kind::present, p->pfn, true, new_map(mm, loc)), loc);
  mm->ptl.unlock(loc);
  return 0;
}

// The model's record of a fault's reference on `p`, made once the reference is taken and
// dropped once it is put (so that a migration failing on the count sees it).
void hold_fault_ref(mm_struct* mm, page* p, const char* fn) {
  mm->held[this_cpu()] = fault_ref{p, fn, this_cpu()};
}
void drop_fault_ref(mm_struct* mm) { mm->held[this_cpu()] = fault_ref{}; }

// migration_entry_wait: under the PTL, the entry still a migration entry, then a wait for its
// page's unlock. 4.14 (__migration_entry_wait) takes a reference on the page for the wait;
// ffa65753c431 (5.17) waits without one (migration_entry_wait_on_locked, queued before the PTL
// is dropped).
void migration_entry_wait(mm_struct* mm, SL loc) {
  MC_FUNC("migration_entry_wait");
  mm->ptl.lock(loc);
  const pte_t e = mm->pte.load(kRelaxed, loc);
  if (pte_kind_of(e) != pte_kind::migration) {
    mm->ptl.unlock(loc);
    return;
  }
  page* p = pfn_to_page(pte_pfn(e));
  if (kcfg().migration_wait_without_ref()) {
    migration_entry_wait_on_locked(p, mm->ptl, loc);
    return;
  }
  if (!get_page_unless_zero(p, loc)) {
    mm->ptl.unlock(loc);
    return;
  }
  hold_fault_ref(mm, p, "migration_entry_wait");
  mm->ptl.unlock(loc);
  wait_on_page_locked(p, loc);
  put_page(p, loc);
  drop_fault_ref(mm);
}

// do_swap_page's device private branch: the page's migrate_to_ram (4.14-5.2: the pgmap's
// page_fault callback, through device_private_entry_fault). Before 16ce101db85d (6.1) without
// a reference on the page or the PTL: the entry read before the fault is all the CPU knows,
// and the page may be freed under it. 1afaeb8293c9 (6.15) also trylocks the page, and
// returns (the CPU faults again) when it cannot.
int do_swap_page(mm_struct* mm, pte_t orig, SL loc) {
  MC_FUNC("do_swap_page");
  const Config& k = kcfg();
  page* p = pfn_to_page(pte_pfn(orig));
  vm_fault vmf{mm, p, orig};
  if (!k.migrate_to_ram()) {
    MC_FUNC("device_private_entry_fault");
    return p->pgmap->migrate_to_ram(&vmf);
  }
  if (!k.device_private_fault_pins()) return p->pgmap->migrate_to_ram(&vmf);
  mm->ptl.lock(loc);
  if (mm->pte.load(kRelaxed, loc) != orig) {  // pte_same
    mm->ptl.unlock(loc);
    return 0;
  }
  if (k.device_private_fault_locks() && !trylock_page(p, loc)) {
    mm->ptl.unlock(loc);
    return 0;
  }
  get_page(p, loc);
  hold_fault_ref(mm, p, "do_swap_page");
  mm->ptl.unlock(loc);
  const int ret = p->pgmap->migrate_to_ram(&vmf);
  if (k.device_private_fault_locks()) unlock_page(p, loc);
  put_page(p, loc);
  drop_fault_ref(mm);
  return ret;
}

// wp_page_reuse: the entry made writable in place (ptep_set_access_flags), the PTL dropped.
int wp_page_reuse(mm_struct* mm, pte_t orig, SL loc) {
  MC_FUNC("wp_page_reuse");
  set_pte_at(mm, make_pte(pte_kind::present, pte_pfn(orig), true, pte_map(orig)), loc);
  mm->ptl.unlock(loc);
  return 0;  // VM_FAULT_WRITE
}

// wp_page_copy, entered without the PTL and with a reference on the old page: a new page with
// the old one's data (cow_user_page, read without a lock), installed writable if the entry is
// still the one that faulted (the old entry cleared and flushed first, the old page's mapping
// and its mapping's reference dropped); the fault's reference on the old page dropped last.
int wp_page_copy(mm_struct* mm, pte_t orig, page* old, SL loc) {
  MC_FUNC("wp_page_copy");
  page* newp = alloc_page(loc);
  if (!newp) {
    put_page(old, loc);
    return VM_FAULT_OOM;
  }
  copy_highpage(newp, old, loc);  // cow_user_page
  mm->ptl.lock(loc);
  page* release = newp;
  if (mm->pte.load(kRelaxed, loc) == orig) {
    set_pte_at(mm, 0, loc);  // ptep_clear_flush_notify
    flush_tlb_range(mm, loc);
    page_add_anon_rmap(newp, loc);  // page_add_new_anon_rmap
    set_pte_at(mm, make_pte(pte_kind::present, newp->pfn, true, new_map(mm, loc)), loc);
    page_remove_rmap(old, loc);
    release = old;  // "Free the old page.."
  }
  put_page(release, loc);
  mm->ptl.unlock(loc);
  put_page(old, loc);
  return 0;
}

// do_wp_page for the anonymous page of a read-only entry (only try_to_unmap's readable
// migration entry of a device page leaves one, 4.14-5.15), entered with the PTL held. Until
// 5.8 the page is reused when the page lock can be had (waiting for it with a reference, the
// PTL dropped, if the trylock fails) and it is mapped once (reuse_swap_page); from
// 09854ba94c6a (5.9) when it is mapped once and has no reference but the mapping's, else the
// fault copies it.
int do_wp_page(mm_struct* mm, pte_t orig, SL loc) {
  MC_FUNC("do_wp_page");
  page* p = pfn_to_page(pte_pfn(orig));
  if (kcfg().wp_reuse_by_count()) {
    if (page_count(p, loc) == 1 && trylock_page(p, loc)) {
      const bool reuse = page_mapcount(p, loc) == 1 && page_count(p, loc) == 1;
      unlock_page(p, loc);
      if (reuse) return wp_page_reuse(mm, orig, loc);
    }
  } else {
    if (!trylock_page(p, loc)) {
      get_page(p, loc);
      mm->ptl.unlock(loc);
      lock_page(p, loc);
      mm->ptl.lock(loc);
      if (mm->pte.load(kRelaxed, loc) != orig) {
        unlock_page(p, loc);
        mm->ptl.unlock(loc);
        put_page(p, loc);
        return 0;
      }
      put_page(p, loc);
    }
    const bool reuse = page_mapcount(p, loc) <= 1;  // reuse_swap_page: not in the swap cache
    unlock_page(p, loc);
    if (reuse) return wp_page_reuse(mm, orig, loc);
  }
  get_page(p, loc);
  mm->ptl.unlock(loc);
  return wp_page_copy(mm, orig, p, loc);
}

// handle_mm_fault -> handle_pte_fault for the address: the entry as read without a lock
// (vmf->orig_pte), then the handler of its kind; a store to a present entry that is not
// writable goes to do_wp_page under the PTL if the entry is unchanged.
int handle_mm_fault(mm_struct* mm, bool write, pte_t* orig_pte, SL loc) {
  MC_FUNC("handle_mm_fault");
  // Everything the handler reads of the page it finds is addressed through the entry (an
  // address dependency, which orders as an acquire does).
  const pte_t orig = mm->pte.load(std::memory_order_acquire, loc);
  *orig_pte = orig;
  switch (pte_kind_of(orig)) {
    case pte_kind::none:
      return do_anonymous_page(mm, loc);
    case pte_kind::present:
      if (!write || pte_write(orig)) return 0;  // a spurious fault: the walk will find it
      mm->ptl.lock(loc);
      if (mm->pte.load(kRelaxed, loc) != orig) {  // pte_same
        mm->ptl.unlock(loc);
        return 0;
      }
      return do_wp_page(mm, orig, loc);
    case pte_kind::migration:
      migration_entry_wait(mm, loc);
      return 0;
    case pte_kind::device_private:
      return do_swap_page(mm, orig, loc);
  }
  return 0;
}

// The CPU's access: the TLB, the walk, or a fault and again. A fault after which the entry
// still names the device page (the CPU's own migration back undone, or the one it waited
// for on a migration entry) failed for another CPU's reference or lock on the page, and
// fails again until that goes: the CPU waits until no migration entry is up and the page has
// one reference at most (its mapping's) before it faults again, where the kernel's CPU would
// retry at once.
//
// A livelock: the CPU's own migration back failed on the reference another CPU's fault held
// on the page (that fault's pin, or its wait on the migration entry). Both faults then end
// with the entry as it was, and both CPUs access the address again from the state the first
// fault started in: the same round can follow, and follow forever.

// The entry is the device page's: its device private entry, or a migration entry of it.
bool names_device_page(pte_t e) {
  return (pte_kind_of(e) == pte_kind::device_private || pte_kind_of(e) == pte_kind::migration) &&
         pte_pfn(e) == kDevicePfn;
}

// An access's instruction boundary (mm_struct::tlb_lock): a load shares it with other CPUs'
// loads, a store has it alone (the page's word is written by one CPU at a time, as a cache
// line is).
void access_begin(mm_struct* mm, bool write, SL loc) {
  if (write)
    mm->tlb_lock.write_lock(loc);
  else
    mm->tlb_lock.read_lock(loc);
}
void access_end(mm_struct* mm, bool write, SL loc) {
  if (write)
    mm->tlb_lock.write_unlock(loc);
  else
    mm->tlb_lock.read_unlock(loc);
}

long user_access(mm_struct* mm, bool write, long value, SL loc) {
  tlb_entry& t = cpu_tlb(mm);
  for (int attempt = 0;; ++attempt) {
    // Each fault either changes the entry or waits for another CPU to finish with the page.
    MC_ASSERT(attempt < 16, "a user access faulted 16 times");
    access_begin(mm, write, loc);
    pte_t e = t.cached.load(loc);
    if (e && t.revoked.load(loc)) {
      const int by = t.revoked_by.load(loc);
      mc::violation("stale TLB entry",
                    std::string("a user ") + (write ? "store" : "load") +
                        " used the TLB entry for " + pfn_text(pte_pfn(e)) + " after " +
                        mc::thread_name(by) + "'s " + t.revoked_call +
                        " of the address had returned: the entry was removed from the page "
                        "table and the TLB not flushed, so the access reaches a page the "
                        "address no longer maps",
                    loc);
    }
    if (!e) {
      const pte_t walked = mm->pte.load(std::memory_order_acquire, loc);  // the page walk
      if (pte_kind_of(walked) == pte_kind::present) {
        e = walked;
        t.cached.store(e, loc);
      }
    }
    if (e && (!write || pte_write(e))) {
      page* p = pfn_to_page(pte_pfn(e));
      long r = value;
      if (write)
        p->data->word.store(value, loc);
      else
        r = p->data->word.load(loc);
      access_end(mm, write, loc);
      return r;
    }
    // A protection fault: the entry that caused it is not kept (x86 invalidates it), so the
    // next try walks the page table again.
    if (e && write && !pte_write(e)) t.cached.store(0, loc);
    access_end(mm, write, loc);
    // The architecture's fault handler: mmap_lock for reading, the VMA found under it (none:
    // bad_area, SIGSEGV), handle_mm_fault, the lock dropped.
    if (!mmap_read_lock_vma(mm, loc)) return -EFAULT;
    pte_t orig = 0;
    const int cpu = this_cpu();
    mm->undone_on[cpu] = fault_ref{};
    const int ret = handle_mm_fault(mm, write, &orig, loc);
    mm->mmap_lock.read_unlock(loc);
    if (ret & VM_FAULT_OOM) return -ENOMEM;
    if (ret & VM_FAULT_SIGBUS) return -EFAULT;
    if (const fault_ref& by = mm->undone_on[cpu]; by.cpu >= 0)
      mc::violation("livelock",
                    "the CPU's fault on the device page " + pfn_text(pte_pfn(orig)) +
                        " migrated it back to system memory, and the migration failed on the "
                        "reference " +
                        mc::thread_name(by.cpu) + "'s fault held on the page (" + by.fn +
                        "): both faults end with the entry as it was, both CPUs access the "
                        "address again from the state this fault started in, and the same "
                        "round can repeat forever",
                    loc);
    const pte_t now = mm->pte.load(kRelaxed, loc);
    if (pte_kind_of(now) == pte_kind::present) continue;
    if (!names_device_page(now)) continue;  // empty (a zap, or collect's moment)
    // Settled: the entry no longer names the device page, or names it again (not a migration
    // entry) and the page has no reference but the mapping's. The last change it waits for
    // is a reference dropped, which is what the wait is ordered against.
    page* p = pfn_to_page(kDevicePfn);
    mc::await(
        p->_refcount,
        [mm, p] {
          const pte_t e = mm->pte.peek();
          return !names_device_page(e) ||
                 (pte_kind_of(e) == pte_kind::device_private && p->_refcount.peek() <= 1);
        },
        loc);
  }
}

}  // namespace

long user_load(mm_struct* mm, SL loc) { return user_access(mm, false, 0, loc); }
long user_store(mm_struct* mm, long value, SL loc) { return user_access(mm, true, value, loc); }

// ---- MADV_DONTNEED and munmap ----

namespace {

// zap_pte_range for the address, under the PTL: a present entry is cleared and its page
// gathered for freeing after the flush (tlb_remove_tlb_entry, __tlb_remove_page); a
// migration entry is cleared and only counted (rss); a device private entry is cleared and
// its page's mapping and reference dropped. Only a present entry asks for a TLB flush. The
// entry it cleared (0 if none).
pte_t zap_pte_range(mm_struct* mm, bool* need_flush, page** gathered, SL loc) {
  MC_FUNC("zap_pte_range");
  mm->ptl.lock(loc);
  const pte_t e = mm->pte.load(kRelaxed, loc);
  switch (pte_kind_of(e)) {
    case pte_kind::none:
      break;
    case pte_kind::present: {
      set_pte_at(mm, 0, loc);  // ptep_get_and_clear_full
      *need_flush = true;      // tlb_remove_tlb_entry
      page* p = pfn_to_page(pte_pfn(e));
      page_remove_rmap(p, loc);
      *gathered = p;  // __tlb_remove_page: freed once the TLB is flushed
      break;
    }
    case pte_kind::migration:
      set_pte_at(mm, 0, loc);  // pte_clear_not_present_full
      break;
    case pte_kind::device_private: {
      set_pte_at(mm, 0, loc);
      page* p = pfn_to_page(pte_pfn(e));
      page_remove_rmap(p, loc);
      put_page(p, loc);
      break;
    }
  }
  mm->ptl.unlock(loc);
  return e;
}

// The address's entry zapped through an mmu_gather: zap_pte_range, then tlb_finish_mmu (the
// TLB flushed if a present entry was zapped, then the gathered page freed). The entry zapped.
pte_t zap_and_finish_mmu(mm_struct* mm, SL loc) {
  bool need_flush = false;
  page* gathered = nullptr;
  const pte_t zapped = zap_pte_range(mm, &need_flush, &gathered, loc);
  MC_FUNC("tlb_finish_mmu");
  if (need_flush) flush_tlb_range(mm, loc);
  if (gathered) put_page(gathered, loc);
  return zapped;
}

}  // namespace

int madvise_dontneed(mm_struct* mm, SL loc) {
  MC_FUNC("madvise_dontneed");
  if (!mmap_read_lock_vma(mm, loc)) return -ENOMEM;
  const pte_t zapped = zap_and_finish_mmu(mm, loc);
  mm->mmap_lock.read_unlock(loc);
  if (zapped) revoke_stale_translations(mm, zapped, "madvise(MADV_DONTNEED)", loc);
  return 0;
}

// __vm_munmap (mm/mmap.c; __do_munmap 4.20-6.0, do_vmi_munmap from 6.1): the VMA detached
// under the write lock, from dd2283f2605e (4.20) the lock downgraded, then unmap_region's zap
// and tlb_finish_mmu, the VMA freed, the lock dropped, the return to user space.
int munmap(mm_struct* mm, SL loc) {
  MC_FUNC("__vm_munmap");
  mm->mmap_lock.write_lock(loc);
  if (!mm->vma.load(loc)) {
    mm->mmap_lock.write_unlock(loc);
    return 0;
  }
  mm->vma.store(false, loc);  // detached from the mm's VMA tree
  const bool downgrade = kcfg().munmap_downgrades();
  if (downgrade) mm->mmap_lock.downgrade_write(loc);
  pte_t zapped;
  {
    MC_FUNC("unmap_region");
    zapped = zap_and_finish_mmu(mm, loc);
  }
  if (downgrade)
    mm->mmap_lock.read_unlock(loc);
  else
    mm->mmap_lock.write_unlock(loc);
  if (zapped) revoke_stale_translations(mm, zapped, "munmap", loc);
  return 0;
}

// ---- migrate_vma ----

namespace {

// migrate_vma_collect_pmd for the address (8c3328f1f36a, 4.14): under the PTL, the page of a
// present entry (or of a device private entry of the selected owner) is referenced, and if
// its lock can be taken at once, its entry becomes a migration entry and the mapping's
// reference and rmap go. The TLB is flushed when a present entry was replaced: after the PTL
// is dropped until 60bae7370896 (6.0), before it from then on; from 5.19 an exclusive
// anonymous page's entry is cleared with ptep_clear_flush, a flush under the PTL already.
// A page it cannot lock stays collected, unlocked, until ab09243aa95a (5.16) drops it.
void migrate_vma_collect(struct migrate_vma* m, SL loc) {
  MC_FUNC("migrate_vma_collect_pmd");
  const Config& k = kcfg();
  mm_struct* mm = m->mm;
  bool unmapped = false;
  mm->ptl.lock(loc);
  const pte_t e = mm->pte.load(kRelaxed, loc);
  page* p = nullptr;
  switch (pte_kind_of(e)) {
    case pte_kind::none:  // a hole: migrate_vma_insert_page is not modelled
    case pte_kind::migration:
      break;
    case pte_kind::device_private:
      p = pfn_to_page(pte_pfn(e));
      if (k.migrate_vma_select() &&
          (!(m->flags & MIGRATE_VMA_SELECT_DEVICE_PRIVATE) || p->pgmap->owner != m->pgmap_owner))
        p = nullptr;
      break;
    case pte_kind::present:
      p = pfn_to_page(pte_pfn(e));
      if (k.migrate_vma_select() && !(m->flags & MIGRATE_VMA_SELECT_SYSTEM)) p = nullptr;
      break;
  }
  unsigned long mpfn = 0;
  if (p) {
    mpfn = migrate_pfn(p->pfn) | MIGRATE_PFN_MIGRATE | (pte_write(e) ? MIGRATE_PFN_WRITE : 0);
    get_page(p, loc);
    // 1afaeb8293c9: the faulting CPU's page is locked by its fault already.
    const bool locked_by_fault = k.device_private_fault_locks() && p == m->fault_page;
    if (locked_by_fault || trylock_page(p, loc)) {
      mpfn |= MIGRATE_PFN_LOCKED;
      const bool present = pte_kind_of(e) == pte_kind::present;
      set_pte_at(mm, 0, loc);                                       // ptep_get_and_clear
      if (present && k.anon_exclusive()) flush_tlb_range(mm, loc);  // ptep_clear_flush
      set_pte_at(mm, make_pte(pte_kind::migration, p->pfn, pte_write(e), pte_map(e)), loc);
      page_remove_rmap(p, loc);
      put_page(p, loc);  // the mapping's reference
      unmapped = present;
    } else if (k.migrate_vma_collect_needs_lock()) {
      put_page(p, loc);
      mpfn = 0;
    }
    if (mpfn) m->cpages++;
  }
  m->src = mpfn;
  if (unmapped && k.migrate_vma_flush_under_ptl()) flush_tlb_range(mm, loc);
  mm->ptl.unlock(loc);
  if (unmapped && !k.migrate_vma_flush_under_ptl()) flush_tlb_range(mm, loc);
}

// try_to_unmap(page, TTU_MIGRATION) for the one address: under the PTL, the page's present
// entry becomes a migration entry and is flushed (ptep_clear_flush). A device private entry
// (a5430dda8a3a, 4.14; 5.15's try_to_migrate_one alike) becomes a migration entry that is not
// writable (make_migration_entry(page, 0)), whatever the entry allowed: the mapping restored
// from it is read-only, and a store then takes a write-protect fault. From 5.17 the migration
// entry keeps the device private entry's writability (device_private_migration_keeps_write).
// The model reaches a device private entry here through migrate_vma_prepare (until 5.15) and
// the eviction by pfn (6.1 on).
void try_to_unmap(mm_struct* mm, page* p, SL loc) {
  MC_FUNC("try_to_unmap_one");
  mm->ptl.lock(loc);
  const pte_t e = mm->pte.load(kRelaxed, loc);
  if (pte_kind_of(e) == pte_kind::present && pte_pfn(e) == p->pfn) {
    set_pte_at(mm, 0, loc);
    flush_tlb_range(mm, loc);
    set_pte_at(mm, make_pte(pte_kind::migration, p->pfn, pte_write(e), pte_map(e)), loc);
    page_remove_rmap(p, loc);
    put_page(p, loc);
  } else if (pte_kind_of(e) == pte_kind::device_private && pte_pfn(e) == p->pfn) {
    set_pte_at(mm, 0, loc);  // ptep_get_and_clear
    const bool write = kcfg().device_private_migration_keeps_write() && pte_write(e);
    set_pte_at(mm, make_pte(pte_kind::migration, p->pfn, write, pte_map(e)), loc);
    page_remove_rmap(p, loc);
    put_page(p, loc);
  }
  mm->ptl.unlock(loc);
}

// remove_migration_pte for the one address: the migration entry of `p`, if it is still
// there, becomes `newp`'s entry (a device private entry for a device page).
void remove_migration_ptes(mm_struct* mm, page* p, page* newp, SL loc) {
  MC_FUNC("remove_migration_pte");
  mm->ptl.lock(loc);
  const pte_t e = mm->pte.load(kRelaxed, loc);
  if (pte_kind_of(e) == pte_kind::migration && pte_pfn(e) == p->pfn) {
    get_page(newp, loc);
    page_add_anon_rmap(newp, loc);
    const pte_kind kind =
        is_device_private_page(newp) ? pte_kind::device_private : pte_kind::present;
    set_pte_at(mm, make_pte(kind, newp->pfn, pte_write(e), new_map(mm, loc)), loc);
  }
  mm->ptl.unlock(loc);
}

// migrate_vma_check_page: no reference beyond the mappings and the collector's (and the
// faulting CPU's, fault_page, from 16ce101db85d). In the model's zero-based count of device
// pages: until 5.16 a device private page always passes (a CPU waiting on its migration
// entry holds a reference that cannot be told from a pin); 5.17 checks it as a system page;
// from 5.18 (27674ef6c73f) the ZONE_DEVICE "extra reference" the check still adds lets one
// more pass.
bool migrate_vma_check_page(page* p, page* fault_page, SL loc) {
  MC_FUNC("migrate_vma_check_page");
  const Config& k = kcfg();
  int extra = 1 + (p == fault_page ? 1 : 0);
  if (is_device_private_page(p)) {
    if (!k.migration_wait_without_ref()) return true;
    if (k.device_page_check_tolerates_one()) extra++;
  }
  return page_count(p, loc) - extra <= page_mapcount(p, loc);
}

// The model's: a migration of `p` that failed is marked when another CPU's fault held a
// reference on the page then.
void note_fault_ref(struct migrate_vma* m, page* p) {
  if (!m->mm) return;
  for (const fault_ref& r : m->mm->held)
    if (r.cpu >= 0 && r.cpu != this_cpu() && r.pg == p) m->failed_on = r;
}

// The fault's page stays locked for the fault (1afaeb8293c9).
bool keeps_fault_lock(const struct migrate_vma* m, page* p) {
  return kcfg().device_private_fault_locks() && p == m->fault_page;
}

// migrate_vma_prepare (until 5.15): a page collect could not lock gets one more trylock, and
// is dropped if that fails too ((not modelled) it is also taken off the LRU);
// migrate_vma_unmap: a page still mapped is unmapped, and each page's references checked; a
// page that fails is restored at once.
void migrate_vma_prepare_and_unmap(struct migrate_vma* m, SL loc) {
  page* p = migrate_pfn_to_page(m->src);
  if (!p) return;
  if (!(m->src & MIGRATE_PFN_LOCKED)) {
    MC_FUNC("migrate_vma_prepare");
    if (!trylock_page(p, loc)) {
      m->src = 0;
      m->cpages--;
      put_page(p, loc);
      return;
    }
    m->src |= MIGRATE_PFN_LOCKED;
  }
  MC_FUNC("migrate_vma_unmap");
  if (page_mapcount(p, loc) > 0) try_to_unmap(m->mm, p, loc);
  if (page_mapcount(p, loc) == 0 && migrate_vma_check_page(p, m->fault_page, loc)) return;
  note_fault_ref(m, p);
  // restore
  m->cpages--;
  remove_migration_ptes(m->mm, p, p, loc);
  m->src = 0;
  if (!keeps_fault_lock(m, p)) unlock_page(p, loc);
  put_page(p, loc);
}

// migrate_page for a page without a mapping (anonymous, not in the swap cache): its only
// reference must be the collector's (folio_migrate_mapping's expected count, 1 more for the
// faulting CPU's from 6.1), then the mapping word moves (MIGRATE_SYNC_NO_COPY: no copy).
int migrate_page(page* newp, page* p, page* fault_page, SL loc) {
  MC_FUNC("migrate_page");
  const int expected = 1 + (p == fault_page ? 1 : 0);
  if (page_count(p, loc) != expected) return -EAGAIN;
  newp->mapping.store(p->mapping.load(kRelaxed, loc), kRelaxed, loc);
  return MIGRATEPAGE_SUCCESS;
}

void unlock_and_put(page* p, SL loc) {
  unlock_page(p, loc);
  put_page(p, loc);
}

}  // namespace

int migrate_vma_setup(struct migrate_vma* args, SL loc) {
  MC_FUNC("migrate_vma_setup");
  args->src = args->dst = args->cpages = 0;
  args->failed_on = fault_ref{};
  migrate_vma_collect(args, loc);
  if (args->cpages) migrate_vma_prepare_and_unmap(args, loc);
  return 0;
}

void migrate_vma_pages(struct migrate_vma* m, SL loc) {
  MC_FUNC("migrate_vma_pages");
  page* newp = migrate_pfn_to_page(m->dst);
  page* p = migrate_pfn_to_page(m->src);
  if (!newp || !p || !(m->src & MIGRATE_PFN_MIGRATE)) return;
  if (migrate_page(newp, p, m->fault_page, loc) != MIGRATEPAGE_SUCCESS) {
    m->src &= ~MIGRATE_PFN_MIGRATE;
    note_fault_ref(m, p);
  }
}

void migrate_vma_finalize(struct migrate_vma* m, SL loc) {
  MC_FUNC("migrate_vma_finalize");
  page* newp = migrate_pfn_to_page(m->dst);
  page* p = migrate_pfn_to_page(m->src);
  if (!p) {
    if (newp) unlock_and_put(newp, loc);
    return;
  }
  if (!(m->src & MIGRATE_PFN_MIGRATE) || !newp) {
    if (newp) unlock_and_put(newp, loc);
    newp = p;
  }
  remove_migration_ptes(m->mm, p, newp, loc);
  // The collector's reference (putback_lru_page for a system page).
  if (keeps_fault_lock(m, p))
    put_page(p, loc);
  else
    unlock_and_put(p, loc);
  if (newp != p) unlock_and_put(newp, loc);
}

int migrate_vma(const migrate_vma_ops* ops, struct migrate_vma* args, void* priv, SL loc) {
  MC_FUNC("migrate_vma");
  args->src = args->dst = args->cpages = 0;
  args->failed_on = fault_ref{};
  migrate_vma_collect(args, loc);
  if (!args->cpages) return 0;
  migrate_vma_prepare_and_unmap(args, loc);
  ops->alloc_and_copy(args, priv);
  migrate_vma_pages(args, loc);
  ops->finalize_and_map(args, priv);
  migrate_vma_finalize(args, loc);
  return 0;
}

// ---- the device (lib/test_hmm.c) ----

namespace {

// The driver a device page belongs to (the pgmap's owner).
dmirror_device* device_of(page* p) { return static_cast<dmirror_device*>(p->pgmap->owner); }

// dmirror_devmem_alloc_page: the backing page, then a device page off the free list.
page* dmirror_devmem_alloc_page(dmirror_device* d, SL loc) {
  MC_FUNC("dmirror_devmem_alloc_page");
  page* rpage = alloc_page(loc);
  if (!rpage) return nullptr;
  d->lock.lock(loc);
  page* dpage = d->free_pages.load(loc);
  if (dpage) d->free_pages.store(d->zone_device_data.load(loc), loc);
  d->lock.unlock(loc);
  if (!dpage) {
    put_page(rpage, loc);
    return nullptr;
  }
  d->zone_device_data.store(rpage, loc);
  dpage->_refcount.store(1, kRelaxed, loc);  // zone_device_page_init
  lock_page(dpage, loc);
  return dpage;
}

// dmirror_devmem_free (the pgmap's page_free): the backing page goes, the device page onto
// the free list, linked through zone_device_data.
void dmirror_devmem_free(page* p) {
  MC_FUNC("dmirror_devmem_free");
  const SL loc = SL::current();
  dmirror_device* d = device_of(p);
  if (page* rpage = d->zone_device_data.load(loc)) put_page(rpage, loc);
  d->lock.lock(loc);
  d->zone_device_data.store(d->free_pages.load(loc), loc);
  d->free_pages.store(p, loc);
  d->lock.unlock(loc);
}

// dmirror_migrate_alloc_and_copy: a device page for each system page to migrate, the data
// copied into its backing page.
void dmirror_migrate_alloc_and_copy(struct migrate_vma* m, void* priv) {
  MC_FUNC("dmirror_migrate_alloc_and_copy");
  const SL loc = SL::current();
  auto* d = static_cast<dmirror_device*>(priv);
  page* spage = migrate_pfn_to_page(m->src);
  if (!spage || !(m->src & MIGRATE_PFN_MIGRATE) || is_device_private_page(spage)) return;
  page* dpage = dmirror_devmem_alloc_page(d, loc);
  if (!dpage) return;
  copy_highpage(d->zone_device_data.load(loc), spage, loc);
  m->dst = migrate_pfn(dpage->pfn) | MIGRATE_PFN_LOCKED | (m->src & MIGRATE_PFN_WRITE);
}

// dmirror_devmem_fault_alloc_and_copy: a system page for the device page, the data copied
// from its backing page.
void dmirror_devmem_fault_alloc_and_copy(struct migrate_vma* m, void* priv) {
  MC_FUNC("dmirror_devmem_fault_alloc_and_copy");
  const SL loc = SL::current();
  auto* d = static_cast<dmirror_device*>(priv);
  page* spage = migrate_pfn_to_page(m->src);
  if (!spage || !(m->src & MIGRATE_PFN_MIGRATE) || !is_device_private_page(spage)) return;
  page* dpage = alloc_page(loc);
  if (!dpage) return;
  lock_page(dpage, loc);
  copy_highpage(dpage, d->zone_device_data.load(loc), loc);
  m->dst = migrate_pfn(dpage->pfn) | MIGRATE_PFN_LOCKED | (m->src & MIGRATE_PFN_WRITE);
}

void dmirror_finalize_and_map(struct migrate_vma*, void*) {}

const migrate_vma_ops kToDeviceOps{dmirror_migrate_alloc_and_copy, dmirror_finalize_and_map};
const migrate_vma_ops kToSystemOps{dmirror_devmem_fault_alloc_and_copy, dmirror_finalize_and_map};

// The pages a finished migration moved (0 or 1): the page still marked to migrate, with a
// destination.
int pages_migrated(const struct migrate_vma* m) {
  return (m->src & MIGRATE_PFN_MIGRATE) && m->dst ? 1 : 0;
}

// One migration as the version's API has the driver run it.
int dmirror_migrate(dmirror_device* d, struct migrate_vma* m, const migrate_vma_ops* ops, SL loc) {
  if (!kcfg().migrate_vma_split()) {
    migrate_vma(ops, m, d, loc);
  } else {
    if (int r = migrate_vma_setup(m, loc)) return r;
    ops->alloc_and_copy(m, d);
    migrate_vma_pages(m, loc);
    ops->finalize_and_map(m, d);
    migrate_vma_finalize(m, loc);
  }
  return pages_migrated(m);
}

// dmirror_devmem_fault (the pgmap's migrate_to_ram; 4.14's page_fault callback): the
// device page's backing page and its dmirror, read through zone_device_data, then the page
// migrated back to system memory.
int dmirror_devmem_fault(vm_fault* vmf) {
  MC_FUNC("dmirror_devmem_fault");
  const SL loc = SL::current();
  dmirror_device* d = device_of(vmf->pg);
  page* rpage = d->zone_device_data.load(loc);
  if (!rpage || is_device_private_page(rpage))
    mc::violation("NULL pointer dereference",
                  std::string("BUG: kernel NULL pointer dereference in dmirror_devmem_fault: "
                              "rpage->zone_device_data with rpage = ") +
                      (rpage ? "dev0" : "NULL") +
                      ", the zone_device_data of a device page that was freed (the free "
                      "list's link)",
                  loc);
  struct migrate_vma m;
  m.mm = vmf->mm;
  m.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
  m.pgmap_owner = d;
  if (kcfg().device_private_fault_pins()) m.fault_page = vmf->pg;
  if (!dmirror_migrate(d, &m, &kToSystemOps, loc) && m.failed_on.cpu >= 0)
    m.mm->undone_on[this_cpu()] = m.failed_on;
  return 0;
}

}  // namespace

dmirror_device::dmirror_device(bool exhausted_)
    : dpage(std::make_unique<page>(kDevicePfn)), exhausted(exhausted_) {
  pgmap.owner = this;
  pgmap.page_free = dmirror_devmem_free;
  pgmap.migrate_to_ram = dmirror_devmem_fault;
  dpage->pgmap = &pgmap;
  if (!exhausted) free_pages.init(dpage.get());
  current_device = this;
}

dmirror_device::~dmirror_device() {
  if (current_device == this) current_device = nullptr;
}

// free_zone_device_page (put_devmap_managed_page before 6.0): the mapping word reset, the
// driver's page_free.
void free_zone_device_page(page* p, SL loc) {
  MC_FUNC("free_zone_device_page");
  p->mapping.store(0, kRelaxed, loc);
  p->pgmap->page_free(p);
}

namespace {

// test_hmm's two migrations of the address: under mmap_lock (read) the VMA looked up (none:
// -EINVAL), the pages selected, the driver's copy.
int dmirror_migrate_range(dmirror_device* d, mm_struct* mm, unsigned select,
                          const migrate_vma_ops* ops, SL loc) {
  if (!mmap_read_lock_vma(mm, loc)) return -EINVAL;
  d->mm = mm;  // the mirror's mm
  struct migrate_vma m;
  m.mm = mm;
  m.flags = select;
  m.pgmap_owner = d;
  const int r = dmirror_migrate(d, &m, ops, loc);
  mm->mmap_lock.read_unlock(loc);
  return r;
}

}  // namespace

int dmirror_migrate_to_device(dmirror_device* d, mm_struct* mm, SL loc) {
  MC_FUNC("dmirror_migrate_to_device");
  return dmirror_migrate_range(d, mm, MIGRATE_VMA_SELECT_SYSTEM, &kToDeviceOps, loc);
}

int dmirror_migrate_to_system(dmirror_device* d, mm_struct* mm, SL loc) {
  MC_FUNC("dmirror_migrate_to_system");
  return dmirror_migrate_range(d, mm, MIGRATE_VMA_SELECT_DEVICE_PRIVATE, &kToSystemOps, loc);
}

// dmirror_device_evict_chunk: migrate_device_range takes the device page if it is in use (a
// reference unless it is free, then its trylock), and migrate_device_unmap unmaps it through
// the rmap (try_to_migrate: the mirror's entry, under its PTL) and checks its references, as
// migrate_vma_unmap does; the driver copies the backing page into a new system page;
// migrate_device_pages and migrate_device_finalize are migrate_vma's two last steps. No
// mmap_lock is taken: the VMA may be going away meanwhile.
int dmirror_device_evict_chunk(dmirror_device* d, SL loc) {
  MC_FUNC("dmirror_device_evict_chunk");
  page* dev = d->dpage.get();
  struct migrate_vma m;
  m.mm = d->mm;
  {
    MC_FUNC("migrate_device_range");
    if (!get_page_unless_zero(dev, loc)) return 0;
    if (!trylock_page(dev, loc)) {
      put_page(dev, loc);
      return 0;
    }
    m.src = migrate_pfn(dev->pfn) | MIGRATE_PFN_MIGRATE | MIGRATE_PFN_LOCKED;
    m.cpages = 1;
  }
  MC_ASSERT(m.mm || page_mapcount(dev, loc) == 0, "an evicted device page mapped by no mm");
  migrate_vma_prepare_and_unmap(&m, loc);  // migrate_device_unmap
  dmirror_devmem_fault_alloc_and_copy(&m, d);
  migrate_vma_pages(&m, loc);     // migrate_device_pages
  migrate_vma_finalize(&m, loc);  // migrate_device_finalize
  return pages_migrated(&m);
}

// ---- end state ----

void check_mm_end(Memory& mem, mm_struct& mm) {
  const pte_t e = mm.pte.peek();
  auto bad = [&](const std::string& what) {
    mc::violation("end state", "the mm's entry (" + format_pte(e) + "): " + what);
  };
  switch (pte_kind_of(e)) {
    case pte_kind::none:
      return;
    case pte_kind::migration:
      bad("a migration entry was left in the page table");
      return;
    case pte_kind::present:
    case pte_kind::device_private: {
      page* p = pfn_to_page(pte_pfn(e));
      if (p->_refcount.peek() < 1 || p->_mapcount.peek() != 0)
        bad("its page should be mapped once and referenced, has refcount " +
            std::to_string(p->_refcount.peek()) + ", mapcount " +
            std::to_string(p->_mapcount.peek() + 1));
      if (p->flags.peek() & bit(PG_locked)) bad("its page was left locked");
      if (!is_device_private_page(p)) {
        mem.claim_peek(p->pfn, "mm");
        mc::expect_alive(p->data);
      }
      return;
    }
  }
}

void check_dmirror_end(Memory& mem, dmirror_device& d) {
  page* p = d.dpage.get();
  const bool free = d.exhausted || d.free_pages.peek() == p;
  auto bad = [&](const std::string& what) { mc::violation("end state", "dev0: " + what); };
  if (free && p->_refcount.peek() != 0)
    bad("on the free list with refcount " + std::to_string(p->_refcount.peek()));
  if (!free && p->_refcount.peek() < 1) bad("neither free nor referenced");
  if (p->flags.peek() & bit(PG_locked)) bad("left locked");
  if (!free)
    if (page* rpage = d.zone_device_data.peek()) {
      mem.claim_peek(rpage->pfn, "dmirror");
      mc::expect_alive(rpage->data);
    }
}

}  // namespace proto
