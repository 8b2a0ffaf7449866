// Model heap blocks: objects allocated through the engine have a lifetime the detectors check.
#pragma once

#include <cstddef>
#include <source_location>
#include <string>

#include "checker/runtime/object.h"

namespace mc {

struct HeapBlock {
  HeapBlock() : lifetime("heap block", "heap") {}
  void* ptr = nullptr;
  size_t size = 0;
  const char* type = "";
  const char* name = nullptr;
  bool freed = false;
  bool expected_alive = false;  // the test declared it may outlive the execution
  ThreadId alloc_tid = -1, free_tid = -1;
  std::source_location alloc_loc, free_loc;
  std::string free_labels;
  void (*destroy)(void*) = nullptr;  // destructor + release, at the end of the execution
  // The latest access of each thread to any object in the block: a free that is not ordered
  // after one of them is a use-after-free in some interleaving.
  AccessRecord last_access[kMaxThreads];
  ObjectBase lifetime;  // alloc and free are writes of this object
};

}  // namespace mc
