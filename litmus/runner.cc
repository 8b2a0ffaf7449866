// Litmus runner: files -> parse -> bind -> explore -> verdict -> herd-style report.
#include "litmus/runner.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "checker/report/result_json.h"
#include "checker/report/text.h"
#include "litmus/bindings/all.h"
#include "litmus/parser.h"

namespace litmus {

namespace fs = std::filesystem;

std::vector<std::string> litmus_files(const std::vector<std::string>& files_or_dirs,
                                      std::vector<std::string>* errors) {
  std::vector<std::string> out;
  for (const std::string& path : files_or_dirs) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(path, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        std::error_code file_ec;
        if (it->is_regular_file(file_ec) && it->path().extension() == ".litmus")
          found.push_back(it->path().string());
      }
      if (errors && ec)
        errors->push_back(path + ": the folder could not be read to the end (" + ec.message() +
                          (it != end ? ", at " + it->path().string() : std::string()) + ")");
      else if (errors && found.empty())
        errors->push_back(path + ": expected litmus files (*.litmus) in the folder, found none");
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(path);
    }
  }
  return out;
}

namespace {

LitmusRun run_compiled(std::shared_ptr<const Test> test, const std::string& filename,
                       const mc::ExploreOptions& options, const Overrides& overrides,
                       std::string variant) {
  LitmusRun run;
  run.file = filename;
  run.variant = std::move(variant);
  run.test = test;
  Compiled compiled = compile_litmus(test, model_bindings(), overrides);
  if (!compiled.ok()) {
    for (const BindError& e : compiled.errors) run.errors.push_back(e.to_string());
    return run;
  }
  run.program = compiled.program;
  try {
    const Program& p = *compiled.program;
    // The engine's wider clocks when the threads (P0.., the main thread, and the workers a
    // model may start) do not fit the narrow ones.
    mc::ExploreOptions o = options;
    constexpr size_t kModelWorkers = 4;  // room for the workers a model starts (kworker, ...)
    const size_t workers = p.uses_model ? kModelWorkers : 0;
    if (test->threads.size() + 1 + workers > static_cast<size_t>(mc::kNarrowThreads))
      o.max_threads = mc::kMaxThreads;
    mc::RunResult r =
        mc::explore(compiled.test_case, p.uses_model ? mc::Params(p.settings) : mc::Params(), o);
    run.verdict = judge_litmus(*test, r, compiled.program->expected_findings,
                               compiled.program->expected_any_of, p.unclaimed_bug);
    // The file's expectations are the ones that count: the test case made from it expects
    // nothing of its own (a finding the file expects would otherwise read "unexpected").
    r.pass = !run.verdict->failed && !run.verdict->incomplete && !run.verdict->unchecked;
    r.incomplete = run.verdict->incomplete || run.verdict->unchecked;
    if (!r.incomplete) r.stopped_by.clear();
    r.mismatches.clear();
    if (run.verdict->failed) r.mismatches.push_back(run.verdict->explanation);
    run.result = std::move(r);
  } catch (const std::exception& e) {
    run.errors.push_back(filename + ":1:1: " + e.what());
  }
  return run;
}

std::vector<LitmusRun> run_parsed(ParseResult parsed, const std::string& filename,
                                  const mc::ExploreOptions& options, const Overrides& overrides) {
  if (!parsed.ok()) {
    LitmusRun run;
    run.file = filename;
    for (const Diagnostic& d : parsed.errors) run.errors.push_back(d.to_string());
    return {std::move(run)};
  }
  auto test = std::make_shared<const Test>(std::move(*parsed.test));
  // List settings run once per combination of their values (kernel=all bug=none,no-trypin:
  // every kernel under each bug), whether the file or the command line (--set kernel=4.8,6.17)
  // gives the list; the command line's value replaces the file's. Without either, a file runs
  // none and every bug variant its Expect lines name (file_bug_variants), each at the versions
  // its lines cover.
  std::vector<std::pair<std::string, std::vector<std::string>>> lists;
  for (const ModelSetting& ms : model_bindings().settings()) {
    if (!ms.list) continue;
    auto given = overrides.find(ms.key);
    auto it = test->settings.find(ms.key);
    const std::string* value = given != overrides.end()     ? &given->second
                               : it != test->settings.end() ? &it->second
                                                            : nullptr;
    std::vector<std::string> values = value             ? setting_values(ms, *value)
                                      : ms.key == "bug" ? file_bug_variants(*test, ms)
                                                        : std::vector<std::string>{};
    if (values.size() >= 2) lists.emplace_back(ms.key, std::move(values));
  }
  if (lists.empty()) return {run_compiled(test, filename, options, overrides, "")};
  // Unless the command line asks for a variant, a file runs a variant only at the versions its
  // Expect lines state something for (expect_claims): elsewhere nothing would be checked.
  auto value_of = [&](const Overrides& o, const std::string& key, const std::string& fallback) {
    const auto given = o.find(key);
    if (given != o.end()) return given->second;
    const auto own = test->settings.find(key);
    return own != test->settings.end() ? own->second : fallback;
  };
  const ModelSetting* kernel = model_bindings().setting("kernel");
  const bool choose_claimed = kernel && model_bindings().setting("bug") && !overrides.count("bug");
  std::vector<std::pair<Overrides, std::string>> combinations, claimed;
  std::vector<size_t> at(lists.size(), 0);
  while (true) {
    Overrides o = overrides;
    std::string variant;
    for (size_t i = 0; i < lists.size(); ++i) {
      o[lists[i].first] = lists[i].second[at[i]];
      variant += (variant.empty() ? "" : " ") + lists[i].first + "=" + lists[i].second[at[i]];
    }
    if (!choose_claimed ||
        expect_claims(*test, model_bindings(), value_of(o, "kernel", kernel->fallback),
                      value_of(o, "bug", "none")))
      claimed.emplace_back(o, variant);
    combinations.emplace_back(std::move(o), std::move(variant));
    size_t i = lists.size();
    while (i > 0 && ++at[i - 1] == lists[i - 1].second.size()) at[--i] = 0;
    if (i == 0) break;
  }
  std::vector<LitmusRun> runs;
  for (const auto& [o, variant] : claimed.empty() ? combinations : claimed) {
    runs.push_back(run_compiled(test, filename, options, o, variant));
    if (!runs.back().errors.empty()) break;  // the same errors for every value
  }
  return runs;
}

}  // namespace

