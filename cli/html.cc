#include "cli/html.h"

#include <map>
#include <set>

#include "checker/report/finding.h"
#include "checker/report/steps.h"
#include "checker/report/text.h"

namespace gate {

namespace {

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
        out += "&#10;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* kStyle = R"(
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; }
table.runs { border-collapse: collapse; font-size: 0.9em; }
table.runs th, table.runs td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; }
table.runs td.n { text-align: right; }
tr.pass td.verdict { color: #176017; } tr.fail td.verdict, tr.error td.verdict { color: #b00; font-weight: bold; }
tr.incomplete td.verdict { color: #a60; font-weight: bold; }
tr.regression { background: #fff0f0; }
details.finding { margin: 1em 0; border: 1px solid #ccc; padding: 0.4em 0.8em; }
details.finding summary { cursor: pointer; font-weight: bold; }
table.interleaving { border-collapse: collapse; font-family: monospace; font-size: 0.85em; margin-top: 0.5em; }
table.interleaving th { background: #eee; border: 1px solid #ccc; padding: 0.2em 0.5em; vertical-align: top; }
table.interleaving td { border-left: 1px solid #ccc; border-right: 1px solid #ccc; padding: 0.05em 0.5em; vertical-align: top; white-space: pre-wrap; min-width: 16em; }
table.interleaving td.step { color: #888; text-align: right; min-width: 2em; }
td.ev .fn { color: #555; font-style: italic; }
td.ev.plain { color: #777; }
td.ev.race { background: #ffd0d0; outline: 2px solid #c00; font-weight: bold; color: #000; }
p.note { color: #555; font-size: 0.9em; }
)";

// One finding's interleaving: a column per thread that acts after the set-up, time downward.
std::string interleaving(const mc::Counterexample& c) {
  const mc::Finding& f = c.finding;
  const std::vector<mc::Step> steps = mc::drawn_steps(c);
  std::vector<int> cols;
  std::map<int, std::string> head;
  for (const mc::Step& st : steps) {
    if (head.count(st.tid)) continue;
    cols.push_back(st.tid);
    const std::string& l = st.event ? st.event->labels : f.labels;
    head[st.tid] = l.substr(0, l.find(" > "));
  }
  std::string s = "<table class=\"interleaving\"><thead><tr><th>step</th>";
  for (int tid : cols)
    s += "<th class=\"thread\">" + esc(mc::thread_name(c, tid)) +
         (head[tid].empty() ? "" : "<br>" + esc(head[tid])) + "</th>";
  s += "</tr></thead><tbody>\n";
  std::map<int, std::string> last_labels;
  for (const mc::Step& st : steps) {
    std::string step, cls = "ev", labels, text, hover, origin;
    if (st.event) {
      const mc::EventDetail& e = *st.event;
      step = e.visible ? std::to_string(e.step) : ".";
      cls += st.essential ? " race" : e.visible ? "" : " plain";
      labels = e.labels;
      text = mc::format_event(e);
      hover = e.loc.line() ? mc::source_where(e.loc) : "";
      origin = e.origin;
    } else {
      step = "!";
      cls += " race finding";
      labels = f.labels;
      text = f.kind_string();
      hover = f.loc.line() ? mc::source_where(f.loc) : "";
      origin = f.origin;
    }
    if (!origin.empty()) hover += (hover.empty() ? "" : "\n") + std::string("from ") + origin;
    s += "<tr><td class=\"step\">" + step + "</td>";
    for (int col : cols) {
      if (col != st.tid) {
        s += "<td></td>";
        continue;
      }
      std::string cell;
      if (labels != last_labels[col] && !labels.empty())
        cell += "<span class=\"fn\">" + esc(mc::innermost_label(labels)) + "</span>\n";
      last_labels[col] = labels;
      s += "<td class=\"" + cls + "\" title=\"" + esc(hover) + "\">" + cell + esc(text) + "</td>";
    }
    s += "</tr>\n";
  }
  s += "</tbody></table>\n";
  return s;
}

}  // namespace

std::string html_report(const std::vector<Entry>& entries, const std::vector<Change>& changes,
                        const std::string& tool_version) {
  std::map<std::string, std::vector<const Change*>> by_key;
  for (const Change& c : changes) by_key[c.key].push_back(&c);
  size_t passed = 0, failed = 0, incomplete = 0, errors = 0, findings = 0;
  for (const Entry& e : entries) {
    bool regression = false;
    for (const Change* c : by_key[e.key()]) regression |= c->regression;
    if (e.verdict == "error")
      ++errors;
    else if (e.verdict == "incomplete")
      ++incomplete;
    else if (regression)
      ++failed;
    else
      ++passed;
    findings += e.examples.size();
  }
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>migcheck ci</title>\n<style>" +
      std::string(kStyle) + "</style></head><body>\n";
  s += "<h1>migcheck ci</h1>\n<p id=\"summary\">" + std::to_string(entries.size()) +
       " runs: " + std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " +
       std::to_string(incomplete) + " incomplete, " + std::to_string(errors) + " did not run; " +
       std::to_string(findings) + " distinct findings. migcheck " + esc(tool_version) + ".</p>\n";
  s += "<table class=\"runs\" id=\"runs\"><thead><tr><th>test</th><th>variant</th>"
       "<th>verdict</th><th>findings</th><th>complete executions</th><th>changes</th>"
       "<th>seconds</th></tr></thead><tbody>\n";
  size_t n = 0;
  std::string details;
  std::map<std::string, std::pair<std::string, std::string>> drawn;  // drawing -> (id, run)
  for (const Entry& e : entries) {
    bool regression = false;
    std::string changed;
    for (const Change* c : by_key[e.key()]) {
      regression |= c->regression;
      changed += (changed.empty() ? "" : "<br>") + esc(c->what + ": " + c->detail);
    }
    std::string links;
    for (const mc::Counterexample& c : e.examples) {
      const std::string id = "f" + std::to_string(++n);
      links += std::string(links.empty() ? "" : ", ") + "<a href=\"#" + id + "\">" +
               esc(c.finding.kind_string()) + "</a>";
      // The same finding often takes the same steps at many versions: drawn once, linked.
      std::string drawing = interleaving(c);
      auto [first, fresh] = drawn.try_emplace(drawing, id, e.key());
      if (!fresh)
        drawing = "<p class=\"note\">The same interleaving as in <a href=\"#" +
                  first->second.first + "\">" + esc(first->second.second) + "</a>.</p>\n";
      details += std::string("<details class=\"finding\" id=\"") + id + "\"" +
                 (n == 1 || regression ? " open" : "") + "><summary>" +
                 esc(c.finding.kind_string()) + " in " + esc(e.key()) + "</summary>\n<p>" +
                 esc(c.finding.message) + "</p>\n" + drawing + "</details>\n";
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", e.seconds);
    s += "<tr class=\"" + e.verdict + (regression ? " regression" : "") + "\"><td>" + esc(e.test) +
         "</td><td>" + esc(e.variant) + "</td><td class=\"verdict\">" +
         esc(e.verdict == "incomplete" ? "INCOMPLETE" : e.verdict) + "</td><td>" +
         (links.empty() ? "none" : links) + "</td><td class=\"n\">" + std::to_string(e.executions) +
         "</td><td>" + changed +
         (e.verdict != "pass" && !e.why.empty() ? (changed.empty() ? "" : "<br>") + esc(e.why)
                                                : "") +
         "</td><td class=\"n\">" + secs + "</td></tr>\n";
  }
  s += "</tbody></table>\n<h2>Findings</h2>\n<p class=\"note\">Each finding's interleaving: "
       "one column per thread, time downward; the racing accesses are highlighted, and each "
       "step shows its source line on hover.</p>\n" +
       details + "</body></html>\n";
  return s;
}

}  // namespace gate
