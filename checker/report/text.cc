#include "checker/report/text.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "checker/report/finding.h"
#include "checker/report/steps.h"

namespace mc {
std::string memory_order_name(std::memory_order mo) {
  switch (mo) {
    case std::memory_order_relaxed:
      return "relaxed";
    case std::memory_order_consume:
      return "consume";
    case std::memory_order_acquire:
      return "acquire";
    case std::memory_order_release:
      return "release";
    case std::memory_order_acq_rel:
      return "acq_rel";
    case std::memory_order_seq_cst:
      return "seq_cst";
  }
  return "?";
}

std::string format_event(const EventDetail& e) {
  std::string s = op_name(e.kind);
  if (e.has_order) s += "(" + memory_order_name(e.order) + ")";
  if (!e.object.empty()) s += " " + e.object;
  if (!e.value.empty())
    s += (e.kind == OpKind::kStore || e.kind == OpKind::kPlainWrite ||
          e.kind == OpKind::kNonatomicWrite)
             ? " := " + e.value
             : " = " + e.value;
  return s;
}

namespace {

std::string fixed(const std::string& s, size_t w) {
  if (s.size() <= w) return s + std::string(w - s.size(), ' ');
  return s.substr(0, w - 1) + "~";
}

}  // namespace

std::string format_summary(const RunResult& r) {
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s %s%s%s\n",
                r.pass         ? "PASS"
                : r.incomplete ? "INCOMPLETE"
                               : "FAIL",
                r.test.c_str(), r.params.values().empty() ? "" : "  ",
                r.params.to_string().c_str());
  s += buf;
  s += "  strategy: " + r.strategy_description + "\n";
  const double secs = r.seconds > 0 ? r.seconds : 1e-9;
  const uint64_t runs = r.complete + r.blocked + r.pruned + r.with_finding;
  std::snprintf(
      buf, sizeof buf,
      "  executions: %llu complete, %llu blocked, %llu pruned%s; events: %llu; %.3f s "
      "(%.0f executions/s, %.0f events/s)\n",
      static_cast<unsigned long long>(r.complete), static_cast<unsigned long long>(r.blocked),
      static_cast<unsigned long long>(r.pruned),
      r.with_finding == 0   ? ""
      : r.with_finding == 1 ? ", 1 with a finding"
                            : (", " + std::to_string(r.with_finding) + " with findings").c_str(),
      static_cast<unsigned long long>(r.events), r.seconds, runs / secs, r.events / secs);
  s += buf;
  if (r.estimate && r.estimate->executions > 0)
    s += "  estimate: " + format_estimate(*r.estimate) + "\n";
  if (r.exhausted)
    s += "  coverage: exhaustive (every trace explored)\n";
  else if (r.incomplete)
    s += "  coverage: INCOMPLETE, no finding in what was explored, which proves nothing: " +
         r.stopped_by + " after " + std::to_string(runs) + " executions\n";
  else if (!r.limit.empty())
    s += "  coverage: stopped early: " + r.limit + "\n";
  else if (!r.counterexample)
    s += "  coverage: not exhaustive (" + r.strategy + ")\n";
  if (!r.outcomes.empty() && !(r.outcomes.size() == 1 && r.outcomes.begin()->first.empty())) {
    s += "  outcomes:";
    for (const auto& [k, n] : r.outcomes) s += " [" + k + "]x" + std::to_string(n);
    s += "\n";
  }
  if (!r.error.empty()) s += "  error: " + r.error + "\n";
  for (const auto& m : r.mismatches) s += "  not as expected: " + m + "\n";
  return s;
}

std::string format_counterexamples(const RunResult& r) {
  std::string s;
  auto show = [&s](const Counterexample& c) {
    s += "\n" + format_trace(c);
    const std::string diagram = format_diagram(c);
    if (!diagram.empty()) s += "\n" + diagram;
  };
  if (r.searched_all_findings) {
    s += "  distinct findings: " + std::to_string(r.all_findings.size()) + "\n";
    for (size_t i = 0; i < r.all_findings.size(); ++i) {
      s += "\n== finding " + std::to_string(i + 1) + " of " +
           std::to_string(r.all_findings.size()) + ": " +
           finding_identity(r.all_findings[i].finding) + "\n";
      show(r.all_findings[i]);
    }
  } else if (r.counterexample) {
    show(*r.counterexample);
  }
  return s;
}

namespace {

// Where a finding happened: the input's place first (a litmus statement), then the model's.
std::string finding_place(const Finding& f) {
  const std::string model = f.loc.line() ? source_where(f.loc) : "";
  if (f.origin.empty()) return model;
  return model.empty() ? f.origin : f.origin + " (" + model + ")";
}

}  // namespace

