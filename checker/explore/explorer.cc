#include "checker/explore/explorer.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "checker/explore/strategies.h"
#include "checker/explore/strategy.h"
#include "checker/report/finding.h"

namespace mc {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool same_finding(const Finding& a, const Finding& b) {
  return a.kind == b.kind && a.name == b.name;
}

// The finding of `ex` that `wanted` names (any finding when `wanted` is empty).
const Finding* pick_finding(const Execution& ex, const std::string& wanted) {
  for (const Finding& f : ex.findings())
    if (wanted.empty() || finding_identity(f) == wanted) return &f;
  return nullptr;
}

// Counts a complete execution's outcome. The key is built in a buffer kept across executions
// and copied only when the outcome is new, so a run with observations does not allocate per
// execution (a litmus file observes its registers in every execution).
void count_outcome(const Execution& ex, std::string& key, RunResult& r) {
  outcome_key_into(ex.observations(), key);
  auto it = r.outcomes.find(key);
  if (it == r.outcomes.end())
    r.outcomes.emplace(key, 1);
  else
    ++it->second;
}

}  // namespace

void outcome_key_into(const std::vector<ObservedValue>& obs, std::string& key) {
  key.clear();
  for (const auto& o : obs) {
    if (!key.empty()) key += ' ';
    key += o.name;
    key += '=';
    char digits[24];
    const auto res = std::to_chars(digits, digits + sizeof digits, o.value);
    key.append(digits, res.ptr);
  }
}

std::string outcome_key(const std::vector<ObservedValue>& obs) {
  std::string key;
  outcome_key_into(obs, key);
  return key;
}

const char* result_word(const RunResult& r) {
  return r.pass ? "pass" : r.incomplete ? "incomplete" : "fail";
}

std::string search_scope(const ExploreOptions& o) {
  const std::string runs = std::to_string(o.iterations) + " runs (seed " + std::to_string(o.seed);
  if (o.strategy == "bounded")
    return "bounded " + std::to_string(o.bound) + " (at most " + std::to_string(o.bound) +
           " preemptions)";
  if (o.strategy == "random") return "random " + runs + ")";
  if (o.strategy == "pct") return "pct depth " + std::to_string(o.bound) + ", " + runs + ")";
  return o.strategy;
}

namespace {

std::unique_ptr<Strategy> make_named_strategy(const ExploreOptions& o) {
  if (o.strategy == "dpor") return make_dpor_strategy();
  if (o.strategy == "bounded") return make_bounded_strategy(o.bound);
  // `naive`: the name plain DFS had before 0.12.0.
  if (o.strategy == "dfs" || o.strategy == "naive") return make_bounded_strategy(-1);
  if (o.strategy == "random") return make_random_strategy(o.seed, o.iterations);
  if (o.strategy == "pct") return make_pct_strategy(o.seed, o.iterations, o.bound);
  return nullptr;
}

}  // namespace

std::unique_ptr<Strategy> make_strategy(const ExploreOptions& o) {
  if (auto s = make_named_strategy(o)) return check_determinism(std::move(s));
  throw std::invalid_argument("unknown strategy '" + o.strategy +
                              "' (expected dpor, dfs, bounded, random or pct)");
}

std::string finding_identity(const Finding& f) {
  const std::string model = f.loc.line() ? source_where(f.loc) : "the end";
  // Two statements of a litmus file reaching the same check of the model are two findings.
  return f.kind_string() + " at " + (f.origin.empty() ? model : f.origin + " (" + model + ")");
}

std::vector<std::string> finding_kinds(const RunResult& r) {
  std::set<std::string> kinds;
  if (r.counterexample) kinds.insert(r.counterexample->finding.kind_string());
  for (const Counterexample& c : r.all_findings) kinds.insert(c.finding.kind_string());
  return {kinds.begin(), kinds.end()};
}

