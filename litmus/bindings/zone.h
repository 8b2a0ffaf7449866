// The zone every protocol subsystem's bindings share: one proto::Memory per execution with as
// many pages as the file declares (`struct page pgN;`), made on first use.
#pragma once

#include "litmus/bindings.h"
#include "protocol/page.h"

namespace litmus {

proto::Memory& zone(World& w);

}  // namespace litmus
