// HMM's migrate_vma (mm/migrate.c from 4.14, mm/migrate_device.c from 6.0) and the CPU side it
// must stay coherent with: one process address space (mm) with one page-table entry, its page
// table lock, and a TLB per CPU, user-space loads and stores that walk and fault as the
// hardware and the fault handler do, MADV_DONTNEED, and a device driver with one page of
// device private memory, following lib/test_hmm.c (dmirror) on the API of each version.
//
// migrate_vma is not a movable_ops user: it finds its pages by walking the page table,
// replaces their entries by migration entries under the page table lock (collect), flushes
// the TLB, lets the driver copy, moves the page state (migrate_vma_pages) and installs the new
// pages' entries (migrate_vma_finalize). A device private page is never mapped: its entry is
// a swap entry, and a CPU touching it faults into the driver's migrate_to_ram.
//
// The TLB: each CPU caches the translation of the address it last used. A CPU uses it until a
// flush takes it away; a flush (flush_tlb_range, an IPI to every CPU) reaches a CPU between
// two of its accesses, never inside one. A translation an unmapping system call removed and
// did not flush before it returned is revoked: the CPU that uses it afterwards reaches a page
// the address no longer maps (the "stale TLB entry" finding).
//
// Simplifications (docs/hmm.md): one address, one VMA, private anonymous memory; no zero page
// (a read fault on an empty entry maps a new zeroed page, as a write fault does); holes are
// not migrated (migrate_vma_insert_page); no LRU (isolate_lru_page / putback_lru_page are the
// reference the page's owner holds); ZONE_DEVICE reference counts are zero-based at every
// version (a free device page has refcount 0; before the 6.0 change the kernel counted one
// more while the page was in use, and the expected counts with it); the VMA is only there or
// not (munmap removes it), and the page table page outlives it (free_pgtables is not modelled).
//
// mmap_lock (mmap_sem until 5.8): faults, MADV_DONTNEED and the driver's migrations hold it for
// reading and find the VMA under it; munmap takes it for writing to remove the VMA and, from
// dd2283f2605e (4.20), downgrades it to a read hold before it zaps the entries and flushes.
// From 6.4 a fault may hold the VMA's own lock instead, which munmap write-locks (bad94decd6a4)
// before it removes the VMA: the same exclusion, so the model's fault takes mmap_lock at every
// version.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "protocol/page.h"

