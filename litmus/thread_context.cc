// The litmus interpreter's threads: statements and expressions of a Pn body, and the body of
// one execution (locations, model objects, setup calls, threads, the observed outcome).
#include "litmus/thread_context.h"

namespace litmus {

namespace {

// Wrapping arithmetic, as C's on the kernel's types.

}  // namespace

ThreadContext::Flow ThreadContext::exec(const Stmt& st) {
  if (st.kind != StmtKind::kBlock) at_statement(st.loc);
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
          fail(e.loc, "cannot take the address of '" + quoted_text(a) + "'");
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
      if (const ModelFunction* f = shared_.program.bindings->function(e.name))
        return call_model(*f, e);
      fail(e.loc, "unknown function " + e.name);
    }
    case ExprKind::kCast:
      return eval(*e.operands[0]);
    case ExprKind::kMember:
    case ExprKind::kIndex:
      break;
  }
  fail(e.loc, "unsupported expression '" + quoted_text(e) + "'");
}

namespace {

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
  const Bindings& bn = *p.bindings;
  for (const auto& hook : bn.begin_hooks()) hook(*world);
  for (const ObjectDecl& d : world->decls()) {
    const ObjectType& t = *bn.type(d.type);
    world->bind(d.location, t.kind, t.create(*world, d));
  }
  shared.world = world.get();
  if (!p.setup_calls.empty()) {
    ThreadContext setup(shared, -1);
    MC_FUNC("litmus setup");
    for (const Expr* call : p.setup_calls) {
      ThreadContext::at_statement(call->loc);
      setup.eval(*call);
    }
    mc::set_origin(nullptr, nullptr);  // what follows (the end state) is no statement's
  }
  // A visible step between the setup and the spawns:
  // spawn hands the child the parent's clock at its last visible event.
  mc::atomic<int> setup_done(0, "setup done");
  setup_done.store(1);
  for (const ObjectDecl& d : world->decls()) {
    const ObjectType& t = *bn.type(d.type);
    if (t.start) t.start(*world, world->object_at(d.location));
  }
  return world;
}

void check_world_end(const Program& p, World& world) {
  const Bindings& bn = *p.bindings;
  for (const ObjectDecl& d : world.decls()) {
    const ObjectType& t = *bn.type(d.type);
    if (!t.check_end) continue;
    t.check_end(world, world.object_at(d.location));
  }
  for (const auto& hook : bn.end_hooks()) hook(world);
}

}  // namespace

void run_body(const Program& p) {
  const Test& test = *p.test;
  // The thread that sets the test up, starts P0, P1, ... and checks the end state.
  mc::set_thread_name("main");
  Shared shared{p, {}, {}, {}, {}, {}, {}, nullptr};
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
  shared.nesting.assign(shared.readers.size(), std::vector<int>(n, 0));
  shared.seq.assign(shared.readers.size(), std::vector<int64_t>(n, 0));
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
  // A read-side critical section nobody closed (the kernel's memory model flags it).
  for (size_t d = 0; d < shared.nesting.size(); ++d)
    for (size_t t = 0; t < n; ++t)
      if (shared.nesting[d][t] > 0)
        mc::violation(d == 0 ? "unmatched-rcu-lock" : "unmatched-srcu-lock",
                      p.thread_names[t] + " ended inside a read-side critical section of " +
                          (d == 0 ? std::string("RCU") : p.locations[p.srcu_domains[d - 1]].name));
  if (world) check_world_end(p, *world);

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

}  // namespace litmus
