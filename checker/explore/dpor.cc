// Optimal DPOR: sleep sets and wakeup trees (Abdulla, Aronis, Jonsson, Sagonas: "Source Sets:
// A Foundation for Optimal Dynamic Partial Order Reduction", JACM'17, Algorithm 2), stateless:
// the path is replayed from the root for every execution. Every complete execution is a new
// Mazurkiewicz trace, and a run ends sleep-set blocked only where blocking operations make an
// inserted sequence infeasible.
#include "checker/explore/path.h"
#include "checker/explore/strategies.h"
#include "checker/explore/trace_observer.h"
#include "checker/explore/wakeup_tree.h"
#include "checker/runtime/execution.h"
#include "checker/runtime/object.h"

namespace mc {

namespace {

// Two operations commute unless they touch the same object and one of them writes it.
// The object is compared first: access_now() may call the operation's prediction.
bool independent(const PendingOp& op, const Event& e) {
  if (!op.obj || op.obj->id != e.obj) return true;
  return !conflicting(op.obj->id, op.access_now(), e.obj, e.access);
}

struct DporNode : PathNode {
  uint32_t first_value = 0;  // value nodes: the value the wakeup sequence asked for, tried first
  // Thread nodes: the wakeup tree of what is still to explore from here (a node of the
  // forest whose children are the branches; -1 while there is none), and whether this
  // decision made that node (else it is the first node of the parent's branch being followed).
  int32_t wut = -1;
  bool owns_wut = false;
  uint64_t id = 0;  // unique per node made: a decision's handled sequences are keyed by it
};

// A race of the current execution, reversed once the trace is complete: event `first` and a
// later event, or the pending operation of a thread that ended blocked.
struct Race {
  uint32_t first;
  uint32_t later;  // kPending: `thread`'s pending operation
  ThreadId thread;
};
constexpr uint32_t kPending = ~uint32_t{0};

// A 64-bit fingerprint of a sequence of words (each mixed in, then a final avalanche).
class Fingerprint {
 public:
  void add(uint64_t x) {
    h_ = (h_ ^ x) * 0x9e3779b97f4a7c15ull;
    h_ ^= h_ >> 32;
  }
  uint64_t value() const {
    uint64_t z = h_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) | 1;  // never 0: 0 marks an empty slot
  }

 private:
  uint64_t h_ = 0;
};

// Sequences v already handled at a decision. A race whose first event is in the common
// prefix is met again in later executions, and often yields the same v at the same decision
// (readers: about half of all insertions). The first handling planned v or found it covered,
// and what a decision covers only grows while it lives, so the repeat would change nothing.
// Direct-mapped fingerprints of (decision id, every step's thread, sequence number and
// values, whether the last is a pending operation): an evicted entry only costs the full
// analysis; two different sequences with the same fingerprint would skip the second, at odds
// of about 2^-64 per lookup (the bet TLC's 64-bit state fingerprints make).
class HandledSequences {
 public:
  bool seen_or_add(uint64_t fp) {
    uint64_t& slot = slots_[fp >> (64 - kBits)];
    if (slot == fp) return true;
    slot = fp;
    return false;
  }

 private:
  static constexpr int kBits = 14;  // 128 KB
  std::vector<uint64_t> slots_ = std::vector<uint64_t>(size_t{1} << kBits, 0);
};

class DporStrategy final : public Strategy, public TraceObserver {
 public:
  StrategyInfo info() const override {
    return {"dpor", "dpor: exhaustive, optimal DPOR (sleep sets and wakeup trees)", true};
  }
  TraceObserver* observer() override { return this; }

  bool begin_execution() override {
    pos_ = 0;
    carry_sleep_ = 0;
    races_.clear();
    if (first_) {
      first_ = false;
      branch_ = 0;
      return true;
    }
    while (!nodes_.empty()) {
      const uint32_t i = static_cast<uint32_t>(nodes_.size() - 1);
      DporNode& n = nodes_.back();
      if (n.is_value) {
        // Every value, the one a wakeup sequence asked for first.
        uint32_t next = n.chosen == n.first_value ? 0 : n.chosen + 1;
        if (next == n.first_value) ++next;
        if (next < n.values) {
          n.chosen = next;
          branch_ = i;
          follow_value_branch(i);
          return true;
        }
      } else {
        // The branches of the thread just explored, whatever their values: its value
        // decisions went through every value.
        if (n.wut >= 0) forest_.pop_thread(n.wut, static_cast<ThreadId>(n.chosen));
        if (take_enabled_leftmost(n)) {
          const ThreadId t = forest_.leftmost(n.wut).tid;
          n.chosen = static_cast<uint32_t>(t);
          n.done |= thread_bit(t);
          branch_ = i;
          follow_ = forest_.leftmost_node(n.wut);
          value_pos_ = 0;
          return true;
        }
        if (n.owns_wut) forest_.release(n.wut);
      }
      pop_node();
    }
    return false;
  }

