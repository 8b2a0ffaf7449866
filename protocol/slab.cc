#include "protocol/slab.h"

#include "protocol/version.h"

namespace proto {

namespace {

// smp_wmb of 8b8817630ae8's slab side, paired with isolate_movable_page's smp_rmb.
void smp_wmb(SL loc) { mc::fence(std::memory_order_release, loc); }

}  // namespace

bool PageSlab(page* p, SL loc) {
  if (kcfg().slab_page_type()) return p->_mapcount.load(kRelaxed, loc) == PGTY_slab;
  return test_bit(PG_slab, p, loc);
}

// allocate_slab (slub.c): alloc_slab_page sets PG_slab on the new page with the non-atomic
// __SetPageSlab (__folio_set_slab; a page type from 6.10), then the slab's fields are written.
page* allocate_slab(kmem_cache* s, SL loc) {
  MC_FUNC("allocate_slab");
  const Config& k = kcfg();
  page* p = alloc_page(loc);
  if (!p) return nullptr;
  if (k.slab_page_type())
    __SetPageType(p, PGTY_slab, loc);
  else
    __set_bit(PG_slab, p, loc);
  // 8b8817630ae8: PG_slab visible before any change to the mapping word.
  if (k.slab_isolation_barriers()) smp_wmb(loc);
  if (k.slab_cache_in_mapping_word()) p->mapping.store(kSlabCacheAddress, kRelaxed, loc);
  s->slab.store(p, loc);
  return p;
}

// add_partial (slub.c, n->list_lock held): list_add(&slab->slab_list, &n->partial). The
// entry's prev becomes the list head, an aligned pointer; from 6.2 that link is the word the
// scanner reads as page->mapping.
void add_partial(kmem_cache* s, SL loc) {
  MC_FUNC("add_partial");
  s->list_lock.lock(loc);
  page* p = s->slab.load(loc);
  s->nr_partial.store(s->nr_partial.load(loc) + 1, loc);
  if (kcfg().slab_list_in_mapping_word()) p->mapping.store(kNodePartialAddress, kRelaxed, loc);
  s->list_lock.unlock(loc);
}

// remove_partial (slub.c, n->list_lock held): list_del(&slab->slab_list) poisons the links:
// prev = LIST_POISON2, whose low bits are PAGE_MAPPING_MOVABLE's.
void remove_partial(kmem_cache* s, SL loc) {
  MC_FUNC("remove_partial");
  s->list_lock.lock(loc);
  page* p = s->slab.load(loc);
  s->nr_partial.store(s->nr_partial.load(loc) - 1, loc);
  if (kcfg().slab_list_in_mapping_word()) p->mapping.store(kListPoison2Word, kRelaxed, loc);
  s->list_lock.unlock(loc);
}

// discard_slab -> free_slab -> __free_slab (slub.c): the page back to the allocator. Before
// 6.2, __ClearPageSlab then the word reset (slab_cache = NULL, 4.18-6.1); from 8b8817630ae8
// the word is reset first, then smp_wmb, then PG_slab cleared. __free_pages drops the slab's
// reference (a scanner may hold another).
void discard_slab(kmem_cache* s, SL loc) {
  MC_FUNC("discard_slab");
  const Config& k = kcfg();
  page* p = s->slab.load(loc);
  s->slab.store(nullptr, loc);
  auto clear_slab = [&] {
    if (k.slab_page_type())
      p->_mapcount.store(kMapcountNone, kRelaxed, loc);  // __ClearPageSlab: the page type
    else
      __clear_bit(PG_slab, p, loc);
  };
  if (k.slab_isolation_barriers()) {
    p->mapping.store(0, kRelaxed, loc);
    smp_wmb(loc);
    clear_slab();
  } else {
    clear_slab();
    if (k.slab_cache_in_mapping_word() || k.slab_list_in_mapping_word())
      p->mapping.store(0, kRelaxed, loc);
  }
  put_page(p, loc);
}

}  // namespace proto
