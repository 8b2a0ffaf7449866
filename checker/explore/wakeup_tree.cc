#include "checker/explore/wakeup_tree.h"

#include <algorithm>
#include <bit>

#include "checker/runtime/invariant.h"

namespace mc {

bool WakeupStep::same_values(const WakeupStep& o) const {
  if (!values_known || !o.values_known || nvalues != o.nvalues) return false;
  return std::equal(values, values + nvalues, o.values);
}

namespace {

// What remains of a sequence being inserted: a list through its indices (head, next[i], -1 at
// the end), so that matched steps are unlinked, not moved. For any length.
struct RemainingList {
  std::span<const SequenceStep> v;
  std::vector<int32_t>& next;
  int32_t head;

  RemainingList(std::span<const SequenceStep> steps, std::vector<int32_t>& links)
      : v(steps), next(links), head(steps.empty() ? -1 : 0) {
    next.resize(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      next[i] = i + 1 < v.size() ? static_cast<int32_t>(i + 1) : -1;
  }
  bool empty() const { return head < 0; }
  // The index of thread `t`'s first remaining step (-1: none), and whether it is an initial:
  // no earlier remaining step happens before it. Happens-before restricted to the steps of v
  // is that of the execution they came from.
  bool initial(ThreadId t, int32_t* index) const {
    *index = -1;
    for (int32_t i = head; i >= 0; i = next[i]) {
      if (v[i].step.tid != t) continue;
      *index = i;
      for (int32_t j = head; j != i; j = next[j])
        if (knows(*v[i].clock, v[j].step.tid, v[j].step.seq)) return false;
      return true;
    }
    return false;
  }
  bool commutes_with(const WakeupStep& s) const {
    for (int32_t i = head; i >= 0; i = next[i]) {
      const SequenceStep& x = v[i];
      if (must_precede(s, x.step.tid, x.step.obj, x.step.access, *x.clock)) return false;
    }
    return true;
  }
  void unlink(int32_t i) {
    if (head == i) {
      head = next[i];
      return;
    }
    int32_t p = head;
    while (next[p] != i) p = next[p];
    next[p] = next[i];
  }
  template <typename F>
  void for_each(F f) const {
    for (int32_t i = head; i >= 0; i = next[i]) f(i, next[i] < 0);
  }
};

// The same for a sequence of at most 64 steps (nearly all of them): the remaining steps and
// each thread's steps are bit sets over the indices, so a thread's first remaining step is
// found with a mask, and only the remaining steps before it are checked.
struct RemainingMask {
  static constexpr size_t kMax = 64;
  std::span<const SequenceStep> v;
  uint64_t left;
  uint64_t of_thread[kMaxThreads] = {};

