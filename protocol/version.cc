#include "protocol/version.h"

#include <stdexcept>

namespace proto {

namespace {
thread_local const Config* current_config = nullptr;
const Config default_config{};

struct KernelName {
  Kernel k;
  const char* name;
};
constexpr KernelName kKernels[] = {
    {Kernel::v4_8, "4.8"},   {Kernel::v4_10, "4.10"}, {Kernel::v4_14, "4.14"},
    {Kernel::v5_0, "5.0"},   {Kernel::v5_3, "5.3"},   {Kernel::v5_15, "5.15"},
    {Kernel::v5_16, "5.16"}, {Kernel::v5_17, "5.17"}, {Kernel::v5_18, "5.18"},
    {Kernel::v5_19, "5.19"}, {Kernel::v6_0, "6.0"},   {Kernel::v6_5, "6.5"},
    {Kernel::v6_17, "6.17"}};
struct BugName {
  Bug b;
  const char* name;
};
constexpr BugName kBugs[] = {{Bug::none, "none"},
                             {Bug::clear_movable_drops_flag, "clear-movable-drops-flag"},
                             {Bug::lock_before_movable_check, "lock-before-movable-check"},
                             {Bug::isolate_without_ref, "isolate-without-ref"},
                             {Bug::newpage_movable_after_unlock, "newpage-movable-after-unlock"},
                             {Bug::set_movable_unlocked, "set-movable-unlocked"},
                             {Bug::dequeue_without_lock, "dequeue-without-lock"},
                             {Bug::zs_no_trypin, "no-trypin"}};
}  // namespace

const Config& kcfg() { return current_config ? *current_config : default_config; }

ConfigScope::ConfigScope(const Config& c) : saved_(current_config) { current_config = &c; }
ConfigScope::~ConfigScope() { current_config = saved_; }

const std::vector<std::string>& kernel_choices() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (const auto& k : kKernels) out.push_back(k.name);
    return out;
  }();
  return v;
}

const std::vector<std::string>& bug_choices() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (const auto& b : kBugs) out.push_back(b.name);
    return out;
  }();
  return v;
}

Kernel parse_kernel(const std::string& s) {
  for (const auto& k : kKernels)
    if (s == k.name) return k.k;
  throw std::invalid_argument("unknown kernel version: " + s);
}

Bug parse_bug(const std::string& s) {
  for (const auto& b : kBugs)
    if (s == b.name) return b.b;
  throw std::invalid_argument("unknown bug variant: " + s);
}

const char* kernel_name(Kernel k) {
  for (const auto& e : kKernels)
    if (e.k == k) return e.name;
  return "?";
}

const char* bug_name(Bug b) {
  for (const auto& e : kBugs)
    if (e.b == b) return e.name;
  return "?";
}

}  // namespace proto
