// Litmus interpreter: binding, the primitive registry, the model threads, and the verdict.
#include "litmus/interpreter.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "checker/mc.h"

namespace litmus {

std::string BindError::to_string() const { return loc.to_string() + ": " + message; }

std::string Compiled::error_text() const {
  std::string s;
  for (const BindError& e : errors) s += e.to_string() + "\n";
  return s;
}

int64_t address_of(size_t location_index) {
  return static_cast<int64_t>((static_cast<uint64_t>(location_index) + 1) << 32);
}

std::optional<size_t> Program::find_location(const std::string& name) const {
  auto it = location_index.find(name);
  if (it == location_index.end()) return std::nullopt;
  return it->second;
}

namespace {

std::optional<size_t> location_of_address(int64_t value, size_t count) {
  const uint64_t v = static_cast<uint64_t>(value);
  if ((v & 0xffffffffu) != 0) return std::nullopt;
  const uint64_t i = v >> 32;
  if (i == 0 || i > count) return std::nullopt;
  return static_cast<size_t>(i - 1);
}

}  // namespace

std::string Program::value_text(int64_t value) const {
  if (auto i = location_of_address(value, locations.size())) return locations[*i].name;
  return std::to_string(value);
}

// ---------------------------------------------------------------------------------------------
// Runtime state of one execution

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;
constexpr auto kSeqCst = std::memory_order_seq_cst;

struct Shared {
  const Program& program;
  std::vector<std::unique_ptr<mc::atomic<int64_t>>> cells;  // null for locks
  std::vector<std::unique_ptr<mc::spinlock>> locks;         // null for values
  // Grace-period state, [domain][thread]: odd while the thread is inside a read-side critical
  // section of that domain (0: RCU, k + 1: the k-th srcu_struct). Written only by its thread.
  std::vector<std::vector<std::unique_ptr<mc::atomic<int64_t>>>> readers;
  std::vector<std::map<std::string, int64_t>> final_registers;
  World* world = nullptr;  // model objects, when the test uses them
};

}  // namespace

class ThreadContext {
 public:
  // tid < 0: the setup thread running the init block's calls (model functions only).
  ThreadContext(Shared& shared, int tid) : shared_(shared), tid_(tid) {
    if (tid < 0) return;
    const Program& p = shared.program;
    for (const Param& param : p.test->threads[tid].params)
      if (auto i = p.find_location(param.name)) locals_[param.name] = address_of(*i);
    for (const auto& [name, value] : p.register_init[tid]) locals_[name] = value;
    rcu_nesting_.assign(shared.readers.size(), 0);
    rcu_seq_.assign(shared.readers.size(), 0);
  }

  void run() {
    exec(*shared_.program.test->threads[tid_].body);
    shared_.final_registers[tid_] = locals_;
  }

  [[noreturn]] void fail(const SourceLoc& loc, const std::string& message) {
    mc::violation("litmus", loc.to_string() + ": " + message);
    std::abort();  // not reached: violation unwinds the model thread
  }

  int64_t eval(const Expr& e);
  int64_t arg(const Expr& call, size_t i) { return eval(*call.operands[i]); }

  // A call of a modelled kernel function (litmus/bindings.h).
  int64_t call_model(const ModelFunction& f, const Expr& e) {
    if (!shared_.world) fail(e.loc, "no model objects for " + f.name);
    Call c{*shared_.world, f, {}, e.loc};
    for (const ExprPtr& a : e.operands) c.args.push_back(eval(*a));
    return f.run(c);
  }

  // The location a pointer-valued argument points to (`x` in smp_load_acquire(x)).
  size_t pointer(const Expr& e) {
    const int64_t v = eval(e);
    auto i = location_of_address(v, shared_.program.locations.size());
    if (!i)
      fail(e.loc, "'" + to_string(e) + "' is not a pointer to a shared location (value " +
                      std::to_string(v) + ")");
    return *i;
  }
  mc::atomic<int64_t>& cell_at(const Expr& e, size_t i) {
    if (!shared_.cells[i])
      fail(e.loc, "'" + shared_.program.locations[i].name + "' is not an integer location");
    return *shared_.cells[i];
  }
  mc::atomic<int64_t>& cell(const Expr& pointer_expr) {
    return cell_at(pointer_expr, pointer(pointer_expr));
  }
  mc::spinlock& lock(const Expr& e) {
    const size_t i = pointer(e);
    if (!shared_.locks[i])
      fail(e.loc, "'" + shared_.program.locations[i].name + "' is not a spinlock_t");
    return *shared_.locks[i];
  }
  // An lvalue argument as in READ_ONCE(*x): the location `*p` designates.
  mc::atomic<int64_t>& lvalue_cell(const Expr& e) {
    if (e.kind == ExprKind::kUnary && e.unary_op == UnaryOp::kDeref) return cell(*e.operands[0]);
    fail(e.loc, "expected '*pointer', found '" + to_string(e) + "'");
  }

  // Reads or writes an lvalue: a local (register) or `*p`. A marked access (READ_ONCE, ...)
  // is atomic with `mo`; a plain C access (`*p = 1`, `r = *p`, `*p += 1`) is a non-atomic
  // access of the location: still a scheduling point (every interleaving is explored), and
  // checked by the engine's data-race detector, as LKMM's plain accesses.
  int64_t load_lvalue(const Expr& e, std::memory_order mo) {
    if (e.kind == ExprKind::kIdentifier) return local(e);
    return lvalue_cell(e).load(mo);
  }
  void store_lvalue(const Expr& e, int64_t v, std::memory_order mo) {
    if (e.kind == ExprKind::kIdentifier) {
      locals_[e.name] = v;
      return;
    }
    lvalue_cell(e).store(v, mo);
  }
  int64_t plain_load(const Expr& e) {
    if (e.kind == ExprKind::kIdentifier) return local(e);
    return lvalue_cell(e).load_nonatomic();
  }
  void plain_store(const Expr& e, int64_t v) {
    if (e.kind == ExprKind::kIdentifier) {
      locals_[e.name] = v;
      return;
    }
    lvalue_cell(e).store_nonatomic(v);
  }