RunResult replay(const TestCase& test, const Params& params, const std::vector<Decision>& schedule,
                 uint64_t max_steps, bool keep_going, const std::string& wanted) {
  RunResult r;
  r.test = test.name;
  r.params = params;
  auto strategy = make_replay_strategy(schedule);
  const StrategyInfo info = strategy->info();
  r.strategy = info.name;
  r.strategy_description = info.description;
  // A recorded schedule may come from a run of any width: replay at the widest.
  const ClockWidth width(kMaxThreads);
  Execution ex;
  ex.limits.max_steps = max_steps;
  ex.set_keep_going(keep_going);
  std::function<void()> body = [&] { test.body(params); };
  const auto t0 = Clock::now();
  strategy->begin_execution();
  ExecutionEnd end = ex.run(body, *strategy, true);
  r.seconds = since(t0);
  r.events = ex.event_count();
  r.error = strategy->error();
  if (end == ExecutionEnd::kComplete) {
    ++r.complete;
    std::string key;
    count_outcome(ex, key, r);
  } else if (end == ExecutionEnd::kBlocked) {
    ++r.blocked;
  } else if (end == ExecutionEnd::kPruned) {
    ++r.pruned;
  }
  if (const Finding* f = pick_finding(ex, wanted)) {
    ++r.with_finding;
    Counterexample c;
    c.finding = *f;
    c.schedule = ex.schedule();
    c.preemptions = ex.preemptions();
    c.events = ex.details();
    c.thread_names = ex.thread_labels();
    c.reproduced = true;
    r.counterexample = std::move(c);
  }
  return r;
}

ExecutionRecord run_once(const TestCase& test, const Params& params, uint64_t max_steps) {
  auto strategy = make_bounded_strategy(0);
  const ClockWidth width(kMaxThreads);
  Execution ex;
  ex.limits.max_steps = max_steps;
  std::function<void()> body = [&] { test.body(params); };
  strategy->begin_execution();
  ex.run(body, *strategy, true);
  ExecutionRecord rec;
  rec.events = ex.details();
  rec.thread_names = ex.thread_labels();
  if (const Finding* f = pick_finding(ex, "")) rec.finding = *f;
  return rec;
}

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

}  // namespace

std::string format_estimate(const Estimate& e) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "about %.2g executions (estimated after %llu), about %s",
                e.executions, static_cast<unsigned long long>(e.after),
                seconds_text(e.predicted_seconds()).c_str());
  return buf;
}

