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
  const char* mistake;
};
constexpr BugName kBugs[] = {
    {Bug::none, "none", "the kernel's code at the version"},
    {Bug::clear_movable_drops_flag, "clear-movable-drops-flag",
     "__ClearPageMovable clears PAGE_MAPPING_MOVABLE too (an early version of the 2016 series, "
     "corrected in review)"},
    {Bug::lock_before_movable_check, "lock-before-movable-check",
     "isolate_movable_page takes trylock_page before its lock-free __PageMovable test"},
    {Bug::isolate_without_ref, "isolate-without-ref",
     "isolate_movable_page without get_page_unless_zero"},
    {Bug::newpage_movable_after_unlock, "newpage-movable-after-unlock",
     "the target page's fate decided by a movable test after unlocking it (before the 5.0 fix)"},
    {Bug::set_movable_unlocked, "set-movable-unlocked",
     "the driver marks its page movable without holding the page lock"},
    {Bug::dequeue_without_lock, "dequeue-without-lock",
     "balloon_page_dequeue walks the balloon list without pages_lock"},
    {Bug::zs_no_trypin, "no-trypin",
     "zs_page_migrate moves objects without trypin_tag (the 2016 zsmalloc race diagram)"}};
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

const char* bug_mistake(Bug b) {
  for (const auto& e : kBugs)
    if (e.b == b) return e.mistake;
  return "?";
}

const char* bug_name(Bug b) {
  for (const auto& e : kBugs)
    if (e.b == b) return e.name;
  return "?";
}

}  // namespace proto
