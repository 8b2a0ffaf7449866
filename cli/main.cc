// migcheck: the command line. Parses options, picks tests, runs the explorer, prints.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "checker/explore/explorer.h"
#include "checker/report/result_json.h"
#include "checker/report/text.h"
#include "cli/crash.h"
#include "cli/gate.h"
#include "cli/html.h"
#include "cli/registry.h"
#include "cli/sarif.h"
#include "litmus/bindings/all.h"
#include "litmus/catalog.h"
#include "litmus/parser.h"
#include "litmus/runner.h"
#include "traces/report.h"
#include "traces/reproduce.h"
#include "traces/scenario_builder.h"
#include "traces/trace_file.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitNotAsExpected = 1;
constexpr int kExitUsage = 2;
constexpr int kExitIncomplete = 3;

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  every test as expected, each \"no bug\" answer from an exhaustive search\n"
    "  1  some test not as expected (a finding where none was expected, a finding missing,\n"
    "     an outcome or count that differs, a non-deterministic model)\n"
    "  2  usage or input error (unknown test or option, a litmus file that does not parse)\n"
    "  3  nothing failed, but some search was cut short (--max-executions, --time-limit, a\n"
    "     test's own cap) or is not exhaustive by design (bounded, random, pct) and found\n"
    "     nothing: INCOMPLETE, not a proof; or a litmus run under a bug variant its file's\n"
    "     Expect lines state nothing for (reported, NOT CHECKED)\n"
    "  4  internal error: a bug in migcheck itself (a crash in model code is a finding)\n";

// Numbers on the command line: seconds are finite and above 0 ('0', '-5' and 'nan' are not
// "no limit"); counts are decimal digits that fit (no sign to wrap, no base prefix).
const CLI::Validator kSeconds(
    [](const std::string& s) -> std::string {
      char* end = nullptr;
      const double v = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0' || !std::isfinite(v) || v <= 0)
        return "expected a number of seconds greater than 0, got '" + s + "'";
      return "";
    },
    "SECONDS>0");
const CLI::Validator kCount(
    [](const std::string& s) -> std::string {
      uint64_t v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size())
        return "expected a decimal count from 0 to " +
               std::to_string(std::numeric_limits<uint64_t>::max()) + ", got '" + s + "'";
      return "";
    },
    "COUNT");

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "migcheck: %s\n", msg.c_str());
  return kExitUsage;
}

void print_run(const mc::RunResult& r, bool json) {
  if (json) {
    std::printf("%s\n", mc::json::write(mc::result_json(r)).c_str());
    return;
  }
  std::printf("%s%s\n", mc::format_summary(r).c_str(), mc::format_counterexamples(r).c_str());
}

