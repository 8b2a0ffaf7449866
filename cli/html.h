// The CI gate's runs as one self-contained HTML page (no script, style or font from the
// network): a table of every test and version with its verdict, findings, complete executions
// and what changed against the baseline; and for each finding its interleaving drawn as a
// kernel commit message draws a race, one column per thread, time downward, the racing
// accesses highlighted and each step's source line shown on hover.
#pragma once

#include <string>
#include <vector>

#include "cli/gate.h"

namespace gate {

std::string html_report(const std::vector<Entry>& entries, const std::vector<Change>& changes,
                        const std::string& tool_version);

}  // namespace gate
