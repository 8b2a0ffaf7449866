// Whether this file is built with AddressSanitizer (GCC says it one way, Clang another): the
// runtime then tells it about fiber switches and poisons the memory it hands out itself.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define MC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MC_ASAN 1
#endif
#endif

#ifdef MC_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
