// The two-column race diagram of commit messages: a header naming the racing contexts (CPU0 /
// CPU1, Task A / Task B, or the entry functions), an optional dashed underline, then one step
// per line, time flowing down; a step's column is where it starts (tabs are 8 columns), its
// nesting is its indentation within the column, comments are notes, "..." is a gap.
#include <algorithm>
#include <cctype>
#include <regex>

#include "traces/report_lines.h"

namespace traces::detail {

namespace {

std::string expand_tabs(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\t') do
        out += ' ';
      while (out.size() % 8 != 0);
    else
      out += c;
  }
  return out;
}

struct Segment {
  size_t start;
  std::string text;
};

// The line cut at runs of two or more spaces.
std::vector<Segment> segments(const std::string& s) {
  std::vector<Segment> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) break;
    size_t j = i;
    while (j < s.size() && !(s[j] == ' ' && (j + 1 >= s.size() || s[j + 1] == ' '))) ++j;
    out.push_back({i, s.substr(i, j - i)});
    i = j;
  }
  return out;
}

bool is_underline(const std::string& s) {
  const std::string t = trim(s);
  return !t.empty() && t.find_first_not_of("- ") == std::string::npos;
}

// A header: two to four short names ("CPU0", "Task A", "A: zs_map_object", "mapper:
// zs_map_object", "CPU1 z3fold_map", "zs_free", "// reclaim"): a few words, no sentence.
bool header_like(const std::vector<Segment>& seg) {
  static const std::regex name(
      R"(^(//\s*)?[A-Za-z_][A-Za-z0-9_]*(\(\))?:?(\s[A-Za-z0-9_]+(\(\))?:?){0,2}$)");
  if (seg.size() < 2 || seg.size() > 4) return false;
  for (const Segment& s : seg)
    if (s.text.size() > 48 || !std::regex_match(s.text, name)) return false;
  return true;
}

// The first function a step calls ("obj = handle_to_obj(handle)" -> handle_to_obj).
std::string called_function(const std::string& code) {
  static const std::regex call(R"(([A-Za-z_][A-Za-z0-9_]*)\s*\()");
  static const char* const kKeywords[] = {"if",       "while",   "for",    "switch",
                                          "return",   "sizeof",  "typeof", "likely",
                                          "unlikely", "defined", "do"};
  for (auto it = std::sregex_iterator(code.begin(), code.end(), call); it != std::sregex_iterator();
       ++it) {
    const std::string f = (*it)[1].str();
    if (std::find(std::begin(kKeywords), std::end(kKeywords), f) == std::end(kKeywords)) return f;
  }
  return "";
}

// The function a column header names ("A: zs_map_object", "CPU1 z3fold_map", "zs_free").
std::string header_function(const std::string& h) {
  static const std::regex fn(R"(([A-Za-z_][A-Za-z0-9_]*_[A-Za-z0-9_]*|[a-z][a-z0-9]*_[a-z0-9_]+))");
  std::smatch m;
  return std::regex_search(h, m, fn) ? m[1].str() : "";
}

Symptom symptom_from_prose(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto has = [&](const char* s) { return text.find(s) != std::string::npos; };
  if (has("never comes") || has("lost wake") || has("never woken") || has("sleeps forever") ||
      has("blocked forever") || has("hung task") || has("hangs") || has("wakes nobody"))
    return Symptom::kBlocked;
  if (has("use-after-free") || has("use after free") || has("freed") || has(" frees "))
    return Symptom::kUseAfterFree;
  if (has("list_del corruption") || has("list corruption")) return Symptom::kListCorruption;
  if (has("bad page state")) return Symptom::kBadPageState;
  if (has("deadlock") || has("lock inversion") || has("abba")) return Symptom::kLockOrder;
  if (has("vm_bug_on") || has("bug_on") || has("kernel bug")) return Symptom::kBug;
  if (has("data race") || has("data-race")) return Symptom::kDataRace;
  return Symptom::kUnstated;
}

}  // namespace

