#include "traces/reproduce.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "checker/report/text.h"
#include "litmus/bindings/all.h"
#include "litmus/catalog.h"
#include "litmus/parser.h"
#include "litmus/runner.h"
#include "protocol/names.h"
#include "protocol/version.h"
#include "traces/scenario_builder.h"
#include "traces/trace_file.h"

namespace traces {

namespace {

using Clock = std::chrono::steady_clock;

// The first, short search of each candidate scenario, in executions, not seconds, so that which
// candidate answers first is the same on any machine and under any load (about 3 s of the
// zsmalloc scenarios on a 2-core machine).
constexpr uint64_t kQuickExecutions = 150000;

ReproduceOptions quick_options(const ReproduceOptions& o) {
  ReproduceOptions q = o;
  q.max_executions =
      o.max_executions ? std::min(o.max_executions, kQuickExecutions) : kQuickExecutions;
  return q;
}

// The names a report's function can bind to: the model's labelled kernel functions and the
// functions litmus files call.
const std::set<std::string>& vocabulary() {
  static const std::set<std::string> v = [] {
    std::set<std::string> s;
    for (const auto& f : proto::modelled_functions()) s.insert(f.name);
    for (const auto& [name, f] : litmus::model_bindings().functions()) s.insert(name);
    return s;
  }();
  return v;
}

bool is_stack(const Report& r) { return r.format != ReportFormat::kDiagram; }

BoundSide bind_side(const Side& s) {
  BoundSide b;
  b.side = s;
  for (const Frame& f : s.frames) {
    if (f.function.empty()) continue;
    const std::string name(proto::model_name(f.function));
    auto& list = vocabulary().count(name) ? b.modelled : b.unmodelled;
    const std::string& shown = vocabulary().count(name) ? name : f.function;
    if (std::find(list.begin(), list.end(), shown) == list.end()) list.push_back(shown);
  }
  return b;
}

// The modelled names closest to `names`, best first, at most `max`: within a third of the
// name's length in edits, or sharing two words that are not the kernel's everyday ones
// ("page", "lock", "free", ...): "z3fold_page_migrate" finds "zs_page_migrate", a network
// function finds nothing.
std::vector<std::string> nearest_names(const std::vector<std::string>& names, size_t max) {
  static const std::set<std::string> kEveryday = {
      "page",  "pages", "lock",  "unlock", "trylock", "read", "write", "get", "put", "free",
      "alloc", "map",   "unmap", "set",    "clear",   "sys",  "init",  "add", "del", "list"};
  auto words = [](const std::string& s) {
    std::set<std::string> w;
    std::string cur;
    for (char c : s + "_") {
      if (c == '_') {
        if (cur.size() >= 3 && !kEveryday.count(cur)) w.insert(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    return w;
  };
  std::vector<std::pair<double, std::string>> scored;
  for (const std::string& m : vocabulary()) {
    double best = 1e9;
    const auto mw = words(m);
    for (const std::string& n : names) {
      const double d = static_cast<double>(mc::edit_distance(n, m)) /
                       static_cast<double>(std::max(n.size(), m.size()));
      int shared = 0;
      for (const auto& a : words(n)) shared += static_cast<int>(mw.count(a));
      if ((d <= 0.34 || shared >= 2) && d - 0.25 * shared < best) best = d - 0.25 * shared;
    }
    if (best < 1e9) scored.push_back({best, m});
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < max; ++i) out.push_back(scored[i].second);
  return out;
}

// The finding kinds (as Expect lines name them) that show a symptom.
std::vector<std::string> kinds_for(Symptom s) {
  switch (s) {
    case Symptom::kDataRace:
      return {"data-race"};
    case Symptom::kUseAfterFree:
      return {"use-after-free", "bad page access"};
    case Symptom::kDoubleFree:
      return {"double-free"};
    case Symptom::kBlocked:
      return {"lost-wakeup", "deadlock"};
    case Symptom::kBadPageState:
      return {"bad page state"};
    case Symptom::kBug:
      return {"VM_BUG_ON", "VM_BUG_ON_PAGE", "BUG_ON", "assertion"};
    case Symptom::kWarning:
      return {"VM_WARN_ON_ONCE_PAGE", "WARN_ON_ONCE", "WARN_ON"};
    case Symptom::kBadAccess:
      return {"crash",
              "use-after-free",
              "bad page access",
              "general protection fault",
              "NULL pointer dereference",
              "list_del corruption"};
    case Symptom::kListCorruption:
      return {"list_del corruption", "list_add corruption"};
    case Symptom::kLockOrder:
      return {"deadlock"};
    case Symptom::kOther:
      return {};
    case Symptom::kUnstated:
      return {"*"};
  }
  return {};
}

std::vector<std::string> split_path(const std::string& labels) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= labels.size()) {
    size_t e = labels.find(" > ", b);
    if (e == std::string::npos) e = labels.size();
    if (e > b) out.push_back(labels.substr(b, e - b));
    b = e + 3;
  }
  return out;
}

bool path_has(const std::string& labels, const std::string& fn) {
  const auto p = split_path(labels);
  return std::find(p.begin(), p.end(), fn) != p.end();
}

bool trace_has(const mc::Counterexample& c, const std::string& fn) {
  if (path_has(c.finding.labels, fn) || path_has(c.finding.other_labels, fn)) return true;
  for (const auto& e : c.events)
    if (path_has(e.labels, fn)) return true;
  return false;
}

// The functions of a side a finding must show it ran: for a stack, its innermost modelled
// function (where the access was); for a diagram column, any of its steps.
std::vector<std::string> key_functions(const Report& r, const BoundSide& s) {
  if (s.modelled.empty()) return {};
  if (is_stack(r)) return {s.modelled.front()};
  return s.modelled;
}

bool any_in_path(const std::vector<std::string>& fns, const std::string& labels) {
  for (const auto& f : fns)
    if (path_has(labels, f)) return true;
  return false;
}

bool any_in_trace(const std::vector<std::string>& fns, const mc::Counterexample& c) {
  for (const auto& f : fns)
    if (trace_has(c, f)) return true;
  return false;
}

// The label paths a finding's message quotes ("... blocked in sleep of ... [async_free_zspage >
// lock_zspage > lock_page]").
std::vector<std::string> bracketed_paths(const std::string& m) {
  std::vector<std::string> out;
  for (size_t b = m.find('['); b != std::string::npos; b = m.find('[', b + 1)) {
    const size_t e = m.find(']', b);
    if (e == std::string::npos) break;
    out.push_back(m.substr(b + 1, e - b - 1));
  }
  return out;
}

// Whether the finding shows the report: its two sides run the report's two sides (a data race,
// a use-after-free and its free), or the whole interleaving runs every side of the report.
bool sides_match(const Reproduction& rep, const mc::Counterexample& c) {
  std::vector<std::vector<std::string>> keys;
  for (const BoundSide& s : rep.sides) keys.push_back(key_functions(rep.report, s));
  if (!c.finding.other_labels.empty() && keys.size() == 2) {
    const std::string& now = c.finding.labels;
    const std::string& before = c.finding.other_labels;
    const bool kasan = rep.report.format == ReportFormat::kKasan;
    // KASAN: the first side is the bad access, the second the free.
    if (kasan) return any_in_path(keys[0], now) && any_in_path(keys[1], before);
    return (any_in_path(keys[0], now) && any_in_path(keys[1], before)) ||
           (any_in_path(keys[0], before) && any_in_path(keys[1], now));
  }
  // One stack (a hung task, an Oops, a bad page): it is the thread that met the finding, or
  // for a task blocked forever, one of the threads the finding names as blocked.
  if (keys.size() == 1 && is_stack(rep.report) && c.finding.kind != mc::FindingKind::kDataRace) {
    if (any_in_path(keys[0], c.finding.labels)) return true;
    for (const std::string& p : bracketed_paths(c.finding.message))
      if (any_in_path(keys[0], p)) return true;
    return false;
  }
  for (const auto& k : keys)
    if (!any_in_trace(k, c)) return false;
  return true;
}

bool list_link_race(const mc::Counterexample& c) {
  const std::string& m = c.finding.message;
  return c.finding.kind == mc::FindingKind::kDataRace &&
         (m.find(".next") != std::string::npos || m.find(".prev") != std::string::npos ||
          m.find("lru") != std::string::npos);
}

// The counterexample of `r` that shows the report, if any; `consequence` says whether it shows
// a data race by its effect, or a list corruption by the race on the list's links.
// Whether a finding of kind `k` is one of `kinds` ("*": any finding but the end-state ones).
bool shows(const std::vector<std::string>& kinds, const std::string& k) {
  if (std::find(kinds.begin(), kinds.end(), "*") != kinds.end())
    return k != "leak" && k != "end state";
  return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
}

const mc::Counterexample* match(const Reproduction& rep, const mc::RunResult& r,
                                bool* consequence) {
  std::vector<const mc::Counterexample*> all;
  for (const auto& c : r.all_findings) all.push_back(&c);
  if (all.empty() && r.counterexample) all.push_back(&*r.counterexample);
  auto wanted = [](const std::vector<std::string>& kinds, const mc::Counterexample& c) {
    return shows(kinds, c.finding.kind_string());
  };
  for (const auto* c : all)
    if (wanted(rep.kinds, *c) && sides_match(rep, *c)) {
      *consequence = false;
      return c;
    }
  // An effect counts when it happened in one of the report's sides (the thread that met it
  // was in a side's key function, or its other side was), and the interleaving ran every side.
  auto in_a_side = [&](const mc::Counterexample& c) {
    for (const BoundSide& s : rep.sides)
      if (any_in_path(key_functions(rep.report, s), c.finding.labels) ||
          any_in_path(key_functions(rep.report, s), c.finding.other_labels))
        return true;
    return false;
  };
  for (const auto* c : all)
    if ((wanted(rep.consequence_kinds, *c) ||
         (rep.report.symptom == Symptom::kListCorruption && list_link_race(*c))) &&
        (rep.report.symptom == Symptom::kListCorruption || in_a_side(*c)) && sides_match(rep, *c)) {
      *consequence = true;
      return c;
    }
  return nullptr;
}

std::set<std::string> identifiers(const std::string& text) {
  static const std::regex id(R"([A-Za-z_][A-Za-z0-9_]*)");
  std::set<std::string> s;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), id); it != std::sregex_iterator();
       ++it)
    s.insert(it->str());
  return s;
}

