// Machine output: a run, its events and its schedule as JSON (`--json`, trace files).
#pragma once

#include <vector>

#include "checker/explore/explorer.h"
#include "checker/report/json.h"

namespace mc {

json::Value result_json(const RunResult& r);
json::Value events_json(const std::vector<EventDetail>& events);
json::Value schedule_json(const std::vector<Decision>& schedule);

}  // namespace mc
