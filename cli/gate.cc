#include "cli/gate.h"

#include <tinyxml2.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "checker/report/json.h"
#include "checker/report/text.h"
#include "litmus/catalog.h"
#include "litmus/runner.h"

namespace gate {

namespace {

struct Job {
  std::string name;  // the entry's test name
  std::string path;  // for messages
  std::string text;  // the litmus source; empty with `error`
  std::string error;
};

std::vector<Job> jobs_of(const std::vector<std::string>& paths) {
  std::vector<Job> jobs;
  if (paths.empty()) {
    for (const auto* f : litmus::catalog()) jobs.push_back({f->name, f->path, f->text, ""});
    return jobs;
  }
  for (const std::string& p : paths) {
    std::error_code ec;
    if (p.ends_with(".litmus") || std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> errors;
      const auto files = litmus::litmus_files({p}, &errors);
      for (const std::string& e : errors) jobs.push_back({p, p, "", e});
      for (const std::string& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream b;
        b << in.rdbuf();
        if (!in)
          jobs.push_back({f, f, "", "cannot read " + f});
        else
          jobs.push_back({f, f, b.str(), ""});
      }
      continue;
    }
    const auto found = litmus::match_catalog(p);
    if (found.empty())
      jobs.push_back({p, p, "", "no scenario matches '" + p + "' (see `migcheck list`)"});
    for (const auto* f : found) jobs.push_back({f->name, f->path, f->text, ""});
  }
  return jobs;
}

std::vector<Entry> run_job(const Job& job, const mc::ExploreOptions& eo,
                           const litmus::Overrides& overrides) {
  if (!job.error.empty()) {
    Entry e;
    e.test = job.name;
    e.verdict = "error";
    e.why = job.error;
    return {e};
  }
  std::vector<Entry> out;
  for (litmus::LitmusRun& lr : litmus::run_litmus_text(job.text, job.path, eo, overrides)) {
    Entry e;
    e.test = job.name;
    e.variant = lr.variant;
    e.source = job.path;
    if (!lr.errors.empty() || !lr.result || !lr.verdict) {
      e.verdict = "error";
      e.why = lr.errors.empty() ? "the test did not run" : lr.errors.front();
      out.push_back(std::move(e));
      continue;
    }
    const mc::RunResult& r = *lr.result;
    e.executions = r.complete;
    e.explored = r.complete + r.blocked + r.with_finding;
    e.estimate = r.estimate;
    e.seconds = r.seconds;
    e.findings = mc::finding_kinds(r);
    std::sort(e.findings.begin(), e.findings.end());
    e.findings.erase(std::unique(e.findings.begin(), e.findings.end()), e.findings.end());
    for (const auto& [k, n] : r.outcomes) e.outcomes.push_back(k);
    std::sort(e.outcomes.begin(), e.outcomes.end());
    e.verdict = lr.verdict->failed ? "fail" : lr.verdict->incomplete ? "incomplete" : "pass";
    if (e.verdict != "pass")
      e.why = !r.error.empty()                             ? r.error
              : !r.limit.empty() && lr.verdict->incomplete ? r.limit
                                                           : lr.verdict->explanation;
    e.examples = r.all_findings;
    if (e.examples.empty() && r.counterexample) e.examples.push_back(*r.counterexample);
    out.push_back(std::move(e));
  }
  return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::vector<std::string> minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  return out;
}

}  // namespace

std::vector<Entry> run(const Options& o) {
  const std::vector<Job> jobs = jobs_of(o.paths);
  mc::ExploreOptions eo;
  eo.all_findings = true;
  eo.time_limit = o.time_limit;
  eo.budget = o.budget;
  eo.probe = o.probe;
  // The gate compares kinds, counts and outcomes; a shorter counterexample changes none of
  // them, and minimising every distinct finding of every run cost most of the gate's time.
  eo.minimize = false;
  std::vector<std::vector<Entry>> results(jobs.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++)
      results[i] = run_job(jobs[i], eo, o.overrides);
  };
  const int n = std::max(1, std::min<int>(o.jobs, static_cast<int>(jobs.size())));
  std::vector<std::thread> threads;
  for (int t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::vector<Entry> all;
  for (auto& r : results)
    for (auto& e : r) all.push_back(std::move(e));
  return all;
}

std::string write_baseline(const std::vector<Entry>& entries) {
  using mc::json::Array;
  using mc::json::Object;
  using mc::json::Value;
  std::string out;
  for (const Entry& e : entries) {
    Array findings, outcomes;
    for (const auto& f : e.findings) findings.push_back(Value(f));
    for (const auto& s : e.outcomes) outcomes.push_back(Value(s));
    out += mc::json::write(Value(Object{{"test", Value(e.test)},
                                        {"variant", Value(e.variant)},
                                        {"verdict", Value(e.verdict)},
                                        {"findings", Value(findings)},
                                        {"executions", Value(e.executions)},
                                        {"outcomes", Value(outcomes)}})) +
           "\n";
  }
  return out;
}

bool read_baseline(const std::string& text, const std::string& file, std::vector<Entry>* out,
                   std::string* error) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    mc::json::Value v;
    std::string err;
    auto fail = [&](const std::string& what) {
      *error = file + ":" + std::to_string(n) + ": expected " + what;
      return false;
    };
    if (!mc::json::parse(line, &v, &err)) return fail("one JSON object per line (" + err + ")");
    auto str = [&](const char* k) -> const std::string* {
      const mc::json::Value* x = v.get(k);
      return x && x->is_string() ? &x->str() : nullptr;
    };
    auto list = [&](const char* k, std::vector<std::string>* into) {
      const mc::json::Value* x = v.get(k);
      if (!x || !x->is_array()) return false;
      for (const auto& s : x->array()) {
        if (!s.is_string()) return false;
        into->push_back(s.str());
      }
      return true;
    };
    Entry e;
    const mc::json::Value* ex = v.get("executions");
    if (!str("test") || !str("variant") || !str("verdict") || !ex || !ex->is_int() ||
        ex->integer() < 0 || !list("findings", &e.findings) || !list("outcomes", &e.outcomes))
      return fail(
          "an object with test, variant and verdict (strings), findings and outcomes (arrays "
          "of strings) and executions (a count)");
    e.test = *str("test");
    e.variant = *str("variant");
    e.verdict = *str("verdict");
    e.executions = static_cast<uint64_t>(ex->integer());
    out->push_back(std::move(e));
  }
  return true;
}

