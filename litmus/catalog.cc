#include "litmus/catalog.h"

#include <algorithm>

#include "checker/test.h"
#include "litmus/bindings.h"
#include "litmus/bindings/all.h"
#include "litmus/interpreter.h"
#include "litmus/parser.h"

namespace litmus {

extern const CatalogFile kCatalogFiles[];
extern const size_t kCatalogFileCount;

std::vector<const CatalogFile*> catalog() {
  std::vector<const CatalogFile*> all;
  for (size_t i = 0; i < kCatalogFileCount; ++i) all.push_back(&kCatalogFiles[i]);
  return all;
}

std::vector<const CatalogFile*> match_catalog(const std::string& pattern) {
  std::vector<const CatalogFile*> out;
  for (const CatalogFile* f : catalog())
    if (mc::glob_match(pattern, f->name)) out.push_back(f);
  return out;
}

const CatalogFile* find_scenario(const std::string& name) {
  for (const CatalogFile* f : catalog())
    if (name == f->name) return f;
  return nullptr;
}

std::string scenario_summary(const CatalogFile& file) {
  const ParseResult p = parse_litmus(file.text, file.path);
  if (!p.ok()) return "(does not parse: " + p.errors.front().to_string() + ")";
  std::string first = p.test->doc.substr(0, p.test->doc.find("\n\n"));
  for (char& c : first)
    if (c == '\n') c = ' ';
  const size_t stop = first.find(". ");
  return stop == std::string::npos ? first : first.substr(0, stop + 1);
}

std::string format_expectations(const std::vector<const CatalogFile*>& files) {
  const ModelSetting* kernel = model_bindings().setting("kernel");
  const ModelSetting* bug = model_bindings().setting("bug");
  if (!kernel) return "";
  std::string out = "| scenario | bug | expected findings by kernel version |\n|---|---|---|\n";
  for (const CatalogFile* f : files) {
    const ParseResult p = parse_litmus(f->text, f->path);
    if (!p.ok()) {
      out += std::string("| ") + f->name + " | | does not parse: " + p.errors.front().to_string() +
             " |\n";
      continue;
    }
    const Test& t = *p.test;
    const std::vector<std::string> bugs =
        bug ? file_bug_variants(t, *bug) : std::vector<std::string>{"none"};
    // Only the versions the file runs: its Expect lines claim nothing for the others.
    const std::vector<std::string> runs = file_setting_values(t, *kernel);
    auto ran = [&](const std::string& k) {
      return std::find(runs.begin(), runs.end(), k) != runs.end();
    };
    for (const std::string& b : bugs) {
      // Ranges of neighbouring versions with one set; ranges apart with the same set share a cell
      // ("4.8-4.10, 5.17: ...").
      std::vector<std::pair<std::string, std::string>> cells;  // versions, set
      const std::vector<std::string>& ks = kernel->choices;
      for (size_t i = 0; i < ks.size();) {
        if (!ran(ks[i]) || !expect_claims(t, model_bindings(), ks[i], b)) {
          ++i;
          continue;
        }
        const std::string set = finding_set_text(expected_findings(t, model_bindings(), ks[i], b));
        size_t j = i;
        while (j + 1 < ks.size() && ran(ks[j + 1]) &&
               expect_claims(t, model_bindings(), ks[j + 1], b) &&
               finding_set_text(expected_findings(t, model_bindings(), ks[j + 1], b)) == set)
          ++j;
        const std::string range = ks[i] + (j > i ? "-" + ks[j] : "");
        if (!cells.empty() && cells.back().second == set)
          cells.back().first += ", " + range;
        else
          cells.emplace_back(range, set);
        i = j + 1;
      }
      std::string text;
      for (const auto& [versions, set] : cells)
        text += (text.empty() ? "" : "; ") + versions + ": " + set;
      out += std::string("| ") + f->name + " | " + b + " | " + text + " |\n";
    }
  }
  return out;
}

}  // namespace litmus
