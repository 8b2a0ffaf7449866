// The counterexample readers of `migcheck replay`: a trace file (JSON) and a replay token.
//
// Contract: each reads a trace or fails with an error that names the input, never an exception
// or a crash; a trace read from a token writes back to a token that reads the same.
#include <string>

#include "tests/fuzz/fuzz.h"
#include "traces/trace_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(fuzz::text_of(data, size));
  traces::TraceFile trace;
  std::string error;
  if (!traces::parse_trace(text, "fuzz.json", &trace, &error))
    fuzz::require(error.rfind("fuzz.json", 0) == 0, "trace error names the file: " + error);
  if (traces::is_replay_token(text)) {
    traces::TraceFile from_token;
    error.clear();
    if (!traces::parse_replay_token(text, &from_token, &error))
      fuzz::require(error.rfind("token", 0) == 0, "token error says so: " + error);
  }
  return 0;
}
