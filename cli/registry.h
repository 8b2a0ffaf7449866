#pragma once

#include "checker/test.h"

// The registered C++ tests: the engine's validation programs. The kernel scenarios are litmus
// files (litmus/catalog.h).
void register_all_tests(mc::Registry& r);
