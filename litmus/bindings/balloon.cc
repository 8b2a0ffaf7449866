// Bindings of the balloon model (protocol/balloon.h): a virtio balloon over its whole life:
// inflate and deflate, the host's target and the config work, deflation under memory
// pressure, removal, and the balloon list's own enqueue and dequeue.
#include "protocol/balloon.h"

#include <memory>
#include <string>

#include "litmus/bindings.h"
#include "litmus/bindings/kinds.h"
#include "litmus/bindings/zone.h"
#include "protocol/end_state.h"

namespace litmus {

namespace {

using namespace proto;

Memory& memory(World& w) { return zone(w); }

// A declared `struct virtio_balloon vb;`: the device and the workqueue its config work runs on
// (system_freezable_wq), with a worker thread when declared `= VIRTIO_BALLOON_KWORKER`.
struct Balloon : virtio_balloon {
  Balloon() { wq = &system_freezable_wq; }
  workqueue_struct system_freezable_wq{"system_freezable_wq"};
  bool kworker = false;
  mc::thread worker;
};

Balloon& balloon(void* obj) { return static_cast<Balloon&>(*static_cast<virtio_balloon*>(obj)); }

// The end state: the worker stopped (or, without one, the work still queued run now), then
// the balloon's invariants (protocol/end_state.h).
void check_balloon_end(World& w, void* obj) {
  Balloon& b = balloon(obj);
  if (b.kworker) {
    worker_stop(b.wq);
    b.worker.join();
  } else {
    run_pending_works(b.wq);
  }
  proto::check_balloon_end(memory(w), b);
}

unsigned count_arg(const Call& c, size_t i, const char* what) {
  const int64_t v = c.arg(i);
  if (v < 0 || v > 1000)
    c.fail("argument " + std::to_string(i + 1) + " (" + std::to_string(v) + ") is not a " + what +
           ": expected 0..1000");
  return static_cast<unsigned>(v);
}

}  // namespace

void add_balloon_bindings(Bindings& bn) {
  bn.add_finding_kinds({"inflated page in use", "deflated page not inflated", "out-of-bounds"});
  ObjectType t;
  t.type = "struct virtio_balloon";
  t.kind = kBalloonKind;
  t.subsystem = "balloon";
  t.max_count = 3;  // Memory::kMaxMappings holds every driver a file may declare
  t.summary =
      "a virtio balloon (vb->vb_dev_info, balloon_lock, pages_lock, the pfn array, the host's "
      "target and what it inflated), empty at the start; its config work runs on "
      "system_freezable_wq: with VIRTIO_BALLOON_KWORKER in a kworker thread started after the "
      "setup, else what is still queued runs at the end; at the end every page must be free or "
      "in the balloon, isolated_pages 0, num_pages the list's length and the host's inflated "
      "pages the balloon's";
  t.initialisers = {"VIRTIO_BALLOON_KWORKER"};
  t.create = [](World& w, const ObjectDecl& d) -> void* {
    memory(w);
    auto b = std::make_unique<Balloon>();
    b->kworker = d.value.symbol == "VIRTIO_BALLOON_KWORKER";
    return static_cast<virtio_balloon*>(w.keep(std::move(b)));
  };
  t.start = [](World&, void* obj) {
    Balloon* b = &balloon(obj);
    if (b->kworker) b->worker = mc::spawn([b] { worker_thread(b->wq); });
  };
  t.check_end = check_balloon_end;
  bn.add(std::move(t));

  const SubsystemFunctions fn(bn, "balloon");
  const ArgKind B = kBalloonKind, I = ArgKind::kInt, P = kPageKind, V = ArgKind::kVoid;
  fn("fill_balloon", {B, I}, I,
     "inflates by up to n pages (one pfn array, 4 in the model): allocate (4.15+ outside "
     "balloon_lock), balloon_page_enqueue, num_pages += 1 each, tell the host; the pages added",
     [](const Call& c) {
       return int64_t{fill_balloon(c.object<virtio_balloon>(0), count_arg(c, 1, "page count"))};
     });
  fn("leak_balloon", {B, I}, I,
     "deflates by up to n pages, no more than num_pages: balloon_lock, balloon_page_dequeue "
     "each, tell the host, release them; the pages taken out",
     [](const Call& c) {
       return int64_t{leak_balloon(c.object<virtio_balloon>(0), count_arg(c, 1, "page count"))};
     });
  fn("virtio_balloon_to_target", {B, I}, V,
     "the host sets the balloon's target (config num_pages) and raises the config interrupt "
     "(virtio_config_changed: virtballoon_changed under config_lock unless removal disabled "
     "it; run by the calling thread)",
     [](const Call& c) {
       virtio_balloon_to_target(c.object<virtio_balloon>(0), count_arg(c, 1, "page count"));
       return int64_t{0};
     });
  fn("virtballoon_changed", {B}, V,
     "the config interrupt: queue update_balloon_size_work unless stop_update is set",
     [](const Call& c) {
       virtballoon_changed(c.object<virtio_balloon>(0));
       return int64_t{0};
     });
  fn("update_balloon_size_func", {B}, V,
     "the config work's function, run now by the calling thread: towards_target, fill or leak "
     "one array, update_balloon_size, requeue itself if the target is not reached",
     [](const Call& c) {
       update_balloon_size_func(&c.object<virtio_balloon>(0)->update_balloon_size_work);
       return int64_t{0};
     });
  fn("process_one_work", {B}, V,
     "runs the works queued on the balloon's workqueue now, in the calling thread (a worker)",
     [](const Call& c) {
       run_pending_works(c.object<virtio_balloon>(0)->wq);
       return int64_t{0};
     });
  fn("towards_target", {B}, I, "the host's target less num_pages (read without balloon_lock)",
     [](const Call& c) { return int64_t{towards_target(c.object<virtio_balloon>(0))}; });
  fn("update_balloon_size", {B}, V, "num_pages (read without balloon_lock) into config.actual",
     [](const Call& c) {
       update_balloon_size(c.object<virtio_balloon>(0));
       return int64_t{0};
     });
  // The notifier's name in 4.8-4.18 and from 5.7 on; either runs the version's path.
  for (const char* name : {"virtballoon_oom_notify", "virtio_balloon_oom_notify"})
    fn(name, {B, I}, I,
       "deflation under memory pressure, n pages: the OOM notifier (virtballoon_oom_notify "
       "4.8-4.18, virtio_balloon_oom_notify 5.7+; leak_balloon, update_balloon_size) or, in "
       "4.19-5.6, the shrinker's scan (virtio_balloon_shrinker_scan: leak until n pages are "
       "freed or the balloon is empty); nothing once unregistered; the pages freed",
       [](const Call& c) {
         return static_cast<int64_t>(
             virtballoon_oom_notify(c.object<virtio_balloon>(0), count_arg(c, 1, "page count")));
       });
  fn("virtio_dev_remove", {B}, V,
     "the virtio core removes the device: virtio_config_disable (under config_lock), then "
     "virtballoon_remove",
     [](const Call& c) {
       virtio_dev_remove(c.object<virtio_balloon>(0));
       return int64_t{0};
     });
  fn("virtballoon_remove", {B}, V,
     "the driver's remove alone (virtio_dev_remove calls it): unregister the OOM notifier, "
     "stop_update, cancel_work_sync, deflate "
     "every page (retrying while pages are isolated), kfree(vb)",
     [](const Call& c) {
       virtballoon_remove(c.object<virtio_balloon>(0));
       return int64_t{0};
     });
  fn("balloon_page_enqueue", {B}, P,
     "allocates a page and inserts it into the balloon (page lock, pages_lock; 4.15+ "
     "balloon_page_alloc then balloon_page_enqueue); the page or NULL",
     [](const Call& c) {
       return c.world.value_of(balloon_page_enqueue(&c.object<virtio_balloon>(0)->vb_dev_info), c);
     });
  fn("balloon_page_dequeue", {B}, P,
     "takes a page out of the balloon (pages_lock, trylock_page each page, skip isolated ones); "
     "the page or NULL",
     [](const Call& c) {
       return c.world.value_of(balloon_page_dequeue(&c.object<virtio_balloon>(0)->vb_dev_info), c);
     });
}

}  // namespace litmus
