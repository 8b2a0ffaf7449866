// The protocol scenarios: `protocol/*` (reference driver) and `balloon/*`, each taking
// `kernel` and `bug` parameters, with the expected result per version and bug variant.
#pragma once

#include "checker/test.h"

// Expectations: with no variant every scenario passes at 4.8, 5.18, 6.0 and 6.17; at 4.10 and
// 5.0 the scenarios with a page-lock sleeper show the lost wake-up fixed by 356ea3865687.
// With a variant, its demonstrating scenario (variant_scenario) expects the variant's
// finding; other scenario/variant pairs are expected to behave as with no variant (not
// verified for every pair).
void register_protocol_scenarios(mc::Registry& r);

#include "protocol/version.h"

namespace proto {
// The scenario that demonstrates a bug variant.
const char* variant_scenario(Bug bug);
}  // namespace proto
