// Model threads: their ids, how many an execution may have, and sets of them as bit masks.
#pragma once

#include <cstdint>

namespace mc {

inline constexpr int kMaxThreads = 16;
using ThreadId = int;
using ThreadMask = uint32_t;
static_assert(kMaxThreads <= 32, "thread sets are 32-bit masks");

}  // namespace mc