  // The replayed prefix is the previous execution's: the determinism check (determinism.cc)
  // stops a model that departs from it; here a departure only prunes the execution.
  ThreadId pick_thread(ThreadMask enabled, ThreadId current) override {
    if (pos_ < nodes_.size()) {
      const DporNode& n = nodes_[pos_];
      if (n.is_value || !(enabled & thread_bit(n.chosen))) return kNoThread;
      ++pos_;
      return static_cast<ThreadId>(n.chosen);
    }
    DporNode& n = push_node(false);
    n.enabled = enabled;
    n.sleep = carry_sleep_;
    n.current = current;
    // Continue the wakeup sequence being followed, if any.
    if (follow_ >= 0) n.wut = follow_;
    follow_ = -1;
    value_pos_ = 0;
    int t;
    if (take_enabled_leftmost(n)) {
      t = forest_.leftmost(n.wut).tid;
      follow_ = forest_.leftmost_node(n.wut);
    } else {
      const ThreadMask avail = enabled & ~n.sleep;
      if (!avail) {
        pop_node();
        return kNoThread;  // sleep-set blocked: an equivalent run was explored
      }
      t = (current >= 0 && current < kMaxThreads && (avail & thread_bit(current)))
              ? current
              : lowest_thread(avail);
    }
    n.chosen = static_cast<uint32_t>(t);
    n.done = thread_bit(t);
    ++pos_;
    return t;
  }

  uint32_t pick_value(uint32_t values) override {
    if (pos_ < nodes_.size()) {
      const DporNode& n = nodes_[pos_];
      if (!n.is_value || n.chosen >= values) return 0;
      if (pos_ == branch_) carry_sleep_ = n.sleep;
      ++pos_;
      return n.chosen;
    }
    uint32_t v = 0;
    if (follow_ >= 0) {
      // The step being replayed from a wakeup sequence chose these values.
      const WakeupStep& s = forest_.step(follow_);
      if (s.values_known && value_pos_ < s.nvalues && s.values[value_pos_] < values)
        v = s.values[value_pos_];
      ++value_pos_;
    }
    DporNode& n = push_node(true);
    n.values = values;
    n.sleep = carry_sleep_;
    n.chosen = n.first_value = v;
    ++pos_;
    return v;
  }

  // Knuth's view of a depth-first search in progress: at decision i of the path, d_i branches
  // taken (the current one included) of b_i known (taken, plus those left in its wakeup tree,
  // or every value of a choose()); the finished part is the sum over i of (d_i - 1) / b_i
  // times the product of 1 / b_j above it, each sibling's subtree taken as large as the one
  // being searched. Branches that races met later will add are not known yet: the fraction
  // is an overestimate early on, so the total it implies is low.
  double progress() const override {
    double done = 0, scale = 1;
    for (const DporNode& n : nodes_) {
      uint32_t taken = 1, known = 1;
      if (n.is_value) {
        known = n.values;
        taken = n.chosen == n.first_value  ? 1
                : n.chosen < n.first_value ? n.chosen + 2
                                           : n.chosen + 1;
      } else {
        taken = static_cast<uint32_t>(std::popcount(n.done));
        ThreadMask left = 0;
        if (n.wut >= 0)
          for (int32_t c = forest_.leftmost_node(n.wut); c >= 0; c = forest_.next_sibling(c))
            left |= thread_bit(forest_.step(c).tid);
        known = taken + static_cast<uint32_t>(std::popcount(left & ~n.done));
      }
      if (known <= 1) continue;
      done += scale * (taken - 1) / known;
      scale /= known;
    }
    return done;
  }

  // The replayed prefix was analysed when it was new.
  uint32_t observe_from() const override { return branch_; }

  void on_event(const Execution& ex, uint32_t idx, std::span<const uint32_t> races) override {
    const Event& e = ex.events()[idx];
    if (e.node >= nodes_.size()) return;
    const DporNode& n = nodes_[e.node];
    // Sleep set for the next decision: threads explored (or asleep) here whose next step
    // commutes with the one just taken.
    ThreadMask carry = 0;
    const ThreadMask sleepers = (n.sleep | n.done) & ~thread_bit(e.tid);
    for (ThreadMask s = sleepers; s; s &= s - 1) {
      const int q = lowest_thread(s);
      if (independent(ex.pending(q), e)) carry |= thread_bit(q);
    }
    carry_sleep_ = carry;
    for (uint32_t c : races) races_.push_back({c, idx, e.tid});
  }

