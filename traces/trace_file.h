// Counterexample files: what `--trace-out` writes and `migcheck replay` reads back. The file
// names the test, its parameters and the schedule; the events are there for people and tools.
#pragma once

#include <string>
#include <vector>

#include "checker/explore/explorer.h"

namespace traces {

struct TraceFile {
  std::string test;
  mc::Params params;
  std::vector<mc::Decision> schedule;
  std::string finding_kind;  // empty when the run had no finding
  std::string finding_message;
};

// Writes the run (with its counterexample, if any). Returns an error message, empty on success.
std::string write_trace_file(const std::string& path, const mc::RunResult& r);
std::string trace_json_text(const mc::RunResult& r);
// Reads a trace; errors read "FILE:LINE:COLUMN: expected ..." or "FILE: ...".
bool read_trace_file(const std::string& path, TraceFile* out, std::string* error);
bool parse_trace(const std::string& text, const std::string& name, TraceFile* out,
                 std::string* error);

// The same counterexample as one line a person can paste into an email or a bug tracker:
// "mcreplay1:<test>:<k=v,...>:<finding kind>:<schedule>", the schedule as dot-separated
// decisions (a thread number, "vN" for a choose() value, "*N" after one to repeat it).
// Empty when the run has no counterexample.
std::string replay_token(const mc::RunResult& r);
bool is_replay_token(const std::string& s);
// Reads a token back; errors read "token: expected ..." with the column.
bool parse_replay_token(const std::string& token, TraceFile* out, std::string* error);

}  // namespace traces
