// Runs a parsed C litmus test (litmus/ast.h) on the exploration engine under sequential
// consistency.
//
// Binding (compile_litmus) resolves the shared locations (initial state plus thread parameters),
// checks every call against the primitive registry and rejects what the interpreter cannot run,
// with "file:line:column: message" errors, before anything executes. The resulting mc::TestCase
// creates one mc::atomic<int64_t> per location (an mc::spinlock for spinlock_t), spawns one model
// thread per Pn interpreting its body, and after joining observes every register and location
// the test names (locations [...], filter, final condition) plus two verdict observations:
// "__filter" (the filter holds, only with a filter) and "__exists" (the final condition's
// proposition holds). judge_litmus (verdict.h) turns the engine's outcome map into herd's
// Positive/Negative/Observation and compares it with the file's `Result:` line.
//
// Values are int64_t. The address of location i is address_of(i) = (i + 1) << 32, so that a
// condition such as `1:r0=x` compares a register with an address.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checker/explore/explorer.h"
#include "checker/test.h"
#include "litmus/ast.h"
#include "litmus/bindings.h"

namespace litmus {

// A binding error: to_string() gives "file:line:column: message".
struct BindError {
  SourceLoc loc;
  std::string message;
  std::string to_string() const;
};

struct Location {
  std::string name;
  SourceLoc loc;
  // kObject: a model object (`struct page pg0;`) of a type of the program's bindings.
  enum class Kind { kValue, kSpinlock, kSrcu, kObject } kind = Kind::kValue;
  int64_t initial = 0;
  std::string object_type;              // kObject: "struct page"
  ArgKind object_kind = ArgKind::kInt;  // kObject
  InitValue object_init;                // kObject: `= MIGRATE_SYNC`
};

// The bound form of a test, shared by every execution of its TestCase.
// The flags of the kernel's memory model the checker raises, as findings of the same names.
inline constexpr const char* kMemoryModelFlags[] = {"data-race",           "srcu-bad-value-match",
                                                    "unmatched-rcu-lock",  "unmatched-rcu-unlock",
                                                    "unmatched-srcu-lock", "unmatched-srcu-unlock"};

struct Program {
  std::shared_ptr<const Test> test;
  const Bindings* bindings = nullptr;  // the model functions, object types and settings
  std::vector<Location> locations;
  std::map<std::string, size_t> location_index;
  std::vector<std::map<std::string, int64_t>> register_init;  // per thread: `0:r1 = 1;`
  std::vector<std::string> observed;  // "x", "0:r0": stable storage for mc::observe names
  std::vector<LocationRef> observed_refs;
  std::vector<size_t> srcu_domains;  // location index of each srcu_struct (domain k + 1)
  // Model objects and settings (litmus/bindings.h). uses_model: the test declares a model
  // object or calls a modelled function, so each execution builds a World.
  bool uses_model = false;
  std::vector<std::string> thread_names;        // "P0", "P1", ... by thread
  std::map<std::string, std::string> settings;  // effective value of every ModelSetting
  // Values asked for that stand for another choice (kernel=5.2, answered by the model of 5.0).
  std::map<std::string, std::string> asked_settings;
  std::vector<const Expr*> setup_calls;        // init-block calls, in order
  std::vector<std::string> expected_findings;  // for this run's kernel and bug; empty = none
  // `Result: Flag` naming no flag: any of expected_findings will do, even under --all-findings
  // (they are then kMemoryModelFlags).
  bool expected_any_of = false;
  // The run's bug variant when the file's Expect lines do not name it: the file states no
  // expectation for it, so the run is reported but not checked (the verdict's `unchecked`).
  std::string unclaimed_bug;

  std::optional<size_t> find_location(const std::string& name) const;
  // "x" when `value` is the address of location x, else the decimal value.
  std::string value_text(int64_t value) const;
};

int64_t address_of(size_t location_index);

constexpr int kLoopBound = 100;  // iterations of one loop before a "litmus loop bound" finding

struct Compiled {
  std::shared_ptr<const Program> program;  // null when there are errors
  mc::TestCase test_case;                  // valid only when ok()
  std::vector<BindError> errors;
  bool ok() const { return errors.empty(); }
  std::string error_text() const;  // one error per line
};

// Binds `test` against `bindings` (the model functions, object types and settings it may use;
// they must outlive the result) and builds its TestCase, named "litmus/<test name>".
// `overrides` replace header settings (`--set kernel=4.10`); a list setting (kernel=4.8,4.10 or
// all) runs its first value here (the runner expands lists into one run each).
Compiled compile_litmus(std::shared_ptr<const Test> test, const Bindings& bindings,
                        const std::map<std::string, std::string>& overrides = {});

// The values a list setting takes ("all" expands to every choice); one value if not a list.
std::vector<std::string> setting_values(const ModelSetting& s, const std::string& value);
// "a,b,c" -> {"a", "b", "c"}.
std::vector<std::string> split_commas(const std::string& value);
// The bug variants a file runs when the command line does not say: its own `bug=` list, or
// else `none` and every variant its Expect lines name (in the setting's order). The file's
// Expect lines state nothing for any other variant.
std::vector<std::string> file_bug_variants(const Test& test, const ModelSetting& bug);
// The values of list setting `s` a file runs when the command line does not say: its own list
// (a value between two choices stands for the one it resolves to), file_bug_variants for `bug`,
// else the setting's fallback. Its Expect lines state nothing for the others.
std::vector<std::string> file_setting_values(const Test& test, const ModelSetting& s);
// Whether the file's Expect lines state what happens at `kernel` under `bug`: always for none
// (no line means none), and for a variant only at the versions its own `Expect bug=NAME` lines
// cover. A variant's run elsewhere is not checked, and a file does not run it there.
bool expect_claims(const Test& test, const Bindings& bindings, const std::string& kernel,
                   const std::string& bug);

// The set of finding kinds `test` expects at `kernel` under `bug` from its Expect lines (the
// most specific line; see FindingExpectation), sorted; empty for none.
// Kernel ranges are ordered as the values of the bindings' `kernel` setting.
// Every finding kind an Expect line may name: the engine's, the memory model's flags, the
// litmus primitives' checks (BUG_ON, WARN_ON, ...) and misuse ("litmus"), and the checks the
// bindings' models report (Bindings::finding_kinds).
std::set<std::string> expectable_kinds(const Bindings& bindings);

std::vector<std::string> expected_findings(const Test& test, const Bindings& bindings,
                                           const std::string& kernel,
                                           const std::string& bug = "none");
// "a, b" or "none".
std::string finding_set_text(const std::vector<std::string>& kinds);

// ---- primitive registry ----

class ThreadContext;  // one interpreting model thread (thread_context.h)

// A primitive's handler receives the call node (arguments unevaluated, so that `READ_ONCE(*x)`
// can name the location) and returns the call's value (0 for void primitives).
struct Primitive {
  int min_args = 0;
  int max_args = 0;
  std::function<int64_t(ThreadContext&, const Expr& call)> run;
};

// The one table of primitives, name -> handler. Adding a primitive touches only this table.
const std::map<std::string, Primitive>& primitives();

}  // namespace litmus
