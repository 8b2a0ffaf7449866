#include "cli/sarif.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "checker/report/finding.h"
#include "checker/report/steps.h"
#include "checker/report/text.h"

namespace gate {

namespace {

using Json = nlohmann::ordered_json;

// What a rule (a finding kind) means, for the UI's rule list.
std::string rule_text(const std::string& id) {
  static const std::map<std::string, std::string> kinds = {
      {"assertion", "An assertion of the model failed."},
      {"deadlock", "Every live thread is blocked, at least one on a lock or a join."},
      {"lost-wakeup", "A thread sleeps forever: nobody is left to wake it."},
      {"data-race",
       "Two accesses to the same location from different threads, at least one a write and one "
       "not atomic, with no ordering between them."},
      {"use-after-free", "An object is accessed after it was freed."},
      {"double-free", "An object is freed twice."},
      {"leak", "An object is still allocated at the end, and the test did not expect it."},
      {"step-bound", "One execution took too many steps: a possible livelock."},
      {"exception", "A C++ exception escaped a model thread."},
      {"stack-overflow", "A model thread overflowed its stack."},
      {"sleep-in-atomic", "A sleeping operation under a spinlock or with preemption disabled."},
      {"crash", "Model code touched an invalid address: an Oops."},
  };
  const auto it = kinds.find(id);
  return it != kinds.end() ? it->second : "The kernel's check " + id + " fired.";
}

// "protocol/balloon.cc:58" or "litmus/x.litmus:58:3" as a SARIF physical location.
Json physical(const std::string& where) {
  std::string path = where;
  int line = 0, column = 0;
  auto take_number = [&path](int* into) {
    const size_t colon = path.rfind(':');
    if (colon == std::string::npos || colon + 1 == path.size()) return false;
    const std::string digits = path.substr(colon + 1);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    if (digits.size() > 9) return false;
    *into = std::stoi(digits);
    path.resize(colon);
    return true;
  };
  if (take_number(&line)) {
    int first = line;
    if (take_number(&line)) column = first;
  }
  Json artifact;
  if (!path.empty() && path[0] == '/') {
    artifact["uri"] = "file://" + path;
  } else {
    artifact["uri"] = path;
    artifact["uriBaseId"] = "SRCROOT";
  }
  Json p;
  p["artifactLocation"] = artifact;
  if (line > 0) {
    Json region;
    region["startLine"] = line;
    if (column > 0) region["startColumn"] = column;
    p["region"] = region;
  }
  return p;
}

Json code_flow(const mc::Counterexample& c) {
  const mc::Finding& f = c.finding;
  std::vector<int> order;  // threads in the order they first act
  std::map<int, Json> flows;
  int64_t n = 0;
  for (const mc::Step& st : mc::drawn_steps(c)) {
    if (!flows.count(st.tid)) {
      order.push_back(st.tid);
      flows[st.tid]["id"] = mc::thread_name(c, st.tid);
      flows[st.tid]["message"]["text"] = "thread " + mc::thread_name(c, st.tid);
      flows[st.tid]["locations"] = Json::array();
    }
    Json loc;
    std::string where, text, labels;
    if (st.event) {
      const mc::EventDetail& e = *st.event;
      where = e.loc.line() ? mc::source_where(e.loc) : e.origin;
      labels = e.labels;
      text = mc::format_event(e) + (labels.empty() ? "" : " in " + mc::innermost_label(labels));
    } else {  // the finding itself
      where = f.loc.line() ? mc::source_where(f.loc) : f.origin;
      labels = f.labels;
      text = f.kind_string() + ": " + f.message;
    }
    if (!where.empty()) loc["physicalLocation"] = physical(where);
    loc["message"]["text"] = text;
    Json step;
    step["location"] = loc;
    step["executionOrder"] = ++n;
    step["nestingLevel"] = mc::label_depth(labels);
    step["importance"] = st.essential                     ? "essential"
                         : st.event && !st.event->visible ? "unimportant"
                                                          : "important";
    flows[st.tid]["locations"].push_back(step);
  }
  Json cf;
  cf["message"]["text"] = "the interleaving: " + std::to_string(c.schedule.size()) +
                          " scheduling decisions, " + std::to_string(c.preemptions) +
                          " preemption(s); " + c.note;
  cf["threadFlows"] = Json::array();
  for (int tid : order) cf["threadFlows"].push_back(flows[tid]);
  return cf;
}

}  // namespace

std::string sarif_log(const std::vector<Entry>& entries, const std::vector<Change>& changes,
                      const std::string& tool_version) {
  std::set<std::pair<std::string, std::string>> new_findings;  // (key, kind)
  std::set<std::string> unrecorded;                            // keys not in the baseline
  for (const Change& c : changes) {
    if (c.what == "new finding") new_findings.insert({c.key, c.detail});
    if (c.missing) unrecorded.insert(c.key);
  }
  std::vector<std::string> rule_ids;
  std::map<std::string, size_t> rule_index;
  Json results = Json::array();
  Json notifications = Json::array();
  bool ran_all = true;
  for (const Entry& e : entries) {
    const std::string key = e.key();
    if (e.verdict == "incomplete" || e.verdict == "error") {
      Json n;
      n["level"] = e.verdict == "error" ? "error" : "warning";
      n["message"]["text"] = (e.verdict == "error" ? "ERROR " : "INCOMPLETE ") + key + ": " +
                             e.why + (e.verdict == "error" ? "" : " (not a pass)");
      if (!e.source.empty())
        n["locations"].push_back(Json{{"physicalLocation", physical(e.source)}});
      notifications.push_back(n);
      if (e.verdict == "error") ran_all = false;
    }
    for (const mc::Counterexample& c : e.examples) {
      const mc::Finding& f = c.finding;
      const std::string id = f.kind_string();
      if (!rule_index.count(id)) {
        rule_index[id] = rule_ids.size();
        rule_ids.push_back(id);
      }
      const bool is_new = new_findings.count({key, id}) || unrecorded.count(key);
      Json r;
      r["ruleId"] = id;
      r["ruleIndex"] = rule_index[id];
      r["kind"] = "fail";
      r["level"] = is_new || e.verdict == "fail" ? "error" : "note";
      r["baselineState"] = is_new ? "new" : "unchanged";
      std::string text = id + ": " + f.message + ", in " + key;
      if (f.thread >= 0) text += " (thread " + f.thread_label() + ")";
      if (!is_new) text += "; recorded in the baseline";
      r["message"]["text"] = text;
      // The model's line; else the test's statement; else the test's file (a leak or a
      // deadlock found at the end of an execution belongs to no thread's line).
      const std::string where = f.loc.line()        ? mc::source_where(f.loc)
                                : !f.origin.empty() ? f.origin
                                                    : e.source;
      Json loc;
      if (!where.empty()) loc["physicalLocation"] = physical(where);
      if (!f.labels.empty()) {
        Json logical;
        logical["fullyQualifiedName"] = f.labels;
        logical["kind"] = "function";
        loc["logicalLocations"].push_back(logical);
      }
      if (!loc.empty()) r["locations"].push_back(loc);
      if (!f.origin.empty() && f.loc.line()) {
        Json related;
        related["id"] = 1;
        related["physicalLocation"] = physical(f.origin);
        related["message"]["text"] = "the test's statement that drove the model there";
        r["relatedLocations"].push_back(related);
      }
      if (!c.events.empty()) r["codeFlows"].push_back(code_flow(c));
      r["partialFingerprints"]["migcheckFinding/v1"] =
          e.test + "|" + e.variant + "|" + mc::finding_identity(f);
      r["properties"]["test"] = e.test;
      r["properties"]["variant"] = e.variant;
      r["properties"]["verdict"] = e.verdict;
      r["properties"]["completeExecutions"] = e.executions;
      results.push_back(r);
    }
  }
  Json rules = Json::array();
  for (const std::string& id : rule_ids) {
    Json rule;
    rule["id"] = id;
    rule["shortDescription"]["text"] = rule_text(id);
    rules.push_back(rule);
  }
  Json driver;
  driver["name"] = "migcheck";
  driver["version"] = tool_version;
  driver["rules"] = rules;
  Json invocation;
  invocation["executionSuccessful"] = ran_all;
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  Json run;
  run["tool"]["driver"] = driver;
  run["originalUriBaseIds"]["SRCROOT"]["description"]["text"] = "the project's top folder";
  run["invocations"].push_back(invocation);
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = results;
  Json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"].push_back(run);
  return log.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace gate
