// The model bindings: the one table that makes modelled kernel functions, object types and
// settings usable from litmus files. The interpreter knows only this table; each subsystem
// fills its part in litmus/bindings/<subsystem>.cc (protocol.cc, balloon.cc, ...), and
// bindings/all.cc lists the subsystems. Adding a modelled function is one entry there: the
// parser and the interpreter need no change.
//
// Values. The interpreter computes with int64_t. An object declared in the initial state
// (`struct page pg0;`) is a location like `int x;`, and its value is its address
// (address_of(location index)); NULL is 0. A function taking a page receives that value and
// asks the World for the object (World::object), which checks the kind.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "litmus/ast.h"

namespace litmus {

// What a parameter or a result is: void (results only), int (any integer expression; bool
// results are 0/1), or a kind of model object that a subsystem's bindings define with its
// ObjectType (bindings/kinds.h: "struct page *", a zsmalloc handle, ...). Kinds are told apart
// by their names, which are also how they read in messages and in the registry's tables.
struct ArgKind {
  const char* name = "int";
  static const ArgKind kVoid;
  static const ArgKind kInt;
  friend bool operator==(ArgKind a, ArgKind b) { return std::string_view(a.name) == b.name; }
};
inline constexpr ArgKind ArgKind::kVoid{"void"};
inline constexpr ArgKind ArgKind::kInt{"int"};
inline const char* to_string(ArgKind k) { return k.name; }  // "struct page *", "int", ...

class World;

// One call of a modelled function: the evaluated arguments and where the call is written.
struct ModelFunction;
struct Call {
  World& world;
  const ModelFunction& fn;
  std::vector<int64_t> args;
  SourceLoc loc;
  // The object argument `i` points to, of the kind the function declares; a finding naming the
  // call when it is NULL or of another kind.
  template <class T>
  T* object(size_t i) const;
  template <class T>
  T* object_or_null(size_t i) const;
  int64_t arg(size_t i) const { return args.at(i); }
  [[noreturn]] void fail(const std::string& message) const;
};

struct ModelFunction {
  std::string name;
  std::vector<ArgKind> params;
  ArgKind result = ArgKind::kVoid;
  std::string subsystem;  // "protocol", "balloon", ...
  std::string summary;    // one line: what the kernel function does in the model
  std::function<int64_t(const Call&)> run;
};

// A declaration in the initial state, as the binding layer sees it.
struct ObjectDecl {
  std::string name;
  std::string type;  // "struct page"
  SourceLoc loc;
  size_t location = 0;
  InitValue value;  // `= MIGRATE_SYNC` and such; kNone when absent
};

struct ObjectType {
  std::string type;  // the declaration's type words, e.g. "struct page"
  ArgKind kind = ArgKind::kInt;
  std::string subsystem;
  std::string summary;
  int max_count = 0;  // most declarations of this type in one file (0: no limit)
  // Initialisers accepted after `=`: bare names, and the forms check_macro accepts (written
  // here for the documentation, e.g. "ZS_POOL(size, pages)"); empty: none.
  std::vector<std::string> initialisers;
  // Checks a macro initialiser `NAME(n, ...)`: "" when accepted, else what was expected.
  // Unset: the type takes no macro initialiser.
  std::function<std::string(const InitValue&)> check_macro;
  // Makes the object in the running execution (setup thread, declaration order) and returns a
  // pointer the functions receive; keep it alive with World::keep.
  std::function<void*(World&, const ObjectDecl&)> create;
  // Runs after the setup calls, before P0, P1, ... start (e.g. a worker thread the object
  // owns); may be empty.
  std::function<void(World&, void*)> start;
  // The type's end-state invariants, checked after every thread has ended (may be empty).
  std::function<void(World&, void*)> check_end;
};

// A header setting (`kernel=4.10`) the models read.
struct ModelSetting {
  std::string key;
  std::string fallback;
  std::vector<std::string> choices;  // the accepted values
  bool list = false;                 // a comma-separated list (or "all") runs one variant each
  bool combined = false;  // a comma-separated set applied together, in one run (with=a,b)
  std::string summary;
  std::vector<std::string> choice_notes;  // empty, or what each choice means (same order)
  // Values outside `choices` that stand for one of them (a kernel version between two modelled
  // ones stands for the older): the choice, or "" for a value that stands for none. Null: only
  // the choices are accepted. `resolve_hint` says what it accepts, for errors.
  std::function<std::string(const std::string&)> resolve;
  std::string resolve_hint;
  // Whether an Expect entry (a value, or a range "a..b") covers a run's value. Null: a value
  // covers itself, a range the choices from its first to its last, in the order of `choices`.
  std::function<bool(const std::string& entry, const std::string& value)> covers;