std::vector<Entry> merge_baseline(const std::vector<Entry>& baseline,
                                  const std::vector<Entry>& now) {
  std::set<std::string> ran, placed;
  for (const auto& e : now) ran.insert(e.test);
  std::vector<Entry> merged;
  for (const auto& b : baseline) {
    if (!ran.count(b.test)) {
      merged.push_back(b);
      continue;
    }
    if (!placed.insert(b.test).second) continue;
    for (const auto& e : now)
      if (e.test == b.test) merged.push_back(e);
  }
  for (const auto& e : now)
    if (!placed.count(e.test)) merged.push_back(e);
  return merged;
}

std::vector<Change> compare(const std::vector<Entry>& baseline, const std::vector<Entry>& now) {
  std::map<std::string, const Entry*> before;
  for (const Entry& e : baseline) before[e.key()] = &e;
  std::set<std::string> run_tests, seen;
  for (const Entry& e : now) run_tests.insert(e.test);
  std::vector<Change> out;
  for (const Entry& e : now) {
    const std::string k = e.key();
    seen.insert(k);
    if (e.verdict == "error") {
      out.push_back({k, "error", e.why, true, false});
      continue;
    }
    if (e.verdict == "fail") out.push_back({k, "failed", e.why, true, false});
    if (e.verdict == "incomplete")
      out.push_back({k, "incomplete", e.why + " (not a pass)", true, false});
    auto it = before.find(k);
    if (it == before.end()) {
      out.push_back({k, "not in baseline",
                     "findings: " + (e.findings.empty() ? "none" : join(e.findings, ", ")) + "; " +
                         std::to_string(e.executions) + " executions",
                     false, true});
      continue;
    }
    const Entry& b = *it->second;
    for (const auto& f : minus(e.findings, b.findings))
      out.push_back({k, "new finding", f, true, false});
    // A search cut short says what it met, not what is absent, nor how large it is: its
    // missing findings and outcomes, and its count, compare with nothing.
    if (e.verdict == "incomplete") continue;
    for (const auto& f : minus(b.findings, e.findings))
      out.push_back({k, "finding gone", f, true, false});
    const auto added = minus(e.outcomes, b.outcomes), gone = minus(b.outcomes, e.outcomes);
    if (!added.empty() || !gone.empty())
      out.push_back({k, "outcomes changed",
                     (added.empty() ? "" : "new: " + join(added, "; ")) +
                         (added.empty() || gone.empty() ? "" : "; ") +
                         (gone.empty() ? "" : "gone: " + join(gone, "; ")),
                     true, false});
    if (e.verdict != b.verdict && e.verdict == "pass")
      out.push_back({k, "verdict changed", b.verdict + " -> " + e.verdict, true, false});
    if (e.executions != b.executions)
      out.push_back({k, "count changed",
                     std::to_string(b.executions) + " -> " + std::to_string(e.executions) +
                         " complete executions",
                     false, false});
  }
  for (const Entry& b : baseline)
    if (run_tests.count(b.test) && !seen.count(b.key()))
      out.push_back({b.key(), "removed", "the test no longer runs this variant", true, false});
  return out;
}

