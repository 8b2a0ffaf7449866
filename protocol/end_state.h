// The invariants every scenario ends with, whoever drives it (the litmus bindings, or a C++
// test of the model): every page in exactly one place with a balanced reference count,
// nothing left locked or isolated. A failed check is an "end state" violation.
#pragma once

#include <string>

#include "protocol/balloon.h"
#include "protocol/driver.h"
#include "protocol/page.h"

namespace proto {

void end_violation(const std::string& msg);

// Every page is free (refcount 0) or owned by the reference driver: on its list, refcount 1,
// not locked, not isolated, holding the driver's object.
void check_refdrv_end(Memory& mem, refdrv& d);

// Every page went back to the page allocator (after a pool or driver let go of all of them);
// `why` completes "pfn N ..." in the report, e.g. "never went back to the allocator".
void check_all_pages_free(Memory& mem, const std::string& why);

// Every page is free or in the balloon: refcount 1, not locked, not isolated, private =
// b_dev_info; the balloon's counters balanced.
void check_balloon_end(Memory& mem, virtio_balloon& vb);

}  // namespace proto