  void on_stuck(const Execution&, ThreadId t, std::span<const uint32_t> cands) override {
    for (uint32_t c : cands) races_.push_back({c, kPending, t});
  }

  void on_trace_end(const Execution& ex) override {
    for (const Race& r : races_) reverse_race(ex, r);
    races_.clear();
  }

 private:
  // The path grows and shrinks here only: `is_value_` mirrors the nodes' kinds in one byte
  // each, so that looking for the values of a step does not touch the nodes.
  DporNode& push_node(bool value) {
    is_value_.push_back(value);
    DporNode& n = nodes_.emplace_back();
    n.is_value = value;
    n.id = ++made_nodes_;
    return n;
  }
  void pop_node() {
    nodes_.pop_back();
    is_value_.pop_back();
  }

  // Value decision `i` takes another value: follow the branch planned for the same step with
  // the values chosen so far and this one, if there is one, else explore freely.
  void follow_value_branch(uint32_t i) {
    follow_ = -1;
    uint32_t t = i;
    while (t > 0 && nodes_[t - 1].is_value) --t;
    if (t == 0) return;  // values chosen before the first scheduling decision
    const DporNode& owner = nodes_[--t];
    if (owner.wut < 0) return;
    const uint32_t k = i - t - 1;  // this decision's place among the step's values
    for (int32_t c = forest_.leftmost_node(owner.wut); c >= 0; c = forest_.next_sibling(c)) {
      const WakeupStep& s = forest_.step(c);
      if (s.tid != static_cast<ThreadId>(owner.chosen) || !s.values_known || s.nvalues <= k)
        continue;
      bool same = true;
      for (uint32_t j = 0; j <= k && same; ++j) same = s.values[j] == nodes_[t + 1 + j].chosen;
      if (same) {
        follow_ = c;
        value_pos_ = k + 1;
        return;
      }
    }
  }

  // Drops planned branches whose thread is not enabled (a blocked thread's operation planned
  // first, still blocked there); true when one is left.
  bool take_enabled_leftmost(DporNode& n) {
    if (n.wut < 0) return false;
    while (!forest_.empty(n.wut) && !(n.enabled & thread_bit(forest_.leftmost(n.wut).tid)))
      forest_.pop_leftmost(n.wut);
    return !forest_.empty(n.wut);
  }

  // The path index just past the value decisions made in event `k`'s step (its thread's
  // choose() calls before its next scheduling point); they start right after its node.
  size_t values_end(const Event& k) const {
    size_t j = k.node + 1;
    while (j < is_value_.size() && is_value_[j]) ++j;
    return j;
  }
  // The step of event `k`, with the values its thread chose before its next scheduling point.
  // Filled in place: a step built aside and copied stalls on the copy (its flags are written
  // as bytes and read back as one vector).
  void fill_step(const Event& k, WakeupStep& s) const {
    s.tid = k.tid;
    s.access = k.access;
    s.obj = k.obj;
    s.seq = k.seq;
    s.may_be_disabled = false;
    s.values_known = true;
    s.nvalues = 0;
    const size_t end = values_end(k);
    for (size_t j = k.node + 1; j < end; ++j) {
      if (s.nvalues == kStepValues) {
        s.values_known = false;
        break;
      }
      s.values[s.nvalues++] = nodes_[j].chosen;
    }
  }
  // Step `k` in a fingerprint: its thread, its sequence number and its values. With the
  // decision the sequence starts from, these determine what the step does (the events of v
  // read only what the prefix and earlier steps of v wrote).
  void add_step(Fingerprint& f, const Event& k) const {
    f.add(uint64_t{static_cast<uint32_t>(k.tid)} << 32 | k.seq);
    const size_t end = values_end(k);
    for (size_t j = k.node + 1; j < end; ++j) f.add(uint64_t{nodes_[j].chosen} | uint64_t{1} << 63);
  }
  WakeupStep step_of(const Event& k) const {
    WakeupStep s;
    fill_step(k, s);
    return s;
  }

  // The step of event `k` moved to an earlier point: an update that only read where it ran
  // (a failed compare-and-swap or trylock, an unchanged fetch_or) may write there.
  WakeupStep moved_step_of(const Event& k) const {
    WakeupStep s = step_of(k);
    if (k.kind == OpKind::kCasFail || k.kind == OpKind::kTryLockFail || k.kind == OpKind::kRmw)
      s.access = Access::kWrite;
    return s;
  }

