#include "checker/report/result_json.h"

#include "checker/report/finding.h"
#include "checker/report/text.h"

namespace mc {
json::Value schedule_json(const std::vector<Decision>& schedule) {
  json::Array a;
  for (const auto& d : schedule)
    a.push_back(json::Object{{d.kind == Decision::kThread ? "t" : "v", json::Value(d.value)}});
  return a;
}

json::Value events_json(const std::vector<EventDetail>& events) {
  json::Array a;
  for (const auto& e : events) {
    json::Object o{{"step", json::Value(e.step)},        {"thread", json::Value(e.tid)},
                   {"visible", json::Value(e.visible)},  {"function", json::Value(e.labels)},
                   {"op", json::Value(op_name(e.kind))}, {"object", json::Value(e.object)},
                   {"value", json::Value(e.value)}};
    if (e.has_order) o.emplace_back("order", memory_order_name(e.order));
    if (e.loc.line()) o.emplace_back("location", source_where(e.loc));
    if (!e.origin.empty()) o.emplace_back("origin", e.origin);
    a.push_back(std::move(o));
  }
  return a;
}

json::Value result_json(const RunResult& r) {
  json::Object params;
  for (const auto& [k, v] : r.params.values()) params.emplace_back(k, v);
  json::Array findings;
  auto add_finding = [&](const Counterexample& c) {
    const Finding& f = c.finding;
    json::Object fo{{"kind", f.kind_string()},
                    {"message", f.message},
                    {"thread", json::Value(f.thread)},
                    {"function", f.labels},
                    {"preemptions", json::Value(c.preemptions)},
                    {"reproduced", json::Value(c.reproduced)}};
    if (f.loc.line()) fo.emplace_back("location", source_where(f.loc));
    // Where the input that drove the model was (a litmus file's line), and the thread's name.
    if (!f.origin.empty()) fo.emplace_back("origin", f.origin);
    fo.emplace_back("thread_name", f.thread_label());
    findings.push_back(std::move(fo));
  };
  if (r.searched_all_findings) {
    for (const Counterexample& c : r.all_findings) add_finding(c);
  } else if (r.counterexample) {
    add_finding(*r.counterexample);
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
                      {"result", result_word(r)},
                      {"stopped_by", r.stopped_by},
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