RunResult explore(const TestCase& test, const Params& params, const ExploreOptions& o) {
  RunResult r;
  r.test = test.name;
  r.params = params;
  auto strategy = make_strategy(o);
  const StrategyInfo info = strategy->info();
  r.strategy = info.name;
  r.strategy_description = info.description;
  const ClockWidth width(o.max_threads);
  Execution ex;
  ex.limits.max_steps = o.max_steps;
  ex.set_keep_going(o.all_findings);
  r.searched_all_findings = o.all_findings;
  std::function<void()> body = [&] { test.body(params); };
  const auto t0 = Clock::now();
  const double probe = o.probe > 0 ? o.probe : o.budget / 10;
  uint64_t runs = 0;
  std::set<std::string> seen;  // --all-findings: identities of the findings met
  bool stopped = false;
  std::string key;  // the outcome key's buffer
  while (true) {
    if (o.max_executions && runs >= o.max_executions) {
      r.limit = "--max-executions " + std::to_string(o.max_executions) + " reached";
      stopped = true;
      break;
    }
    if (o.time_limit > 0 && (runs & 63) == 0 && since(t0) > o.time_limit) {
      r.limit = "--time-limit " + seconds_text(o.time_limit) + " reached";
      stopped = true;
      break;
    }
    if (o.budget > 0 && (runs & 15) == 0) {
      const double now = since(t0);
      if (!r.estimate && now > probe) {
        const double done = strategy->progress();
        Estimate e;
        e.after = runs;
        e.seconds = now;
        e.executions = done > 0 ? static_cast<double>(runs) / done : 0;
        r.estimate = e;
        if (done > 0 && e.predicted_seconds() > o.budget) {
          r.limit = "stopped after the probe: " + format_estimate(e) + ", over the budget of " +
                    seconds_text(o.budget);
          stopped = true;
          break;
        }
      }
      if (now > o.budget) {
        r.limit =
            "the budget of " + seconds_text(o.budget) + " ran out" +
            (r.estimate && r.estimate->executions > 0 ? " (" + format_estimate(*r.estimate) + ")"
                                                      : std::string());
        stopped = true;
        break;
      }
    }
    if (!strategy->begin_execution()) break;
    ++runs;
    ExecutionEnd end = ex.run(body, *strategy, false);
    r.events += ex.event_count();
    if (end == ExecutionEnd::kComplete) {
      ++r.complete;
      count_outcome(ex, key, r);
    } else if (end == ExecutionEnd::kBlocked) {
      ++r.blocked;
    } else if (end == ExecutionEnd::kPruned) {
      ++r.pruned;
    } else if (o.all_findings) {
      ++r.with_finding;
      if (ex.completed()) count_outcome(ex, key, r);
      for (const Finding& f : ex.findings()) {
        if (!seen.insert(finding_identity(f)).second) continue;
        Counterexample c;
        c.finding = f;
        c.schedule = ex.schedule();
        c.preemptions = ex.preemptions();
        c.note = "found by " + r.strategy + " in execution " + std::to_string(runs);
        r.all_findings.push_back(std::move(c));
        if (o.stop_at && o.stop_at(f)) {
          r.limit = "stopped at the finding searched for";
          r.stopped_at = true;
          stopped = true;
          break;
        }
      }
      if (stopped) break;
    } else {
      ++r.with_finding;
      Counterexample c;
      c.finding = ex.findings().front();
      c.schedule = ex.schedule();
      c.preemptions = ex.preemptions();
      r.counterexample = std::move(c);
      stopped = true;
      break;
    }
    if (!strategy->error().empty()) break;
  }
  r.seconds = since(t0);
  r.error = strategy->error();
  r.exhausted = info.exhaustive && !stopped && r.error.empty();
  r.stacks_used = ex.stacks_used();

  // Each counterexample: fewer preemptions read better (search again with an increasing
  // preemption bound for the same finding), then re-run with full history for the report.
  auto finish = [&](Counterexample& c) {
    const std::string wanted = o.all_findings ? finding_identity(c.finding) : "";
    auto same = [&](const Execution& e) -> const Finding* {
      if (o.all_findings) return pick_finding(e, wanted);
      return !e.findings().empty() && same_finding(e.findings().front(), c.finding)
                 ? &e.findings().front()
                 : nullptr;
    };
    if (o.minimize && c.preemptions > 0 && (!o.minimize_if || o.minimize_if(c.finding))) {
      const auto m0 = Clock::now();
      for (int k = 0; k < static_cast<int>(c.preemptions) && since(m0) < o.minimize_seconds; ++k) {
        auto bounded = make_bounded_strategy(k);
        bool found = false;
        uint64_t tries = 0;
        while (bounded->begin_execution() && since(m0) < o.minimize_seconds && tries < 200000) {
          ++tries;
          if (ex.run(body, *bounded, false) != ExecutionEnd::kFinding) continue;
          if (const Finding* f = same(ex)) {
            c.finding = *f;
            c.schedule = ex.schedule();
            c.note += "; shortened to " + std::to_string(ex.preemptions()) +
                      " preemption(s) (was " + std::to_string(c.preemptions) + ")";
            c.preemptions = ex.preemptions();
            found = true;
            break;
          }
        }
        if (found) break;
      }
    }
    RunResult again = replay(test, params, c.schedule, o.max_steps, o.all_findings, wanted);
    if (again.counterexample && same_finding(again.counterexample->finding, c.finding)) {
      c.events = std::move(again.counterexample->events);
      c.thread_names = std::move(again.counterexample->thread_names);
      c.finding = again.counterexample->finding;  // carries labels recorded in history mode
      c.reproduced = true;
    } else {
      c.reproduced = false;
      c.note += "; the re-run with history did not fail the same way (" +
                (again.error.empty() ? std::string("non-deterministic model") : again.error) + ")";
    }
  };
  if (r.counterexample) {
    r.counterexample->note =
        "found by " + r.strategy + " after " + std::to_string(runs) + " execution(s)";
    finish(*r.counterexample);
  }
  for (Counterexample& c : r.all_findings) finish(c);
  if (!r.all_findings.empty()) r.counterexample = r.all_findings.front();
  judge(test, r, search_scope(o));
  return r;
}

