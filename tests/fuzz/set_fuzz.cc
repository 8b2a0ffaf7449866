// `--set KEY=VALUE` on the scenario library: the input's first byte picks a scenario, its lines
// are KEY=VALUE pairs (what --set passes on), and the scenario is bound with them as the
// runner binds it, each value of a list setting (kernel=4.8,5.17 or all) in turn.
//
// Contract: binding gives a program or errors, never an exception or a crash; an unknown value
// is an error naming it.
#include <map>
#include <memory>
#include <string>

#include "litmus/bindings/all.h"
#include "litmus/catalog.h"
#include "litmus/interpreter.h"
#include "litmus/parser.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const auto files = litmus::catalog();
  const litmus::CatalogFile& file = *files[data[0] % files.size()];
  static std::map<std::string, std::shared_ptr<const litmus::Test>> parsed;
  auto& test = parsed[file.name];
  if (!test) {
    litmus::ParseResult r = litmus::parse_litmus(file.text, file.path);
    fuzz::require(r.ok(), std::string(file.path) + " parses");
    test = std::make_shared<const litmus::Test>(std::move(*r.test));
  }
  std::map<std::string, std::string> overrides;
  const std::string_view text = fuzz::text_of(data + 1, size - 1);
  for (size_t at = 0; at <= text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (const size_t eq = line.find('='); eq != std::string_view::npos)
      overrides[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    at = end + 1;
  }
  const litmus::Bindings& b = litmus::model_bindings();
  // The runner's expansion: one binding per value of each list setting given.
  std::map<std::string, std::string> first = overrides;
  for (const litmus::ModelSetting& ms : b.settings()) {
    auto it = overrides.find(ms.key);
    if (!ms.list || it == overrides.end()) continue;
    const auto values = litmus::setting_values(ms, it->second);
    if (!values.empty()) first[ms.key] = values.front();
  }
  const litmus::Compiled compiled = litmus::compile_litmus(test, b, first);
  fuzz::require(compiled.ok() == (compiled.program != nullptr), "ok() agrees with the program");
  for (const litmus::BindError& e : compiled.errors)
    fuzz::require_message(e.message, 4096, "bind error");
  return 0;
}
