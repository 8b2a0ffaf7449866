#include "cli/registry.h"

#include "checker/programs/classic.h"

void register_all_tests(mc::Registry& r) { mc::register_classic_programs(r); }
