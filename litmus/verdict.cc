// The verdict: a litmus run's outcome set judged against the file's Result and Expect lines.
#include "litmus/verdict.h"

#include <algorithm>
#include <sstream>

#include "litmus/interpreter.h"

namespace litmus {

const char* to_string(Observation o) {
  switch (o) {
    case Observation::kNever:
      return "Never";
    case Observation::kSometimes:
      return "Sometimes";
    case Observation::kAlways:
      return "Always";
    case Observation::kDeadlock:
      return "DEADLOCK";
    case Observation::kStopped:
      return "Stopped";
  }
  return "?";
}

const char* to_string(Agreement a) {
  switch (a) {
    case Agreement::kMatches:
      return "matches";
    case Agreement::kNeverUnderSc:
      return "Never under SC";
    case Agreement::kAlwaysUnderSc:
      return "Always under SC";
    case Agreement::kMismatch:
      return "MISMATCH";
    case Agreement::kNoExpectation:
      return "no expectation";
    case Agreement::kIncomplete:
      return "incomplete";
    case Agreement::kFindingAsExpected:
      return "expected finding";
    case Agreement::kFindingUnexpected:
      return "unexpected finding";
    case Agreement::kFindingMissing:
      return "missing finding";
  }
  return "?";
}

namespace {

// The value of `name` in an outcome key "a=1 b=2", if present.
std::optional<int64_t> outcome_value(const std::string& key, const std::string& name) {
  std::istringstream in(key);
  std::string item;
  while (in >> item) {
    const size_t eq = item.rfind('=');
    if (eq != std::string::npos && item.compare(0, eq, name) == 0 && eq == name.size())
      return std::stoll(item.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace

LitmusVerdict judge_litmus(const Test& test, const mc::RunResult& r,
                           const std::vector<std::string>& expected, bool any_of,
                           const std::string& unclaimed_bug) {
  LitmusVerdict v;
  v.expected = test.expected_result;
  v.expected_findings = expected;
  if (r.counterexample) v.finding = r.counterexample->finding.kind_string();
  v.findings = mc::finding_kinds(r);
  for (const auto& [key, count] : r.outcomes) {
    if (test.filter && outcome_value(key, "__filter").value_or(0) == 0) {
      v.filtered_out += count;
      continue;
    }
    if (outcome_value(key, "__exists").value_or(0) != 0)
      v.positive += count;
    else
      v.negative += count;
  }
  if (v.positive + v.negative == 0)
    v.observation =
        r.counterexample && r.complete == 0 ? Observation::kStopped : Observation::kDeadlock;
  else if (v.positive == 0)
    v.observation = Observation::kNever;
  else if (v.negative == 0)
    v.observation = Observation::kAlways;
  else
    v.observation = Observation::kSometimes;
  switch (test.final_clause.quantifier) {
    case Quantifier::kExists:
      v.ok = v.positive > 0;
      break;
    case Quantifier::kNotExists:
      v.ok = v.positive == 0;
      break;
    case Quantifier::kForall:
      v.ok = v.negative == 0;
      break;
  }

  if (!unclaimed_bug.empty() && r.error.empty()) {
    v.agreement = Agreement::kNoExpectation;
    v.unchecked = true;
    v.expected_findings.clear();
    const std::string found = r.searched_all_findings || v.finding.empty()
                                  ? finding_set_text(v.findings)
                                  : v.finding + " (first finding)";
    v.explanation = "NOT CHECKED: the file's Expect lines state nothing for bug=" + unclaimed_bug +
                    "; found " + found +
                    (r.exhausted || r.counterexample ? "" : " before the search was cut short");
    return v;
  }
  const std::string expected_text = finding_set_text(expected);
  auto in_set = [&expected](const std::string& k) {
    return std::find(expected.begin(), expected.end(), k) != expected.end();
  };
  if (r.error.empty() && r.counterexample) {
    std::string outside, missing;
    for (const std::string& k : v.findings)
      if (!in_set(k)) outside += (outside.empty() ? "" : ", ") + k;
    if (r.searched_all_findings && !any_of)
      for (const std::string& k : expected)
        if (std::find(v.findings.begin(), v.findings.end(), k) == v.findings.end())
          missing += (missing.empty() ? "" : ", ") + k;
    const std::string found_text = finding_set_text(v.findings);
    if (!outside.empty()) {
      v.agreement = Agreement::kFindingUnexpected;
      v.failed = true;
      v.explanation = "finding: " + found_text + ", expected " + expected_text;
    } else if (!missing.empty() && r.exhausted) {
      v.agreement = Agreement::kFindingMissing;
      v.failed = true;
      v.explanation = "findings: " + found_text + ", expected " + expected_text + ": " + missing +
                      " never happened in " + std::to_string(r.complete) + " executions";
    } else if (!missing.empty()) {
      v.agreement = Agreement::kIncomplete;
      v.incomplete = true;
      v.explanation = "INCOMPLETE: found " + found_text + " of " + expected_text + " before " +
                      (r.limit.empty() ? "the search ended" : r.limit) + "; " + missing +
                      " not met";
    } else if (r.searched_all_findings && !r.exhausted) {
      // Every expected kind was met, but the set is a claim about every execution: one the
      // search did not reach may show a kind outside it.
      v.agreement = Agreement::kIncomplete;
      v.incomplete = true;
      v.explanation = "INCOMPLETE: found " + found_text + " as expected before " +
                      (r.limit.empty() ? "the search ended (" + r.strategy + ")" : r.limit) +
                      "; a finding outside " + expected_text +
                      " is not excluded in the executions not explored";
    } else {
      v.agreement = Agreement::kFindingAsExpected;
      v.explanation = r.searched_all_findings
                          ? "the expected findings: " + found_text + " (Result not checked)"
                          : "an expected finding: " + v.finding +
                                (expected.size() > 1 ? " (one of " + expected_text +
                                                           "; --all-findings checks the whole set)"
                                                     : "") +
                                " (Result not checked)";
    }
    return v;
  }
  if (r.error.empty() && r.exhausted && !expected.empty()) {
    v.agreement = Agreement::kFindingMissing;
    v.failed = true;
    v.explanation = "expected finding " + expected_text + ", none in " +
                    std::to_string(r.complete) + " executions";
    return v;
  }
  if (!r.error.empty()) {
    v.agreement = Agreement::kIncomplete;
    v.failed = true;
    v.explanation = "error: " + r.error;
    return v;
  }
  if (!r.exhausted) {
    // Both kinds of final state seen already settle a Sometimes; nothing else does.
    if (v.expected == ExpectedResult::kSometimes && v.observation == Observation::kSometimes &&
        expected.empty()) {
      v.agreement = Agreement::kMatches;
      v.explanation = "matches (both kinds of final state seen before the search was cut short)";
      return v;
    }
    v.agreement = Agreement::kIncomplete;
    v.incomplete = true;
    v.explanation =
        "INCOMPLETE: " +
        (r.limit.empty() ? "the strategy is not exhaustive (" + r.strategy + ")" : r.limit) +
        "; no finding in " + std::to_string(r.complete) +
        " complete executions, which proves nothing";
    return v;
  }
  if (!v.expected) {
    v.agreement = Agreement::kNoExpectation;
    v.explanation = "no Result line";
    return v;
  }
  if (*v.expected == ExpectedResult::kMaybe) {
    v.agreement = Agreement::kMatches;
    v.explanation = "Maybe: no outcome expected";
    return v;
  }
  const ExpectedResult e = *v.expected;
  const Observation o = v.observation;
  auto same = [](ExpectedResult e, Observation o) {
    return (e == ExpectedResult::kNever && o == Observation::kNever) ||
           (e == ExpectedResult::kSometimes && o == Observation::kSometimes) ||
           (e == ExpectedResult::kAlways && o == Observation::kAlways) ||
           (e == ExpectedResult::kDeadlock && o == Observation::kDeadlock);
  };
  if (same(e, o)) {
    v.agreement = Agreement::kMatches;
    v.explanation = "matches";
  } else if (e == ExpectedResult::kSometimes && o == Observation::kNever) {
    v.agreement = Agreement::kNeverUnderSc;
    v.explanation = "Never under SC (the kernel model allows it only through weak ordering)";
  } else if (e == ExpectedResult::kSometimes && o == Observation::kAlways) {
    v.agreement = Agreement::kAlwaysUnderSc;
    v.explanation = "Always under SC (the executions violating it need weak ordering)";
  } else if (e == ExpectedResult::kNever && o == Observation::kDeadlock) {
    // SC executions are a subset of the kernel model's; none passing the filter is consistent.
    v.agreement = Agreement::kMatches;
    v.explanation = "matches (no SC execution passes the filter)";
  } else {
    v.agreement = Agreement::kMismatch;
    v.failed = true;
    v.explanation =
        std::string("MISMATCH: the file says ") + to_string(e) + ", SC gives " + to_string(o);
  }
  return v;
}

}  // namespace litmus
