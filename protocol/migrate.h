// The VM side of non-LRU movable page migration (mm/migrate.c, mm/compaction.c), by version.
#pragma once

#include "protocol/movable.h"

namespace proto {

// Lists migrate_pages needs besides `from`, made by thread 0 with the rest of the model.
struct migrate_scratch {
  migrate_scratch();
  list_head ret;    // ret_pages / ret_folios
  list_head unmap;  // 6.17 unmap_folios
  list_head one;    // 6.17 migrate_pages_sync: one folio at a time
  struct pair {
    page* src;
    page* dst;
    bool done;
  };
  pair pairs[4];
  int nr_pairs = 0;
};

using new_page_t = page* (*)(page* p, void* priv);
using free_page_t = void (*)(page* p, void* priv);

bool isolate_movable_page(page* p, isolate_mode_t mode, SL loc = SL::current());
void putback_movable_page(page* p, SL loc = SL::current());
void putback_movable_pages(list_head* l, SL loc = SL::current());
// Returns the number of pages not migrated, or -ENOMEM.
int migrate_pages(list_head* from, new_page_t get_new_page, free_page_t put_new_page, void* priv,
                  migrate_mode mode, migrate_scratch* scratch, SL loc = SL::current());

// The core's own invariant (not a kernel check): a page on a migration list is marked
// isolated and the core holds a reference to it.
void check_isolated_on_list(page* p, const char* where, SL loc = SL::current());

// A small compaction run over the pfn range [low, high): isolate movable pages, migrate them
// to pages taken from the top of the zone, put back what is left.
struct compact_control {
  explicit compact_control(const char* name);
  // The names of cc->migratepages' links in traces ("cc.migratepages.next", ".prev").
  std::string next_name, prev_name;
  list_head migratepages;
  migrate_scratch scratch;
  int nr_migratepages = 0;
  migrate_mode mode = migrate_mode::MIGRATE_ASYNC;
  bool migrate = true;  // false: isolate and put back only
};
int isolate_migratepages_block(compact_control* cc, int low, int high, SL loc = SL::current());
void compact_zone(compact_control* cc, int low, int high, SL loc = SL::current());
// Memory offlining's do_migrate_range: it hands every non-LRU page it can pin to
// isolate_movable_page, with no lock-free __PageMovable pre-check of its own.
void do_migrate_range(compact_control* cc, int start, int end, SL loc = SL::current());
page* compaction_alloc(page* p, void* cc);
void compaction_free(page* p, void* cc);

}  // namespace proto