std::string format_trace(const Counterexample& c) {
  std::string s;
  const Finding& f = c.finding;
  s += "finding: " + f.kind_string() + ": " + f.message + "\n";
  if (f.thread >= 0) {
    s += "  in " + f.thread_label();
    if (!f.labels.empty()) s += " [" + f.labels + "]";
    const std::string place = finding_place(f);
    if (!place.empty()) s += " at " + place;
    s += "\n";
  }
  s += "  counterexample: " + std::to_string(c.schedule.size()) + " decisions, " +
       std::to_string(c.preemptions) + " preemption(s); " + c.note + "\n";
  if (c.events.empty()) return s;
  // The function column is as wide as its longest path (up to 72 characters); a longer path
  // keeps its innermost functions, where the step is, and loses its outer ones.
  size_t width = 8;
  for (const auto& e : c.events) width = std::max(width, e.labels.size());
  width = std::min<size_t>(width, 72);
  auto function_column = [width](const std::string& labels) {
    if (labels.empty()) return fixed("-", width);
    if (labels.size() <= width) return fixed(labels, width);
    return "..." + labels.substr(labels.size() - (width - 3));
  };
  s += "\n  step  thread  " + fixed("function", width) + " operation\n";
  char buf[64];
  for (const auto& e : c.events) {
    const std::string who = thread_name(c, e.tid);
    if (e.visible)
      std::snprintf(buf, sizeof buf, "  %4u  %-7s", e.step, who.c_str());
    else
      std::snprintf(buf, sizeof buf, "     .  %-7s", who.c_str());
    std::string line = buf;
    line += " " + function_column(e.labels) + " " + format_event(e);
    const std::string model = e.loc.line() ? source_where(e.loc) : "";
    if (!e.origin.empty())
      line += "   " + e.origin + (model.empty() ? "" : " (" + model + ")");
    else if (!model.empty())
      line += "   " + model;
    s += line + "\n";
  }
  return s;
}

