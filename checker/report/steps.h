// The steps of a counterexample a reader follows, for the reports that draw an interleaving
// (the SARIF code flow, the HTML page): from the threads' start, the events another thread can
// tell apart, the finding's other side, and the finding itself in its place.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"

namespace mc {

// Whether an event changes what another thread can see (a write, a lock, a free...), as
// opposed to a read, a fence, a spawn, a join, a thread's end or a choice.
bool changes_state(const EventDetail& e);

// The index of the first event after the set-up: the one after the first thread is spawned
// (0 when no thread is).
size_t first_thread_event(const Counterexample& c);

// A label path ("compact_zone > isolate_migratepages_block"): how many functions deep it is
// (0 when empty), and the innermost one.
int label_depth(const std::string& labels);
std::string innermost_label(const std::string& labels);

// A thread as the counterexample names it: "P0" (named by its model) or "T1".
std::string thread_name(const Counterexample& c, int tid);

struct Step {
  int tid = -1;
  const EventDetail* event = nullptr;  // null: the finding itself
  bool essential = false;              // the finding, or its other side (a race's other access)
};

// From first_thread_event: scheduling points and writes (not spawns, joins and thread ends),
// the finding's other side, and the finding where it happened (where its event count says, or
// last when the execution kept no count).
std::vector<Step> drawn_steps(const Counterexample& c);

}  // namespace mc
