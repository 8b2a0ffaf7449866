// The objects of an execution: ids handed out in the order objects are made, and each one's
// shadow (what it keeps per thread), kept by id and reused from one execution to the next.
#pragma once

#include <cstdint>
#include <vector>

#include "checker/runtime/object.h"

namespace mc {

class ObjectStore {
 public:
  // A new object made by thread `maker` (-1: before any thread ran); its id. A model may
  // make a hundred per execution: the table only grows, so this is a compare and an
  // increment.
  uint32_t add(ThreadId maker) {
    if (next_ >= capacity_) [[unlikely]]
      grow();
    shadows_[next_].maker = maker;
    return next_++;
  }
  ObjectShadow& shadow(uint32_t id) { return shadows_[id]; }
  const ObjectShadow& shadow(uint32_t id) const { return shadows_[id]; }
  void reset() { next_ = 1; }

 private:
  [[gnu::cold, gnu::noinline]] void grow() {
    shadows_.resize(2 * next_ + 16);
    capacity_ = static_cast<uint32_t>(shadows_.size());
  }
  std::vector<ObjectShadow> shadows_;  // by object id (no reference is kept across a growth)
  uint32_t capacity_ = 0;              // shadows_.size(), without the division
  uint32_t next_ = 1;                  // 0 is "not instrumented"
};

}  // namespace mc
