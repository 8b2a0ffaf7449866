#include "bench/steady_state.h"

#include "checker/mc.h"

namespace mcbench {

void independent_loads(int n, uint32_t runs) {
  (void)mc::choose(runs);
  mc::atomic<int> x(0, "x"), y(0, "y");
  mc::thread a = mc::spawn([&] {
    for (int i = 0; i < n; ++i) (void)x.load(std::memory_order_relaxed);
  });
  mc::thread b = mc::spawn([&] {
    for (int i = 0; i < n; ++i) (void)y.load(std::memory_order_relaxed);
  });
  a.join();
  b.join();
}

}  // namespace mcbench
