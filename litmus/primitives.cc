// The one table of litmus primitives (READ_ONCE, smp_store_release, spin_lock, xchg, ...),
// each mapped onto the engine's instrumented operations.
#include "litmus/thread_context.h"

namespace litmus {

namespace {

// choose(n) takes at most this many values: each is a branch of the exploration.
constexpr int64_t kMaxChoices = 64;

// Wrapping arithmetic, as the kernel's atomics do.

using Run = std::function<int64_t(ThreadContext&, const Expr&)>;

struct OrderVariant {
  const char* suffix;
  std::memory_order mo;
};
// Fully ordered (no suffix) and the three weaker variants of a value-returning RMW.
constexpr OrderVariant kRmwVariants[] = {
    {"", kSeqCst}, {"_relaxed", kRelaxed}, {"_acquire", kAcquire}, {"_release", kRelease}};

enum class ArithOp { kAdd, kSub, kAnd, kOr, kXor, kAndNot };

int64_t apply(ArithOp op, int64_t a, int64_t b) {
  switch (op) {
    case ArithOp::kAdd:
      return s(u(a) + u(b));
    case ArithOp::kSub:
      return s(u(a) - u(b));
    case ArithOp::kAnd:
      return a & b;
    case ArithOp::kOr:
      return a | b;
    case ArithOp::kXor:
      return a ^ b;
    case ArithOp::kAndNot:
      return a & ~b;
  }
  return 0;
}

int64_t fetch(mc::atomic<int64_t>& c, ArithOp op, int64_t operand, std::memory_order mo) {
  switch (op) {
    case ArithOp::kAdd:
      return c.fetch_add(operand, mo);
    case ArithOp::kSub:
      return c.fetch_sub(operand, mo);
    case ArithOp::kAnd:
      return c.fetch_and(operand, mo);
    case ArithOp::kOr:
      return c.fetch_or(operand, mo);
    case ArithOp::kXor:
      return c.fetch_xor(operand, mo);
    case ArithOp::kAndNot:
      return c.fetch_and(~operand, mo);
  }
  return 0;
}

int64_t cmpxchg(mc::atomic<int64_t>& c, int64_t expected, int64_t desired, std::memory_order mo) {
  c.compare_exchange_strong(expected, desired, mo);
  return expected;  // the old value either way
}

// atomic_add_unless(v, a, u): adds a unless the value is u; returns whether it added.
int64_t add_unless(mc::atomic<int64_t>& c, int64_t a, int64_t unless) {
  int64_t old = c.load(kRelaxed);
  while (old != unless)
    if (c.compare_exchange_strong(old, s(u(old) + u(a)), kSeqCst)) return 1;
  return 0;
}

std::map<std::string, Primitive> build_registry() {
  std::map<std::string, Primitive> t;
  auto add = [&t](const std::string& name, int min_args, int max_args, Run run) {
    t[name] = Primitive{min_args, max_args, std::move(run)};
  };

  // Marked accesses.
  auto load = [&add](const char* name, std::memory_order mo) {
    add(name, 1, 1,
        [mo](ThreadContext& c, const Expr& e) { return c.load_lvalue(*e.operands[0], mo); });
  };
  auto store = [&add](const char* name, std::memory_order mo) {
    add(name, 2, 2, [mo](ThreadContext& c, const Expr& e) {
      c.store_lvalue(*e.operands[0], c.arg(e, 1), mo);
      return int64_t{0};
    });
  };
  load("READ_ONCE", kRelaxed);
  store("WRITE_ONCE", kRelaxed);
  load("rcu_dereference", kAcquire);  // consume, strengthened to acquire
  load("rcu_dereference_raw", kAcquire);
  load("srcu_dereference", kAcquire);
  store("rcu_assign_pointer", kRelease);
  add("smp_load_acquire", 1, 1,
      [](ThreadContext& c, const Expr& e) { return c.cell(*e.operands[0]).load(kAcquire); });
  add("smp_store_release", 2, 2, [](ThreadContext& c, const Expr& e) {
    const int64_t v = c.arg(e, 1);
    c.cell(*e.operands[0]).store(v, kRelease);
    return int64_t{0};
  });
  add("smp_store_mb", 2, 2, [](ThreadContext& c, const Expr& e) {
    c.store_lvalue(*e.operands[0], c.arg(e, 1), kRelaxed);
    mc::fence(kSeqCst);
    return int64_t{0};
  });

  // Fences (not scheduling points).
  auto fence = [&add](const char* name, std::memory_order mo) {
    add(name, 0, 0, [mo](ThreadContext&, const Expr&) {
      mc::fence(mo);
      return int64_t{0};
    });
  };
  fence("smp_mb", kSeqCst);
  fence("smp_rmb", kAcquire);
  fence("smp_wmb", kRelease);
  fence("smp_mb__before_atomic", kSeqCst);
  fence("smp_mb__after_atomic", kSeqCst);
  fence("smp_mb__after_spinlock", kSeqCst);
  fence("smp_mb__after_unlock_lock", kSeqCst);
  fence("smp_mb__after_srcu_read_unlock", kSeqCst);
  fence("barrier", kRelaxed);

  // xchg / cmpxchg on plain locations, atomic_xchg / atomic_cmpxchg on atomic_t.
  for (const OrderVariant& v : kRmwVariants) {
    const std::memory_order mo = v.mo;
    for (const std::string base : {"xchg", "atomic_xchg"})
      add(base + v.suffix, 2, 2, [mo](ThreadContext& c, const Expr& e) {
        const int64_t n = c.arg(e, 1);
        return c.cell(*e.operands[0]).exchange(n, mo);
      });
    for (const std::string base : {"cmpxchg", "atomic_cmpxchg"})
      add(base + v.suffix, 3, 3, [mo](ThreadContext& c, const Expr& e) {
        const int64_t expected = c.arg(e, 1), desired = c.arg(e, 2);
        return cmpxchg(c.cell(*e.operands[0]), expected, desired, mo);
      });
  }

  // atomic_t.
  add("atomic_read", 1, 1,
      [](ThreadContext& c, const Expr& e) { return c.cell(*e.operands[0]).load(kRelaxed); });
  add("atomic_read_acquire", 1, 1,
      [](ThreadContext& c, const Expr& e) { return c.cell(*e.operands[0]).load(kAcquire); });
  add("atomic_set", 2, 2, [](ThreadContext& c, const Expr& e) {
    const int64_t v = c.arg(e, 1);
    c.cell(*e.operands[0]).store(v, kRelaxed);
    return int64_t{0};
  });
  add("atomic_set_release", 2, 2, [](ThreadContext& c, const Expr& e) {
    const int64_t v = c.arg(e, 1);
    c.cell(*e.operands[0]).store(v, kRelease);
    return int64_t{0};
  });
  struct Op {
    const char* name;
    ArithOp op;
    bool has_operand;  // atomic_add(i, v) versus atomic_inc(v)
  };
  const Op ops[] = {{"add", ArithOp::kAdd, true},  {"sub", ArithOp::kSub, true},
                    {"inc", ArithOp::kAdd, false}, {"dec", ArithOp::kSub, false},
                    {"and", ArithOp::kAnd, true},  {"or", ArithOp::kOr, true},
                    {"xor", ArithOp::kXor, true},  {"andnot", ArithOp::kAndNot, true}};
  for (const Op& op : ops) {
    const ArithOp a = op.op;
    const bool has = op.has_operand;
    const int n = has ? 2 : 1;
    // Operand value and the atomic_t: atomic_add(i, v), atomic_inc(v).
    auto operand = [has](ThreadContext& c, const Expr& e) { return has ? c.arg(e, 0) : 1; };
    auto target = [has](ThreadContext& c, const Expr& e) -> mc::atomic<int64_t>& {
      return c.cell(*e.operands[has ? 1 : 0]);
    };
    // Void form: unordered.
    add(std::string("atomic_") + op.name, n, n, [=](ThreadContext& c, const Expr& e) {
      const int64_t i = operand(c, e);
      fetch(target(c, e), a, i, kRelaxed);
      return int64_t{0};
    });
    for (const OrderVariant& v : kRmwVariants) {
      const std::memory_order mo = v.mo;
      if (a == ArithOp::kAdd || a == ArithOp::kSub)
        add(std::string("atomic_") + op.name + "_return" + v.suffix, n, n,
            [=](ThreadContext& c, const Expr& e) {
              const int64_t i = operand(c, e);
              return apply(a, fetch(target(c, e), a, i, mo), i);
            });
      add(std::string("atomic_fetch_") + op.name + v.suffix, n, n,
          [=](ThreadContext& c, const Expr& e) {
            const int64_t i = operand(c, e);
            return fetch(target(c, e), a, i, mo);
          });
    }
    if (a == ArithOp::kAdd || a == ArithOp::kSub)
      add(std::string("atomic_") + op.name + "_and_test", n, n,
          [=](ThreadContext& c, const Expr& e) {
            const int64_t i = operand(c, e);
            return int64_t{apply(a, fetch(target(c, e), a, i, kSeqCst), i) == 0};
          });
  }
  for (const OrderVariant& v : kRmwVariants) {
    const std::memory_order mo = v.mo;
    add(std::string("atomic_add_negative") + v.suffix, 2, 2, [mo](ThreadContext& c, const Expr& e) {
      const int64_t i = c.arg(e, 0);
      return int64_t{s(u(c.cell(*e.operands[1]).fetch_add(i, mo)) + u(i)) < 0};
    });
  }
  add("atomic_add_unless", 3, 3, [](ThreadContext& c, const Expr& e) {
    const int64_t a = c.arg(e, 1), unless = c.arg(e, 2);
    return add_unless(c.cell(*e.operands[0]), a, unless);
  });
  add("atomic_inc_not_zero", 1, 1,
      [](ThreadContext& c, const Expr& e) { return add_unless(c.cell(*e.operands[0]), 1, 0); });

  // Spinlocks.
  add("spin_lock", 1, 1, [](ThreadContext& c, const Expr& e) {
    c.lock(*e.operands[0]).lock();
    return int64_t{0};
  });
  add("spin_unlock", 1, 1, [](ThreadContext& c, const Expr& e) {
    c.lock(*e.operands[0]).unlock();
    return int64_t{0};
  });
  add("spin_trylock", 1, 1,
      [](ThreadContext& c, const Expr& e) { return int64_t{c.lock(*e.operands[0]).try_lock()}; });
  add("spin_is_locked", 1, 1,
      [](ThreadContext& c, const Expr& e) { return int64_t{c.lock(*e.operands[0]).is_locked()}; });

  // RCU and SRCU.
  add("rcu_read_lock", 0, 0, [](ThreadContext& c, const Expr&) {
    c.read_lock(0);
    return int64_t{0};
  });
  add("rcu_read_unlock", 0, 0, [](ThreadContext& c, const Expr& e) {
    c.read_unlock(e, 0);
    return int64_t{0};
  });
  for (const char* name : {"synchronize_rcu", "synchronize_rcu_expedited"})
    add(name, 0, 0, [](ThreadContext& c, const Expr& e) {
      c.synchronize(e, 0);
      return int64_t{0};
    });
  // srcu_down_read / srcu_up_read are srcu_read_lock / srcu_read_unlock whose section may end
  // in another thread (the kernel's memory model defines the pairs alike).
  for (const char* name : {"srcu_read_lock", "srcu_down_read"})
    add(name, 1, 1, [](ThreadContext& c, const Expr& e) {
      c.read_lock(c.srcu_domain(*e.operands[0]));
      return int64_t{0};
    });
  for (const char* name : {"srcu_read_unlock", "srcu_up_read"})
    add(name, 2, 2, [](ThreadContext& c, const Expr& e) {
      const int64_t idx = c.arg(e, 1);
      c.read_unlock(e, c.srcu_domain(*e.operands[0]), idx);
      return int64_t{0};
    });
  for (const char* name : {"synchronize_srcu", "synchronize_srcu_expedited"})
    add(name, 1, 1, [](ThreadContext& c, const Expr& e) {
      c.synchronize(e, c.srcu_domain(*e.operands[0]));
      return int64_t{0};
    });

  // A nondeterministic choice: the exploration tries every value (a callback that may fail
  // once, an allocation that may fail).
  add("choose", 1, 1, [](ThreadContext& c, const Expr& e) {
    const int64_t n = c.arg(e, 0);
    if (n < 1 || n > kMaxChoices)
      c.fail(e.loc, "choose(" + std::to_string(n) + "): expected between 1 and " +
                        std::to_string(kMaxChoices) + " choices");
    return int64_t{mc::choose(static_cast<uint32_t>(n))};
  });
  // The kernel's own checks. A BUG oopses: the thread exits, as the task would. A WARN
  // reports and the kernel goes on, so these return the condition; the checker counts the
  // warning as a finding all the same, and with --all-findings the thread goes on past it.
  for (const char* name : {"BUG_ON", "VM_BUG_ON"})
    add(name, 1, 1, [name](ThreadContext& c, const Expr& e) {
      if (c.arg(e, 0))
        c.check_failed(name, "kernel BUG at " + e.loc.to_string() + "!\n" + name + "(" +
                                 quoted_text(*e.operands[0]) + ")");
      return int64_t{0};
    });
  for (const char* name : {"WARN_ON", "WARN_ON_ONCE", "VM_WARN_ON", "VM_WARN_ON_ONCE"})
    add(name, 1, 1, [name](ThreadContext& c, const Expr& e) {
      const int64_t cond = c.arg(e, 0);
      if (cond)
        c.warned(name, "WARNING: at " + e.loc.to_string() + ": " + name + "(" +
                           quoted_text(*e.operands[0]) + ")");
      return int64_t{cond != 0};
    });
  return t;
}

}  // namespace

const std::map<std::string, Primitive>& primitives() {
  static const std::map<std::string, Primitive> table = build_registry();
  return table;
}

}  // namespace litmus
