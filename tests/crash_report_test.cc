// A failure of migcheck's own code is reported as a bug in migcheck, with what to send, and
// exit code 4; a fault in model code stays a finding (findings_test.cc).
#include <gtest/gtest.h>
#include <signal.h>

#include <stdexcept>
#include <thread>

#include "checker/runtime/sanitizer.h"
#include "cli/crash.h"
#include "test_support.h"

namespace {

using mctest::finding_of;
using mctest::run;

char kArg0[] = "migcheck";
char kArg1[] = "run";
char kArg2[] = "my.litmus";
char* kArgv[] = {kArg0, kArg1, kArg2, nullptr};

TEST(CrashReport, AnEscapedExceptionIsABugInMigcheck) {
  EXPECT_EXIT(
      {
        cli::install_crash_report(3, kArgv);
        // Out of a thread's function, as out of main: std::terminate.
        std::thread([] { throw std::logic_error("an invariant of the checker"); }).join();
      },
      testing::ExitedWithCode(cli::kExitInternalError),
      "internal error: an exception escaped .*an invariant of the checker\n"
      "This is a bug in migcheck.*\n.*\n.*--version.*\n  migcheck run my.litmus");
}

#ifndef MC_ASAN  // AddressSanitizer reports faults itself
TEST(CrashReport, AFaultOutsideModelCodeIsABugInMigcheck) {
  EXPECT_EXIT(
      {
        cli::install_crash_report(3, kArgv);
        raise(SIGSEGV);
      },
      testing::ExitedWithCode(cli::kExitInternalError),
      "internal error: SIGSEGV .*bug in migcheck.*\n(.*\n)*  migcheck run my.litmus");
}

// After a search that set up the engine's own fault handling, a fault outside model threads
// still reaches the report (the engine hands it on), and one inside them is still a finding.
TEST(CrashReport, TheEngineHandsOnFaultsThatAreNotInModelCode) {
  EXPECT_EXIT(
      {
        cli::install_crash_report(3, kArgv);
        auto r = run([] {
          mc::atomic<int*> p(nullptr, "p");
          mc::thread t = mc::spawn([&] { *static_cast<volatile int*>(p.load()) = 1; });
          t.join();
        });
        if (finding_of(r) != "crash") std::_Exit(10);
        raise(SIGSEGV);
      },
      testing::ExitedWithCode(cli::kExitInternalError), "internal error: SIGSEGV");
}
#endif

}  // namespace
