#include "checker/runtime/invariant.h"

#include <cstdio>
#include <cstdlib>

namespace mc {

void engine_bug(const char* condition, const char* what, const char* file, int line) {
  std::fflush(stdout);
  std::fprintf(stderr,
               "migcheck: internal error: %s (MC_BUG_ON(%s) at %s:%d). This is a bug of the "
               "checker, not of the model.\n",
               what, condition, file, line);
  std::abort();
}

}  // namespace mc
