// The zsmalloc scenarios (`zsmalloc/*`), each taking `kernel` and `bug`, with the expected
// result per version.
#pragma once

#include "checker/test.h"

void register_zsmalloc_scenarios(mc::Registry& r);
