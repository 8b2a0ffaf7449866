#include "checker/runtime/thread_set.h"

namespace mc {

ThreadSet::~ThreadSet() {
  for (ThreadState& t : threads_)
    if (t.stack.base) stacks_.release(t.stack);
}

void ThreadSet::reset() {
  // Only what a spawn does not set again is cleared: a whole-state assignment (about 600
  // bytes per thread) was a tenth of a small program's cost.
  for (int t = 0; t < count_; ++t) {
    ThreadState& th = threads_[t];
    // The stack stays with the slot: the next execution's thread of this number reuses it.
    th.context = nullptr;
    th.body.reset();
    th.status = ThreadState::Status::kUnused;
    th.pending = &kNoOperation;
    th.seq = 0;
    th.fence_acquire.clear();
    th.atomic_depth = 0;
    th.woken = false;
    th.starting = false;
    th.parent = -1;
    th.label_depth = 0;
    th.name = nullptr;
    th.spawn_detail = -1;
    th.origin = nullptr;
    th.describe_origin = nullptr;
  }
  count_ = 0;
  started = 0;
  gated = 0;
}

ThreadMask ThreadSet::live() const {
  ThreadMask m = 0;
  for (int t = 0; t < count_; ++t)
    if (threads_[t].status == ThreadState::Status::kLive) m |= thread_mask_of(t);
  return m;
}

}  // namespace mc
