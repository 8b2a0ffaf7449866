// The litmus front end on any text: the parser, the printer and the binder (against the
// modelled kernel's functions, objects and settings). Nothing runs.
//
// Contract: parse either gives a test or errors, never both, each error "file:line:col: ..."
// of at most 1 KB whatever the input;
// a parsed test prints to text that parses again and prints the same (a fixed point); binding
// a parsed test gives a program or errors "file:line:col: message", bounded in number and
// length.
#include <memory>
#include <string>

#include "litmus/ast.h"
#include "litmus/bindings/all.h"
#include "litmus/interpreter.h"
#include "litmus/parser.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file = "fuzz.litmus";
  litmus::ParseResult parsed = litmus::parse_litmus(fuzz::text_of(data, size), file);
  fuzz::require(parsed.ok() != !parsed.errors.empty(), "ok() agrees with the error list");
  for (const litmus::Diagnostic& d : parsed.errors) {
    fuzz::require(d.to_string().rfind(file + ":", 0) == 0, "parse error names the file");
    fuzz::require_message(d.to_string(), 1024, "parse error");
  }
  if (!parsed.ok()) return 0;
  const std::string printed = litmus::to_string(*parsed.test);
  const litmus::ParseResult again = litmus::parse_litmus(printed, file);
  fuzz::require(again.ok(), "the printed test parses again:\n" + again.error_text() +
                                "--- printed:\n" + printed);
  fuzz::require(litmus::to_string(*again.test) == printed, "printing is a fixed point");
  auto test = std::make_shared<const litmus::Test>(std::move(*parsed.test));
  const litmus::Compiled compiled = litmus::compile_litmus(test, litmus::model_bindings());
  fuzz::require(compiled.ok() == (compiled.program != nullptr), "ok() agrees with the program");
  for (const litmus::BindError& e : compiled.errors) {
    fuzz::require(e.to_string().rfind(file + ":", 0) == 0, "bind error names the file");
    fuzz::require_message(e.to_string(), 1024, "bind error");
  }
  return 0;
}
