// The determinism check, around any strategy: an execution that has made the same decisions
// as the previous one so far must have been asked the same question next (the same threads enabled,
// or a choice among as many values). A model that reads state outside the checker's control
// (a global left over from an earlier execution, the clock, an address) fails it, and every
// answer a strategy gave after that point would be about another program. The strategies
// that replay a path from the root (dpor, dfs, bounded) replay a prefix of the previous
// execution every time, so each of their replayed decisions is checked; random and pct are
// checked where two consecutive runs share a prefix.
#include <algorithm>

#include "checker/explore/path.h"
#include "checker/explore/strategies.h"

namespace mc {

namespace {

// It leaves every decision to the strategy it wraps (decider()); the execution records each
// decision with the question it answered, and the decisions of an execution are compared with
// the previous one's when it ends. A departure is reported after the execution in which it
// happened, whose results the run then discards with the error.
class DeterminismCheck final : public Strategy {
 public:
  explicit DeterminismCheck(std::unique_ptr<Strategy> inner) : inner_(std::move(inner)) {}

  StrategyInfo info() const override { return inner_->info(); }
  TraceObserver* observer() override { return inner_->observer(); }
  double progress() const override { return inner_->progress(); }
  std::string error() const override { return error_.empty() ? inner_->error() : error_; }

  bool begin_execution() override { return error_.empty() && inner_->begin_execution(); }
  Strategy& decider() override { return inner_->decider(); }
  // Called only by someone who asks this strategy directly instead of its decider().
  ThreadId pick_thread(ThreadMask enabled, ThreadId current) override {
    return inner_->pick_thread(enabled, current);
  }
  uint32_t pick_value(uint32_t n) override { return inner_->pick_value(n); }

  void end_execution(ExecutionEnd how, std::span<const Decision> decisions) override {
    inner_->end_execution(how, decisions);
    if (error_.empty()) compare(decisions);
    previous_.assign(decisions.begin(), decisions.end());
  }

 private:
  // The first question that differs while every earlier answer agreed is a departure.
  void compare(std::span<const Decision> decisions) {
    const size_t n = std::min(decisions.size(), previous_.size());
    for (size_t i = 0; i < n; ++i) {
      const Decision& now = decisions[i];
      const Decision& before = previous_[i];
      if (now.kind != before.kind || now.asked != before.asked) {
        departed(i, now, before);
        return;
      }
      if (now.value != before.value) return;
    }
  }

  [[gnu::cold, gnu::noinline]] void departed(size_t i, const Decision& now,
                                             const Decision& before) {
    error_ = "the model is not deterministic: after the same " + std::to_string(i) +
             " decision(s) as the execution before, it " + describe(now) +
             " where that execution " + describe(before) +
             " (does the model keep state from one execution to the next, or read something "
             "the checker does not control?)";
  }

  static std::string describe(const Decision& d) {
    if (d.kind == Decision::kValue) return "chose among " + std::to_string(d.asked) + " values";
    return "enabled " + thread_set(d.asked);
  }

  std::unique_ptr<Strategy> inner_;
  std::vector<Decision> previous_;  // the previous execution's decisions
  std::string error_;
};

}  // namespace

std::unique_ptr<Strategy> check_determinism(std::unique_ptr<Strategy> inner) {
  return std::make_unique<DeterminismCheck>(std::move(inner));
}

}  // namespace mc
