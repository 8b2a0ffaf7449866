// The reader of kernel reports: the lines as printed (console prefixes off), the frames of a
// stack, the kernel version, and one reader per format (report_formats.cc, diagram.cc).
#include "traces/report.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "traces/report_lines.h"

namespace traces {

const char* format_name(ReportFormat f) {
  switch (f) {
    case ReportFormat::kKcsan:
      return "kcsan";
    case ReportFormat::kKasan:
      return "kasan";
    case ReportFormat::kHungTask:
      return "hung-task";
    case ReportFormat::kLockdep:
      return "lockdep";
    case ReportFormat::kBadPage:
      return "bad-page";
    case ReportFormat::kOops:
      return "oops";
    case ReportFormat::kListCorruption:
      return "list-corruption";
    case ReportFormat::kDiagram:
      return "diagram";
  }
  return "?";
}

const char* symptom_name(Symptom s) {
  switch (s) {
    case Symptom::kDataRace:
      return "data race";
    case Symptom::kUseAfterFree:
      return "use-after-free";
    case Symptom::kDoubleFree:
      return "double free";
    case Symptom::kBlocked:
      return "task blocked forever";
    case Symptom::kBadPageState:
      return "bad page state";
    case Symptom::kBug:
      return "kernel BUG";
    case Symptom::kWarning:
      return "kernel warning";
    case Symptom::kBadAccess:
      return "bad memory access";
    case Symptom::kListCorruption:
      return "list corruption";
    case Symptom::kLockOrder:
      return "lock-order cycle";
    case Symptom::kOther:
      return "other";
    case Symptom::kUnstated:
      return "not stated";
  }
  return "?";
}

std::vector<const Side*> Report::racing_sides() const {
  std::vector<const Side*> out;
  for (const Side& s : sides)
    if (s.role == "access" || s.role == "free" || s.role == "column") out.push_back(&s);
  if (out.empty())
    for (const Side& s : sides) out.push_back(&s);
  return out;
}

std::string strip_compiler_suffix(std::string_view function) {
  // GCC's clones and split parts: .isra.N, .constprop.N, .part.N, .cold, .cold.N, .llvm.N
  const size_t dot = function.find('.');
  return std::string(dot == std::string_view::npos ? function : function.substr(0, dot));
}

std::string kernel_version_for_model(const std::string& printed) {
  static const std::regex re(R"(^(\d+)\.(\d+)(?:\.(\d+))?(-rc\d+)?)");
  if (printed.size() > 64) return printed;  // no version is that long; keep the regex short
  std::smatch m;
  if (!std::regex_search(printed, m, re)) return printed;
  std::string v = m[1].str() + "." + m[2].str();
  if (m[3].matched && m[3].str() != "0") v += "." + m[3].str();
  if (m[4].matched) v += m[4].str();
  return v;
}

namespace detail {

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> out;
  // A console log prefixes lines with "[  123.456789]" and, with CONFIG_PRINTK_CALLER,
  // "[T1234]" or "[C3]": both are dropped, and so is a CR before the newline.
  static const std::regex prefix(R"(^\[\s*\d+\.\d+\]\s?(\[\s*[TC]\d+\]\s?)?)");
  size_t pos = 0;
  int number = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string s(text.substr(pos, std::min(end - pos, kMaxLineLength + 1)));
    const bool cut = s.size() > kMaxLineLength;
    if (cut) s.resize(kMaxLineLength);
    if (!s.empty() && s.back() == '\r') s.pop_back();
    ++number;
    std::smatch m;
    if (std::regex_search(s, m, prefix)) s = m.suffix().str();
    out.push_back({number, std::move(s), cut});
    if (end == text.size()) break;
    pos = end + 1;
  }
  while (!out.empty() && trim(out.back().text).empty()) out.pop_back();
  return out;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::optional<Frame> parse_frame(const std::string& raw, int line) {
  // "[<ffffffff816f2a4e>] ? isolate_freepages_block+0x3e0/0x3e0" (3.x, "?" = unreliable),
  // " create_page_chain+0x72/0x140 mm/zsmalloc.c:1036", " replace_sub_page mm/zsmalloc.c:1813
  // [inline]", "RIP: 0010:func+0x1/0x2", " func+0x1/0x2 [module]".
  static const std::regex re(
      R"(^(?:\[<[0-9a-f]+>\]\s*)?(\? )?([A-Za-z_][A-Za-z0-9_.]*)(\+0x[0-9a-f]+/0x[0-9a-f]+)?(?: \[[A-Za-z0-9_]+\])?(?: ([^\s:]+:\d+))?( \[inline\])?\s*$)");
  std::string s = trim(raw);
  if (starts_with(s, "RIP: ")) {
    s = s.substr(5);
    const size_t colon = s.find(':');
    if (colon != std::string::npos && colon < 6) s = s.substr(colon + 1);
  }
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  if (m[1].matched) return std::nullopt;  // an unreliable frame: not part of the call chain
  if (!m[3].matched && !m[4].matched) return std::nullopt;  // a bare word is not a frame
  Frame f;
  f.function = strip_compiler_suffix(m[2].str());
  f.where = m[4].str();
  f.inlined = m[5].matched;
  f.line = line;
  return f;
}

std::optional<std::string> find_kernel_version(const std::vector<Line>& lines, size_t begin,
                                               size_t end) {
  // "CPU: 3 PID: 1877 Comm: kworker/3:2 Not tainted 5.17.0-rc5 #1", "Tainted: G    B   5.9.1
  // #1", lockdep's "6.11.0-rc6 #3 Not tainted", hung task's "      Not tainted 5.10.0 #1".
  static const std::regex after_taint(R"((?:Not tainted|Tainted: [A-Z ]*?)\s+(\d+\.\d+\S*))");
  static const std::regex before_taint(
      R"(^\s*(\d+\.\d+\S*)\s+(?:#\d+\s+)?(?:Not tainted|Tainted))");
  static const std::regex linux_version(R"(Linux version (\d+\.\d+\S*))");
  for (size_t i = begin; i < end && i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_search(lines[i].text, m, after_taint) ||
        std::regex_search(lines[i].text, m, before_taint) ||
        std::regex_search(lines[i].text, m, linux_version))
      return m[1].str();
  }
  return std::nullopt;
}

}  // namespace detail

std::optional<Report> read_report(std::string_view text, const std::string& file,
                                  std::string* error) {
  const std::vector<detail::Line> lines = detail::split_lines(text);
  // The first line that starts a report of a known format; a diagram only when no tool's
  // report is in the text (commit messages quote reports too).
  size_t start = lines.size();
  ReportFormat format{};
  for (size_t i = 0; i < lines.size() && start == lines.size(); ++i)
    if (auto f = detail::tool_report_at(lines, i)) {
      start = i;
      format = *f;
    }
  std::optional<Report> r;
  if (start < lines.size())
    r = detail::read_tool_report(lines, start, format, file, error);
  else
    r = detail::read_diagram(lines, file, error);
  if (r) {
    r->file = file;
    for (const detail::Line& l : lines)
      if (l.cut && l.number >= r->first_line && l.number <= r->last_line)
        r->skipped.push_back("line " + std::to_string(l.number) + ": longer than " +
                             std::to_string(detail::kMaxLineLength) +
                             " characters: only the first " +
                             std::to_string(detail::kMaxLineLength) + " were read");
  }
  return r;
}

}  // namespace traces
