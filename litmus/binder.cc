// Binding: a parsed test becomes a Program (its locations, registers, model objects and
// settings, every call checked against the primitives and the model bindings) and a TestCase.
#include "checker/report/text.h"
#include "litmus/parser.h"
#include "litmus/thread_context.h"

namespace litmus {

std::string BindError::to_string() const { return loc.to_string() + ": " + message; }

std::string Compiled::error_text() const {
  std::string s;
  for (const BindError& e : errors) s += e.to_string() + "\n";
  return s;
}

int64_t address_of(size_t location_index) {
  return static_cast<int64_t>((static_cast<uint64_t>(location_index) + 1) << 32);
}

std::optional<size_t> Program::find_location(const std::string& name) const {
  auto it = location_index.find(name);
  if (it == location_index.end()) return std::nullopt;
  return it->second;
}

std::string Program::value_text(int64_t value) const {
  if (auto i = location_of_address(value, locations.size())) return locations[*i].name;
  return std::to_string(value);
}

namespace {

std::string unknown_kind_message(const std::string& kind, const Bindings& bn) {
  std::string best;
  size_t best_d = 4;  // closer than this, or no suggestion
  for (const std::string& k : expectable_kinds(bn)) {
    const size_t d = mc::edit_distance(kind, k);
    if (d < best_d) best_d = d, best = k;
  }
  return "Expect: unknown finding kind '" + kind + "'" +
         (best.empty() ? std::string(" (migcheck litmus-functions lists them)")
                       : " (did you mean '" + best + "'?)");
}

class Binder {
 public:
  Binder(Program& p, std::vector<BindError>& errors) : p_(p), errors_(errors) {}

  // At most kMaxErrorsPerFile are kept; the rest are counted (finish() says how many).
  void error(const SourceLoc& loc, std::string message) {
    // Names come from the file and may be long: a message stays readable.
    message = clip(message, kMessageMax);
    if (errors_.size() < kMaxErrorsPerFile)
      errors_.push_back({loc, std::move(message)});
    else
      ++dropped_;
  }
  void finish() {
    if (dropped_ > 0)
      errors_.push_back({errors_.back().loc, "and " + std::to_string(dropped_) +
                                                 " more errors in this file, not shown"});
  }

  size_t declare(const std::string& name, const SourceLoc& loc, const TypeName* type) {
    auto it = p_.location_index.find(name);
    size_t i;
    if (it != p_.location_index.end()) {
      i = it->second;
    } else {
      i = p_.locations.size();
      p_.location_index[name] = i;
      Location l;
      l.name = name;
      l.loc = loc;
      p_.locations.push_back(std::move(l));
    }
    if (type && type->base == "spinlock_t") p_.locations[i].kind = Location::Kind::kSpinlock;
    if (type) {
      if (const ObjectType* ot = p_.bindings->type(type->base)) {
        Location& l = p_.locations[i];
        if (l.kind != Location::Kind::kObject && it != p_.location_index.end())
          error(loc, "'" + name + "' declared as " + type->text() + " and as a plain location");
        l.kind = Location::Kind::kObject;
        l.object_type = ot->type;
        l.object_kind = ot->kind;
        p_.uses_model = true;
      }
    }
    if (type && type->base.find("srcu_struct") != std::string::npos)
      p_.locations[i].kind = Location::Kind::kSrcu;
    return i;
  }

