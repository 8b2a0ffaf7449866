// The litmus interpreter's runtime (internal to litmus/): the state one execution shares
// between its model threads, and the thread that interprets one Pn body. The primitives
// (primitives.cc) act on it; run_body (thread_context.cc) is the body of a bound test.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "checker/mc.h"
#include "litmus/interpreter.h"

namespace litmus {

inline constexpr auto kRelaxed = std::memory_order_relaxed;
inline constexpr auto kAcquire = std::memory_order_acquire;
inline constexpr auto kRelease = std::memory_order_release;
inline constexpr auto kSeqCst = std::memory_order_seq_cst;

// A litmus value (int64_t) as a model word (uint64_t), and back.
inline uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
inline int64_t s(uint64_t v) { return static_cast<int64_t>(v); }

// The location whose address is `value` (address_of), if it is one of `count` locations.
inline std::optional<size_t> location_of_address(int64_t value, size_t count) {
  const uint64_t v = static_cast<uint64_t>(value);
  if ((v & 0xffffffffu) != 0) return std::nullopt;
  const uint64_t i = v >> 32;
  if (i == 0 || i > count) return std::nullopt;
  return static_cast<size_t>(i - 1);
}

struct Shared {
  const Program& program;
  std::vector<std::unique_ptr<mc::atomic<int64_t>>> cells;  // null for locks
  std::vector<std::unique_ptr<mc::spinlock>> locks;         // null for values
  // Grace-period state, [domain][thread]: odd while the thread's read-side critical sections
  // of that domain (0: RCU, k + 1: the k-th srcu_struct) are open, which a grace period
  // waits for. `nesting` counts them and `seq` numbers the state changes; an SRCU section
  // may be closed by another thread (srcu_down_read ... srcu_up_read), so they are shared.
  std::vector<std::vector<std::unique_ptr<mc::atomic<int64_t>>>> readers;
  std::vector<std::vector<int>> nesting;
  std::vector<std::vector<int64_t>> seq;
  std::vector<std::map<std::string, int64_t>> final_registers;
  World* world = nullptr;  // model objects, when the test uses them
};

class ThreadContext {
 public:
  // tid < 0: the setup thread running the init block's calls (model functions only).
  ThreadContext(Shared& shared, int tid) : shared_(shared), tid_(tid) {
    if (tid < 0) return;
    const Program& p = shared.program;
    for (const Param& param : p.test->threads[tid].params)
      if (auto i = p.find_location(param.name)) locals_[param.name] = address_of(*i);
    for (const auto& [name, value] : p.register_init[tid]) locals_[name] = value;
  }

  void run() {
    mc::set_thread_name(shared_.program.thread_names[static_cast<size_t>(tid_)].c_str());
    exec(*shared_.program.test->threads[tid_].body);
    shared_.final_registers[tid_] = locals_;
  }

  [[noreturn]] void fail(const SourceLoc& loc, const std::string& message) {
    mc::violation("litmus", loc.to_string() + ": " + message);
    std::abort();  // not reached: violation unwinds the model thread
  }
  // A kernel check written in the file (BUG_ON, WARN_ON, ...) failed: a finding named for it.
  void check_failed(const char* name, const std::string& message) { mc::violation(name, message); }
  // A WARN: a finding after which the thread goes on (with --all-findings).
  void warned(const char* name, const std::string& message) { mc::warning(name, message); }

  int64_t eval(const Expr& e);
  int64_t arg(const Expr& call, size_t i) { return eval(*call.operands[i]); }

  // A call of a modelled kernel function (litmus/bindings.h).
  int64_t call_model(const ModelFunction& f, const Expr& e) {
    if (!shared_.world) fail(e.loc, "no model objects for " + f.name);
    Call c{*shared_.world, f, {}, e.loc};
    for (const ExprPtr& a : e.operands) c.args.push_back(eval(*a));
    return f.run(c);
  }

  // The statement being run, for the findings raised while it runs (a primitive's, a plain
  // access's, or the model's in a call): described as "file:line:column" only then.
  static std::string describe_loc(const void* loc) {
    return static_cast<const SourceLoc*>(loc)->to_string();
  }
  static void at_statement(const SourceLoc& loc) { mc::set_origin(&loc, &describe_loc); }

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
    if (shared_.nesting[domain][tid_]++ == 0)
      shared_.readers[domain][tid_]->store(++shared_.seq[domain][tid_], kRelaxed);
  }
  // rcu_read_unlock (domain 0) closes a section of its own thread. srcu_read_unlock and
  // srcu_up_read close one of the srcu_struct's: the thread's own innermost, else one another
  // thread opened (srcu_down_read), each candidate tried; `value` must be what the lock gave
  // (srcu_read_lock reads the srcu_struct, as in the kernel's memory model: 0).
  void read_unlock(const Expr& call, size_t domain, int64_t value = 0) {
    int owner = tid_;
    if (shared_.nesting[domain][tid_] == 0) {
      std::vector<int> open;
      for (size_t t = 0; domain != 0 && t < shared_.nesting[domain].size(); ++t)
        if (shared_.nesting[domain][t] > 0) open.push_back(static_cast<int>(t));
      if (open.empty()) {
        mc::violation(domain == 0 ? "unmatched-rcu-unlock" : "unmatched-srcu-unlock",
                      call.loc.to_string() + ": unlock outside a read-side critical section");
        return;  // only if the execution is already being abandoned
      }
      owner = open[open.size() == 1 ? 0 : mc::choose(static_cast<uint32_t>(open.size()))];
    }
    if (value != 0)
      mc::violation("srcu-bad-value-match", call.loc.to_string() + ": srcu unlock of index " +
                                                std::to_string(value) + ", but the lock gave 0");
    if (--shared_.nesting[domain][owner] == 0)
      shared_.readers[domain][owner]->store(++shared_.seq[domain][owner], kRelease);
  }
  void synchronize(const Expr& call, size_t domain) {
    if (shared_.nesting[domain][tid_] != 0)
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
};

// One execution of a bound test: builds the locations and model objects, runs the setup calls,
// spawns a thread per Pn, joins them and observes the outcome.
void run_body(const Program& p);

}  // namespace litmus
