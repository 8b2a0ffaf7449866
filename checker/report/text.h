// Human output: the summary of a run, the step-by-step trace of a counterexample, and the
// same counterexample as a diagram with one column per thread, time downward.
#pragma once

#include <string>
#include <string_view>

#include "checker/explore/explorer.h"

namespace mc {

std::string format_summary(const RunResult& r);
std::string format_trace(const Counterexample& c);
std::string format_diagram(const Counterexample& c, int max_column_width = 72);
// The run's counterexamples, each as its trace and diagram: under --all-findings every
// distinct finding, headed "== finding i of n: <kind> at <place>"; otherwise the first one.
std::string format_counterexamples(const RunResult& r);
std::string memory_order_name(std::memory_order mo);
// One event as the trace prints it: "store(release) page0._refcount := 1".
std::string format_event(const EventDetail& e);
// Levenshtein distance between two short names, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace mc
