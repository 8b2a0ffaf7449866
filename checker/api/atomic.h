// Instrumented shared memory: atomic<T> (every operation a scheduling point) and plain<T>
// (ordinary data: not a scheduling point, but every access is checked for data races).
#pragma once

#include <atomic>
#include <source_location>
#include <string>
#include <type_traits>

#include "checker/api/detail.h"

namespace mc {

template <typename T>
class atomic : public ObjectBase {
  static_assert(std::is_integral_v<T> || std::is_pointer_v<T> || std::is_enum_v<T>,
                "mc::atomic holds integers, enums and pointers");

 public:
  using SL = std::source_location;
  explicit atomic(T v = T{}, const char* name = nullptr) : ObjectBase(name, "atomic"), v_(v) {}

  T load(std::memory_order mo = std::memory_order_seq_cst, SL loc = SL::current()) {
    Execution* ex = detail::checked(*this);
    if (!ex) return v_;
    ex->schedule_point({OpKind::kLoad, Access::kRead, this, nullptr, nullptr, loc});
    detail::check_lifetime(*ex, *this, false, loc);
    T v = v_;
    ex->commit(this, OpKind::kLoad, Access::kRead, Acquire::kNone, loc);
    detail::check_race(*ex, *this, false, true, ex->thread(ex->self()).seq, loc);
    detail::acquire(*ex, *this, mo);
    if (ex->history()) ex->describe_last(this, format_value(detail::to_bits(v)), mo, true);
    return v;
  }

  void store(T v, std::memory_order mo = std::memory_order_seq_cst, SL loc = SL::current()) {
    Execution* ex = detail::checked(*this);
    if (!ex) {
      v_ = v;
      return;
    }
    ex->schedule_point({OpKind::kStore, Access::kWrite, this, nullptr, nullptr, loc});
    detail::check_lifetime(*ex, *this, true, loc);
    v_ = v;
    ex->commit(this, OpKind::kStore, Access::kWrite, Acquire::kNone, loc);
    detail::check_race(*ex, *this, true, true, ex->thread(ex->self()).seq, loc);
    detail::release(*ex, *this, mo, false);
    if (ex->history()) ex->describe_last(this, format_value(detail::to_bits(v)), mo, true);
  }

  T exchange(T v, std::memory_order mo = std::memory_order_seq_cst, SL loc = SL::current()) {
    return rmw(mo, loc, [v](T) { return v; });
  }

  // Under sequential consistency a weak CAS never fails spuriously here.
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order mo = std::memory_order_seq_cst,
                               SL loc = SL::current()) {
    Execution* ex = detail::checked(*this);
    if (!ex) {
      if (v_ == expected) {
        v_ = desired;
        return true;
      }
      expected = v_;
      return false;
    }
    // Pending: a write only if it would succeed.
    struct Prediction {
      const atomic* self;
      const T* expected;
    } prediction{this, &expected};
    PendingOp op{OpKind::kRmw, Access::kWrite, this, nullptr, nullptr, loc};
    op.would_write = [](const void* a) {
      auto* p = static_cast<const Prediction*>(a);
      return p->self->v_ == *p->expected;
    };
    op.predict_arg = &prediction;
    ex->schedule_point(op);
    detail::check_lifetime(*ex, *this, true, loc);
    const T old = v_;
    if (old == expected) {
      v_ = desired;
      ex->commit(this, OpKind::kRmw, Access::kWrite, Acquire::kNone, loc);
      detail::check_race(*ex, *this, true, true, ex->thread(ex->self()).seq, loc);
      detail::acquire(*ex, *this, mo);
      detail::release(*ex, *this, mo, true);
      if (ex->history())
        ex->describe_last(
            this,
            format_value(detail::to_bits(old)) + " -> " + format_value(detail::to_bits(desired)),
            mo, true);
      return true;
    }
    // A failed compare-and-swap only reads.
    ex->commit(this, OpKind::kCasFail, Access::kRead, Acquire::kNone, loc);
    detail::check_race(*ex, *this, false, true, ex->thread(ex->self()).seq, loc);
    detail::acquire(*ex, *this, mo);
    if (ex->history())
      ex->describe_last(this,
                        format_value(detail::to_bits(old)) + " (expected " +
                            format_value(detail::to_bits(expected)) + ")",
                        mo, true);
    expected = old;
    return false;
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order mo = std::memory_order_seq_cst,
                             SL loc = SL::current()) {
    return compare_exchange_strong(expected, desired, mo, loc);
  }

  T fetch_add(T d, std::memory_order mo = std::memory_order_seq_cst,
              SL loc = SL::current()) requires std::is_integral_v<T> {
    return rmw(mo, loc, [d](T o) { return static_cast<T>(o + d); });
  }
  T fetch_sub(T d, std::memory_order mo = std::memory_order_seq_cst,
              SL loc = SL::current()) requires std::is_integral_v<T> {
    return rmw(mo, loc, [d](T o) { return static_cast<T>(o - d); });
  }
  T fetch_and(T d, std::memory_order mo = std::memory_order_seq_cst,
              SL loc = SL::current()) requires std::is_integral_v<T> {
    return rmw(mo, loc, [d](T o) { return static_cast<T>(o & d); });
  }
  T fetch_or(T d, std::memory_order mo = std::memory_order_seq_cst,
             SL loc = SL::current()) requires std::is_integral_v<T> {
    return rmw(mo, loc, [d](T o) { return static_cast<T>(o | d); });
  }
  T fetch_xor(T d, std::memory_order mo = std::memory_order_seq_cst,
              SL loc = SL::current()) requires std::is_integral_v<T> {
    return rmw(mo, loc, [d](T o) { return static_cast<T>(o ^ d); });
  }

