// Canonical printing of litmus ASTs, plus the small AST helpers declared in ast.h.
//
// The output is valid input for the parser and is a fixed point: printing, re-parsing and
// printing again yields the same text. Parentheses are emitted only where precedence requires
// them, so a re-parse produces the same tree (the parser keeps no parenthesis nodes).
#include <algorithm>
#include <string>

#include "litmus/ast.h"

namespace litmus {

std::string SourceLoc::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string TypeName::text() const {
  return pointer_depth == 0 ? base : base + " " + std::string(pointer_depth, '*');
}

std::string LocationRef::text() const {
  return thread ? std::to_string(*thread) + ":" + name : name;
}

const char* spelling(UnaryOp op) {
  switch (op) {
    case UnaryOp::kDeref:
      return "*";
    case UnaryOp::kAddressOf:
      return "&";
    case UnaryOp::kLogicalNot:
      return "!";
    case UnaryOp::kBitNot:
      return "~";
    case UnaryOp::kNegate:
      return "-";
    case UnaryOp::kPlus:
      return "+";
    case UnaryOp::kPreIncrement:
    case UnaryOp::kPostIncrement:
      return "++";
    case UnaryOp::kPreDecrement:
    case UnaryOp::kPostDecrement:
      return "--";
  }
  return "?";
}

const char* spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kShiftLeft:
      return "<<";
    case BinaryOp::kShiftRight:
      return ">>";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kLessEqual:
      return "<=";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kGreaterEqual:
      return ">=";
    case BinaryOp::kEqual:
      return "==";
    case BinaryOp::kNotEqual:
      return "!=";
    case BinaryOp::kBitAnd:
      return "&";
    case BinaryOp::kBitXor:
      return "^";
    case BinaryOp::kBitOr:
      return "|";
    case BinaryOp::kLogicalAnd:
      return "&&";
    case BinaryOp::kLogicalOr:
      return "||";
  }
  return "?";
}

const char* to_string(Quantifier quantifier) {
  switch (quantifier) {
    case Quantifier::kExists:
      return "exists";
    case Quantifier::kNotExists:
      return "~exists";
    case Quantifier::kForall:
      return "forall";
  }
  return "exists";
}

const char* to_string(ExpectedResult result) {
  switch (result) {
    case ExpectedResult::kNever:
      return "Never";
    case ExpectedResult::kSometimes:
      return "Sometimes";
    case ExpectedResult::kAlways:
      return "Always";
    case ExpectedResult::kDeadlock:
      return "DEADLOCK";
    case ExpectedResult::kMaybe:
      return "Maybe";
    case ExpectedResult::kFlag:
      return "Flag";
  }
  return "?";
}

namespace {

// C precedence levels, larger binds tighter; must agree with the parser.
constexpr int kAssignPrecedence = 1;
constexpr int kConditionalPrecedence = 2;
constexpr int kLogicalOrPrecedence = 3;
constexpr int kUnaryPrecedence = 13;
constexpr int kPostfixPrecedence = 14;
constexpr int kPrimaryPrecedence = 15;

int binary_precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kLogicalOr:
      return 3;
    case BinaryOp::kLogicalAnd:
      return 4;
    case BinaryOp::kBitOr:
      return 5;
    case BinaryOp::kBitXor:
      return 6;
    case BinaryOp::kBitAnd:
      return 7;
    case BinaryOp::kEqual:
    case BinaryOp::kNotEqual:
      return 8;
    case BinaryOp::kLess:
    case BinaryOp::kLessEqual:
    case BinaryOp::kGreater:
    case BinaryOp::kGreaterEqual:
      return 9;
    case BinaryOp::kShiftLeft:
    case BinaryOp::kShiftRight:
      return 10;
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
      return 11;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      return 12;
  }
  return kPrimaryPrecedence;
}

bool is_postfix(UnaryOp op) {
  return op == UnaryOp::kPostIncrement || op == UnaryOp::kPostDecrement;
}

int precedence(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kInteger:
      return expr.integer < 0 ? kUnaryPrecedence : kPrimaryPrecedence;
    case ExprKind::kIdentifier:
      return kPrimaryPrecedence;
    case ExprKind::kUnary:
      return is_postfix(expr.unary_op) ? kPostfixPrecedence : kUnaryPrecedence;
    case ExprKind::kBinary:
      return binary_precedence(expr.binary_op);
    case ExprKind::kAssign:
      return kAssignPrecedence;
    case ExprKind::kConditional:
      return kConditionalPrecedence;
    case ExprKind::kCall:
    case ExprKind::kMember:
    case ExprKind::kIndex:
      return kPostfixPrecedence;
    case ExprKind::kCast:
      return kUnaryPrecedence;
  }
  return kPrimaryPrecedence;
}

