// Fibers on Boost.Context: pooled guard-paged stacks and a direct fiber-to-fiber switch.
#pragma once

#include <boost/context/detail/fcontext.hpp>
#include <cstddef>
#include <vector>

namespace mc {

namespace ctx = boost::context::detail;

// A stack with an inaccessible guard page below it, so an overflow faults instead of
// silently corrupting a neighbour. Creating one costs tens of microseconds (mmap + mprotect),
// so stacks are pooled and reused across executions.
struct Stack {
  char* base = nullptr;  // lowest address of the mapping (the guard page)
  size_t size = 0;       // whole mapping, guard page included
  size_t guard = 0;      // size of the guard page
  char* top() const { return base + size; }
  size_t usable() const { return size - guard; }
  // Where fiber `slot` starts its stack: page-aligned tops would put the hot frames of every
  // fiber in the same few L1 sets, so each slot starts at its own offset within a page.
  char* coloured_top(int slot) const { return top() - colour(slot); }
  size_t coloured_usable(int slot) const { return usable() - colour(slot); }
  static size_t colour(int slot) { return static_cast<size_t>(slot % 16) * 256; }
  bool guard_contains(const void* addr) const;
};

class StackPool {
 public:
  explicit StackPool(size_t stack_size);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  Stack acquire();
  void release(Stack s);
  size_t stack_size() const { return stack_size_; }
  size_t created() const { return all_.size(); }

 private:
  size_t stack_size_;
  std::vector<Stack> free_;
  std::vector<Stack> all_;
};

// AddressSanitizer must be told when the stack changes under it.
struct SanitizerSwitch {
  void* fake_stack = nullptr;
  void start(const void* bottom, size_t size);
  void finish(const void** old_bottom = nullptr, size_t* old_size = nullptr);
};

size_t default_stack_size();
// The calling OS thread's pool of default-size stacks. Executions made one after another
// (one per test, the bench's repeats) take their stacks from it and give them back, so a
// process creates a stack once per model thread it ever runs at the same time.
StackPool& shared_stack_pool();

}  // namespace mc
