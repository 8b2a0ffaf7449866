// Helpers for engine tests: run a body under a strategy, and a strategy decorator that
// records the Mazurkiewicz trace (the dependency partial order) of each complete execution.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "checker/explore/explorer.h"
#include "checker/explore/strategies.h"
#include "checker/explore/strategy.h"
#include "checker/mc.h"
#include "checker/test.h"

namespace mctest {

inline mc::TestCase make_case(std::string name, std::function<void()> body,
                              std::string expected_finding = "") {
  mc::TestCase t;
  t.name = std::move(name);
  t.body = [body](const mc::Params&) { body(); };
  t.expect = [expected_finding](const mc::Params&) {
    mc::Expectation e;
    e.finding = expected_finding;
    return e;
  };
  return t;
}

inline mc::RunResult run(std::function<void()> body, const std::string& strategy = "dpor",
                         uint64_t max_steps = 100000, int bound = 2) {
  mc::TestCase t = make_case("test", std::move(body));
  mc::ExploreOptions o;
  o.strategy = strategy;
  o.max_steps = max_steps;
  o.bound = bound;
  o.minimize_seconds = 1;
  return mc::explore(t, mc::Params(), o);
}

inline std::string finding_of(const mc::RunResult& r) {
  return r.counterexample ? r.counterexample->finding.kind_string() : "";
}

// The canonical form of an execution: its events with their dependency clocks. Two executions
// have the same form exactly when they order every pair of dependent events the same way.
// Objects are named by their maker and its own count of objects, not by id: ids follow the
// order in which threads made them, which equivalent executions need not share.
inline std::string trace_key(const mc::Execution& ex) {
  std::map<uint32_t, std::string> object_names;
  std::map<mc::ThreadId, int> made;
  auto object_name = [&](uint32_t id) {
    if (id == 0) return std::string("-");
    auto it = object_names.find(id);
    if (it != object_names.end()) return it->second;
    for (uint32_t i = 1; i <= id; ++i) {  // ids are dense: name every object up to this one
      if (object_names.count(i)) continue;
      const mc::ThreadId m = ex.object_maker(i);
      object_names[i] = std::to_string(m) + "." + std::to_string(made[m]++);
    }
    return object_names[id];
  };
  std::multiset<std::string> events;
  for (const auto& e : ex.events()) {
    std::string s = std::to_string(e.tid) + ":" + std::to_string(e.seq) + ":" +
                    std::to_string(static_cast<int>(e.kind)) + ":" + object_name(e.obj) + "[";
    for (int t = 0; t < mc::thread_limit(); ++t) s += std::to_string(e.clock.at[t]) + ",";
    events.insert(s + "]");
  }
  std::string key;
  for (const auto& s : events) key += s + ";";
  // A value belongs to the step of the thread that chose it: per thread, in its own order
  // (the order of two threads' choices is not part of the trace).
  std::vector<std::string> values(mc::kMaxThreads);
  uint32_t running = 0;
  for (const auto& d : ex.schedule()) {
    if (d.kind == mc::Decision::kThread)
      running = d.value;
    else
      values[running] += "v" + std::to_string(d.value);
  }
  for (int t = 0; t < mc::kMaxThreads; ++t)
    if (!values[t].empty()) key += "T" + std::to_string(t) + values[t];
  return key;
}

// What the executions of a run were: traces, outcomes and finding kinds.
struct Recording {
  std::map<std::string, int> traces;  // trace -> how many complete executions had it
  std::set<std::string> outcomes;
  std::set<std::string> findings;
  uint64_t complete = 0;

  void add(const mc::Execution& ex, mc::ExecutionEnd how) {
    if (how == mc::ExecutionEnd::kComplete) {
      traces[trace_key(ex)]++;
      outcomes.insert(mc::outcome_key(ex.observations()));
      ++complete;
    } else if (how == mc::ExecutionEnd::kFinding) {
      findings.insert(ex.findings().front().kind_string());
    }
  }
};

// Runs every execution `strategy` offers, without stopping at findings, into `record` if
// given; false when it had more than `max_executions` to offer (the search was cut short).
inline bool run_all(const std::function<void()>& body, mc::Strategy& strategy,
                    Recording* record = nullptr, uint64_t max_executions = ~uint64_t{0}) {
  mc::Execution ex;
  for (uint64_t n = 0; strategy.begin_execution(); ++n) {
    if (n == max_executions) return false;
    const mc::ExecutionEnd how = ex.run(body, strategy, false);
    if (record) record->add(ex, how);
  }
  return true;
}

}  // namespace mctest