// Operand i, or nothing for a malformed hand-built node (the printer must not crash on those).
const Expr* operand(const Expr& expr, size_t i) {
  return i < expr.operands.size() ? expr.operands[i].get() : nullptr;
}

std::string print_expr(const Expr* expr, int min_precedence);

std::string print_prefix(std::string_view op, const Expr* operand_expr) {
  const std::string inner = print_expr(operand_expr, kUnaryPrecedence);
  // Keep "- -x", "- --x", "& &x" from fusing into other tokens.
  const bool fuses = !inner.empty() && (op.back() == '-' || op.back() == '+' || op.back() == '&') &&
                     inner.front() == op.back();
  return std::string(op) + (fuses ? " " : "") + inner;
}

std::string print_expr(const Expr* expr, int min_precedence) {
  if (expr == nullptr) return "<missing>";
  const Expr& e = *expr;
  std::string out;
  switch (e.kind) {
    case ExprKind::kInteger:
      out = std::to_string(e.integer);
      break;
    case ExprKind::kIdentifier:
      out = e.name;
      break;
    case ExprKind::kUnary:
      if (is_postfix(e.unary_op)) {
        out = print_expr(operand(e, 0), kPostfixPrecedence) + spelling(e.unary_op);
      } else {
        out = print_prefix(spelling(e.unary_op), operand(e, 0));
      }
      break;
    case ExprKind::kBinary: {
      const int own = binary_precedence(e.binary_op);
      out = print_expr(operand(e, 0), own) + " " + spelling(e.binary_op) + " " +
            print_expr(operand(e, 1), own + 1);
      break;
    }
    case ExprKind::kAssign:
      out = print_expr(operand(e, 0), kUnaryPrecedence) + " " +
            (e.compound_op ? spelling(*e.compound_op) : "") + "= " +
            print_expr(operand(e, 1), kAssignPrecedence);
      break;
    case ExprKind::kConditional:
      out = print_expr(operand(e, 0), kLogicalOrPrecedence) + " ? " +
            print_expr(operand(e, 1), kAssignPrecedence) + " : " +
            print_expr(operand(e, 2), kConditionalPrecedence);
      break;
    case ExprKind::kCall:
      out = e.name + "(";
      for (size_t i = 0; i < e.operands.size(); ++i) {
        if (i > 0) out += ", ";
        out += print_expr(e.operands[i].get(), kAssignPrecedence);
      }
      out += ")";
      break;
    case ExprKind::kMember:
      out = print_expr(operand(e, 0), kPostfixPrecedence) + (e.arrow ? "->" : ".") + e.name;
      break;
    case ExprKind::kIndex:
      out = print_expr(operand(e, 0), kPostfixPrecedence) + "[" +
            print_expr(operand(e, 1), kAssignPrecedence) + "]";
      break;
    case ExprKind::kCast:
      out = "(" + e.cast_type.text() + ")" + print_expr(operand(e, 0), kUnaryPrecedence);
      break;
  }
  if (precedence(e) < min_precedence) return "(" + out + ")";
  return out;
}

// ----- statements

// An expression statement `a * b;` (also `a * b[1];`, `a * *b;`) would re-parse as a declaration
// of pointer b, so such expressions are printed in parentheses.
std::string statement_expr_text(const Expr* expr) {
  const std::string text = print_expr(expr, kAssignPrecedence);
  const bool declaration_like = expr != nullptr && expr->kind == ExprKind::kBinary &&
                                expr->binary_op == BinaryOp::kMul && !expr->operands.empty() &&
                                expr->operands[0] &&
                                expr->operands[0]->kind == ExprKind::kIdentifier;
  return declaration_like ? "(" + text + ")" : text;
}

std::string tabs(int indent) { return std::string(indent, '\t'); }

std::string declarator_text(const Declarator& declarator) {
  std::string out = std::string(declarator.type.pointer_depth, '*') + declarator.name;
  if (declarator.array_size) {
    out += '[';
    out += std::to_string(*declarator.array_size);
    out += ']';
  }
  if (declarator.initializer) {
    out += " = " + print_expr(declarator.initializer.get(), kAssignPrecedence);
  }
  return out;
}

