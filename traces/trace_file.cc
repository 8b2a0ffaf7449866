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

namespace {
constexpr const char* kTokenPrefix = "mcreplay1:";
}

bool is_replay_token(const std::string& s) { return s.rfind(kTokenPrefix, 0) == 0; }

std::string replay_token(const mc::RunResult& r) {
  if (!r.counterexample) return "";
  std::string params;
  for (const auto& [k, v] : r.params.values()) params += (params.empty() ? "" : ",") + k + "=" + v;
  std::string sched;
  const auto& d = r.counterexample->schedule;
  for (size_t i = 0; i < d.size();) {
    size_t j = i + 1;
    while (j < d.size() && d[j] == d[i]) ++j;
    sched += (i ? "." : "") + std::string(d[i].kind == mc::Decision::kValue ? "v" : "") +
             std::to_string(d[i].value) + (j - i > 1 ? "*" + std::to_string(j - i) : "");
    i = j;
  }
  const std::string kind = r.counterexample->finding.kind_string();
  std::string safe_kind;
  for (char c : kind) safe_kind += c == ':' ? '_' : c;
  return kTokenPrefix + r.test + ":" + params + ":" + safe_kind + ":" + sched;
}

bool parse_replay_token(const std::string& token, TraceFile* out, std::string* error) {
  auto bad = [&](size_t col, const std::string& what) {
    *error = "token:" + std::to_string(col + 1) + ": expected " + what;
    return false;
  };
  if (!is_replay_token(token)) return bad(0, "a token starting with 'mcreplay1:'");
  std::vector<std::string> parts;
  std::vector<size_t> starts;
  size_t b = std::string(kTokenPrefix).size();
  for (int i = 0; i < 3; ++i) {
    const size_t e = token.find(':', b);
    if (e == std::string::npos)
      return bad(token.size(), "four fields after 'mcreplay1:' (test:params:finding:schedule)");
    starts.push_back(b);
    parts.push_back(token.substr(b, e - b));
    b = e + 1;
  }
  starts.push_back(b);
  parts.push_back(token.substr(b));
  *out = TraceFile{};
  if (parts[0].empty()) return bad(starts[0], "a test name");
  out->test = parts[0];
  for (size_t p = 0; p < parts[1].size();) {
    size_t e = parts[1].find(',', p);
    if (e == std::string::npos) e = parts[1].size();
    const std::string kv = parts[1].substr(p, e - p);
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return bad(starts[1] + p, "a setting key=value");
    out->params.set(kv.substr(0, eq), kv.substr(eq + 1));
    p = e + 1;
  }
  out->finding_kind = parts[2];
  const std::string& s = parts[3];
  for (size_t p = 0; p < s.size();) {
    size_t e = s.find('.', p);
    if (e == std::string::npos) e = s.size();
    std::string item = s.substr(p, e - p);
    mc::Decision d{};
    d.kind = mc::Decision::kThread;
    if (!item.empty() && item[0] == 'v') {
      d.kind = mc::Decision::kValue;
      item = item.substr(1);
    }
    const size_t star = item.find('*');
    const std::string value = item.substr(0, star);
    const std::string count = star == std::string::npos ? "1" : item.substr(star + 1);
    auto number = [](const std::string& t, uint64_t max, uint64_t* v) {
      if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos)
        return false;
      *v = std::stoull(t);
      return *v <= max;
    };
    uint64_t v = 0, n = 0;
    if (!number(value, 1000000, &v) || !number(count, 1000000, &n) || n == 0)
      return bad(starts[3] + p, "a decision: a number, 'v' and a number, each maybe '*count'");
    if (out->schedule.size() + n > 10000000) return bad(starts[3] + p, "a shorter schedule");
    d.value = static_cast<uint32_t>(v);
    out->schedule.insert(out->schedule.end(), n, d);
    p = e + 1;
  }
  return true;
}

}  // namespace traces
