#include "checker/test.h"

#include <charconv>
#include <stdexcept>

namespace mc {

bool parse_decimal(const std::string& text, int64_t* out) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;  // from_chars takes '-' only
  if (first == last) return false;
  const auto [end, ec] = std::from_chars(first, last, *out, 10);
  return ec == std::errc() && end == last;
}

std::string Params::get(const std::string& key, const std::string& fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

int64_t Params::get_int(const std::string& key, int64_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  int64_t v = 0;
  if (parse_decimal(it->second, &v)) return v;
  throw std::invalid_argument("parameter " + key + "=" + it->second + " is not an integer");
}

std::string Params::to_string() const {
  std::string s;
  for (const auto& [k, v] : values_) {
    if (!s.empty()) s += ' ';
    s += k + "=" + v;
  }
  return s;
}

void Registry::add(TestCase t) {
  if (find(t.name)) throw std::logic_error("test registered twice: " + t.name);
  tests_.push_back(std::move(t));
}

const TestCase* Registry::find(const std::string& name) const {
  for (const auto& t : tests_)
    if (t.name == name) return &t;
  return nullptr;
}

bool glob_match(const std::string& p, const std::string& s) {
  size_t pi = 0, si = 0, star = std::string::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::vector<const TestCase*> Registry::match(const std::string& pattern) const {
  std::vector<const TestCase*> out;
  for (const auto& t : tests_)
    if (glob_match(pattern, t.name)) out.push_back(&t);
  return out;
}

std::string resolve_params(const TestCase& t, const std::map<std::string, std::string>& given,
                           Params* out) {
  std::map<std::string, std::string> v;
  for (const auto& p : t.params) v[p.name] = p.fallback;
  for (const auto& [k, val] : given) {
    const Parameter* decl = nullptr;
    for (const auto& p : t.params)
      if (p.name == k) decl = &p;
    if (!decl) {
      std::string known;
      for (const auto& p : t.params) known += (known.empty() ? "" : ", ") + p.name;
      return "test " + t.name + " has no parameter '" + k + "'" +
             (known.empty() ? " (it takes none)" : " (it takes: " + known + ")");
    }
    if (decl->integer) {
      int64_t n = 0;
      if (!parse_decimal(val, &n) || n < decl->min || n > decl->max)
        return "test " + t.name + ": " + k + "=" + val + ": expected a decimal integer from " +
               std::to_string(decl->min) + " to " + std::to_string(decl->max);
    }
    if (!decl->choices.empty()) {
      bool ok = false;
      std::string list;
      for (const auto& c : decl->choices) {
        ok |= c == val;
        list += (list.empty() ? "" : ", ") + c;
      }
      if (!ok) return "test " + t.name + ": " + k + "=" + val + " is not one of: " + list;
    }
    v[k] = val;
  }
  *out = Params(std::move(v));
  return {};
}

}  // namespace mc
