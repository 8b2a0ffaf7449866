// Wakeup-tree insertion (JACM'17, Definition 6.2) on hand-made sequences: what is covered by a
// planned branch, what becomes a new branch, and where it is filed.
#include "checker/explore/wakeup_tree.h"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <string>

namespace {

using mc::Access;
using mc::SequenceStep;
using mc::ThreadId;
using mc::VectorClock;
using mc::WakeupForest;
using mc::WakeupStep;

// Builds sequences of steps the way an execution would: each step's clock knows its own
// thread's earlier steps and the earlier conflicting steps (same object, one of them writes).
class Builder {
 public:
  Builder& step(ThreadId t, uint32_t obj, Access a, std::vector<uint32_t> values = {}) {
    WakeupStep s;
    s.tid = t;
    s.obj = obj;
    s.access = a;
    s.seq = ++seq_[t];
    for (uint32_t v : values) s.values[s.nvalues++] = v;
    VectorClock c = thread_clock_[t];
    c.at[t] = s.seq;
    for (size_t i = 0; i < steps_.size(); ++i) {
      const WakeupStep& p = steps_[i].step;
      if (p.obj == obj && obj != 0 && (p.access == Access::kWrite || a == Access::kWrite))
        c.join(*steps_[i].clock);
    }
    thread_clock_[t] = c;
    clocks_.push_back(c);
    steps_.push_back({s, &clocks_.back()});
    return *this;
  }
  std::vector<SequenceStep> take() { return steps_; }