// The subsystem folder of the scenario library a report points at through its modules or its
// files ("balloon", "zsmalloc", "z3fold"), if any.
std::set<std::string> subsystem_hints(const Report& r) {
  std::set<std::string> out;
  auto add_for = [&](const std::string& s) {
    if (s.find("balloon") != std::string::npos) out.insert("balloon");
    if (s.find("zsmalloc") != std::string::npos || s.find("zram") != std::string::npos ||
        s.find("zswap") != std::string::npos)
      out.insert("zsmalloc");
    if (s.find("z3fold") != std::string::npos) out.insert("z3fold");
  };
  for (const auto& m : r.modules) add_for(m);
  for (const auto& s : r.sides)
    for (const auto& f : s.frames) add_for(f.where);
  return out;
}

// A scenario to search: one of the library's, or one built from the report's entry points.
struct Candidate {
  std::string name;  // "zsmalloc/map-vs-migrate", "built/zsmalloc/zs_free-vs-migrate_pages"
  std::string path;  // for messages
  std::string text;
  int score = 0;
  // Its exhaustive search is part of a refutation; the others (one short of the best score)
  // get the short directed search only, and a cut one is listed as not counted.
  bool primary = true;
  std::vector<std::string> bugs;  // the bug variants it names besides none
};

std::vector<Candidate> library_candidates(const Reproduction& rep) {
  // Every function of the report, bound or not, by the model's name, with the report's
  // spellings (a scenario's text may name "__ClearPageIsolated" where the model has
  // ClearPageIsolated); a function counts once whichever spelling the text has.
  std::map<std::string, std::set<std::string>> names;
  for (const Side& s : rep.report.sides)
    for (const Frame& f : s.frames)
      if (!f.function.empty()) {
        const std::string model(proto::model_name(f.function));
        names[model].insert(model);
        names[model].insert(f.function);
      }
  auto named = [](const std::set<std::string>& ids, const std::set<std::string>& spellings) {
    for (const auto& sp : spellings)
      if (ids.count(sp)) return true;
    return false;
  };
  const auto hints = subsystem_hints(rep.report);
  std::vector<Candidate> out;
  for (const auto* file : litmus::catalog()) {
    const auto ids = identifiers(file->text);
    bool covers = true;
    for (const BoundSide& s : rep.sides) {
      bool any = false;
      for (const auto& f : s.modelled) any = any || named(ids, names[f]);
      covers = covers && any;
    }
    if (!covers) continue;
    int score = 0;
    for (const auto& [model, spellings] : names) score += named(ids, spellings) ? 1 : 0;
    const std::string folder = std::string(file->name).substr(0, std::string(file->name).find('/'));
    if (hints.count(folder)) score += 3;
    Candidate c{file->name, file->path, file->text, score, true, {}};
    auto parsed = litmus::parse_litmus(file->text, file->path);
    if (parsed.test) {
      std::set<std::string> bugs;
      if (auto it = parsed.test->settings.find("bug"); it != parsed.test->settings.end()) {
        std::stringstream ss(it->second);
        for (std::string b; std::getline(ss, b, ',');) bugs.insert(b);
      }
      for (const auto& e : parsed.test->expected_findings)
        if (!e.bug.empty()) bugs.insert(e.bug);
      bugs.erase("none");
      bugs.erase("all");
      c.bugs.assign(bugs.begin(), bugs.end());
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) return out;
  // The scenarios closest to the report: those that name the most of its functions (a
  // subsystem the report points at counts 3), and those one short of them, best first.
  const int best = std::max_element(out.begin(), out.end(), [](auto& a, auto& b) {
                     return a.score < b.score;
                   })->score;
  out.erase(std::remove_if(out.begin(), out.end(), [&](auto& c) { return c.score < best - 1; }),
            out.end());
  for (auto& c : out) c.primary = c.score == best;
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.score > b.score; });
  return out;
}

