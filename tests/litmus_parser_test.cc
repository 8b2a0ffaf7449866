// GoogleTest wrapper of the litmus parser and printer checks: every .litmus file of the peer
// corpus parses and prints to a fixed point, targeted feature checks, malformed inputs with
// positioned errors, and a fuzz pass over truncated and mutated copies of the corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "litmus/ast.h"
#include "litmus/parser.h"

namespace litmus {
namespace {

using Failures = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Helpers

// Fully parenthesised rendering of an expression, to pin down the tree shape.
std::string sexpr(const Expr& e) {
  auto sub = [&e](size_t i) { return sexpr(*e.operands.at(i)); };
  switch (e.kind) {
    case ExprKind::kInteger:
      return std::to_string(e.integer);
    case ExprKind::kIdentifier:
      return e.name;
    case ExprKind::kUnary: {
      const bool post =
          e.unary_op == UnaryOp::kPostIncrement || e.unary_op == UnaryOp::kPostDecrement;
      return std::string("(") + (post ? "post" : "") + spelling(e.unary_op) + " " + sub(0) + ")";
    }
    case ExprKind::kBinary:
      return std::string("(") + spelling(e.binary_op) + " " + sub(0) + " " + sub(1) + ")";
    case ExprKind::kAssign:
      return std::string("(") + (e.compound_op ? spelling(*e.compound_op) : "") + "= " + sub(0) +
             " " + sub(1) + ")";
    case ExprKind::kConditional:
      return "(? " + sub(0) + " " + sub(1) + " " + sub(2) + ")";
    case ExprKind::kCall: {
      std::string out = "(call " + e.name;
      for (const ExprPtr& arg : e.operands) out += " " + sexpr(*arg);
      return out + ")";
    }
    case ExprKind::kMember:
      return std::string("(") + (e.arrow ? "->" : ".") + " " + sub(0) + " " + e.name + ")";
    case ExprKind::kIndex:
      return "([] " + sub(0) + " " + sub(1) + ")";
    case ExprKind::kCast:
      return "(cast " + e.cast_type.text() + " " + sub(0) + ")";
  }
  return "?";
}

std::string sexpr(const Condition& c) {
  auto sub = [&c](size_t i) { return sexpr(*c.operands.at(i)); };
  switch (c.kind) {
    case CondKind::kTrue:
      return "true";
    case CondKind::kFalse:
      return "false";
    case CondKind::kCompare: {
      std::string rhs;
      switch (c.rhs.kind) {
        case CondValue::Kind::kInteger:
          rhs = std::to_string(c.rhs.integer);
          break;
        case CondValue::Kind::kAddress:
          rhs = "&" + c.rhs.location.name;
          break;
        case CondValue::Kind::kLocation:
          rhs = "@" + c.rhs.location.text();
          break;
      }
      return c.lhs.text() + (c.op == CompareOp::kEqual ? "=" : "!=") + rhs;
    }
    case CondKind::kNot:
      return "(~ " + sub(0) + ")";
    case CondKind::kAnd:
      return "(/\\ " + sub(0) + " " + sub(1) + ")";
    case CondKind::kOr:
      return "(\\/ " + sub(0) + " " + sub(1) + ")";
    case CondKind::kImplies:
      return "(=> " + sub(0) + " " + sub(1) + ")";
  }
  return "?";
}

// "<label>:<line>:<column>: expected <X>, found <Y>" with a non-empty X and Y.
bool is_well_formed_error(const std::string& text, const std::string& label) {
  if (!text.starts_with(label + ":")) return false;
  size_t i = label.size() + 1;
  for (int field = 0; field < 2; ++field) {
    const size_t digits_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == digits_begin || i >= text.size() || text[i] != ':') return false;
    ++i;
  }
  const std::string rest = text.substr(i);
  const size_t found = rest.rfind(", found ");
  return rest.starts_with(" expected ") && found != std::string::npos &&
         found > std::string(" expected ").size() && found + 7 < rest.size();
}

// Checks the result-level contract: ok() iff no errors, and every error is well formed.
void check_result_contract(const ParseResult& result, const std::string& label,
                           Failures& failures) {
  if (result.ok() != result.errors.empty()) {
    failures.push_back(label + ": ok() disagrees with the error list");
  }
  for (const Diagnostic& error : result.errors) {
    if (!is_well_formed_error(error.to_string(), label)) {
      failures.push_back(label + ": malformed error text: " + error.to_string());
    }
  }
}

// print(parse(print(t))) == print(t).
void check_round_trip(const Test& test, const std::string& label, Failures& failures) {
  const std::string printed = to_string(test);
  const ParseResult again = parse_litmus(printed, label + "<printed>");
  if (!again.ok()) {
    failures.push_back(label + ": printed form does not parse:\n" + again.error_text() +
                       "--- printed form:\n" + printed);
    return;
  }
  const std::string reprinted = to_string(*again.test);
  if (reprinted != printed) {
    failures.push_back(label + ": printing is not a fixed point\n--- first:\n" + printed +
                       "--- second:\n" + reprinted);
  }
}

std::vector<std::filesystem::path> litmus_files(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file() && it->path().extension() == ".litmus") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ---------------------------------------------------------------------------------------------
// Corpus

Failures check_corpus(const std::string& dir, std::ostream& log) {
  Failures failures;
  const std::vector<std::filesystem::path> files = litmus_files(dir);
  if (files.empty()) failures.push_back(dir + ": no .litmus files found");
  for (const std::filesystem::path& path : files) {
    const std::string label = path.string();
    const ParseResult result = parse_litmus_file(label);
    check_result_contract(result, label, failures);
    if (!result.ok()) {
      log << "FAIL " << label << "\n" << result.error_text();
      failures.push_back(label + ": does not parse");
      continue;
    }
    const Test& test = *result.test;
    log << "OK " << test.name << "\n";
    // Properties that hold for every test in the kernel's litmus collections (the project's
    // own files prefix the name with their subsystem: balloon-deflate-vs-compaction).
    const std::string stem = path.stem().string();
    const bool named_after_file =
        test.name == stem ||
        (test.name.size() > stem.size() &&
         test.name.compare(test.name.size() - stem.size() - 1, std::string::npos, "-" + stem) == 0);
    if (!named_after_file) {
      failures.push_back(label + ": name '" + test.name + "' differs from the file name");
    }
    if (!test.expected_result) failures.push_back(label + ": no 'Result:' line found");
    if (test.threads.empty()) failures.push_back(label + ": no threads");
    if (!test.final_clause.condition) failures.push_back(label + ": no final condition");
    check_round_trip(test, label, failures);
  }
  log << files.size() << " corpus files checked\n";
  return failures;
}

// ---------------------------------------------------------------------------------------------
// Feature checks on small inline tests

struct Expectation {
  Failures& failures;
  std::string label;
  void equal(const std::string& what, const std::string& actual, const std::string& expected) {
    if (actual != expected) {
      failures.push_back(label + ": " + what + ": got '" + actual + "', want '" + expected + "'");
    }
  }
  void is_true(const std::string& what, bool value) {
    if (!value) failures.push_back(label + ": " + what);
  }
};

// Parses `text`, requiring success and a fixed-point print; runs `check` on the test.
void check_snippet(const std::string& label, const std::string& text,
                   const std::function<void(const Test&, Expectation&)>& check,
                   Failures& failures) {
  const ParseResult result = parse_litmus(text, label);
  check_result_contract(result, label, failures);
  if (!result.ok()) {
    failures.push_back(label + ": does not parse:\n" + result.error_text());
    return;
  }
  Expectation expect{failures, label};
  check(*result.test, expect);
  check_round_trip(*result.test, label, failures);
}

// A one-thread test around `body`.
std::string thread_test(const std::string& body, const std::string& final_clause = "exists (x=1)") {
  return "C snippet\n\n{}\n\nP0(int *x)\n{\n" + body + "\n}\n\n" + final_clause + "\n";
}

// The expression of body statement `i` of P0 (expression statement or declarator initialiser).
std::string stmt_sexpr(const Test& test, size_t i) {
  const Stmt& stmt = *test.threads.at(0).body->statements.at(i);
  if (stmt.kind == StmtKind::kDeclaration) return sexpr(*stmt.declarators.at(0).initializer);
  return sexpr(*stmt.expr);
}

Failures check_features() {
  Failures failures;

  check_snippet(
      "precedence",
      thread_test("\tr0 = a + b * c << 1 == d & e | f && g || h ? 1 : 2;\n"
                  "\tr1 = -*p + !x - ~y * &z[2]->f.g;\n"
                  "\tr2 = a - -b - (c - d);\n"
                  "\tr3 = r4 = a ? c : d ? e : f;\n"
                  "\tr5 = - --r6 + (r7++) - r8--;"),
      [](const Test& t, Expectation& e) {
        e.equal("ternary chain", stmt_sexpr(t, 0),
                "(= r0 (? (|| (&& (| (& (== (<< (+ a (* b c)) 1) d) e) f) g) h) 1 2))");
        e.equal("unary and postfix", stmt_sexpr(t, 1),
                "(= r1 (- (+ (- (* p)) (! x)) (* (~ y) (& (. (-> ([] z 2) f) g)))))");
        e.equal("left associativity", stmt_sexpr(t, 2), "(= r2 (- (- a (- b)) (- c d)))");
        e.equal("right associativity", stmt_sexpr(t, 3), "(= r3 (= r4 (? a c (? d e f))))");
        e.equal("increments", stmt_sexpr(t, 4),
                "(= r5 (- (+ (- (-- r6)) (post++ r7)) (post-- r8)))");
      },
      failures);

  check_snippet(
      "calls-and-casts",
      thread_test("\t(void)atomic_add_unless(v, 1, 0);\n"
                  "\tr0 = (int *)p;\n"
                  "\tr1 = (x);\n"
                  "\tr2 = (struct foo **)q;\n"
                  "\tr3 = cmpxchg_relaxed(x, 0, READ_ONCE(*y) + 1);\n"
                  "\tsmp_mb();\n"
                  "\tr4 += 2; r4 <<= 1; r4 |= r5;"),
      [](const Test& t, Expectation& e) {
        e.equal("void cast", stmt_sexpr(t, 0), "(cast void (call atomic_add_unless v 1 0))");
        e.equal("pointer cast", stmt_sexpr(t, 1), "(= r0 (cast int * p))");
        e.equal("parenthesis", stmt_sexpr(t, 2), "(= r1 x)");
        e.equal("struct cast", stmt_sexpr(t, 3), "(= r2 (cast struct foo ** q))");
        e.equal("nested call", stmt_sexpr(t, 4),
                "(= r3 (call cmpxchg_relaxed x 0 (+ (call READ_ONCE (* y)) 1)))");
        e.equal("no-argument call", stmt_sexpr(t, 5), "(call smp_mb)");
        e.equal("compound +=", stmt_sexpr(t, 6), "(+= r4 2)");
        e.equal("compound <<=", stmt_sexpr(t, 7), "(<<= r4 1)");
        e.equal("compound |=", stmt_sexpr(t, 8), "(|= r4 r5)");
        const Expr& call = *t.threads[0].body->statements[5]->expr;
        e.equal("call location", call.loc.to_string(), "calls-and-casts:12:2");
      },
      failures);

  check_snippet(
      "declarations",
      thread_test("\tint r0, *r1 = x, r2[2];\n"
                  "\tspinlock_t *l;\n"
                  "\tstruct srcu_struct *s;\n"
                  "\tatomic_t v;\n"
                  "\tunsigned long r3 = 0x1F;\n"
                  "\tu32 r4 = 010;\n"
                  "\tint **pp;\n"
                  "\tint a = READ_ONCE(*x);"),
      [](const Test& t, Expectation& e) {
        const auto& body = t.threads[0].body->statements;
        e.is_true("all are declarations",
                  std::all_of(body.begin(), body.end(),
                              [](const StmtPtr& s) { return s->kind == StmtKind::kDeclaration; }));
        if (body.size() != 8) return e.is_true("eight statements", false);
        const auto& first = body[0]->declarators;
        e.is_true("three declarators", first.size() == 3);
        if (first.size() == 3) {
          e.equal("r1 type", first[1].type.text(), "int *");
          e.equal("r1 init", sexpr(*first[1].initializer), "x");
          e.is_true("r2 array", first[2].array_size == 2);
          e.is_true("r0 has no initializer", first[0].initializer == nullptr);
        }
        e.equal("spinlock type", body[1]->declarators[0].type.text(), "spinlock_t *");
        e.equal("struct type", body[2]->declarators[0].type.text(), "struct srcu_struct *");
        e.equal("typedef type", body[3]->declarators[0].type.text(), "atomic_t");
        e.equal("multi-word type", body[4]->declarators[0].type.text(), "unsigned long");
        e.equal("hex literal", sexpr(*body[4]->declarators[0].initializer), "31");
        e.equal("octal literal", sexpr(*body[5]->declarators[0].initializer), "8");
        e.equal("double pointer", body[6]->declarators[0].type.text(), "int **");
        e.equal("initialised from a call", stmt_sexpr(t, 7), "(call READ_ONCE (* x))");
      },
      failures);

  check_snippet(
      "control-flow",
      thread_test("\tfor (int i = 0; i < 2; i++) {\n"
                  "\t\tif (i == 1)\n\t\t\tbreak;\n\t\telse\n\t\t\tcontinue;\n\t}\n"
                  "\tfor (;;) ;\n"
                  "\twhile (READ_ONCE(*x) == 0)\n\t\t;\n"
                  "\tif (a) { if (b) r0 = 1; } else r0 = 2;\n"
                  "\tif (a) if (b) r0 = 1; else r0 = 2;\n"
                  "\tif (a) r0 = 1; else if (b) r0 = 2; else { r0 = 3; }\n"
                  "\t{ ; }\n"
                  "\treturn;"),
      [](const Test& t, Expectation& e) {
        const auto& body = t.threads[0].body->statements;
        if (body.size() != 8) return e.is_true("eight statements", false);
        const Stmt& loop = *body[0];
        e.is_true("for", loop.kind == StmtKind::kFor);
        e.is_true("for init is a declaration",
                  loop.init && loop.init->kind == StmtKind::kDeclaration);
        e.equal("for step", sexpr(*loop.step), "(post++ i)");
        e.is_true("empty for header", body[1]->init->kind == StmtKind::kEmpty && !body[1]->expr &&
                                          !body[1]->step &&
                                          body[1]->body->kind == StmtKind::kEmpty);
        e.is_true("while", body[2]->kind == StmtKind::kWhile);
        e.is_true("braced then-branch keeps the else outside",
                  body[3]->else_branch != nullptr && body[3]->body->kind == StmtKind::kBlock);
        e.is_true("unbraced else binds to the inner if",
                  body[4]->else_branch == nullptr && body[4]->body->else_branch != nullptr);
        e.is_true("else-if chain", body[5]->else_branch->kind == StmtKind::kIf);
        e.is_true("return", body[7]->kind == StmtKind::kReturn && !body[7]->expr);
      },
      failures);

  check_snippet(
      "comments-and-continuations",
      "C comments\n"
      "(* header *)\n"
      "{ int x; } (* (* nested *) comment outside braces *)\n"
      "P0(int *x) // Producer\n"
      "{\n"
      "\tint r0; /* block comment */ // line comment\n"
      "\tr0 = READ_ONCE(\\\n*x);\n"
      "}\n"
      "(* comment between threads *)\n"
      "P1(int *x) /* after header */\n"
      "{\n"
      "\tWRITE_ONCE(*x, 1);\n"
      "}\n"
      "exists (0:r0=1 /\\\n"
      "        x=1 \\/\n"
      "        x=2) (* trailing *) // done\n",
      [](const Test& t, Expectation& e) {
        e.equal("doc", t.doc, "header");
        e.equal("continued call", stmt_sexpr(t, 1), "(= r0 (call READ_ONCE (* x)))");
        e.equal("condition across lines", sexpr(*t.final_clause.condition),
                "(\\/ (/\\ 0:r0=1 x=1) x=2)");
      },
      failures);

  check_snippet(
      "crlf",
      "C crlf\r\n(*\r\n * Result: Never\r\n *)\r\n{\r\n\tint x;\r\n}\r\n"
      "P0(int *x)\r\n{\r\n\tWRITE_ONCE(*x, 1);\r\n}\r\nexists (x=1)\r\n",
      [](const Test& t, Expectation& e) {
        e.is_true("result", t.expected_result == ExpectedResult::kNever);
        e.equal("doc", t.doc, "");
      },
      failures);

  check_snippet(
      "conditions",
      "C conditions\n{}\nP0(int *x)\n{\n}\nP1(int *x)\n{\n}\n"
      "locations [x; 0:r1;]\n"
      "filter (~0:r1=0 /\\ true)\n"
      "~exists (x=1 \\/ y=1 /\\ ~z=1 \\/ (0:r0=x /\\ 1:r0=-1) /\\ x!=2 /\\ 0:r0==1:r1)\n",
      [](const Test& t, Expectation& e) {
        e.is_true("two locations", t.locations.size() == 2);
        if (t.locations.size() == 2) e.equal("location", t.locations[1].text(), "0:r1");
        e.equal("filter", sexpr(*t.filter), "(/\\ (~ 0:r1=0) true)");
        e.is_true("quantifier", t.final_clause.quantifier == Quantifier::kNotExists);
        e.equal("condition", sexpr(*t.final_clause.condition),
                "(\\/ (\\/ x=1 (/\\ y=1 (~ z=1))) (/\\ (/\\ (/\\ 0:r0=&x 1:r0=-1) x!=2) "
                "0:r0=@1:r1))");
      },
      failures);

  check_snippet(
      "forall-implies", thread_test("", "forall (x=1 => y=1 => false \\/ ~(x=0))"),
      [](const Test& t, Expectation& e) {
        e.is_true("quantifier", t.final_clause.quantifier == Quantifier::kForall);
        e.equal("implication is right-associative", sexpr(*t.final_clause.condition),
                "(=> x=1 (=> y=1 (\\/ false (~ x=0))))");
      },
      failures);

  check_snippet(
      "header",
      "C MP+a.b-c_d=e\n"
      "\"Fre PodWR Fre PodWR\"\n"
      "Hash=abc123\n"
      "Cycle=Fre PodWR Fre PodWR\n"
      "Relax=\n"
      "Safe=Fre PodWR\n"
      "Generator=diy7 (version 7.57)\n"
      "Prefetch=0:x=F,0:y=T\n"
      "Com=Fr Fr\n"
      "Orig=Fre PodWR Fre PodWR\n"
      "(*\n"
      " * Result: DEADLOCK DATARACE\n"
      " * kernel=4.8\n"
      " * Setting: bug=no-trypin\n"
      " * Setting: note = two words\n"
      " *\n"
      " * First paragraph,\n"
      " *     indented code.\n"
      " *\n"
      " * Second paragraph with x=1 in prose.\n"
      " *)\n"
      "{}\nP0(int *x)\n{\n}\nexists (x=1)\n",
      [](const Test& t, Expectation& e) {
        e.equal("name", t.name, "MP+a.b-c_d=e");
        e.equal("arch", t.arch, "C");
        e.is_true("result", t.expected_result == ExpectedResult::kDeadlock);
        e.is_true("data race", t.expected_data_race);
        std::string settings;
        for (const auto& [key, value] : t.settings) settings += key + "=" + value + ";";
        e.equal("settings", settings, "bug=no-trypin;kernel=4.8;note=two words;");
        // herd info lines (diy7's, some empty) are metadata, kept in file order.
        std::string info;
        for (const Test::InfoLine& i : t.info) info += i.key + "=" + i.value + ";";
        e.equal("info", info,
                "Hash=abc123;Cycle=Fre PodWR Fre PodWR;Relax=;Safe=Fre PodWR;Generator=diy7 "
                "(version 7.57);Prefetch=0:x=F,0:y=T;Com=Fr Fr;Orig=Fre PodWR Fre PodWR;");
        e.equal("doc", t.doc,
                "Fre PodWR Fre PodWR\n\nFirst paragraph,\n    indented code.\n\n"
                "Second paragraph with x=1 in prose.");
      },
      failures);

  // Doc strings may contain comment markers; the printed header comment must stay balanced.
  check_snippet(
      "doc-markers",
      "C markers\n\"opens (* and closes *) (*)\"\n{}\nP0(int *x)\n{\n}\nexists (x=1)\n",
      [](const Test& t, Expectation& e) { e.equal("doc", t.doc, "opens (* and closes *) (*)"); },
      failures);

  check_snippet(
      "init",
      "C init\n{\n"
      "\tint x; int *p=y; int *q = &x; atomic_t v = ATOMIC_INIT(1);\n"
      "\tx2=1; 0:r1=1; int 1:r2 = x; int a[2]; spinlock_t *lck; struct page *pg;\n"
      "\ty = -3\n"
      "}\nP0(int *x)\n{\n}\nP1(int *x)\n{\n}\nexists (x=1)\n",
      [](const Test& t, Expectation& e) {
        if (t.init.size() != 11) return e.is_true("eleven entries", false);
        using Kind = InitValue::Kind;
        e.is_true("int x", t.init[0].type->text() == "int" && t.init[0].value.kind == Kind::kNone);
        e.is_true("bare address", t.init[1].is_pointer() &&
                                      t.init[1].value.kind == Kind::kAddress &&
                                      t.init[1].value.symbol == "y" && !t.init[1].value.ampersand);
        e.is_true("& address", t.init[2].value.kind == Kind::kAddress && t.init[2].value.ampersand);
        e.is_true("ATOMIC_INIT", t.init[3].value.kind == Kind::kMacro &&
                                     t.init[3].value.macro == "ATOMIC_INIT" &&
                                     t.init[3].value.integer == 1);
        e.is_true("untyped", !t.init[4].type && t.init[4].value.integer == 1);
        e.is_true("register", t.init[5].thread == 0 && t.init[5].name == "r1");
        e.is_true("typed register", t.init[6].thread == 1 && t.init[6].type &&
                                        t.init[6].value.kind == Kind::kAddress);
        e.is_true("array", t.init[7].array_size == 2);
        e.equal("lock type", t.init[8].type->text(), "spinlock_t *");
        e.equal("struct type", t.init[9].type->text(), "struct page *");
        e.is_true("negative, no final ';'", t.init[10].value.integer == -3);
        e.equal("entry location", t.init[3].loc.to_string(), "init:3:32");
      },
      failures);

  check_snippet(
      "params",
      "C params\n{}\nP0(void)\n{\n}\nP1()\n{\n}\n"
      "P2(int **p, struct srcu_struct *s, atomic_t *v, spinlock_t *sl, int x)\n{\n}\n"
      "exists (x=1)\n",
      [](const Test& t, Expectation& e) {
        if (t.threads.size() != 3) return e.is_true("three threads", false);
        e.is_true("void and empty", t.threads[0].params.empty() && t.threads[1].params.empty());
        std::string params;
        for (const Param& p : t.threads[2].params) params += p.type.text() + "|";
        e.equal("types", params, "int **|struct srcu_struct *|atomic_t *|spinlock_t *|int|");
        e.equal("thread location", t.threads[2].loc.to_string(), "params:9:1");
      },
      failures);
  return failures;
}

// ---------------------------------------------------------------------------------------------
// Malformed inputs

struct MalformedCase {
  std::string text;
  std::string position;   // "line:column" of the first error
  std::string substring;  // must occur in the first error's text
};

// A valid test whose thread body is replaced by `body`.
std::string with_body(const std::string& body) {
  return "C bad\n{}\nP0(int *x)\n{\n" + body + "\n}\nexists (x=1)\n";
}

Failures check_malformed_inputs() {
  const std::string kValidTail = "{}\nP0(int *x)\n{\n}\nexists (x=1)\n";
  const std::vector<MalformedCase> cases = {
      {"", "1:1", "expected a first line 'C <test name>', found end of input"},
      {"X86 t\n" + kValidTail, "1:1", "expected architecture 'C'"},
      {"C\n" + kValidTail, "1:2", "expected a test name after 'C', found end of line"},
      {"C t extra\n" + kValidTail, "1:5", "found 'extra'"},
      {"C t\n\nP0(int *x) {}\nexists (x=1)\n", "3:1",
       "expected '{' opening the initial state, found 'P0(int'"},
      {"C t\n(* unclosed\n" + kValidTail, "2:1", "expected '*)' closing this comment"},
      {"C t\n(* a (* b\n" + kValidTail, "2:1", "nested in it at 2:6"},
      {"C t\n(*\n * Result: Perhaps\n *)\n" + kValidTail, "3:12", "found 'Perhaps'"},
      {"C t\n(*\n * Result:\n *)\n" + kValidTail, "3:11", "found end of line"},
      {"C t\n(* Result: Never\n * Result: Never *)\n" + kValidTail, "3:4", "a single 'Result:'"},
      {"C t\n(* Result: Never Sometimes *)\n" + kValidTail, "2:18", "'DATARACE'"},
      {"C t\n(* Setting: novalue *)\n" + kValidTail, "2:13", "'key=value' after 'Setting:'"},
      {"C t\n(* a=1\n a=2 *)\n" + kValidTail, "3:2", "found a second 'a'"},
      {"C t\n\"doc\n" + kValidTail, "2:5", "'\"' closing the doc string"},
      {with_body("\tWRITE_ONCE(*x, 1)"), "6:1", "expected ';' after the expression, found '}'"},
      {with_body("\tWRITE_ONCE(*x, 1;"), "5:18", "expected ')' or ',' in the arguments"},
      {with_body("\tr0 = @;"), "5:7", "found '@'"},
      {with_body(std::string("\tr0 = \0;", 8)), "5:7", "found byte 0x00"},
      {with_body("\tr0 = 99999999999999999999;"), "5:7", "found '99999999999999999999'"},
      {with_body("\tr0 = 09;"), "5:7", "expected a number, found '09'"},
      {with_body("\tr0 = 1; /* open"), "5:10", "expected '*/' closing this comment"},
      {with_body("\telse r0 = 1;"), "5:2", "'else' must follow an 'if'"},
      {with_body("\tdo { } while (1);"), "5:2", "found 'do'"},
      {with_body("\tint ;"), "5:6", "expected a variable name"},
      {with_body("\ta[0](1);"), "5:6", "only named functions can be called"},
      {with_body("\tr0 = (1 + ;"), "5:12", "expected an expression, found ';'"},
      {with_body("\tr0 = a ? b ;"), "5:13", "expected ':' in the conditional expression"},
      {with_body("\tif r0 == 1) r1 = 1;"), "5:5", "expected '(' after 'if'"},
      {with_body("\tr0 = (a, b);"), "5:9", "expected ')' closing the parenthesis, found ','"},
      {with_body("\tr0 = " + std::string(1000, '(') + "1" + std::string(1000, ')') + ";"), "",
       "levels of nesting"},
      {with_body(std::string(1000, '{') + std::string(1000, '}')), "", "levels of nesting"},
      {"C t\n{}\nP0(int *x)\n{\n\tr0 = 1;\n", "6:1", "'}' closing the block opened at 4:1"},
      {"C t\n{}\nP0(int *x)\n{\n}\n", "6:1", "expected a final condition"},
      {"C t\n{}\nexists (x=1)\n", "3:1", "at least one thread"},
      {"C t\n{}\nP0(int *x)\n{\n}\nP2(int *x)\n{\n}\nexists (x=1)\n", "6:1",
       "expected thread P1 (threads are numbered P0, P1, ...), found 'P2'"},
      {"C t\n{}\nP0(int *x)\n{\n}\nexists (x=1)\nfoo\n", "7:1",
       "expected end of input after the final condition, found 'foo'"},
      {"C t\n{}\nP0(int *x)\n{\n}\nexist (x=1)\n", "6:1", "found 'exist'"},
      {"C t\n{}\nP0(int *x)\nexists (x=1)\n", "4:1", "expected '{' starting the body of P0"},
      {"C t\n{}\nP0(x)\n{\n}\nexists (x=1)\n", "3:4", "expected a parameter such as 'int *x'"},
      {"C t\n{}\nP0(int *x)\n{\n}\nexists (0:r0 1)\n", "6:14", "expected '=' or '!=' after '0:r0'"},
      {"C t\n{}\nP0(int *x)\n{\n}\nexists\n", "7:1", "expected a condition such as"},
      {"C t\n{}\nP0(int *x)\n{\n}\nexists (99999:r0=1)\n", "6:9", "thread number no larger"},
      {"C t\n{}\nP0(int *x)\n{\n}\n~forall (x=1)\n", "6:2", "expected 'exists' after '~'"},
      {"C t\n{}\nP0(int *x)\n{\n}\nlocations [x y]\nexists (x=1)\n", "6:14",
       "expected ';' or ']' in the locations list, found 'y'"},
      {"C t\n{}\nP0(int *x)\n{\n}\nexists (x=1 /\\ )\n", "6:16", "found ')'"},
      {"C t\n{}\nP0(int *x)\n{\n}\nexists (x=1 /\\ y=1\n", "7:1", "expected ')'"},
      {"C t\n{ int x = ; }\n" + kValidTail.substr(3), "2:11", "expected an initial value"},
      {"C t\n{ int *p = &; }\n" + kValidTail.substr(3), "2:13", "a variable name after '&'"},
      {"C t\n{ int x int y; }\n" + kValidTail.substr(3), "2:9", "found 'int'"},
      {"C t\n{ struct *p; }\n" + kValidTail.substr(3), "2:10", "a tag name after 'struct'"},
      {with_body("\tint r0 r1;"), "5:9", "expected ';' or ',' after the declaration"},
      {"C t\n{ v = ATOMIC_INIT(x); }\n" + kValidTail.substr(3), "2:19",
       "an integer argument of 'ATOMIC_INIT'"},
      {"C t\n{ int x;\n", "3:1", "'}' closing the initial state opened at 2:1"},
  };

  Failures failures;
  for (size_t i = 0; i < cases.size(); ++i) {
    const MalformedCase& c = cases[i];
    const std::string label = "malformed" + std::to_string(i) + ".litmus";
    const ParseResult result = parse_litmus(c.text, label);
    check_result_contract(result, label, failures);
    if (result.ok()) {
      failures.push_back(label + ": parsed, but should fail with '" + c.substring + "'");
      continue;
    }
    const std::string first = result.errors.front().to_string();
    const std::string& position = c.position;
    if (!position.empty() && !first.starts_with(label + ":" + position + ":")) {
      failures.push_back(label + ": error at the wrong place (want " + position + "): " + first);
    }
    if (first.find(c.substring) == std::string::npos) {
      failures.push_back(label + ": error lacks '" + c.substring + "': " + first);
    }
  }

  // Independent errors in two threads are both reported.
  const std::string two_errors =
      "C t\n{}\nP0(int *x)\n{\n\tr0 = ;\n}\nP1(int *x)\n{\n\tr1 = 1\n}\nexists (x=1)\n";
  const ParseResult result = parse_litmus(two_errors, "two.litmus");
  if (result.errors.size() != 2 ||
      !result.errors[0].to_string().starts_with("two.litmus:5:7: expected an expression") ||
      !result.errors[1].to_string().starts_with("two.litmus:10:1: expected ';'")) {
    failures.push_back("two.litmus: want errors at 5:7 and 10:1, got:\n" + result.error_text());
  }

  const ParseResult missing = parse_litmus_file("/nonexistent/dir/missing.litmus");
  if (missing.ok() || missing.errors.size() != 1 ||
      !missing.errors[0].to_string().starts_with("/nonexistent/dir/missing.litmus:1:1: expected "
                                                 "a readable litmus file, found ")) {
    failures.push_back("missing file: unexpected result: " + missing.error_text());
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------
// Robustness: truncated and mutated corpus files must never crash and must honour the contract.

// The sanitizer pass (MIGCHECK_QUICK) tries every sixth cut and replacement (the whole sweep
// over the library took over 100 s there; libFuzzer's litmus fuzzer runs in that pass too), and
// the normal build runs it all.
Failures check_robustness(const std::string& dir) {
  Failures failures;
  const size_t stride = std::getenv("MIGCHECK_QUICK") != nullptr ? 6 : 1;
  const std::string kReplacements[] = {"{",  "}",  "(",  ")",  "*",  ";",  "\\",
                                       "\"", "(*", "*)", "/*", "//", "\n", std::string(1, '\0'),
                                       "~",  "P9"};
  size_t parses = 0;
  for (const std::filesystem::path& path : litmus_files(dir)) {
    const ParseResult original = parse_litmus_file(path.string());
    if (!original.ok()) continue;  // reported by check_corpus
    const std::string text = to_string(*original.test);
    auto try_input = [&](const std::string& input, const std::string& what) {
      const std::string label = "fuzz.litmus";
      const ParseResult result = parse_litmus(input, label);
      ++parses;
      Failures local;
      check_result_contract(result, label, local);
      if (result.ok()) check_round_trip(*result.test, label, local);
      for (const std::string& failure : local) {
        failures.push_back(path.filename().string() + " " + what + ": " + failure);
      }
    };
    for (size_t cut = 0; cut < text.size(); cut += 2 * stride) {
      try_input(text.substr(0, cut), "cut at " + std::to_string(cut));
    }
    for (size_t at = 0; at < text.size(); at += 7 * stride) {
      for (const std::string& replacement : kReplacements) {
        try_input(text.substr(0, at) + replacement + text.substr(at + 1),
                  "replace byte " + std::to_string(at) + " with '" + replacement + "'");
      }
    }
    if (failures.size() > 20) break;
  }
  if (parses == 0) failures.push_back(dir + ": nothing to fuzz");
  return failures;
}

}  // namespace
}  // namespace litmus

namespace {

// The kernel's litmus tests when they are beside the project; else the repository's own
// suite, so that a clone on its own still tests the parser on a corpus.
std::string corpus_dir() {
  return std::filesystem::is_directory(MIGCHECK_PEER_DIR) ? MIGCHECK_PEER_DIR : MIGCHECK_LITMUS_DIR;
}

std::string join(const litmus::Failures& failures) {
  std::string s;
  for (const std::string& f : failures) s += f + "\n";
  return s;
}

TEST(LitmusParser, Corpus) {
  const litmus::Failures failures = litmus::check_corpus(corpus_dir(), std::cout);
  EXPECT_TRUE(failures.empty()) << join(failures);
}

TEST(LitmusParser, Features) {
  const litmus::Failures failures = litmus::check_features();
  EXPECT_TRUE(failures.empty()) << join(failures);
}

TEST(LitmusParser, MalformedInputs) {
  const litmus::Failures failures = litmus::check_malformed_inputs();
  EXPECT_TRUE(failures.empty()) << join(failures);
}

TEST(LitmusParser, Robustness) {
  const litmus::Failures failures = litmus::check_robustness(corpus_dir());
  EXPECT_TRUE(failures.empty()) << join(failures);
}

}  // namespace