namespace proto {

// ---- page-table entries: the model's encoding of a pte_t word ----
// bits 0-1 the kind, bit 2 write permission, the pfn in bits 8-15, and from bit 16 the
// model's number of the mapping: each present entry installed gets a new one, and the
// migration entry that replaces it keeps it, so a CPU's cached translation names the mapping
// it came from even when the pfn is used again.
enum class pte_kind : unsigned { none = 0, present = 1, migration = 2, device_private = 3 };
using pte_t = uint64_t;
constexpr pte_t make_pte(pte_kind k, int pfn, bool write, unsigned map = 0) {
  return static_cast<pte_t>(k) | (write ? 4u : 0u) | (static_cast<pte_t>(pfn & 0xff) << 8) |
         (static_cast<pte_t>(map) << 16);
}
constexpr pte_kind pte_kind_of(pte_t e) { return static_cast<pte_kind>(e & 3u); }
constexpr bool pte_write(pte_t e) { return e & 4u; }
constexpr int pte_pfn(pte_t e) { return static_cast<int>((e >> 8) & 0xff); }
constexpr unsigned pte_map(pte_t e) { return static_cast<unsigned>(e >> 16); }
std::string format_pte(uint64_t e);  // "none", "pfn 0 rw", "migration entry pfn 0 w", ...

// The CPUs (model threads) a TLB is kept for: the litmus init thread and P0-P3.
constexpr int kMaxCpus = 5;

// One CPU's TLB entry for the address.
struct tlb_entry {
  explicit tlb_entry(int cpu);
  mc::plain<pte_t> cached;        // the pte the CPU cached; 0: none
  mc::plain<bool> revoked;        // the model's: removed by an unmapping that returned unflushed
  mc::plain<int> revoked_by;      // the model thread whose system call returned (for the report)
  const char* revoked_call = "";  // that call's name (for the report; not a kernel field)
};

// The model's: a reference a CPU's fault holds on a page, the function that took it, and the
// CPU (-1: none).
struct fault_ref {
  page* pg = nullptr;
  const char* fn = "";
  int cpu = -1;
};

// A process address space with one page of private anonymous memory at one address, not yet
// touched (the entry empty: the first access faults a page in).
struct mm_struct {
  mm_struct();
  mc::atomic<pte_t> pte{0, "*ptep"};
  mc::spinlock ptl{"ptl"};
  mc::rw_semaphore mmap_lock{"mm->mmap_lock"};
  mc::plain<bool> vma{true, "the VMA"};          // the VMA mapping the address, until munmap
  mc::plain<unsigned> maps{0, "mappings made"};  // the model's, under the PTL
  // The CPUs' instruction boundaries: an access (its TLB lookup, walk and memory access) and a
  // shootdown never overlap. One lock for every CPU's entry: a shootdown holds it for writing
  // (two flushes then meet once, not once per CPU); a load holds it for reading (the loads of
  // different CPUs commute), a store for writing (it orders the stores with the other CPUs'
  // accesses, as the cache does).
  mc::rwlock tlb_lock{"tlb lock"};
  std::unique_ptr<tlb_entry> tlb[kMaxCpus];
  // The model's, per CPU: the reference its fault holds on a page (do_swap_page's pin from
  // 16ce101db85d, migration_entry_wait's until ffa65753c431), and the other CPU's such
  // reference its fault's migration back to system memory failed on (cpu -1: none).
  fault_ref held[kMaxCpus];
  fault_ref undone_on[kMaxCpus];
};
// The anonymous mapping word of the mm's pages (an anon_vma, PAGE_MAPPING_ANON).
constexpr unsigned long kAnonVmaWord = 0xffff888004a10000ul | PAGE_MAPPING_ANON;

// ---- the CPU ----
// A user-space load or store at the address, by the running CPU: its TLB, else a walk of the
// entry, else a page fault (handle_mm_fault under mmap_lock), then the access again. A load
// returns the page's word; when the fault cannot allocate (VM_FAULT_OOM) the access returns
// -ENOMEM, and when no VMA maps the address (SIGSEGV) -EFAULT.
long user_load(mm_struct* mm, SL loc = SL::current());
long user_store(mm_struct* mm, long value, SL loc = SL::current());
// madvise(MADV_DONTNEED) over the address: under mmap_lock (read) zap_page_range, the
// mmu_gather's TLB flush and page freeing (tlb_finish_mmu), the return to user space. 0, or
// -ENOMEM when no VMA maps the address.
int madvise_dontneed(mm_struct* mm, SL loc = SL::current());
// munmap of the address (__vm_munmap): mmap_lock for writing, the VMA removed, from 4.20 the
// lock downgraded, then unmap_region (the entry zapped, the TLB flushed, the page freed) and
// the return to user space. Always 0 (an address no VMA maps has nothing to unmap).
int munmap(mm_struct* mm, SL loc = SL::current());

// ---- migrate_vma ----
// struct migrate_vma for one page: src and dst are migrate_pfn words.
constexpr unsigned long MIGRATE_PFN_VALID = 1ul << 0;
constexpr unsigned long MIGRATE_PFN_MIGRATE = 1ul << 1;
constexpr unsigned long MIGRATE_PFN_LOCKED = 1ul << 2;  // until 5.16 (the model keeps it)
constexpr unsigned long MIGRATE_PFN_WRITE = 1ul << 3;
constexpr unsigned long MIGRATE_PFN_SHIFT = 6;
constexpr unsigned long migrate_pfn(int pfn) {
  return (static_cast<unsigned long>(pfn) << MIGRATE_PFN_SHIFT) | MIGRATE_PFN_VALID;
}
page* migrate_pfn_to_page(unsigned long mpfn);

constexpr unsigned MIGRATE_VMA_SELECT_SYSTEM = 1u << 0;
constexpr unsigned MIGRATE_VMA_SELECT_DEVICE_PRIVATE = 1u << 1;

struct dev_pagemap;
struct migrate_vma {
  mm_struct* mm = nullptr;
  unsigned long src = 0;
  unsigned long dst = 0;
  unsigned long cpages = 0;
  unsigned flags = 0;                 // MIGRATE_VMA_SELECT_* (5.9 on; earlier every kind)
  const void* pgmap_owner = nullptr;  // device private pages of this owner only
  page* fault_page = nullptr;         // 6.1 (16ce101db85d): the page do_swap_page pinned
  // The model's: the migration failed while another CPU's fault held a reference on the page
  // (that reference; cpu -1: none).
  fault_ref failed_on;
};

// 5.4 on: the driver's three calls (a7d1f22bb74f). -EINVAL for bad arguments.
int migrate_vma_setup(struct migrate_vma* args, SL loc = SL::current());
void migrate_vma_pages(struct migrate_vma* args, SL loc = SL::current());
void migrate_vma_finalize(struct migrate_vma* args, SL loc = SL::current());
// 4.14-5.3: one call with the driver's callbacks between the steps.
struct migrate_vma_ops {
  void (*alloc_and_copy)(struct migrate_vma* args, void* priv);
  void (*finalize_and_map)(struct migrate_vma* args, void* priv);
};
int migrate_vma(const migrate_vma_ops* ops, struct migrate_vma* args, void* priv,
                SL loc = SL::current());

// ---- ZONE_DEVICE: a device's private memory ----
struct vm_fault {
  mm_struct* mm;
  page* pg;  // vmf->pg
  pte_t orig_pte;
};
constexpr int VM_FAULT_OOM = 0x1;
constexpr int VM_FAULT_SIGBUS = 0x2;

struct dev_pagemap {
  void* owner = nullptr;                 // the driver (pgmap->owner, compared with pgmap_owner)
  void (*page_free)(page* p) = nullptr;  // the last reference went
  int (*migrate_to_ram)(vm_fault* vmf) = nullptr;  // 4.14: the pgmap's page_fault callback
};

// lib/test_hmm.c's device (struct dmirror_device with one struct dmirror) with one page of
// device private memory; the memory behind it is a page of the zone (zone_device_data, the
// "backing page"), as test_hmm simulates device memory.
struct dmirror_device {
  // `exhausted`: the device has no free page (its allocations fail: a migration to it
  // collects, finds no destination and restores).
  explicit dmirror_device(bool exhausted = false);
  ~dmirror_device();
  dev_pagemap pgmap;
  std::unique_ptr<page> dpage;  // pfn kDevicePfn
  // dpage->zone_device_data: the backing page while the device page is in use; the free
  // list's link while it is free (dmirror_devmem_free).
  mc::plain<page*> zone_device_data{nullptr, "dev0.zone_device_data"};
  mc::spinlock lock{"mdevice->lock"};
  mc::plain<page*> free_pages{nullptr, "mdevice->free_pages"};
  bool exhausted;
  // The address space whose page table maps the device page (the mirror's mm): where the
  // rmap walk of an eviction by pfn finds its entry.
  mm_struct* mm = nullptr;
};
constexpr int kDevicePfn = Memory::kMaxPages;
bool is_device_private_page(page* p);
// The page of a pfn: the zone's, or the device's.
page* pfn_to_page(int pfn);

// The driver (test_hmm's dmirror): migrate the address's page to the device
// (dmirror_migrate_to_device), back to system memory (dmirror_migrate_to_system), and the
// device page's callbacks. Each returns the pages migrated.
int dmirror_migrate_to_device(dmirror_device* d, mm_struct* mm, SL loc = SL::current());
int dmirror_migrate_to_system(dmirror_device* d, mm_struct* mm, SL loc = SL::current());
// test_hmm's eviction of the device's memory by pfn (dmirror_device_evict_chunk, from 6.1 on
// migrate_device_range): the device page, if in use, migrated back to system memory without
// mmap_lock; the pages migrated (0 or 1).
int dmirror_device_evict_chunk(dmirror_device* d, SL loc = SL::current());

// The end state: the mm's page is mapped once and referenced, the device page free or mapped,
// nothing locked, no migration entry left; each claims the zone pages it holds.
void check_mm_end(Memory& mem, mm_struct& mm);
void check_dmirror_end(Memory& mem, dmirror_device& d);

}  // namespace proto