// The counterexample as a kernel commit message draws a race: one column per thread that
// takes part, headed by the function it runs, time downward, function calls and the
// operations that change shared state, and a blank line where control passes to another
// column. What thread 0 does before the first spawn (building the scenario) and plain loads
// are left out; the step-by-step trace has everything.
std::string format_diagram(const Counterexample& c, int width) {
  const size_t w = static_cast<size_t>(width);
  const size_t begin = first_thread_event(c);
  struct Row {
    int tid;
    std::string text;
  };
  std::vector<Row> rows;
  std::vector<int> cols;
  std::map<int, std::string> header, last_labels;
  std::map<int, int> base_depth;
  for (size_t i = begin; i < c.events.size(); ++i) {
    const EventDetail& e = c.events[i];
    if (!changes_state(e)) {
      // Still note the calls a thread makes, even where it only reads.
      if (e.labels.empty() || e.labels == last_labels[e.tid]) continue;
    }
    if (!header.count(e.tid)) {
      cols.push_back(e.tid);
      const auto p = e.labels.find(" > ");
      header[e.tid] = thread_name(c, e.tid) + (e.labels.empty() ? "" : " " + e.labels.substr(0, p));
      base_depth[e.tid] = 1;
    }
    if (e.labels != last_labels[e.tid]) {
      // Print each function entered since the previous row of this column; a return to a
      // caller prints nothing.
      const std::string& old = last_labels[e.tid];
      const bool returned = old.size() > e.labels.size() &&
                            old.compare(0, e.labels.size(), e.labels) == 0 &&
                            old.compare(e.labels.size(), 3, " > ") == 0;
      size_t common = 0;  // length of the shared leading names, with their separator
      for (size_t k = 0; k < e.labels.size() && k < old.size() && e.labels[k] == old[k]; ++k)
        if (e.labels.compare(k, 3, " > ") == 0 && old.compare(k, 3, " > ") == 0) common = k + 3;
      if (old.size() < e.labels.size() && e.labels.compare(0, old.size(), old) == 0 &&
          e.labels.compare(old.size(), 3, " > ") == 0)
        common = old.size() + 3;
      if (returned) common = e.labels.size();
      size_t pos = common;
      while (pos < e.labels.size()) {
        size_t next = e.labels.find(" > ", pos);
        if (next == std::string::npos) next = e.labels.size();
        const int d = label_depth(e.labels.substr(0, next)) - base_depth[e.tid];
        if (d >= 0)
          rows.push_back({e.tid, std::string(static_cast<size_t>(std::min(d, 8)) * 2, ' ') +
                                     e.labels.substr(pos, next - pos) + "()"});
        pos = next + 3;
      }
      last_labels[e.tid] = e.labels;
    }
    if (changes_state(e)) {
      const int d = std::max(0, std::min(label_depth(e.labels) - base_depth[e.tid] + 1, 9));
      std::string text = op_name(e.kind);
      if (!e.object.empty()) text += " " + e.object;
      if (!e.value.empty()) text += " " + e.value;
      rows.push_back({e.tid, std::string(static_cast<size_t>(d) * 2, ' ') + text});
    }
  }
  // Where the finding is raised: the access that raised it is often not in the log (it
  // failed before it was recorded), so the row comes from the finding itself.
  const Finding& f = c.finding;
  if (f.thread >= 0) {
    if (!header.count(f.thread)) {
      cols.push_back(f.thread);
      header[f.thread] = thread_name(c, f.thread) +
                         (f.labels.empty() ? "" : " " + f.labels.substr(0, f.labels.find(" > ")));
      base_depth[f.thread] = 1;
    }
    const std::string& old = last_labels[f.thread];
    size_t pos = 0;
    if (old.size() <= f.labels.size() && f.labels.compare(0, old.size(), old) == 0 && !old.empty())
      pos = old.size() == f.labels.size() ? f.labels.size() : old.size() + 3;
    while (pos < f.labels.size()) {
      size_t next = f.labels.find(" > ", pos);
      if (next == std::string::npos) next = f.labels.size();
      const int d = label_depth(f.labels.substr(0, next)) - base_depth[f.thread];
      rows.push_back({f.thread, std::string(static_cast<size_t>(std::clamp(d, 0, 8)) * 2, ' ') +
                                    f.labels.substr(pos, next - pos) + "()"});
      pos = next + 3;
    }
    const int d = std::clamp(label_depth(f.labels) - base_depth[f.thread] + 1, 0, 9);
    const std::string place = finding_place(f);
    rows.push_back({f.thread, std::string(static_cast<size_t>(d) * 2, ' ') + "<-- " +
                                  f.kind_string() + (place.empty() ? "" : " at " + place)});
  }
  if (cols.empty()) return {};
  auto col_of = [&](int tid) {
    for (size_t i = 0; i < cols.size(); ++i)
      if (cols[i] == tid) return i;
    return cols.size();
  };
  // Each column as wide as its widest row, within the given width.
  std::map<int, size_t> col_width;
  for (int t : cols) col_width[t] = header[t].size() + 4;
  for (const Row& r : rows) col_width[r.tid] = std::max(col_width[r.tid], r.text.size() + 4);
  for (int t : cols) col_width[t] = std::min(col_width[t], w);
  std::string s, head, rule;
  for (int t : cols) {
    const size_t w = col_width[t];
    head += fixed(header[t], w);
    rule += fixed(std::string(std::min<size_t>(header[t].size(), w - 2), '-'), w);
  }
  auto trim = [](std::string line) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  s += trim(head) + trim(rule);
  int previous = -1;
  for (const Row& r : rows) {
    const size_t col = col_of(r.tid);
    if (previous != -1 && previous != r.tid) s += "\n";
    previous = r.tid;
    // A row wider than its column wraps onto continuation lines (indented two more): the
    // step it shows is never cut. The last column needs no padding and never wraps.
    const size_t cw = col_width[cols[col]];
    std::vector<std::string> pieces;
    if (col + 1 == cols.size() || r.text.size() + 1 <= cw) {
      pieces.push_back(r.text);
    } else {
      const size_t indent =
          r.text.find_first_not_of(' ') == std::string::npos ? 0 : r.text.find_first_not_of(' ');
      const size_t room = cw > indent + 6 ? cw - 1 : indent + 6;
      pieces.push_back(r.text.substr(0, room));
      for (size_t at = room; at < r.text.size();) {
        const std::string lead(indent + 2, ' ');
        const size_t n = room > lead.size() ? room - lead.size() : 4;
        pieces.push_back(lead + r.text.substr(at, n));
        at += n;
      }
    }
    for (const std::string& piece : pieces) {
      std::string line;
      for (size_t i = 0; i < cols.size(); ++i) {
        const size_t w = col_width[cols[i]];
        if (i == col)
          line += i + 1 == cols.size() ? piece : fixed(piece, w);
        else
          line += std::string(w, ' ');
      }
      s += trim(line);
    }
  }
  s += "\n*** " + c.finding.kind_string() + ": " + c.finding.message + "\n";
  return s;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace mc