  // RCU and SRCU read-side critical sections and grace periods.
  size_t srcu_domain(const Expr& e) {
    const size_t i = pointer(e);
    const auto& d = shared_.program.srcu_domains;
    for (size_t k = 0; k < d.size(); ++k)
      if (d[k] == i) return k + 1;
    fail(e.loc, "'" + shared_.program.locations[i].name + "' is not a struct srcu_struct");
  }
  void read_lock(size_t domain) {
    if (rcu_nesting_[domain]++ == 0)
      shared_.readers[domain][tid_]->store(++rcu_seq_[domain], kRelaxed);
  }
  void read_unlock(const Expr& call, size_t domain) {
    if (rcu_nesting_[domain] == 0) fail(call.loc, "unlock outside a read-side critical section");
    if (--rcu_nesting_[domain] == 0)
      shared_.readers[domain][tid_]->store(++rcu_seq_[domain], kRelease);
  }
  void synchronize(const Expr& call, size_t domain) {
    if (rcu_nesting_[domain] != 0)
      fail(call.loc, "grace period waited for inside a read-side critical section");
    mc::fence(kSeqCst);
    auto& states = shared_.readers[domain];
    for (size_t t = 0; t < states.size(); ++t) {
      if (static_cast<int>(t) == tid_) continue;
      mc::atomic<int64_t>& s = *states[t];
      const int64_t seen = s.load(kAcquire);
      if (seen % 2 == 1) mc::await(s, [&s, seen] { return s.peek() != seen; });
    }
    mc::fence(kSeqCst);
  }

 private:
  enum class Flow { kNormal, kBreak, kContinue, kReturn };

  int64_t local(const Expr& e) {
    auto it = locals_.find(e.name);
    if (it != locals_.end()) return it->second;
    if (auto i = shared_.program.find_location(e.name)) return address_of(*i);
    fail(e.loc, "unknown identifier '" + e.name + "'");
  }

  Flow exec(const Stmt& s);
  Flow loop(const Stmt& s);
  int64_t assign(const Expr& e);
  int64_t step(const Expr& e);
  int64_t binary(const Expr& e);

  Shared& shared_;
  int tid_;
  std::map<std::string, int64_t> locals_;
  std::vector<int> rcu_nesting_;
  std::vector<int64_t> rcu_seq_;
};

