#include "checker/runtime/object.h"

#include <cstdio>

#include "checker/runtime/execution.h"

namespace mc {

std::string ObjectBase::display_name() const {
  if (name) return name;
  return std::string(kind) + "#" + std::to_string(id);
}

std::string ObjectBase::format_value(uint64_t v) const {
  return format ? format(v) : format_word(v);
}

std::string format_word(uint64_t v) {
  char buf[32];
  if (v > 0xffff && v < 0xffffffffffff0000ull) {
    // An address: what it points at, if the execution knows it.
    if (const Execution* ex = Execution::current())
      if (std::string n = ex->name_of(v); !n.empty()) return n;
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  } else
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  return buf;
}

}  // namespace mc
