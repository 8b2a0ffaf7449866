// The CI gate (`migcheck ci`): every scenario and litmus file under the given paths, at every
// kernel version and bug variant each runs, explored with --all-findings, and compared with a
// baseline kept in the repository: per test and variant, the verdict, the finding kinds, the
// complete execution count and the outcome set. A changed count is reported even when nothing
// else changed (the state space moved); a changed verdict, finding set or outcome set fails
// the gate until the baseline is updated.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"

namespace gate {

// One run: a test at one variant.
struct Entry {
  std::string test;     // "zsmalloc/map-vs-migrate", or a litmus file's path as given
  std::string variant;  // "bug=none kernel=4.8" (empty for a file with no list setting)
  std::string verdict;  // pass | fail | incomplete | error
  std::vector<std::string> findings;  // finding kinds, sorted
  uint64_t executions = 0;            // complete executions
  std::vector<std::string> outcomes;  // final states, sorted (litmus files with registers)
  // Not in the baseline: for the reports.
  double seconds = 0;
  std::string why;                           // fail / incomplete / error: in words
  std::vector<mc::Counterexample> examples;  // every distinct finding, with its trace
  std::string source;                        // the litmus file's path, for locations
  uint64_t explored = 0;  // every execution the search made (complete, blocked, with findings)
  std::optional<mc::Estimate> estimate;  // a budgeted run past its probe
  std::string key() const { return test + (variant.empty() ? "" : " [" + variant + "]"); }
};

struct Options {
  std::vector<std::string> paths;  // scenario names or globs, litmus files, folders
  int jobs = 1;
  double time_limit = 0;  // per run, seconds; 0: none (a run cut short is INCOMPLETE)
  double budget = 0;      // per run, seconds; 0: none (mc::ExploreOptions::budget)
  double probe = 0;       // seconds before the estimate; 0: a tenth of the budget
  // Settings that replace every file's (`kernel` = "4.8,5.17" for `migcheck diff`).
  std::map<std::string, std::string> overrides;
};

// Runs every test of `paths` (the scenario library when empty). Bad paths and files that do
// not parse end up as entries with verdict "error". Never throws.
std::vector<Entry> run(const Options& o);

// The baseline file: one JSON object per line, in the order of the runs.
std::string write_baseline(const std::vector<Entry>& entries);
// Reads it back; on error returns false and sets `error` to "FILE:LINE: expected ...".
bool read_baseline(const std::string& text, const std::string& file, std::vector<Entry>* out,
                   std::string* error);

// The baseline updated with `now`, in the file's order: each test's runs replace its old ones
// where they were; a test the runs did not cover keeps its entries; a new test goes last.
std::vector<Entry> merge_baseline(const std::vector<Entry>& baseline,
                                  const std::vector<Entry>& now);

struct Change {
  std::string key;   // test [variant]
  std::string what;  // new finding | finding gone | outcomes changed | count changed | verdict
                     // changed | incomplete | failed | error | not in baseline | removed
  std::string detail;
  bool regression = false;  // fails the gate (a count alone does not)
  bool missing = false;     // no baseline entry: recorded with --update-baseline
};

// What changed from `baseline` to `now`, in the order of `now` (then the removed ones).
std::vector<Change> compare(const std::vector<Entry>& baseline, const std::vector<Entry>& now);

// One test and variant (its settings but the kernel) at two kernel versions.
struct VersionDiff {
  std::string test;
  std::string variant;  // "bug=no-trypin", or empty
  const Entry* a = nullptr;
  const Entry* b = nullptr;
};
// The runs of `entries` (run with kernel=A,B) whose verdict or finding kinds differ between
// kernel `a` and kernel `b`, in run order; `pairs` is set to the number of pairs compared.
std::vector<VersionDiff> diff_versions(const std::vector<Entry>& entries, const std::string& a,
                                       const std::string& b, size_t* pairs);

// JUnit XML: one testsuite per test, one testcase per variant; a failure carries the finding
// and its interleaving, an incomplete run is skipped with the reason.
std::string junit_xml(const std::vector<Entry>& entries, const std::vector<Change>& changes);

}  // namespace gate