// The scenarios built from the report's entry points at `version` (scenario_builder.h).
std::vector<Candidate> built_candidates(const Reproduction& rep, const std::string& version,
                                        std::string* why_not) {
  std::vector<SideWanted> sides;
  for (const BoundSide& b : rep.sides) sides.push_back({b.modelled, key_functions(rep.report, b)});
  std::vector<Candidate> out;
  for (BuiltScenario& b : build_scenarios(sides, subsystem_hints(rep.report), version, why_not))
    out.push_back(Candidate{b.name, b.name, std::move(b.text), 0, true, {}});
  return out;
}

Search run_search(const Reproduction& rep, const Candidate& file, const std::string& version,
                  const std::string& bug, const ReproduceOptions& o) {
  Search s;
  s.scenario = file.name;
  s.counted = file.primary;
  s.version = version;
  s.bug = bug;
  mc::ExploreOptions eo;
  eo.all_findings = true;
  eo.time_limit = o.time_limit;
  eo.max_executions = o.max_executions;
  eo.minimize_seconds = 2;
  // Directed: stop at the first finding that may be the report's (its kind, in a thread
  // running one of the report's functions); the full match is made on its counterexample,
  // and if it fails the search runs again to the end.
  eo.minimize_if = [&rep](const mc::Finding& f) {
    const std::string k = f.kind_string();
    if (!shows(rep.kinds, k) && !shows(rep.consequence_kinds, k)) return false;
    for (const BoundSide& b : rep.sides)
      if (any_in_path(key_functions(rep.report, b), f.labels)) return true;
    return false;
  };
  eo.stop_at = eo.minimize_if;
  const litmus::Overrides ov = {{"kernel", version}, {"bug", bug}};
  const auto t0 = Clock::now();
  litmus::LitmusRun run = litmus::run_litmus_source(file.text, file.path, eo, ov);
  bool consequence = false;
  if (run.result && run.result->stopped_at && !match(rep, *run.result, &consequence)) {
    eo.stop_at = nullptr;
    run = litmus::run_litmus_source(file.text, file.path, eo, ov);
  }
  s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!run.errors.empty() || !run.result) {
    s.error = run.errors.empty() ? "the scenario did not run" : run.errors.front();
    return s;
  }
  const mc::RunResult& r = *run.result;
  s.executions = r.complete + r.with_finding + r.blocked;
  s.exhaustive = r.exhausted && r.limit.empty() && r.error.empty();
  s.limit = !r.error.empty() ? r.error : r.limit;
  for (const std::string& k : mc::finding_kinds(r))
    if (std::find(s.kinds.begin(), s.kinds.end(), k) == s.kinds.end()) s.kinds.push_back(k);
  if (std::find(s.kinds.begin(), s.kinds.end(), "litmus") != s.kinds.end()) {
    s.absent = true;
    s.counted = false;
    return s;
  }
  if (const mc::Counterexample* c = match(rep, r, &consequence)) {
    mc::RunResult kept = r;
    kept.test = file.name;  // what `migcheck replay` finds it by
    kept.counterexample = *c;
    kept.all_findings.clear();
    s.run = std::move(kept);
    s.consequence = consequence;
  }
  return s;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// Versions as ranges of consecutive modelled versions: "4.8-5.0, 5.17-5.18".
