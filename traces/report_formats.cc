// The kernel tools' reports: KCSAN, KASAN, hung task, lockdep, "Bad page state", Oops
// (kernel BUG, VM_BUG_ON_PAGE, general protection fault, WARNING) and list-debug corruption.
#include <algorithm>
#include <cstdint>
#include <regex>

#include "checker/test.h"
#include "traces/report_lines.h"

namespace traces::detail {

namespace {

// An access size as the report prints it (digits); 0, unknown, when it does not fit an int.
int access_size(const std::string& digits) {
  int64_t v = 0;
  return mc::parse_decimal(digits, &v) && v >= 0 && v <= INT32_MAX ? static_cast<int>(v) : 0;
}

bool is_separator(const std::string& s) {
  const std::string t = trim(s);
  return t.size() >= 20 && t.find_first_not_of('=') == std::string::npos;
}

bool is_list_corruption(const std::string& s) {
  return s.find("list_del corruption") != std::string::npos ||
         s.find("list_add corruption") != std::string::npos;
}

// Reads the frames from lines[i] on (task markers and unreliable frames skipped) until a blank
// line or a line that is no frame; returns the index after them. A frame whose file went onto
// the next line (a wrapped console line) is joined to it; a line that is no frame between two
// frames is skipped and said so in `skipped`.
size_t read_frames(const std::vector<Line>& lines, size_t i, size_t end, std::vector<Frame>& out,
                   std::vector<std::string>* skipped = nullptr) {
  static const std::regex file_line(R"(^([^\s:]+\.[a-zA-Z]+:\d+)( \[inline\])?$)");
  auto unreliable = [](const std::string& t) {
    return (t.rfind("[<", 0) == 0 && t.find("] ? ") != std::string::npos) || t.rfind("? ", 0) == 0;
  };
  for (; i < end; ++i) {
    const std::string t = trim(lines[i].text);
    if (t.empty()) break;
    if (t == "<TASK>" || t == "</TASK>" || t == "<IRQ>" || t == "</IRQ>") continue;
    if (unreliable(t)) continue;
    if (auto f = parse_frame(t, lines[i].number)) {
      out.push_back(std::move(*f));
      continue;
    }
    std::smatch m;
    if (!out.empty() && out.back().where.empty() && std::regex_match(t, m, file_line)) {
      out.back().where = m[1].str();
      out.back().inlined = out.back().inlined || m[2].matched;
      continue;
    }
    const std::string next = i + 1 < end ? trim(lines[i + 1].text) : "";
    if (skipped && !out.empty() && !next.empty() &&
        (parse_frame(next, lines[i + 1].number) || unreliable(next))) {
      skipped->push_back("line " + std::to_string(lines[i].number) + ": not a stack frame: " + t);
      continue;
    }
    break;
  }
  return i;
}

// The frames after the next "Call Trace:" in [i, end), into a side.
void read_call_trace(const std::vector<Line>& lines, size_t i, size_t end, Side& side,
                     std::vector<std::string>* skipped) {
  for (; i < end; ++i)
    if (trim(lines[i].text) == "Call Trace:") {
      read_frames(lines, i + 1, end, side.frames, skipped);
      return;
    }
}

// Where the report that starts at `start` ends: its closing separator, the end of the trace,
// the start of the next report, or the end of the text.
size_t report_end(const std::vector<Line>& lines, size_t start, ReportFormat f) {
  for (size_t i = start + 1; i < lines.size(); ++i) {
    const std::string& t = lines[i].text;
    if ((f == ReportFormat::kKcsan || f == ReportFormat::kKasan || f == ReportFormat::kLockdep) &&
        is_separator(t) && i > start + 2)
      return i + 1;
    if (t.find("---[ end trace") != std::string::npos) return i + 1;
    if (i > start + 2 && tool_report_at(lines, i)) return i;
  }
  return lines.size();
}

void read_kcsan(const std::vector<Line>& lines, size_t start, size_t end, Report& r) {
  static const std::regex access(
      R"(^(?:race at unknown origin, with )?(read-write|read|write|assert no writes|assert no accesses)( \([a-z, ]+\))? to (0x[0-9a-f]+) of (\d+) bytes by (.+) on cpu (\d+):$)");
  r.symptom = Symptom::kDataRace;
  for (size_t i = start + 1; i < end; ++i) {
    const std::string t = trim(lines[i].text);
    std::smatch m;
    if (std::regex_match(t, m, access)) {
      Side s;
      s.title = t.substr(0, t.size() - 1);
      s.role = "access";
      s.access = m[1].str() + m[2].str();
      s.size = access_size(m[4].str());
      s.line = lines[i].number;
      i = read_frames(lines, i + 1, end, s.frames, &r.skipped) - 1;
      r.sides.push_back(std::move(s));
    } else if (starts_with(t, "value changed:")) {
      r.detail = t;
    }
  }
}

void read_kasan(const std::vector<Line>& lines, size_t start, size_t end, Report& r) {
  static const std::regex kind(R"(^BUG: KASAN: ([a-z-]+) in )");
  static const std::regex access(R"(^(Read|Write) of size (\d+) at addr (\S+) by (.+)$)");
  std::smatch m;
  const std::string title = trim(lines[start].text);
  const std::string k = std::regex_search(title, m, kind) ? m[1].str() : "";
  if (k == "use-after-free" || k == "slab-use-after-free" || k == "vmalloc-use-after-free")
    r.symptom = Symptom::kUseAfterFree;
  else if (k == "double-free" || k == "invalid-free")
    r.symptom = Symptom::kDoubleFree;
  else
    r.symptom = Symptom::kOther;
  for (size_t i = start + 1; i < end; ++i) {
    const std::string t = trim(lines[i].text);
    if (std::regex_match(t, m, access)) {
      Side s;
      s.title = t;
      s.role = "access";
      s.access = m[1].str() == "Read" ? "read" : "write";
      s.size = access_size(m[2].str());
      s.line = lines[i].number;
      read_call_trace(lines, i + 1, end, s, &r.skipped);
      r.sides.push_back(std::move(s));
    } else if (starts_with(t, "Allocated by task") || starts_with(t, "Freed by task")) {
      Side s;
      s.title = t.substr(0, t.size() - (t.back() == ':' ? 1 : 0));
      s.role = starts_with(t, "Freed") ? "free" : "allocation";
      s.line = lines[i].number;
      i = read_frames(lines, i + 1, end, s.frames, &r.skipped) - 1;
      r.sides.push_back(std::move(s));
    } else if (t.find("which belongs to the cache") != std::string::npos) {
      r.detail = t;
    }
  }
}

void read_lockdep(const std::vector<Line>& lines, size_t start, size_t end, Report& r) {
  static const std::regex link(R"(^-> #(\d+) \(([^)]*(?:\)[^){]*)*)\)\{)");
  static const std::regex lock_line(R"(^\S+ \((.+?)\)\{[^}]*\}(?:-\{[^}]*\})?, at: )");
  const std::string title = trim(lines[start].text);
  r.symptom = title.find("circular") != std::string::npos ||
                      title.find("recursive") != std::string::npos ||
                      title.find("inversion") != std::string::npos
                  ? Symptom::kLockOrder
                  : Symptom::kOther;
  for (size_t i = start + 1; i < end; ++i) {
    const std::string t = trim(lines[i].text);
    std::smatch m;
    if (std::regex_search(t, m, link)) {
      Side s;
      s.title = "#" + m[1].str() + " " + m[2].str();
      s.role = "lock chain";
      s.line = lines[i].number;
      r.locks.push_back(m[2].str());
      i = read_frames(lines, i + 1, end, s.frames, &r.skipped) - 1;
      r.sides.push_back(std::move(s));
    } else if (std::regex_search(t, m, lock_line) && r.detail.empty()) {
      r.detail = "trying to acquire " + m[1].str();
    }
  }
}

// The stack of the task a report is about (hung task, bad page, Oops, list corruption).
void read_task_stack(const std::vector<Line>& lines, size_t start, size_t end, Report& r,
                     const std::string& role, const std::string& title) {
  Side s;
  s.title = title;
  s.role = role;
  s.line = lines[start].number;
  for (size_t i = start; i < end; ++i) {
    const std::string t = trim(lines[i].text);
    if (starts_with(t, "RIP: ") && s.frames.empty()) {
      if (auto f = parse_frame(t, lines[i].number)) s.frames.push_back(*f);
    } else if (t == "Call Trace:") {
      i = read_frames(lines, i + 1, end, s.frames, &r.skipped) - 1;
    } else if (starts_with(t, "page dumped because: ")) {
      r.detail = t.substr(std::string("page dumped because: ").size());
    } else if (is_list_corruption(t) && r.detail.empty()) {
      r.detail = t;
    }
  }
  r.sides.push_back(std::move(s));
}

}  // namespace

std::optional<ReportFormat> tool_report_at(const std::vector<Line>& lines, size_t i) {
  static const std::regex hung(R"(INFO: task \S+ blocked for more than \d+ seconds)");
  const std::string& t = lines[i].text;
  auto has = [&](const char* s) { return t.find(s) != std::string::npos; };
  if (has("BUG: KCSAN: ")) return ReportFormat::kKcsan;
  if (has("BUG: KASAN: ")) return ReportFormat::kKasan;
  if (std::regex_search(t, hung)) return ReportFormat::kHungTask;
  if (starts_with(t, "WARNING: possible ") || starts_with(t, "WARNING: inconsistent lock state") ||
      starts_with(t, "WARNING: bad unlock balance"))
    return ReportFormat::kLockdep;
  if (has("BUG: Bad page state")) return ReportFormat::kBadPage;
  if (is_list_corruption(t)) return ReportFormat::kListCorruption;
  if (starts_with(trim(t), "WARNING: CPU: ")) {
    // The list-debug checks warn first and say what they found on the next lines.
    for (size_t j = i + 1; j < lines.size() && j <= i + 3; ++j)
      if (is_list_corruption(lines[j].text)) return std::nullopt;
    return ReportFormat::kOops;
  }
  if (has("kernel BUG at ") || has("general protection fault") || has("BUG: unable to handle") ||
      has("BUG: kernel NULL pointer dereference") || has("page dumped because: VM_BUG_ON"))
    return ReportFormat::kOops;
  return std::nullopt;
}

std::optional<Report> read_tool_report(const std::vector<Line>& lines, size_t start,
                                       ReportFormat format, const std::string& file,
                                       std::string* error) {
  Report r;
  r.format = format;
  const size_t end = report_end(lines, start, format);
  r.first_line = lines[start].number;
  r.last_line = lines[end - 1].number;
  r.title = trim(lines[start].text);
  // The version line is inside the report, or just before it (a WARNING's header).
  r.kernel = find_kernel_version(lines, start >= 3 ? start - 3 : 0, end);
  for (size_t i = start; i < end; ++i)
    if (size_t at = lines[i].text.find("Modules linked in:"); at != std::string::npos) {
      std::string rest = lines[i].text.substr(at + 18);
      for (size_t b = 0; b < rest.size();) {
        const size_t e = std::min(rest.find(' ', b), rest.size());
        if (e > b) r.modules.push_back(rest.substr(b, e - b));
        b = e + 1;
      }
      break;
    }
  switch (format) {
    case ReportFormat::kKcsan:
      read_kcsan(lines, start, end, r);
      break;
    case ReportFormat::kKasan:
      read_kasan(lines, start, end, r);
      break;
    case ReportFormat::kLockdep:
      read_lockdep(lines, start, end, r);
      break;
    case ReportFormat::kHungTask:
      r.symptom = Symptom::kBlocked;
      read_task_stack(lines, start, end, r, "blocked", r.title);
      break;
    case ReportFormat::kBadPage:
      r.symptom = Symptom::kBadPageState;
      read_task_stack(lines, start, end, r, "trace", r.title);
      break;
    case ReportFormat::kListCorruption:
      r.symptom = Symptom::kListCorruption;
      r.detail = r.title;
      read_task_stack(lines, start, end, r, "trace", r.title);
      break;
    case ReportFormat::kOops: {
      const std::string& t = r.title;
      r.symptom = t.find("WARNING") != std::string::npos ? Symptom::kWarning
                  : t.find("general protection") != std::string::npos ||
                          t.find("unable to handle") != std::string::npos ||
                          t.find("NULL pointer") != std::string::npos
                      ? Symptom::kBadAccess
                      : Symptom::kBug;
      read_task_stack(lines, start, end, r, "crash", r.title);
      break;
    }
    case ReportFormat::kDiagram:
      break;
  }
  // What makes a report: a stack to map onto the model.
  bool any_frame = false;
  for (const Side& s : r.sides) any_frame = any_frame || !s.frames.empty();
  if (!any_frame) {
    *error = file + ":" + std::to_string(r.first_line) + ": expected the " + format_name(format) +
             " report that starts here to go on with a stack (frames such as ' func+0x1c/0x40 "
             "mm/file.c:123'), found " +
             (end - start <= 1 ? std::string("the end of the text")
                               : "none up to line " + std::to_string(lines[end - 1].number));
    return std::nullopt;
  }
  if (format == ReportFormat::kKcsan && r.sides.size() == 1 &&
      r.title.find(" / ") != std::string::npos)
    r.skipped.push_back("line " + std::to_string(r.last_line) +
                        ": the title names two functions but only one access was found");
  return r;
}

}  // namespace traces::detail