namespace {

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
int64_t s(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

ThreadContext::Flow ThreadContext::exec(const Stmt& st) {
  switch (st.kind) {
    case StmtKind::kDeclaration:
      for (const Declarator& d : st.declarators)
        locals_[d.name] = d.initializer ? eval(*d.initializer) : 0;
      return Flow::kNormal;
    case StmtKind::kExpression:
      eval(*st.expr);
      return Flow::kNormal;
    case StmtKind::kIf:
      if (eval(*st.expr) != 0) return exec(*st.body);
      if (st.else_branch) return exec(*st.else_branch);
      return Flow::kNormal;
    case StmtKind::kWhile:
    case StmtKind::kFor:
      return loop(st);
    case StmtKind::kBlock:
      for (const StmtPtr& c : st.statements) {
        const Flow f = exec(*c);
        if (f != Flow::kNormal) return f;
      }
      return Flow::kNormal;
    case StmtKind::kReturn:
      if (st.expr) eval(*st.expr);
      return Flow::kReturn;
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
    case StmtKind::kEmpty:
      return Flow::kNormal;
  }
  return Flow::kNormal;
}

ThreadContext::Flow ThreadContext::loop(const Stmt& st) {
  if (st.kind == StmtKind::kFor && st.init) exec(*st.init);
  for (int iterations = 0;; ++iterations) {
    if (st.expr && eval(*st.expr) == 0) return Flow::kNormal;
    if (iterations >= kLoopBound)
      fail(st.loc, "loop exceeded " + std::to_string(kLoopBound) + " iterations");
    const Flow f = exec(*st.body);
    if (f == Flow::kBreak) return Flow::kNormal;
    if (f == Flow::kReturn) return f;
    if (st.kind == StmtKind::kFor && st.step) eval(*st.step);
  }
}

int64_t ThreadContext::binary(const Expr& e) {
  const BinaryOp op = e.binary_op;
  if (op == BinaryOp::kLogicalAnd) return eval(*e.operands[0]) != 0 && eval(*e.operands[1]) != 0;
  if (op == BinaryOp::kLogicalOr) return eval(*e.operands[0]) != 0 || eval(*e.operands[1]) != 0;
  const int64_t a = eval(*e.operands[0]);
  const int64_t b = eval(*e.operands[1]);
  switch (op) {
    case BinaryOp::kMul:
      return s(u(a) * u(b));
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      if (b == 0 || (b == -1 && a == INT64_MIN)) fail(e.loc, "division by zero or overflow");
      return op == BinaryOp::kDiv ? a / b : a % b;
    case BinaryOp::kAdd:
      return s(u(a) + u(b));
    case BinaryOp::kSub:
      return s(u(a) - u(b));
    case BinaryOp::kShiftLeft:
    case BinaryOp::kShiftRight:
      if (b < 0 || b > 63) fail(e.loc, "shift count out of range");
      return op == BinaryOp::kShiftLeft ? s(u(a) << b) : a >> b;
    case BinaryOp::kLess:
      return a < b;
    case BinaryOp::kLessEqual:
      return a <= b;
    case BinaryOp::kGreater:
      return a > b;
    case BinaryOp::kGreaterEqual:
      return a >= b;
    case BinaryOp::kEqual:
      return a == b;
    case BinaryOp::kNotEqual:
      return a != b;
    case BinaryOp::kBitAnd:
      return a & b;
    case BinaryOp::kBitXor:
      return a ^ b;
    case BinaryOp::kBitOr:
      return a | b;
    case BinaryOp::kLogicalAnd:
    case BinaryOp::kLogicalOr:
      break;
  }
  return 0;
}

int64_t ThreadContext::assign(const Expr& e) {
  const Expr& target = *e.operands[0];
  int64_t v = eval(*e.operands[1]);
  if (e.compound_op) {
    const int64_t old = plain_load(target);
    const int64_t a = old, b = v;
    switch (*e.compound_op) {
      case BinaryOp::kAdd:
        v = s(u(a) + u(b));
        break;
      case BinaryOp::kSub:
        v = s(u(a) - u(b));
        break;
      case BinaryOp::kMul:
        v = s(u(a) * u(b));
        break;
      case BinaryOp::kBitAnd:
        v = a & b;
        break;
      case BinaryOp::kBitOr:
        v = a | b;
        break;
      case BinaryOp::kBitXor:
        v = a ^ b;
        break;
      case BinaryOp::kDiv:
      case BinaryOp::kMod:
        if (b == 0 || (b == -1 && a == INT64_MIN)) fail(e.loc, "division by zero or overflow");
        v = *e.compound_op == BinaryOp::kDiv ? a / b : a % b;
        break;
      case BinaryOp::kShiftLeft:
      case BinaryOp::kShiftRight:
        if (b < 0 || b > 63) fail(e.loc, "shift count out of range");
        v = *e.compound_op == BinaryOp::kShiftLeft ? s(u(a) << b) : a >> b;
        break;
      default:
        fail(e.loc, "unsupported compound assignment");
    }
  }
  plain_store(target, v);
  return v;
}

int64_t ThreadContext::step(const Expr& e) {
  const Expr& target = *e.operands[0];
  const int64_t old = plain_load(target);
  const bool inc = e.unary_op == UnaryOp::kPreIncrement || e.unary_op == UnaryOp::kPostIncrement;
  const int64_t now = s(inc ? u(old) + 1 : u(old) - 1);
  plain_store(target, now);
  const bool pre = e.unary_op == UnaryOp::kPreIncrement || e.unary_op == UnaryOp::kPreDecrement;
  return pre ? now : old;
}

int64_t ThreadContext::eval(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kInteger:
      return e.integer;
    case ExprKind::kIdentifier:
      return local(e);
    case ExprKind::kUnary: {
      const Expr& a = *e.operands[0];
      switch (e.unary_op) {
        case UnaryOp::kDeref:
          return cell(a).load_nonatomic();  // plain access: race-checked
        case UnaryOp::kAddressOf:
          if (a.kind == ExprKind::kUnary && a.unary_op == UnaryOp::kDeref)
            return eval(*a.operands[0]);
          if (a.kind == ExprKind::kIdentifier)
            if (auto i = shared_.program.find_location(a.name)) return address_of(*i);
          fail(e.loc, "cannot take the address of '" + to_string(a) + "'");
        case UnaryOp::kLogicalNot:
          return eval(a) == 0;
        case UnaryOp::kBitNot:
          return ~eval(a);
        case UnaryOp::kNegate:
          return s(0 - u(eval(a)));
        case UnaryOp::kPlus:
          return eval(a);
        case UnaryOp::kPreIncrement:
        case UnaryOp::kPreDecrement:
        case UnaryOp::kPostIncrement:
        case UnaryOp::kPostDecrement:
          return step(e);
      }
      return 0;
    }
    case ExprKind::kBinary:
      return binary(e);
    case ExprKind::kAssign:
      return assign(e);
    case ExprKind::kConditional:
      return eval(*e.operands[0]) != 0 ? eval(*e.operands[1]) : eval(*e.operands[2]);
    case ExprKind::kCall: {
      const auto& table = primitives();
      auto it = table.find(e.name);
      if (it != table.end()) return it->second.run(*this, e);
      if (const ModelFunction* f = model_bindings().function(e.name)) return call_model(*f, e);
      fail(e.loc, "unknown function " + e.name);
    }
    case ExprKind::kCast:
      return eval(*e.operands[0]);
    case ExprKind::kMember:
    case ExprKind::kIndex:
      break;
  }
  fail(e.loc, "unsupported expression '" + to_string(e) + "'");
}

// ---------------------------------------------------------------------------------------------
// The registry

namespace {

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
  add("atomic_add_negative", 2, 2, [](ThreadContext& c, const Expr& e) {
    const int64_t i = c.arg(e, 0);
    return int64_t{s(u(c.cell(*e.operands[1]).fetch_add(i, kSeqCst)) + u(i)) < 0};
  });
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
  add("srcu_read_lock", 1, 1, [](ThreadContext& c, const Expr& e) {
    c.read_lock(c.srcu_domain(*e.operands[0]));
    return int64_t{0};
  });
  add("srcu_read_unlock", 2, 2, [](ThreadContext& c, const Expr& e) {
    c.arg(e, 1);
    c.read_unlock(e, c.srcu_domain(*e.operands[0]));
    return int64_t{0};
  });
  add("synchronize_srcu", 1, 1, [](ThreadContext& c, const Expr& e) {
    c.synchronize(e, c.srcu_domain(*e.operands[0]));
    return int64_t{0};
  });
  return t;
}

}  // namespace

const std::map<std::string, Primitive>& primitives() {
  static const std::map<std::string, Primitive> table = build_registry();
  return table;
}

// ---------------------------------------------------------------------------------------------
// Binding

namespace {

class Binder {
 public:
  Binder(Program& p, std::vector<BindError>& errors) : p_(p), errors_(errors) {}

  void error(const SourceLoc& loc, std::string message) {
    errors_.push_back({loc, std::move(message)});
  }

  size_t declare(const std::string& name, const SourceLoc& loc, const TypeName* type) {
    auto it = p_.location_index.find(name);
    size_t i;
    if (it != p_.location_index.end()) {
      i = it->second;
    } else {
      i = p_.locations.size();
      p_.location_index[name] = i;
      Location l;
      l.name = name;
      l.loc = loc;
      p_.locations.push_back(std::move(l));
    }
    if (type && type->base == "spinlock_t") p_.locations[i].kind = Location::Kind::kSpinlock;
    if (type) {
      if (const ObjectType* ot = model_bindings().type(type->base)) {
        Location& l = p_.locations[i];
        if (l.kind != Location::Kind::kObject && it != p_.location_index.end())
          error(loc, "'" + name + "' declared as " + type->text() + " and as a plain location");
        l.kind = Location::Kind::kObject;
        l.object_type = ot->type;
        l.object_kind = ot->kind;
        p_.uses_model = true;
      }
    }
    if (type && type->base.find("srcu_struct") != std::string::npos)
      p_.locations[i].kind = Location::Kind::kSrcu;
    return i;
  }

