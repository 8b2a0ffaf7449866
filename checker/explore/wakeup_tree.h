// Wakeup trees (Abdulla, Aronis, Jonsson, Sagonas: "Source Sets", JACM'17, section 6): at each
// decision of the DFS path, an ordered tree of step sequences still to explore from there. A
// race found later inserts the sequence that reverses it, unless an equivalent one is there.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "checker/runtime/execution.h"

namespace mc {

inline constexpr int kStepValues = 6;

// One step of a wakeup sequence: which thread runs, what its event touches, and the values
// its choose() calls returned in that step, so that replaying the step does the same thing.
struct WakeupStep {
  ThreadId tid = 0;
  Access access = Access::kNone;
  uint32_t obj = 0;
  uint32_t seq = 0;  // the thread's own sequence number of the event
  // A blocking operation moved before the event it raced with (or a blocked thread's pending
  // operation): it may turn out not to be enabled there, so it neither covers nor takes in
  // another sequence on the ground of independence.
  bool may_be_disabled = false;
  bool values_known = true;  // false for a step that has not run yet, or ran too many choose()
  uint8_t nvalues = 0;
  uint32_t values[kStepValues];  // the first nvalues are set

  bool same_values(const WakeupStep& o) const;
};

// A step of a sequence being inserted, with the dependency clock of its event in the execution
// it was taken from: happens-before among the steps of the sequence.
struct SequenceStep {
  WakeupStep step;
  const VectorClock* clock;
};

// Two accesses conflict when they touch the same object and one of them writes it.
inline bool conflicting(uint32_t obj, Access access, uint32_t other_obj, Access other_access) {
  return obj != 0 && obj == other_obj &&
         (access == Access::kWrite || other_access == Access::kWrite);
}
// Whether `s`, run first, must stay before a later step (thread, object, access, clock): the
// same thread, conflicting accesses, or the later step already knew the event of `s` in the
// execution it came from (a spawn or join orders them without an object).
inline bool must_precede(const WakeupStep& s, ThreadId tid, uint32_t obj, Access access,
                         const VectorClock& clock) {
  return s.tid == tid || conflicting(s.obj, s.access, obj, access) || knows(clock, s.tid, s.seq);
}
// Weak initials (JACM'17, Definition 6.1): `s` could start a sequence equivalent to `v` or
// extending it: it is the first step of its thread in `v` and no earlier step of `v` must
// precede it, or its thread has no step in `v` and it commutes with all of `v`.
bool weak_initial(const WakeupStep& s, std::span<const SequenceStep> v);

// Every wakeup tree of the DFS path in one arena: a decision's tree is the children of one
// node. Following a branch down the path costs nothing: the next decision's tree is the
// children of the branch's first node. Nodes of explored branches are reused, so the steady
// state allocates nothing.
class WakeupForest {
 public:
  // A new empty tree (its root node).
  int32_t new_root();
  bool empty(int32_t root) const { return nodes_[root].first_child < 0; }
  // The branch explored now (the leftmost child of the root), and its node: the root of the
  // tree of the decision after it. Branches for the same step with other choose() values are
  // its siblings: the value decision under the step follows them.
  int32_t leftmost_node(int32_t root) const { return nodes_[root].first_child; }
  const WakeupStep& leftmost(int32_t root) const { return nodes_[nodes_[root].first_child].step; }
  // Threads whose next step is planned as a branch of one step (a leaf under the root) that
  // is surely enabled there. Kept up to date as branches come and go: a branch that is a
  // leaf stays one (insertion stops at a leaf), except the one being explored, whose thread
  // the decision has already explored.
  ThreadMask single_step_branches(int32_t root) const { return nodes_[root].leaves; }
  const WakeupStep& step(int32_t node) const { return nodes_[node].step; }
  int32_t next_sibling(int32_t node) const { return nodes_[node].next_sibling; }
  // Drops every branch that starts with a step of thread `t` (one step, several values).
  void pop_thread(int32_t root, ThreadId t);
  // Drops the leftmost branch with everything under it.
  void pop_leftmost(int32_t root);
  // Frees `node` and everything under it.
  void release(int32_t node);
  // Adds `s` as a branch of an empty tree (the one a free choice is exploring).
  void add_only(int32_t root, const WakeupStep& s) { add_leaf(root, s); }
  // Inserts `v` (JACM'17, Definition 6.2): follows the leftmost branch whose steps are weak
  // initials of what remains of `v`, and files the rest there, unless the branch ends first
  // (an equivalent sequence is already planned).
  void insert(int32_t root, std::span<const SequenceStep> v);
  // The tree's sequences (root to leaf), in exploration order: for tests.
  std::vector<std::vector<ThreadId>> sequences(int32_t root) const;
  size_t live_nodes() const { return nodes_.size() - free_count_; }

 private:
  struct Node {
    WakeupStep step;
    int32_t first_child = -1;
    int32_t next_sibling = -1;
    ThreadMask leaves = 0;  // threads of the children that are leaves and surely enabled
  };
  template <typename Rest>
  void insert_rest(int32_t root, std::span<const SequenceStep> v, Rest& rest);
  int32_t allocate(const WakeupStep& s);
  int32_t add_child(int32_t parent, const WakeupStep& s);
  int32_t add_leaf(int32_t parent, const WakeupStep& s);
  void recount_leaves(int32_t node);
  // MC_BUG_ON the tree's shape: every node reached once, every leaf in its parent's mask, no
  // two children the same step.
  void check_shape(int32_t root) const;
  void collect(int32_t node, std::vector<ThreadId>& prefix,
               std::vector<std::vector<ThreadId>>& out) const;

  std::vector<Node> nodes_;
  std::vector<int32_t> next_;  // scratch for insert: what remains of the sequence, as a list
  int32_t free_ = -1;          // free list, linked through next_sibling
  size_t free_count_ = 0;
  // Scratch for check_shape, reused: the allocation test runs with the invariants checked.
  mutable std::vector<char> check_seen_;
  mutable std::vector<int32_t> check_to_visit_;
};

}  // namespace mc
