#include "traces/scenario_builder.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "checker/explore/explorer.h"
#include "litmus/bindings/all.h"
#include "litmus/interpreter.h"
#include "litmus/parser.h"

namespace traces {

namespace {

// The set-up an entry point's path needs; a world turns a set of them into declarations and
// set-up statements.
enum Need : unsigned {
  kIsolated = 1u << 0,  // the object's page isolated onto cc's list, as compaction leaves it
  kScanner = 1u << 1,   // an empty compact_control `scan` for a thread that isolates itself
  kFreed = 1u << 2,     // the object freed in the set-up after its page was isolated
  kWorker = 1u << 3,    // zsmalloc: free_work runs in a kworker thread
  kSparse = 1u << 4,    // zsmalloc: two half-empty zspages (something for zs_compact to move)
  kChain = 1u << 5,     // zsmalloc: two-page zspages (a page chain), the second page isolated
  kNewHandle = 1u << 6  // zsmalloc, z3fold: a handle variable `hn` for a new object
};

// What a thread has to itself: the compaction list it isolated pages onto is its private list
// in the kernel, a scanner its own compact_control, the pool's destroyer the pool's end.
enum Own : unsigned { kOwnsList = 1u << 0, kOwnsScanner = 1u << 1, kOwnsPoolEnd = 1u << 2 };

// What a path does with the set-up's object. The caller's contract rules out a free while
// another thread uses the object (zsmalloc's zs_map_object of a handle being freed is the
// caller's bug, not the kernel's), and two frees of it; the reference driver's reader copes
// with the object gone, as its lock_page user must.
enum Use : unsigned char { kNoObject, kReads, kCopes, kFrees };

struct EntryPoint {
  const char* world;   // "protocol", "zsmalloc", "z3fold", "balloon", or "core" (any world)
  const char* name;    // the kernel function the path is known by
  const char* what;    // what the thread does, in words
  unsigned needs;      // Need bits
  Use use;             // what it does with the set-up's object
  unsigned owns;       // what its thread has to itself (Own bits): no other thread may own it
  const char* params;  // the thread's parameters
  const char* body;    // its statements (r0 its register)
  const char* check;   // what r0 must be at the end ("" when it has no result)
  // The functions it reaches only when another thread holds it up (a sleep on a lock, a free
  // deferred to a worker, a migration that fails), which one execution alone does not show.
  std::vector<const char*> also = {};
  // What it costs the search, in functions of score: a thread that isolates pages itself
  // (compact_zone, do_migrate_range) makes a search many times larger than a page isolated in
  // the set-up, so it is chosen only when it reaches two functions more.
  int cost = 0;
};

// clang-format off
const std::vector<EntryPoint>& entry_points() {
  static const std::vector<EntryPoint> e = {
      // The reference driver (protocol).
      {"protocol", "refdrv_read", "reads the object under its page lock (a lock_page user)",
       0, kCopes, 0, "struct refdrv *drv", "r0 = refdrv_read(drv);", "r0 == 42",
       {"wait_on_page_bit_common", "SetPageWaiters"}},
      {"protocol", "refdrv_free", "frees the object (page lock, unmark, drop the reference)",
       0, kFrees, 0, "struct refdrv *drv", "refdrv_free(drv);", "",
       {"wait_on_page_bit_common", "SetPageWaiters"}},
      // zsmalloc.
      {"zsmalloc", "zs_map_object", "maps the object read-only and reads it",
       0, kReads, 0, "struct zs_pool *pool, struct zs_handle *h",
       "zs_map_object(pool, h, 1);\nr0 = zs_mapped_read(pool, h, 0);\nzs_unmap_object(pool, h);",
       "r0 == 42"},
      {"zsmalloc", "zs_obj_read_begin", "reads the object (zs_obj_read_begin, 6.15+)",
       0, kReads, 0, "struct zs_pool *pool, struct zs_handle *h",
       "zs_obj_read_begin(pool, h);\nr0 = zs_mapped_read(pool, h, 0);\nzs_obj_read_end(pool, h);",
       "r0 == 42"},
      {"zsmalloc", "zs_free", "frees the object",
       0, kFrees, 0, "struct zs_pool *pool, struct zs_handle *h", "zs_free(pool, h);", ""},
      {"zsmalloc", "async_free_zspage",
       "frees the object of an isolated two-page zspage, then runs the deferred free_work",
       kIsolated | kChain, kFrees, 0, "struct zs_pool *pool, struct zs_handle *h",
       "zs_free(pool, h);\nzs_run_pending_work(pool);", "",
       {"async_free_zspage", "lock_zspage", "get_next_page", "lock_page",
        "wait_on_page_bit_common", "SetPageWaiters"}},
      {"zsmalloc", "zs_malloc", "allocates and writes a new object",
       kNewHandle, kNoObject, 0, "struct zs_pool *pool, struct zs_handle *hn",
       "r0 = zs_malloc_write(pool, hn, 7);", "r0 == 1"},
      {"zsmalloc", "zs_compact", "compacts the pool (moves an object between zspages)",
       kSparse, kNoObject, 0, "struct zs_pool *pool", "zs_compact(pool);", ""},
      {"zsmalloc", "zs_destroy_pool",
       "destroys the pool (its last object freed, its page still isolated)",
       kFreed | kIsolated | kWorker, kNoObject, kOwnsPoolEnd, "struct zs_pool *pool",
       "zs_destroy_pool(pool);", ""},
      // z3fold (5.3-6.14; before and after, its calls are a "litmus" finding: no
      // scenario).
      {"z3fold", "z3fold_map", "maps the object and reads it",
       0, kReads, 0, "struct z3fold_pool *pool, struct z3fold_handle *h",
       "z3fold_map(pool, h);\nr0 = z3fold_read(pool, h);\nz3fold_unmap(pool, h);", "r0 == 42"},
      {"z3fold", "z3fold_free", "frees the object, then runs the pool's compaction work",
       0, kFrees, 0, "struct z3fold_pool *pool, struct z3fold_handle *h",
       "z3fold_free(pool, h);\nz3fold_compact_work(pool);", "",
       {"do_compact_page", "compact_page_work"}},
      {"z3fold", "z3fold_alloc", "allocates and writes a new object",
       kNewHandle, kNoObject, 0, "struct z3fold_pool *pool, struct z3fold_handle *hn",
       "r0 = z3fold_alloc_write(pool, hn, 2, 7);", "r0 == 0"},
      {"z3fold", "z3fold_destroy_pool",
       "destroys the pool (its last object freed, its page still isolated)",
       kFreed | kIsolated, kNoObject, kOwnsPoolEnd, "struct z3fold_pool *pool",
       "z3fold_destroy_pool(pool);", ""},
      // virtio_balloon.
      {"balloon", "fill_balloon", "inflates the balloon by one page",
       0, kNoObject, 0, "struct virtio_balloon *vb", "r0 = fill_balloon(vb, 1);", ""},
      {"balloon", "leak_balloon", "deflates the balloon by one page",
       0, kNoObject, 0, "struct virtio_balloon *vb", "r0 = leak_balloon(vb, 1);", ""},
      {"balloon", "virtballoon_oom_notify",
       "deflates one page under memory pressure (the OOM notifier; 4.19-5.6 the shrinker)",
       0, kNoObject, 0, "struct virtio_balloon *vb", "r0 = virtballoon_oom_notify(vb, 1);", ""},
      // The core's paths, in any world.
      {"core", "migrate_pages",
       "migrates the isolated page (and puts it back if that fails), as compaction does",
       kIsolated, kNoObject, kOwnsList, "struct compact_control *cc",
       "if (migrate_pages(cc))\n  putback_movable_pages(cc);", "",
       {"putback_movable_pages", "putback_movable_page", "wait_on_page_bit_common",
        "SetPageWaiters"}},
      {"core", "putback_movable_pages", "puts the isolated page back without migrating it",
       kIsolated, kNoObject, kOwnsList, "struct compact_control *cc", "putback_movable_pages(cc);", ""},
      {"core", "compact_zone",
       "compacts the object's pages: isolates, migrates, puts back what is left",
       kScanner, kNoObject, kOwnsScanner, "struct compact_control *scan", "compact_zone(scan, 0, 2);", "",
       {}, 1},
      {"core", "do_migrate_range",
       "offlines the object's pages (isolate without the lock-free test, MIGRATE_SYNC)",
       kScanner, kNoObject, kOwnsScanner, "struct compact_control *scan", "do_migrate_range(scan, 0, 2);",
       "", {}, 1},
  };
  return e;
}
// clang-format on

struct World {
  const char* name;
  const char* summary;
};

const std::vector<World>& worlds() {
  static const std::vector<World> w = {
      {"protocol", "the reference driver with one object (42) in pfn 0"},
      {"zsmalloc", "a zsmalloc pool with one object (42) in pfn 0"},
      {"z3fold", "a z3fold pool with one 2-chunk object (42) in pfn 0"},
      {"balloon", "a virtio balloon inflated by one page (pfn 0)"},
  };
  return w;
}

// The declarations and set-up statements of `world` for `needs`.
std::string world_setup(const std::string& world, unsigned needs) {
  std::ostringstream o;
  o << "{\n";
  const bool chain = world == "zsmalloc" && (needs & kChain);
  o << "  struct page pg0;\n  struct page pg1;\n  struct page pg2;\n";
  std::string cc_mode;
  if (world == "protocol") {
    o << "  struct refdrv drv;\n";
    cc_mode = " = MIGRATE_SYNC";
  } else if (world == "zsmalloc") {
    std::string pool;
    if (needs & kWorker)
      pool = chain ? " = ZS_POOL_KWORKER(3, 2)" : " = ZS_POOL_KWORKER";
    else if (chain)
      pool = " = ZS_POOL(3, 2)";
    o << "  struct zs_pool pool" << pool << ";\n  struct zs_handle h;\n";
    if (needs & kSparse) o << "  struct zs_handle h2;\n  struct zs_handle h3;\n";
    if (needs & kNewHandle) o << "  struct zs_handle hn;\n";
  } else if (world == "z3fold") {
    o << "  struct z3fold_pool pool;\n  struct z3fold_handle h;\n";
    if (needs & kNewHandle) o << "  struct z3fold_handle hn;\n";
  } else {
    o << "  struct virtio_balloon vb;\n";
  }
  if (needs & kIsolated) o << "  struct compact_control cc" << cc_mode << ";\n";
  if (needs & kScanner) o << "  struct compact_control scan;\n";
  o << "\n";
  if (world == "protocol") {
    o << "  refdrv_alloc(drv, 42);\n";
  } else if (world == "zsmalloc") {
    o << "  zs_malloc_write(pool, h, 42);\n";
    if (needs & kSparse)
      o << "  zs_malloc_write(pool, h2, 22);\n  zs_malloc_write(pool, h3, 33);\n"
           "  zs_free(pool, h2);\n";
  } else if (world == "z3fold") {
    o << "  z3fold_alloc_write(pool, h, 2, 42);\n";
  } else {
    o << "  fill_balloon(vb, 1);\n";
  }
  if (needs & kIsolated) {
    const char* pg = chain ? "pg1" : "pg0";
    o << "  isolate_movable_page(" << pg << ");\n  list_add(" << pg << ", cc);\n";
  }
  if (needs & kFreed) {
    if (world == "protocol") o << "  refdrv_free(drv);\n";
    if (world == "zsmalloc") o << "  zs_free(pool, h);\n";
    if (world == "z3fold") o << "  z3fold_free(pool, h);\n";
  }
  o << "}\n";
  return o.str();
}

std::string needs_text(const std::string& world, unsigned needs) {
  std::vector<std::string> parts;
  for (const World& w : worlds())
    if (world == w.name) parts.push_back(w.summary);
  if (needs & kChain) parts.push_back("zspages of two pages (3-unit objects)");
  if (needs & kSparse) parts.push_back("two half-empty zspages (objects 22 and 33, 22 freed)");
  if (needs & kIsolated)
    parts.push_back(std::string("its page (") + ((needs & kChain) ? "pfn 1" : "pfn 0") +
                    ") isolated onto cc's list" + (world == "protocol" ? ", MIGRATE_SYNC" : ""));
  if (needs & kFreed) parts.push_back("the object then freed");
  if (needs & kWorker) parts.push_back("free_work in a kworker");
  if (needs & kScanner) parts.push_back("an empty compact_control for the scanner");
  if (needs & kNewHandle) parts.push_back("a handle variable for the new object");
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "; " : "") + parts[i];
  return s;
}

std::string indent(const std::string& body) {
  std::string out = "  ";
  for (char c : body) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

// `text` as lines of a litmus comment (" * "), wrapped before 80 columns.
std::string comment(const std::string& text) {
  std::string out, line;
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    if (!line.empty() && line.size() + 1 + w.size() > 76) {
      out += " * " + line + "\n";
      line = "  ";
    }
    line += (line.empty() || line == "  " ? "" : " ") + w;
  }
  if (!line.empty()) out += " * " + line + "\n";
  return out;
}

// The litmus file of `entries` (one thread each) in `world`.
BuiltScenario compose(const std::string& world, const std::vector<const EntryPoint*>& entries) {
  unsigned needs = 0;
  for (const EntryPoint* e : entries) needs |= e->needs;
  BuiltScenario b;
  b.name = "built/" + world + "/";
  std::string title = "built-" + world + "-";
  for (size_t i = 0; i < entries.size(); ++i) {
    b.name += (i ? "-vs-" : "") + std::string(entries[i]->name);
    title += (i ? "-vs-" : "") + std::string(entries[i]->name);
  }
  std::ostringstream o;
  o << "C " << title << "\n\n(*\n * Built from a report's entry points by migcheck reproduce.\n";
  o << " *\n" << comment("Set-up: " + needs_text(world, needs) + ".");
  std::string summary;
  for (size_t i = 0; i < entries.size(); ++i) {
    o << comment("P" + std::to_string(i) + " " + entries[i]->name + ": " + entries[i]->what + ".");
    summary += (i ? " against " : "") + std::string(entries[i]->name);
  }
  b.summary = summary + " (" + needs_text(world, needs) + ")";
  o << " *\n * kernel=all\n *)\n\n" << world_setup(world, needs);
  std::string cond;
  for (size_t i = 0; i < entries.size(); ++i) {
    const EntryPoint& e = *entries[i];
    o << "\nP" << i << "(" << e.params << ")\n{\n";
    if (*e.check) o << "  int r0;\n\n";
    o << indent(e.body) << "\n}\n";
    if (*e.check) {
      std::string c = e.check;  // "r0 == 42": the exists clause asks for the opposite
      const size_t eq = c.find("==");
      cond += (cond.empty() ? "" : " \\/ ") + std::to_string(i) + ":" + c.substr(0, eq) +
              "!=" + c.substr(eq + 2);
    }
  }
  o << "\nexists (" << (cond.empty() ? "false" : cond) << ")\n";
  b.text = o.str();
  return b;
}

// The functions the entry point's thread reaches at `version`, run alone after its set-up
// (one execution, no preemption). Cached: the same question comes for every report.
const std::set<std::string>& reached(const std::string& world, const EntryPoint& e,
                                     const std::string& version) {
  static std::mutex m;
  static std::map<std::string, std::set<std::string>> cache;
  const std::string key = world + "/" + e.name + "@" + version;
  std::lock_guard<std::mutex> lock(m);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::set<std::string>& out = cache[key];
  const BuiltScenario solo = compose(world, {&e});
  litmus::ParseResult parsed = litmus::parse_litmus(solo.text, solo.name);
  if (!parsed.ok()) return out;
  litmus::Compiled c =
      litmus::compile_litmus(std::make_shared<const litmus::Test>(std::move(*parsed.test)),
                             litmus::model_bindings(), {{"kernel", version}});
  if (!c.ok()) return out;
  const mc::ExecutionRecord rec = mc::run_once(
      c.test_case, c.program->uses_model ? mc::Params(c.program->settings) : mc::Params(), 100000);
  // A call the version does not have (zs_map_object from 6.15) is refused as misuse: the path
  // does not exist there.
  if (rec.finding && rec.finding->kind_string() == "litmus") return out;
  for (const mc::EventDetail& ev : rec.events) {
    if (ev.tid < 0 || static_cast<size_t>(ev.tid) >= rec.thread_names.size() ||
        rec.thread_names[ev.tid] != "P0")
      continue;
    std::string labels = ev.labels;
    for (size_t b = 0; b <= labels.size();) {
      size_t end = labels.find(" > ", b);
      if (end == std::string::npos) end = labels.size();
      if (end > b) out.insert(labels.substr(b, end - b));
      b = end + 3;
    }
  }
  for (const char* f : e.also) out.insert(f);
  // The functions a litmus call names are reached when the thread calls them.
  for (const auto& [name, f] : litmus::model_bindings().functions())
    if (std::string(e.body).find(name + "(") != std::string::npos) out.insert(name);
  return out;
}

// How well `e` runs `side`: the side's functions it reaches, or -1 if it reaches none of the
// side's keys.
int side_score(const std::string& world, const EntryPoint& e, const SideWanted& side,
               const std::string& version) {
  const auto& r = reached(world, e, version);
  bool key = false;
  for (const auto& k : side.keys) key = key || r.count(k);
  if (!key) return -1;
  int n = 0;
  for (const auto& f : side.functions) n += static_cast<int>(r.count(f));
  return std::max(0, n - e.cost);
}

bool compatible(const std::vector<const EntryPoint*>& es) {
  unsigned needs = 0;
  for (const EntryPoint* e : es) needs |= e->needs;
  unsigned owned = 0;
  for (const EntryPoint* e : es) {
    if (owned & e->owns) return false;
    owned |= e->owns;
  }
  int readers = 0, frees = 0;
  for (const EntryPoint* e : es) {
    if ((needs & kFreed) && e->use != kNoObject) return false;
    readers += e->use == kReads;
    frees += e->use == kFrees;
  }
  if (frees > 1 || (frees && readers)) return false;
  // The pool's destroyer runs when its users are done: only the core's paths (compaction,
  // which the pool does not control) may still be at work.
  if (owned & kOwnsPoolEnd)
    for (const EntryPoint* e : es)
      if (!(e->owns & kOwnsPoolEnd) && std::string(e->world) != "core") return false;
  return true;
}

struct Assignment {
  std::vector<const EntryPoint*> entries;
  int score = -1;
  int distinct = 0;
};

// A report of one side is tried against at most this many partners.
constexpr size_t kMaxPartners = 4;

// The best assignment of entry points of `world` (and the core) to the sides.
Assignment best_in(const std::string& world, const std::vector<SideWanted>& sides,
                   const std::string& version) {
  std::vector<std::vector<std::pair<const EntryPoint*, int>>> options(sides.size());
  for (size_t i = 0; i < sides.size(); ++i)
    for (const EntryPoint& e : entry_points())
      if (e.world == world || std::string(e.world) == "core")
        if (int s = side_score(world, e, sides[i], version); s >= 0) options[i].push_back({&e, s});
  Assignment best;
  std::vector<const EntryPoint*> cur(sides.size());
  // Every combination (a report has two or three sides, a side a handful of options).
  std::function<void(size_t, int)> walk = [&](size_t i, int score) {
    if (i == sides.size()) {
      if (!compatible(cur)) return;
      std::set<const EntryPoint*> d(cur.begin(), cur.end());
      const int distinct = static_cast<int>(d.size());
      if (score > best.score || (score == best.score && distinct > best.distinct)) {
        best.entries = cur;
        best.score = score;
        best.distinct = distinct;
      }
      return;
    }
    for (const auto& [e, s] : options[i]) {
      cur[i] = e;
      walk(i + 1, score + s);
    }
  };
  walk(0, 0);
  return best;
}

}  // namespace