  // Operations that wait for a condition on shared state.
  static bool blocking(OpKind k) {
    return k == OpKind::kAwait || k == OpKind::kLock || k == OpKind::kReadLock ||
           k == OpKind::kSleep || k == OpKind::kJoin;
  }

  static WakeupStep pending_step(const Execution& ex, ThreadId t) {
    const PendingOp& op = ex.pending(t);
    WakeupStep s;
    s.tid = t;
    s.access = op.access;  // as declared: a write if it may write
    s.obj = op.obj ? op.obj->id : 0;
    s.seq = ex.thread(t).seq + 1;
    s.values_known = false;
    return s;
  }

  // What the last step of v knows when it runs right after the other steps: what it
  // depends on directly among them, and what those know.
  VectorClock restricted_clock(const Execution& ex, const std::vector<Event>& ev,
                               const WakeupStep& last, const VectorClock& clock) const {
    VectorClock c;
    c.at[last.tid] = last.seq;
    for (uint32_t k : vidx_)
      if (depends_directly(ex, last, clock, ev[k])) c.join(ev[k].clock);
    return c;
  }

  // Whether the last step of v (whose own clock is `clock`) depends on step `x` of v directly:
  // the same thread, conflicting accesses, or `x`'s thread spawned its thread.
  static bool depends_directly(const Execution& ex, const WakeupStep& last,
                               const VectorClock& clock, const Event& x) {
    return x.tid == last.tid || conflicting(x.obj, x.access, last.obj, last.access) ||
           (knows(clock, x.tid, x.seq) && ancestor(ex, x.tid, last.tid));
  }

  // Whether thread `a` spawned `t`, directly or not: spawning orders without an object.
  static bool ancestor(const Execution& ex, ThreadId a, ThreadId t) {
    for (ThreadId p = ex.thread(t).parent; p >= 0; p = ex.thread(p).parent)
      if (p == a) return true;
    return false;
  }

