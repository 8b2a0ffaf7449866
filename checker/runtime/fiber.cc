#include "checker/runtime/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <new>

#include "checker/runtime/sanitizer.h"

namespace mc {

static size_t page_size() {
  static const size_t p = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return p;
}

bool Stack::guard_contains(const void* addr) const {
  auto a = reinterpret_cast<uintptr_t>(addr);
  auto b = reinterpret_cast<uintptr_t>(base);
  return a >= b && a < b + guard;
}

size_t default_stack_size() {
#ifdef MC_ASAN
  return 1u << 20;  // sanitizer frames are larger
#else
  return 256u << 10;
#endif
}

StackPool& shared_stack_pool() {
  static thread_local StackPool pool(default_stack_size());
  return pool;
}

StackPool::StackPool(size_t stack_size) : stack_size_(stack_size) {}

StackPool::~StackPool() {
  for (const Stack& s : all_) munmap(s.base, s.size);
}

Stack StackPool::acquire() {
  if (!free_.empty()) {
    Stack s = free_.back();
    free_.pop_back();
    return s;
  }
  const size_t total = stack_size_ + page_size();
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (mprotect(p, page_size(), PROT_NONE) != 0) {
    munmap(p, total);
    throw std::bad_alloc();
  }
  Stack s{static_cast<char*>(p), total, page_size()};
  all_.push_back(s);
  return s;
}

void StackPool::release(Stack s) { free_.push_back(s); }

#ifdef MC_ASAN
void SanitizerSwitch::start(const void* bottom, size_t size) {
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
}
void SanitizerSwitch::finish(const void** old_bottom, size_t* old_size) {
  __sanitizer_finish_switch_fiber(fake_stack, old_bottom, old_size);
}
#else
void SanitizerSwitch::start(const void*, size_t) {}
void SanitizerSwitch::finish(const void**, size_t*) {}
#endif

}  // namespace mc
