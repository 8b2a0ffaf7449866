// wait_event (include/linux/wait.h) on the checker's wait queue: the condition tested after each
// prepare_to_wait, so a wake-up between the test and the sleep is not lost; `cond` is the
// kernel's condition expression (it may take locks, as z3fold's does).
#pragma once

#include <source_location>

#include "checker/mc.h"

namespace proto {

template <typename Cond>
void wait_event(mc::waitqueue& wq, Cond cond,
                std::source_location loc = std::source_location::current()) {
  mc::might_sleep("wait_event", loc);
  while (true) {
    wq.prepare_to_wait(loc);
    if (cond()) break;
    wq.sleep(loc);
  }
  wq.finish_wait(loc);
}

}  // namespace proto
