// The binding table and the per-execution World (see bindings.h).
#include "litmus/bindings.h"

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "checker/mc.h"
#include "litmus/interpreter.h"

namespace litmus {

void Call::fail(const std::string& message) const {
  mc::violation("litmus", loc.to_string() + ": " + fn.name + ": " + message);
  std::abort();  // not reached: violation unwinds the model thread
}

void Bindings::add(ModelFunction f) {
  if (functions_.count(f.name)) throw std::logic_error("model function bound twice: " + f.name);
  const std::string name = f.name;
  functions_.emplace(name, std::move(f));
}

void Bindings::add(ObjectType t) {
  if (types_.count(t.type)) throw std::logic_error("object type bound twice: " + t.type);
  const std::string name = t.type;
  types_.emplace(name, std::move(t));
}

void Bindings::add(ModelSetting s) { settings_.push_back(std::move(s)); }

void Bindings::add_finding_kinds(std::initializer_list<const char*> names) {
  for (const char* n : names) finding_kinds_.insert(n);
}

const ModelFunction* Bindings::function(const std::string& name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

const ObjectType* Bindings::type(const std::string& type_words) const {
  auto it = types_.find(type_words);
  return it == types_.end() ? nullptr : &it->second;
}

const ModelSetting* Bindings::setting(const std::string& key) const {
  for (const ModelSetting& s : settings_)
    if (s.key == key) return &s;
  return nullptr;
}

std::string format_bindings_reference(const Bindings& b) {
  std::string o;
  o += "### Settings (header lines `key=value`)\n\n| setting | default | values | meaning |\n"
       "|---|---|---|---|\n";
  for (const ModelSetting& s : b.settings()) {
    std::string values;
    for (const std::string& c : s.choices) values += (values.empty() ? "" : ", ") + c;
    if (s.list) values += " (a comma-separated list, or all)";
    o += "| `" + s.key + "` | " + s.fallback + " | " + values + " | " + s.summary + " |\n";
  }
  for (const ModelSetting& s : b.settings()) {
    if (s.choice_notes.size() != s.choices.size()) continue;
    o += "\n### Values of `" + s.key + "`\n\n| value | meaning |\n|---|---|\n";
    for (size_t i = 0; i < s.choices.size(); ++i)
      o += "| `" + s.choices[i] + "` | " + s.choice_notes[i] + " |\n";
  }
  o += "\n### Object types (declared in the initial state)\n\n| declaration | kind | subsystem | "
       "meaning |\n|---|---|---|---|\n";
  for (const auto& [name, t] : b.types()) {
    std::string init;
    for (const std::string& i : t.initialisers) init += (init.empty() ? " = " : " \\| ") + i;
    o += "| `" + t.type + " NAME" + init + ";` | " + to_string(t.kind) + " | " + t.subsystem +
         " | " + t.summary + (t.max_count ? " (at most " + std::to_string(t.max_count) + ")" : "") +
         " |\n";
  }
  std::map<std::string, std::vector<const ModelFunction*>> by_subsystem;
  for (const auto& [name, f] : b.functions()) by_subsystem[f.subsystem].push_back(&f);
  for (const auto& [subsystem, fs] : by_subsystem) {
    o += "\n### Functions: " + subsystem +
         "\n\n| call | returns | what the model does |\n"
         "|---|---|---|\n";
    for (const ModelFunction* f : fs) {
      std::string sig = f->name + "(";
      for (size_t i = 0; i < f->params.size(); ++i)
        sig += (i ? ", " : "") + std::string(to_string(f->params[i]));
      o += "| `" + sig + ")` | " + to_string(f->result) + " | " + f->summary + " |\n";
    }
  }
  o += "\n### Finding kinds (what `Expect` lines may name)\n\n";
  std::string kinds;
  for (const std::string& k : expectable_kinds(b)) kinds += (kinds.empty() ? "" : ", ") + k;
  o += kinds + "\n";
  return o;
}

World::World(std::map<std::string, std::string> settings, std::vector<ObjectDecl> decls,
             std::function<int64_t(size_t)> address)
    : settings_(std::move(settings)), decls_(std::move(decls)), address_(std::move(address)) {}

World::~World() {
  while (!resources_.empty()) resources_.pop_back();  // reverse order of creation
}

const std::string& World::setting(const std::string& key) const {
  static const std::string empty;
  auto it = settings_.find(key);
  return it == settings_.end() ? empty : it->second;
}

int World::count_of(const std::string& type) const {
  int n = 0;
  for (const ObjectDecl& d : decls_) n += d.type == type;
  return n;
}

void* World::singleton(const std::string& name) const {
  auto it = singletons_.find(name);
  return it == singletons_.end() ? nullptr : it->second;
}

void World::bind(size_t location, ArgKind kind, void* object) {
  const int64_t value = address_(location);
  by_value_[value] = Bound{kind, object};
  by_object_[object] = value;
}

void* World::object(int64_t value, const Call& call, size_t arg) const {
  const ArgKind want = call.fn.params.at(arg);
  const std::string which = "argument " + std::to_string(arg + 1);
  if (value == 0) call.fail(which + " is NULL, expected " + to_string(want));
  auto it = by_value_.find(value);
  if (it == by_value_.end())
    call.fail(which + " (value " + std::to_string(value) + ") is not an object, expected " +
              to_string(want));
  if (it->second.kind != want)
    call.fail(which + " is a " + std::string(to_string(it->second.kind)) + ", expected " +
              to_string(want));
  return it->second.object;
}

void* World::object_at(size_t location) const {
  auto it = by_value_.find(address_(location));
  return it == by_value_.end() ? nullptr : it->second.object;
}

void* World::find(int64_t value, ArgKind kind) const {
  auto it = by_value_.find(value);
  if (it == by_value_.end() || it->second.kind != kind) return nullptr;
  return it->second.object;
}

int64_t World::value_of(const void* object, const Call& call) const {
  if (!object) return 0;
  auto it = by_object_.find(object);
  if (it == by_object_.end()) call.fail("returned an object the litmus file did not declare");
  return it->second;
}

std::string ModelSetting::choice_for(const std::string& value) const {
  for (const std::string& c : choices)
    if (c == value) return c;
  return resolve ? resolve(value) : std::string();
}

}  // namespace litmus