// The litmus file a trace names: a scenario of the library, or a path to a .litmus file.
// Returns false (with `error`) when it is neither.
bool litmus_source_of(const std::string& name, std::string* text, std::string* filename,
                      std::string* error) {
  if (const litmus::CatalogFile* f = litmus::find_scenario(name)) {
    *text = f->text;
    *filename = f->path;
    return true;
  }
  if (auto b = traces::built_scenario(name)) {
    *text = b->text;
    *filename = b->name;
    return true;
  }
  if (name.ends_with(".litmus")) {
    std::ifstream in(name, std::ios::binary);
    if (!in) {
      *error = "cannot read the litmus file '" + name + "' the trace names";
      return false;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    *text = buf.str();
    *filename = name;
    return true;
  }
  *error = "no registered test or scenario named '" + name + "' (see `migcheck list`)";
  return false;
}

// Replays a trace of a litmus run: the file is bound with the recorded settings.
bool replay_litmus(const traces::TraceFile& tf, uint64_t max_steps, mc::RunResult* out,
                   std::string* error) {
  std::string text, filename;
  if (!litmus_source_of(tf.test, &text, &filename, error)) return false;
  litmus::ParseResult parsed = litmus::parse_litmus(text, filename);
  if (!parsed.ok()) {
    *error = parsed.error_text();
    return false;
  }
  litmus::Compiled c =
      litmus::compile_litmus(std::make_shared<const litmus::Test>(std::move(*parsed.test)),
                             litmus::model_bindings(), tf.params.values());
  if (!c.ok()) {
    *error = c.error_text();
    return false;
  }
  c.test_case.name = tf.test;
  *out = mc::replay(c.test_case,
                    c.program->uses_model ? mc::Params(c.program->settings) : mc::Params(),
                    tf.schedule, max_steps);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cli::install_crash_report(argc, argv);
  mc::Registry registry;
  register_all_tests(registry);

  CLI::App app{
      "migcheck: a model checker for the Linux kernel's non-LRU movable page migration "
      "protocol.\nIt runs models of kernel code under every interleaving that matters "
      "(DPOR), and reports races, use-after-free, lost wake-ups, deadlocks and refcount or "
      "flag misuse with a replayable counterexample.\n\nExamples:\n"
      "  migcheck list\n"
      "  migcheck run 'protocol/*' --set kernel=4.10\n"
      "  migcheck run zsmalloc/map-vs-migrate --set kernel=4.8 --set bug=no-trypin\n"
      "  migcheck run litmus/tests/protocol/putback-vs-free.litmus --all-findings\n"
      "  migcheck run 'classic/*'\n"
      "  migcheck run classic/readers --set n=8\n"
      "  migcheck run classic/dekker-broken --trace-out dekker.json\n"
      "  migcheck replay dekker.json\n"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("migcheck ") + MIGCHECK_VERSION);
  app.footer(kExitCodes);

  auto* list = app.add_subcommand(
      "list", "List the scenarios (litmus/tests, built in) and the engine's validation programs");
  std::string list_pattern = "*";
  list->add_option("pattern", list_pattern, "Glob over names, e.g. 'protocol/*'");

  auto* run = app.add_subcommand("run", "Explore tests and check their expected results");
  run->footer(kExitCodes);
  std::vector<std::string> names;
  mc::ExploreOptions opts;
  std::vector<std::string> sets;
  std::string trace_out;
  bool json = false;
  int depth = 3;
  run->add_option("names", names,
                  "Scenario or test names or globs ('protocol/*', see `migcheck list`), or "
                  "C-litmus files and folders (*.litmus)")
      ->required();
  run->add_option("--strategy", opts.strategy,
                  "dpor (exhaustive, optimal DPOR; the default), dfs (exhaustive, every "
                  "interleaving; alias naive), bounded (preemption-bounded DFS), random, pct")
      ->check(CLI::IsMember({"dpor", "dfs", "naive", "bounded", "random", "pct"}));
  run->add_option("--bound", opts.bound, "Preemption bound K for --strategy bounded")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--depth", depth, "Bug depth d for --strategy pct")->check(CLI::Range(1, 64));
  run->add_option("--seed", opts.seed, "Seed for random and pct")->check(kCount);
  run->add_option("--iterations", opts.iterations, "Executions for random and pct")->check(kCount);
  run->add_option("--max-executions", opts.max_executions,
                  "Stop after N executions (0: no limit); a search stopped so is INCOMPLETE")
      ->check(kCount);
  run->add_option("--max-steps", opts.max_steps,
                  "Steps per execution before it is reported as a possible livelock")
      ->check(kCount & CLI::PositiveNumber);
  run->add_option("--time-limit", opts.time_limit,
                  "Wall-clock budget per test, in seconds; a search stopped so is INCOMPLETE")
      ->check(kSeconds);
  run->add_option("--budget", opts.budget,
                  "Seconds: after a tenth of them the search estimates its size from its "
                  "progress and stops if predicted not to fit (INCOMPLETE, with the estimate)")
      ->check(kSeconds);
  run->add_option("--set", sets, "Model parameter KEY=VALUE (e.g. n=8, kernel=4.8, bug=...)");
  run->add_option("--trace-out", trace_out,
                  "Write the first counterexample as a JSON trace for `migcheck replay`");
  run->add_flag("--json", json, "One JSON object per test instead of text");
  run->add_flag("--all-findings", opts.all_findings,
                "Go on after findings and report every distinct one (kind and place), each with "
                "its own counterexample; expectations are then sets of finding kinds");
  bool no_minimize = false;
  run->add_flag("--no-minimize", no_minimize,
                "Report the first counterexample found, without searching for fewer preemptions");

  auto* expectations = app.add_subcommand(
      "expectations",
      "Print, as a Markdown table, what each scenario's Expect lines declare per bug variant "
      "and kernel version (the tables of docs/scenarios.md)");
  std::string expectations_pattern = "*";
  expectations->add_option("pattern", expectations_pattern, "Glob over scenario names");

  auto* functions =
      app.add_subcommand("litmus-functions",
                         "List the modelled kernel functions, object types and settings that "
                         "litmus files can use (the binding registry)");

  auto* rep = app.add_subcommand("replay", "Re-run a recorded counterexample exactly");
  std::string replay_file;
  bool replay_json = false;
  rep->add_option("file", replay_file,
                  "A trace written by --trace-out, or a replay token (mcreplay1:...)")
      ->required();
  rep->add_flag("--json", replay_json, "JSON instead of text");

  auto* repro = app.add_subcommand(
      "reproduce",
      "Reproduce a kernel report (KCSAN, KASAN, hung task, lockdep, Bad page state, Oops, "
      "list corruption, or a commit's CPU0/CPU1 diagram) on the model, or refute it");
  std::vector<std::string> report_files;
  std::string repro_kernel, repro_trace_out, repro_litmus_out;
  bool repro_all = false, repro_json = false;
  double repro_time_limit = 60;
  std::string repro_scenarios = "both";
  bool repro_entry_points = false;
  repro->add_option("report", report_files, "Report files (a console log may hold one)");
  repro->add_option("--kernel", repro_kernel,
                    "The kernel version to answer for, instead of the report's own");
  repro->add_flag("--all-versions", repro_all, "Answer for every modelled version");
  repro->add_flag("--json", repro_json, "One JSON object per report, one per line");
  repro->add_option("--trace-out", repro_trace_out,
                    "Write the reproducing interleaving as a trace (migcheck replay FILE)");
  repro->add_option("--litmus-out", repro_litmus_out,
                    "Write the reproducing scenario as a litmus file, set to its version");
  repro
      ->add_option("--time-limit", repro_time_limit,
                   "Seconds per scenario search (a search cut short is incomplete)")
      ->check(kSeconds);
  repro
      ->add_option("--scenarios", repro_scenarios,
                   "Which scenarios to search: the library's, those built from the report's "
                   "entry points, or both (the library's first)")
      ->check(CLI::IsMember({"library", "built", "both"}));
  repro->add_flag("--entry-points", repro_entry_points,
                  "List the entry points scenarios are built from, and exit");
  repro->footer(
      "Verdicts: reproduced (with the interleaving), refuted (every scenario that runs the "
      "report's functions searched exhaustively without it), not-in-model (a function or a "
      "symptom the model does not have, with the nearest modelled names), incomplete (a "
      "search was cut short).\nExit codes: 0 every report answered (reproduced, refuted or "
      "not in the model), 2 an unreadable report or a file that cannot be written, 3 some "
      "answer incomplete.");

  auto* ci = app.add_subcommand(
      "ci",
      "The CI gate: every scenario (or the given paths) at every version and bug variant it "
      "lists, with --all-findings, compared with a baseline");
  gate::Options ci_options;
  std::string ci_baseline, ci_junit, ci_sarif, ci_html;
  bool ci_update = false;
  ci->add_option("paths", ci_options.paths,
                 "Scenario names or globs, litmus files, folders (default: the scenario library)");
  ci->add_option("--baseline", ci_baseline,
                 "The baseline file (one JSON object per test and variant) to compare with");
  ci->add_flag("--update-baseline", ci_update,
               "Write the runs into the baseline file instead of comparing (its order is kept)");
  ci->add_option("--junit", ci_junit, "Write a JUnit XML report");
  ci->add_option("--sarif", ci_sarif,
                 "Write a SARIF 2.1.0 log: one result per finding, its interleaving as a code "
                 "flow");
  ci->add_option("--html", ci_html,
                 "Write one self-contained HTML page: every run, and each finding's "
                 "interleaving");
  ci->add_option("--jobs", ci_options.jobs, "Runs in parallel (threads)")->check(CLI::Range(1, 64));
  ci->add_option("--time-limit", ci_options.time_limit,
                 "Seconds per run; a run cut short is INCOMPLETE, never a pass")
      ->check(kSeconds);
  ci->add_option("--budget", ci_options.budget,
                 "Seconds per run: after a tenth of it, each search estimates its size from "
                 "its progress and stops if predicted not to fit; INCOMPLETE with the estimate, "
                 "never a pass")
      ->check(kSeconds);
  ci->footer(
      "Prints one line per change (failed, new finding, finding gone, outcomes changed, count "
      "changed, INCOMPLETE, not in baseline, removed), then 'N passed, M failed'.\nExit "
      "codes: 0 nothing regressed (a changed execution count alone is reported, not a "
      "regression), 1 a regression, 2 bad input or runs with no baseline entry (with the "
      "command that records them).");

  auto* diff = app.add_subcommand(
      "diff", "Which scenarios change verdict or finding kinds between two kernel versions");
  gate::Options diff_options;
  std::vector<std::string> diff_kernels;
  diff->add_option(
      "paths", diff_options.paths,
      "Scenario names or globs, litmus files, folders (default: the scenario library)");
  diff->add_option("--kernel", diff_kernels, "A kernel version; given twice: A and B")
      ->required()
      ->allow_extra_args(false);
  diff->add_option("--jobs", diff_options.jobs, "Runs in parallel (threads)")
      ->check(CLI::Range(1, 64));
  diff->footer(
      "Runs each scenario at both versions (every bug variant it runs) with --all-findings and "
      "prints those whose verdict or finding kinds differ.\nExit codes: 0 compared (whatever "
      "differs), 2 bad input.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (list->parsed()) {
    auto tests = registry.match(list_pattern);
    auto scenarios = litmus::match_catalog(list_pattern);
    if (tests.empty() && scenarios.empty())
      return usage_error("nothing matches '" + list_pattern + "'");
    for (const litmus::CatalogFile* f : scenarios)
      std::printf("%-56s %s\n", f->name, litmus::scenario_summary(*f).c_str());
    if (!scenarios.empty()) {
      std::string settings;
      for (const litmus::ModelSetting& ms : litmus::model_bindings().settings())
        settings += " --set " + ms.key + "=" + ms.fallback;
      std::printf("%-56s  (each takes%s; see `migcheck litmus-functions`)\n", "", settings.c_str());
    }
    for (const auto* t : tests) {
      std::printf("%-56s %s\n", t->name.c_str(), t->description.c_str());
      for (const auto& p : t->params) {
        std::string choices;
        for (const auto& c : p.choices) choices += (choices.empty() ? "" : "|") + c;
        std::printf("%-56s   --set %s=%s%s%s\n", "", p.name.c_str(), p.fallback.c_str(),
                    choices.empty() ? "" : ("  (" + choices + ")").c_str(),
                    p.help.empty() ? "" : ("  " + p.help).c_str());
      }
    }
    return kExitOk;
  }

  if (expectations->parsed()) {
    auto scenarios = litmus::match_catalog(expectations_pattern);
    if (scenarios.empty()) return usage_error("no scenario matches '" + expectations_pattern + "'");
    std::printf("%s", litmus::format_expectations(scenarios).c_str());
    return kExitOk;
  }

  if (functions->parsed()) {
    std::printf("%s", litmus::format_bindings_reference(litmus::model_bindings()).c_str());
    return kExitOk;
  }

  if (diff->parsed()) {
    if (diff_kernels.size() != 2)
      return usage_error("diff: give --kernel twice: --kernel A --kernel B");
    for (const auto& k : diff_kernels)
      if (k.find(',') != std::string::npos || k == "all")
        return usage_error("diff: --kernel " + k + ": expected one kernel version");
    diff_options.overrides["kernel"] = diff_kernels[0] + "," + diff_kernels[1];
    const std::vector<gate::Entry> now = gate::run(diff_options);
    bool input_error = false;
    for (const auto& e : now)
      if (e.verdict == "error") {
        std::printf("error %s: %s\n", e.key().c_str(), e.why.c_str());
        input_error = true;
      }
    if (input_error) return kExitUsage;
    size_t pairs = 0;
    const auto diffs = gate::diff_versions(now, diff_kernels[0], diff_kernels[1], &pairs);
    auto kinds = [](const gate::Entry& e) {
      std::string s;
      for (const auto& f : e.findings) s += (s.empty() ? "" : ", ") + f;
      return (s.empty() ? std::string("none") : s) +
             (e.verdict == "pass" ? "" : " (" + e.verdict + ")");
    };
    for (const auto& d : diffs)
      std::printf("%s%s: %s: %s | %s: %s\n", d.test.c_str(),
                  d.variant.empty() ? "" : (" [" + d.variant + "]").c_str(),
                  diff_kernels[0].c_str(), kinds(*d.a).c_str(), diff_kernels[1].c_str(),
                  kinds(*d.b).c_str());
    std::printf("%zu of %zu runs differ between %s and %s\n", diffs.size(), pairs,
                diff_kernels[0].c_str(), diff_kernels[1].c_str());
    return kExitOk;
  }
  if (ci->parsed()) {
    if (ci_update && ci_baseline.empty())
      return usage_error("ci: --update-baseline needs --baseline FILE");
    std::vector<gate::Entry> baseline;
    if (!ci_baseline.empty() && !(ci_update && !std::filesystem::exists(ci_baseline))) {
      std::ifstream in(ci_baseline, std::ios::binary);
      if (!in) return usage_error(ci_baseline + ": cannot read the baseline");
      std::ostringstream buf;
      buf << in.rdbuf();
      std::string err;
      if (!gate::read_baseline(buf.str(), ci_baseline, &baseline, &err)) return usage_error(err);
    }
    const std::vector<gate::Entry> now = gate::run(ci_options);
    if (ci_update) {
      // A run that did not run (a bad path, a file that does not parse) is reported, never
      // recorded.
      std::vector<gate::Entry> ran;
      for (const auto& e : now)
        if (e.verdict != "error") ran.push_back(e);
      const std::vector<gate::Entry> merged = gate::merge_baseline(baseline, ran);
      std::ofstream out(ci_baseline, std::ios::binary | std::ios::trunc);
      out << gate::write_baseline(merged);
      if (!out) return usage_error(ci_baseline + ": cannot write the baseline");
      int errors = 0;
      for (const auto& e : now)
        if (e.verdict == "error") {
          std::printf("error %s: %s\n", e.key().c_str(), e.why.c_str());
          ++errors;
        }
      std::printf("baseline written: %s (%zu runs)\n", ci_baseline.c_str(), merged.size());
      return errors ? kExitUsage : kExitOk;
    }
    std::vector<gate::Change> changes = gate::compare(baseline, now);
    if (ci_baseline.empty())  // no baseline: each test against its own expectations only
      changes.erase(std::remove_if(changes.begin(), changes.end(),
                                   [](const gate::Change& c) { return c.missing; }),
                    changes.end());
    std::set<std::string> failed_keys;
    int missing = 0, counts = 0;
    bool input_error = false;
    for (const auto& c : changes) {
      std::printf("%s %s: %s%s%s\n",
                  c.regression ? "FAIL"
                  : c.missing  ? "NEW "
                               : "NOTE",
                  c.key.c_str(), c.what.c_str(), c.detail.empty() ? "" : ": ", c.detail.c_str());
      if (c.regression) failed_keys.insert(c.key);
      missing += c.missing;
      counts += c.what == "count changed";
      input_error = input_error || c.what == "error";
    }
    // A run fails with its first regression; a removed variant counts as a failed run.
    const int failed = static_cast<int>(failed_keys.size());
    int passed = 0;
    for (const auto& e : now) passed += !failed_keys.count(e.key());
    const std::string version = MIGCHECK_VERSION;
    const std::pair<const std::string*, std::function<std::string()>> reports[] = {
        {&ci_junit, [&] { return gate::junit_xml(now, changes); }},
        {&ci_sarif, [&] { return gate::sarif_log(now, changes, version); }},
        {&ci_html, [&] { return gate::html_report(now, changes, version); }},
    };
    for (const auto& [file, text] : reports) {
      if (file->empty()) continue;
      std::ofstream out(*file, std::ios::binary | std::ios::trunc);
      out << text();
      if (!out) return usage_error(*file + ": cannot write the report");
    }
    if (counts) std::printf("%d execution counts changed (the state space moved)\n", counts);
    std::printf("%d passed, %d failed\n", passed, failed);
    if (input_error) return kExitUsage;
    if (failed) return kExitNotAsExpected;
    if (missing) {
      std::string cmd = "migcheck ci";
      for (const auto& p : ci_options.paths) cmd += " '" + p + "'";
      std::fprintf(stderr,
                   "migcheck ci: %d runs have no baseline entry in %s; record them with: %s "
                   "--baseline %s --update-baseline\n",
                   missing, ci_baseline.c_str(), cmd.c_str(), ci_baseline.c_str());
      return kExitUsage;
    }
    return kExitOk;
  }
  if (repro->parsed() && repro_entry_points) {
    std::printf("%s", traces::format_entry_points().c_str());
    return kExitOk;
  }
  if (repro->parsed()) {
    if (report_files.empty())
      return usage_error("reproduce: a report file is required (or --entry-points)");
    traces::ReproduceOptions ro;
    ro.scenarios = repro_scenarios;
    ro.kernel = repro_kernel;
    ro.all_versions = repro_all;
    ro.time_limit = repro_time_limit;
    if (!repro_kernel.empty() && (repro_kernel.size() > 64 ||
                                  !std::regex_match(traces::kernel_version_for_model(repro_kernel),
                                                    std::regex(R"(\d+\.\d+(\.\d+)?(-rc\d+)?)"))))
      return usage_error("--kernel " + repro_kernel +
                         ": expected a kernel version such as 5.17, 5.15.80 or 5.17.0-rc5");
    int code = kExitOk;
    for (const std::string& path : report_files) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        code = std::max(code, usage_error(path + ": cannot read the report"));
        continue;
      }
      std::ostringstream buf;
      buf << in.rdbuf();
      std::string err;
      std::optional<traces::Report> report = traces::read_report(buf.str(), path, &err);
      if (!report) {
        if (repro_json)
          std::printf(
              "%s\n",
              mc::json::write(mc::json::Value(mc::json::Object{{"report", mc::json::Value(path)},
                                                               {"error", mc::json::Value(err)}}))
                  .c_str());
        code = std::max(code, usage_error(err));
        continue;
      }
      const traces::Reproduction r = traces::reproduce(*report, ro);
      if (repro_json)
        std::printf("%s\n", mc::json::write(traces::reproduction_json(r)).c_str());
      else
        std::printf("%s\n", traces::format_reproduction(r).c_str());
      std::fflush(stdout);
      if (r.verdict == "incomplete") code = std::max(code, kExitIncomplete);
      const traces::Search* by = r.reproduced_by();
      if (!repro_trace_out.empty()) {
        if (!by) {
          std::error_code ec;
          std::filesystem::remove(repro_trace_out, ec);  // no stale trace that would "replay"
          std::fprintf(stderr, "migcheck: %s: nothing reproduced, no trace written\n",
                       path.c_str());
        } else {
          const std::string werr = traces::write_trace_file(repro_trace_out, *by->run);
          if (!werr.empty()) code = std::max(code, usage_error(werr));
        }
      }
      if (!repro_litmus_out.empty() && by) {
        std::ofstream out(repro_litmus_out, std::ios::binary);
        out << traces::reproduction_litmus(r);
        if (!out) code = std::max(code, usage_error("cannot write " + repro_litmus_out));
      }
    }
    return code;
  }

  if (rep->parsed()) {
    traces::TraceFile tf;
    std::string err;
    if (traces::is_replay_token(replay_file)) {
      if (!traces::parse_replay_token(replay_file, &tf, &err)) return usage_error(err);
    } else if (!traces::read_trace_file(replay_file, &tf, &err)) {
      return usage_error(err);
    }
    mc::RunResult r;
    if (const mc::TestCase* t = registry.find(tf.test)) {
      mc::Params params;
      std::string perr = mc::resolve_params(*t, tf.params.values(), &params);
      if (!perr.empty()) return usage_error(replay_file + ": " + perr);
      r = mc::replay(*t, params, tf.schedule, opts.max_steps);
    } else {
      std::string err;
      if (!replay_litmus(tf, opts.max_steps, &r, &err))
        return usage_error(replay_file + ": " + err);
    }
    const std::string got = r.counterexample ? r.counterexample->finding.kind_string() : "";
    r.pass = r.error.empty() && got == tf.finding_kind;
    if (!r.error.empty()) r.mismatches.push_back(r.error);
    if (got != tf.finding_kind)
      r.mismatches.push_back(
          "the trace recorded " +
          (tf.finding_kind.empty() ? std::string("no finding") : tf.finding_kind) +
          ", the replay gave " + (got.empty() ? "no finding" : got));
    print_run(r, replay_json);
    if (!replay_json)
      std::printf("%s\n", r.pass ? "replay: reproduced the recorded result"
                                 : "replay: did NOT reproduce the recorded result");
    return r.pass ? kExitOk : kExitNotAsExpected;
  }

  // run
  opts.minimize = !no_minimize;
  if (opts.strategy == "pct") opts.bound = depth;
  std::map<std::string, std::string> given;
  for (const auto& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage_error("--set takes KEY=VALUE, got '" + s + "'");
    given[s.substr(0, eq)] = s.substr(eq + 1);
  }
  // Litmus files and folders go to the litmus runner; names go to the registry.
  std::vector<std::string> litmus_paths;
  std::vector<std::string> test_names;
  for (const auto& n : names) {
    if (n.ends_with(".litmus") || std::filesystem::is_directory(n))
      litmus_paths.push_back(n);
    else
      test_names.push_back(n);
  }
  std::vector<const mc::TestCase*> selected;
  std::vector<const litmus::CatalogFile*> scenarios;
  std::set<std::string> chosen;
  // Scenarios built by `migcheck reproduce` run by name too ("built/zsmalloc/zs_free-vs-...").
  std::deque<traces::BuiltScenario> built;
  std::deque<litmus::CatalogFile> built_files;
  for (const auto& n : test_names) {
    auto m = registry.match(n);
    auto c = litmus::match_catalog(n);
    if (auto b = traces::built_scenario(n)) {
      built.push_back(std::move(*b));
      built_files.push_back(
          {built.back().name.c_str(), built.back().name.c_str(), built.back().text.c_str()});
      c.push_back(&built_files.back());
    }
    if (m.empty() && c.empty())
      return usage_error("no scenario or test matches '" + n + "' (see `migcheck list`)");
    for (const auto* f : c)
      if (chosen.insert(f->name).second) scenarios.push_back(f);
    for (const auto* t : m)
      if (chosen.insert(t->name).second) selected.push_back(t);
  }
  const bool litmus_runs = !litmus_paths.empty() || !scenarios.empty();
  // A key must be a parameter of at least one selected test (or a litmus setting when litmus
  // files run); it applies to those that take it.
  litmus::Overrides litmus_overrides;
  for (const auto& [k, v] : given) {
    if (litmus_runs && litmus::model_bindings().setting(k)) litmus_overrides[k] = v;
  }
  for (const auto& [k, v] : given) {
    bool used = litmus_overrides.count(k) != 0;
    for (const auto* t : selected)
      for (const auto& p : t->params) used |= p.name == k;
    if (!used) return usage_error("--set " + k + "=" + v + ": no selected test takes '" + k + "'");
  }
  std::vector<std::pair<const mc::TestCase*, mc::Params>> jobs;
  for (const auto* t : selected) {
    std::map<std::string, std::string> mine;
    for (const auto& [k, v] : given)
      for (const auto& p : t->params)
        if (p.name == k) mine[k] = v;
    mc::Params params;
    std::string err = mc::resolve_params(*t, mine, &params);
    if (!err.empty()) return usage_error(err);
    jobs.emplace_back(t, params);
  }

  int passed = 0, failed = 0, incomplete = 0, unchecked = 0;
  bool input_error = false;
  bool trace_written = false;
  // A trace file left from an earlier run would replay as if this one had written it.
  if (!trace_out.empty()) {
    std::error_code ec;
    std::filesystem::remove(trace_out, ec);
    if (ec) return usage_error(trace_out + ": cannot replace it (" + ec.message() + ")");
  }
  auto write_trace = [&](mc::RunResult r, const std::string& name) -> std::string {
    if (trace_out.empty() || !r.counterexample || trace_written) return "";
    r.test = name;
    std::string err = traces::write_trace_file(trace_out, r);
    if (!err.empty()) return err;
    trace_written = true;
    if (!json)
      std::printf("trace written to %s (migcheck replay %s)\n\n", trace_out.c_str(),
                  trace_out.c_str());
    return "";
  };
  if (litmus_runs) {
    // Scenarios of the library by name, then files and folders; each printed (and flushed)
    // as soon as it has run, so a later failure loses nothing already checked.
    std::vector<litmus::LitmusRun> all;
    std::string trace_error;
    auto report = [&](const std::string& name, litmus::LitmusRun lr) {
      if (json)
        std::printf("%s\n", mc::json::write(litmus::litmus_json(lr)).c_str());
      else if (!lr.errors.empty())  // input errors are the user's to read: on stderr
        std::fprintf(stderr, "%s\n", litmus::format_herd(lr).c_str());
      else
        std::printf("%s\n", litmus::format_herd(lr).c_str());
      std::fflush(stdout);
      if (lr.result && trace_error.empty()) trace_error = write_trace(*lr.result, name);
      const int c = litmus::litmus_exit_code({lr});
      (c == kExitOk                                    ? passed
       : c == kExitIncomplete && lr.verdict->unchecked ? unchecked
       : c == kExitIncomplete                          ? incomplete
                                                       : failed)++;
      all.push_back(std::move(lr));
    };
    for (const litmus::CatalogFile* f : scenarios)
      for (auto& lr : litmus::run_litmus_text(f->text, f->path, opts, litmus_overrides))
        report(f->name, std::move(lr));
    for (const std::string& path : litmus_paths) {
      std::vector<std::string> errors;
      for (const std::string& file : litmus::litmus_files({path}, &errors))
        for (auto& lr : litmus::run_litmus_file(file, opts, litmus_overrides))
          report(lr.file, std::move(lr));
      for (const std::string& e : errors) {
        litmus::LitmusRun bad;
        bad.file = path;
        bad.errors.push_back(e);
        report(path, std::move(bad));
      }
    }
    if (!trace_error.empty()) return usage_error(trace_error);
    input_error = litmus::litmus_exit_code(all) == kExitUsage;
    // One folder: paths in the table relative to it.
    const std::string base = litmus_paths.size() == 1 && scenarios.empty() &&
                                     std::filesystem::is_directory(litmus_paths.front())
                                 ? litmus_paths.front()
                                 : "";
    if (!json && all.size() > 1) std::printf("%s\n", litmus::format_table(all, base).c_str());
  }
  for (const auto& [t, params] : jobs) {
    mc::RunResult r;
    try {
      r = mc::explore(*t, params, opts);
    } catch (const std::exception& e) {
      return usage_error(t->name + ": " + e.what());
    }
    print_run(r, json);
    std::fflush(stdout);
    (r.pass ? passed : r.incomplete ? incomplete : failed)++;
    const std::string err = write_trace(r, r.test);
    if (!err.empty()) return usage_error(err);
  }
  if (!trace_out.empty() && !trace_written && !json)
    std::printf("no counterexample: nothing written to %s\n", trace_out.c_str());
  if (!json) {
    std::printf("migcheck: %d passed, %d failed", passed, failed);
    if (incomplete) std::printf(", %d incomplete (cut short: not a proof)", incomplete);
    if (unchecked)
      std::printf(", %d not checked (a bug variant the file's Expect lines state nothing for)",
                  unchecked);
    std::printf("\n");
  }
  if (input_error) return kExitUsage;
  return failed ? kExitNotAsExpected : incomplete || unchecked ? kExitIncomplete : kExitOk;
}
