// A small JSON value with a writer and a reader that reports line:column on bad input.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace mc::json {

struct Value;
using Object = std::vector<std::pair<std::string, Value>>;  // keeps insertion order
using Array = std::vector<Value>;

struct Value {
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> v = nullptr;
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v(b) {}
  Value(int i) : v(int64_t{i}) {}
  Value(int64_t i) : v(i) {}
  Value(uint64_t i) : v(static_cast<int64_t>(i)) {}
  Value(uint32_t i) : v(int64_t{i}) {}
  Value(double d) : v(d) {}
  Value(const char* s) : v(std::string(s)) {}
  Value(std::string s) : v(std::move(s)) {}
  Value(Array a) : v(std::move(a)) {}
  Value(Object o) : v(std::move(o)) {}

  const Value* get(const std::string& key) const;  // null if absent or not an object
  bool is_object() const { return std::holds_alternative<Object>(v); }
  bool is_array() const { return std::holds_alternative<Array>(v); }
  bool is_string() const { return std::holds_alternative<std::string>(v); }
  bool is_int() const { return std::holds_alternative<int64_t>(v); }
  const std::string& str() const { return std::get<std::string>(v); }
  int64_t integer() const { return std::get<int64_t>(v); }
  const Array& array() const { return std::get<Array>(v); }
  const Object& object() const { return std::get<Object>(v); }
};

std::string write(const Value& v, bool pretty = false);
std::string quote(const std::string& s);

// Parses `text`; on error returns false and sets `error` to "line:column: what was expected".
bool parse(const std::string& text, Value* out, std::string* error);

}  // namespace mc::json