std::vector<std::string> file_kernels(std::string_view text, const std::string& filename) {
  const ParseResult p = parse_litmus(text, filename);
  const ModelSetting* kernel = model_bindings().setting("kernel");
  if (!p.ok() || !kernel) return {};
  return file_setting_values(*p.test, *kernel);
}

std::vector<std::string> file_kernels_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return file_kernels(text.str(), path);
}

std::vector<LitmusRun> run_litmus_text(std::string_view text, const std::string& filename,
                                       const mc::ExploreOptions& options,
                                       const Overrides& overrides) {
  return run_parsed(parse_litmus(text, filename), filename, options, overrides);
}

LitmusRun run_litmus_source(std::string_view text, const std::string& filename,
                            const mc::ExploreOptions& options, const Overrides& overrides) {
  return run_litmus_text(text, filename, options, overrides).front();
}

std::vector<LitmusRun> run_litmus_file(const std::string& path, const mc::ExploreOptions& options,
                                       const Overrides& overrides) {
  return run_parsed(parse_litmus_file(path), path, options, overrides);
}

std::vector<LitmusRun> run_litmus_paths(const std::vector<std::string>& files_or_dirs,
                                        const mc::ExploreOptions& options,
                                        const Overrides& overrides) {
  std::vector<LitmusRun> runs;
  std::vector<std::string> errors;
  const std::vector<std::string> files = litmus_files(files_or_dirs, &errors);
  for (const std::string& e : errors) {
    LitmusRun bad;
    bad.file = e.substr(0, e.find(": "));
    bad.errors.push_back(e);
    runs.push_back(std::move(bad));
  }
  for (const std::string& f : files)
    for (LitmusRun& r : run_litmus_file(f, options, overrides)) runs.push_back(std::move(r));
  return runs;
}