// A declaration without the trailing ';' (also used inside `for (...)`).
std::string declaration_text(const Stmt& stmt) {
  std::string out = stmt.declarators.empty() ? "int" : stmt.declarators.front().type.base;
  for (size_t i = 0; i < stmt.declarators.size(); ++i) {
    out += i == 0 ? " " : ", ";
    out += declarator_text(stmt.declarators[i]);
  }
  return out;
}

// True when `stmt` ends in an `if` without `else`, which would capture a following `else`.
bool dangles(const Stmt* stmt) {
  if (stmt == nullptr) return false;
  switch (stmt->kind) {
    case StmtKind::kIf:
      return stmt->else_branch ? dangles(stmt->else_branch.get()) : true;
    case StmtKind::kWhile:
    case StmtKind::kFor:
      return dangles(stmt->body.get());
    default:
      return false;
  }
}

void print_stmt(const Stmt* stmt, int indent, std::string& out);

// Appends a block's statements at `indent` + 1 and the closing brace (no newline after it).
void print_braced(const Stmt& body, int indent, std::string& out) {
  out += " {\n";
  if (body.kind == StmtKind::kBlock) {
    for (const StmtPtr& inner : body.statements) print_stmt(inner.get(), indent + 1, out);
  } else {
    print_stmt(&body, indent + 1, out);
  }
  out += tabs(indent) + "}";
}

// Appends the body of an if/while/for after its header. Returns true when it ended with a
// closing brace (and no newline), false when it ended with a newline.
bool print_body(const Stmt* body, int indent, bool force_braces, std::string& out) {
  if (body != nullptr && (body->kind == StmtKind::kBlock || force_braces)) {
    print_braced(*body, indent, out);
    return true;
  }
  out += "\n";
  print_stmt(body, indent + 1, out);
  return false;
}

// Prints an if statement; `continues_line` when the indentation is already written (`else if`).
void print_if(const Stmt& stmt, int indent, bool continues_line, std::string& out) {
  if (!continues_line) out += tabs(indent);
  out += "if (" + print_expr(stmt.expr.get(), kAssignPrecedence) + ")";
  const bool has_else = stmt.else_branch != nullptr;
  const bool braced =
      print_body(stmt.body.get(), indent, has_else && dangles(stmt.body.get()), out);
  if (!has_else) {
    if (braced) out += "\n";
    return;
  }
  out += braced ? " else" : tabs(indent) + "else";
  const Stmt& else_branch = *stmt.else_branch;
  if (else_branch.kind == StmtKind::kIf) {
    out += " ";
    print_if(else_branch, indent, true, out);
  } else if (print_body(&else_branch, indent, false, out)) {
    out += "\n";
  }
}

void print_stmt(const Stmt* stmt, int indent, std::string& out) {
  if (stmt == nullptr) {
    out += tabs(indent) + ";\n";
    return;
  }
  switch (stmt->kind) {
    case StmtKind::kDeclaration:
      out += tabs(indent) + declaration_text(*stmt) + ";\n";
      break;
    case StmtKind::kExpression:
      out += tabs(indent) + statement_expr_text(stmt->expr.get()) + ";\n";
      break;
    case StmtKind::kIf:
      print_if(*stmt, indent, false, out);
      break;
    case StmtKind::kWhile:
      out += tabs(indent) + "while (" + print_expr(stmt->expr.get(), kAssignPrecedence) + ")";
      if (print_body(stmt->body.get(), indent, false, out)) out += "\n";
      break;
    case StmtKind::kFor: {
      std::string init;
      if (stmt->init && stmt->init->kind == StmtKind::kDeclaration) {
        init = declaration_text(*stmt->init);
      } else if (stmt->init && stmt->init->kind == StmtKind::kExpression) {
        init = statement_expr_text(stmt->init->expr.get());
      }
      out += tabs(indent) + "for (" + init + ";";
      if (stmt->expr) out += " " + print_expr(stmt->expr.get(), kAssignPrecedence);
      out += ";";
      if (stmt->step) out += " " + print_expr(stmt->step.get(), kAssignPrecedence);
      out += ")";
      if (print_body(stmt->body.get(), indent, false, out)) out += "\n";
      break;
    }
    case StmtKind::kBlock:
      out += tabs(indent) + "{\n";
      for (const StmtPtr& inner : stmt->statements) print_stmt(inner.get(), indent + 1, out);
      out += tabs(indent) + "}\n";
      break;
    case StmtKind::kReturn:
      out += tabs(indent) + "return";
      if (stmt->expr) out += " " + print_expr(stmt->expr.get(), kAssignPrecedence);
      out += ";\n";
      break;
    case StmtKind::kBreak:
      out += tabs(indent) + "break;\n";
      break;
    case StmtKind::kContinue:
      out += tabs(indent) + "continue;\n";
      break;
    case StmtKind::kEmpty:
      out += tabs(indent) + ";\n";
      break;
  }
}

