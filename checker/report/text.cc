#include "checker/report/text.h"

#include <cstdio>
#include <set>

namespace mc {
std::string source_where(const std::source_location& loc);

std::string memory_order_name(std::memory_order mo) {
  switch (mo) {
    case std::memory_order_relaxed: return "relaxed";
    case std::memory_order_consume: return "consume";
    case std::memory_order_acquire: return "acquire";
    case std::memory_order_release: return "release";
    case std::memory_order_acq_rel: return "acq_rel";
    case std::memory_order_seq_cst: return "seq_cst";
  }
  return "?";
}

namespace {

std::string op_text(const EventDetail& e) {
  std::string s = op_name(e.kind);
  if (e.has_order) s += "(" + memory_order_name(e.order) + ")";
  if (!e.object.empty()) s += " " + e.object;
  if (!e.value.empty()) s += (e.kind == OpKind::kStore || e.kind == OpKind::kPlainWrite ||
                              e.kind == OpKind::kNonatomicWrite)
                                 ? " := " + e.value
                                 : " = " + e.value;
  return s;
}

std::string fixed(const std::string& s, size_t w) {
  if (s.size() <= w) return s + std::string(w - s.size(), ' ');
  return s.substr(0, w - 1) + "~";
}

std::string innermost(const std::string& labels) {
  auto p = labels.rfind(" > ");
  return p == std::string::npos ? labels : labels.substr(p + 3);
}

int depth(const std::string& labels) {
  if (labels.empty()) return 0;
  int d = 1;
  for (size_t p = labels.find(" > "); p != std::string::npos; p = labels.find(" > ", p + 3)) ++d;
  return d;
}

}  // namespace

std::string format_summary(const RunResult& r) {
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s %s%s%s\n", r.pass ? "PASS" : "FAIL", r.test.c_str(),
                r.params.values().empty() ? "" : "  ", r.params.to_string().c_str());
  s += buf;
  s += "  strategy: " + r.strategy_description + "\n";
  const double secs = r.seconds > 0 ? r.seconds : 1e-9;
  const uint64_t runs = r.complete + r.blocked + r.pruned + r.with_finding;
  std::snprintf(buf, sizeof buf,
                "  executions: %llu complete, %llu blocked, %llu pruned%s; events: %llu; %.3f s "
                "(%.0f executions/s, %.0f events/s)\n",
                static_cast<unsigned long long>(r.complete),
                static_cast<unsigned long long>(r.blocked),
                static_cast<unsigned long long>(r.pruned), r.with_finding ? ", 1 with a finding" : "",
                static_cast<unsigned long long>(r.events), r.seconds, runs / secs, r.events / secs);
  s += buf;
  if (r.exhausted)
    s += "  coverage: exhaustive (every trace explored)\n";
  else if (!r.limit.empty())
    s += "  coverage: stopped early: " + r.limit + "\n";
  else if (!r.counterexample)
    s += "  coverage: not exhaustive (" + r.strategy + ")\n";
  if (!r.outcomes.empty() && !(r.outcomes.size() == 1 && r.outcomes.begin()->first.empty())) {
    s += "  outcomes:";
    for (const auto& [k, n] : r.outcomes) s += " [" + k + "]x" + std::to_string(n);
    s += "\n";
  }
  if (!r.error.empty()) s += "  error: " + r.error + "\n";
  for (const auto& m : r.mismatches) s += "  not as expected: " + m + "\n";
  return s;
}

std::string format_trace(const Counterexample& c) {
  std::string s;
  const Finding& f = c.finding;
  s += "finding: " + f.kind_string() + ": " + f.message + "\n";
  if (f.thread >= 0) {
    s += "  in T" + std::to_string(f.thread);
    if (!f.labels.empty()) s += " [" + f.labels + "]";
    if (f.loc.line()) s += " at " + source_where(f.loc);
    s += "\n";
  }
  s += "  counterexample: " + std::to_string(c.schedule.size()) + " decisions, " +
       std::to_string(c.preemptions) + " preemption(s); " + c.note + "\n";
  if (c.events.empty()) return s;
  s += "\n  step  thread  function                          operation\n";
  char buf[64];
  for (const auto& e : c.events) {
    if (e.visible)
      std::snprintf(buf, sizeof buf, "  %4u  T%-5d ", e.step, e.tid);
    else
      std::snprintf(buf, sizeof buf, "     .  T%-5d ", e.tid);
    std::string line = buf;
    line += " " + fixed(e.labels.empty() ? "-" : e.labels, 33) + " " + op_text(e);
    if (e.loc.line()) line += "   " + source_where(e.loc);
    s += line + "\n";
  }
  return s;
}

