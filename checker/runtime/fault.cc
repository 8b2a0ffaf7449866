// Faults in model code: a model thread's stack overflow faults in its guard page, model code
// that follows a bad pointer faults elsewhere, and an integer division by zero (SIGFPE) or a
// trap (SIGILL) faults where it is. The handler runs on an alternate stack and
// jumps back to the host, which reports either as a finding (the kernel would Oops) and
// abandons the execution (detectors.cc). A fault outside model threads is the checker's own:
// it goes to the handler that was there before (the command line's report of a bug in
// migcheck), else ends the process. Under AddressSanitizer its own handler reports faults
// instead.
#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <iterator>

#include "checker/runtime/execution.h"
#include "checker/runtime/sanitizer.h"

namespace mc {

namespace {

#ifndef MC_ASAN
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction previous[std::size(kSignals)];  // the handlers before this one
// The thread's alternate stack before an execution set its own.
thread_local stack_t previous_stack;

void on_segv(int sig, siginfo_t* info, void* uctx) {
  (void)uctx;
  Execution* ex = Execution::current();
  if (ex && ex->overflow_in_progress(info->si_addr, sig)) siglongjmp(ex->host_jump(), 1);
  // Not model code: the handler from before, which runs when the fault recurs (or the raise
  // is delivered) after this one returns.
  for (size_t i = 0; i < std::size(kSignals); ++i)
    if (kSignals[i] == sig) sigaction(sig, &previous[i], nullptr);
  raise(sig);
}

void install_handler_once() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &sa, &previous[i]);
}
#endif

}  // namespace

void Execution::install_fault_handling() {
#ifndef MC_ASAN
  // An alternate signal stack so the handler can run when a fiber stack is full.
  const size_t alt = 64 * 1024;
  alt_stack_ = std::malloc(alt);
  stack_t ss;
  ss.ss_sp = alt_stack_;
  ss.ss_size = alt;
  ss.ss_flags = 0;
  sigaltstack(&ss, &previous_stack);
  install_handler_once();
#endif
}

void Execution::remove_fault_handling() {
#ifndef MC_ASAN
  if (previous_stack.ss_sp != nullptr && !(previous_stack.ss_flags & SS_DISABLE)) {
    stack_t restore = previous_stack;
    restore.ss_flags = 0;
    sigaltstack(&restore, nullptr);
  } else {
    stack_t ss;
    std::memset(&ss, 0, sizeof ss);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
  }
  std::free(alt_stack_);
#endif
}

bool Execution::overflow_in_progress(const void* fault_addr, int sig) {
  if (running_ == kNoThread || running_ == kHost) return false;
  overflowed_ = running_;
  fault_signal_ = sig;
  fault_in_guard_ =
      (sig == SIGSEGV || sig == SIGBUS) && threads_[running_].stack.guard_contains(fault_addr);
  fault_addr_ = fault_addr;
  return true;
}

}  // namespace mc
