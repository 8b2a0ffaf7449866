#include "protocol/scenario_support.h"

#include "protocol/end_state.h"

namespace proto {

namespace {
constexpr const char* kDefaultKernel = "6.17";  // the newest the model follows
}

Config config_of(const mc::Params& p) {
  Config c;
  c.kernel = parse_kernel(p.get("kernel", kDefaultKernel));
  c.bug = parse_bug(p.get("bug", "none"));
  return c;
}

mc::TestCase versioned_test(const std::string& name, const std::string& description,
                            std::vector<mc::Parameter> extra_params,
                            std::function<void(const mc::Params&)> body,
                            std::function<std::string(const std::string&, Kernel, Bug)> expected) {
  mc::TestCase t;
  t.name = name;
  t.description = description;
  t.params.push_back(
      {"kernel", kDefaultKernel, "kernel version the model follows", kernel_choices()});
  t.params.push_back({"bug", "none", "a deliberate mistake to inject", bug_choices()});
  for (mc::Parameter& extra : extra_params) t.params.push_back(std::move(extra));
  t.body = [body = std::move(body)](const mc::Params& p) {
    const Config c = config_of(p);
    ConfigScope scope(c);
    body(p);
  };
  t.expect = [name, expected = std::move(expected)](const mc::Params& p) {
    const Config c = config_of(p);
    mc::Expectation e;
    e.finding = expected(name, c.kernel, c.bug);
    return e;
  };
  return t;
}

void isolate_in_setup(compact_control& cc, page* p) {
  if (!isolate_movable_page(p, 0)) end_violation("setup: isolation failed");
  list_add(&p->lru, &cc.migratepages);
  check_isolated_on_list(p, "setup");
}

void migrate_isolated(compact_control& cc) {
  MC_FUNC("compact_zone");
  const int err =
      migrate_pages(&cc.migratepages, compaction_alloc, compaction_free, &cc, cc.mode, &cc.scratch);
  if (err) putback_movable_pages(&cc.migratepages);
}

}  // namespace proto