// ----- conditions

constexpr int kImpliesPrecedence = 1;
constexpr int kOrPrecedence = 2;
constexpr int kAndPrecedence = 3;
constexpr int kNotPrecedence = 4;
constexpr int kAtomPrecedence = 5;

int precedence(const Condition& cond) {
  switch (cond.kind) {
    case CondKind::kImplies:
      return kImpliesPrecedence;
    case CondKind::kOr:
      return kOrPrecedence;
    case CondKind::kAnd:
      return kAndPrecedence;
    case CondKind::kNot:
      return kNotPrecedence;
    default:
      return kAtomPrecedence;
  }
}

std::string value_text(const CondValue& value) {
  switch (value.kind) {
    case CondValue::Kind::kInteger:
      return std::to_string(value.integer);
    case CondValue::Kind::kAddress:
      return value.location.name;
    case CondValue::Kind::kLocation:
      return value.location.text();
  }
  return "?";
}

std::string print_condition(const Condition* cond, int min_precedence) {
  if (cond == nullptr) return "<missing>";
  auto child = [cond](size_t i, int child_min) {
    return print_condition(i < cond->operands.size() ? cond->operands[i].get() : nullptr,
                           child_min);
  };
  std::string out;
  switch (cond->kind) {
    case CondKind::kTrue:
      out = "true";
      break;
    case CondKind::kFalse:
      out = "false";
      break;
    case CondKind::kCompare:
      out = cond->lhs.text() + (cond->op == CompareOp::kEqual ? "=" : "!=") + value_text(cond->rhs);
      break;
    case CondKind::kNot:
      out = "~" + child(0, kNotPrecedence);
      break;
    case CondKind::kAnd:  // left-associative
      out = child(0, kAndPrecedence) + " /\\ " + child(1, kAndPrecedence + 1);
      break;
    case CondKind::kOr:  // left-associative
      out = child(0, kOrPrecedence) + " \\/ " + child(1, kOrPrecedence + 1);
      break;
    case CondKind::kImplies:  // right-associative
      out = child(0, kImpliesPrecedence + 1) + " => " + child(1, kImpliesPrecedence);
      break;
  }
  if (precedence(*cond) < min_precedence) return "(" + out + ")";
  return out;
}

// ----- test

bool is_plain_setting(const std::string& key, const std::string& value) {
  auto key_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  };
  const bool key_ok = !key.empty() && !(key[0] >= '0' && key[0] <= '9') && key[0] != '.' &&
                      key[0] != '-' && std::all_of(key.begin(), key.end(), key_char);
  const bool value_ok = !value.empty() && value.find_first_of(" \t\r\n") == std::string::npos;
  return key_ok && value_ok;
}

