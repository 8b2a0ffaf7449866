// The invariants every scenario ends with, whoever drives it (the litmus bindings, or a C++
// test of the model): every page in exactly one place with a balanced reference count,
// nothing left locked or isolated. Each owner checks its own pages; check_zone_end then checks
// the zone as a whole. A failed check is an "end state" violation, except an allocated page
// that no owner holds: that is a leak, as memory the model never freed is.
#pragma once

#include <string>

#include "protocol/balloon.h"
#include "protocol/driver.h"
#include "protocol/page.h"
#include "protocol/vmw_balloon.h"

namespace proto {

void end_violation(const std::string& msg);

// The reference driver's pages (on its list), claimed: refcount 1, not locked, not isolated,
// holding the driver's object, and not free.
void check_refdrv_end(Memory& mem, refdrv& d);

// The balloon's pages, claimed: refcount 1, not locked, not isolated, private = b_dev_info;
// the balloon's counters balanced.
void check_balloon_end(Memory& mem, virtio_balloon& vb);

// The VMware balloon's pages, claimed as the virtio balloon's; b->size counts them and the
// hypervisor holds exactly them.
void check_vmballoon_end(Memory& mem, vmballoon& b);

// After every owner checked and claimed its pages: each page is free (without a reference)
// or held by exactly one owner. Several owners may share the zone (a zsmalloc pool and a
// driver); a page nobody holds never went back to the allocator.
void check_zone_end(Memory& mem);

}  // namespace proto
