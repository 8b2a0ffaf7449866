// Bindings of the balloon model (protocol/balloon.h): a virtio balloon and its inflate,
// deflate, enqueue and dequeue paths.
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

// The end state every driver of a scenario checks (protocol/end_state.h).
void check_balloon_end(World& w, void* obj) {
  proto::check_balloon_end(memory(w), *static_cast<virtio_balloon*>(obj));
}

}  // namespace

void add_balloon_bindings(Bindings& bn) {
  ObjectType t;
  t.type = "struct virtio_balloon";
  t.kind = kBalloonKind;
  t.subsystem = "balloon";
  t.max_count = 3;  // Memory::kMaxMappings holds every driver a file may declare
  t.summary =
      "a virtio balloon (vb->vb_dev_info, balloon_lock, pages_lock), empty at the start; at the "
      "end every page must be free or in the balloon, isolated_pages 0";
  t.create = [](World& w, const ObjectDecl&) -> void* {
    memory(w);
    return w.keep(std::make_unique<virtio_balloon>());
  };
  t.check_end = check_balloon_end;
  bn.add(std::move(t));

  const SubsystemFunctions fn(bn, "balloon");
  const ArgKind B = kBalloonKind, I = ArgKind::kInt, P = kPageKind;
  fn("fill_balloon", {B}, I,
     "virtio-balloon inflates one page: balloon_lock, balloon_page_enqueue, num_pages++; 1 if a "
     "page was added",
     [](const Call& c) { return int64_t{fill_balloon(c.object<virtio_balloon>(0))}; });
  fn("leak_balloon", {B}, I,
     "virtio-balloon deflates one page: balloon_lock, balloon_page_dequeue, release it; 1 if a "
     "page left the balloon",
     [](const Call& c) { return int64_t{leak_balloon(c.object<virtio_balloon>(0))}; });
  fn("balloon_page_enqueue", {B}, P,
     "allocates a page and inserts it into the balloon (page lock, pages_lock); the page or NULL",
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
