// Bindings of the slab model (protocol/slab.h): one cache's slab through its life, as the
// compaction scanner meets its page.
#include "protocol/slab.h"

#include <memory>
#include <string>

#include "litmus/bindings.h"
#include "litmus/bindings/kinds.h"
#include "litmus/bindings/zone.h"

namespace litmus {

namespace {

using namespace proto;

// The cache's slab, which the call needs: a call out of a slab's order is the file's mistake.
kmem_cache* with_slab(const Call& c, const char* fn) {
  kmem_cache* s = c.object<kmem_cache>(0);
  if (!s->slab.peek())
    c.fail(std::string(fn) +
           " needs the cache's slab: expected allocate_slab(s) to succeed "
           "first (and no discard_slab(s) since)");
  return s;
}

}  // namespace

void add_slab_bindings(Bindings& bn) {
  ObjectType t;
  t.type = "struct kmem_cache";
  t.kind = kCacheKind;
  t.subsystem = "slab";
  t.max_count = 2;
  t.summary =
      "a SLUB cache with one node and at most one slab (protocol/slab.h); at the end a slab "
      "still allocated is the cache's page (refcount 1), every other page must be free";
  t.create = [](World& w, const ObjectDecl&) -> void* {
    zone(w);
    return w.keep(std::make_unique<kmem_cache>());
  };
  t.check_end = [](World& w, void* obj) {
    auto* s = static_cast<kmem_cache*>(obj);
    if (page* p = s->slab.peek()) zone(w).claim_peek(p->pfn, "slab");
  };
  bn.add(std::move(t));

  const SubsystemFunctions fn(bn, "slab");
  const ArgKind S = kCacheKind, I = ArgKind::kInt;
  fn("allocate_slab", {S}, I,
     "a new slab: alloc_page, PG_slab (__SetPageSlab, non-atomic; a page type from 6.10), and "
     "slab_cache, in page->mapping's word from 4.18 to 6.1; 1 if a page was allocated",
     [](const Call& c) {
       kmem_cache* s = c.object<kmem_cache>(0);
       if (s->slab.peek()) c.fail("allocate_slab: the model's cache holds one slab at a time");
       return int64_t{allocate_slab(s) != nullptr};
     });
  // The steps of the slab's life after allocate_slab: each needs the cache's slab.
  auto step = [&fn, S](const char* name, void (*run)(kmem_cache*, SL), std::string summary) {
    fn(name, {S}, ArgKind::kVoid, std::move(summary), [name, run](const Call& c) {
      run(with_slab(c, name), SL::current());
      return int64_t{0};
    });
  };
  step("add_partial", add_partial,
       "the slab onto the node's partial list under n->list_lock (slab_list.prev, "
       "page->mapping's word from 6.2, becomes the list head)");
  step("remove_partial", remove_partial,
       "the slab off the partial list under n->list_lock: list_del leaves LIST_POISON2 in "
       "slab_list.prev (page->mapping's word from 6.2)");
  step("discard_slab", discard_slab,
       "the slab's page back to the allocator (__free_slab: PG_slab cleared and the word reset, "
       "in 8b8817630ae8's order from 6.2; __free_pages drops the slab's reference)");
}

}  // namespace litmus