namespace {

// --all-findings: the run must show exactly the expected set of finding kinds, and only an
// exhaustive search can show that nothing else is there.
void judge_finding_set(const Expectation& e, RunResult& r) {
  std::set<std::string> want;
  if (e.finding_kinds)
    want.insert(e.finding_kinds->begin(), e.finding_kinds->end());
  else if (!e.finding.empty())
    want.insert(e.finding);
  const std::vector<std::string> kinds = finding_kinds(r);
  const std::set<std::string> got(kinds.begin(), kinds.end());
  for (const std::string& k : got)
    if (!want.count(k)) r.mismatches.push_back("unexpected finding: " + k);
  for (const std::string& k : want)
    if (!got.count(k) && r.exhausted)
      r.mismatches.push_back("expected finding " + k + ", none in the exhaustive search");
}

}  // namespace

void judge(const TestCase& test, RunResult& r, const std::string& scope) {
  r.mismatches.clear();
  Expectation e = test.expect ? test.expect(r.params) : Expectation{};
  const std::string got = r.counterexample ? r.counterexample->finding.kind_string() : "";
  if (!r.error.empty()) r.mismatches.push_back(r.error);
  if (r.searched_all_findings) {
    judge_finding_set(e, r);
  } else {
    if (e.finding.empty() && !got.empty()) r.mismatches.push_back("unexpected finding: " + got);
    // An expected finding not met in a search that was not exhaustive is not a failure: the
    // run is incomplete (below).
    if (!e.finding.empty() && got != e.finding && (r.exhausted || !got.empty()))
      r.mismatches.push_back("expected finding " + e.finding + ", got " +
                             (got.empty() ? "none" : got));
  }
  if (r.exhausted && r.strategy == "dpor" && e.finding.empty() && got.empty()) {
    if (e.executions && *e.executions != r.complete)
      r.mismatches.push_back("expected " + std::to_string(*e.executions) + " complete executions" +
                             (e.source.empty() ? "" : " (" + e.source + ")") + ", explored " +
                             std::to_string(r.complete));
    if (e.blocked && *e.blocked != r.blocked)
      r.mismatches.push_back("expected " + std::to_string(*e.blocked) +
                             " blocked executions, got " + std::to_string(r.blocked));
  }
  if (e.outcomes && got.empty()) {
    std::set<std::string> want(e.outcomes->begin(), e.outcomes->end());
    for (const auto& [k, n] : r.outcomes)
      if (!want.count(k)) r.mismatches.push_back("outcome not allowed: " + k);
    if (r.exhausted)
      for (const auto& k : want)
        if (!r.outcomes.count(k)) r.mismatches.push_back("outcome never reached: " + k);
  }
  // Only an exhaustive search proves there is nothing (else) to find; without --all-findings
  // a finding met settles the run.
  const bool settled = r.exhausted || (!got.empty() && !r.searched_all_findings);
  r.incomplete = r.mismatches.empty() && !settled;
  r.stopped_by.clear();
  if (r.incomplete) r.stopped_by = !r.limit.empty() ? r.limit : scope.empty() ? r.strategy : scope;
  r.pass = r.mismatches.empty() && !r.incomplete;
}

}  // namespace mc