// True when `body` placed between "(*" and "*)" forms exactly one (nesting) herd comment.
bool nests_cleanly(const std::string& body) {
  int depth = 1;
  for (size_t i = 0; i + 1 < body.size();) {
    if (body[i] == '(' && body[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (body[i] == '*' && body[i + 1] == ')') {
      if (--depth == 0) return false;
      i += 2;
    } else {
      ++i;
    }
  }
  return depth == 1;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string header_comment(const Test& test) {
  std::vector<std::string> lines;
  if (test.expected_result) {
    std::string flags;
    for (const std::string& f : test.expected_flags) flags += " " + f;
    lines.push_back(std::string("Result: ") + to_string(*test.expected_result) + flags +
                    (test.expected_data_race ? " DATARACE" : ""));
  }
  for (const FindingExpectation& e : test.expected_findings) {
    std::string line = "Expect";
    if (!e.bug.empty()) line += " bug=" + e.bug;
    for (const std::string& k : e.kernels) line += " " + k;
    std::string kinds;
    for (const std::string& k : e.findings) kinds += (kinds.empty() ? "" : ", ") + k;
    lines.push_back(line + ": " + (kinds.empty() ? "none" : kinds));
  }
  for (const auto& [key, value] : test.settings) {
    lines.push_back((is_plain_setting(key, value) ? "" : "Setting: ") + key + "=" + value);
  }
  if (!test.doc.empty()) {
    if (!lines.empty()) lines.emplace_back();
    size_t begin = 0;
    while (begin <= test.doc.size()) {
      size_t end = test.doc.find('\n', begin);
      if (end == std::string::npos) end = test.doc.size();
      lines.push_back(test.doc.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  if (lines.empty()) return "";
  auto body_of = [&lines] {
    std::string body;
    for (const std::string& line : lines) body += line.empty() ? " *\n" : " * " + line + "\n";
    return body;
  };
  std::string body = body_of();
  if (!nests_cleanly(body)) {
    // Text from a doc string or a hand-built tree could end the comment early; break the markers.
    for (std::string& line : lines) {
      line = replace_all(replace_all(line, "*)", "* )"), "(*", "( *");
    }
    body = body_of();
  }
  return "(*\n" + body + " *)\n";
}

std::string init_entry_text(const InitEntry& entry) {
  if (entry.call) return to_string(*entry.call) + ";";
  std::string out;
  if (entry.type) out += entry.type->base + " " + std::string(entry.type->pointer_depth, '*');
  if (entry.thread) out += std::to_string(*entry.thread) + ":";
  out += entry.name;
  if (entry.array_size) out += "[" + std::to_string(*entry.array_size) + "]";
  const InitValue& value = entry.value;
  switch (value.kind) {
    case InitValue::Kind::kNone:
      break;
    case InitValue::Kind::kInteger:
      out += " = " + std::to_string(value.integer);
      break;
    case InitValue::Kind::kAddress:
      out += " = " + std::string(value.ampersand ? "&" : "") + value.symbol;
      break;
    case InitValue::Kind::kMacro:
      out += " = " + value.macro + "(";
      for (size_t i = 0; i < value.args.size(); ++i)
        out += (i ? ", " : "") + std::to_string(value.args[i]);
      if (value.args.empty()) out += std::to_string(value.integer);
      out += ")";
      break;
  }
  return out + ";";
}

}  // namespace

std::string to_string(const Expr& expr) { return print_expr(&expr, kAssignPrecedence); }

std::string clip(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  std::string s(text.substr(0, max - 3));
  s += "...";
  return s;
}

std::string quoted_text(const Expr& expr) { return clip(to_string(expr), kQuoteMax); }

std::string to_string(const Stmt& stmt) {
  std::string out;
  print_stmt(&stmt, 0, out);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string to_string(const Condition& condition) { return print_condition(&condition, 0); }

std::string to_string(const Test& test) {
  std::string out = (test.arch.empty() ? std::string("C") : test.arch) + " " + test.name + "\n";
  for (const Test::InfoLine& i : test.info) out += i.key + "=" + i.value + "\n";
  out += "\n";
  const std::string comment = header_comment(test);
  if (!comment.empty()) out += comment + "\n";

  if (test.init.empty()) {
    out += "{}\n";
  } else {
    out += "{\n";
    for (const InitEntry& entry : test.init) {
      out += '\t';
      out += init_entry_text(entry);
      out += '\n';
    }
    out += "}\n";
  }

  for (const Thread& thread : test.threads) {
    out += "\nP" + std::to_string(thread.index) + "(";
    for (size_t i = 0; i < thread.params.size(); ++i) {
      const Param& param = thread.params[i];
      if (i > 0) out += ", ";
      out += param.type.base + " " + std::string(param.type.pointer_depth, '*') + param.name;
    }
    out += ")\n{\n";
    if (thread.body) {
      const auto& statements = thread.body->statements;
      for (size_t i = 0; i < statements.size(); ++i) {
        // Kernel style: a blank line between the leading declarations and the code.
        if (i > 0 && statements[i - 1]->kind == StmtKind::kDeclaration &&
            statements[i]->kind != StmtKind::kDeclaration &&
            std::all_of(statements.begin(), statements.begin() + i,
                        [](const StmtPtr& s) { return s->kind == StmtKind::kDeclaration; })) {
          out += "\n";
        }
        print_stmt(statements[i].get(), 1, out);
      }
    }
    out += "}\n";
  }

  out += "\n";
  if (!test.locations.empty()) {
    out += "locations [";
    for (size_t i = 0; i < test.locations.size(); ++i) {
      if (i > 0) out += "; ";
      out += test.locations[i].text();
    }
    out += "]\n";
  }
  if (test.filter) out += "filter (" + print_condition(test.filter.get(), 0) + ")\n";
  out += std::string(to_string(test.final_clause.quantifier)) + " (" +
         print_condition(test.final_clause.condition.get(), 0) + ")\n";
  return out;
}

}  // namespace litmus