std::string version_ranges(const std::vector<std::string>& vs) {
  const auto& all = proto::kernel_choices();
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < vs.size()) {
    size_t j = i;
    auto idx = [&](const std::string& v) {
      return std::find(all.begin(), all.end(), v) - all.begin();
    };
    while (j + 1 < vs.size() && idx(vs[j + 1]) == idx(vs[j]) + 1) ++j;
    parts.push_back(i == j ? vs[i] : vs[i] + "-" + vs[j]);
    i = j + 1;
  }
  return join(parts, ", ");
}

}  // namespace

const Search* Reproduction::reproduced_by() const {
  for (const VersionAnswer& v : versions)
    if (v.version == model_version && v.by >= 0) return &searches[v.by];
  for (const VersionAnswer& v : versions)
    if (v.by >= 0) return &searches[v.by];
  return nullptr;
}

Reproduction reproduce(const Report& report, const ReproduceOptions& o) {
  const auto t0 = Clock::now();
  Reproduction rep;
  rep.report = report;
  for (const Side* s : rep.report.racing_sides()) rep.sides.push_back(bind_side(*s));
  for (const BoundSide& b : rep.sides)
    for (const auto& f : b.modelled)
      if (std::find(rep.functions.begin(), rep.functions.end(), f) == rep.functions.end())
        rep.functions.push_back(f);
  rep.kinds = kinds_for(report.symptom);
  // An Oops that names its check ("page dumped because: VM_BUG_ON_PAGE(...)") wants that check.
  for (const char* check : {"VM_BUG_ON_PAGE", "VM_BUG_ON_FOLIO", "VM_WARN_ON_ONCE_PAGE"})
    if (report.symptom != Symptom::kBadPageState && report.detail.rfind(check, 0) == 0)
      rep.kinds = {std::string(check) == "VM_BUG_ON_FOLIO" ? "VM_BUG_ON_PAGE" : check};
  if (report.symptom == Symptom::kDataRace)
    rep.consequence_kinds = {"use-after-free",  "VM_BUG_ON_PAGE",       "VM_BUG_ON",
                             "bad page state",  "list_del corruption",  "list_add corruption",
                             "bad page access", "stale object location"};
  auto finish = [&] {
    rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return rep;
  };

  // The version asked: --kernel, else the report's.
  std::string asked = !o.kernel.empty() ? o.kernel : report.kernel.value_or("");
  std::string model;
  if (!asked.empty()) {
    std::string v = kernel_version_for_model(asked);
    std::string rc_note;
    if (size_t rc = v.find("-rc"); rc != std::string::npos) {
      rc_note = "a release candidate has its release's merge-window changes, so it is taken as " +
                v.substr(0, rc) + "; ";
      v = v.substr(0, rc);
    }
    model = proto::modelled_kernel_for(v);
    if (model.empty()) {
      rep.kernel_note =
          asked + " is before the first modelled version (" + proto::kernel_choices().front() +
          "; non-LRU page migration arrived in 4.8): every modelled version is searched";
    } else {
      rep.kernel_note =
          rc_note +
          (model == v ? "modelled as " + model
                      : "modelled by " + model + ", the newest modelled version at or before " + v);
    }
  } else {
    rep.kernel_note = "the report names no kernel version: every modelled version is searched";
  }

  // Not in the model: a side with no modelled function, or a symptom it cannot show.
  for (const BoundSide& b : rep.sides)
    if (b.modelled.empty()) {
      rep.verdict = "not-in-model";
      std::vector<std::string> names = b.unmodelled;
      rep.reason =
          "the model has none of the functions of " +
          (b.side.title.empty() ? std::string("a side") : "'" + b.side.title + "'") +
          (names.empty()
               ? std::string(" (it names no function)")
               : " (" +
                     join(std::vector<std::string>(
                              names.begin(), names.begin() + std::min<size_t>(names.size(), 6)),
                          ", ") +
                     (names.size() > 6 ? ", ..." : "") + ")");
      std::vector<std::string> all_unmodelled;
      for (const BoundSide& x : rep.sides)
        all_unmodelled.insert(all_unmodelled.end(), x.unmodelled.begin(), x.unmodelled.end());
      rep.nearest = nearest_names(all_unmodelled, 5);
      return finish();
    }
  if (rep.kinds.empty()) {
    rep.verdict = "not-in-model";
    rep.reason =
        std::string("the model has no finding that shows this symptom (") + report.title + ")";
    return finish();
  }
  std::vector<std::string> versions;
  if (o.all_versions || model.empty())
    versions = proto::kernel_choices();
  else
    versions = {model};
  // The library's scenarios, and per version those built from the report's entry points.
  const std::vector<Candidate> cands =
      o.scenarios == "built" ? std::vector<Candidate>() : library_candidates(rep);
  std::map<std::string, std::vector<Candidate>> built;
  std::string why_not_built;
  if (o.scenarios != "library")
    for (const std::string& v : versions) built[v] = built_candidates(rep, v, &why_not_built);
  auto note_scenario = [&](const std::string& name) {
    if (std::find(rep.scenarios.begin(), rep.scenarios.end(), name) == rep.scenarios.end())
      rep.scenarios.push_back(name);
  };
  for (const auto& c : cands) note_scenario(c.name);
  for (const auto& [v, list] : built)
    for (const auto& c : list) note_scenario(c.name);
  if (rep.scenarios.empty()) {
    rep.verdict = "not-in-model";
    std::vector<std::string> sides;
    for (const BoundSide& b : rep.sides) sides.push_back(join(b.modelled, "/"));
    rep.reason = (o.scenarios == "built" ? std::string("no built scenario runs ")
                                         : std::string("no scenario of the library runs ")) +
                 join(sides, " against ") +
                 (o.scenarios == "library" ? "" : "; and " + why_not_built);
    return finish();
  }

  for (const std::string& v : versions) {
    VersionAnswer a;
    a.version = v;
    bool all_exhaustive = true;
    std::vector<Candidate> here = cands;
    here.insert(here.end(), built[v].begin(), built[v].end());
    // First a short directed search in each candidate (the report is often met early in one
    // that is not first by score), then the rest of each primary search that did not finish.
    const ReproduceOptions quick = quick_options(o);
    // Keeps a finished search; true when it reproduced the report.
    auto keep = [&](Search s) {
      rep.searches.push_back(std::move(s));
      const Search& k = rep.searches.back();
      if (k.run) a.by = static_cast<int>(rep.searches.size() - 1);
      if (k.counted) all_exhaustive = all_exhaustive && k.exhaustive;
      return a.by >= 0;
    };
    if (here.empty()) {
      // Nothing runs the report's functions at this version (a path it does not have): no
      // search, so no answer either way.
      a.verdict = "not-in-model";
      rep.versions.push_back(a);
      continue;
    }
    std::vector<const Candidate*> unfinished;
    bool present = false;  // a candidate runs at this version
    for (const Candidate& c : here) {
      Search s = run_search(rep, c, v, "none", quick);
      present = present || !s.absent;
      if (!s.run && !s.exhaustive && s.error.empty() && !s.absent && c.primary)
        unfinished.push_back(&c);
      else if (keep(std::move(s)))
        break;
    }
    for (size_t i = 0; a.by < 0 && i < unfinished.size(); ++i)
      keep(run_search(rep, *unfinished[i], v, "none", o));
    a.verdict = a.by >= 0        ? "reproduced"
                : !present       ? "not-in-model"
                : all_exhaustive ? "refuted"
                                 : "incomplete";
    rep.versions.push_back(a);
  }
  rep.model_version = model;
  std::vector<std::string> yes, no, cut, none;
  for (const auto& a : rep.versions)
    (a.verdict == "reproduced"     ? yes
     : a.verdict == "refuted"      ? no
     : a.verdict == "not-in-model" ? none
                                   : cut)
        .push_back(a.version);
  if (!model.empty()) {
    const auto it = std::find_if(rep.versions.begin(), rep.versions.end(),
                                 [&](const VersionAnswer& a) { return a.version == model; });
    rep.verdict = it->verdict;
  } else {
    rep.verdict = !yes.empty()   ? "reproduced"
                  : !cut.empty() ? "incomplete"
                  : !no.empty()  ? "refuted"
                                 : "not-in-model";
    if (!yes.empty()) rep.model_version = yes.front();
  }
  std::string where;
  if (!yes.empty()) where += "reproduced at " + version_ranges(yes);
  if (!no.empty())
    where += (where.empty() ? "" : "; ") + std::string("refuted at ") + version_ranges(no);
  if (!cut.empty())
    where += (where.empty() ? "" : "; ") + std::string("incomplete at ") + version_ranges(cut);
  if (!none.empty())
    where += (where.empty() ? "" : "; ") +
             std::string("no scenario runs the report's functions at ") + version_ranges(none);
  rep.reason = where;

  // Refuted: which deliberate mistakes of the best-matching scenarios bring it back (a hint,
  // not a verdict: each variant gets the short directed search).
  if (yes.empty() && cut.empty()) {
    const ReproduceOptions quick = quick_options(o);
    for (const Candidate& c : cands)
      for (const std::string& bug : c.primary ? c.bugs : std::vector<std::string>()) {
        std::vector<std::string> at;
        std::string kind;
        for (const std::string& v : versions) {
          rep.searches.push_back(run_search(rep, c, v, bug, quick));
          const Search& s = rep.searches.back();
          if (s.run) {
            at.push_back(v);
            if (kind.empty()) kind = s.run->counterexample->finding.kind_string();
          }
        }
        if (!at.empty()) {
          std::string mistake;
          try {
            mistake = proto::bug_mistake(proto::parse_bug(bug));
          } catch (const std::exception&) {
          }
          rep.variants.push_back("bug=" + bug + " (" + mistake + ") of " + c.name +
                                 " reproduces it at " + version_ranges(at) + " (" + kind + ")");
        }
      }
  }
  return finish();
}

namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

// The report's view of its racing sides, as it drew them: a stack innermost first, or a
// diagram column's steps with their nesting.
std::vector<std::string> report_view(const Reproduction& rep) {
  std::vector<std::string> out;
  for (const BoundSide& b : rep.sides) {
    out.push_back(b.side.title.empty() ? std::string("(side)") : b.side.title);
    // A stack is shown from just below its innermost modelled frame (the frames under it are
    // the reporting tool's own: dump_stack, kasan_report, save_stack, ...).
    size_t from = 0;
    if (is_stack(rep.report)) {
      while (from < b.side.frames.size() &&
             !vocabulary().count(std::string(proto::model_name(b.side.frames[from].function))))
        ++from;
      from = from > 0 && from < b.side.frames.size() ? from - 1 : 0;
    }
    if (from > 0) out.push_back("  ...");
    size_t shown = 0;
    for (size_t k = from; k < b.side.frames.size(); ++k) {
      const Frame& f = b.side.frames[k];
      if (shown == 8) {
        out.push_back("  ...");
        break;
      }
      const std::string name(proto::model_name(f.function));
      const bool modelled = !f.function.empty() && vocabulary().count(name);
      std::string line = std::string(2 + 2 * static_cast<size_t>(std::max(0, f.depth)), ' ') +
                         (f.text.empty() ? f.function : f.text);
      if (!modelled && !f.function.empty()) line += "  (not modelled)";
      out.push_back(line);
      ++shown;
    }
    out.push_back("");
  }
  return out;
}

