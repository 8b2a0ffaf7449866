#include "checker/report/json.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

// The reading and writing are nlohmann-json's; the project keeps its own small Value (the
// reports build it, the readers walk it).
namespace mc::json {

namespace {

using Json = nlohmann::ordered_json;

// Deeper than any file the project writes (a trace is 4 levels, a baseline line 2): a deeper
// input is refused with its place, rather than walked recursively.
constexpr int kMaxDepth = 64;

Json to_json(const Value& v) {
  if (std::holds_alternative<std::nullptr_t>(v.v)) return nullptr;
  if (auto* b = std::get_if<bool>(&v.v)) return *b;
  if (auto* i = std::get_if<int64_t>(&v.v)) return *i;
  if (auto* d = std::get_if<double>(&v.v)) {
    // Six significant digits, as the reports have always printed them; nothing non-finite.
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", std::isfinite(*d) ? *d : 0.0);
    return std::strtod(buf, nullptr);
  }
  if (auto* s = std::get_if<std::string>(&v.v)) return *s;
  if (auto* a = std::get_if<Array>(&v.v)) {
    Json out = Json::array();
    for (const Value& x : *a) out.push_back(to_json(x));
    return out;
  }
  Json out = Json::object();
  for (const auto& [k, x] : std::get<Object>(v.v)) out[k] = to_json(x);
  return out;
}

Value from_json(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      return Value(nullptr);
    case Json::value_t::boolean:
      return Value(j.get<bool>());
    case Json::value_t::number_integer:
      return Value(j.get<int64_t>());
    case Json::value_t::number_unsigned: {
      const uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
      return Value(static_cast<int64_t>(u));
    }
    case Json::value_t::number_float:
      return Value(j.get<double>());
    case Json::value_t::string:
      return Value(j.get<std::string>());
    case Json::value_t::array: {
      Array a;
      a.reserve(j.size());
      for (const Json& x : j) a.push_back(from_json(x));
      return Value(std::move(a));
    }
    case Json::value_t::object: {
      Object o;
      for (const auto& [k, x] : j.items()) o.emplace_back(k, from_json(x));
      return Value(std::move(o));
    }
    case Json::value_t::binary:
      break;
  }
  return Value(nullptr);
}

// "line:column" of byte offset `at` (1-based, as nlohmann reports the byte it stopped at).
std::string place(const std::string& text, size_t at) {
  int line = 1, col = 1;
  for (size_t k = 0; k + 1 < at && k < text.size(); ++k) {
    if (text[k] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace

const Value* Value::get(const std::string& key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, val] : object())
    if (k == key) return &val;
  return nullptr;
}

std::string quote(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string write(const Value& v, bool pretty) {
  // Invalid UTF-8 (from a name or message that came from outside) is written as U+FFFD: every
  // line stays JSON.
  return to_json(v).dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace);
}

bool parse(const std::string& text, Value* out, std::string* error) {
  // The nesting is counted as the parser goes (its callback sees each level open) and a
  // deeper input is cut off there, before anything walks it.
  int depth = 0;
  size_t too_deep_at = 0;
  const Json::parser_callback_t limit = [&](int level, Json::parse_event_t event, Json&) {
    if (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) {
      depth = level + 1;
      if (depth > kMaxDepth && too_deep_at == 0) too_deep_at = 1;
    }
    return depth <= kMaxDepth;
  };
  Json j;
  try {
    j = Json::parse(text, limit, true);
  } catch (const Json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 2, column 10: syntax error while
    // parsing object separator - unexpected number literal; expected ':'": the place is ours,
    // the rest is what the reader says was wrong.
    std::string what = e.what();
    const size_t colon = what.find(": ", what.find("parse error"));
    what = colon == std::string::npos ? what : what.substr(colon + 2);
    *error = place(text, e.byte) + ": " + what;
    return false;
  } catch (const Json::exception& e) {
    // A number too large for a double ("number overflow parsing '1e999'"): placed at the
    // number, which the message quotes.
    std::string what = e.what();
    const size_t bracket = what.find("] ");
    what = bracket == std::string::npos ? what : what.substr(bracket + 2);
    size_t at = 0;
    if (const size_t q = what.find('\''); q != std::string::npos) {
      const size_t end = what.find('\'', q + 1);
      if (end != std::string::npos) {
        const size_t found = text.find(what.substr(q + 1, end - q - 1));
        if (found != std::string::npos) at = found + 1;
      }
    }
    *error = place(text, at) + ": " + what;
    return false;
  }
  if (too_deep_at) {
    *error = "1:1: expected at most " + std::to_string(kMaxDepth) +
             " levels of nested arrays and objects, found more";
    return false;
  }
  *out = from_json(j);
  return true;
}

}  // namespace mc::json