std::vector<BuiltScenario> build_scenarios(const std::vector<SideWanted>& sides,
                                           const std::set<std::string>& hints,
                                           const std::string& version, std::string* why_not) {
  std::vector<BuiltScenario> out;
  if (sides.empty()) {
    *why_not = "the report has no side to run";
    return out;
  }
  // A report of one side (a hung task, an Oops, a list corruption): that side's thread against
  // each other path of its world, the world's own first.
  std::vector<std::pair<std::string, std::vector<const EntryPoint*>>> found;
  if (sides.size() == 1) {
    std::string world;
    Assignment one;
    for (const World& w : worlds()) {
      Assignment a = best_in(w.name, sides, version);
      if (a.score >= 0 && hints.count(w.name)) a.score += 3;
      if (a.score > one.score) {
        one = a;
        world = w.name;
      }
    }
    if (one.score >= 0)
      for (const EntryPoint& e : entry_points())
        if ((e.world == world || std::string(e.world) == "core") && &e != one.entries[0] &&
            compatible({one.entries[0], &e}) && found.size() < kMaxPartners)
          found.push_back({world, {one.entries[0], &e}});
  } else {
    std::string world;
    Assignment best;
    for (const World& w : worlds()) {
      Assignment a = best_in(w.name, sides, version);
      if (a.score < 0) continue;
      // The report's subsystem counts as much as three of its functions.
      if (hints.count(w.name)) a.score += 3;
      if (a.score > best.score) {
        best = a;
        world = w.name;
      }
    }
    if (best.score >= 0) found.push_back({world, best.entries});
  }
  for (const auto& [world, entries] : found) out.push_back(compose(world, entries));
  if (out.empty())
    *why_not = "no entry point reaches the report's functions in any one world (" +
               std::to_string(entry_points().size()) + " entry points: migcheck reproduce --help)";
  return out;
}

