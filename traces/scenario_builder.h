// Scenarios built from a report's entry points: each side of the report bound to a path a
// thread can run (an entry point: a litmus call sequence such as "map the object and read it"
// or "migrate the isolated page"), the threads put together on the shared objects of one
// world (the reference driver, a zsmalloc pool, a virtio balloon) with the set-up their paths
// need (an object, its page isolated by compaction, a page chain, a kworker...). Which kernel
// functions an entry point reaches is not declared: it is read, at the version searched, from
// one execution of the entry point alone. The result is a litmus file like the library's, so
// the user can read it, edit it and re-run it; its name ("built/zsmalloc/zs_map_object-vs-
// migrate_pages") is enough to build it again, which is how `migcheck replay` finds it.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace traces {

// What one side of a report asks of its thread.
struct SideWanted {
  std::vector<std::string> functions;  // the side's modelled functions
  std::vector<std::string> keys;       // those the thread must reach (at least one of them)
};

struct BuiltScenario {
  std::string name;     // "built/zsmalloc/zs_map_object-vs-migrate_pages"
  std::string text;     // the litmus file (kernel=all; the search sets the version)
  std::string summary;  // one line: which thread runs what, on which set-up
};

// The scenarios that run the sides (one thread per side) at `version`, best first: the
// assignment of entry points that reaches the most of the sides' functions, in the world the
// report's subsystem hints point at ("zsmalloc", "balloon") if it can; for a report of one
// side (a hung task, an Oops), that side's thread against each other path of its world, the
// world's own first. Empty when no world runs every side, with the reason in `why_not`.
std::vector<BuiltScenario> build_scenarios(const std::vector<SideWanted>& sides,
                                           const std::set<std::string>& hints,
                                           const std::string& version, std::string* why_not);

// The built scenario of that name, built again; nothing if the name is not one.
std::optional<BuiltScenario> built_scenario(const std::string& name);
bool is_built_name(const std::string& name);

// Every scenario the builder can make of two entry points (each world, each compatible pair of
// its own and the core's entry points, in table order), by name.
std::vector<std::string> built_scenario_names();
// The functions an entry point's thread reaches at `version` (run alone after its set-up,
// and what it reaches only when held up); empty when the world or the entry point is unknown.
std::set<std::string> entry_point_reaches(const std::string& world, const std::string& entry,
                                          const std::string& version);

// The entry points as a Markdown table (world, name, what its thread does, its set-up).
std::string format_entry_points();

}  // namespace traces
