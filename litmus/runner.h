// Runs C litmus files through the engine under sequential consistency and reports them in the
// style of herd7, as text and as JSON.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/explore/explorer.h"
#include "checker/report/json.h"
#include "litmus/ast.h"
#include "litmus/interpreter.h"
#include "litmus/verdict.h"

namespace litmus {

// Settings given on the command line (`--set kernel=4.10`); they replace the file's.
using Overrides = std::map<std::string, std::string>;

struct LitmusRun {
  std::string file;
  // For a file that runs once per value of a list setting (kernel=4.8,4.10 or all):
  // "kernel=4.10". Empty otherwise.
  std::string variant;
  // Parse and binding errors, each "file:line:column: message". Non-empty: nothing ran.
  std::vector<std::string> errors;
  std::shared_ptr<const Test> test;        // null when parsing failed
  std::shared_ptr<const Program> program;  // null when binding failed
  std::optional<mc::RunResult> result;
  std::optional<LitmusVerdict> verdict;
  // Ran to a conclusion that does not contradict the file (see LitmusVerdict::failed).
  bool ok() const {
    return errors.empty() && verdict && !verdict->failed && !verdict->incomplete &&
           !verdict->unchecked;
  }
};

// Expands files and directories (recursively, *.litmus) into a sorted list of files. A path
// that does not exist is kept, so that running it reports the error. A folder with no litmus
// file, or one whose walk failed (an unreadable subfolder), is an error in `errors`
// ("PATH: ..."), never an empty success.
std::vector<std::string> litmus_files(const std::vector<std::string>& files_or_dirs,
                                      std::vector<std::string>* errors = nullptr);

// The kernel versions a litmus file runs when the command line does not say (its `kernel=`
// list, else the default); empty if it does not parse or cannot be read.
std::vector<std::string> file_kernels(std::string_view text, const std::string& filename);
std::vector<std::string> file_kernels_of(const std::string& path);

// Parses, binds and explores one test, once per value of its list setting (kernel=...).
// Never throws: problems end up in `errors`.
std::vector<LitmusRun> run_litmus_text(std::string_view text, const std::string& filename,
                                       const mc::ExploreOptions& options,
                                       const Overrides& overrides = {});
// The first run of run_litmus_text (tests with one variant).
LitmusRun run_litmus_source(std::string_view text, const std::string& filename,
                            const mc::ExploreOptions& options, const Overrides& overrides = {});
std::vector<LitmusRun> run_litmus_file(const std::string& path, const mc::ExploreOptions& options,
                                       const Overrides& overrides = {});
std::vector<LitmusRun> run_litmus_paths(const std::vector<std::string>& files_or_dirs,
                                        const mc::ExploreOptions& options,
                                        const Overrides& overrides = {});

// herd7-style report (or the errors, one per line); a finding comes with its trace and diagram.
std::string format_herd(const LitmusRun& run);
// mc::result_json plus "file", "litmus_test", "observation", "positive", "negative",
// "expected", "agreement", "verdict"; or {"file", "errors"} when it did not run.
mc::json::Value litmus_json(const LitmusRun& run);

// One line per run: file, the file's Result, the SC observation, complete executions, verdict
// (or the first error). Paths are shown relative to `base` when it is a prefix.
std::string format_table(const std::vector<LitmusRun>& runs, const std::string& base = "");

// Exit status for a set of runs: 0 all ok, 1 a mismatch, 2 an input error, 3 no mismatch but
// some run was cut short (incomplete) or not checked (a bug variant its file states nothing for).
int litmus_exit_code(const std::vector<LitmusRun>& runs);

}  // namespace litmus