  // The race (r.first, r.later): plan, at the decision that scheduled r.first, the sequence
  // v that runs r.later first: the events between them that do not depend on r.first, then
  // r.later (JACM'17 Algorithm 2, lines 4-7), unless a thread asleep there could start it.
  // Most races end at that check, so v is first kept as event indices, and its steps (with
  // their values) are built only to be inserted.
  // Out of line: most events race with nothing.
  [[gnu::noinline]] void reverse_race(const Execution& ex, const Race& r) {
    const auto& ev = ex.events();
    const Event& ce = ev[r.first];
    if (ce.node >= nodes_.size() || nodes_[ce.node].is_value) return;
    DporNode& at = nodes_[ce.node];
    const ThreadMask asleep = (at.sleep | at.done) & ~thread_bit(ce.tid);
    // v is covered by a thread asleep there, or planned there as a branch of one step (a leaf:
    // exploring it explores everything after it), that is a weak initial of v: it can start
    // a sequence equivalent to v or extending it.
    ThreadMask covering = asleep;
    if (at.wut >= 0) covering |= forest_.single_step_branches(at.wut) & ~thread_bit(ce.tid);
    // v starts with a thread enabled there, never ce's own: when all are covering, so is one.
    if ((at.enabled & ~(covering | thread_bit(ce.tid))) == 0) return;

    const uint32_t end = r.later == kPending ? static_cast<uint32_t>(ev.size()) : r.later;
    WakeupStep last;
    const VectorClock* last_clock;
    if (r.later == kPending) {
      last = pending_step(ex, r.thread);
      last.may_be_disabled = true;
      last_clock = &ex.thread(r.thread).dpor;
    } else {
      last = moved_step_of(ev[r.later]);
      last_clock = &ev[r.later].clock;
      // Moved before ce, a blocking operation may find its condition false (a wait for a
      // value that ce's thread wrote, a lock it holds).
      last.may_be_disabled = blocking(ev[r.later].kind);
    }

    // v's events, and who starts v: a step is an initial when no earlier step of v happens
    // before it; knowing any step of a thread means knowing its first one in v, so checking
    // the first steps is enough.
    vidx_.clear();
    ThreadMask in_v = 0, initials = 0;
    uint32_t first_seq[kMaxThreads];
    ThreadMask unseen = covering;  // covering threads with no event after ce yet
    uint32_t first_after[kMaxThreads];
    for (uint32_t k = r.first + 1; k < end; ++k) {
      const Event& ke = ev[k];
      if (unseen & thread_bit(ke.tid)) {
        unseen &= ~thread_bit(ke.tid);
        first_after[ke.tid] = k;
      }
      if (knows(ke.clock, ce.tid, ce.seq)) continue;  // happens after ce: not in v
      vidx_.push_back(k);
      if (in_v & thread_bit(ke.tid)) continue;
      bool has_pred = false;
      for (ThreadMask m = in_v; m && !has_pred; m &= m - 1) {
        const int t = lowest_thread(m);
        has_pred = ke.clock.at[t] >= first_seq[t];
      }
      in_v |= thread_bit(ke.tid);
      first_seq[ke.tid] = ke.seq;
      if (!has_pred) initials |= thread_bit(ke.tid);
    }
    // The last step runs right after the others: it knows only what it depends on directly
    // among them (its own clock also knows events outside v, and through them more of v), so
    // it is an initial when it depends directly on none of them.
    if (!(in_v & thread_bit(last.tid))) {
      bool has_pred = false;
      for (size_t i = 0; i < vidx_.size() && !has_pred; ++i)
        has_pred = depends_directly(ex, last, *last_clock, ev[vidx_[i]]);
      in_v |= thread_bit(last.tid);
      if (!has_pred) initials |= thread_bit(last.tid);
    }
    // A covering thread that is a weak initial of v (line 6 for the sleeping ones): an
    // initial (decided before the last step's clock is made), or a thread with no step in v
    // whose next step commutes with all of v. That next step is its first event after ce, or
    // its pending operation.
    if (covering & initials) return;
    // The same v already handled at this decision (in an earlier execution).
    Fingerprint f;
    f.add(at.id);
    for (uint32_t k : vidx_) add_step(f, ev[k]);
    if (r.later == kPending)
      f.add(uint64_t{static_cast<uint32_t>(last.tid)} << 32 | last.seq | uint64_t{1} << 62);
    else
      add_step(f, ev[r.later]);
    if (handled_.seen_or_add(f.value())) return;
    later_clock_ = restricted_clock(ex, ev, last, *last_clock);
    const ThreadMask others = covering & ~in_v;
    for (ThreadMask m = others & ~unseen; m; m &= m - 1)
      if (commutes_with_v(ev, moved_step_of(ev[first_after[lowest_thread(m)]]), last)) return;
    ThreadMask later = others & unseen;
    for (uint32_t k = end; k < ev.size() && later; ++k) {
      const Event& ke = ev[k];
      if (!(later & thread_bit(ke.tid))) continue;
      later &= ~thread_bit(ke.tid);
      if (commutes_with_v(ev, moved_step_of(ke), last)) return;
    }
    for (ThreadMask m = later; m; m &= m - 1)
      if (commutes_with_v(ev, pending_step(ex, lowest_thread(m)), last)) return;

    seq_.clear();
    for (uint32_t k : vidx_) {
      SequenceStep& s = seq_.emplace_back();
      fill_step(ev[k], s.step);
      s.clock = &ev[k].clock;
    }
    seq_.push_back({last, &later_clock_});
    if (at.wut < 0) {
      at.wut = forest_.new_root();
      at.owns_wut = true;
    }
    if (forest_.empty(at.wut)) forest_.add_only(at.wut, step_of(ce));  // the free choice
    forest_.insert(at.wut, seq_);
  }

  bool commutes_with_v(const std::vector<Event>& ev, const WakeupStep& s,
                       const WakeupStep& last) const {
    for (uint32_t k : vidx_) {
      const Event& x = ev[k];
      if (must_precede(s, x.tid, x.obj, x.access, x.clock)) return false;
    }
    return !must_precede(s, last.tid, last.obj, last.access, later_clock_);
  }

  std::vector<DporNode> nodes_;
  std::vector<uint8_t> is_value_;
  HandledSequences handled_;
  uint64_t made_nodes_ = 0;
  WakeupForest forest_;
  std::vector<Race> races_;
  std::vector<uint32_t> vidx_;     // scratch for reverse_race: v's events but the last
  std::vector<SequenceStep> seq_;  // scratch for reverse_race: v to insert
  VectorClock later_clock_;
  uint32_t pos_ = 0;
  uint32_t branch_ = 0;
  int32_t follow_ = -1;     // the wakeup-tree node (step) that the new decisions follow
  uint32_t value_pos_ = 0;  // choose() calls made so far in the followed step
  ThreadMask carry_sleep_ = 0;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<Strategy> make_dpor_strategy() { return std::make_unique<DporStrategy>(); }

}  // namespace mc
