#include "random_program.h"

#include <memory>

#include "checker/mc.h"

namespace mctest {

const char* random_op_name(RandomOp op) {
  static const char* const names[] = {
      "load",          "store",        "cas",           "fetch_add",     "fetch_or",
      "exchange",      "fence+or",     "acquire+plain", "plain+release", "mb+load",
      "nonatomic-rmw", "locked",       "trylock",       "is_locked",     "read_locked",
      "write_locked",  "read_trylock", "write_trylock", "downgrade",     "await",
      "wait_event",    "wake_all",     "wake_one",      "queue_active",  "heap_use",
      "heap_free",     "heap_replace", "choose"};
  static_assert(sizeof names / sizeof names[0] == static_cast<size_t>(RandomOp::kCount));
  return names[static_cast<size_t>(op)];
}

RandomProgram generate_program(std::mt19937& rng) {
  RandomProgram p;
  p.vars = 2 + static_cast<int>(rng() % 2);
  const int nthreads = 2 + static_cast<int>(rng() % 2);
  for (int t = 0; t < nthreads; ++t) {
    std::vector<RandomProgram::Op> ops;
    const int n = 1 + static_cast<int>(rng() % (nthreads == 3 ? 3 : 4));
    for (int i = 0; i < n; ++i)
      ops.push_back({static_cast<RandomOp>(rng() % static_cast<uint32_t>(RandomOp::kCount)),
                     static_cast<int>(rng() % static_cast<uint32_t>(p.vars)),
                     1 + static_cast<int>(rng() % 2)});
    p.threads.push_back(ops);
  }
  return p;
}

namespace {

struct Node {
  explicit Node(int v) : field(v, "node.field") {}
  mc::atomic<int> field;
};

}  // namespace

void run_program(const RandomProgram& p) {
  std::vector<std::unique_ptr<mc::atomic<int>>> v;
  for (int i = 0; i < p.vars; ++i) v.push_back(std::make_unique<mc::atomic<int>>(0));
  mc::mutex m("m");
  mc::spinlock sl("sl");
  mc::rwlock rw_lock("rw");
  mc::rw_semaphore sem("sem");
  mc::waitqueue wq("wq");
  mc::plain<int> data(0, "data");
  mc::atomic<Node*> slot(mc::make<Node>(7), "slot");
  static const char* names[4][4] = {{"t0r0", "t0r1", "t0r2", "t0r3"},
                                    {"t1r0", "t1r1", "t1r2", "t1r3"},
                                    {"t2r0", "t2r1", "t2r2", "t2r3"},
                                    {"t3r0", "t3r1", "t3r2", "t3r3"}};
  std::vector<int> reads(p.threads.size() * 4, -1);
  std::vector<mc::thread> ts;
  for (size_t t = 0; t < p.threads.size(); ++t) {
    ts.push_back(mc::spawn([&, t] {
      int k = 0;
      for (const auto& op : p.threads[t]) {
        auto& x = *v[static_cast<size_t>(op.var)];
        mc::mutex& lock = op.value == 1 ? m : sl;
        mc::rwlock& rw = op.value == 1 ? rw_lock : sem;
        int r = -1;
        switch (op.kind) {
          case RandomOp::kLoad:
            r = x.load();
            break;
          case RandomOp::kStore:
            x.store(op.value);
            break;
          case RandomOp::kCas: {
            int expected = 0;
            r = x.compare_exchange_strong(expected, op.value) ? 1 : 0;
            break;
          }
          case RandomOp::kFetchAdd:
            r = x.fetch_add(op.value);
            break;
          case RandomOp::kFetchOrRelaxed:
            r = x.fetch_or(op.value, std::memory_order_relaxed);
            break;
          case RandomOp::kExchangeRelaxed:
            r = x.exchange(op.value, std::memory_order_relaxed);
            break;
          case RandomOp::kReleaseFenceOr:
            mc::fence(std::memory_order_release);
            r = x.fetch_or(op.value, std::memory_order_relaxed);
            break;
          case RandomOp::kAcquireLoadPlain:
            r = x.load(std::memory_order_acquire);
            if (r == op.value) r += 10 * data.load();
            break;
          case RandomOp::kPlainReleaseStore:
            data.store(op.value);
            x.store(op.value, std::memory_order_release);
            break;
          case RandomOp::kFullFenceLoad:
            mc::fence(std::memory_order_seq_cst);
            r = x.load(std::memory_order_relaxed);
            break;
          case RandomOp::kNonatomicRmw:
            r = x.load_nonatomic();
            x.store_nonatomic(r | op.value);
            break;
          case RandomOp::kLockedUpdate:
            lock.lock();
            r = x.load();
            x.store(r + op.value);
            lock.unlock();
            break;
          case RandomOp::kTryLock:
            if (lock.try_lock()) {
              r = 1;
              lock.unlock();
            } else {
              r = 0;
            }
            break;
          case RandomOp::kIsLocked:
            r = lock.is_locked() ? 1 : 0;
            break;
          case RandomOp::kReadLocked:
            rw.read_lock();
            r = x.load();
            rw.read_unlock();
            break;
          case RandomOp::kWriteLocked:
            rw.write_lock();
            x.store(op.value);
            rw.write_unlock();
            break;
          case RandomOp::kReadTryLock:
            if (rw.read_trylock()) {
              r = 1;
              rw.read_unlock();
            } else {
              r = 0;
            }
            break;
          case RandomOp::kWriteTryLock:
            if (rw.write_trylock()) {
              r = 1;
              rw.write_unlock();
            } else {
              r = 0;
            }
            break;
          case RandomOp::kDowngrade:
            sem.write_lock();
            x.store(op.value);
            sem.downgrade_write();
            r = x.load();
            sem.read_unlock();
            break;
          case RandomOp::kAwait:
            mc::await(x, [&x] { return x.peek() != 1; });
            break;
          case RandomOp::kWaitEvent:
            wq.prepare_to_wait();
            if (x.load() == 0) wq.sleep();
            wq.finish_wait();
            break;
          case RandomOp::kWakeAll:
            x.store(op.value);
            wq.wake_up_all();
            break;
          case RandomOp::kWakeOne:
            x.store(op.value);
            wq.wake_up_one();
            break;
          case RandomOp::kQueueActive:
            r = wq.active() ? 1 : 0;
            break;
          case RandomOp::kHeapUse:
            if (Node* n = slot.load()) r = n->field.load();
            break;
          case RandomOp::kHeapFree:
            if (Node* n = slot.exchange(nullptr)) mc::free(n);
            break;
          case RandomOp::kHeapReplace:
            if (Node* old = slot.exchange(mc::make<Node>(op.value))) mc::free(old);
            break;
          case RandomOp::kChoose:
            if (mc::choose(2)) {
              r = x.load();
            } else {
              x.store(op.value);
              r = 100;
            }
            break;
          case RandomOp::kCount:
            break;
        }
        reads[t * 4 + static_cast<size_t>(k++)] = r;
      }
    }));
  }
  for (auto& t : ts) t.join();
  for (size_t t = 0; t < p.threads.size(); ++t)
    for (size_t k = 0; k < p.threads[t].size(); ++k) mc::observe(names[t][k], reads[t * 4 + k]);
  for (int i = 0; i < p.vars; ++i)
    mc::observe(i == 0 ? "x0" : i == 1 ? "x1" : "x2", v[static_cast<size_t>(i)]->load());
  if (Node* n = slot.load()) {
    mc::observe("node", n->field.load());
    mc::free(n);
  }
}

std::string describe(const RandomProgram& p) {
  std::string s;
  for (size_t t = 0; t < p.threads.size(); ++t) {
    s += "\n  T" + std::to_string(t + 1) + ":";
    for (const auto& op : p.threads[t])
      s += std::string(" ") + random_op_name(op.kind) + "(x" + std::to_string(op.var) + "," +
           std::to_string(op.value) + ")";
  }
  return s;
}

}  // namespace mctest
