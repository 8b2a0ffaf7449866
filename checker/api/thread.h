// Model threads, nondeterministic choice, assumptions, observations, assertions and the heap.
#pragma once

#include <cstdarg>
#include <memory>
#include <new>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "checker/api/detail.h"
#include "checker/runtime/heap.h"

namespace mc {

class thread {
 public:
  thread() = default;
  explicit thread(ThreadId id) : id_(id) {}
  void join(std::source_location loc = std::source_location::current());
  ThreadId id() const { return id_; }

 private:
  ThreadId id_ = kNoThread;
};

// Starts a model thread running `f`. The callable is stored inline (no allocation), so it
// should capture by reference or hold a few values.
template <typename F>
thread spawn(F&& f, std::source_location loc = std::source_location::current()) {
  Execution* ex = Execution::current();
  if (!ex || ex->aborting()) {
    f();
    return thread();
  }
  return thread(ex->spawn(InlineFunction<96>(std::forward<F>(f)), loc));
}

// Runs `a` and `b` as two model threads and waits for both (a, then b): the shape of most
// races a scenario sets up.
template <typename A, typename B>
void run_concurrently(A&& a, B&& b, std::source_location loc = std::source_location::current()) {
  thread ta = spawn(std::forward<A>(a), loc);
  thread tb = spawn(std::forward<B>(b), loc);
  ta.join(loc);
  tb.join(loc);
}

// A value in [0, n) that the explorer chooses, like a schedule decision (inputs, and faults
// such as an allocation that fails).
uint32_t choose(uint32_t n, std::source_location loc = std::source_location::current());
// Ends the execution as "blocked" (not complete, not a finding) when `cond` is false.
void assume(bool cond);
// Records a final-state value: executions are grouped by their observations.
void observe(const char* name, int64_t value);

// Raises a named violation (for the protocol: "VM_BUG_ON_PAGE", "bad page state", ...).
// Names the running model thread for findings and traces ("P0", "kworker"); `name` must
// outlive the execution. Unnamed threads are "T<n>".
void set_thread_name(const char* name);
// Where the input driving the model is, for the findings the running thread raises from now
// on (a litmus statement): `where` is described by `describe` only when a finding is made, so
// setting it costs two stores; `where` must live while it is set. Null: nowhere.
void set_origin(const void* where, std::string (*describe)(const void*));
// A thread as findings and traces name it: "P0" (its name) or "T1" (its number).
std::string thread_name(ThreadId t);

void violation(const char* name, std::string message,
               std::source_location loc = std::source_location::current());
// Raises a warning: a named violation after which the kernel goes on (WARN_ON,
// VM_WARN_ON_ONCE_PAGE). It is a finding as a violation is, but under --all-findings the
// thread continues past it, as after a data race.
void warning(const char* name, std::string message,
             std::source_location loc = std::source_location::current());
// Raises a leak: memory the model allocated that nobody holds at the end (what kmemleak
// reports). As with a data race, the thread goes on under --all-findings.
void leak(std::string message, std::source_location loc = std::source_location::current());
[[gnu::format(printf, 3, 4)]] void assert_failed(const char* expr, std::source_location loc,
                                                 const char* fmt, ...);
void assert_failed(const char* expr, std::source_location loc);
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// ---- model heap ----

namespace detail {
// Records a new block and takes its memory (alive until the end of the execution); the
// objects made until end_alloc belong to it.
HeapBlock* begin_alloc(Execution& ex, size_t size, size_t align, const char* type, const char* name,
                       const std::source_location& loc);
void end_alloc(Execution& ex, HeapBlock* b, HeapBlock* outer);
void free_block(const void* p, const std::source_location& loc);
}  // namespace detail

// Allocates a T whose lifetime the checker tracks: access after mc::free, double free and
// leaks (alive at the end, not declared with expect_alive) are findings.
template <typename T, typename... Args>
T* make_named(const char* name, std::source_location loc, Args&&... args) {
  Execution* ex = Execution::current();
  if (!ex || ex->aborting()) return new T(std::forward<Args>(args)...);
  HeapBlock* outer = ex->heap().constructing();
  HeapBlock* b = detail::begin_alloc(*ex, sizeof(T), alignof(T), typeid(T).name(), name, loc);
  T* obj = new (b->ptr) T(std::forward<Args>(args)...);
  // Only a constructed object is destroyed (the memory goes back with the execution's).
  b->destroy = [](void* p) { static_cast<T*>(p)->~T(); };
  detail::end_alloc(*ex, b, outer);
  return obj;
}
// mc::make<T>(args...): the allocation is reported at the caller's line. A defaulted source
// location cannot follow a parameter pack, so each number of constructor arguments (up to
// five; use make_named beyond) has its own overload.
template <typename T>
T* make(std::source_location loc = std::source_location::current()) {
  return make_named<T>(nullptr, loc);
}
template <typename T, typename A1>
T* make(A1&& a1, std::source_location loc = std::source_location::current()) {
  return make_named<T>(nullptr, loc, std::forward<A1>(a1));
}
template <typename T, typename A1, typename A2>
T* make(A1&& a1, A2&& a2, std::source_location loc = std::source_location::current()) {
  return make_named<T>(nullptr, loc, std::forward<A1>(a1), std::forward<A2>(a2));
}
template <typename T, typename A1, typename A2, typename A3>
T* make(A1&& a1, A2&& a2, A3&& a3, std::source_location loc = std::source_location::current()) {
  return make_named<T>(nullptr, loc, std::forward<A1>(a1), std::forward<A2>(a2),
                       std::forward<A3>(a3));
}
template <typename T, typename A1, typename A2, typename A3, typename A4>
T* make(A1&& a1, A2&& a2, A3&& a3, A4&& a4,
        std::source_location loc = std::source_location::current()) {
  return make_named<T>(nullptr, loc, std::forward<A1>(a1), std::forward<A2>(a2),
                       std::forward<A3>(a3), std::forward<A4>(a4));
}
template <typename T, typename A1, typename A2, typename A3, typename A4, typename A5>
T* make(A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5,
        std::source_location loc = std::source_location::current()) {
  return make_named<T>(nullptr, loc, std::forward<A1>(a1), std::forward<A2>(a2),
                       std::forward<A3>(a3), std::forward<A4>(a4), std::forward<A5>(a5));
}

template <typename T>
void free(T* p, std::source_location loc = std::source_location::current()) {
  Execution* ex = Execution::current();
  if (!ex) {
    delete p;
    return;
  }
  detail::free_block(p, loc);
}

// The block may still be allocated when the execution ends (owned by the test's fixture).
void expect_alive(const void* p);

// Traces print a pointer to `p` as `name` (a structure: "cc.migratepages"); an instrumented
// object's address prints as "&" and its name without this, and a place in a model heap block
// as the block's type. Kept only in the executions that are reported: cheap otherwise.
void name_address(const void* p, std::string_view name);

}  // namespace mc

#define MC_ASSERT(cond, ...)                                                                  \
  do {                                                                                        \
    if (!(cond))                                                                              \
      ::mc::assert_failed(#cond, std::source_location::current() __VA_OPT__(, ) __VA_ARGS__); \
  } while (0)