// The model's interleaving drawn as the report draws its sides: only the steps made in the
// report's functions (the key function of each side, as the match uses them), outside the
// scenario's set-up, and the step of the finding; the full trace follows.
mc::Counterexample model_view(const Reproduction& rep, const mc::Counterexample& c) {
  std::vector<std::string> keys;
  for (const BoundSide& b : rep.sides)
    for (const auto& f : key_functions(rep.report, b)) keys.push_back(f);
  mc::Counterexample v = c;
  v.events.clear();
  for (size_t i = 0; i < c.events.size(); ++i)
    if ((any_in_path(keys, c.events[i].labels) &&
         c.events[i].labels.rfind("litmus setup", 0) != 0) ||  // the set-up is not the race
        i + 1 == c.events.size())
      v.events.push_back(c.events[i]);
  if (v.events.size() < 2) return c;
  return v;
}

}  // namespace

std::string format_reproduction(const Reproduction& rep) {
  const Report& r = rep.report;
  std::ostringstream o;
  o << "report: " << r.file << " (lines " << r.first_line << "-" << r.last_line << ")\n";
  o << "  format: " << format_name(r.format) << "\n";
  if (!r.title.empty()) o << "  title: " << r.title << "\n";
  o << "  kernel: " << (r.kernel ? *r.kernel : "not given") << " (" << rep.kernel_note << ")\n";
  o << "  symptom: " << symptom_name(r.symptom);
  if (!r.detail.empty()) o << " (" << r.detail << ")";
  o << "\n";
  if (!rep.kinds.empty() && rep.kinds.front() != "*")
    o << "  shown in the model by: " << join(rep.kinds, ", ")
      << (rep.consequence_kinds.empty()
              ? ""
              : "; or by its effect: " + join(rep.consequence_kinds, ", "))
      << "\n";
  for (size_t i = 0; i < rep.sides.size(); ++i) {
    const BoundSide& b = rep.sides[i];
    o << "  side " << i + 1 << ": " << b.side.title << " (line " << b.side.line << ")\n";
    o << "    modelled: " << (b.modelled.empty() ? "none" : join(b.modelled, ", ")) << "\n";
    if (!b.unmodelled.empty()) o << "    not modelled: " << join(b.unmodelled, ", ") << "\n";
  }
  for (const auto& s : r.skipped) o << "  skipped: " << s << "\n";
  if (!rep.scenarios.empty()) o << "scenarios: " << join(rep.scenarios, ", ") << "\n";
  for (const VersionAnswer& a : rep.versions) {
    o << "  " << a.version << ": " << a.verdict;
    if (a.by >= 0) {
      const Search& by = rep.searches[a.by];
      const auto& f = by.run->counterexample->finding;
      o << " by " << by.scenario << " (" << f.kind_string()
        << (by.consequence ? ", the race's effect" : "") << ")";
    } else if (a.verdict == "not-in-model") {
      o << " (no scenario runs the report's functions at this version)";
    } else {
      uint64_t n = 0;
      std::vector<std::string> uncounted;
      for (const Search& s : rep.searches)
        if (s.version == a.version && s.bug == "none") {
          if (s.counted || s.exhaustive) n += s.executions;
          if (!s.counted && !s.exhaustive)
            uncounted.push_back(s.scenario + " (cut after " + std::to_string(s.executions) +
                                " executions)");
        }
      o << " (" << n << " executions" << (a.verdict == "refuted" ? ", exhaustive" : "") << ")";
      if (!uncounted.empty())
        o << "\n    not counted, one short of the best match and searched " << kQuickExecutions
          << " executions only: " << join(uncounted, ", ");
    }
    o << "\n";
  }
  o << "verdict: " << rep.verdict;
  if (rep.versions.size() == 1) o << " at " << rep.versions.front().version;
  o << (rep.versions.size() == 1 && rep.verdict != "not-in-model" ? "" : ": " + rep.reason) << "\n";
  if (!rep.nearest.empty())
    o << "  nearest modelled names: " << join(rep.nearest, ", ") << "\n";
  else if (rep.verdict == "not-in-model" && rep.scenarios.empty() && rep.functions.empty())
    o << "  nearest modelled names: none close (not this protocol)\n";
  for (const auto& v : rep.variants) o << "  " << v << "\n";
  for (const Search& s : rep.searches)
    if (!s.error.empty())
      o << "  error in " << s.scenario << " at " << s.version << ": " << s.error << "\n";

  if (const Search* s = rep.reproduced_by()) {
    const mc::Counterexample& c = *s->run->counterexample;
    o << "\nfinding (" << s->scenario << ", kernel=" << s->version << ", bug=" << s->bug
      << "): " << c.finding.kind_string() << ": " << c.finding.message << "\n\n";
    const auto left = report_view(rep);
    const auto right = lines_of(mc::format_diagram(model_view(rep, c), 36));
    size_t width = 10;
    for (const auto& l : left) width = std::max(width, l.size());
    width = std::min<size_t>(width, 60);
    o << std::string("the report") << std::string(width - 10 + 2, ' ') << "| the model\n";
    for (size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
      std::string l = i < left.size() ? left[i] : "";
      if (l.size() > width) l = l.substr(0, width - 3) + "...";
      o << l << std::string(width - l.size() + 2, ' ') << "| " << (i < right.size() ? right[i] : "")
        << "\n";
    }
    o << "\n" << mc::format_trace(c);
    o << "\nreplay: migcheck replay '" << replay_token(*s->run) << "'\n";
  }
  o << "(" << rep.seconds << " s)\n";
  return o.str();
}

