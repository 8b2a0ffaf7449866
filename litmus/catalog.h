// The scenario library: the litmus files of litmus/tests/ (protocol, balloon, zsmalloc), built
// into the binary, each named by its path there without the extension
// ("protocol/putback-vs-free"). A scenario's file is its one source: the program, its doc, the
// kernel versions and bug variants it runs, and its expected findings (Expect lines).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace litmus {

struct CatalogFile {
  const char* name;  // "protocol/putback-vs-free"
  const char* path;  // "litmus/tests/protocol/putback-vs-free.litmus", for messages
  const char* text;  // the file as it was when the binary was built
};

// Every scenario, sorted by name.
std::vector<const CatalogFile*> catalog();
// The scenarios whose names match a glob ("protocol/*", "*"), sorted by name.
std::vector<const CatalogFile*> match_catalog(const std::string& pattern);
const CatalogFile* find_scenario(const std::string& name);
// The first sentence of the file's doc: what the scenario is.
std::string scenario_summary(const CatalogFile& file);

// A Markdown table of what the scenarios' Expect lines declare: one row per scenario and bug
// variant named in its header (bug=... or an Expect bug=... line), the expected finding kinds
// at each kernel version the file runs, runs of neighbouring versions with the same set merged
// ("4.10-5.17: lost-wakeup").
std::string format_expectations(const std::vector<const CatalogFile*>& files);

}  // namespace litmus