 private:
  std::array<uint32_t, mc::kMaxThreads> seq_{};
  std::array<VectorClock, mc::kMaxThreads> thread_clock_{};
  std::deque<VectorClock> clocks_;  // stable addresses
  std::vector<SequenceStep> steps_;
};

using Seqs = std::vector<std::vector<ThreadId>>;

// The branch being explored is the first; a race with its step files the reversal after it.
TEST(WakeupTree, ANewRaceBecomesABranchAfterTheOneExplored) {
  WakeupForest f;
  const int32_t root = f.new_root();
  f.add_only(root, Builder().step(1, 10, Access::kWrite).take()[0].step);
  // T2's read conflicts with T1's write: a new branch, after T1's.
  f.insert(root, Builder().step(2, 10, Access::kRead).take());
  EXPECT_EQ(f.sequences(root), (Seqs{{1}, {2}}));
}

TEST(WakeupTree, AnIndependentBranchLeafCoversTheSequence) {
  WakeupForest f;
  const int32_t root = f.new_root();
  f.insert(root, Builder().step(3, 20, Access::kWrite).take());  // {3}
  // [2 3]: T3's step is an initial of it (T2's step is on another object), and the planned
  // branch [3] ends there: running T3 first already reaches an equivalent sequence.
  f.insert(root, Builder().step(2, 30, Access::kWrite).step(3, 20, Access::kWrite).take());
  EXPECT_EQ(f.sequences(root), (Seqs{{3}}));
}

TEST(WakeupTree, ASequenceIsFiledUnderTheBranchItExtends) {
  WakeupForest f;
  const int32_t root = f.new_root();
  f.insert(root,
           Builder().step(2, 20, Access::kWrite).step(3, 20, Access::kWrite).take());  // {2 3}
  // [2 4]: T2's step is the same event (initial); T4's read conflicts with T3's write, so it
  // is filed after T2, beside T3. (Had T3 only read, [2 3] would cover [2 4].)
  f.insert(root, Builder().step(2, 20, Access::kWrite).step(4, 20, Access::kRead).take());
  EXPECT_EQ(f.sequences(root), (Seqs{{2, 3}, {2, 4}}));
}

TEST(WakeupTree, AStepThatMustWaitIsNotAnInitial) {
  WakeupForest f;
  const int32_t root = f.new_root();
  f.insert(root, Builder().step(3, 20, Access::kRead).take());  // {3}
  // [2 3] where T3 reads what T2 writes: T3 cannot go first, so a new branch.
  f.insert(root, Builder().step(2, 20, Access::kWrite).step(3, 20, Access::kRead).take());
  EXPECT_EQ(f.sequences(root), (Seqs{{3}, {2, 3}}));
}

// The same step with other choose() values is another event: a sibling branch, which the
// value decision under the step follows for its value; popping the thread drops both.
TEST(WakeupTree, AStepWithOtherValuesIsASiblingBranch) {
  WakeupForest f;
  const int32_t root = f.new_root();
  f.insert(root, Builder().step(2, 20, Access::kWrite, {0}).step(3, 20, Access::kRead).take());
  f.insert(root, Builder().step(2, 20, Access::kWrite, {1}).step(4, 20, Access::kRead).take());
  EXPECT_EQ(f.sequences(root), (Seqs{{2, 3}, {2, 4}}));
  const int32_t second = f.next_sibling(f.leftmost_node(root));
  ASSERT_GE(second, 0);
  EXPECT_EQ(f.step(second).values[0], 1u);
  f.pop_thread(root, 2);
  EXPECT_TRUE(f.empty(root));
}

TEST(WakeupTree, ABlockedThreadsOperationIsOnlyFollowedByItsOwnStep) {
  WakeupForest f;
  const int32_t root = f.new_root();
  Builder b;
  auto first = b.step(3, 20, Access::kRead).take();
  first[0].step.may_be_disabled = true;
  f.insert(root, first);  // {3?}
  // [2]: T3's planned step commutes with it, but T3 may be blocked there: a branch of its own.
  f.insert(root, Builder().step(2, 30, Access::kWrite).take());
  EXPECT_EQ(f.sequences(root), (Seqs{{3}, {2}}));
}

TEST(WakeupTree, ExploredBranchesAreReused) {
  WakeupForest f;
  const int32_t root = f.new_root();
  for (int round = 0; round < 100; ++round) {
    f.add_only(root, Builder().step(1, 10, Access::kWrite).take()[0].step);
    f.insert(root, Builder()
                       .step(2, 20, Access::kWrite)
                       .step(3, 30, Access::kWrite)
                       .step(4, 10, Access::kRead)
                       .take());
    f.pop_leftmost(root);
    f.pop_leftmost(root);
    EXPECT_TRUE(f.empty(root));
  }
  EXPECT_EQ(f.live_nodes(), 1u);  // the root
}

// One-step branches (leaves under the root) cover races at the decision: the set follows
// insertions and pops, and a step that may be disabled there covers nothing.
TEST(WakeupTree, SingleStepBranchesFollowTheTree) {
  WakeupForest f;
  const int32_t root = f.new_root();
  const auto bit = [](ThreadId t) { return mc::ThreadMask{1} << t; };
  f.add_only(root, Builder().step(1, 10, Access::kWrite).take()[0].step);
  EXPECT_EQ(f.single_step_branches(root), bit(1));
  f.insert(root, Builder().step(2, 10, Access::kRead).take());  // {1} {2}
  EXPECT_EQ(f.single_step_branches(root), bit(1) | bit(2));
  // [3 1]: T1 reads what T3 writes, and T2's read conflicts with that write: a new branch of
  // two steps, not a leaf.
  f.insert(root, Builder().step(3, 10, Access::kWrite).step(1, 10, Access::kRead).take());
  EXPECT_EQ(f.sequences(root), (Seqs{{1}, {2}, {3, 1}}));
  EXPECT_EQ(f.single_step_branches(root), bit(1) | bit(2));
  Builder b;                                            // owns the clocks the sequence points to
  auto blocked = b.step(4, 10, Access::kWrite).take();  // conflicts with every branch
  blocked[0].step.may_be_disabled = true;
  f.insert(root, blocked);
  EXPECT_EQ(f.single_step_branches(root), bit(1) | bit(2));
  f.pop_leftmost(root);
  EXPECT_EQ(f.single_step_branches(root), bit(2));
  f.pop_thread(root, 2);
  EXPECT_EQ(f.single_step_branches(root), 0u);
  EXPECT_EQ(f.sequences(root), (Seqs{{3, 1}, {4}}));
}

TEST(WakeupTree, WeakInitials) {
  Builder b;
  auto v =
      b.step(1, 10, Access::kWrite).step(2, 10, Access::kRead).step(3, 20, Access::kRead).take();
  WakeupStep other;
  other.tid = 4;
  other.obj = 20;
  other.access = Access::kRead;
  other.seq = 1;
  EXPECT_TRUE(mc::weak_initial(v[0].step, v));   // first step
  EXPECT_FALSE(mc::weak_initial(v[1].step, v));  // reads what T1 writes
  EXPECT_TRUE(mc::weak_initial(v[2].step, v));   // nothing before it conflicts
  EXPECT_TRUE(mc::weak_initial(other, v));       // not in v, commutes with all of it
  other.access = Access::kWrite;
  EXPECT_FALSE(mc::weak_initial(other, v));  // would change what T3 reads
}

// The same sequence followed by 70 steps on objects of their own: longer than 64 steps, so
// the other representation of what remains answers, with the same results.
TEST(WakeupTree, WeakInitialsOfALongSequence) {
  Builder b;
  b.step(1, 10, Access::kWrite).step(2, 10, Access::kRead).step(3, 20, Access::kRead);
  for (uint32_t k = 0; k < 70; ++k) b.step(5, 100 + k, Access::kWrite);
  auto v = b.take();
  WakeupStep other;
  other.tid = 4;
  other.obj = 20;
  other.access = Access::kRead;
  other.seq = 1;
  EXPECT_TRUE(mc::weak_initial(v[0].step, v));
  EXPECT_FALSE(mc::weak_initial(v[1].step, v));
  EXPECT_TRUE(mc::weak_initial(v[2].step, v));
  EXPECT_TRUE(mc::weak_initial(v[3].step, v));  // T5's first step: its objects are its own
  EXPECT_TRUE(mc::weak_initial(other, v));
  other.access = Access::kWrite;
  EXPECT_FALSE(mc::weak_initial(other, v));
}

// Insertion walks sequences of up to 64 steps with bit masks and longer ones (zsmalloc's reach
// 184) as a list: the same insertions must file the same way either side of that length.
TEST(WakeupTree, LongSequencesAreFiledLikeShortOnes) {
  for (int pad : {3, 70}) {
    SCOPED_TRACE("steps before the race: " + std::to_string(pad));
    // T5's steps each touch an object of their own: the same events in every sequence.
    auto with_pad = [pad] {
      Builder b;
      for (int k = 0; k < pad; ++k) b.step(5, 100 + static_cast<uint32_t>(k), Access::kWrite);
      return b;
    };
    WakeupForest f;
    const int32_t root = f.new_root();
    f.insert(root, with_pad().step(2, 20, Access::kWrite).step(3, 20, Access::kWrite).take());
    // As in ASequenceIsFiledUnderTheBranchItExtends: T4 goes beside T3.
    f.insert(root, with_pad().step(2, 20, Access::kWrite).step(4, 20, Access::kRead).take());
    // Covered: T2 and then T3 are initials of it, and the branch ends at T3.
    f.insert(root, with_pad()
                       .step(4, 40, Access::kWrite)
                       .step(2, 20, Access::kWrite)
                       .step(3, 20, Access::kWrite)
                       .take());
    // T3's write conflicts with T2's planned one and T3 has no earlier step: a new branch
    // beside T2 after the shared steps.
    f.insert(root, with_pad().step(3, 20, Access::kWrite).take());
    std::vector<ThreadId> shared(static_cast<size_t>(pad), 5);
    auto then = [&](std::vector<ThreadId> tail) {
      std::vector<ThreadId> s = shared;
      s.insert(s.end(), tail.begin(), tail.end());
      return s;
    };
    EXPECT_EQ(f.sequences(root), (Seqs{then({2, 3}), then({2, 4}), then({3})}));
  }
}

}  // namespace
