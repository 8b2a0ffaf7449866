// Parser for C litmus tests (herd7 / Linux-kernel memory model dialect). See ast.h for the tree.
//
// Accepted layout:
//   C <name>                       name: any run of non-blank characters (+ . - ...)
//   (* ... *)  "..."  Key=value    header comments, herd doc strings, herd info lines
//   { <initial state> }            `int x;` `int *p = &x;` `int *p = y;` `x = 1;`
//                                  `atomic_t v = ATOMIC_INIT(1);` `0:r1 = 1;` `int a[2];`
//   P0(<params>) { <C body> } ...  threads numbered P0, P1, ... in order
//   locations [x; 0:r1]            optional
//   filter (<condition>)           optional
//   exists | ~exists | forall (<condition>)
//
// Inside the header comment (the margin `*` of each line is ignored):
//   Result: Never|Sometimes|Always|DEADLOCK [DATARACE]   sets Test::expected_result
//   Setting: key=value                                     value may contain blanks
//   key=value                                              whole line, value without blanks
// Anything else in the header comment is documentation (Test::doc).
//
// Comments: `(* *)` (nesting, as in herd) only outside braces, since inside a thread body
// `READ_ONCE(*x)` contains "(*"; `//` and `/* */` anywhere. A backslash before a newline joins
// lines, except where it belongs to the `/\` operator.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "litmus/ast.h"

namespace litmus {

// Errors kept per file, by the parser and the binder alike; the rest are counted.
inline constexpr size_t kMaxErrorsPerFile = 20;

// One syntax error. to_string() gives "file:line:column: expected X, found Y".
struct Diagnostic {
  SourceLoc loc;
  std::string expected;
  std::string found;
  std::string to_string() const;
};

// Exactly one of `test` and `errors` is populated.
struct ParseResult {
  std::optional<Test> test;
  std::vector<Diagnostic> errors;
  bool ok() const { return test.has_value(); }
  std::string error_text() const;  // all errors, one per line
};

// Never throws; malformed input yields errors (several, when the parser can resynchronise at
// the next thread or clause).
ParseResult parse_litmus(std::string_view text, std::string filename);

// Reads `path` and parses it; an unreadable file is reported as an error at path:1:1.
ParseResult parse_litmus_file(const std::string& path);

}  // namespace litmus
