// Bindings of the VMware balloon model (protocol/vmw_balloon.h): the balloon's worker
// (reset, inflation, deflation) against a hypervisor whose answers the explorer chooses and
// whose target and reset requests a file sets, the statistics' enabling, and page migration
// through vmballoon_migratepage (5.3 on).
#include "protocol/vmw_balloon.h"

#include <memory>
#include <string>

#include "litmus/bindings.h"
#include "litmus/bindings/kinds.h"
#include "litmus/bindings/zone.h"
#include "protocol/end_state.h"
#include "protocol/version.h"

namespace litmus {

namespace {

using namespace proto;

vmballoon* vmb(const Call& c) {
  if (!kcfg().vmw_balloon_compaction())
    c.fail(
        "the VMware balloon's pages are movable from 5.3 (83a8afa72e9c); the model starts "
        "there: expected kernel=5.3 or later");
  return c.object<vmballoon>(0);
}

unsigned count_arg(const Call& c, size_t i) {
  const int64_t v = c.arg(i);
  if (v < 0 || v > 4)
    c.fail("argument " + std::to_string(i + 1) + " (" + std::to_string(v) +
           ") is not a page count the model takes: expected 0..4");
  return static_cast<unsigned>(v);
}

}  // namespace

void add_vmw_balloon_bindings(Bindings& bn) {
  ObjectType t;
  t.type = "struct vmballoon";
  t.kind = kVmballoonKind;
  t.subsystem = "balloon";
  t.max_count = 2;
  t.summary =
      "a VMware balloon as vmballoon_init leaves it (empty, reset_required: the first "
      "vmballoon_work resets it, setting batching up), with its hypervisor (target 0, basic and "
      "batched commands; each page of a lock or unlock command accepted or refused, as the "
      "explorer chooses); at the end every page must be free or in the balloon, isolated_pages "
      "0, b->size the list's length and the hypervisor's pages the balloon's";
  t.create = [](World& w, const ObjectDecl&) -> void* {
    zone(w);
    return w.keep(std::make_unique<vmballoon>());
  };
  t.check_end = [](World& w, void* obj) {
    auto* b = static_cast<vmballoon*>(obj);
    check_vmballoon_end(zone(w), *b);
    vmballoon_release_peek(b);
  };
  bn.add(std::move(t));

  const SubsystemFunctions fn(bn, "balloon");
  const ArgKind B = kVmballoonKind, I = ArgKind::kInt, V = ArgKind::kVoid;
  fn("vmw_host_set_target", {B, I}, V,
     "the hypervisor's side: its target becomes n pages (0..4), answered to the next "
     "GET_TARGET (and to each successful lock or unlock)",
     [](const Call& c) {
       vmb(c)->host.target = count_arg(c, 1);
       return int64_t{0};
     });
  fn("vmw_host_reset", {B}, V,
     "the hypervisor's side resets (as after the virtual machine moved): it forgets the pages "
     "it held and answers every command but START with VMW_BALLOON_ERROR_RESET (the driver "
     "sets reset_required; its next vmballoon_work resets and starts again)",
     [](const Call& c) {
       vmw_host_reset(vmb(c));
       return int64_t{0};
     });
  fn("vmw_host_basic_cmds", {B}, V,
     "the hypervisor's side: from the next reset's START it offers the basic commands only "
     "(the driver then deinitialises batching: one page per LOCK / UNLOCK in b->page)",
     [](const Call& c) {
       vmb(c)->host.batched = false;
       return int64_t{0};
     });
  fn("vmballoon_work", {B}, V,
     "one run of the balloon's worker: vmballoon_reset if reset_required (down_write(conf_sem), "
     "vmballoon_pop, START, batching set up or torn down, GUEST_ID), then under "
     "down_read(conf_sem) GET_TARGET and vmballoon_inflate or vmballoon_deflate towards it "
     "(batches of up to 4 pages; refused pages freed on inflation, put back on deflation)",
     [](const Call& c) {
       vmballoon_work(vmb(c));
       return int64_t{0};
     });
  fn("vmballoon_enable_stats", {B}, I,
     "the statistics' first use (the debugfs file opened): under down_write(conf_sem) allocate "
     "b->stats and turn the counters on; 0",
     [](const Call& c) { return int64_t{vmballoon_enable_stats(vmb(c))}; });
}

}  // namespace litmus
