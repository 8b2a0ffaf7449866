#pragma once

#include "checker/test.h"

// Every registered C++ test of the product: engine validation programs and protocol scenarios.
void register_all_tests(mc::Registry& r);