  // The choice `value` stands for ("" if none).
  std::string choice_for(const std::string& value) const;
};

class Bindings {
 public:
  void add(ModelFunction f);
  void add(ObjectType t);
  void add(ModelSetting s);
  // The names of the checks the models report (mc::violation and mc::warning: "bad page
  // state", "VM_BUG_ON_PAGE", ...), which Expect lines may name beside the engine's kinds.
  void add_finding_kinds(std::initializer_list<const char*> names);
  const std::set<std::string>& finding_kinds() const { return finding_kinds_; }
  // Runs at the start of each execution, before any object is made (e.g. the kernel config).
  void on_begin(std::function<void(World&)> hook) { begin_.push_back(std::move(hook)); }
  // Runs at the end of a complete execution, after every object's check_end (e.g. the zone's
  // check over all owners).
  void on_end(std::function<void(World&)> hook) { end_.push_back(std::move(hook)); }
  const std::vector<std::function<void(World&)>>& end_hooks() const { return end_; }
  // Checks the settings together once each is valid on its own (a fix applied to a version
  // without the code it fixes): each problem as (setting key, message).
  using SettingsCheck = std::function<std::vector<std::pair<std::string, std::string>>(
      const std::map<std::string, std::string>& settings)>;
  void check_settings(SettingsCheck check) { checks_.push_back(std::move(check)); }
  const std::vector<SettingsCheck>& settings_checks() const { return checks_; }

  const ModelFunction* function(const std::string& name) const;
  const ObjectType* type(const std::string& type_words) const;
  const ModelSetting* setting(const std::string& key) const;
  const std::map<std::string, ModelFunction>& functions() const { return functions_; }
  const std::map<std::string, ObjectType>& types() const { return types_; }
  const std::vector<ModelSetting>& settings() const { return settings_; }
  const std::vector<std::function<void(World&)>>& begin_hooks() const { return begin_; }

 private:
  std::map<std::string, ModelFunction> functions_;
  std::map<std::string, ObjectType> types_;
  std::vector<ModelSetting> settings_;
  std::vector<std::function<void(World&)>> begin_;
  std::vector<std::function<void(World&)>> end_;
  std::vector<SettingsCheck> checks_;
  std::set<std::string> finding_kinds_;
};

// The registry as Markdown tables (settings, object types, functions by subsystem), for
// `migcheck litmus-functions` and docs/litmus.md.
std::string format_bindings_reference(const Bindings& b);

// The subsystems' fillers (one per file in litmus/bindings/).
// Registers one subsystem's functions: fn("name", {params}, result, "summary", run).
class SubsystemFunctions {
 public:
  SubsystemFunctions(Bindings& b, std::string subsystem)
      : b_(b), subsystem_(std::move(subsystem)) {}
  void operator()(std::string name, std::vector<ArgKind> params, ArgKind result,
                  std::string summary, std::function<int64_t(const Call&)> run) const {
    b_.add(ModelFunction{std::move(name), std::move(params), result, subsystem_, std::move(summary),
                         std::move(run)});
  }

 private:
  Bindings& b_;
  std::string subsystem_;
};

void add_protocol_bindings(Bindings& b);
void add_balloon_bindings(Bindings& b);
void add_vmw_balloon_bindings(Bindings& b);
void add_z3fold_bindings(Bindings& b);
void add_zsmalloc_bindings(Bindings& b);
void add_slab_bindings(Bindings& b);
void add_hmm_bindings(Bindings& b);

// One execution's model objects, made by the setup thread and dropped (in reverse order) when
// the execution ends.
class World {
 public:
  // `settings`: the effective value of every ModelSetting; `decls`: the declared objects.
  World(std::map<std::string, std::string> settings, std::vector<ObjectDecl> decls,
        std::function<int64_t(size_t)> address);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const std::string& setting(const std::string& key) const;
  const std::vector<ObjectDecl>& decls() const { return decls_; }
  int count_of(const std::string& type) const;  // declarations of that type

  // Keeps `resource` alive until the end of the execution (destroyed in reverse order).
  template <class T>
  T* keep(std::unique_ptr<T> resource) {
    T* raw = resource.get();
    resources_.push_back(std::shared_ptr<void>(std::move(resource)));
    return raw;
  }
  // Named per-execution state of a subsystem (the page allocator, the kernel config).
  void* singleton(const std::string& name) const;
  void set_singleton(const std::string& name, void* p) { singletons_[name] = p; }

  // Makes `value` name `object` of `kind`: done by the interpreter for each declared object
  // (with its address), so that functions can take it and return it (value_of).
  void bind(size_t location, ArgKind kind, void* object);
  // The object `value` names, checked against the kind call.fn declares for argument `arg`.
  void* object(int64_t value, const Call& call, size_t arg) const;
  void* object_at(size_t location) const;  // the object bound at a declared location
  // The object `value` names if it is bound with `kind`, else null (no finding).
  void* find(int64_t value, ArgKind kind) const;
  // The value naming `object` (0 for null); a finding if the object was never bound.
  int64_t value_of(const void* object, const Call& call) const;

 private:
  std::map<std::string, std::string> settings_;
  std::vector<ObjectDecl> decls_;
  std::function<int64_t(size_t)> address_;
  std::vector<std::shared_ptr<void>> resources_;
  std::map<std::string, void*> singletons_;
  struct Bound {
    ArgKind kind;
    void* object;
  };
  std::map<int64_t, Bound> by_value_;
  std::map<const void*, int64_t> by_object_;
};

template <class T>
T* Call::object(size_t i) const {
  return static_cast<T*>(world.object(args.at(i), *this, i));
}

template <class T>
T* Call::object_or_null(size_t i) const {
  if (args.at(i) == 0) return nullptr;
  return object<T>(i);
}

}  // namespace litmus