namespace {

// The variant's settings without its kernel, and the kernel it names.
std::pair<std::string, std::string> split_kernel(const std::string& variant) {
  std::istringstream in(variant);
  std::string rest, kernel;
  for (std::string w; in >> w;) {
    if (w.rfind("kernel=", 0) == 0)
      kernel = w.substr(7);
    else
      rest += (rest.empty() ? "" : " ") + w;
  }
  return {rest, kernel};
}

}  // namespace

std::vector<VersionDiff> diff_versions(const std::vector<Entry>& entries, const std::string& a,
                                       const std::string& b, size_t* pairs) {
  std::map<std::pair<std::string, std::string>, VersionDiff> by;
  std::vector<std::pair<std::string, std::string>> order;
  for (const Entry& e : entries) {
    auto [rest, kernel] = split_kernel(e.variant);
    const auto key = std::make_pair(e.test, rest);
    if (!by.count(key)) order.push_back(key);
    VersionDiff& d = by[key];
    d.test = e.test;
    d.variant = rest;
    if (kernel == a && !d.a)
      d.a = &e;
    else if (kernel == b && !d.b)
      d.b = &e;
  }
  std::vector<VersionDiff> out;
  *pairs = 0;
  for (const auto& key : order) {
    const VersionDiff& d = by[key];
    if (!d.a || !d.b) continue;
    ++*pairs;
    if (d.a->verdict != d.b->verdict || d.a->findings != d.b->findings) out.push_back(d);
  }
  return out;
}

std::string junit_xml(const std::vector<Entry>& entries, const std::vector<Change>& changes) {
  std::map<std::string, std::vector<const Change*>> by_key;
  for (const Change& c : changes) by_key[c.key].push_back(&c);
  tinyxml2::XMLDocument doc;
  doc.InsertEndChild(doc.NewDeclaration());
  tinyxml2::XMLElement* root = doc.NewElement("testsuites");
  root->SetAttribute("name", "migcheck ci");
  doc.InsertEndChild(root);
  int total = 0, failures = 0, skipped = 0;
  double seconds = 0;
  tinyxml2::XMLElement* suite = nullptr;
  std::string suite_name;
  int s_tests = 0, s_failures = 0, s_skipped = 0;
  double s_seconds = 0;
  auto close_suite = [&] {
    if (!suite) return;
    suite->SetAttribute("tests", s_tests);
    suite->SetAttribute("failures", s_failures);
    suite->SetAttribute("errors", 0);
    suite->SetAttribute("skipped", s_skipped);
    suite->SetAttribute("time", s_seconds);
  };
  for (const Entry& e : entries) {
    if (!suite || suite_name != e.test) {
      close_suite();
      suite = root->InsertNewChildElement("testsuite");
      suite->SetAttribute("name", e.test.c_str());
      suite_name = e.test;
      s_tests = s_failures = s_skipped = 0;
      s_seconds = 0;
    }
    tinyxml2::XMLElement* tc = suite->InsertNewChildElement("testcase");
    tc->SetAttribute("classname", e.test.c_str());
    tc->SetAttribute("name", (e.variant.empty() ? e.test : e.variant).c_str());
    tc->SetAttribute("time", e.seconds);
    ++total;
    ++s_tests;
    seconds += e.seconds;
    s_seconds += e.seconds;
    std::vector<const Change*> regressions;
    for (const Change* c : by_key[e.key()])
      if (c->regression && c->what != "incomplete") regressions.push_back(c);
    if (!regressions.empty()) {
      std::string message, text;
      for (const Change* c : regressions) {
        message += (message.empty() ? "" : "; ") + c->what + ": " + c->detail;
        text += c->what + ": " + c->detail + "\n";
      }
      if (!e.examples.empty()) {
        const mc::Counterexample& c = e.examples.front();
        text += "\n" + c.finding.kind_string() + ": " + c.finding.message + "\n\n" +
                mc::format_diagram(c, 36);
      }
      tinyxml2::XMLElement* f = tc->InsertNewChildElement("failure");
      f->SetAttribute("message", message.c_str());
      f->SetAttribute("type", regressions.front()->what.c_str());
      f->SetText(text.c_str());
      ++failures;
      ++s_failures;
    } else if (e.verdict == "incomplete") {
      tinyxml2::XMLElement* s = tc->InsertNewChildElement("skipped");
      s->SetAttribute("message", ("INCOMPLETE: " + e.why).c_str());
      ++skipped;
      ++s_skipped;
    }
    if (!e.findings.empty())
      tc->InsertNewChildElement("system-out")
          ->SetText(("findings: " + join(e.findings, ", ") + "; " + std::to_string(e.executions) +
                     " complete executions")
                        .c_str());
  }
  close_suite();
  root->SetAttribute("tests", total);
  root->SetAttribute("failures", failures);
  root->SetAttribute("errors", 0);
  root->SetAttribute("skipped", skipped);
  root->SetAttribute("time", seconds);
  tinyxml2::XMLPrinter printer;
  doc.Print(&printer);
  return printer.CStr();
}

}  // namespace gate
