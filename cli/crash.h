// When migcheck itself fails (a fault or an escaped exception in the checker's own code, not in
// model code, where the engine turns it into a finding), it says so as a bug in migcheck, with
// what to send, and exits with kExitInternalError instead of dying with a bare signal.
#pragma once

namespace cli {

constexpr int kExitInternalError = 4;

// Installs the report for the rest of the process (call first in main). Under
// AddressSanitizer the sanitizer's own report of a fault is kept; only escaped exceptions are
// reported here.
void install_crash_report(int argc, char** argv);

}  // namespace cli