std::string format_diagram(const Counterexample& c, int width) {
  const size_t w = static_cast<size_t>(width);
  std::vector<int> cols;
  std::set<int> seen;
  for (const auto& e : c.events)
    if (e.visible && seen.insert(e.tid).second) cols.push_back(e.tid);
  if (cols.empty()) return {};
  auto col_of = [&](int tid) {
    for (size_t i = 0; i < cols.size(); ++i)
      if (cols[i] == tid) return i;
    return cols.size();
  };
  std::string s;
  std::string head, rule;
  for (int t : cols) {
    head += fixed("T" + std::to_string(t), w);
    rule += fixed("----", w);
  }
  s += head + "\n" + rule + "\n";
  std::vector<std::string> last_labels(cols.size());
  auto row = [&](size_t col, const std::string& text) {
    std::string line;
    for (size_t i = 0; i < cols.size(); ++i) line += i == col ? fixed(text, w) : std::string(w, ' ');
    while (!line.empty() && line.back() == ' ') line.pop_back();
    s += line + "\n";
  };
  for (const auto& e : c.events) {
    if (!e.visible && e.kind != OpKind::kFree) continue;
    size_t col = col_of(e.tid);
    if (col >= cols.size()) continue;
    const int d = depth(e.labels);
    const std::string indent(static_cast<size_t>(d > 0 ? d - 1 : 0) * 2, ' ');
    if (e.labels != last_labels[col]) {
      last_labels[col] = e.labels;
      if (!e.labels.empty()) row(col, indent + innermost(e.labels) + "()");
    }
    row(col, indent + "  " + op_text(e));
  }
  s += "\n*** " + c.finding.kind_string() + ": " + c.finding.message + "\n";
  return s;
}

json::Value schedule_json(const std::vector<Decision>& schedule) {
  json::Array a;
  for (const auto& d : schedule)
    a.push_back(json::Object{{d.kind == Decision::kThread ? "t" : "v", json::Value(d.value)}});
  return a;
}

json::Value events_json(const std::vector<EventDetail>& events) {
  json::Array a;
  for (const auto& e : events) {
    json::Object o{{"step", json::Value(e.step)},
                   {"thread", json::Value(e.tid)},
                   {"visible", json::Value(e.visible)},
                   {"function", json::Value(e.labels)},
                   {"op", json::Value(op_name(e.kind))},
                   {"object", json::Value(e.object)},
                   {"value", json::Value(e.value)}};
    if (e.has_order) o.emplace_back("order", memory_order_name(e.order));
    if (e.loc.line()) o.emplace_back("location", source_where(e.loc));
    a.push_back(std::move(o));
  }
  return a;
}

json::Value result_json(const RunResult& r) {
  json::Object params;
  for (const auto& [k, v] : r.params.values()) params.emplace_back(k, v);
  json::Array findings;
  if (r.counterexample) {
    const Finding& f = r.counterexample->finding;
    json::Object fo{{"kind", f.kind_string()},
                    {"message", f.message},
                    {"thread", json::Value(f.thread)},
                    {"function", f.labels},
                    {"preemptions", json::Value(r.counterexample->preemptions)},
                    {"reproduced", json::Value(r.counterexample->reproduced)}};
    if (f.loc.line()) fo.emplace_back("location", source_where(f.loc));
    findings.push_back(std::move(fo));
  }
  json::Array outcomes;
  for (const auto& [k, n] : r.outcomes)
    outcomes.push_back(json::Object{{"state", k}, {"count", json::Value(n)}});
  json::Array mism;
  for (const auto& m : r.mismatches) mism.push_back(m);
  const double secs = r.seconds > 0 ? r.seconds : 1e-9;
  const uint64_t runs = r.complete + r.blocked + r.pruned + r.with_finding;
  return json::Object{{"name", r.test},
                      {"params", json::Value(std::move(params))},
                      {"strategy", r.strategy},
                      {"exhaustive", json::Value(r.exhausted)},
                      {"result", r.pass ? "pass" : "fail"},
                      {"findings", json::Value(std::move(findings))},
                      {"executions", json::Value(r.complete)},
                      {"blocked", json::Value(r.blocked)},
                      {"pruned", json::Value(r.pruned)},
                      {"events", json::Value(r.events)},
                      {"seconds", json::Value(r.seconds)},
                      {"executions_per_s", json::Value(runs / secs)},
                      {"events_per_s", json::Value(r.events / secs)},
                      {"outcomes", json::Value(std::move(outcomes))},
                      {"limit", r.limit},
                      {"error", r.error},
                      {"mismatches", json::Value(std::move(mism))}};
}

}  // namespace mc
