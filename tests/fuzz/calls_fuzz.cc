// Programs over the modelled kernel API, run: the input chooses a kernel version, the objects a
// litmus file declares, and in each of two threads a few calls of the modelled functions with
// arguments of the right kinds (the declared objects, what earlier calls returned, NULL, small
// integers), in orders no scenario has (a put_page of a page the balloon holds, a free of a
// handle twice). The program is run for a few executions with --all-findings.
//
// Contract: the models do not trust their callers to be the kernel's, and a misuse is what
// the kernel would do about it, a finding (a VM_BUG_ON_PAGE, a bad page state, a list
// corruption, an invalid access the engine catches): never a memory error of the checker's
// own (AddressSanitizer), an exception, or a hang.
#include <map>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"
#include "litmus/bindings/all.h"
#include "litmus/runner.h"
#include "protocol/version.h"
#include "tests/fuzz/fuzz.h"

namespace {

struct Bytes {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  uint8_t next() { return at < size ? data[at++] : 0; }
  bool done() const { return at >= size; }
};

struct Value {
  std::string text;  // how the program names it: "pg0", "r3", "NULL", "2"
  std::string kind;  // ArgKind name
};

// The declared name of an object type: "struct page" -> "page".
std::string stem(const std::string& type) {
  const size_t space = type.rfind(' ');
  return space == std::string::npos ? type : type.substr(space + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in{data, size};
  const litmus::Bindings& b = litmus::model_bindings();
  static const std::vector<const litmus::ModelFunction*> functions = [&] {
    std::vector<const litmus::ModelFunction*> v;
    for (const auto& [name, f] : b.functions()) v.push_back(&f);
    return v;
  }();
  const auto& kernels = proto::kernel_choices();
  const std::string kernel = kernels[in.next() % kernels.size()];

  // Objects: up to two of each type the input asks for, pages up to four.
  std::string decls, params;
  std::vector<Value> objects;
  for (const auto& [type, t] : b.types()) {
    const int most = stem(type) == "page" ? 4 : 2;
    const int n = in.next() % (most + 1);
    for (int i = 0; i < n && (t.max_count == 0 || i < t.max_count); ++i) {
      const std::string name = stem(type) + std::to_string(i);
      decls += "\t" + type + " " + name + ";\n";
      params += (params.empty() ? "" : ", ") + type + " *" + name;
      objects.push_back({name, t.kind.name});
    }
  }
  if (objects.empty()) return 0;

  std::string threads;
  for (int p = 0; p < 2 && !in.done(); ++p) {
    std::vector<Value> values = objects;
    std::string body;
    const int calls = 1 + in.next() % 5;
    for (int c = 0; c < calls && !in.done(); ++c) {
      const litmus::ModelFunction& f = *functions[in.next() % functions.size()];
      std::string args;
      for (const litmus::ArgKind& k : f.params) {
        std::string arg;
        if (k == litmus::ArgKind::kInt) {
          arg = std::to_string(static_cast<int>(in.next() % 5) - 1);
        } else {
          std::vector<const Value*> fit;
          for (const Value& v : values)
            if (v.kind == k.name) fit.push_back(&v);
          const uint8_t pick = in.next();
          arg = fit.empty() || pick == 255 ? "NULL" : fit[pick % fit.size()]->text;
        }
        args += (args.empty() ? "" : ", ") + arg;
      }
      std::string call = f.name + "(" + args + ");";
      if (!(f.result == litmus::ArgKind::kVoid)) {
        const std::string reg = "r" + std::to_string(c);
        const bool is_int = f.result == litmus::ArgKind::kInt;
        body += "\t" + std::string(is_int ? "int " : "void *") + reg + ";\n";
        call = reg + " = " + call;
        if (!is_int) values.push_back({reg, f.result.name});
      }
      body += "\t" + call + "\n";
    }
    threads += "P" + std::to_string(p) + "(" + params + ")\n{\n" + body + "}\n\n";
  }
  const std::string text = "C calls\n(*\n * kernel=" + kernel + "\n *)\n{\n" + decls +
                           "\tint done;\n}\n\n" + threads + "exists (done=0)\n";

  // To see the program an input makes (to turn a crash into a litmus file): MIGCHECK_FUZZ_PRINT=1.
  static const bool print = std::getenv("MIGCHECK_FUZZ_PRINT") != nullptr;
  if (print) std::fprintf(stderr, "%s", text.c_str());

  mc::ExploreOptions o;
  o.all_findings = true;
  o.max_executions = 4;
  o.minimize = false;
  o.time_limit = 10;
  const litmus::LitmusRun run = litmus::run_litmus_source(text, "calls.litmus", o, {});
  for (const std::string& e : run.errors)
    fuzz::require(e.rfind("calls.litmus:", 0) == 0, "error names the file: " + e);
  if (print)
    for (const std::string& e : run.errors) std::fprintf(stderr, "%s\n", e.c_str());
  return 0;
}
