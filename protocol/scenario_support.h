// What every protocol, balloon and zsmalloc scenario shares: the `kernel` and `bug`
// parameters, the body run under that configuration, the finding declared for them, and the
// setup steps of a migration started by hand.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "checker/test.h"
#include "protocol/migrate.h"
#include "protocol/version.h"

namespace proto {

// The configuration a scenario's `kernel` and `bug` parameters select.
Config config_of(const mc::Params& p);

// A registered scenario. `body` runs with config_of(params) in force; `expected` says which
// finding the scenario shows at a kernel under a bug variant ("" = none).
mc::TestCase versioned_test(const std::string& name, const std::string& description,
                            std::vector<mc::Parameter> extra_params,
                            std::function<void(const mc::Params&)> body,
                            std::function<std::string(const std::string&, Kernel, Bug)> expected);

// Setup, alone in thread 0: isolate `p` as compaction would and put it on cc's list.
void isolate_in_setup(compact_control& cc, page* p);

// The migrate + putback part of compact_zone for an already isolated list.
void migrate_isolated(compact_control& cc);

}  // namespace proto
