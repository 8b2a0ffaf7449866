#include "checker/report/steps.h"

#include <algorithm>

namespace mc {

bool changes_state(const EventDetail& e) {
  switch (e.kind) {
    case OpKind::kLoad:
    case OpKind::kPlainRead:
    case OpKind::kNonatomicRead:
    case OpKind::kFence:
    case OpKind::kJoin:
    case OpKind::kSpawn:
    case OpKind::kThreadEnd:
    case OpKind::kChoose:
      return false;
    default:
      return true;
  }
}

int label_depth(const std::string& labels) {
  if (labels.empty()) return 0;
  int d = 1;
  for (size_t p = labels.find(" > "); p != std::string::npos; p = labels.find(" > ", p + 3)) ++d;
  return d;
}

std::string innermost_label(const std::string& labels) {
  const size_t p = labels.rfind(" > ");
  return p == std::string::npos ? labels : labels.substr(p + 3);
}

std::string thread_name(const Counterexample& c, int tid) {
  if (tid >= 0 && static_cast<size_t>(tid) < c.thread_names.size())
    return c.thread_names[static_cast<size_t>(tid)];
  return "T" + std::to_string(tid);
}

size_t first_thread_event(const Counterexample& c) {
  for (size_t i = 0; i < c.events.size(); ++i)
    if (c.events[i].kind == OpKind::kSpawn) return i + 1;
  return 0;
}

std::vector<Step> drawn_steps(const Counterexample& c) {
  const Finding& f = c.finding;
  const size_t begin = first_thread_event(c);
  const size_t at =
      f.at_event < 0 ? c.events.size() : std::max(begin, static_cast<size_t>(f.at_event));
  std::vector<Step> out;
  for (size_t i = begin; i <= c.events.size(); ++i) {
    if (i == std::min(at, c.events.size()) && f.thread >= 0)
      out.push_back({f.thread, nullptr, true});
    if (i == c.events.size()) break;
    const EventDetail& e = c.events[i];
    const bool other = static_cast<int64_t>(i) == f.other_event;
    if (!other) {
      if (e.kind == OpKind::kSpawn || e.kind == OpKind::kJoin || e.kind == OpKind::kThreadEnd)
        continue;
      if (!e.visible && !changes_state(e)) continue;
    }
    out.push_back({static_cast<int>(e.tid), &e, other});
  }
  return out;
}

}  // namespace mc
