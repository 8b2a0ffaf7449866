// A reference driver that follows Documentation/vm/page_migration (4.8), section C, to the
// letter: its own page list under a spinlock, object handles that migration updates, alloc,
// free (which may run while the page is isolated), isolate, migrate, putback. From 6.17 it
// marks pages the 6.17 way (a page type + PG_movable_ops) and copes with released pages in
// its callbacks, as zsmalloc does.
#pragma once

#include "protocol/migrate.h"

namespace proto {

struct refdrv {
  refdrv();
  address_space* mapping = nullptr;
  mc::spinlock lock{"refdrv->lock"};
  list_head pages;                                           // movable pages not isolated
  mc::plain<page*> handle{nullptr, "refdrv->handle"};        // one object, where it lives
  mc::plain<int> eagain_budget{0, "refdrv->eagain_budget"};  // migratepage: -EAGAIN this often
  mc::plain<bool> fail_permanently{false, "refdrv->fail_permanently"};
};

// Allocates a page, marks it movable and stores the object in it; false if allocation fails.
bool refdrv_alloc(refdrv* d, long value);
// The object's owner releases it: the page is freed, possibly while isolated.
void refdrv_free(refdrv* d);
// Reads the object under the page lock (a lock_page user).
long refdrv_read(refdrv* d);

extern const movable_operations refdrv_mops;

}  // namespace proto