  void check_expr(const Expr& e) {
    if (e.kind == ExprKind::kMember || e.kind == ExprKind::kIndex) {
      error(e.loc, "unsupported expression '" + to_string(e) + "' (no structs or arrays)");
      return;
    }
    if (e.kind == ExprKind::kCall) {
      const auto& table = primitives();
      auto it = table.find(e.name);
      if (it == table.end()) {
        if (const ModelFunction* f = model_bindings().function(e.name))
          check_model_call(*f, e);
        else
          error(e.loc, "unknown function '" + e.name +
                           "': expected a kernel primitive (READ_ONCE, spin_lock, ...) or a "
                           "modelled function (migcheck litmus-functions lists them)");
      } else {
        const int n = static_cast<int>(e.operands.size());
        if (n < it->second.min_args || n > it->second.max_args)
          error(e.loc, e.name + " takes " + std::to_string(it->second.min_args) +
                           (it->second.max_args != it->second.min_args
                                ? "-" + std::to_string(it->second.max_args)
                                : "") +
                           " argument(s), given " + std::to_string(n));
      }
    }
    if (e.kind == ExprKind::kAssign ||
        ((e.kind == ExprKind::kUnary) &&
         (e.unary_op == UnaryOp::kPreIncrement || e.unary_op == UnaryOp::kPreDecrement ||
          e.unary_op == UnaryOp::kPostIncrement || e.unary_op == UnaryOp::kPostDecrement))) {
      const Expr& t = *e.operands[0];
      const bool ok = t.kind == ExprKind::kIdentifier ||
                      (t.kind == ExprKind::kUnary && t.unary_op == UnaryOp::kDeref);
      if (!ok) error(t.loc, "cannot assign to '" + to_string(t) + "'");
    }
    for (const ExprPtr& o : e.operands)
      if (o) check_expr(*o);
  }

  // The name an argument designates, for kind checks: `x` or `&x`.
  const Location* named_location(const Expr& a) const {
    const Expr* e = &a;
    if (e->kind == ExprKind::kUnary && e->unary_op == UnaryOp::kAddressOf) e = e->operands[0].get();
    if (e->kind != ExprKind::kIdentifier) return nullptr;
    auto i = p_.find_location(e->name);
    return i ? &p_.locations[*i] : nullptr;
  }

  void check_model_call(const ModelFunction& f, const Expr& e) {
    p_.uses_model = true;
    const size_t n = e.operands.size();
    if (n != f.params.size()) {
      error(e.loc, f.name + " takes " + std::to_string(f.params.size()) + " argument(s) (" +
                       signature(f) + "), given " + std::to_string(n));
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      const Expr& a = *e.operands[i];
      const ArgKind want = f.params[i];
      const std::string which = f.name + " argument " + std::to_string(i + 1);
      if (want == ArgKind::kInt) {
        if (const Location* l = named_location(a); l && l->kind == Location::Kind::kObject)
          error(a.loc,
                which + ": expected an integer, found '" + l->name + "' (" + l->object_type + ")");
        continue;
      }
      if (a.kind == ExprKind::kInteger && a.integer != 0) {
        error(a.loc, which + ": expected " + std::string(to_string(want)) + ", found the integer " +
                         std::to_string(a.integer));
        continue;
      }
      const Location* l = named_location(a);
      if (!l) continue;  // a register: checked when the call runs
      if (l->kind != Location::Kind::kObject)
        error(a.loc, which + ": expected " + std::string(to_string(want)) + ", found '" + l->name +
                         "' (not a model object)");
      else if (l->object_kind != want)
        error(a.loc, which + ": expected " + std::string(to_string(want)) + ", found '" + l->name +
                         "' (" + l->object_type + ")");
    }
  }

  static std::string signature(const ModelFunction& f) {
    std::string s = f.name + "(";
    for (size_t i = 0; i < f.params.size(); ++i)
      s += (i ? ", " : "") + std::string(to_string(f.params[i]));
    return s + ")";
  }

  // Header settings the models read (kernel=, bug=) and the Expect lines.
  void bind_settings(const std::map<std::string, std::string>& overrides) {
    const Test& test = *p_.test;
    const Bindings& bn = model_bindings();
    for (const ModelSetting& ms : bn.settings()) {
      std::string value = ms.fallback;
      SourceLoc at = test.loc;
      std::string origin = "--set ";
      if (auto it = test.settings.find(ms.key); it != test.settings.end()) {
        value = it->second;
        if (auto l = test.setting_locs.find(ms.key); l != test.setting_locs.end()) at = l->second;
        origin = "";
      }
      if (auto it = overrides.find(ms.key); it != overrides.end()) {
        // The file's list is still checked: an override picks one value of a valid file.
        if (origin.empty() && ms.list && !check_values(ms, value, at, origin)) continue;
        value = it->second;
        at = test.loc;
        origin = "--set ";
      }
      const std::vector<std::string> values = setting_values(ms, value);
      if (!ms.list && values.size() != 1) {
        error(at, origin + ms.key + "=" + value + ": one value expected");
        continue;
      }
      if (!check_values(ms, value, at, origin)) continue;
      p_.settings[ms.key] = values.front();
    }
    const ModelSetting* kernel = bn.setting("kernel");
    const ModelSetting* bug = bn.setting("bug");
    for (const FindingExpectation& fe : test.expected_findings) {
      if (!fe.bug.empty() && bug && !contains(bug->choices, fe.bug))
        error(fe.loc, "Expect: unknown bug '" + fe.bug + "' (expected " + join(bug->choices) + ")");
      if (!fe.bug.empty() && !bug)
        error(fe.loc, "Expect bug=" + fe.bug + ": the bindings have no 'bug' setting");
      for (const std::string& entry : fe.kernels) {
        const size_t dots = entry.find("..");
        for (const std::string& k :
             dots == std::string::npos
                 ? std::vector<std::string>{entry}
                 : std::vector<std::string>{entry.substr(0, dots), entry.substr(dots + 2)})
          if (kernel && !contains(kernel->choices, k))
            error(fe.loc, "Expect: unknown kernel version '" + k + "' (expected " +
                              join(kernel->choices) + ", or a range such as 4.10..5.17)");
      }
    }
    p_.expected_findings = expected_findings(
        test, p_.settings["kernel"], p_.settings.count("bug") ? p_.settings["bug"] : "none");
    // herd's `Result: ... DATARACE`: the plain accesses race; with no Expect line, that data
    // race is the finding the exploration must produce (it stops there: the outcome part of
    // the Result is then not checked).
    if (test.expected_findings.empty() && test.expected_data_race)
      p_.expected_findings = {"data-race"};
  }

