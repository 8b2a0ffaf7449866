// Function labels: the stack of kernel function names a model thread is inside, which a
// trace prints as "zs_page_migrate > trypin_tag".
#pragma once

#include <string>

namespace mc {

inline constexpr int kMaxLabels = 12;

// The path of the first `depth` labels (those past kMaxLabels were not kept).
std::string join_labels(const char* const* labels, int depth);

}  // namespace mc
