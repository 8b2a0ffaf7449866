// Source-DPOR with sleep sets (Abdulla, Aronis, Jonsson, Sagonas: "Source Sets", JACM'17,
// Algorithm 1), stateless: the path is replayed from the root for every execution.
#include "checker/explore/dfs.h"

#include "checker/explore/path.h"
#include "checker/runtime/object.h"

namespace mc {

namespace {

// Two operations commute unless they touch the same object and one of them writes it.
bool independent(const PendingOp& op, const Event& e) {
  if (!op.obj || e.obj == 0 || op.obj->id != e.obj) return true;
  return op.access_now() != Access::kWrite && e.access != Access::kWrite;
}

class DfsStrategy final : public Strategy {
 public:
  std::string name() const override { return "dfs"; }
  std::string describe() const override { return "dfs: exhaustive, source-DPOR with sleep sets"; }
  bool exhaustive() const override { return true; }
  std::string error() const override { return error_; }

  bool begin_execution() override {
    pos_ = 0;
    carry_sleep_ = 0;
    if (first_) {
      first_ = false;
      branch_ = 0;
      return true;
    }
    if (!error_.empty()) return false;
    while (!nodes_.empty()) {
      PathNode& n = nodes_.back();
      if (n.is_value) {
        if (n.chosen + 1 < n.values) {
          ++n.chosen;
          branch_ = static_cast<uint32_t>(nodes_.size() - 1);
          return true;
        }
      } else {
        ThreadMask alt = n.backtrack & ~n.done & n.enabled;
        if (alt) {
          const int t =
              (n.current >= 0 && (alt & thread_bit(n.current))) ? n.current : lowest_thread(alt);
          n.chosen = static_cast<uint32_t>(t);
          n.done |= thread_bit(t);
          branch_ = static_cast<uint32_t>(nodes_.size() - 1);
          return true;
        }
      }
      nodes_.pop_back();
    }
    return false;
  }

  ThreadId pick_thread(const Execution&, ThreadMask enabled, ThreadId current) override {
    if (pos_ < nodes_.size()) {
      const PathNode& n = nodes_[pos_];
      if (n.is_value || n.enabled != enabled || !(enabled & thread_bit(n.chosen))) {
        diverged(enabled, n.enabled);
        return kNoThread;
      }
      ++pos_;
      return static_cast<ThreadId>(n.chosen);
    }
    PathNode n;
    n.enabled = enabled;
    n.sleep = carry_sleep_;
    n.current = current;
    const ThreadMask avail = enabled & ~n.sleep;
    if (!avail) return kNoThread;  // sleep-set blocked: an equivalent run was explored
    const int t = (current >= 0 && current < kMaxThreads && (avail & thread_bit(current)))
                      ? current
                      : lowest_thread(avail);
    n.chosen = static_cast<uint32_t>(t);
    n.backtrack = n.done = thread_bit(t);
    nodes_.push_back(n);
    ++pos_;
    return t;
  }

  uint32_t pick_value(const Execution&, uint32_t values) override {
    if (pos_ < nodes_.size()) {
      const PathNode& n = nodes_[pos_];
      if (!n.is_value || n.values != values) {
        error_ = "the model is not deterministic: decision " + std::to_string(pos_) +
                 " was a choice of " + std::to_string(values) + " values in this run only";
        return 0;
      }
      if (pos_ == branch_) carry_sleep_ = n.sleep;
      ++pos_;
      return n.chosen;
    }
    PathNode n;
    n.is_value = true;
    n.values = values;
    n.sleep = carry_sleep_;
    nodes_.push_back(n);
    ++pos_;
    return 0;
  }

  void on_event(const Execution& ex, uint32_t idx) override {
    const Event& e = ex.events()[idx];
    if (e.node < branch_ || e.node >= nodes_.size()) return;  // replayed: already analysed
    const PathNode& n = nodes_[e.node];
    // Sleep set for the next decision: threads explored (or asleep) here whose next step
    // commutes with the one just taken.
    ThreadMask carry = 0;
    const ThreadMask sleepers = (n.sleep | n.done) & ~thread_bit(e.tid);
    for (ThreadMask s = sleepers; s; s &= s - 1) {
      const int q = lowest_thread(s);
      if (independent(ex.pending(q), e)) carry |= thread_bit(q);
    }
    carry_sleep_ = carry;
    for (uint32_t c : ex.race_candidates()) {
      const Event& e2 = ex.events()[idx];
      reverse_race(ex, c, idx, e2.tid, e2.clock);
    }
  }

  void on_stuck(const Execution& ex, ThreadId t, const std::vector<uint32_t>& cands) override {
    const uint32_t end = static_cast<uint32_t>(ex.events().size());
    for (uint32_t c : cands) reverse_race(ex, c, end, t, ex.thread(t).dpor);
  }

 private:
  [[gnu::cold, gnu::noinline]] void diverged(ThreadMask enabled, ThreadMask before) {
    error_ = "the model is not deterministic: at decision " + std::to_string(pos_) +
             " it enabled " + thread_set(enabled) + " where an earlier run enabled " +
             thread_set(before);
  }

  // The race (c, idx): make sure some thread that can start the reversed order is explored at
  // the decision that scheduled c.
  // `idx` is the racing event's position; the event itself is (tid, clock), which for a stuck
  // thread's pending operation is not in the trace.
  // Out of line: most events race with nothing, and on_event stays a small function.
  [[gnu::noinline]] void reverse_race(const Execution& ex, uint32_t c, uint32_t idx, ThreadId tid,
                                      const VectorClock& clock) {
    const auto& ev = ex.events();
    const Event& ce = ev[c];
    if (ce.node >= nodes_.size()) return;
    {
      // Nothing to add when every thread enabled there is already explored or asleep: a
      // thread that was not enabled at that decision can never be scheduled from it.
      const PathNode& at = nodes_[ce.node];
      if ((at.enabled & ~(at.backtrack | at.sleep)) == 0) return;
    }
    ThreadMask seen = 0;
    ThreadMask initials = 0;
    uint32_t first_seq[kMaxThreads] = {};
    auto consider = [&](const Event& k) {
      if (seen & thread_bit(k.tid)) return;
      bool has_pred = false;
      for (ThreadMask m = seen; m && !has_pred; m &= m - 1) {
        const int t = lowest_thread(m);
        has_pred = k.clock.at[t] >= first_seq[t];
      }
      seen |= thread_bit(k.tid);
      first_seq[k.tid] = k.seq;
      if (!has_pred) initials |= thread_bit(k.tid);
    };
    for (uint32_t k = c + 1; k < idx; ++k) {
      const Event& ke = ev[k];
      if (knows(ke.clock, ce.tid, ce.seq)) continue;  // happens after c: not in v
      consider(ke);
    }
    Event last{};
    last.tid = tid;
    last.clock = clock;
    last.seq = clock.at[tid] + 1;
    consider(last);
    PathNode& target = nodes_[ce.node];
    if (initials & (target.backtrack | target.sleep)) return;
    const int t = (initials & thread_bit(tid)) ? tid : lowest_thread(initials);
    target.backtrack |= thread_bit(t);
  }

  std::vector<PathNode> nodes_;
  uint32_t pos_ = 0;
  uint32_t branch_ = 0;
  ThreadMask carry_sleep_ = 0;
  bool first_ = true;
  std::string error_;
};

}  // namespace

std::unique_ptr<Strategy> make_dfs_strategy() { return std::make_unique<DfsStrategy>(); }

}  // namespace mc
