// An execution's life between its parts: made and reset, and the commit of each visible event
// (the thread's clocks, the trace, DPOR's race tracker, the observer) and its history.
#include "checker/runtime/execution.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "checker/explore/trace_observer.h"
#include "checker/runtime/invariant.h"

namespace mc {

Execution::Execution() { install_fault_handling(); }

Execution::~Execution() {
  reset();
  remove_fault_handling();
}

void Execution::reset() {
  threads_.reset();
  heap_.reset();
  names_.clear();
  objects_.reset();
  trace_.clear();
  findings_.clear();
  races_.record_none();
  preemptions_ = 0;
  aborting_ = false;
  draining_ = false;
  drained_steps_ = 0;
  halted_ = false;
  completed_ = false;
  end_ = ExecutionEnd::kComplete;
  running_ = kNoThread;
  overflowed_ = kNoThread;
}

uint32_t Execution::commit(ObjectBase* obj, OpKind kind, Access access, Acquire acquire,
                           const std::source_location& loc) {
  const ThreadId p = running_;
  ThreadState& t = threads_[p];
  if (draining_) {
    // Nobody observes a pruned run's tail: no trace, no clocks; only its length is bounded.
    ++t.seq;
    ++drained_steps_;
    return 0;
  }
  std::vector<Event>& events = trace_.events;
  const uint32_t idx = static_cast<uint32_t>(events.size());
#ifdef MIGCHECK_INVARIANTS
  const VectorClock clock_before = t.dpor;
#endif
  // t.dpor is the thread's clock before this event until the event is recorded: its own
  // component is set last, after the copy into the event (a narrow store just before a wide
  // load of the same clock stalls the load).
  const uint32_t own_before = t.seq;
  ++t.seq;
  t.sync.at[p] = t.seq;
  const uint32_t node = trace_.current_node();
  // Race candidates only for events the observer sees (not a replayed prefix).
  const bool observed = node >= observe_from_;
  int32_t prev_write = -1;
  if (obj && obj->id)
    prev_write = races_.record(events, p, t.dpor, own_before, *obj, objects_.shadow(obj->id).dpor,
                               kind, access, acquire, idx, observed);
  else
    races_.record_none();

  Event& e = events.emplace_back();  // not zeroed: every field is set below
  e.tid = p;
  e.kind = kind;
  e.access = access;
  e.obj = obj ? obj->id : 0;
  e.seq = t.seq;
  e.node = node;
  e.prev_write = prev_write;
  e.clock = t.dpor;
  e.clock.at[p] = t.seq;
  t.dpor.at[p] = t.seq;
#ifdef MIGCHECK_INVARIANTS
  // Clocks only grow: an event knows everything its thread knew before it, and itself.
  MC_BUG_ON(!clock_before.leq(e.clock), "an event's clock lost part of its thread's clock");
  MC_BUG_ON(e.clock.at[p] != own_before + 1, "a thread's own clock component did not advance");
  MC_BUG_ON(running_ != p || threads_[p].status != ThreadState::Status::kLive,
            "an event committed by a thread that is not the running one");
#endif

  if (history_) log_visible(obj, kind, idx, loc);
  if (observed) observer_->on_event(*this, idx, races_.candidates());
  return idx;
}

void Execution::log_visible(ObjectBase* obj, OpKind kind, uint32_t idx,
                            const std::source_location& loc) {
  EventDetail d{};
  d.step = idx;
  d.tid = running_;
  d.kind = kind;
  d.visible = true;
  d.obj = obj ? obj->id : 0;
  if (obj) d.object = obj->display_name();
  d.loc = loc;
  d.labels = label_path(running_);
  d.origin = origin_of(running_);
  trace_.details.push_back(std::move(d));
}

void Execution::describe_last(ObjectBase* obj, std::string value, std::memory_order order,
                              bool has_order) {
  (void)obj;
  if (trace_.details.empty()) return;
  EventDetail& d = trace_.details.back();
  d.value = std::move(value);
  d.order = order;
  d.has_order = has_order;
}

void Execution::log_invisible(ObjectBase* obj, OpKind kind, std::string value,
                              const std::source_location& loc) {
  EventDetail d{};
  d.step = static_cast<uint32_t>(trace_.events.size());
  d.tid = running_;
  d.kind = kind;
  d.visible = false;
  if (obj) {
    d.obj = obj->id;
    d.object = obj->display_name();
  }
  d.value = std::move(value);
  d.loc = loc;
  d.labels = label_path(running_);
  d.origin = origin_of(running_);
  trace_.details.push_back(std::move(d));
}

std::string Execution::origin_of(ThreadId t) const {
  if (t < 0 || t >= kMaxThreads) return {};
  const ThreadState& th = threads_[t];
  return th.origin && th.describe_origin ? th.describe_origin(th.origin) : std::string();
}

void Trace::observe(const char* name, int64_t value) {
  for (auto& o : observations) {
    if (std::strcmp(o.name, name) == 0) {
      o.value = value;
      return;
    }
  }
  observations.push_back({name, value});
}

void Execution::push_label(const char* l) {
  ThreadState& t = threads_[running_];
  if (t.label_depth < kMaxLabels) t.labels[t.label_depth] = l;
  ++t.label_depth;
}

void Execution::pop_label() {
  ThreadState& t = threads_[running_];
  if (t.label_depth > 0) --t.label_depth;
}

std::string join_labels(const char* const* labels, int depth) {
  std::string s;
  const int n = depth < kMaxLabels ? depth : kMaxLabels;
  for (int i = 0; i < n; ++i) {
    if (i) s += " > ";
    s += labels[i];
  }
  return s;
}

void Execution::set_thread_name(const char* name) {
  ThreadState& t = threads_[running_];
  t.name = name;
  // The spawn was logged before the thread named itself: its entry takes the name.
  if (history_ && t.spawn_detail >= 0)
    trace_.details[static_cast<size_t>(t.spawn_detail)].value = name;
}

std::string Execution::thread_label(ThreadId t) const {
  if (t >= 0 && t < kMaxThreads && threads_[t].name) return threads_[t].name;
  return "T" + std::to_string(t);
}

std::vector<std::string> Execution::thread_labels() const {
  std::vector<std::string> v;
  for (int t = 0; t < threads_.count(); ++t) v.push_back(thread_label(t));
  return v;
}

std::string Execution::label_path(ThreadId tid) const {
  if (tid < 0 || tid >= kMaxThreads) return {};
  return threads_[tid].label_path();
}

Label::Label(const char* name) : ex_(Execution::current()) {
  if (ex_ && ex_->self() >= 0 && ex_->self() < kMaxThreads)
    ex_->push_label(name);
  else
    ex_ = nullptr;
}

Label::~Label() {
  if (ex_) ex_->pop_label();
}

std::string Execution::name_of(uint64_t v) const {
  const AddressNames::Entry* named = names_.find(v);
  if (named && !named->object) return named->name;
  // A place in a heap block: the block's name, numbered among the blocks of its type when
  // there are several.
  for (size_t i = heap_.size(); i-- > 0;) {
    const HeapBlock& b = heap_.block(i);
    const auto start = reinterpret_cast<uintptr_t>(b.ptr);
    if (v < start || v >= start + b.size) continue;
    std::string name = b.name ? b.name : b.type;
    int nth = 0, same = 0;
    for (size_t j = 0; j < heap_.size(); ++j) {
      const HeapBlock& o = heap_.block(j);
      if (std::strcmp(o.name ? o.name : o.type, name.c_str()) != 0) continue;
      ++same;
      if (j <= i) ++nth;
    }
    if (same > 1) name += "#" + std::to_string(nth);
    if (v != start) {
      char off[24];
      std::snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(v - start));
      name += off;
    }
    return name;
  }
  return named ? named->name : std::string();
}

}  // namespace mc
