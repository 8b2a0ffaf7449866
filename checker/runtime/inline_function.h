// A move-only callable with inline storage, so spawning a model thread does not allocate.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace mc {

template <size_t Capacity>
class InlineFunction {
 public:
  InlineFunction() = default;
  template <typename F>
  explicit InlineFunction(F&& f) {
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= Capacity, "thread body captures too much; capture by reference");
    static_assert(alignof(Fn) <= alignof(std::max_align_t));
    new (storage_) Fn(std::forward<F>(f));
    invoke_ = [](void* p) { (*static_cast<Fn*>(p))(); };
    destroy_ = [](void* p) { static_cast<Fn*>(p)->~Fn(); };
    move_ = [](void* from, void* to) {
      new (to) Fn(std::move(*static_cast<Fn*>(from)));
      static_cast<Fn*>(from)->~Fn();
    };
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  InlineFunction(InlineFunction&& o) noexcept { take(o); }
  InlineFunction& operator=(InlineFunction&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  ~InlineFunction() { reset(); }

  void reset() {
    if (destroy_) destroy_(storage_);
    invoke_ = nullptr;
    destroy_ = nullptr;
    move_ = nullptr;
  }
  explicit operator bool() const { return invoke_ != nullptr; }
  void operator()() { invoke_(storage_); }

 private:
  void take(InlineFunction& o) {
    if (!o.invoke_) return;
    o.move_(o.storage_, storage_);
    invoke_ = o.invoke_;
    destroy_ = o.destroy_;
    move_ = o.move_;
    o.invoke_ = nullptr;
    o.destroy_ = nullptr;
    o.move_ = nullptr;
  }
  alignas(std::max_align_t) unsigned char storage_[Capacity];
  void (*invoke_)(void*) = nullptr;
  void (*destroy_)(void*) = nullptr;
  void (*move_)(void*, void*) = nullptr;
};

}  // namespace mc
