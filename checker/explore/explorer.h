// Runs one test under a strategy: executions, limits, statistics, and for a finding the
// counterexample with the fewest preemptions found, re-run with full history.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/report/finding.h"
#include "checker/runtime/execution.h"
#include "checker/test.h"

namespace mc {

struct ExploreOptions;
// What a strategy covers, for an incomplete verdict: "bounded 2 (at most 2 preemptions)",
// "random 1000 runs (seed 1)", "pct depth 3, 1000 runs (seed 1)".
std::string search_scope(const ExploreOptions& o);

struct ExploreOptions {
  std::string strategy = "dpor";  // dpor | dfs (alias naive) | bounded | random | pct
  int bound = 2;                  // bounded: preemptions; pct: depth
  uint64_t seed = 1;
  uint64_t iterations = 1000;   // random, pct
  uint64_t max_executions = 0;  // 0: no limit
  uint64_t max_steps = 100000;
  double time_limit = 0;  // seconds; 0: none
  bool minimize = true;   // search for a counterexample with fewer preemptions
  double minimize_seconds = 5;
  // Go on after findings, in each execution and across executions, and report every
  // distinct finding (kind and place), each with its own counterexample.
  bool all_findings = false;
  // With all_findings: the search stops at the first distinct finding for which this returns
  // true (a directed search looking for one finding); it is then not exhaustive, and `limit`
  // says why it stopped.
  std::function<bool(const Finding&)> stop_at;
  // With all_findings: only the findings this accepts are minimised (null: every one); a
  // directed search wants its own finding short, not the others it met on the way.
  std::function<bool(const Finding&)> minimize_if;
  // Model threads an execution may have (the host thread counts): kNarrowThreads, or up to
  // kMaxThreads, whose wider vector clocks make every event a little dearer.
  int max_threads = kNarrowThreads;
  // Seconds an exhaustive search may take (0: no budget). After a probe (`probe` seconds; 0:
  // a tenth of the budget) the search's size is estimated from its own progress
  // (Strategy::progress); a search predicted to take longer than the budget stops there, and
  // one that runs out of budget stops too: INCOMPLETE with the estimate, never a pass.
  double budget = 0;
  double probe = 0;
};

// What a budgeted search estimated of its own size.
struct Estimate {
  double executions = 0;  // the whole search, estimated
  uint64_t after = 0;     // executions made when it was estimated
  double seconds = 0;     // seconds spent then
  double predicted_seconds() const {
    return after ? executions * seconds / static_cast<double>(after) : 0;
  }
};
// "about 1.2e+04 executions (estimated after 310), about 52 s".
std::string format_estimate(const Estimate& e);

struct Counterexample {
  Finding finding;
  std::vector<Decision> schedule;
  uint32_t preemptions = 0;
  std::vector<EventDetail> events;        // from the re-run with history
  std::vector<std::string> thread_names;  // by thread id, from the re-run ("P0", or "T1")
  bool reproduced = false;                // the re-run failed the same way
  std::string note;                       // how it was obtained / minimised
};

struct RunResult {
  std::string test;
  Params params;
  std::string strategy;  // short name
  std::string strategy_description;
  uint64_t complete = 0;  // complete executions (the published counts)
  uint64_t blocked = 0;   // ended by assume(): not complete
  uint64_t pruned = 0;    // sleep-set blocked (redundant)
  uint64_t with_finding = 0;
  uint64_t events = 0;
  double seconds = 0;
  bool exhausted = false;   // the strategy ran out of executions: every behaviour was seen
  std::string limit;        // why exploration stopped early, if it did
  bool stopped_at = false;  // it stopped at a finding ExploreOptions::stop_at accepted
  std::string error;        // strategy or model error (non-determinism, replay divergence)
  std::map<std::string, uint64_t> outcomes;
  std::optional<Counterexample> counterexample;  // the first finding (with --all-findings too)
  // --all-findings: every distinct finding (kind and place), in the order first met.
  std::vector<Counterexample> all_findings;
  bool searched_all_findings = false;
  size_t stacks_used = 0;  // thread stacks the run took (each reused by every execution)
  // Verdict against the test's expectations: pass (as expected, and the search behind a
  // "no bug" answer was exhaustive), fail (a mismatch), or incomplete (nothing contradicts
  // the expectations, but the search was cut short or is not exhaustive by design, so it
  // proves nothing).
  bool pass = false;
  bool incomplete = false;
  std::string stopped_by;  // incomplete: what cut it short, or what the strategy covers
  std::vector<std::string> mismatches;
  std::optional<Estimate> estimate;  // a budgeted search that ran past its probe
};

// "pass", "fail" or "incomplete".
const char* result_word(const RunResult& r);

std::unique_ptr<Strategy> make_strategy(const ExploreOptions& o);
RunResult explore(const TestCase& test, const Params& params, const ExploreOptions& options);
// Re-runs one schedule with history (for `migcheck replay` and for reports).
// With keep_going, the execution goes on after findings (as under --all-findings), and the
// counterexample is the finding whose identity is `wanted` (see finding_identity), if given.
RunResult replay(const TestCase& test, const Params& params, const std::vector<Decision>& schedule,
                 uint64_t max_steps, bool keep_going = false, const std::string& wanted = "");
// One execution with history, whatever its end (a finding or none): the first of a
// depth-first search without preemptions (each thread runs until it blocks or ends, choose()
// takes 0). What a program does when nothing interleaves it, event by event, for tools that
// ask which functions a program reaches.
struct ExecutionRecord {
  std::vector<EventDetail> events;
  std::vector<std::string> thread_names;  // by thread id
  std::optional<Finding> finding;
};
ExecutionRecord run_once(const TestCase& test, const Params& params, uint64_t max_steps);
// What tells two findings apart under --all-findings: the kind and where it happened.
std::string finding_identity(const Finding& f);
// The distinct finding kinds of a run (all of them under --all-findings, else the first).
std::vector<std::string> finding_kinds(const RunResult& r);
void judge(const TestCase& test, RunResult& r, const std::string& scope = "");
// A complete execution's final state as "name=value ..." in the order observed.
std::string outcome_key(const std::vector<ObservedValue>& obs);
// The same into `key` (cleared first), whose capacity is reused.
void outcome_key_into(const std::vector<ObservedValue>& obs, std::string& key);

}  // namespace mc
