// The CI gate's runs as SARIF 2.1.0, the format code-scanning UIs read: one result per distinct
// finding of every run, located at the model's source line that found it, with the
// interleaving as a code flow (one thread flow per thread, each step with its source line, the
// operation, and its place in the global order), so a UI can step through the race.
#pragma once

#include <string>
#include <vector>

#include "cli/gate.h"

namespace gate {

// `changes` (from compare) set each result's baseline state and level: a finding the baseline
// did not have is "new" and an error; one it had is "unchanged" and a note (a historical bug the
// scenario expects at that version). Incomplete and failed-to-run runs become notifications of
// the invocation, never silent. `tool_version` is migcheck's.
std::string sarif_log(const std::vector<Entry>& entries, const std::vector<Change>& changes,
                      const std::string& tool_version);

}  // namespace gate