bool is_built_name(const std::string& name) { return name.rfind("built/", 0) == 0; }

std::optional<BuiltScenario> built_scenario(const std::string& name) {
  if (!is_built_name(name)) return std::nullopt;
  const size_t slash = name.find('/', 6);
  if (slash == std::string::npos) return std::nullopt;
  const std::string world = name.substr(6, slash - 6);
  if (std::none_of(worlds().begin(), worlds().end(), [&](auto& w) { return world == w.name; }))
    return std::nullopt;
  std::vector<const EntryPoint*> entries;
  std::string rest = name.substr(slash + 1);
  for (size_t b = 0; b <= rest.size();) {
    size_t e = rest.find("-vs-", b);
    if (e == std::string::npos) e = rest.size();
    const std::string part = rest.substr(b, e - b);
    const EntryPoint* found = nullptr;
    for (const EntryPoint& ep : entry_points())
      if (part == ep.name && (ep.world == world || std::string(ep.world) == "core")) found = &ep;
    if (!found) return std::nullopt;
    entries.push_back(found);
    b = e + 4;
  }
  if (entries.empty() || !compatible(entries)) return std::nullopt;
  return compose(world, entries);
}

std::vector<std::string> built_scenario_names() {
  std::vector<std::string> out;
  for (const World& w : worlds()) {
    std::vector<const EntryPoint*> mine;
    for (const EntryPoint& e : entry_points())
      if (e.world == std::string(w.name) || std::string(e.world) == "core") mine.push_back(&e);
    for (size_t i = 0; i < mine.size(); ++i)
      for (size_t j = i; j < mine.size(); ++j)
        if (compatible({mine[i], mine[j]})) out.push_back(compose(w.name, {mine[i], mine[j]}).name);
  }
  return out;
}

