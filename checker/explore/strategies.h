// The factories of the strategies, each defined in its own file of this folder.
#pragma once

#include <memory>
#include <vector>

#include "checker/explore/strategy.h"

namespace mc {

// Exhaustive depth-first search with optimal DPOR (sleep sets and wakeup trees): one complete
// execution per Mazurkiewicz trace. A run that ends sleep-set blocked is counted as pruned;
// that happens only where a blocked thread's operation, planned first, was not enabled.
std::unique_ptr<Strategy> make_dpor_strategy();  // dpor.cc
// Plain depth-first search over every interleaving, optionally preemption-bounded
// (bound < 0: unbounded). No reduction: the reference the DPOR tests compare with.
std::unique_ptr<Strategy> make_bounded_strategy(int bound);  // bounded.cc: `dfs` when unbounded
std::unique_ptr<Strategy> make_random_strategy(uint64_t seed, uint64_t iterations);  // random.cc
// Probabilistic concurrency testing (Burckhardt et al., ASPLOS'10) with bug depth `depth`.
std::unique_ptr<Strategy> make_pct_strategy(uint64_t seed, uint64_t iterations,
                                            int depth);                          // pct.cc
std::unique_ptr<Strategy> make_replay_strategy(std::vector<Decision> schedule);  // replay.cc

// Any strategy, checking that the model is deterministic: stops with an error where an
// execution that made the same decisions as the one before it is asked another question.
std::unique_ptr<Strategy> check_determinism(std::unique_ptr<Strategy> inner);  // determinism.cc

}  // namespace mc
