// Depth-first search over every interleaving with no reduction, optionally bounded in
// preemptions (Musuvathi & Qadeer, PLDI'07): switching away from a thread that could go on
// costs one preemption. Unbounded, it is the naive reference the DPOR tests compare with.
#include "checker/explore/path.h"
#include "checker/explore/strategies.h"

namespace mc {

namespace {

class BoundedStrategy final : public Strategy {
 public:
  explicit BoundedStrategy(int bound) : bound_(bound) {}
  StrategyInfo info() const override {
    if (bound_ < 0) return {"dfs", "dfs: every interleaving, no reduction", true};
    return {"bounded",
            "bounded dfs: every interleaving with at most " + std::to_string(bound_) +
                " preemption(s) (BOUNDED: not a proof beyond that)",
            false};
  }

  bool begin_execution() override {
    pos_ = 0;
    if (first_) {
      first_ = false;
      return true;
    }
    while (!nodes_.empty()) {
      PathNode& n = nodes_.back();
      if (n.is_value) {
        if (n.chosen + 1 < n.values) {
          ++n.chosen;
          return true;
        }
      } else {
        const ThreadMask alt = allowed(n) & ~n.done;
        if (alt) {
          const int t = lowest_thread(alt);
          n.chosen = static_cast<uint32_t>(t);
          n.done |= thread_bit(t);
          return true;
        }
      }
      nodes_.pop_back();
    }
    return false;
  }

  // The replayed prefix is the previous execution's: the determinism check (determinism.cc)
  // stops a model that departs from it; here a departure only prunes the execution.
  ThreadId pick_thread(ThreadMask enabled, ThreadId current) override {
    if (pos_ < nodes_.size()) {
      const PathNode& n = nodes_[pos_];
      if (n.is_value || !(enabled & thread_bit(n.chosen))) return kNoThread;
      ++pos_;
      return static_cast<ThreadId>(n.chosen);
    }
    PathNode n;
    n.enabled = enabled;
    n.current = current;
    n.preemptions = preemptions_at(pos_);
    const ThreadMask ok = allowed(n);
    const int t = (current >= 0 && current < kMaxThreads && (ok & thread_bit(current)))
                      ? current
                      : lowest_thread(ok);
    n.chosen = static_cast<uint32_t>(t);
    n.done = thread_bit(t);
    nodes_.push_back(n);
    ++pos_;
    return t;
  }

  uint32_t pick_value(uint32_t values) override {
    if (pos_ < nodes_.size()) {
      const PathNode& n = nodes_[pos_];
      if (!n.is_value || n.chosen >= values) return 0;
      ++pos_;
      return n.chosen;
    }
    PathNode n;
    n.is_value = true;
    n.values = values;
    n.preemptions = preemptions_at(pos_);
    nodes_.push_back(n);
    ++pos_;
    return 0;
  }

 private:
  // Preemptions spent by the path before node i.
  uint32_t preemptions_at(uint32_t i) const {
    if (i == 0) return 0;
    const PathNode& p = nodes_[i - 1];
    return p.preemptions + (costs_preemption(p, p.chosen) ? 1 : 0);
  }
  static bool costs_preemption(const PathNode& n, uint32_t t) {
    return !n.is_value && n.current >= 0 && n.current < kMaxThreads &&
           static_cast<uint32_t>(n.current) != t && (n.enabled & thread_bit(n.current));
  }
  ThreadMask allowed(const PathNode& n) const {
    if (bound_ < 0 || n.preemptions < static_cast<uint32_t>(bound_)) return n.enabled;
    if (n.current >= 0 && n.current < kMaxThreads && (n.enabled & thread_bit(n.current)))
      return thread_bit(n.current);
    return n.enabled;
  }

  int bound_;
  std::vector<PathNode> nodes_;
  uint32_t pos_ = 0;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<Strategy> make_bounded_strategy(int bound) {
  return std::make_unique<BoundedStrategy>(bound);
}

}  // namespace mc
