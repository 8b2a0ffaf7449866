#include "traces/trace_file.h"

#include <fstream>
#include <sstream>

#include "checker/report/json.h"
#include "checker/report/result_json.h"
#include "checker/report/text.h"

namespace traces {

using mc::json::Value;

std::string trace_json_text(const mc::RunResult& r) {
  mc::json::Object params;
  for (const auto& [k, v] : r.params.values()) params.emplace_back(k, v);
  mc::json::Object o;
  o.emplace_back("format", "migcheck-trace");
  o.emplace_back("version", Value(1));
  o.emplace_back("test", r.test);
  o.emplace_back("params", Value(std::move(params)));
  o.emplace_back("strategy", r.strategy);
  if (r.counterexample) {
    const auto& c = *r.counterexample;
    mc::json::Object f;
    f.emplace_back("kind", c.finding.kind_string());
    f.emplace_back("message", c.finding.message);
    f.emplace_back("thread", Value(c.finding.thread));
    f.emplace_back("function", c.finding.labels);
    o.emplace_back("finding", Value(std::move(f)));
    o.emplace_back("preemptions", Value(c.preemptions));
    o.emplace_back("schedule", mc::schedule_json(c.schedule));
    o.emplace_back("events", mc::events_json(c.events));
  } else {
    o.emplace_back("schedule", mc::json::Array{});
  }
  return mc::json::write(Value(std::move(o)), true) + "\n";
}

std::string write_trace_file(const std::string& path, const mc::RunResult& r) {
  std::ofstream f(path);
  if (!f) return "cannot write " + path;
  f << trace_json_text(r);
  return f ? "" : "cannot write " + path;
}

bool parse_trace(const std::string& text, const std::string& name, TraceFile* out,
                 std::string* error) {
  Value v;
  std::string err;
  if (!mc::json::parse(text, &v, &err)) {
    *error = name + ":" + err;
    return false;
  }
  auto bad = [&](const std::string& what) {
    *error = name + ": " + what;
    return false;
  };
  if (!v.is_object()) return bad("expected a JSON object (a migcheck trace)");
  const Value* fmt = v.get("format");
  if (!fmt || !fmt->is_string() || fmt->str() != "migcheck-trace")
    return bad("expected \"format\": \"migcheck-trace\"");
  const Value* test = v.get("test");
  if (!test || !test->is_string()) return bad("expected \"test\": the test's name");
  out->test = test->str();
  out->params = mc::Params();
  if (const Value* p = v.get("params")) {
    if (!p->is_object()) return bad("expected \"params\" to be an object of strings");
    for (const auto& [k, val] : p->object()) {
      if (!val.is_string()) return bad("expected params." + k + " to be a string");
      out->params.set(k, val.str());
    }
  }
  const Value* s = v.get("schedule");
  if (!s || !s->is_array())
    return bad("expected \"schedule\": an array of {\"t\": N} / {\"v\": N}");
  out->schedule.clear();
  size_t i = 0;
  for (const auto& d : s->array()) {
    const Value* t = d.get("t");
    const Value* val = d.get("v");
    if (t && t->is_int() && t->integer() >= 0 && t->integer() < mc::kMaxThreads)
      out->schedule.push_back({mc::Decision::kThread, static_cast<uint32_t>(t->integer())});
    else if (val && val->is_int() && val->integer() >= 0)
      out->schedule.push_back({mc::Decision::kValue, static_cast<uint32_t>(val->integer())});
    else
      return bad("schedule[" + std::to_string(i) + "]: expected {\"t\": thread 0-" +
                 std::to_string(mc::kMaxThreads - 1) + "} or {\"v\": value >= 0}");
    ++i;
  }
  out->finding_kind.clear();
  out->finding_message.clear();
  if (const Value* f = v.get("finding")) {
    if (const Value* k = f->get("kind"); k && k->is_string()) out->finding_kind = k->str();
    if (const Value* m = f->get("message"); m && m->is_string()) out->finding_message = m->str();
  }
  return true;
}

bool read_trace_file(const std::string& path, TraceFile* out, std::string* error) {
  std::ifstream f(path);
  if (!f) {
    *error = path + ": cannot open";
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_trace(ss.str(), path, out, error);
}

}  // namespace traces