  void check_expr(const Expr& e) {
    if (e.kind == ExprKind::kMember || e.kind == ExprKind::kIndex) {
      error(e.loc, "unsupported expression '" + quoted_text(e) + "' (no structs or arrays)");
      return;
    }
    if (e.kind == ExprKind::kCall) {
      const auto& table = primitives();
      auto it = table.find(e.name);
      if (it == table.end()) {
        if (const ModelFunction* f = p_.bindings->function(e.name))
          check_model_call(*f, e);
        else
          error(e.loc, "unknown function '" + e.name +
                           "': expected a kernel primitive (READ_ONCE, spin_lock, ...) or a "
                           "modelled function (migcheck litmus-functions lists them)");
      } else {
        const int n = static_cast<int>(e.operands.size());
        if (n < it->second.min_args || n > it->second.max_args)
          error(e.loc, e.name + " takes " + std::to_string(it->second.min_args) +
                           (it->second.max_args != it->second.min_args
                                ? "-" + std::to_string(it->second.max_args)
                                : "") +
                           " argument(s), given " + std::to_string(n));
      }
    }
    if (e.kind == ExprKind::kAssign ||
        ((e.kind == ExprKind::kUnary) &&
         (e.unary_op == UnaryOp::kPreIncrement || e.unary_op == UnaryOp::kPreDecrement ||
          e.unary_op == UnaryOp::kPostIncrement || e.unary_op == UnaryOp::kPostDecrement))) {
      const Expr& t = *e.operands[0];
      const bool ok = t.kind == ExprKind::kIdentifier ||
                      (t.kind == ExprKind::kUnary && t.unary_op == UnaryOp::kDeref);
      if (!ok) error(t.loc, "cannot assign to '" + quoted_text(t) + "'");
    }
    for (const ExprPtr& o : e.operands)
      if (o) check_expr(*o);
  }

  // The name an argument designates, for kind checks: `x` or `&x`.
  const Location* named_location(const Expr& a) const {
    const Expr* e = &a;
    if (e->kind == ExprKind::kUnary && e->unary_op == UnaryOp::kAddressOf) e = e->operands[0].get();
    if (e->kind != ExprKind::kIdentifier) return nullptr;
    auto i = p_.find_location(e->name);
    return i ? &p_.locations[*i] : nullptr;
  }

  void check_model_call(const ModelFunction& f, const Expr& e) {
    p_.uses_model = true;
    const size_t n = e.operands.size();
    if (n != f.params.size()) {
      error(e.loc, f.name + " takes " + std::to_string(f.params.size()) + " argument(s) (" +
                       signature(f) + "), given " + std::to_string(n));
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      const Expr& a = *e.operands[i];
      const ArgKind want = f.params[i];
      const std::string which = f.name + " argument " + std::to_string(i + 1);
      if (want == ArgKind::kInt) {
        if (const Location* l = named_location(a); l && l->kind == Location::Kind::kObject)
          error(a.loc,
                which + ": expected an integer, found '" + l->name + "' (" + l->object_type + ")");
        continue;
      }
      if (a.kind == ExprKind::kInteger && a.integer != 0) {
        error(a.loc, which + ": expected " + std::string(to_string(want)) + ", found the integer " +
                         std::to_string(a.integer));
        continue;
      }
      const Location* l = named_location(a);
      if (!l) continue;  // a register: checked when the call runs
      if (l->kind != Location::Kind::kObject)
        error(a.loc, which + ": expected " + std::string(to_string(want)) + ", found '" + l->name +
                         "' (not a model object)");
      else if (l->object_kind != want)
        error(a.loc, which + ": expected " + std::string(to_string(want)) + ", found '" + l->name +
                         "' (" + l->object_type + ")");
    }
  }

  static std::string signature(const ModelFunction& f) {
    std::string s = f.name + "(";
    for (size_t i = 0; i < f.params.size(); ++i)
      s += (i ? ", " : "") + std::string(to_string(f.params[i]));
    return s + ")";
  }

