#include "cli/crash.h"

#include <cxxabi.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <typeinfo>

#include "checker/runtime/sanitizer.h"

namespace cli {

namespace {

// Written once at install: a signal handler must not allocate.
std::string* g_command = nullptr;

void say(const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void report(const char* what) {
  say("\nmigcheck: internal error: ");
  say(what);
  say("\nThis is a bug in migcheck, not a finding in the model. Please report it with the\n"
      "command below, the litmus, trace or report files it names, and the output of\n"
      "`migcheck --version`.\n  ");
  if (g_command) say(g_command->c_str());
  say("\n");
}

#ifndef MC_ASAN
void on_fatal_signal(int sig) {
  const char* name = sig == SIGSEGV   ? "SIGSEGV (invalid memory access)"
                     : sig == SIGBUS  ? "SIGBUS (bus error)"
                     : sig == SIGFPE  ? "SIGFPE (arithmetic fault)"
                     : sig == SIGILL  ? "SIGILL (illegal instruction)"
                     : sig == SIGABRT ? "SIGABRT (aborted)"
                                      : "fatal signal";
  report(name);
  ::_exit(kExitInternalError);
}
#endif

void on_terminate() {
  std::string what = "an exception escaped";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      int status = 0;
      char* name = abi::__cxa_demangle(typeid(x).name(), nullptr, nullptr, &status);
      what +=
          std::string(" (") + (status == 0 && name ? name : typeid(x).name()) + "): " + x.what();
      std::free(name);
    } catch (...) {
      what += " (not a std::exception)";
    }
  } else {
    what = "std::terminate called";
  }
  report(what.c_str());
  std::_Exit(kExitInternalError);
}

}  // namespace

void install_crash_report(int argc, char** argv) {
  g_command = new std::string;
  for (int i = 0; i < argc; ++i) *g_command += (i ? " " : "") + std::string(argv[i]);
  std::set_terminate(on_terminate);
#ifndef MC_ASAN
  // Its own stack, so that a stack overflow in the checker is reported too.
  static char alt[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt;
  ss.ss_size = sizeof alt;
  sigaltstack(&ss, nullptr);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
#endif
}

}  // namespace cli
