// The kinds of model object the subsystems' bindings define (litmus/bindings.h, ArgKind).
#pragma once

#include <cstdint>

#include "litmus/bindings.h"

namespace litmus {

inline constexpr ArgKind kPageKind{"struct page *"};
inline constexpr ArgKind kListKind{"struct compact_control *"};  // its migration list
inline constexpr ArgKind kDriverKind{"struct refdrv *"};         // the reference driver
inline constexpr ArgKind kBalloonKind{"struct virtio_balloon *"};
inline constexpr ArgKind kVmballoonKind{"struct vmballoon *"};
inline constexpr ArgKind kPoolKind{"struct zs_pool *"};
inline constexpr ArgKind kHandleKind{"unsigned long (zsmalloc handle)"};
inline constexpr ArgKind kZ3PoolKind{"struct z3fold_pool *"};
inline constexpr ArgKind kZ3HandleKind{"unsigned long (z3fold handle)"};
inline constexpr ArgKind kCacheKind{"struct kmem_cache *"};
inline constexpr ArgKind kMmKind{"struct mm_struct *"};
inline constexpr ArgKind kDmirrorKind{"struct dmirror *"};

// A kernel bool returned to a litmus register.
inline int64_t b(bool v) { return v ? 1 : 0; }

}  // namespace litmus