std::optional<Report> read_diagram(const std::vector<Line>& lines, const std::string& file,
                                   std::string* error) {
  std::vector<std::string> ex;
  for (const Line& l : lines) ex.push_back(expand_tabs(l.text));
  size_t header = lines.size();
  for (size_t i = 0; i + 2 < lines.size() && header == lines.size(); ++i) {
    if (!header_like(segments(ex[i]))) continue;
    // At least two step lines follow (after an optional underline).
    size_t j = i + 1;
    if (j < ex.size() && is_underline(ex[j])) ++j;
    int steps = 0;
    for (; j < ex.size() && !trim(ex[j]).empty(); ++j) ++steps;
    if (steps >= 2) header = i;
  }
  if (header == lines.size()) {
    *error = file + ":1: expected a kernel report (a KCSAN, KASAN, hung task, lockdep, Bad page " +
             "state, Oops or list corruption report) or a two-column race diagram (a header " +
             "naming the racing CPUs, tasks or functions, then one step per line), found neither";
    return std::nullopt;
  }
  Report r;
  r.format = ReportFormat::kDiagram;
  std::vector<Segment> heads = segments(ex[header]);
  const size_t left = heads.front().start;
  for (const Segment& h : heads) {
    Side s;
    s.title = h.text;
    s.role = "column";
    s.line = lines[header].number;
    const std::string f = header_function(h.text);
    if (!f.empty()) {
      Frame fr;
      fr.function = f;
      fr.text = h.text;
      fr.line = lines[header].number;
      s.frames.push_back(fr);
    }
    r.sides.push_back(std::move(s));
  }
  auto column_of = [&](size_t start) {
    size_t c = 0;
    for (size_t k = 0; k < heads.size(); ++k)
      if (heads[k].start <= start + 1) c = k;
    return c;
  };
  std::vector<bool> in_comment(heads.size(), false);
  size_t i = header + 1;
  if (i < ex.size() && is_underline(ex[i])) ++i;
  int row = 0;
  for (; i < ex.size(); ++i) {
    const std::string& s = ex[i];
    if (trim(s).empty()) {
      // A blank line ends the diagram unless more steps follow it.
      size_t k = i + 1;
      while (k < ex.size() && trim(ex[k]).empty()) ++k;
      if (k >= ex.size() || ex[k].find_first_not_of(' ') < left) break;
      continue;
    }
    if (s.find_first_not_of(' ') < left) break;  // prose again
    ++row;
    for (const Segment& seg : segments(s)) {
      const size_t c = column_of(seg.start);
      Side& side = r.sides[c];
      std::string code = seg.text, note;
      // Comments: /* ... */ (possibly over several lines), // ..., and a bracketed note.
      if (in_comment[c]) {
        note = code;
        code.clear();
        if (note.find("*/") != std::string::npos) in_comment[c] = false;
      } else if (size_t open = code.find("/*"); open != std::string::npos) {
        note = code.substr(open);
        code = trim(code.substr(0, open));
        if (note.find("*/") == std::string::npos) in_comment[c] = true;
      } else if (size_t slashes = code.find("//"); slashes != std::string::npos) {
        note = code.substr(slashes);
        code = trim(code.substr(0, slashes));
      } else if (code.front() == '[' && code.back() == ']') {
        note = code;
        code.clear();
      }
      if (code.empty() || code == "...") {
        if (!note.empty() && !side.frames.empty())
          side.frames.back().note += (side.frames.back().note.empty() ? "" : " ") + note;
        continue;
      }
      Frame f;
      f.text = code;
      f.note = note;
      f.function = called_function(code);
      f.depth = static_cast<int>((seg.start > heads[c].start ? seg.start - heads[c].start : 0) / 2);
      f.row = row;
      f.line = lines[i].number;
      side.frames.push_back(std::move(f));
    }
  }
  r.first_line = lines[header].number;
  r.last_line = lines[i - 1].number;
  // The commit's subject line, and what its text says happened.
  if (header > 0 && !trim(lines[0].text).empty() && lines[0].text.front() != ' ' &&
      lines[0].text.front() != '\t')
    r.title = trim(lines[0].text);
  std::string prose;
  for (size_t k = 0; k < lines.size(); ++k)
    if (k < header || k >= i) prose += lines[k].text + "\n";
  std::string notes;
  for (const Side& sd : r.sides)
    for (const Frame& f : sd.frames) notes += f.note + "\n";
  r.symptom = symptom_from_prose(prose);
  if (r.symptom == Symptom::kUnstated) r.symptom = symptom_from_prose(notes);
  r.kernel = find_kernel_version(lines, 0, lines.size());
  for (const Side& sd : r.sides)
    if (sd.frames.empty())
      r.skipped.push_back("line " + std::to_string(sd.line) + ": the column '" + sd.title +
                          "' has no step that calls a function");
  return r;
}

}  // namespace traces::detail
