#include "protocol/version.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

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
    {Kernel::v4_15, "4.15"}, {Kernel::v5_0, "5.0"},   {Kernel::v5_3, "5.3"},
    {Kernel::v5_4, "5.4"},   {Kernel::v5_9, "5.9"},   {Kernel::v5_15, "5.15"},
    {Kernel::v5_16, "5.16"}, {Kernel::v5_17, "5.17"}, {Kernel::v5_18, "5.18"},
    {Kernel::v5_19, "5.19"}, {Kernel::v6_0, "6.0"},   {Kernel::v6_5, "6.5"},
    {Kernel::v6_15, "6.15"}, {Kernel::v6_17, "6.17"}, {Kernel::v6_18, "6.18"}};
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
     "zs_page_migrate moves objects without trypin_tag (the 2016 zsmalloc race diagram)"},
    {Bug::fill_num_pfns_early, "fill-num-pfns-early",
     "fill_balloon counts each pfn before it writes it (c7cdff0e8647 as first merged; fixed "
     "for 4.15 by \"virtio_balloon: fix increment of vb->num_pfns in fill_balloon()\", id "
     "unverified)"},
    {Bug::remove_config_enabled, "remove-config-enabled",
     "virtio_dev_remove calls the driver's remove without virtio_config_disable, so a config "
     "interrupt can reach virtballoon_changed during and after the removal"},
    {Bug::isolate_without_slab_check, "isolate-without-slab-check",
     "130d4df57390's struct slab layout (slab_list.prev in page->mapping's word) without its "
     "parent 8b8817630ae8, as linux-next had it in September 2022: isolate_movable_page does "
     "not skip slab pages"}};
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

namespace {

// "5.15.80" -> {5, 15, 80}; "6.4-rc1" -> {6, 4, -1} (before 6.4); a leading 'v' is allowed.
std::optional<std::array<int, 3>> version_numbers(std::string_view s) {
  if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
  std::array<int, 3> v{0, 0, 0};
  for (int part = 0; part < 3; ++part) {
    size_t n = 0;
    int value = 0;
    while (n < s.size() && n < 6 && s[n] >= '0' && s[n] <= '9') value = value * 10 + (s[n++] - '0');
    if (n == 0) return std::nullopt;
    v[part] = value;
    s.remove_prefix(n);
    if (s.empty()) return part >= 1 ? std::optional(v) : std::nullopt;
    if (s.front() == '-' && part == 1) {
      if (s.size() < 4 || s.substr(0, 3) != "-rc") return std::nullopt;
      s.remove_prefix(3);
      for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
      v[2] = -1;  // a release candidate comes before the release
      return v;
    }
    if (s.front() != '.' || part == 2) return std::nullopt;
    s.remove_prefix(1);
  }
  return std::nullopt;
}

}  // namespace

std::string modelled_kernel_for(const std::string& version) {
  const auto want = version_numbers(version);
  if (!want) return {};
  std::string best;
  for (const auto& k : kKernels) {
    const auto have = version_numbers(k.name);
    if (*have <= *want) best = k.name;
  }
  return best;
}

bool kernel_entry_covers(const std::string& entry, const std::string& version) {
  const auto v = version_numbers(version);
  if (!v) return false;
  const size_t dots = entry.find("..");
  const std::string first = dots == std::string::npos ? entry : entry.substr(0, dots);
  const std::string last = dots == std::string::npos ? entry : entry.substr(dots + 2);
  const auto lo = version_numbers(first), hi = version_numbers(last);
  if (!lo || !hi) return false;
  // A bound written without a stable number stands for the whole series: x.y.0 up to x.y.max.
  std::array<int, 3> top = *hi;
  if (std::count(last.begin(), last.end(), '.') == 1 && last.find("-rc") == std::string::npos)
    top[2] = std::numeric_limits<int>::max();
  return *lo <= *v && *v <= top;
}

const std::vector<FixInfo>& fixes() {
  static const std::vector<FixInfo> v = {
      // In the order of enum Fix. applies_from: the version whose code the fix changes
      // first exists (the non-atomic PG_isolated updates: 4.8; zs_pool_dec_isolated: 5.3,
      // 701d678599d0; the lock_zspage it fixes races with migration of an empty zspage from
      // 4.14, 77ff465799c6, named by its Fixes: tag; the word shared by isolated and fullness:
      // 5.17, the c4549b871102 series; migrate_vma's collect: 4.14, 8c3328f1f36a; the VMware
      // balloon's -EBUSY after a refused new page: 5.3, 83a8afa72e9c; the freed-page shortcut
      // of migrate_folio_unmap for movable_ops pages: 6.17, the model's first batched version).
      {Fix::pg_isolated_atomic, "356ea3865687", Kernel::v5_18, Kernel::v4_8,
       "PG_isolated set and cleared atomically (the lost wake-up of the page lock, 4.10-5.17)"},
      {Fix::zs_dec_isolated_barrier, "afe8605ca454", Kernel::v5_16, Kernel::v5_3,
       "zsmalloc: a barrier between the isolated-count decrement and the destroying test"},
      {Fix::zs_lock_zspage_safe, "2505a981114d", Kernel::v5_19, Kernel::v4_14,
       "zsmalloc: lock_zspage under the zspage read lock (async free vs migration)"},
      {Fix::zs_isolated_under_lock, "4b5d1e47b694", Kernel::v6_5, Kernel::v5_17,
       "zsmalloc: zspage->isolated updated under the same lock as fullness"},
      {Fix::hmm_flush_under_ptl, "60bae7370896", Kernel::v6_0, Kernel::v4_14,
       "migrate_vma: collect flushes the TLB before it drops the page table lock"},
      {Fix::vmw_refused_new_page_ok, "4ba5a8a7faa6", Kernel::v6_18, Kernel::v5_3,
       "vmw_balloon: a migration whose new page the host refused returns success (6.18, "
       "6.17.6)"},
      {Fix::movable_ops_no_freed_check, "95c2908f1a4f", Kernel::v6_18, Kernel::v6_17,
       "migrate_pages_batch: no freed-page shortcut for movable_ops pages, which reach their "
       "driver's migrate_page (6.18, 6.17.6)"},
  };
  return v;
}

bool Config::fixed(Fix f) const {
  const FixInfo& info = fixes()[static_cast<size_t>(f)];
  return at_least(info.since) || (with & (uint32_t{1} << static_cast<int>(f)));
}

const FixInfo* find_fix(const std::string& id) {
  if (id.size() < 7) return nullptr;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return nullptr;
  for (const FixInfo& f : fixes()) {
    const std::string full = f.id;
    if (full.compare(0, std::min(id.size(), full.size()), id, 0,
                     std::min(id.size(), full.size())) == 0)
      return &f;
  }
  return nullptr;
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
