// The verdict of a litmus run: herd's Positive / Negative / Observation from the engine's
// outcomes, compared with the file's `Result:` line and its Expect sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"
#include "litmus/ast.h"

namespace litmus {

// kDeadlock: no execution completed, every one blocked; kStopped: none completed because the
// search stopped at a finding first (not a deadlock).
enum class Observation { kNever, kSometimes, kAlways, kDeadlock, kStopped };
const char* to_string(Observation o);  // "Never", "Sometimes", "Always", "DEADLOCK", "Stopped"

enum class Agreement {
  kMatches,            // SC gives the file's Result
  kNeverUnderSc,       // file Sometimes, SC Never: allowed only through weak ordering
  kAlwaysUnderSc,      // file Sometimes, SC Always: SC keeps only executions satisfying it
  kMismatch,           // SC contradicts the file (e.g. the file says Never, SC shows it)
  kNoExpectation,      // the file has no Result line
  kIncomplete,         // exploration stopped early (not a failure, not a proof) or failed
  kFindingAsExpected,  // the findings are the expected ones (one of them, or the whole set)
  kFindingUnexpected,  // a finding kind outside the expected set (or none was expected)
  kFindingMissing,     // exhaustive, and an expected kind never happened
};
const char* to_string(Agreement a);

struct LitmusVerdict {
  uint64_t positive = 0;  // complete executions passing the filter where the condition holds
  uint64_t negative = 0;  // ... where it does not
  uint64_t filtered_out = 0;
  Observation observation = Observation::kNever;
  bool ok = false;  // herd's Ok/No: the quantified final clause is validated
  std::optional<ExpectedResult> expected;
  Agreement agreement = Agreement::kNoExpectation;
  bool failed = false;      // a real disagreement, a finding not expected, an error
  bool incomplete = false;  // the search was cut short: the answer proves nothing
  // The run's bug variant is one the file's Expect lines do not name: what was found is
  // reported, and nothing is checked (neither the Expect sets nor the Result).
  bool unchecked = false;
  std::vector<std::string> expected_findings;  // the Expect set for the run; empty = none
  std::string finding;                         // the (first) counterexample's kind, "" = none
  std::vector<std::string> findings;           // every kind found (--all-findings), sorted
  std::string explanation;                     // "matches", "Never under SC (...)", "MISMATCH: ..."
};

// `expected_findings`: the set the test's Expect lines name for the run (empty = none). A
// first-finding search must find one of them (or nothing when the set is empty); an
// --all-findings search must find exactly the set, a kind of it missing only after an
// exhaustive search being a failure (before, the run is incomplete). `any_of`: one or more of
// the set will do (`Result: Flag` naming no flag). `unclaimed_bug`: the run's bug variant when
// the file states no expectation for it (the verdict is then `unchecked`).
LitmusVerdict judge_litmus(const Test& test, const mc::RunResult& result,
                           const std::vector<std::string>& expected_findings = {},
                           bool any_of = false, const std::string& unclaimed_bug = "");

}  // namespace litmus
