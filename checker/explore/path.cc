#include "checker/explore/path.h"

namespace mc {

std::string thread_set(ThreadMask m) {
  std::string s = "{";
  for (int t = 0; t < kMaxThreads; ++t) {
    if (!(m & thread_bit(t))) continue;
    if (s.size() > 1) s += ' ';
    s += "T" + std::to_string(t);
  }
  return s + "}";
}

}  // namespace mc
