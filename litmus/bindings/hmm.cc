// Bindings of the HMM model (protocol/hmm.h): one address space's page, the CPUs that load and
// store through their TLBs, MADV_DONTNEED, and test_hmm's device driver migrating the page
// to its device private memory and back (4.14 on).
#include "protocol/hmm.h"

#include <memory>
#include <string>

#include "litmus/bindings.h"
#include "litmus/bindings/kinds.h"
#include "litmus/bindings/zone.h"
#include "protocol/version.h"

namespace litmus {

namespace {

using namespace proto;

// The running thread must be one the model keeps a TLB for.
mm_struct* cpu_mm(const Call& c, const char* fn) {
  const int t = mc::Execution::current() ? mc::Execution::current()->self() : 0;
  if (t >= kMaxCpus)
    c.fail(std::string(fn) + " runs on " + mc::thread_name(t) +
           ", and the model keeps a TLB for the init thread and P0-P3 only: expected the "
           "access in one of those");
  return c.object<mm_struct>(0);
}

dmirror_device* dmirror(const Call& c, const char* fn) {
  if (!kcfg().hmm_migrate_vma())
    c.fail(std::string(fn) +
           ": migrate_vma is in the kernel from 4.14 (8763cb45ab96): expected kernel=4.14 or "
           "later");
  return c.object<dmirror_device>(0);
}

}  // namespace

void add_hmm_bindings(Bindings& bn) {
  bn.add_finding_kinds({"stale TLB entry", "livelock"});
  ObjectType mm;
  mm.type = "struct mm_struct";
  mm.kind = kMmKind;
  mm.subsystem = "hmm";
  mm.max_count = 1;
  mm.summary =
      "an address space with one page of private anonymous memory at one address, not yet "
      "touched: one page-table entry, its PTL, and a TLB for each CPU (the init thread and "
      "P0-P3); at the end the entry is empty, or maps a page (or names a device page) that is "
      "referenced, mapped once and unlocked, never a migration entry";
  mm.create = [](World& w, const ObjectDecl&) -> void* {
    zone(w);
    return w.keep(std::make_unique<mm_struct>());
  };
  mm.check_end = [](World& w, void* obj) { check_mm_end(zone(w), *static_cast<mm_struct*>(obj)); };
  bn.add(std::move(mm));

  ObjectType dev;
  dev.type = "struct dmirror";
  dev.kind = kDmirrorKind;
  dev.subsystem = "hmm";
  dev.max_count = 1;
  dev.summary =
      "lib/test_hmm.c's device with one page of device private memory (dev0), whose contents "
      "live in a backing page of the zone; at the end dev0 is free (refcount 0, on the free "
      "list) or in use with its backing page, and unlocked (= OUT_OF_MEMORY: the device has "
      "no free page, its allocations fail)";
  dev.initialisers = {"OUT_OF_MEMORY"};
  dev.create = [](World& w, const ObjectDecl& d) -> void* {
    zone(w);
    return w.keep(std::make_unique<dmirror_device>(d.value.symbol == "OUT_OF_MEMORY"));
  };
  dev.check_end = [](World& w, void* obj) {
    check_dmirror_end(zone(w), *static_cast<dmirror_device*>(obj));
  };
  bn.add(std::move(dev));

  const SubsystemFunctions fn(bn, "hmm");
  const ArgKind M = kMmKind, D = kDmirrorKind, I = ArgKind::kInt;
  fn("user_load", {M}, I,
     "a user-space load of the address by the running CPU: its TLB entry, else a walk of the "
     "page table, else a page fault (a new zeroed page, a wait on a migration entry, or the "
     "device's migrate_to_ram for a device private entry) and the load again; the value, or "
     "-ENOMEM when the fault cannot allocate, -EFAULT when no VMA maps the address (SIGSEGV)",
     [](const Call& c) { return int64_t{user_load(cpu_mm(c, "user_load"))}; });
  fn("user_store", {M, I}, I,
     "a user-space store of the value at the address by the running CPU, as user_load "
     "reaches the page, with a write-protect fault (do_wp_page: the page reused, or copied) "
     "on a read-only entry; 0, or -ENOMEM (-EFAULT: no VMA)",
     [](const Call& c) {
       const long r = user_store(cpu_mm(c, "user_store"), static_cast<long>(c.arg(1)));
       return int64_t{r < 0 ? r : 0};
     });
  fn("madvise_dontneed", {M}, I,
     "madvise(MADV_DONTNEED) of the address, under mmap_lock for reading: zap_pte_range under "
     "the PTL (a present entry's page gathered, a migration entry only cleared, a device "
     "private entry's page put), tlb_finish_mmu (the TLB flushed if a present entry was "
     "zapped, then the page freed), and the return to user space, after which no CPU may "
     "still translate the address to the page; 0, or -ENOMEM when no VMA maps the address",
     [](const Call& c) { return int64_t{madvise_dontneed(c.object<mm_struct>(0))}; });
  fn("munmap", {M}, I,
     "munmap of the address (__vm_munmap): mmap_lock for writing, the VMA removed (from 4.20 "
     "the lock downgraded to a read hold), then the entry zapped and the TLB flushed as "
     "madvise_dontneed does, and the return to user space; later accesses fault with no VMA "
     "(-EFAULT: SIGSEGV) and later migrations fail (-EINVAL); 0",
     [](const Call& c) { return int64_t{munmap(c.object<mm_struct>(0))}; });
  fn("dmirror_migrate_to_device", {D, M}, I,
     "test_hmm's migration of the address's page to device private memory: migrate_vma "
     "(4.14-5.3) or migrate_vma_setup, the driver's copy into a device page, "
     "migrate_vma_pages and migrate_vma_finalize (5.4 on), under mmap_lock for reading; the "
     "pages migrated (0 or 1), or -EINVAL when no VMA maps the address",
     [](const Call& c) {
       dmirror_device* d = dmirror(c, "dmirror_migrate_to_device");
       return int64_t{dmirror_migrate_to_device(d, c.object<mm_struct>(1))};
     });
  fn("dmirror_device_evict_chunk", {D}, I,
     "test_hmm's eviction of the device's memory (6.1 on): migrate_device_range takes the "
     "device page if it is in use (a reference unless free, its trylock), unmaps it through "
     "the rmap (try_to_migrate) without mmap_lock, the driver copies it to a new system page, "
     "migrate_device_pages and migrate_device_finalize; the pages migrated (0 or 1)",
     [](const Call& c) {
       if (!kcfg().migrate_device_range())
         c.fail(
             "migrate_device_range and dmirror_device_evict_chunk are in 6.1 on (the "
             "model's 6.5): expected kernel=6.5 or later");
       dmirror_device* d = dmirror(c, "dmirror_device_evict_chunk");
       return int64_t{dmirror_device_evict_chunk(d)};
     });
  fn("dmirror_migrate_to_system", {D, M}, I,
     "test_hmm's migration of the address's device page back to system memory (as its "
     "fault handler does, without a fault): the pages migrated (0 or 1), or -EINVAL",
     [](const Call& c) {
       dmirror_device* d = dmirror(c, "dmirror_migrate_to_system");
       return int64_t{dmirror_migrate_to_system(d, c.object<mm_struct>(1))};
     });
}

}  // namespace litmus
