#include "protocol/names.h"

#include <algorithm>
#include <utility>

namespace proto {

const ModelledFunction* find_modelled_function(std::string_view name) {
  const auto& all = modelled_functions();
  auto it =
      std::lower_bound(all.begin(), all.end(), name,
                       [](const ModelledFunction& f, std::string_view n) { return f.name < n; });
  return it != all.end() && it->name == name ? &*it : nullptr;
}

std::string_view model_name(std::string_view kernel_name) {
  // Later names of the modelled functions. The page-lock paths became folio functions in
  // 5.16 (the folio series, merged for 5.16-rc1); and move_to_new_page and
  // putback_movable_page in 6.0-6.3 (the model labels each path with its version's name). Older
  // spellings of one function (__lock_page was lock_page's slow path) map to the function the model
  // has.
  static const std::pair<std::string_view, std::string_view> kRenamed[] = {
      {"ClearPageMovableOpsIsolated", "ClearPageIsolated"},
      {"SetPageMovableOpsIsolated", "SetPageIsolated"},
      {"__ClearPageIsolated", "ClearPageIsolated"},
      {"__SetPageIsolated", "SetPageIsolated"},
      {"__folio_lock", "lock_page"},
      {"__folio_lock_killable", "lock_page"},
      {"__lock_page", "lock_page"},
      {"__lock_page_killable", "lock_page"},
      {"folio_lock", "lock_page"},
      {"folio_lock_killable", "lock_page"},
      {"folio_unlock", "unlock_page"},
      {"folio_wait_bit", "wait_on_page_bit_common"},
      {"folio_wait_bit_common", "wait_on_page_bit_common"},
      {"folio_wait_bit_killable", "wait_on_page_bit_common"},
      {"folio_wait_locked", "wait_on_page_locked"},
      {"folio_wake_bit", "wake_up_page_bit"},
      {"move_to_new_folio", "move_to_new_page"},
      {"putback_movable_folio", "putback_movable_page"},
      {"wait_on_page_bit", "wait_on_page_bit_common"},
      {"wait_on_page_bit_killable", "wait_on_page_bit_common"},
      {"wake_up_page", "wake_up_page_bit"},
  };
  if (find_modelled_function(kernel_name)) return kernel_name;
  for (const auto& [from, to] : kRenamed)
    if (from == kernel_name) return to;
  return kernel_name;
}

}  // namespace proto