mc::json::Value reproduction_json(const Reproduction& rep) {
  using mc::json::Array;
  using mc::json::Object;
  using mc::json::Value;
  const Report& r = rep.report;
  Array fns;
  for (const auto& f : rep.functions) fns.push_back(Value(f));
  Array versions;
  for (const VersionAnswer& a : rep.versions)
    versions.push_back(Value(
        Object{{"version", Value(a.version)},
               {"verdict", Value(a.verdict)},
               {"scenario", a.by >= 0 ? Value(rep.searches[a.by].scenario) : Value(nullptr)}}));
  Value finding(nullptr);
  if (const Search* s = rep.reproduced_by()) {
    const auto& f = s->run->counterexample->finding;
    finding = Value(Object{{"kind", Value(f.kind_string())},
                           {"message", Value(f.message)},
                           {"scenario", Value(s->scenario)},
                           {"kernel", Value(s->version)},
                           {"bug", Value(s->bug)},
                           {"effect", Value(s->consequence)},
                           {"replay_token", Value(replay_token(*s->run))}});
  }
  Array scenarios, variants, nearest;
  for (const auto& s : rep.scenarios) scenarios.push_back(Value(s));
  for (const auto& s : rep.variants) variants.push_back(Value(s));
  for (const auto& s : rep.nearest) nearest.push_back(Value(s));
  return Value(Object{
      {"report", Value(r.file)},
      {"format", Value(format_name(r.format))},
      {"kernel", r.kernel ? Value(*r.kernel) : Value(nullptr)},
      {"model_version", rep.model_version.empty() ? Value(nullptr) : Value(rep.model_version)},
      {"symptom", Value(symptom_name(r.symptom))},
      {"functions", Value(fns)},
      {"verdict", Value(rep.verdict)},
      {"reason", Value(rep.reason)},
      {"finding", finding},
      {"versions", Value(versions)},
      {"scenarios", Value(scenarios)},
      {"variants", Value(variants)},
      {"nearest", Value(nearest)},
      {"seconds", Value(rep.seconds)},
  });
}

std::string reproduction_litmus(const Reproduction& rep) {
  const Search* s = rep.reproduced_by();
  if (!s) return "";
  // The library's file or the built one, run at the version and variant that reproduced it.
  std::string text;
  if (const litmus::CatalogFile* f = litmus::find_scenario(s->scenario))
    text = f->text;
  else if (auto b = built_scenario(s->scenario))
    // A built file has no history to state: it expects what the search met at that version,
    // so that running it passes while the race is there (and says so when a change removes
    // it).
    text = std::regex_replace(b->text, std::regex(R"(\n \* kernel=)"),
                              "\n * Observed by migcheck reproduce at " + s->version +
                                  " (not from the kernel's history):\n * Expect " +
                                  (s->bug == "none" ? "" : "bug=" + s->bug + " ") + s->version +
                                  ": " + join(s->kinds, ", ") + "\n * kernel=");
  else
    return "";
  static const std::regex kernel_line(R"((\n \* )kernel=[^\n]*)");
  static const std::regex bug_line(R"(\n \* bug=[^\n]*)");
  text = std::regex_replace(text, bug_line, "");
  text = std::regex_replace(text, kernel_line, "$1kernel=" + s->version + "\n * bug=" + s->bug);
  return text;
}

}  // namespace traces
