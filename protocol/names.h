// The kernel functions the model follows, by their kernel names, and the names the same
// functions had in other versions (the folio conversions renamed most of the page-lock and
// migration paths), so that a name read in a report of any version finds its model.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace proto {

struct ModelledFunction {
  const char* name;   // "zs_page_migrate"
  const char* where;  // the model's label for it: "protocol/zsmalloc.cc:1247"
};

// Every function the model labels with MC_FUNC, sorted by name (generated from the sources).
const std::vector<ModelledFunction>& modelled_functions();
// The modelled function of that name, or null.
const ModelledFunction* find_modelled_function(std::string_view name);

// The name the model uses for a kernel function renamed across versions ("__folio_lock" ->
// "lock_page"); the name itself when it was not renamed, or not as far as the model knows.
std::string_view model_name(std::string_view kernel_name);

}  // namespace proto
