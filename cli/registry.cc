#include "cli/registry.h"

#include "checker/programs/classic.h"
#include "protocol/scenarios.h"
#include "protocol/zsmalloc_scenarios.h"

void register_all_tests(mc::Registry& r) {
  mc::register_classic_programs(r);
  register_protocol_scenarios(r);
  register_zsmalloc_scenarios(r);
}
