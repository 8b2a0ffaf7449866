// Syntax tree for C litmus tests in the dialect of herd7 and the Linux-kernel memory model
// (tools/memory-model/litmus-tests), plus small extensions (loops, member access, indexing).
//
// The tree is purely syntactic: calls such as READ_ONCE(*x) or spin_lock(l) are ordinary Call
// nodes, identifiers are not resolved, and types are kept as written. A later binding layer gives
// them meaning. Every node carries the SourceLoc where it starts (for operator nodes: where the
// operator is) so that later layers can report "file:line:column" diagnostics.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace litmus {

struct SourceLoc {
  std::string file;
  int line = 0;                   // 1-based
  int column = 0;                 // 1-based, in bytes: a tab counts as one column
  std::string to_string() const;  // "file:line:column"
};

// A type as written: base words plus pointer depth, e.g. {"struct page", 1} for `struct page *`.
struct TypeName {
  std::string base;  // "int", "atomic_t", "spinlock_t", "unsigned long", "struct srcu_struct"
  int pointer_depth = 0;
  bool is_pointer() const { return pointer_depth > 0; }
  std::string text() const;  // "int", "int *", "struct page **"
};

// ---------------------------------------------------------------------------------------------
// Expressions

enum class ExprKind {
  kInteger,      // 42, 0x10
  kIdentifier,   // r0, x
  kUnary,        // *p, &x, !a, ~a, -a, +a, ++a, --a, a++, a--
  kBinary,       // a + b, a && b, ...
  kAssign,       // a = b, a += b, ...
  kConditional,  // c ? a : b
  kCall,         // f(a, b): any primitive or macro; the callee is a plain name
  kMember,       // a->b, a.b
  kIndex,        // a[i]
  kCast,         // (void)e, (int *)e
};

enum class UnaryOp {
  kDeref,
  kAddressOf,
  kLogicalNot,
  kBitNot,
  kNegate,
  kPlus,
  kPreIncrement,
  kPreDecrement,
  kPostIncrement,
  kPostDecrement,
};

enum class BinaryOp {
  kMul,
  kDiv,
  kMod,
  kAdd,
  kSub,
  kShiftLeft,
  kShiftRight,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kEqual,
  kNotEqual,
  kBitAnd,
  kBitXor,
  kBitOr,
  kLogicalAnd,
  kLogicalOr,
};

const char* spelling(UnaryOp op);   // "*", "&", "!", ..., "++" (pre and post alike)
const char* spelling(BinaryOp op);  // "*", "+", "<<", "&&", ...

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// One node type for all expressions; which fields are meaningful depends on `kind`.
// Operand layout by kind:
//   kUnary [operand]   kBinary [lhs, rhs]   kAssign [target, value]   kConditional [c, then, else]
//   kCall [args...]    kMember [object]     kIndex [base, index]      kCast [operand]
struct Expr {
  ExprKind kind = ExprKind::kInteger;
  SourceLoc loc;
  int64_t integer = 0;                  // kInteger
  std::string name;                     // kIdentifier: the name; kCall: callee; kMember: field
  UnaryOp unary_op = UnaryOp::kDeref;   // kUnary
  BinaryOp binary_op = BinaryOp::kAdd;  // kBinary
  std::optional<BinaryOp> compound_op;  // kAssign: `a += b` holds kAdd; plain `a = b` is empty
  bool arrow = false;                   // kMember: `->` (true) or `.` (false)
  TypeName cast_type;                   // kCast
  std::vector<ExprPtr> operands;
  // Nodes on the longest path down from this one, itself included: what a recursive walk of
  // the tree (binder, evaluator, printer) nests. The parser keeps it within its nesting limit.
  int height = 1;
};

// ---------------------------------------------------------------------------------------------
// Statements

enum class StmtKind {
  kDeclaration,  // int r0, *r1 = x;
  kExpression,   // r0 = READ_ONCE(*x);  smp_mb();
  kIf,
  kWhile,
  kFor,
  kBlock,
  kReturn,
  kBreak,
  kContinue,
  kEmpty,  // ;
};