  // A non-atomic read or write of the same word (the kernel's __set_bit is one of each): a
  // scheduling point, so an atomic update can fall between them, and a data race with any
  // access it is not ordered with.
  T load_nonatomic(SL loc = SL::current()) {
    Execution* ex = detail::checked(*this);
    if (!ex) return v_;
    ex->schedule_point({OpKind::kNonatomicRead, Access::kRead, this, nullptr, nullptr, loc});
    detail::check_lifetime(*ex, *this, false, loc);
    T v = v_;
    ex->commit(this, OpKind::kNonatomicRead, Access::kRead, Acquire::kNone, loc);
    if (ex->history()) ex->describe_last(this, format_value(detail::to_bits(v)), {}, false);
    detail::check_race(*ex, *this, false, false, ex->thread(ex->self()).seq, loc);
    return v;
  }
  void store_nonatomic(T v, SL loc = SL::current()) {
    Execution* ex = detail::checked(*this);
    if (!ex) {
      v_ = v;
      return;
    }
    ex->schedule_point({OpKind::kNonatomicWrite, Access::kWrite, this, nullptr, nullptr, loc});
    detail::check_lifetime(*ex, *this, true, loc);
    v_ = v;
    ex->commit(this, OpKind::kNonatomicWrite, Access::kWrite, Acquire::kNone, loc);
    if (ex->history()) ex->describe_last(this, format_value(detail::to_bits(v)), {}, false);
    detail::check_race(*ex, *this, true, false, ex->thread(ex->self()).seq, loc);
  }

  // The value without an event: for wait predicates and end-of-test checks only.
  T peek() const { return v_; }
  // Sets the value without an event: for initialisation before threads exist.
  void init(T v) { v_ = v; }

 private:
  // An update that leaves the value as it was (setting a bit already set) only reads, for
  // the dependency relation, unless it releases anything: two such updates, or one and a
  // load, commute. Whether it will is predicted from the state while it is pending, as for a
  // compare-and-swap. It is still an atomic write for the data-race detector.
  template <typename F>
  T rmw(std::memory_order mo, SL loc, F f) {
    Execution* ex = detail::checked(*this);
    if (!ex) {
      T old = v_;
      v_ = f(old);
      return old;
    }
    const bool releases = detail::is_release(mo);
    // A relaxed update carries the thread's last release fence into the object's release
    // clock: it only reads if that adds nothing.
    const VectorClock& fence = ex->thread(ex->self()).fence_release;
    struct Prediction {
      const Execution* ex;
      const atomic* self;
      const F* f;
      const VectorClock* fence;
    } prediction{ex, this, &f, &fence};
    PendingOp op{OpKind::kRmw, Access::kWrite, this, nullptr, nullptr, loc};
    if (!releases) {
      op.would_write = [](const void* a) {
        auto* p = static_cast<const Prediction*>(a);
        return (*p->f)(p->self->v_) != p->self->v_ ||
               detail::release_adds(*p->ex, *p->self, *p->fence);
      };
      op.predict_arg = &prediction;
    }
    ex->schedule_point(op);
    detail::check_lifetime(*ex, *this, true, loc);
    const T old = v_;
    v_ = f(old);
    const bool writes = releases || v_ != old || detail::release_adds(*ex, *this, fence);
    ex->commit(this, OpKind::kRmw, writes ? Access::kWrite : Access::kRead, Acquire::kNone, loc);
    detail::check_race(*ex, *this, true, true, ex->thread(ex->self()).seq, loc);
    detail::acquire(*ex, *this, mo);
    detail::release(*ex, *this, mo, true);
    if (ex->history())
      ex->describe_last(
          this, format_value(detail::to_bits(old)) + " -> " + format_value(detail::to_bits(v_)), mo,
          true);
    return old;
  }

  T v_;
};

template <typename T>
class plain : public ObjectBase {
 public:
  using SL = std::source_location;
  explicit plain(T v = T{}, const char* name = nullptr) : ObjectBase(name, "plain"), v_(v) {}

  T load(SL loc = SL::current()) {
    if (Execution* ex = detail::checked(*this)) {
      detail::check_lifetime(*ex, *this, false, loc);
      detail::check_race(*ex, *this, false, false, ex->thread(ex->self()).seq + 1, loc);
      if (ex->history()) ex->log_invisible(this, OpKind::kPlainRead, text(v_), loc);
    }
    return v_;
  }
  void store(T v, SL loc = SL::current()) {
    if (Execution* ex = detail::checked(*this)) {
      detail::check_lifetime(*ex, *this, true, loc);
      detail::check_race(*ex, *this, true, false, ex->thread(ex->self()).seq + 1, loc);
      if (ex->history()) ex->log_invisible(this, OpKind::kPlainWrite, text(v), loc);
    }
    v_ = v;
  }
  T peek() const { return v_; }
  void init(T v) { v_ = v; }

 private:
  std::string text(const T& v) const {
    if constexpr (std::is_integral_v<T> || std::is_pointer_v<T> || std::is_enum_v<T>)
      return format_value(detail::to_bits(v));
    else
      return "";
  }
  T v_;
};

inline void fence(std::memory_order mo = std::memory_order_seq_cst,
                  std::source_location loc = std::source_location::current()) {
  Execution* ex = Execution::current();
  if (ex && !ex->aborting()) detail::fence(*ex, mo, loc);
}

}  // namespace mc
