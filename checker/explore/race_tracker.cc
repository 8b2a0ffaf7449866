#include "checker/explore/race_tracker.h"

namespace mc {

void RaceTracker::unseen_writes(const std::vector<Event>& events, const VectorClock& clock,
                                const DporFrontier& f, std::vector<uint32_t>& out) {
  out.clear();
  for (int32_t w = f.last_write; w >= 0; w = events[w].prev_write) {
    const Event& we = events[w];
    if (knows(clock, we.tid, we.seq)) break;
    out.push_back(static_cast<uint32_t>(w));
  }
}

}  // namespace mc
