// migcheck-bench: the raw fiber switch, then events/s and executions/s of the explorer on the
// validation programs, then the zsmalloc scenarios at every kernel version, in one run. Last
// line: one JSON object (the validation programs' totals).
#include <algorithm>
#include <boost/context/detail/fcontext.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "bench/alloc_count.h"
#include "bench/steady_state.h"
#include "checker/explore/explorer.h"
#include "checker/mc.h"
#include "checker/programs/classic.h"
#include "checker/runtime/fiber.h"
#include "litmus/catalog.h"
#include "litmus/runner.h"
#include "protocol/version.h"

namespace {
namespace ctx = boost::context::detail;
using Clock = std::chrono::steady_clock;

ctx::fcontext_t g_main;
void ping(ctx::transfer_t t) {
  g_main = t.fctx;
  for (;;) g_main = ctx::jump_fcontext(g_main, nullptr).fctx;
}

double switch_ns() {
  mc::StackPool pool(64 * 1024);
  mc::Stack s = pool.acquire();
  ctx::fcontext_t f = ctx::make_fcontext(s.top(), s.usable(), ping);
  f = ctx::jump_fcontext(f, nullptr).fctx;
  const int n = 10'000'000;
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) f = ctx::jump_fcontext(f, nullptr).fctx;
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  return secs * 1e9 / (2.0 * n);  // two switches per round trip
}

// The steady state (bench/steady_state.h), twenty executions of the same length.
void straight_line(const mc::Params& p) {
  mcbench::independent_loads(static_cast<int>(p.get_int("n", 1000)), 20);
}

// Seconds a zsmalloc scenario may explore before the table marks it capped (keeps the whole
// bench within about a minute while some scenarios do not exhaust).
constexpr double kZsCapSeconds = 1.5;

// The zsmalloc table: every scenario at every kernel version, dpor, as `migcheck run` does.
void zsmalloc_table(const char* only) {
  std::printf("zsmalloc (dpor, capped at %.1f s):\n", kZsCapSeconds);
  std::printf("%-34s %-5s %-24s %-9s %10s %12s %8s\n", "scenario", "kernel", "result", "coverage",
              "complete", "events", "seconds");
  for (const litmus::CatalogFile* f : litmus::match_catalog("zsmalloc/*")) {
    if (only && !std::strstr(f->name, only)) continue;
    for (const std::string& k : proto::kernel_choices()) {
      mc::ExploreOptions o;
      o.time_limit = kZsCapSeconds;
      o.minimize_seconds = 0.2;
      const std::vector<litmus::LitmusRun> runs =
          litmus::run_litmus_text(f->text, f->path, o, {{"kernel", k}, {"bug", "none"}});
      const litmus::LitmusRun& run = runs.front();
      if (!run.result || !run.verdict) {
        std::printf("%-34s %-5s does not run: %s\n", f->name, k.c_str(),
                    run.errors.empty() ? "?" : run.errors.front().c_str());
        continue;
      }
      const mc::RunResult& res = *run.result;
      std::string result =
          res.counterexample ? res.counterexample->finding.kind_string() : std::string("pass");
      const char* coverage = res.counterexample ? "finding" : res.exhausted ? "exhaust" : "capped";
      // A capped search that has not reached an expected finding yet is not a wrong result:
      // `migcheck run` (no cap) finds it.
      if (run.verdict->failed) result += " (unexpected)";
      if (run.verdict->incomplete) result = "none yet (capped)";
      std::printf("%-34s %-5s %-24s %-9s %10llu %12llu %8.3f\n", f->name, k.c_str(), result.c_str(),
                  coverage, static_cast<unsigned long long>(res.complete),
                  static_cast<unsigned long long>(res.events), res.seconds);
    }
  }
}
}  // namespace

int main(int argc, char** argv) {
  // An optional argument runs only the jobs whose name contains it (for profiling).
  const char* only = argc > 1 ? argv[1] : nullptr;
  const double sw = only ? 0.0 : switch_ns();
  std::printf("fiber switch: %.2f ns\n", sw);
  mc::Registry r;
  mc::register_classic_programs(r);
  r.add(mc::TestCase{"bench/straight-line",
                     "independent loads in two threads",
                     {{"n", "1000", "loads per thread", {}}},
                     straight_line,
                     nullptr});
  struct Job {
    const char* name;
    const char* n;
  } jobs[] = {{"bench/straight-line", "20000"},
              {"classic/readers", "13"},
              {"classic/lockinc", "6"},
              {"classic/indexer", "15"},
              {"classic/lastzero", "10"},
              {"classic/dekker", ""},
              {"classic/iriw", ""}};
  // The totals cover the validation programs; the steady-state job is reported on its own.
  uint64_t events = 0, runs = 0, allocs = 0;
  double secs = 0, steady_ns = 0;
  for (const auto& j : jobs) {
    if (only && !std::strstr(j.name, only)) continue;
    const mc::TestCase* t = r.find(j.name);
    mc::Params p;
    std::map<std::string, std::string> set;
    if (*j.n) set["n"] = j.n;
    mc::resolve_params(*t, set, &p);
    // Each job runs kRepeats times and its median time is kept: one run of the small
    // programs lasts tens of milliseconds, where a scheduler hiccup moves the figure by 20%.
    constexpr int kRepeats = 5;
    std::vector<double> times;
    mc::RunResult res;
    // Heap allocations of the last repeat, setting up the run and its result included: the
    // engine's buffers grow by doubling, so a run allocates a few dozen times, not per event.
    uint64_t job_allocs = 0;
    for (int k = 0; k < kRepeats; ++k) {
      const uint64_t before = mcbench::allocations();
      res = mc::explore(*t, p, mc::ExploreOptions{});
      job_allocs = mcbench::allocations() - before;
      times.push_back(res.seconds);
    }
    std::sort(times.begin(), times.end());
    res.seconds = times[kRepeats / 2];
    const uint64_t n = res.complete + res.blocked + res.pruned + res.with_finding;
    std::printf(
        "%-18s %-5s %9llu executions (%llu complete) %11llu events %8.3f s  %6.1f ns/event  "
        "%7llu allocations\n",
        j.name, j.n, static_cast<unsigned long long>(n),
        static_cast<unsigned long long>(res.complete), static_cast<unsigned long long>(res.events),
        res.seconds, res.seconds * 1e9 / static_cast<double>(res.events ? res.events : 1),
        static_cast<unsigned long long>(job_allocs));
    if (std::strcmp(j.name, "bench/straight-line") == 0) {
      steady_ns = res.seconds * 1e9 / static_cast<double>(res.events ? res.events : 1);
      continue;
    }
    events += res.events;
    runs += n;
    allocs += job_allocs;
    secs += res.seconds;
  }
  zsmalloc_table(only);
  // With a filter that selects no validation program the totals are 0, not a division by 0.
  const bool none = events == 0 || secs <= 0;
  const double ns = none ? 0.0 : secs * 1e9 / static_cast<double>(events);
  std::printf(
      "{\"switch_ns\": %.2f, \"ns_per_event\": %.1f, \"events_per_s\": %.0f, "
      "\"executions_per_s\": %.0f, \"ns_per_event_over_switch\": %.1f, "
      "\"steady_ns_per_event\": %.1f, \"allocations_per_event\": %.4f}\n",
      sw, ns, none ? 0.0 : static_cast<double>(events) / secs,
      none ? 0.0 : static_cast<double>(runs) / secs, sw > 0 ? ns / sw : 0.0, steady_ns,
      none ? 0.0 : static_cast<double>(allocs) / static_cast<double>(events));
}