namespace {

struct State {
  std::string text;  // "0:r0=0; 1:r0=1;"
  uint64_t count = 0;
};

// Final states passing the filter, without the verdict observations, in outcome-map order.
std::vector<State> states(const LitmusRun& run) {
  std::vector<State> out;
  for (const auto& [key, count] : run.result->outcomes) {
    std::istringstream in(key);
    std::string item, text;
    bool passes = true;
    while (in >> item) {
      const size_t eq = item.rfind('=');
      const std::string name = item.substr(0, eq);
      const int64_t value = std::stoll(item.substr(eq + 1));
      if (name == "__filter") {
        passes = value != 0;
        continue;
      }
      if (name.rfind("__", 0) == 0) continue;
      text += name + "=" + run.program->value_text(value) + "; ";
    }
    if (passes) out.push_back({text.empty() ? text : text.substr(0, text.size() - 1), count});
  }
  return out;
}

std::string expected_text(const LitmusRun& run) {
  const LitmusVerdict& v = *run.verdict;
  std::string s = "Expected: ";
  if (v.unchecked)
    return s + "nothing stated for bug=" + run.program->unclaimed_bug + " -> " + v.explanation;
  if (v.expected)
    s += std::string("Result: ") + to_string(*v.expected) +
         (run.test->expected_data_race ? " DATARACE" : "");
  else
    s += "(no Result line)";
  if (run.program && (run.program->uses_model || !v.expected_findings.empty()))
    s += std::string(v.expected_findings.size() > 1 ? ", findings: " : ", finding: ") +
         finding_set_text(v.expected_findings);
  return s + " -> " + v.explanation;
}

}  // namespace

namespace {
bool is_memory_model_flag(const std::string& kind) {
  for (const char* f : kMemoryModelFlags)
    if (kind == f) return true;
  return false;
}
}  // namespace

std::string format_herd(const LitmusRun& run) {
  if (!run.errors.empty()) {
    std::string s;
    for (const std::string& e : run.errors) s += e + "\n";
    return s;
  }
  const Test& t = *run.test;
  const mc::RunResult& r = *run.result;
  const LitmusVerdict& v = *run.verdict;
  std::ostringstream o;
  o << "Test " << t.name << " "
    << (t.final_clause.quantifier == Quantifier::kForall ? "Required" : "Allowed") << "\n";
  if (run.program->uses_model) {
    o << "Model:";
    for (const auto& [key, value] : run.program->settings) {
      o << " " << key << "=" << value;
      if (auto a = run.program->asked_settings.find(key); a != run.program->asked_settings.end())
        o << " (for " << a->second << ")";
    }
    o << "\n";
  }
  const std::vector<State> st = states(run);
  o << "States " << st.size() << "\n";
  for (const State& s : st) {
    const std::string count = std::to_string(s.count);
    o << count << std::string(count.size() < 6 ? 6 - count.size() : 1, ' ') << ":> " << s.text
      << "\n";
  }
  o << (v.ok ? "Ok" : "No") << "\n";
  o << "Witnesses\n";
  o << "Positive: " << v.positive << " Negative: " << v.negative << "\n";
  // herd7 names each flag the memory model raised; the checker reports them as findings of the
  // same names.
  for (const std::string& k : v.findings)
    if (is_memory_model_flag(k)) o << "Flag " << k << "\n";
  o << "Condition " << to_string(t.final_clause.quantifier) << " ("
    << (t.final_clause.condition ? to_string(*t.final_clause.condition) : "true") << ")\n";
  o << "Observation " << t.name << " " << to_string(v.observation) << " " << v.positive << " "
    << v.negative << "\n";
  // Of the info lines, herd7 prints back the Hash only.
  for (const Test::InfoLine& i : t.info)
    if (i.key == "Hash") o << i.key << "=" << i.value << "\n";
  o << "Memory model: sequential consistency (migcheck)\n";
  o << "Executions: " << r.complete << " complete";
  if (r.blocked) o << ", " << r.blocked << " blocked";
  if (v.filtered_out) o << ", " << v.filtered_out << " filtered out";
  o << " (" << r.strategy << (r.exhausted ? ", exhaustive" : ", not exhaustive") << ")\n";
  o << mc::format_counterexamples(r);
  if (!r.error.empty()) o << "Error: " << r.error << "\n";
  o << expected_text(run) << "\n";
  return o.str();
}

