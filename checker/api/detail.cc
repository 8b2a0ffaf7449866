#include "checker/api/detail.h"

#include <bit>

#include "checker/report/finding.h"
#include "checker/runtime/heap.h"

namespace mc {}

namespace mc::detail {

namespace {
const char* access_word(const AccessRecord& r) {
  if (r.atomic) return r.write ? "atomic write" : "atomic read";
  return r.write ? "write" : "read";
}

// `current`: the access being made now, which is not logged yet; its labels are the thread's.
std::string describe(Execution& ex, const AccessRecord& r, bool current = false) {
  std::string s =
      std::string(access_word(r)) + " by T" + std::to_string(r.tid) + " at " + source_where(r.loc);
  std::string l;
  if (current)
    l = ex.label_path(r.tid);
  else if (r.detail >= 0 && static_cast<size_t>(r.detail) < ex.details().size())
    l = ex.details()[r.detail].labels;
  if (!l.empty()) s += " [" + l + "]";
  return s;
}
}  // namespace

void check_block_lifetime(Execution& ex, ObjectBase& o, bool write,
                          const std::source_location& loc) {
  HeapBlock* b = o.owner;
  const ThreadId p = ex.self();
  if (b->freed) {
    Finding f =
        ex.finding(FindingKind::kUseAfterFree,
                   std::string(write ? "write to " : "read of ") + o.display_name() + " in " +
                       (b->name ? b->name : b->type) + " freed by T" + std::to_string(b->free_tid) +
                       " at " + source_where(b->free_loc) +
                       (b->free_label_depth == 0
                            ? ""
                            : " [" + join_labels(b->free_labels, b->free_label_depth) + "]"),
                   loc);
    f.other_labels = join_labels(b->free_labels, b->free_label_depth);
    f.other_event = b->free_detail;
    ex.fail(std::move(f));
    return;
  }
  AccessRecord& r = b->last_access[p];
  r.epoch = ex.thread(p).seq + 1;
  r.tid = p;
  r.write = write;
  r.loc = loc;
  r.detail = ex.history() ? static_cast<int32_t>(ex.details().size()) : -1;
}

void check_race_shadow(Execution& ex, ObjectBase& o, bool write, bool atomic, uint32_t epoch,
                       const std::source_location& loc) {
  if (ex.draining()) return;  // a pruned run's tail reports nothing
  if (!atomic) o.plain_accessed = true;
  const ThreadId p = ex.self();
  const ThreadState& t = ex.thread(p);
  const AccessRecord cur{
      epoch, p, write, atomic,
      // A visible access (atomic or non-atomic) was committed and logged already: its epoch is
      // the thread's sequence number. A plain one is logged after this check.
      ex.history() ? static_cast<int32_t>(ex.details().size()) - (epoch == t.seq ? 1 : 0) : -1,
      loc};
  auto racy = [&](const AccessRecord& r) {
    return r.epoch != 0 && r.tid != p && !(atomic && r.atomic) && t.sync.at[r.tid] < r.epoch;
  };
  const ObjectShadow& os = ex.shadow(o);
  const AccessRecord* other = nullptr;
  if (o.has_shadow_write && racy(os.shadow_write)) other = &os.shadow_write;
  if (!other && write) {
    for (ThreadMask m = o.shadow_read_mask & ~thread_bit(p); m && !other; m &= m - 1) {
      const int r = std::countr_zero(m);
      if (racy(os.shadow_reads[r])) other = &os.shadow_reads[r];
    }
  }
  if (other) {
    Finding f =
        ex.finding(FindingKind::kDataRace,
                   "data race on " + o.display_name() + ": " + describe(ex, *other) + ", and " +
                       describe(ex, cur, true) + ", with no ordering between them",
                   loc);
    if (other->detail >= 0 && static_cast<size_t>(other->detail) < ex.details().size()) {
      f.other_labels = ex.details()[other->detail].labels;
      f.other_event = other->detail;
    }
    ex.fail(std::move(f));
    return;
  }
  remember_access(ex, o, cur);
}

void fence(Execution& ex, std::memory_order mo, const std::source_location& loc) {
  const ThreadId p = ex.self();
  ThreadState& t = ex.thread(p);
  if (is_acquire(mo)) t.sync.join(t.fence_acquire);
  if (is_release(mo)) {
    // The fence publishes the plain accesses made since the thread's last event too: close
    // their epoch (as a spawn does) before taking the clock.
    ++t.seq;
    t.dpor.at[p] = t.seq;
    t.sync.at[p] = t.seq;
    t.fence_release = t.sync;
  }
  if (ex.history()) ex.log_invisible(nullptr, OpKind::kFence, "", loc);
}

void might_sleep(Execution& ex, const char* what, const std::source_location& loc) {
  if (ex.thread(ex.self()).atomic_depth > 0)
    ex.fail(ex.finding(FindingKind::kSleepInAtomic,
                       std::string("sleeping function called from invalid context: ") + what +
                           " with " + std::to_string(ex.thread(ex.self()).atomic_depth) +
                           " spinlock(s) held or preemption disabled",
                       loc));
}

}  // namespace mc::detail
