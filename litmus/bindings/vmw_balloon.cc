// Bindings of the VMware balloon model (protocol/vmw_balloon.h): inflate and deflate one
// page per command against a hypervisor whose answers the explorer chooses, and page
// migration through vmballoon_migratepage (5.3 on).
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
      "a VMware balloon (b->b_dev_info, conf_sem, comm_lock, b->size, and the hypervisor's "
      "view of the pages it holds), empty at the start; at the end every page must be free or "
      "in the balloon, isolated_pages 0, b->size the list's length and the hypervisor's pages "
      "the balloon's";
  t.create = [](World& w, const ObjectDecl&) -> void* {
    zone(w);
    return w.keep(std::make_unique<vmballoon>());
  };
  t.check_end = [](World& w, void* obj) {
    check_vmballoon_end(zone(w), *static_cast<vmballoon*>(obj));
  };
  bn.add(std::move(t));

  const SubsystemFunctions fn(bn, "balloon");
  const ArgKind B = kVmballoonKind, I = ArgKind::kInt;
  fn("vmballoon_inflate", {B, I}, I,
     "inflates by up to n pages (0..4) as vmballoon_work does, under down_read(conf_sem): "
     "balloon_page_alloc, lock each with the hypervisor under comm_lock (it may refuse: the "
     "page is freed), b->size += 1, balloon_page_list_enqueue; the pages added",
     [](const Call& c) {
       vmballoon* b = vmb(c);
       b->conf_sem.read_lock();
       const unsigned n = vmballoon_inflate(b, count_arg(c, 1));
       b->conf_sem.read_unlock();
       return int64_t{n};
     });
  fn("vmballoon_deflate", {B, I}, I,
     "deflates by up to n pages (0..4) as vmballoon_work does, under down_read(conf_sem): "
     "balloon_page_list_dequeue, unlock each with the hypervisor under comm_lock (a refused "
     "page goes back into the balloon), b->size -= 1, free; the pages freed",
     [](const Call& c) {
       vmballoon* b = vmb(c);
       b->conf_sem.read_lock();
       const unsigned n = vmballoon_deflate(b, count_arg(c, 1), true);
       b->conf_sem.read_unlock();
       return int64_t{n};
     });
}

}  // namespace litmus
