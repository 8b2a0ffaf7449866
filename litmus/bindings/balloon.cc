// Bindings of the balloon model (protocol/balloon.h): a virtio balloon and its inflate,
// deflate, enqueue and dequeue paths.
#include "protocol/balloon.h"

#include <memory>
#include <string>

#include "litmus/bindings.h"
#include "litmus/bindings/zone.h"

namespace litmus {

namespace {

using namespace proto;

void end_violation(const std::string& msg) { mc::violation("end state", msg); }

Memory& memory(World& w) { return zone(w); }

// The end state of protocol/scenarios.cc's check_balloon_end: every page is free or in the
// balloon (refcount 1, unlocked, not isolated, private = b_dev_info); counters balanced.
void check_balloon_end(World& w, void* obj) {
  virtio_balloon& vb = *static_cast<virtio_balloon*>(obj);
  balloon_dev_info& b = vb.vb_dev_info;
  Memory& mem = memory(w);
  for (int pfn = 0; pfn < mem.nr_pages(); ++pfn) {
    page* p = mem.pfn_to_page(pfn);
    const bool is_free = mem.is_free_peek(pfn);
    const bool on_list = list_contains_peek(&b.pages, p);
    const std::string where = "pfn " + std::to_string(pfn) + ": ";
    if (is_free + on_list != 1)
      end_violation(where + "in " + std::to_string(is_free + on_list) +
                    " places (free / balloon)\n" + dump_page(p, "end state"));
    const int ref = p->_refcount.peek();
    if (is_free && ref != 0)
      end_violation(where + "free with a reference\n" + dump_page(p, "end state"));
    if (on_list) {
      if (ref != 1)
        end_violation(where + "balloon page with refcount " + std::to_string(ref) + "\n" +
                      dump_page(p, "end state"));
      if (p->flags.peek() & (bit(PG_locked) | bit(PG_isolated)))
        end_violation(where + "balloon page still locked or isolated\n" +
                      dump_page(p, "end state"));
      if (p->private_.peek() != reinterpret_cast<unsigned long>(&b))
        end_violation(where + "balloon page without its b_dev_info");
      mc::expect_alive(p->data);
    }
  }
  if (b.isolated_pages.peek() != 0) end_violation("isolated_pages is not 0 at the end");
  if (list_count_peek(&b.pages) != vb.num_pages.peek())
    end_violation("num_pages does not match the balloon list");
}

}  // namespace

void add_balloon_bindings(Bindings& bn) {
  ObjectType t;
  t.type = "struct virtio_balloon";
  t.kind = ArgKind::kBalloon;
  t.subsystem = "balloon";
  t.summary =
      "a virtio balloon (vb->vb_dev_info, balloon_lock, pages_lock), empty at the start; at the "
      "end every page must be free or in the balloon, isolated_pages 0";
  t.create = [](World& w, const ObjectDecl&) -> void* {
    memory(w);
    return w.keep(std::make_unique<virtio_balloon>());
  };
  t.check_end = check_balloon_end;
  bn.add(std::move(t));

  auto fn = [&bn](std::string name, std::vector<ArgKind> params, ArgKind result,
                  std::string summary, std::function<int64_t(const Call&)> run) {
    bn.add(ModelFunction{std::move(name), std::move(params), result, "balloon", std::move(summary),
                         std::move(run)});
  };
  const ArgKind B = ArgKind::kBalloon, I = ArgKind::kInt, P = ArgKind::kPage;
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