struct Declarator {
  SourceLoc loc;
  TypeName type;  // the declaration's base type plus this declarator's own '*'s
  std::string name;
  std::optional<int64_t> array_size;  // `int a[2]`
  ExprPtr initializer;                // null when absent
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;

// One node type for all statements; which fields are meaningful depends on `kind`.
struct Stmt {
  StmtKind kind = StmtKind::kEmpty;
  SourceLoc loc;
  std::vector<Declarator> declarators;  // kDeclaration (all share the same TypeName::base)
  // kExpression: the expression. kIf, kWhile: the condition. kFor: the condition (null if
  // omitted). kReturn: the returned value (null for `return;`).
  ExprPtr expr;
  StmtPtr init;                     // kFor: a kDeclaration, kExpression or kEmpty statement
  ExprPtr step;                     // kFor: null if omitted
  StmtPtr body;                     // kIf: the then-branch; kWhile, kFor: the loop body
  StmtPtr else_branch;              // kIf: null when there is no else
  std::vector<StmtPtr> statements;  // kBlock
};

// ---------------------------------------------------------------------------------------------
// Initial state, threads, final condition

// A memory location or register name as used in conditions and `locations [...]`:
// `x` (a shared variable) or `0:r1` (register r1 of thread P0).
struct LocationRef {
  SourceLoc loc;
  std::optional<int> thread;
  std::string name;
  std::string text() const;  // "x" or "0:r1"
};

struct InitValue {
  enum class Kind {
    kNone,     // `int x;`  (herd: zero)
    kInteger,  // `int x = 1;`  `x = -1;`
    kAddress,  // `int *p = &x;` or the herd shorthand `int *p = x;` (p points to x)
    kMacro,    // `atomic_t v = ATOMIC_INIT(1);` (any NAME(integer); binding checks the name)
  };
  Kind kind = Kind::kNone;
  SourceLoc loc;
  int64_t integer = 0;        // kInteger; kMacro: the first argument
  std::vector<int64_t> args;  // kMacro: every argument, `ZS_POOL(3, 2)` (at least one)
  std::string symbol;         // kAddress: the variable pointed to
  bool ampersand = false;     // kAddress: written `&x` rather than bare `x`
  std::string macro;          // kMacro: e.g. "ATOMIC_INIT"
};

// One entry of the `{ ... }` initial-state block: a declaration, or (our extension) a call of a
// modelled kernel function that the setup thread runs, in order, before P0, P1, ... start.
struct InitEntry {
  SourceLoc loc;
  ExprPtr call;  // set for a setup call `refdrv_alloc(drv, 42);` (then name, type, value unused)
  std::optional<int> thread;     // set for register initialisation `0:r1 = 1;`
  std::optional<TypeName> type;  // absent for untyped `x = 1;`
  std::string name;
  std::optional<int64_t> array_size;  // `int a[2];`
  InitValue value;
  bool is_pointer() const { return type && type->is_pointer(); }
};

struct Param {
  SourceLoc loc;
  TypeName type;
  std::string name;
};

struct Thread {
  SourceLoc loc;  // of the `P<n>` token
  int index = 0;  // n in P<n>
  std::vector<Param> params;
  StmtPtr body;  // always a kBlock
};

enum class CondKind { kTrue, kFalse, kCompare, kNot, kAnd, kOr, kImplies };
enum class CompareOp { kEqual, kNotEqual };  // `=` (also accepted: `==`) and `!=`

// Right-hand side of a comparison in a condition.
struct CondValue {
  enum class Kind {
    kInteger,   // x=1, 0:r0=-1
    kAddress,   // 1:r0=x: "r0 holds the address of x" (herd reads a bare name as an address)
    kLocation,  // 0:r0=1:r0: the value held by another register (written with a thread prefix)
  };
  Kind kind = Kind::kInteger;
  SourceLoc loc;
  int64_t integer = 0;   // kInteger
  LocationRef location;  // kAddress: name only; kLocation: thread and name
};

struct Condition;
using CondPtr = std::unique_ptr<Condition>;

// Operands: kNot [operand]; kAnd, kOr, kImplies [lhs, rhs]. `/\` binds tighter than `\/`,
// which binds tighter than `=>`; `~` binds tightest.
struct Condition {
  CondKind kind = CondKind::kTrue;
  SourceLoc loc;
  LocationRef lhs;  // kCompare
  CompareOp op = CompareOp::kEqual;
  CondValue rhs;  // kCompare
  std::vector<CondPtr> operands;
  int height = 1;  // as Expr::height
};

enum class Quantifier { kExists, kNotExists, kForall };
const char* to_string(Quantifier q);  // "exists", "~exists", "forall"

struct FinalClause {
  SourceLoc loc;
  Quantifier quantifier = Quantifier::kExists;
  CondPtr condition;
};

// Expected outcome from a ` * Result: ...` line of the header comment.
// herd7's words. kMaybe expects nothing; kFlag expects a flag raised (a data race, or a misuse
// the kernel's model flags, such as unmatched-srcu-unlock): the run must report one.
enum class ExpectedResult { kNever, kSometimes, kAlways, kDeadlock, kMaybe, kFlag };
const char* to_string(ExpectedResult result);  // "Never", ..., "DEADLOCK", "Maybe", "Flag"

// Expected findings from an ` * Expect: ...` header line (our extension): the set of finding
// kinds a run shows, as the checker names them (lost-wakeup, data-race, use-after-free, ...,
// or a violation name such as VM_BUG_ON_PAGE), or `none`. ` * Expect 4.10..5.17 6.0: a, b`
// applies to those kernel versions only; ` * Expect bug=NAME ...: ...` to runs under that bug
// variant only. For a run, the most specific line applies: bug and kernel, then bug, then
// kernel, then a plain line; with none, nothing is expected. A first-finding search passes
// when its finding is in the set; an --all-findings search when it finds exactly the set.
struct FindingExpectation {
  SourceLoc loc;
  std::string bug;                    // "" = any bug variant
  std::vector<std::string> kernels;   // versions or ranges; empty = any version
  std::vector<std::string> findings;  // sorted, distinct; empty = none
};

struct Test {
  SourceLoc loc;
  std::string arch;  // always "C"
  std::string name;  // may contain + . - and other punctuation
  // Header comment text without the `*` margins and without Result and setting lines;
  // herd doc strings ("...") before the initial state are appended as further paragraphs.
  std::string doc;
  std::optional<ExpectedResult> expected_result;
  bool expected_data_race = false;          // `Result: Sometimes DATARACE`
  std::vector<std::string> expected_flags;  // `Result: Flag data-race`: the flags named
  // From header lines `key=value` / `Setting: key=value` inside the comment.
  std::map<std::string, std::string> settings;
  // herd info lines `Key=value` between the name line and the initial state (diy7 writes
  // `Relax=`, `Safe=`, `Generator=`, `Com=`, `Orig=`, `Hash=`, ...), in file order; metadata,
  // as for herd7, and the value may be empty.
  struct InfoLine {
    std::string key, value;
    SourceLoc loc;
  };
  std::vector<InfoLine> info;
  std::map<std::string, SourceLoc> setting_locs;  // where each setting was written
  std::vector<FindingExpectation> expected_findings;
  std::vector<InitEntry> init;
  std::vector<Thread> threads;         // threads[i].index == i
  std::vector<LocationRef> locations;  // `locations [...]`, empty when absent
  CondPtr filter;                      // `filter (...)`, null when absent
  FinalClause final_clause;
};

// Canonical re-emission (defined in ast_print.cc). For any parsed test t,
// to_string(parse(to_string(t))) == to_string(t).
std::string to_string(const Test& test);
std::string to_string(const Expr& expr);
// Text from a file as a message shows it: at most `max` characters, "..." where cut.
// kQuoteMax for a quoted token or expression, kMessageMax for a whole message.
inline constexpr size_t kQuoteMax = 60;
inline constexpr size_t kMessageMax = 400;
std::string clip(std::string_view text, size_t max);
// The expression as a message quotes it: clip(to_string(expr), kQuoteMax).
std::string quoted_text(const Expr& expr);
std::string to_string(const Stmt& stmt);  // multi-line, no leading indentation
std::string to_string(const Condition& condition);

}  // namespace litmus