  static bool contains(const std::vector<std::string>& v, const std::string& x) {
    for (const std::string& y : v)
      if (x == y) return true;
    return false;
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  bool check_values(const ModelSetting& ms, const std::string& value, const SourceLoc& at,
                    const std::string& origin) {
    bool ok = true;
    for (const std::string& v : setting_values(ms, value)) {
      if (contains(ms.choices, v)) continue;
      error(at, origin + ms.key + "=" + value + ": unknown " +
                    (ms.key == "kernel" ? std::string("kernel version") : ms.key) + " '" + v +
                    "' (expected " + (ms.list ? "a comma-separated list of " : "one of ") +
                    join(ms.choices) + (ms.list ? ", or all" : "") + ")");
      ok = false;
    }
    return ok;
  }

  void bind_objects() {
    const Bindings& bn = model_bindings();
    std::map<std::string, int> counts;
    for (const InitEntry& e : p_.test->init) {
      if (e.call || e.thread || !e.type) continue;
      const ObjectType* ot = bn.type(e.type->base);
      if (!ot) continue;
      if (e.type->is_pointer()) {
        error(e.loc, "declare the object itself ('" + ot->type + " " + e.name +
                         ";'); threads take it as '" + ot->type + " *" + e.name + "'");
        continue;
      }
      Location& l = p_.locations[p_.location_index[e.name]];
      if (e.value.kind == InitValue::Kind::kMacro && ot->check_macro) {
        const std::string problem = ot->check_macro(e.value);
        if (!problem.empty()) {
          error(e.value.loc, ot->type + " " + e.name + ": " + problem);
          continue;
        }
        l.object_init = e.value;
      } else if (e.value.kind != InitValue::Kind::kNone) {
        const bool named = e.value.kind == InitValue::Kind::kAddress && !e.value.ampersand;
        if (!named || !contains(ot->initialisers, e.value.symbol)) {
          error(e.value.loc,
                ot->type + " " + e.name + ": " +
                    (ot->initialisers.empty() ? std::string("takes no initialiser")
                                              : "expected one of " + join(ot->initialisers)));
          continue;
        }
        l.object_init = e.value;
      }
      if (ot->max_count && ++counts[ot->type] > ot->max_count)
        error(e.loc, "at most " + std::to_string(ot->max_count) + " declarations of " + ot->type);
    }
    for (const InitEntry& e : p_.test->init) {
      if (!e.call) continue;
      const Expr& c = *e.call;
      if (!bn.function(c.name)) {
        error(c.loc, primitives().count(c.name)
                         ? "'" + c.name +
                               "' cannot run in the initial state: setup calls are modelled "
                               "kernel functions (give plain locations their value: 'x = 1;')"
                         : "unknown function '" + c.name +
                               "': expected a modelled function (migcheck litmus-functions "
                               "lists them)");
        continue;
      }
      check_expr(c);
      for (const ExprPtr& a : c.operands)
        if (a->kind == ExprKind::kIdentifier && !p_.find_location(a->name))
          error(a->loc, "unknown name '" + a->name + "' in a setup call");
      p_.setup_calls.push_back(&c);
    }
  }

  void check_stmt(const Stmt& s) {
    for (const Declarator& d : s.declarators) {
      if (d.array_size) error(d.loc, "arrays are not supported");
      if (d.initializer) check_expr(*d.initializer);
    }
    if (s.expr) check_expr(*s.expr);
    if (s.init) check_stmt(*s.init);
    if (s.step) check_expr(*s.step);
    if (s.body) check_stmt(*s.body);
    if (s.else_branch) check_stmt(*s.else_branch);
    for (const StmtPtr& c : s.statements) check_stmt(*c);
  }

  // Register names a thread declares anywhere (parameters, declarations, initial state).
  void collect_names(const Stmt& s, std::set<std::string>& names) {
    for (const Declarator& d : s.declarators) names.insert(d.name);
    if (s.init) collect_names(*s.init, names);
    if (s.body) collect_names(*s.body, names);
    if (s.else_branch) collect_names(*s.else_branch, names);
    for (const StmtPtr& c : s.statements) collect_names(*c, names);
  }

  void observe(const LocationRef& ref, const std::vector<std::set<std::string>>& registers) {
    if (ref.thread) {
      const int t = *ref.thread;
      if (t < 0 || t >= static_cast<int>(registers.size())) {
        error(ref.loc, "no thread P" + std::to_string(t));
        return;
      }
      if (!registers[t].count(ref.name)) {
        error(ref.loc, "P" + std::to_string(t) + " has no register '" + ref.name + "'");
        return;
      }
    } else if (!p_.find_location(ref.name)) {
      error(ref.loc, "unknown location '" + ref.name + "'");
      return;
    } else if (p_.locations[*p_.find_location(ref.name)].kind == Location::Kind::kObject) {
      error(ref.loc, "'" + ref.name +
                         "' is a model object: a condition observes integer locations and "
                         "registers (compare a register with it instead: '1:r0=" +
                         ref.name + "')");
      return;
    }
    const std::string text = ref.text();
    for (const std::string& o : p_.observed)
      if (o == text) return;
    p_.observed.push_back(text);
    p_.observed_refs.push_back(ref);
  }

  void observe_condition(const Condition& c, const std::vector<std::set<std::string>>& regs) {
    if (c.kind == CondKind::kCompare) {
      observe(c.lhs, regs);
      if (c.rhs.kind == CondValue::Kind::kLocation) observe(c.rhs.location, regs);
      if (c.rhs.kind == CondValue::Kind::kAddress && !p_.find_location(c.rhs.location.name))
        error(c.rhs.loc, "unknown location '" + c.rhs.location.name + "'");
    }
    for (const CondPtr& o : c.operands)
      if (o) observe_condition(*o, regs);
  }

  void bind(const std::map<std::string, std::string>& overrides) {
    const Test& test = *p_.test;
    bind_settings(overrides);
    // Shared locations: the initial state, then thread parameters.
    for (const InitEntry& e : test.init) {
      if (e.thread || e.call) continue;
      declare(e.name, e.loc, e.type ? &*e.type : nullptr);
      if (e.array_size) error(e.loc, "arrays are not supported");
    }
    for (const Thread& t : test.threads)
      for (const Param& param : t.params) declare(param.name, param.loc, &param.type);
    // Pointers to locations named only by an initialiser.
    for (const InitEntry& e : test.init) {
      if (e.call) continue;
      const bool object = e.type && model_bindings().type(e.type->base);
      if (e.value.kind == InitValue::Kind::kAddress && !object && !p_.find_location(e.value.symbol))
        declare(e.value.symbol, e.value.loc, nullptr);
    }
    bind_objects();
    p_.register_init.assign(test.threads.size(), {});
    for (const InitEntry& e : test.init) {
      if (e.call) continue;
      if (e.type && model_bindings().type(e.type->base)) continue;
      int64_t value = 0;
      switch (e.value.kind) {
        case InitValue::Kind::kNone:
          break;
        case InitValue::Kind::kInteger:
          value = e.value.integer;
          break;
        case InitValue::Kind::kAddress:
          value = address_of(*p_.find_location(e.value.symbol));
          break;
        case InitValue::Kind::kMacro:
          if (e.value.macro != "ATOMIC_INIT" && e.value.macro != "ATOMIC_LONG_INIT")
            error(e.value.loc, "unknown initialiser " + e.value.macro);
          else if (e.value.args.size() > 1)
            error(e.value.loc, e.value.macro + " takes one argument, given " +
                                   std::to_string(e.value.args.size()));
          value = e.value.integer;
          break;
      }
      if (e.thread) {
        if (*e.thread < 0 || *e.thread >= static_cast<int>(test.threads.size()))
          error(e.loc, "no thread P" + std::to_string(*e.thread));
        else
          p_.register_init[*e.thread][e.name] = value;
      } else {
        p_.locations[p_.location_index[e.name]].initial = value;
      }
    }
    for (size_t i = 0; i < p_.locations.size(); ++i)
      if (p_.locations[i].kind == Location::Kind::kSrcu) p_.srcu_domains.push_back(i);

    if (test.threads.empty()) error(test.loc, "the test has no threads");
    if (test.threads.size() + 1 > static_cast<size_t>(mc::kMaxThreads))
      error(test.threads.back().loc, "too many threads (the engine runs at most " +
                                         std::to_string(mc::kMaxThreads - 1) + ")");
    std::vector<std::set<std::string>> registers(test.threads.size());
    for (size_t t = 0; t < test.threads.size(); ++t) {
      const Thread& th = test.threads[t];
      check_stmt(*th.body);
      for (const Param& param : th.params) registers[t].insert(param.name);
      collect_names(*th.body, registers[t]);
      for (const auto& [name, v] : p_.register_init[t]) registers[t].insert(name);
    }
    for (const LocationRef& ref : test.locations) observe(ref, registers);
    if (test.filter) observe_condition(*test.filter, registers);
    if (test.final_clause.condition) observe_condition(*test.final_clause.condition, registers);
  }

 private:
  Program& p_;
  std::vector<BindError>& errors_;
};

bool holds(const Condition& c, const Program& p, const std::map<std::string, int64_t>& values) {
  switch (c.kind) {
    case CondKind::kTrue:
      return true;
    case CondKind::kFalse:
      return false;
    case CondKind::kCompare: {
      const int64_t lhs = values.at(c.lhs.text());
      int64_t rhs = 0;
      switch (c.rhs.kind) {
        case CondValue::Kind::kInteger:
          rhs = c.rhs.integer;
          break;
        case CondValue::Kind::kAddress:
          rhs = address_of(*p.find_location(c.rhs.location.name));
          break;
        case CondValue::Kind::kLocation:
          rhs = values.at(c.rhs.location.text());
          break;
      }
      return c.op == CompareOp::kEqual ? lhs == rhs : lhs != rhs;
    }
    case CondKind::kNot:
      return !holds(*c.operands[0], p, values);
    case CondKind::kAnd:
      return holds(*c.operands[0], p, values) && holds(*c.operands[1], p, values);
    case CondKind::kOr:
      return holds(*c.operands[0], p, values) || holds(*c.operands[1], p, values);
    case CondKind::kImplies:
      return !holds(*c.operands[0], p, values) || holds(*c.operands[1], p, values);
  }
  return false;
}

// Builds the model objects in declaration order, then runs the init block's calls (setup).
std::unique_ptr<World> make_world(const Program& p, Shared& shared) {
  std::vector<ObjectDecl> decls;
  for (size_t i = 0; i < p.locations.size(); ++i) {
    const Location& l = p.locations[i];
    if (l.kind == Location::Kind::kObject)
      decls.push_back(ObjectDecl{l.name, l.object_type, l.loc, i, l.object_init});
  }
  auto world = std::make_unique<World>(p.settings, decls, address_of);
  const Bindings& bn = model_bindings();
  for (const auto& hook : bn.begin_hooks()) hook(*world);
  for (const ObjectDecl& d : world->decls()) {
    const ObjectType& t = *bn.type(d.type);
    world->bind(d.location, t.kind, t.create(*world, d));
  }
  shared.world = world.get();
  if (!p.setup_calls.empty()) {
    ThreadContext setup(shared, -1);
    MC_FUNC("litmus setup");
    for (const Expr* call : p.setup_calls) setup.eval(*call);
  }
  // A visible step between the setup and the spawns (as protocol/scenarios.cc's end_of_setup):
  // spawn hands the child the parent's clock at its last visible event.
  mc::atomic<int> setup_done(0, "setup done");
  setup_done.store(1);
  for (const ObjectDecl& d : world->decls()) {
    const ObjectType& t = *bn.type(d.type);
    if (t.start) t.start(*world, world->object_at(d.location));
  }
  return world;
}

void check_world_end(World& world) {
  const Bindings& bn = model_bindings();
  for (const ObjectDecl& d : world.decls()) {
    const ObjectType& t = *bn.type(d.type);
    if (!t.check_end) continue;
    t.check_end(world, world.object_at(d.location));
  }
}

void run_body(const Program& p) {
  const Test& test = *p.test;
  Shared shared{p, {}, {}, {}, {}, nullptr};
  std::unique_ptr<World> world;
  for (const Location& l : p.locations) {
    if (l.kind == Location::Kind::kSpinlock) {
      shared.cells.push_back(nullptr);
      shared.locks.push_back(std::make_unique<mc::spinlock>(l.name.c_str()));
    } else if (l.kind == Location::Kind::kObject) {
      shared.cells.push_back(nullptr);
      shared.locks.push_back(nullptr);
    } else {
      shared.cells.push_back(std::make_unique<mc::atomic<int64_t>>(l.initial, l.name.c_str()));
      shared.locks.push_back(nullptr);
    }
  }
  const size_t n = test.threads.size();
  shared.readers.resize(1 + p.srcu_domains.size());
  for (auto& domain : shared.readers)
    for (size_t t = 0; t < n; ++t)
      domain.push_back(std::make_unique<mc::atomic<int64_t>>(0, "rcu-reader"));
  shared.final_registers.resize(n);
  if (p.uses_model) world = make_world(p, shared);

  std::vector<mc::thread> threads;
  for (size_t t = 0; t < n; ++t) {
    Shared* sh = &shared;
    const int tid = static_cast<int>(t);
    threads.push_back(mc::spawn([sh, tid] {
      ThreadContext c(*sh, tid);
      c.run();
    }));
  }
  for (mc::thread& t : threads) t.join();
  if (world) check_world_end(*world);

  std::map<std::string, int64_t> values;
  for (size_t k = 0; k < p.observed.size(); ++k) {
    const LocationRef& ref = p.observed_refs[k];
    int64_t v = 0;
    if (ref.thread) {
      const auto& regs = shared.final_registers[*ref.thread];
      auto it = regs.find(ref.name);
      if (it != regs.end()) v = it->second;
    } else {
      const size_t i = *p.find_location(ref.name);
      v = shared.cells[i] ? shared.cells[i]->peek()
                          : int64_t{shared.locks[i]->owner() != mc::kNoThread};
    }
    values[p.observed[k]] = v;
    mc::observe(p.observed[k].c_str(), v);
  }
  if (test.filter) mc::observe("__filter", holds(*test.filter, p, values) ? 1 : 0);
  const bool prop =
      test.final_clause.condition ? holds(*test.final_clause.condition, p, values) : true;
  mc::observe("__exists", prop ? 1 : 0);
}

}  // namespace

std::vector<std::string> setting_values(const ModelSetting& s, const std::string& value) {
  if (!s.list) return {value};
  if (value == "all") return s.choices;
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= value.size()) {
    size_t end = value.find(',', begin);
    if (end == std::string::npos) end = value.size();
    out.push_back(value.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

namespace {

// Whether an Expect line's kernel entry ("5.0", or a range "4.10..5.17") covers `kernel`.
bool covers(const std::string& entry, const std::string& kernel) {
  const size_t dots = entry.find("..");
  if (dots == std::string::npos) return entry == kernel;
  const ModelSetting* s = model_bindings().setting("kernel");
  if (!s) return false;
  auto index = [s](const std::string& v) -> long {
    for (size_t i = 0; i < s->choices.size(); ++i)
      if (s->choices[i] == v) return static_cast<long>(i);
    return -1;
  };
  const long lo = index(entry.substr(0, dots)), hi = index(entry.substr(dots + 2)),
             k = index(kernel);
  return lo >= 0 && hi >= 0 && k >= lo && k <= hi;
}

}  // namespace

std::vector<std::string> expected_findings(const Test& test, const std::string& kernel,
                                           const std::string& bug) {
  // Tiers, most specific first: bug and kernel, bug, kernel, plain.
  const FindingExpectation* best = nullptr;
  int best_tier = 4;
  for (const FindingExpectation& e : test.expected_findings) {
    if (!e.bug.empty() && e.bug != bug) continue;
    bool kernel_ok = e.kernels.empty();
    for (const std::string& k : e.kernels) kernel_ok |= covers(k, kernel);
    if (!kernel_ok) continue;
    const int tier = (e.bug.empty() ? 2 : 0) + (e.kernels.empty() ? 1 : 0);
    if (tier < best_tier) best = &e, best_tier = tier;
  }
  return best ? best->findings : std::vector<std::string>{};
}

std::string finding_set_text(const std::vector<std::string>& kinds) {
  std::string s;
  for (const std::string& k : kinds) s += (s.empty() ? "" : ", ") + k;
  return s.empty() ? "none" : s;
}

Compiled compile_litmus(std::shared_ptr<const Test> test,
                        const std::map<std::string, std::string>& overrides) {
  Compiled c;
  auto program = std::make_shared<Program>();
  program->test = test;
  Binder binder(*program, c.errors);
  binder.bind(overrides);
  if (!c.errors.empty()) return c;
  c.program = program;
  c.test_case.name = "litmus/" + test->name;
  c.test_case.description = "C litmus test " + test->name + " (" + test->loc.file + ")";
  std::shared_ptr<const Program> shared_program = program;
  c.test_case.body = [shared_program](const mc::Params&) { run_body(*shared_program); };
  return c;
}

// ---------------------------------------------------------------------------------------------
// Verdict

const char* to_string(Observation o) {
  switch (o) {
    case Observation::kNever:
      return "Never";
    case Observation::kSometimes:
      return "Sometimes";
    case Observation::kAlways:
      return "Always";
    case Observation::kDeadlock:
      return "DEADLOCK";
  }
  return "?";
}

const char* to_string(Agreement a) {
  switch (a) {
    case Agreement::kMatches:
      return "matches";
    case Agreement::kNeverUnderSc:
      return "Never under SC";
    case Agreement::kAlwaysUnderSc:
      return "Always under SC";
    case Agreement::kMismatch:
      return "MISMATCH";
    case Agreement::kNoExpectation:
      return "no expectation";
    case Agreement::kIncomplete:
      return "incomplete";
    case Agreement::kFindingAsExpected:
      return "expected finding";
    case Agreement::kFindingUnexpected:
      return "unexpected finding";
    case Agreement::kFindingMissing:
      return "missing finding";
  }
  return "?";
}

namespace {

// The value of `name` in an outcome key "a=1 b=2", if present.
std::optional<int64_t> outcome_value(const std::string& key, const std::string& name) {
  std::istringstream in(key);
  std::string item;
  while (in >> item) {
    const size_t eq = item.rfind('=');
    if (eq != std::string::npos && item.compare(0, eq, name) == 0 && eq == name.size())
      return std::stoll(item.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace

LitmusVerdict judge_litmus(const Test& test, const mc::RunResult& r,
                           const std::vector<std::string>& expected) {
  LitmusVerdict v;
  v.expected = test.expected_result;
  v.expected_findings = expected;
  if (r.counterexample) v.finding = r.counterexample->finding.kind_string();
  v.findings = mc::finding_kinds(r);
  for (const auto& [key, count] : r.outcomes) {
    if (test.filter && outcome_value(key, "__filter").value_or(0) == 0) {
      v.filtered_out += count;
      continue;
    }
    if (outcome_value(key, "__exists").value_or(0) != 0)
      v.positive += count;
    else
      v.negative += count;
  }
  if (v.positive + v.negative == 0)
    v.observation = Observation::kDeadlock;
  else if (v.positive == 0)
    v.observation = Observation::kNever;
  else if (v.negative == 0)
    v.observation = Observation::kAlways;
  else
    v.observation = Observation::kSometimes;
  switch (test.final_clause.quantifier) {
    case Quantifier::kExists:
      v.ok = v.positive > 0;
      break;
    case Quantifier::kNotExists:
      v.ok = v.positive == 0;
      break;
    case Quantifier::kForall:
      v.ok = v.negative == 0;
      break;
  }

  const std::string expected_text = finding_set_text(expected);
  auto in_set = [&expected](const std::string& k) {
    return std::find(expected.begin(), expected.end(), k) != expected.end();
  };
  if (r.error.empty() && r.counterexample) {
    std::string outside, missing;
    for (const std::string& k : v.findings)
      if (!in_set(k)) outside += (outside.empty() ? "" : ", ") + k;
    if (r.searched_all_findings)
      for (const std::string& k : expected)
        if (std::find(v.findings.begin(), v.findings.end(), k) == v.findings.end())
          missing += (missing.empty() ? "" : ", ") + k;
    const std::string found_text = finding_set_text(v.findings);
    if (!outside.empty()) {
      v.agreement = Agreement::kFindingUnexpected;
      v.failed = true;
      v.explanation = "finding: " + found_text + ", expected " + expected_text;
    } else if (!missing.empty() && r.exhausted) {
      v.agreement = Agreement::kFindingMissing;
      v.failed = true;
      v.explanation = "findings: " + found_text + ", expected " + expected_text + ": " + missing +
                      " never happened in " + std::to_string(r.complete) + " executions";
    } else if (!missing.empty()) {
      v.agreement = Agreement::kIncomplete;
      v.incomplete = true;
      v.explanation = "INCOMPLETE: found " + found_text + " of " + expected_text + " before " +
                      (r.limit.empty() ? "the search ended" : r.limit) + "; " + missing +
                      " not met";
    } else {
      v.agreement = Agreement::kFindingAsExpected;
      v.explanation = r.searched_all_findings
                          ? "the expected findings: " + found_text + " (Result not checked)"
                          : "an expected finding: " + v.finding +
                                (expected.size() > 1 ? " (one of " + expected_text +
                                                           "; --all-findings checks the whole set)"
                                                     : "") +
                                " (Result not checked)";
    }
    return v;
  }
  if (r.error.empty() && r.exhausted && !expected.empty()) {
    v.agreement = Agreement::kFindingMissing;
    v.failed = true;
    v.explanation = "expected finding " + expected_text + ", none in " +
                    std::to_string(r.complete) + " executions";
    return v;
  }
  if (!r.error.empty()) {
    v.agreement = Agreement::kIncomplete;
    v.failed = true;
    v.explanation = "error: " + r.error;
    return v;
  }
  if (!r.exhausted) {
    // Both kinds of final state seen already settle a Sometimes; nothing else does.
    if (v.expected == ExpectedResult::kSometimes && v.observation == Observation::kSometimes &&
        expected.empty()) {
      v.agreement = Agreement::kMatches;
      v.explanation = "matches (both kinds of final state seen before the search was cut short)";
      return v;
    }
    v.agreement = Agreement::kIncomplete;
    v.incomplete = true;
    v.explanation =
        "INCOMPLETE: " +
        (r.limit.empty() ? "the strategy is not exhaustive (" + r.strategy + ")" : r.limit) +
        "; no finding in " + std::to_string(r.complete) +
        " complete executions, which proves nothing";
    return v;
  }
  if (!v.expected) {
    v.agreement = Agreement::kNoExpectation;
    v.explanation = "no Result line";
    return v;
  }
  const ExpectedResult e = *v.expected;
  const Observation o = v.observation;
  auto same = [](ExpectedResult e, Observation o) {
    return (e == ExpectedResult::kNever && o == Observation::kNever) ||
           (e == ExpectedResult::kSometimes && o == Observation::kSometimes) ||
           (e == ExpectedResult::kAlways && o == Observation::kAlways) ||
           (e == ExpectedResult::kDeadlock && o == Observation::kDeadlock);
  };
  if (same(e, o)) {
    v.agreement = Agreement::kMatches;
    v.explanation = "matches";
  } else if (e == ExpectedResult::kSometimes && o == Observation::kNever) {
    v.agreement = Agreement::kNeverUnderSc;
    v.explanation = "Never under SC (the kernel model allows it only through weak ordering)";
  } else if (e == ExpectedResult::kSometimes && o == Observation::kAlways) {
    v.agreement = Agreement::kAlwaysUnderSc;
    v.explanation = "Always under SC (the executions violating it need weak ordering)";
  } else if (e == ExpectedResult::kNever && o == Observation::kDeadlock) {
    // SC executions are a subset of the kernel model's; none passing the filter is consistent.
    v.agreement = Agreement::kMatches;
    v.explanation = "matches (no SC execution passes the filter)";
  } else {
    v.agreement = Agreement::kMismatch;
    v.failed = true;
    v.explanation =
        std::string("MISMATCH: the file says ") + to_string(e) + ", SC gives " + to_string(o);
  }
  return v;
}

}  // namespace litmus