  // Header settings the models read (kernel=, bug=) and the Expect lines.
  void bind_settings(const std::map<std::string, std::string>& overrides) {
    const Test& test = *p_.test;
    const Bindings& bn = *p_.bindings;
    std::map<std::string, SourceLoc> setting_at;  // where each setting was given
    // A setting written as a herd info line (before the comment) would be metadata, silently.
    for (const Test::InfoLine& i : test.info)
      for (const ModelSetting& ms : bn.settings())
        if (i.key == ms.key)
          error(i.loc, "'" + i.key +
                           "=' before the header comment is a herd info line, not a "
                           "setting: write it inside the comment, as ' * " +
                           i.key + "=" + i.value + "'");
    // A key no model reads is a typo ('kernl=4.8', 'Kernel=4.8'), never ignored: the file
    // would run at the default version and prove nothing about the one it names.
    for (const auto& [key, value] : test.settings) {
      if (bn.setting(key)) continue;
      std::string known;
      for (const ModelSetting& ms : bn.settings()) known += (known.empty() ? "" : ", ") + ms.key;
      auto l = test.setting_locs.find(key);
      error(l != test.setting_locs.end() ? l->second : test.loc,
            "unknown setting '" + key + "=" + value + "' (the settings are: " + known +
                "; prose in the header must not take the form key=value)");
    }
    for (const ModelSetting& ms : bn.settings()) {
      std::string value = ms.fallback;
      SourceLoc at = test.loc;
      std::string origin = "--set ";
      if (auto it = test.settings.find(ms.key); it != test.settings.end()) {
        value = it->second;
        if (auto l = test.setting_locs.find(ms.key); l != test.setting_locs.end()) at = l->second;
        origin = "";
      }
      if (auto it = overrides.find(ms.key); it != overrides.end()) {
        // The file's list is still checked: an override picks one value of a valid file.
        if (origin.empty() && ms.list && !check_values(ms, value, at, origin)) continue;
        value = it->second;
        at = test.loc;
        origin = "--set ";
      }
      if (ms.combined) {
        // Every value of the set is checked and kept, in the canonical form.
        if (!check_values(ms, value, at, origin)) continue;
        std::string canonical;
        for (const std::string& v : split_commas(value))
          canonical += (canonical.empty() ? "" : ",") + ms.choice_for(v);
        p_.settings[ms.key] = canonical;
        setting_at[ms.key] = at;
        continue;
      }
      const std::vector<std::string> values = setting_values(ms, value);
      if (!ms.list && values.size() != 1) {
        error(at, origin + ms.key + "=" + value + ": one value expected");
        continue;
      }
      if (!check_values(ms, value, at, origin)) continue;
      // A value that stands for a choice (kernel=5.2 for the modelled 5.0) runs that choice;
      // the value asked for is kept for the report.
      p_.settings[ms.key] = ms.choice_for(values.front());
      if (p_.settings[ms.key] != values.front()) p_.asked_settings[ms.key] = values.front();
      setting_at[ms.key] = at;
    }
    if (errors_.empty())
      for (const Bindings::SettingsCheck& check : bn.settings_checks())
        for (const auto& [key, message] : check(p_.settings)) {
          auto it = setting_at.find(key);
          error(it != setting_at.end() ? it->second : test.loc, message);
        }
    const ModelSetting* kernel = bn.setting("kernel");
    const ModelSetting* bug = bn.setting("bug");
    for (const FindingExpectation& fe : test.expected_findings) {
      if (!fe.bug.empty() && bug && !contains(bug->choices, fe.bug))
        error(fe.loc, "Expect: unknown bug '" + fe.bug + "' (expected " + join(bug->choices) + ")");
      if (!fe.bug.empty() && !bug)
        error(fe.loc, "Expect bug=" + fe.bug + ": the bindings have no 'bug' setting");
      for (const std::string& kind : fe.findings)
        if (!expectable_kinds(bn).count(kind)) error(fe.loc, unknown_kind_message(kind, bn));
      for (const std::string& entry : fe.kernels) {
        const size_t dots = entry.find("..");
        if (kernel && dots != std::string::npos) {
          const std::string lo = kernel->choice_for(entry.substr(0, dots));
          const std::string hi = kernel->choice_for(entry.substr(dots + 2));
          const auto at = [&](const std::string& v) {
            return std::find(kernel->choices.begin(), kernel->choices.end(), v) -
                   kernel->choices.begin();
          };
          if (!lo.empty() && !hi.empty() && at(lo) > at(hi))
            error(fe.loc, "Expect: the range " + entry + " runs backwards (write " +
                              entry.substr(dots + 2) + ".." + entry.substr(0, dots) + ")");
        }
        for (const std::string& k :
             dots == std::string::npos
                 ? std::vector<std::string>{entry}
                 : std::vector<std::string>{entry.substr(0, dots), entry.substr(dots + 2)})
          if (kernel && kernel->choice_for(k).empty())
            error(fe.loc, "Expect: unknown kernel version '" + k + "' (expected " +
                              join(kernel->choices) +
                              (kernel->resolve_hint.empty() ? "" : ", " + kernel->resolve_hint) +
                              ", or a range such as 4.10..5.17)");
      }
    }
    // A file's own bug list runs every variant its Expect lines name: a line for a variant the
    // file does not run would print as a claim no run checks.
    const auto own_bugs = test.settings.find("bug");
    if (bug && own_bugs != test.settings.end()) {
      const std::vector<std::string> runs = setting_values(*bug, own_bugs->second);
      for (const FindingExpectation& fe : test.expected_findings)
        if (!fe.bug.empty() && contains(bug->choices, fe.bug) && !contains(runs, fe.bug))
          error(fe.loc, "Expect bug=" + fe.bug + ": the file's list bug=" + own_bugs->second +
                            " does not run it (add it, or leave the list out: a file runs none "
                            "and every variant its Expect lines name)");
    }
    // Expect lines speak of the version asked for (kernel=5.2), not of the modelled version
    // that answers for it.
    const auto asked = p_.asked_settings.find("kernel");
    const std::string run_kernel =
        asked != p_.asked_settings.end() ? asked->second : p_.settings["kernel"];
    // Expect lines make claims for bug=none and for the variants they name at the versions
    // their lines cover, nothing else.
    const std::string run_bug = p_.settings.count("bug") ? p_.settings["bug"] : "none";
    if (bug && !expect_claims(test, *p_.bindings, run_kernel, run_bug)) {
      const bool named =
          std::any_of(test.expected_findings.begin(), test.expected_findings.end(),
                      [&](const FindingExpectation& fe) { return fe.bug == run_bug; });
      p_.unclaimed_bug = run_bug + (named ? " at kernel=" + run_kernel : "");
    }
    p_.expected_findings = expected_findings(test, *p_.bindings, run_kernel, run_bug);
    // herd's `Result: ... DATARACE`: the plain accesses race; with no Expect line, that data
    // race is the finding the exploration must produce (it stops there: the outcome part of
    // the Result is then not checked).
    if (test.expected_findings.empty() && test.expected_data_race)
      p_.expected_findings = {"data-race"};
    // herd's `Result: Flag [names]`: the flags named, or with none named any flag the kernel's
    // memory model raises and the checker reports under the same name.
    if (test.expected_findings.empty() && test.expected_result == ExpectedResult::kFlag) {
      if (!test.expected_flags.empty()) {
        p_.expected_findings = test.expected_flags;
      } else {
        p_.expected_findings.assign(std::begin(kMemoryModelFlags), std::end(kMemoryModelFlags));
        p_.expected_any_of = true;
      }
      std::sort(p_.expected_findings.begin(), p_.expected_findings.end());
    }
  }

