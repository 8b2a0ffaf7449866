// The kernel report readers of `migcheck reproduce` (KCSAN, KASAN, hung task, lockdep, Bad page
// state, Oops, list corruption, CPU0/CPU1 diagrams) on any text.
//
// Contract: a report or an error "file:line: expected ...", never an exception or a crash; what
// a report records is bounded by the input.
#include <string>

#include "tests/fuzz/fuzz.h"
#include "traces/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string error;
  const auto report = traces::read_report(fuzz::text_of(data, size), "fuzz.txt", &error);
  if (!report) {
    fuzz::require(error.rfind("fuzz.txt:", 0) == 0, "report error names the file: " + error);
    return 0;
  }
  size_t frames = 0;
  for (const traces::Side* side : report->racing_sides()) frames += side->frames.size();
  fuzz::require(frames <= size, "no more frames than bytes");
  traces::kernel_version_for_model(report->kernel.value_or(""));
  return 0;
}
