// Model heap blocks: objects allocated through the engine have a lifetime the detectors check.
#pragma once

#include <cstddef>
#include <memory>
#include <source_location>
#include <vector>

#include "checker/runtime/labels.h"
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
  // The freeing thread's labels, kept as pointers: the path is spelled out only in a report.
  const char* free_labels[kMaxLabels] = {};
  int free_label_depth = 0;
  int32_t free_detail = -1;          // the free's index in the execution's events (with history)
  void (*destroy)(void*) = nullptr;  // the destructor, at the end of the execution
  // The latest access of each thread to any object in the block: a free that is not ordered
  // after one of them is a use-after-free in some interleaving.
  AccessRecord last_access[kMaxThreads];
  ObjectBase lifetime;  // alloc and free are writes of this object
};

// Memory for the model heap's objects: it lives until the end of the execution, a freed
// object's included (a use after free then reads what was there and is reported, rather than
// crashing the checker), so it is taken from chunks kept from one execution to the next and
// given back all at once. Under AddressSanitizer what is not handed out is poisoned, with a
// red zone after each object, so the model's own overflows are still caught.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();
  void* allocate(size_t size, size_t align);
  // Everything allocated since the last rewind is dead.
  void rewind();

 private:
  static constexpr size_t kChunk = 64 * 1024;
  static constexpr size_t kChunkAlign = 64;
  std::vector<std::byte*> chunks_;
  size_t chunk_ = 0;  // the chunk being filled
  size_t used_ = 0;   // bytes of it handed out
  // Objects too large or too aligned for a chunk, each on its own, freed at the rewind.
  struct Large {
    void* p;
    size_t align;
  };
  std::vector<Large> large_;
};

// The model heap of an execution: the blocks allocated through the engine (their records kept
// from one execution to the next and made afresh in place) and the memory of their objects.
class ModelHeap {
 public:
  ModelHeap() = default;
  ModelHeap(const ModelHeap&) = delete;
  ModelHeap& operator=(const ModelHeap&) = delete;

  // The record of a new allocation.
  HeapBlock* new_block();
  // Memory for a model object, valid until the end of the execution.
  void* memory(size_t size, size_t align) { return arena_.allocate(size, align); }
  // The block at `p`, the latest if several were there; null when none.
  HeapBlock* find_block(const void* p);
  // The blocks of this execution, in the order they were allocated.
  size_t size() const { return nblocks_; }
  const HeapBlock& block(size_t i) const { return *blocks_[i]; }
  // The block whose object is being constructed: the objects made now belong to it.
  HeapBlock* constructing() const { return constructing_; }
  void set_constructing(HeapBlock* b) { constructing_ = b; }
  // Destroys this execution's objects and takes their memory back.
  void reset();

 private:
  std::vector<std::unique_ptr<HeapBlock>> blocks_;  // the first nblocks_ are this execution's
  size_t nblocks_ = 0;
  Arena arena_;
  HeapBlock* constructing_ = nullptr;
};

}  // namespace mc
