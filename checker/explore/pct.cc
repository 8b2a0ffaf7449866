// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS'10): random thread priorities and
// depth-1 random priority change points; a bug of depth d is found with probability at least
// 1/(n k^(d-1)) per run for n threads and k steps.
#include <algorithm>
#include <random>

#include "checker/explore/path.h"
#include "checker/explore/strategies.h"

namespace mc {

namespace {

class PctStrategy final : public Strategy {
 public:
  PctStrategy(uint64_t seed, uint64_t iterations, int depth)
      : seed_(seed), iterations_(iterations), depth_(depth < 1 ? 1 : depth), rng_(seed) {}
  StrategyInfo info() const override {
    return {"pct",
            "pct: " + std::to_string(iterations_) + " runs with depth " + std::to_string(depth_) +
                " (seed " + std::to_string(seed_) + "), not exhaustive",
            false};
  }
  bool begin_execution() override {
    if (done_++ >= iterations_) return false;
    for (auto& p : priority_) p = 0;
    step_ = 0;
    change_points_.clear();
    for (int i = 1; i < depth_; ++i)
      change_points_.push_back(1 + rng_() % std::max<uint64_t>(1, max_steps_));
    return true;
  }
  ThreadId pick_thread(ThreadMask enabled, ThreadId current) override {
    ++step_;
    max_steps_ = std::max<uint64_t>(max_steps_, step_);
    for (int t = 0; t < kMaxThreads; ++t)  // threads get a random high priority when first seen
      if ((enabled & thread_bit(t)) && priority_[t] == 0)
        priority_[t] = static_cast<uint64_t>(depth_) + 1 + (rng_() >> 8);
    for (size_t i = 0; i < change_points_.size(); ++i) {
      if (change_points_[i] == step_ && current >= 0 && current < kMaxThreads)
        priority_[current] = i + 1;  // below every initial priority
    }
    ThreadId best = kNoThread;
    for (int t = 0; t < kMaxThreads; ++t)
      if ((enabled & thread_bit(t)) && (best == kNoThread || priority_[t] > priority_[best]))
        best = t;
    return best;
  }
  uint32_t pick_value(uint32_t n) override { return static_cast<uint32_t>(rng_() % n); }

 private:
  uint64_t seed_;
  uint64_t iterations_;
  int depth_;
  std::mt19937_64 rng_;
  uint64_t done_ = 0;
  uint64_t step_ = 0;
  uint64_t max_steps_ = 64;
  uint64_t priority_[kMaxThreads] = {};
  std::vector<uint64_t> change_points_;
};

}  // namespace

std::unique_ptr<Strategy> make_pct_strategy(uint64_t seed, uint64_t iterations, int depth) {
  return std::make_unique<PctStrategy>(seed, iterations, depth);
}

}  // namespace mc