std::set<std::string> entry_point_reaches(const std::string& world, const std::string& entry,
                                          const std::string& version) {
  if (std::none_of(worlds().begin(), worlds().end(), [&](auto& w) { return world == w.name; }))
    return {};
  for (const EntryPoint& e : entry_points())
    if (entry == e.name && (e.world == world || std::string(e.world) == "core"))
      return reached(world, e, version);
  return {};
}

std::string format_entry_points() {
  std::ostringstream o;
  o << "| world | entry point | what its thread does | set-up beyond the world's | reaches "
       "also when held up |\n|---|---|---|---|---|\n";
  for (const EntryPoint& e : entry_points()) {
    const std::string world = e.world;
    std::string also;
    for (const char* f : e.also) also += (also.empty() ? "`" : ", `") + std::string(f) + "`";
    o << "| " << (world == "core" ? "any" : world) << " | `" << e.name << "` | " << e.what << " | "
      << (e.needs ? needs_text("", e.needs) : "none") << " | " << (also.empty() ? "-" : also)
      << " |\n";
  }
  o << "\nWorlds: ";
  for (size_t i = 0; i < worlds().size(); ++i)
    o << (i ? "; " : "") << "`" << worlds()[i].name << "`, " << worlds()[i].summary;
  o << ".\n";
  return o.str();
}

}  // namespace traces
