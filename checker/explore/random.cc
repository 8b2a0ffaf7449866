// Uniformly random scheduling, seeded: for models too large to exhaust.
#include <random>

#include "checker/explore/path.h"
#include "checker/explore/strategies.h"

namespace mc {

namespace {

class RandomStrategy final : public Strategy {
 public:
  RandomStrategy(uint64_t seed, uint64_t iterations)
      : seed_(seed), iterations_(iterations), rng_(seed) {}
  StrategyInfo info() const override {
    return {"random",
            "random: " + std::to_string(iterations_) + " seeded random schedules (seed " +
                std::to_string(seed_) + "), not exhaustive",
            false};
  }
  bool begin_execution() override { return done_++ < iterations_; }
  ThreadId pick_thread(ThreadMask enabled, ThreadId) override {
    int n = std::popcount(enabled);
    int k = static_cast<int>(rng_() % static_cast<uint64_t>(n));
    for (int t = 0; t < kMaxThreads; ++t)
      if ((enabled & thread_bit(t)) && k-- == 0) return t;
    return kNoThread;
  }
  uint32_t pick_value(uint32_t n) override { return static_cast<uint32_t>(rng_() % n); }

 private:
  uint64_t seed_;
  uint64_t iterations_;
  uint64_t done_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<Strategy> make_random_strategy(uint64_t seed, uint64_t iterations) {
  return std::make_unique<RandomStrategy>(seed, iterations);
}

}  // namespace mc
