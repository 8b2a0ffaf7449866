// Reproducing a kernel report on the model: the report's functions bound to the modelled ones
// (kernel names, renames across versions), its symptom to the finding kinds that show it, the
// library scenarios that run those functions, and an exhaustive search of each at the
// report's kernel version (or every modelled version) for a finding of that kind whose sides
// run the report's functions. The answer is one of: reproduced (with the interleaving),
// refuted (every candidate searched exhaustively without it; the bug variants of those
// scenarios that do reproduce it are named), not in the model (a function or a symptom the
// model does not have), or incomplete (a search was cut short).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"
#include "checker/report/json.h"
#include "traces/report.h"

namespace traces {

struct ReproduceOptions {
  std::string kernel;           // --kernel: instead of the report's version
  bool all_versions = false;    // search every modelled version
  double time_limit = 60;       // seconds per scenario run; a run cut short is incomplete
  uint64_t max_executions = 0;  // executions per scenario run (0: no limit)
  // Where the scenarios come from: the library's (library), those built from the report's
  // entry points (built, scenario_builder.h), or both, the library's first.
  std::string scenarios = "both";
};

// A side of the report as bound to the model.
struct BoundSide {
  Side side;                            // as the report has it
  std::vector<std::string> modelled;    // the side's functions the model has, innermost first
  std::vector<std::string> unmodelled;  // the others, as the report names them
};

// One search: a scenario at a version under a variant.
struct Search {
  std::string scenario;  // "zsmalloc/async-free-vs-migration"
  std::string version;   // the modelled version: "5.17"
  std::string bug = "none";
  bool exhaustive = false;
  uint64_t executions = 0;
  double seconds = 0;
  std::string limit;  // what cut it short, if it was
  // When it reproduced: the run, its counterexample the match, its test the scenario's name
  // (as `migcheck replay` finds it).
  std::optional<mc::RunResult> run;
  bool consequence = false;        // the match shows the race by its consequence
  std::vector<std::string> kinds;  // the finding kinds the search met, in the order first met
  std::string error;               // the scenario did not run (a model or binding error)
  // Part of the verdict: a scenario one short of the best score gets only the short directed
  // search, and when that is cut short it is listed, not counted.
  bool counted = true;
  // The scenario calls a function the version does not have (its run ended in a "litmus"
  // finding): it says nothing about the version, which it does not run.
  bool absent = false;
};

// The answer at one modelled version.
struct VersionAnswer {
  std::string version;
  std::string verdict;  // reproduced | refuted | incomplete
  int by = -1;          // the search that reproduced it (index in Reproduction::searches)
};

struct Reproduction {
  Report report;
  std::vector<BoundSide> sides;                // the racing sides
  std::vector<std::string> functions;          // every modelled function bound, in report order
  std::vector<std::string> kinds;              // the finding kinds that show the symptom
  std::vector<std::string> consequence_kinds;  // kinds that show a data race by its effect
  std::string kernel_note;                     // how the report's version maps onto the model
  std::string model_version;            // the version that answered (empty: none, or several)
  std::string verdict;                  // reproduced | refuted | not-in-model | incomplete
  std::string reason;                   // why, in words
  std::vector<std::string> nearest;     // not-in-model: the nearest modelled names
  std::vector<std::string> scenarios;   // the scenarios searched
  std::vector<Search> searches;         // every search made (bug=none first)
  std::vector<VersionAnswer> versions;  // every version searched, in version order
  // refuted: the variants (scenario, bug) that reproduce it, with their versions.
  std::vector<std::string> variants;
  double seconds = 0;
  const Search* reproduced_by() const;
};

Reproduction reproduce(const Report& report, const ReproduceOptions& options);

// The answer for a person: what was understood, the verdict, the report's view next to the
// model's interleaving, then the model's full trace.
std::string format_reproduction(const Reproduction& r);
mc::json::Value reproduction_json(const Reproduction& r);
// The scenario that reproduced it, as a litmus file set to that version and variant.
std::string reproduction_litmus(const Reproduction& r);

}  // namespace traces
