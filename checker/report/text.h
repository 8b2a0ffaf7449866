// Human output: the summary of a run, the step-by-step trace of a counterexample, and the
// same counterexample as a diagram with one column per thread, time downward.
#pragma once

#include <string>

#include "checker/explore/explorer.h"

namespace mc {

std::string format_summary(const RunResult& r);
std::string format_trace(const Counterexample& c);
std::string format_diagram(const Counterexample& c, int max_column_width = 72);
std::string memory_order_name(std::memory_order mo);

}  // namespace mc