mc::json::Value litmus_json(const LitmusRun& run) {
  using mc::json::Array;
  using mc::json::Object;
  using mc::json::Value;
  if (!run.errors.empty()) {
    Array errors;
    for (const std::string& e : run.errors) errors.push_back(Value(e));
    return Value(Object{{"file", Value(run.file)}, {"errors", Value(std::move(errors))}});
  }
  Value v = mc::result_json(*run.result);
  if (!v.is_object()) v = Value(Object{{"result", std::move(v)}});
  Object& obj = std::get<Object>(v.v);
  const LitmusVerdict& verdict = *run.verdict;
  obj.emplace_back("file", Value(run.file));
  obj.emplace_back("litmus_test", Value(run.test->name));
  obj.emplace_back("memory_model", Value("sc"));
  Array states_json;
  for (const State& s : states(run))
    states_json.push_back(Value(Object{{"state", Value(s.text)}, {"count", Value(s.count)}}));
  obj.emplace_back("states", Value(std::move(states_json)));
  obj.emplace_back("observation", Value(to_string(verdict.observation)));
  obj.emplace_back("positive", Value(verdict.positive));
  obj.emplace_back("negative", Value(verdict.negative));
  obj.emplace_back("filtered_out", Value(verdict.filtered_out));
  obj.emplace_back("condition_ok", Value(verdict.ok));
  obj.emplace_back("expected", verdict.expected ? Value(to_string(*verdict.expected)) : Value());
  obj.emplace_back("agreement", Value(to_string(verdict.agreement)));
  obj.emplace_back("verdict", Value(verdict.explanation));
  obj.emplace_back("checked", Value(!verdict.unchecked));
  Array expected_kinds;
  for (const std::string& k : verdict.expected_findings) expected_kinds.push_back(Value(k));
  obj.emplace_back("expected_findings", Value(std::move(expected_kinds)));
  obj.emplace_back("finding",
                   Value(verdict.finding.empty() ? std::string("none") : verdict.finding));
  if (!run.variant.empty()) obj.emplace_back("variant", Value(run.variant));
  // The values asked for that another choice answered (kernel 5.2: the model of 5.0, in
  // "params").
  if (!run.program->asked_settings.empty()) {
    Object asked;
    for (const auto& [key, value] : run.program->asked_settings)
      asked.emplace_back(key, Value(value));
    obj.emplace_back("asked", Value(std::move(asked)));
  }
  obj.emplace_back("ok", Value(run.ok()));
  return v;
}

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

}  // namespace

std::string format_table(const std::vector<LitmusRun>& runs, const std::string& base) {
  std::vector<std::string> names;
  size_t width = 4;
  for (const LitmusRun& r : runs) {
    std::string name = r.file;
    if (!base.empty() && name.rfind(base, 0) == 0) {
      name = name.substr(base.size());
      while (!name.empty() && name.front() == '/') name.erase(0, 1);
    }
    if (!r.variant.empty()) name += " [" + r.variant + "]";
    width = std::max(width, name.size());
    names.push_back(std::move(name));
  }
  auto pad = [](std::string s, size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  std::ostringstream o;
  o << pad("file", width) << "  " << pad("Result", 10) << pad("SC", 10) << pad("executions", 12)
    << pad("seconds", 9) << "verdict\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const LitmusRun& r = runs[i];
    o << pad(names[i], width) << "  ";
    if (!r.errors.empty()) {
      o << "error: " << r.errors.front() << "\n";
      continue;
    }
    const LitmusVerdict& v = *r.verdict;
    o << pad(v.expected ? to_string(*v.expected) : "-", 10)
      << pad(v.finding.empty() ? to_string(v.observation) : "(finding)", 10)
      << pad(std::to_string(r.result->complete), 12) << pad(seconds(r.result->seconds), 9)
      << v.explanation << "\n";
  }
  return o.str();
}

int litmus_exit_code(const std::vector<LitmusRun>& runs) {
  int code = 0;
  for (const LitmusRun& r : runs) {
    if (!r.errors.empty()) return 2;
    if (r.verdict && r.verdict->failed)
      code = 1;
    else if (!r.ok() && code == 0)
      code = 3;
  }
  return code;
}

}  // namespace litmus
