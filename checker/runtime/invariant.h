// The engine's own invariants, in the manner of the kernel's BUG_ON: a check that fails is a
// bug of the checker, not of the model under test, and stops the process with what broke.
// Checked where MIGCHECK_INVARIANTS is defined (the sanitizer build, whose test run CI makes,
// or -DMIGCHECK_INVARIANTS=ON); elsewhere the condition is not even evaluated, so the checks
// may be as thorough as they need to be.
#pragma once

namespace mc {
[[noreturn]] void engine_bug(const char* condition, const char* what, const char* file, int line);
// True in builds that check the invariants.
constexpr bool kInvariantsChecked =
#ifdef MIGCHECK_INVARIANTS
    true;
#else
    false;
#endif
}  // namespace mc

#ifdef MIGCHECK_INVARIANTS
#define MC_BUG_ON(cond, what)                            \
  do {                                                   \
    if (cond) [[unlikely]]                               \
      ::mc::engine_bug(#cond, what, __FILE__, __LINE__); \
  } while (0)
#else
#define MC_BUG_ON(cond, what) \
  do {                        \
    (void)sizeof(cond);       \
  } while (0)
#endif
