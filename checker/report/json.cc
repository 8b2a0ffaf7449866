#include "checker/report/json.h"

#include <cmath>
#include <cstdio>

namespace mc::json {

const Value* Value::get(const std::string& key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, val] : object())
    if (k == key) return &val;
  return nullptr;
}

std::string quote(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\t':
        o += "\\t";
        break;
      case '\r':
        o += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o + "\"";
}

static void write_to(const Value& v, std::string& o, bool pretty, int depth) {
  auto nl = [&](int d) {
    if (!pretty) return;
    o += '\n';
    o.append(static_cast<size_t>(d) * 2, ' ');
  };
  if (std::holds_alternative<std::nullptr_t>(v.v)) {
    o += "null";
  } else if (auto* b = std::get_if<bool>(&v.v)) {
    o += *b ? "true" : "false";
  } else if (auto* i = std::get_if<int64_t>(&v.v)) {
    o += std::to_string(*i);
  } else if (auto* d = std::get_if<double>(&v.v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", std::isfinite(*d) ? *d : 0.0);
    o += buf;
  } else if (auto* s = std::get_if<std::string>(&v.v)) {
    o += quote(*s);
  } else if (auto* a = std::get_if<Array>(&v.v)) {
    o += '[';
    for (size_t k = 0; k < a->size(); ++k) {
      if (k) o += ',';
      nl(depth + 1);
      write_to((*a)[k], o, pretty, depth + 1);
    }
    if (!a->empty()) nl(depth);
    o += ']';
  } else if (auto* ob = std::get_if<Object>(&v.v)) {
    o += '{';
    for (size_t k = 0; k < ob->size(); ++k) {
      if (k) o += ',';
      nl(depth + 1);
      o += quote((*ob)[k].first);
      o += pretty ? ": " : ":";
      write_to((*ob)[k].second, o, pretty, depth + 1);
    }
    if (!ob->empty()) nl(depth);
    o += '}';
  }
}

std::string write(const Value& v, bool pretty) {
  std::string o;
  write_to(v, o, pretty, 0);
  return o;
}

namespace {

class Reader {
 public:
  explicit Reader(const std::string& t) : t_(t) {}
  bool run(Value* out, std::string* err) {
    skip();
    if (!value(out)) {
      *err = err_;
      return false;
    }
    skip();
    if (i_ != t_.size()) {
      fail("end of input");
      *err = err_;
      return false;
    }
    return true;
  }

 private:
  bool fail(const std::string& expected) {
    if (!err_.empty()) return false;
    int line = 1, col = 1;
    for (size_t k = 0; k < i_ && k < t_.size(); ++k) {
      if (t_[k] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string found = i_ < t_.size() ? std::string("'") + t_[i_] + "'" : "end of input";
    err_ = std::to_string(line) + ":" + std::to_string(col) + ": expected " + expected +
           ", found " + found;
    return false;
  }
  void skip() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\t' || t_[i_] == '\r'))
      ++i_;
  }
  bool lit(const char* w) {
    size_t n = std::char_traits<char>::length(w);
    if (t_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }
  bool value(Value* out) {
    if (i_ >= t_.size()) return fail("a value");
    char c = t_[i_];
    if (c == '{') return object(out);
    if (c == '[') return array(out);
    if (c == '"') {
      std::string s;
      if (!string(&s)) return false;
      *out = Value(std::move(s));
      return true;
    }
    if (lit("true")) {
      *out = Value(true);
      return true;
    }
    if (lit("false")) {
      *out = Value(false);
      return true;
    }
    if (lit("null")) {
      *out = Value(nullptr);
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    return fail("a value");
  }
  bool number(Value* out) {
    size_t start = i_;
    if (t_[i_] == '-') ++i_;
    bool frac = false;
    while (i_ < t_.size() && ((t_[i_] >= '0' && t_[i_] <= '9') || t_[i_] == '.' || t_[i_] == 'e' ||
                              t_[i_] == 'E' || t_[i_] == '+' || t_[i_] == '-')) {
      if (t_[i_] == '.' || t_[i_] == 'e' || t_[i_] == 'E') frac = true;
      ++i_;
    }
    std::string s = t_.substr(start, i_ - start);
    try {
      if (frac)
        *out = Value(std::stod(s));
      else
        *out = Value(static_cast<int64_t>(std::stoll(s)));
    } catch (const std::exception&) {
      i_ = start;
      return fail("a number");
    }
    return true;
  }
  bool string(std::string* s) {
    ++i_;  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      char c = t_[i_++];
      if (c == '\\') {
        if (i_ >= t_.size()) return fail("an escape");
        char e = t_[i_++];
        switch (e) {
          case 'n':
            *s += '\n';
            break;
          case 't':
            *s += '\t';
            break;
          case 'r':
            *s += '\r';
            break;
          case 'b':
            *s += '\b';
            break;
          case 'f':
            *s += '\f';
            break;
          case 'u': {
            if (i_ + 4 > t_.size()) return fail("four hex digits");
            unsigned cp = static_cast<unsigned>(std::stoul(t_.substr(i_, 4), nullptr, 16));
            i_ += 4;
            if (cp < 0x80) {
              *s += static_cast<char>(cp);
            } else if (cp < 0x800) {
              *s += static_cast<char>(0xc0 | (cp >> 6));
              *s += static_cast<char>(0x80 | (cp & 0x3f));
            } else {
              *s += static_cast<char>(0xe0 | (cp >> 12));
              *s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
              *s += static_cast<char>(0x80 | (cp & 0x3f));
            }
            break;
          }
          default:
            *s += e;
        }
      } else {
        *s += c;
      }
    }
    if (i_ >= t_.size()) return fail("'\"' closing the string");
    ++i_;
    return true;
  }
  bool array(Value* out) {
    ++i_;
    Array a;
    skip();
    if (i_ < t_.size() && t_[i_] == ']') {
      ++i_;
      *out = Value(std::move(a));
      return true;
    }
    while (true) {
      skip();
      Value v;
      if (!value(&v)) return false;
      a.push_back(std::move(v));
      skip();
      if (i_ < t_.size() && t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == ']') {
        ++i_;
        break;
      }
      return fail("',' or ']'");
    }
    *out = Value(std::move(a));
    return true;
  }
  bool object(Value* out) {
    ++i_;
    Object o;
    skip();
    if (i_ < t_.size() && t_[i_] == '}') {
      ++i_;
      *out = Value(std::move(o));
      return true;
    }
    while (true) {
      skip();
      if (i_ >= t_.size() || t_[i_] != '"') return fail("a quoted key");
      std::string k;
      if (!string(&k)) return false;
      skip();
      if (i_ >= t_.size() || t_[i_] != ':') return fail("':'");
      ++i_;
      skip();
      Value v;
      if (!value(&v)) return false;
      o.emplace_back(std::move(k), std::move(v));
      skip();
      if (i_ < t_.size() && t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == '}') {
        ++i_;
        break;
      }
      return fail("',' or '}'");
    }
    *out = Value(std::move(o));
    return true;
  }

  const std::string& t_;
  size_t i_ = 0;
  std::string err_;
};

}  // namespace

bool parse(const std::string& text, Value* out, std::string* error) {
  return Reader(text).run(out, error);
}

}  // namespace mc::json
