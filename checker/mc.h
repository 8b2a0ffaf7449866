// The instrumented layer models are written against. Include this and nothing else.
#pragma once

#include "checker/api/atomic.h"
#include "checker/api/sync.h"
#include "checker/api/thread.h"
#include "checker/runtime/execution.h"

// Marks the running thread as inside a kernel function for traces: MC_FUNC("zs_page_migrate").
#define MC_CONCAT_(a, b) a##b
#define MC_CONCAT(a, b) MC_CONCAT_(a, b)
#define MC_FUNC(name) ::mc::Label MC_CONCAT(mc_label_, __LINE__)(name)