  static bool contains(const std::vector<std::string>& v, const std::string& x) {
    for (const std::string& y : v)
      if (x == y) return true;
    return false;
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  bool check_values(const ModelSetting& ms, const std::string& value, const SourceLoc& at,
                    const std::string& origin) {
    bool ok = true;
    for (const std::string& v : ms.combined ? split_commas(value) : setting_values(ms, value)) {
      if (!ms.choice_for(v).empty()) continue;
      error(at, origin + ms.key + "=" + value + ": unknown " +
                    (ms.key == "kernel" ? std::string("kernel version") : ms.key) + " '" + v +
                    "' (expected " +
                    (ms.list       ? "a comma-separated list of "
                     : ms.combined ? ""
                                   : "one of ") +
                    join(ms.choices) + (ms.resolve_hint.empty() ? "" : ", " + ms.resolve_hint) +
                    (ms.list       ? ", or all"
                     : ms.combined ? ", or several separated by commas"
                                   : "") +
                    ")");
      ok = false;
    }
    return ok;
  }

  void bind_objects() {
    const Bindings& bn = *p_.bindings;
    std::map<std::string, int> counts;
    for (const InitEntry& e : p_.test->init) {
      if (e.call || e.thread || !e.type) continue;
      const ObjectType* ot = bn.type(e.type->base);
      if (!ot) continue;
      if (e.type->is_pointer()) {
        error(e.loc, "declare the object itself ('" + ot->type + " " + e.name +
                         ";'); threads take it as '" + ot->type + " *" + e.name + "'");
        continue;
      }
      Location& l = p_.locations[p_.location_index[e.name]];
      if (e.value.kind == InitValue::Kind::kMacro && ot->check_macro) {
        const std::string problem = ot->check_macro(e.value);
        if (!problem.empty()) {
          error(e.value.loc, ot->type + " " + e.name + ": " + problem);
          continue;
        }
        l.object_init = e.value;
      } else if (e.value.kind != InitValue::Kind::kNone) {
        const bool named = e.value.kind == InitValue::Kind::kAddress && !e.value.ampersand;
        if (!named || !contains(ot->initialisers, e.value.symbol)) {
          error(e.value.loc,
                ot->type + " " + e.name + ": " +
                    (ot->initialisers.empty() ? std::string("takes no initialiser")
                                              : "expected one of " + join(ot->initialisers)));
          continue;
        }
        l.object_init = e.value;
      }
      if (ot->max_count && ++counts[ot->type] > ot->max_count)
        error(e.loc, "at most " + std::to_string(ot->max_count) + " declarations of " + ot->type);
    }
    for (const InitEntry& e : p_.test->init) {
      if (!e.call) continue;
      const Expr& c = *e.call;
      if (!bn.function(c.name)) {
        error(c.loc, primitives().count(c.name)
                         ? "'" + c.name +
                               "' cannot run in the initial state: setup calls are modelled "
                               "kernel functions (give plain locations their value: 'x = 1;')"
                         : "unknown function '" + c.name +
                               "': expected a modelled function (migcheck litmus-functions "
                               "lists them)");
        continue;
      }
      check_expr(c);
      for (const ExprPtr& a : c.operands)
        if (a->kind == ExprKind::kIdentifier && !p_.find_location(a->name))
          error(a->loc, "unknown name '" + a->name + "' in a setup call");
      p_.setup_calls.push_back(&c);
    }
  }

  void check_stmt(const Stmt& s) {
    for (const Declarator& d : s.declarators) {
      if (d.array_size) error(d.loc, "arrays are not supported");
      if (d.initializer) check_expr(*d.initializer);
    }
    if (s.expr) check_expr(*s.expr);
    if (s.init) check_stmt(*s.init);
    if (s.step) check_expr(*s.step);
    if (s.body) check_stmt(*s.body);
    if (s.else_branch) check_stmt(*s.else_branch);
    for (const StmtPtr& c : s.statements) check_stmt(*c);
  }

  // Register names a thread declares anywhere (parameters, declarations, initial state).
  // A thread's registers: declared ones, and, as herd7 accepts, names assigned without a
  // declaration (`r1 = READ_ONCE(*x);` with no `int r1;`) that are not shared locations.
  void collect_names(const Stmt& s, std::set<std::string>& names) {
    for (const Declarator& d : s.declarators) names.insert(d.name);
    if (s.expr) collect_assigned(*s.expr, names);
    if (s.step) collect_assigned(*s.step, names);
    if (s.init) collect_names(*s.init, names);
    if (s.body) collect_names(*s.body, names);
    if (s.else_branch) collect_names(*s.else_branch, names);
    for (const StmtPtr& c : s.statements) collect_names(*c, names);
  }

  void collect_assigned(const Expr& e, std::set<std::string>& names) {
    // Iterative: a long chain of operators must not overflow the stack.
    std::vector<const Expr*> pending{&e};
    while (!pending.empty()) {
      const Expr* x = pending.back();
      pending.pop_back();
      if (x->kind == ExprKind::kAssign && !x->operands.empty() &&
          x->operands[0]->kind == ExprKind::kIdentifier && !p_.find_location(x->operands[0]->name))
        names.insert(x->operands[0]->name);
      for (const ExprPtr& o : x->operands)
        if (o) pending.push_back(o.get());
    }
  }

  void observe(const LocationRef& ref, const std::vector<std::set<std::string>>& registers) {
    if (ref.thread) {
      const int t = *ref.thread;
      if (t < 0 || t >= static_cast<int>(registers.size())) {
        error(ref.loc, "no thread P" + std::to_string(t));
        return;
      }
      if (!registers[t].count(ref.name)) {
        error(ref.loc, "P" + std::to_string(t) + " has no register '" + ref.name + "'");
        return;
      }
    } else if (!p_.find_location(ref.name)) {
      error(ref.loc, "unknown location '" + ref.name + "'");
      return;
    } else if (p_.locations[*p_.find_location(ref.name)].kind == Location::Kind::kObject) {
      error(ref.loc, "'" + ref.name +
                         "' is a model object: a condition observes integer locations and "
                         "registers (compare a register with it instead: '1:r0=" +
                         ref.name + "')");
      return;
    }
    const std::string text = ref.text();
    for (const std::string& o : p_.observed)
      if (o == text) return;
    p_.observed.push_back(text);
    p_.observed_refs.push_back(ref);
  }

  void observe_condition(const Condition& c, const std::vector<std::set<std::string>>& regs) {
    if (c.kind == CondKind::kCompare) {
      observe(c.lhs, regs);
      if (c.rhs.kind == CondValue::Kind::kLocation) observe(c.rhs.location, regs);
      if (c.rhs.kind == CondValue::Kind::kAddress && !p_.find_location(c.rhs.location.name))
        error(c.rhs.loc, "unknown location '" + c.rhs.location.name + "'");
    }
    for (const CondPtr& o : c.operands)
      if (o) observe_condition(*o, regs);
  }

  void bind(const std::map<std::string, std::string>& overrides) {
    const Test& test = *p_.test;
    bind_settings(overrides);
    // Shared locations: the initial state, then thread parameters.
    for (const InitEntry& e : test.init) {
      if (e.thread || e.call) continue;
      declare(e.name, e.loc, e.type ? &*e.type : nullptr);
      if (e.array_size) error(e.loc, "arrays are not supported");
    }
    for (const Thread& t : test.threads)
      for (const Param& param : t.params) {
        // A plain location may be a parameter only (herd7 makes it, zero); a model object
        // must be made in the initial state, where its set-up is written.
        const ObjectType* ot = p_.bindings->type(param.type.base);
        if (ot && !p_.find_location(param.name))
          error(param.loc,
                "P" + std::to_string(t.index) + "'s parameter '" + param.name + "' is a " +
                    ot->type + " that the initial state does not declare: declare it there ('" +
                    ot->type + " " + param.name + ";') with the set-up the threads expect");
        declare(param.name, param.loc, &param.type);
      }
    // Pointers to locations named only by an initialiser.
    for (const InitEntry& e : test.init) {
      if (e.call) continue;
      const bool object = e.type && p_.bindings->type(e.type->base);
      if (e.value.kind == InitValue::Kind::kAddress && !object && !p_.find_location(e.value.symbol))
        declare(e.value.symbol, e.value.loc, nullptr);
    }
    bind_objects();
    p_.register_init.assign(test.threads.size(), {});
    for (const InitEntry& e : test.init) {
      if (e.call) continue;
      if (e.type && p_.bindings->type(e.type->base)) continue;
      int64_t value = 0;
      switch (e.value.kind) {
        case InitValue::Kind::kNone:
          break;
        case InitValue::Kind::kInteger:
          value = e.value.integer;
          break;
        case InitValue::Kind::kAddress:
          value = address_of(*p_.find_location(e.value.symbol));
          break;
        case InitValue::Kind::kMacro:
          if (e.value.macro != "ATOMIC_INIT" && e.value.macro != "ATOMIC_LONG_INIT")
            error(e.value.loc, "unknown initialiser " + e.value.macro);
          else if (e.value.args.size() > 1)
            error(e.value.loc, e.value.macro + " takes one argument, given " +
                                   std::to_string(e.value.args.size()));
          value = e.value.integer;
          break;
      }
      if (e.thread) {
        if (*e.thread < 0 || *e.thread >= static_cast<int>(test.threads.size()))
          error(e.loc, "no thread P" + std::to_string(*e.thread));
        else
          p_.register_init[*e.thread][e.name] = value;
      } else {
        p_.locations[p_.location_index[e.name]].initial = value;
      }
    }
    for (size_t i = 0; i < p_.locations.size(); ++i)
      if (p_.locations[i].kind == Location::Kind::kSrcu) p_.srcu_domains.push_back(i);

    if (test.threads.empty()) error(test.loc, "the test has no threads");
    if (test.threads.size() + 1 > static_cast<size_t>(mc::kMaxThreads))
      error(test.threads.back().loc, "too many threads (the engine runs at most " +
                                         std::to_string(mc::kMaxThreads - 1) +
                                         " besides its main thread)");
    for (const Thread& th : test.threads) p_.thread_names.push_back("P" + std::to_string(th.index));
    std::vector<std::set<std::string>> registers(test.threads.size());
    for (size_t t = 0; t < test.threads.size(); ++t) {
      const Thread& th = test.threads[t];
      check_stmt(*th.body);
      for (const Param& param : th.params) registers[t].insert(param.name);
      collect_names(*th.body, registers[t]);
      for (const auto& [name, v] : p_.register_init[t]) registers[t].insert(name);
    }
    for (const LocationRef& ref : test.locations) observe(ref, registers);
    if (test.filter) observe_condition(*test.filter, registers);
    if (test.final_clause.condition) observe_condition(*test.final_clause.condition, registers);
  }

 private:
  Program& p_;
  std::vector<BindError>& errors_;
  size_t dropped_ = 0;
};

}  // namespace

std::vector<std::string> split_commas(const std::string& value) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= value.size()) {
    size_t end = value.find(',', begin);
    if (end == std::string::npos) end = value.size();
    out.push_back(value.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

std::vector<std::string> setting_values(const ModelSetting& s, const std::string& value) {
  if (!s.list) return {value};
  if (value == "all") return s.choices;
  return split_commas(value);
}

namespace {

// Whether an Expect line's kernel entry ("5.0", or a range "4.10..5.17") covers `kernel`.
bool covers(const Bindings& bindings, const std::string& entry, const std::string& kernel) {
  const ModelSetting* s = bindings.setting("kernel");
  if (s && s->covers) return s->covers(entry, kernel);
  const size_t dots = entry.find("..");
  if (dots == std::string::npos) return entry == kernel;
  if (!s) return false;
  auto index = [s](const std::string& v) -> long {
    for (size_t i = 0; i < s->choices.size(); ++i)
      if (s->choices[i] == v) return static_cast<long>(i);
    return -1;
  };
  const long lo = index(entry.substr(0, dots)), hi = index(entry.substr(dots + 2)),
             k = index(kernel);
  return lo >= 0 && hi >= 0 && k >= lo && k <= hi;
}

}  // namespace

std::set<std::string> expectable_kinds(const Bindings& bindings) {
  std::set<std::string> kinds(bindings.finding_kinds());
  for (const std::string& k : mc::engine_kind_names()) kinds.insert(k);
  for (const char* k : kMemoryModelFlags) kinds.insert(k);
  for (const char* k : {"BUG_ON", "VM_BUG_ON", "WARN_ON", "WARN_ON_ONCE", "VM_WARN_ON",
                        "VM_WARN_ON_ONCE", "litmus"})
    kinds.insert(k);
  return kinds;
}

std::vector<std::string> file_bug_variants(const Test& test, const ModelSetting& bug) {
  const auto own = test.settings.find("bug");
  if (own != test.settings.end()) return setting_values(bug, own->second);
  std::vector<std::string> out;
  for (const std::string& choice : bug.choices)
    if (choice == "none" ||
        std::any_of(test.expected_findings.begin(), test.expected_findings.end(),
                    [&](const FindingExpectation& fe) { return fe.bug == choice; }))
      out.push_back(choice);
  return out;
}

std::vector<std::string> file_setting_values(const Test& test, const ModelSetting& s) {
  const auto own = test.settings.find(s.key);
  if (own == test.settings.end())
    return s.key == "bug" ? file_bug_variants(test, s) : std::vector<std::string>{s.fallback};
  std::vector<std::string> out;
  for (const std::string& v : setting_values(s, own->second)) {
    const bool choice = std::find(s.choices.begin(), s.choices.end(), v) != s.choices.end();
    const std::string resolved = choice || !s.resolve ? v : s.resolve(v);
    if (!resolved.empty() && std::find(out.begin(), out.end(), resolved) == out.end())
      out.push_back(resolved);
  }
  return out;
}

bool expect_claims(const Test& test, const Bindings& bindings, const std::string& kernel,
                   const std::string& bug) {
  if (bug == "none") return true;
  for (const FindingExpectation& e : test.expected_findings) {
    if (e.bug != bug) continue;
    if (e.kernels.empty()) return true;
    for (const std::string& k : e.kernels)
      if (covers(bindings, k, kernel)) return true;
  }
  return false;
}

std::vector<std::string> expected_findings(const Test& test, const Bindings& bindings,
                                           const std::string& kernel, const std::string& bug) {
  // Tiers, most specific first: bug and kernel, bug, kernel, plain. A variant's claims are its
  // own lines (expect_claims); the plain lines speak of bug=none.
  const FindingExpectation* best = nullptr;
  int best_tier = 4;
  for (const FindingExpectation& e : test.expected_findings) {
    if (!e.bug.empty() && e.bug != bug) continue;
    if (e.bug.empty() && bug != "none") continue;
    bool kernel_ok = e.kernels.empty();
    for (const std::string& k : e.kernels) kernel_ok |= covers(bindings, k, kernel);
    if (!kernel_ok) continue;
    const int tier = (e.bug.empty() ? 2 : 0) + (e.kernels.empty() ? 1 : 0);
    if (tier < best_tier) best = &e, best_tier = tier;
  }
  return best ? best->findings : std::vector<std::string>{};
}

std::string finding_set_text(const std::vector<std::string>& kinds) {
  std::string s;
  for (const std::string& k : kinds) s += (s.empty() ? "" : ", ") + k;
  return s.empty() ? "none" : s;
}

Compiled compile_litmus(std::shared_ptr<const Test> test, const Bindings& bindings,
                        const std::map<std::string, std::string>& overrides) {
  Compiled c;
  auto program = std::make_shared<Program>();
  program->test = test;
  program->bindings = &bindings;
  Binder binder(*program, c.errors);
  binder.bind(overrides);
  binder.finish();
  if (!c.errors.empty()) return c;
  c.program = program;
  c.test_case.name = "litmus/" + test->name;
  c.test_case.description = "C litmus test " + test->name + " (" + test->loc.file + ")";
  std::shared_ptr<const Program> shared_program = program;
  c.test_case.body = [shared_program](const mc::Params&) { run_body(*shared_program); };
  return c;
}

}  // namespace litmus
