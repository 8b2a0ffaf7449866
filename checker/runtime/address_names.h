// Names for addresses, so that a trace prints a pointer value as what it points at ("ret",
// "cc.migratepages", "&counter", "zspage#2") rather than as a raw address. Kept in history
// mode only (the executions that are reported): the exploration pays one test per object.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mc {

class AddressNames {
 public:
  struct Entry {
    std::string name;
    bool object = false;  // an instrumented object's own address ("&x"), not a named structure
  };
  // The latest name given wins: a structure names itself after its first member did, and an
  // object made later at a reused address (a stack frame's) replaces what was there.
  void name(const void* p, std::string_view name, bool object) {
    Entry& e = names_[reinterpret_cast<uintptr_t>(p)];
    e.name = name;
    e.object = object;
  }
  // The entry at exactly `v`, or null.
  const Entry* find(uint64_t v) const {
    auto it = names_.find(static_cast<uintptr_t>(v));
    return it == names_.end() ? nullptr : &it->second;
  }
  void clear() {
    if (!names_.empty()) names_.clear();
  }

 private:
  std::unordered_map<uintptr_t, Entry> names_;
};

}  // namespace mc
