// A registered test: a model body run as thread 0, its parameters, and what it must show.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mc {

class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, std::string> v) : values_(std::move(v)) {}
  std::string get(const std::string& key, const std::string& fallback = "") const;
  // Throws std::invalid_argument naming the key when the value is not an integer.
  int64_t get_int(const std::string& key, int64_t fallback) const;
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  void set(const std::string& key, const std::string& value) { values_[key] = value; }
  const std::map<std::string, std::string>& values() const { return values_; }
  std::string to_string() const;  // "kernel=4.8 n=3"

 private:
  std::map<std::string, std::string> values_;
};

struct Expectation {
  std::string finding;                               // expected finding kind; empty: none
  std::optional<uint64_t> executions;                // complete executions under exhaustive dpor
  std::optional<uint64_t> blocked;                   // blocked executions under exhaustive dpor
  std::optional<std::vector<std::string>> outcomes;  // every final state, "r0=1 r1=0"
  std::string source;                                // where an expected count comes from
  // Under --all-findings, the exact set of finding kinds (default: {finding}, or none).
  std::optional<std::vector<std::string>> finding_kinds;
};

// A decimal integer, the whole of `text` (an optional sign, digits; no base prefix, no
// octal); false when it is not one or does not fit.
bool parse_decimal(const std::string& text, int64_t* out);

struct Parameter {
  std::string name;
  std::string fallback;
  std::string help;
  std::vector<std::string> choices;  // empty: any value
  // An integer parameter: decimal, from `min` to `max` (a value outside is an input error,
  // never wrapped or truncated into another run).
  bool integer = false;
  int64_t min = 0, max = 0;
};

struct TestCase {
  std::string name;  // "classic/sb", "protocol/compaction-vs-free"
  std::string description;
  std::vector<Parameter> params;
  std::function<void(const Params&)> body;
  std::function<Expectation(const Params&)> expect;
};

class Registry {
 public:
  void add(TestCase t);
  const std::vector<TestCase>& all() const { return tests_; }
  const TestCase* find(const std::string& name) const;
  // Names matching a glob ("protocol/*", "classic/dekker*"), in registration order.
  std::vector<const TestCase*> match(const std::string& pattern) const;

 private:
  std::vector<TestCase> tests_;
};

bool glob_match(const std::string& pattern, const std::string& text);

// Fills in defaults and checks every key and value against the declared parameters.
// Returns an error message (empty when fine).
std::string resolve_params(const TestCase& t, const std::map<std::string, std::string>& given,
                           Params* out);

}  // namespace mc
