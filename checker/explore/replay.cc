// Re-runs one recorded schedule exactly; says where a model departs from it.
#include "checker/explore/path.h"
#include "checker/explore/strategies.h"

namespace mc {

namespace {

class ReplayStrategy final : public Strategy {
 public:
  explicit ReplayStrategy(std::vector<Decision> s) : schedule_(std::move(s)) {}
  StrategyInfo info() const override {
    return {"replay",
            "replay: one recorded schedule of " + std::to_string(schedule_.size()) + " decisions",
            false};
  }
  std::string error() const override { return error_; }
  bool begin_execution() override {
    if (started_) return false;
    started_ = true;
    return true;
  }
  ThreadId pick_thread(ThreadMask enabled, ThreadId) override {
    if (pos_ >= schedule_.size()) {
      diverge("the schedule ended but the model went on (enabled " + thread_set(enabled) + ")");
      return kNoThread;
    }
    const Decision d = schedule_[pos_];
    if (d.kind != Decision::kThread) {
      diverge("the schedule has a choose() value here but the model is at a scheduling point");
      return kNoThread;
    }
    if (d.value >= kMaxThreads || !(enabled & thread_bit(static_cast<int>(d.value)))) {
      diverge("the schedule runs T" + std::to_string(d.value) + ", which is not enabled " +
              "(enabled " + thread_set(enabled) + ")");
      return kNoThread;
    }
    ++pos_;
    return static_cast<ThreadId>(d.value);
  }
  uint32_t pick_value(uint32_t n) override {
    if (pos_ >= schedule_.size() || schedule_[pos_].kind != Decision::kValue ||
        schedule_[pos_].value >= n) {
      diverge("the model asks for choose(" + std::to_string(n) +
              ") where the schedule has no such value");
      return 0;
    }
    return schedule_[pos_++].value;
  }
  void end_execution(ExecutionEnd how, std::span<const Decision>) override {
    if (error_.empty() && how != ExecutionEnd::kPruned && pos_ < schedule_.size())
      diverge("the model finished before the schedule did (" +
              std::to_string(schedule_.size() - pos_) + " decisions left)");
  }

 private:
  void diverge(const std::string& why) {
    if (error_.empty())
      error_ = "replay diverged from the schedule at decision " + std::to_string(pos_) + ": " +
               why + "; the model is not deterministic, or the schedule is from another version";
  }
  std::vector<Decision> schedule_;
  size_t pos_ = 0;
  bool started_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<Strategy> make_replay_strategy(std::vector<Decision> schedule) {
  return std::make_unique<ReplayStrategy>(std::move(schedule));
}

}  // namespace mc