  explicit RemainingMask(std::span<const SequenceStep> steps)
      : v(steps), left(steps.size() == kMax ? ~uint64_t{0} : (uint64_t{1} << steps.size()) - 1) {
    for (size_t i = 0; i < v.size(); ++i) of_thread[v[i].step.tid] |= uint64_t{1} << i;
  }
  bool empty() const { return left == 0; }
  bool initial(ThreadId t, int32_t* index) const {
    const uint64_t mine = left & of_thread[t];
    if (!mine) {
      *index = -1;
      return false;
    }
    const int i = std::countr_zero(mine);
    *index = i;
    const VectorClock& c = *v[i].clock;
    for (uint64_t m = left & ((uint64_t{1} << i) - 1); m; m &= m - 1) {
      const WakeupStep& x = v[std::countr_zero(m)].step;
      if (knows(c, x.tid, x.seq)) return false;
    }
    return true;
  }
  bool commutes_with(const WakeupStep& s) const {
    for (uint64_t m = left; m; m &= m - 1) {
      const SequenceStep& x = v[std::countr_zero(m)];
      if (must_precede(s, x.step.tid, x.step.obj, x.step.access, *x.clock)) return false;
    }
    return true;
  }
  void unlink(int32_t i) { left &= ~(uint64_t{1} << i); }
  template <typename F>
  void for_each(F f) const {
    for (uint64_t m = left; m; m &= m - 1) f(std::countr_zero(m), (m & (m - 1)) == 0);
  }
};

// Calls `f` with what remains of `v`, kept as the masks where its length allows, else as
// the list (`links` is its scratch): insertion and the weak-initial test share the choice.
template <typename F>
void with_remaining(std::span<const SequenceStep> v, std::vector<int32_t>& links, F f) {
  if (v.size() <= RemainingMask::kMax) {
    RemainingMask rest(v);
    f(rest);
  } else {
    RemainingList rest(v, links);
    f(rest);
  }
}

}  // namespace

bool weak_initial(const WakeupStep& s, std::span<const SequenceStep> v) {
  std::vector<int32_t> links;
  bool weak = false;
  with_remaining(v, links, [&](const auto& rest) {
    int32_t i;
    const bool initial = rest.initial(s.tid, &i);
    weak = i < 0 ? rest.commutes_with(s) : initial;
  });
  return weak;
}

int32_t WakeupForest::allocate(const WakeupStep& s) {
  int32_t n;
  if (free_ >= 0) {
    n = free_;
    free_ = nodes_[n].next_sibling;
    --free_count_;
    nodes_[n] = Node{s, -1, -1, 0};
  } else {
    n = static_cast<int32_t>(nodes_.size());
    nodes_.push_back(Node{s, -1, -1, 0});
  }
  return n;
}

int32_t WakeupForest::new_root() { return allocate(WakeupStep{}); }

int32_t WakeupForest::add_child(int32_t parent, const WakeupStep& s) {
  const int32_t n = allocate(s);
  int32_t* link = &nodes_[parent].first_child;
  while (*link >= 0) link = &nodes_[*link].next_sibling;
  *link = n;
  return n;
}

int32_t WakeupForest::add_leaf(int32_t parent, const WakeupStep& s) {
  const int32_t n = add_child(parent, s);
  if (!s.may_be_disabled) nodes_[parent].leaves |= ThreadMask{1} << s.tid;
  return n;
}

void WakeupForest::recount_leaves(int32_t node) {
  ThreadMask m = 0;
  for (int32_t c = nodes_[node].first_child; c >= 0; c = nodes_[c].next_sibling)
    if (nodes_[c].first_child < 0 && !nodes_[c].step.may_be_disabled)
      m |= ThreadMask{1} << nodes_[c].step.tid;
  nodes_[node].leaves = m;
}

void WakeupForest::release(int32_t node) {
  for (int32_t c = nodes_[node].first_child; c >= 0;) {
    const int32_t next = nodes_[c].next_sibling;
    release(c);
    c = next;
  }
  nodes_[node].first_child = -1;
  nodes_[node].next_sibling = free_;
  free_ = node;
  ++free_count_;
}

void WakeupForest::pop_leftmost(int32_t root) {
  const int32_t c = nodes_[root].first_child;
  if (c < 0) return;
  nodes_[root].first_child = nodes_[c].next_sibling;
  release(c);
  recount_leaves(root);
  if constexpr (kInvariantsChecked) check_shape(root);
}

void WakeupForest::pop_thread(int32_t root, ThreadId t) {
  int32_t* link = &nodes_[root].first_child;
  while (*link >= 0) {
    const int32_t c = *link;
    if (nodes_[c].step.tid == t) {
      *link = nodes_[c].next_sibling;
      release(c);
    } else {
      link = &nodes_[c].next_sibling;
    }
  }
  recount_leaves(root);
}

void WakeupForest::insert(int32_t root, std::span<const SequenceStep> v) {
  with_remaining(v, next_, [&](auto& rest) { insert_rest(root, v, rest); });
  if constexpr (kInvariantsChecked) check_shape(root);
}

void WakeupForest::check_shape(int32_t root) const {
  std::vector<char>& seen = check_seen_;
  std::vector<int32_t>& to_visit = check_to_visit_;
  if (seen.capacity() < nodes_.size()) seen.reserve(nodes_.capacity());  // grows as nodes_ does
  seen.assign(nodes_.size(), 0);
  to_visit.assign(1, root);
  while (!to_visit.empty()) {
    const int32_t n = to_visit.back();
    to_visit.pop_back();
    MC_BUG_ON(n < 0 || static_cast<size_t>(n) >= nodes_.size(), "a wakeup-tree link out of range");
    MC_BUG_ON(seen[static_cast<size_t>(n)],
              "a wakeup-tree node reached twice (a cycle or a share)");
    seen[static_cast<size_t>(n)] = 1;
    ThreadMask leaves = 0, children = 0;
    for (int32_t c = nodes_[n].first_child; c >= 0; c = nodes_[c].next_sibling) {
      children |= ThreadMask{1} << nodes_[c].step.tid;
      MC_BUG_ON(static_cast<size_t>(c) >= nodes_.size(), "a wakeup-tree child out of range");
      if (nodes_[c].first_child < 0 && !nodes_[c].step.may_be_disabled)
        leaves |= ThreadMask{1} << nodes_[c].step.tid;
      for (int32_t d = nodes_[c].next_sibling; d >= 0; d = nodes_[d].next_sibling)
        MC_BUG_ON(nodes_[d].step.tid == nodes_[c].step.tid &&
                      nodes_[d].step.seq == nodes_[c].step.seq &&
                      nodes_[d].step.same_values(nodes_[c].step),
                  "two branches of a wakeup-tree node are the same step");
      to_visit.push_back(c);
    }
    // Every leaf is in the mask. A bit may outlive its leaf only while that branch is the one
    // being explored (a decision further down plans under it); it goes when it is popped.
    MC_BUG_ON(leaves & ~nodes_[n].leaves, "a wakeup-tree leaf missing from its parent's mask");
    MC_BUG_ON(nodes_[n].leaves & ~children, "a wakeup-tree leaves mask names no child");
  }
}

template <typename Rest>
void WakeupForest::insert_rest(int32_t root, std::span<const SequenceStep> v, Rest& rest) {
  int32_t at = root;
  while (!rest.empty()) {
    int32_t next = -1;
    for (int32_t c = nodes_[at].first_child; c >= 0; c = nodes_[c].next_sibling) {
      const WakeupStep& s = nodes_[c].step;
      int32_t i;
      const bool initial = rest.initial(s.tid, &i);
      if (initial && v[i].step.seq == s.seq) {
        // The same event; with other choose() values, another branch (a sibling that the
        // value decision under the step follows).
        if (!s.same_values(v[i].step)) continue;
        rest.unlink(i);
        next = c;
        break;
      }
      if (i < 0 && !s.may_be_disabled && rest.commutes_with(s)) {
        next = c;
        break;
      }
    }
    if (next < 0) break;
    at = next;
    if (nodes_[at].first_child < 0) return;  // a planned sequence already covers v
  }
  // The new branch: its last step is a leaf.
  rest.for_each([&](int32_t i, bool last) {
    at = last ? add_leaf(at, v[i].step) : add_child(at, v[i].step);
  });
}

void WakeupForest::collect(int32_t node, std::vector<ThreadId>& prefix,
                           std::vector<std::vector<ThreadId>>& out) const {
  prefix.push_back(nodes_[node].step.tid);
  if (nodes_[node].first_child < 0) out.push_back(prefix);
  for (int32_t c = nodes_[node].first_child; c >= 0; c = nodes_[c].next_sibling)
    collect(c, prefix, out);
  prefix.pop_back();
}

std::vector<std::vector<ThreadId>> WakeupForest::sequences(int32_t root) const {
  std::vector<std::vector<ThreadId>> out;
  std::vector<ThreadId> prefix;
  for (int32_t c = nodes_[root].first_child; c >= 0; c = nodes_[c].next_sibling)
    collect(c, prefix, out);
  return out;
}

}  // namespace mc
