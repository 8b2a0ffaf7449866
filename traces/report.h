// Kernel reports as people paste them: a KCSAN, KASAN, hung-task, lockdep, "Bad page state",
// Oops or list-debug report from a console log, or the two-column race diagram of a commit
// message. The reader finds the report in the text (console prefixes, a larger log around it),
// says which format it is, and keeps what a reproduction needs: the kernel version the report
// names, the symptom, and each side of the race as the functions it ran. It knows no model.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traces {

enum class ReportFormat {
  kKcsan,
  kKasan,
  kHungTask,
  kLockdep,
  kBadPage,
  kOops,
  kListCorruption,
  kDiagram,
};
// "kcsan", "kasan", "hung-task", "lockdep", "bad-page", "oops", "list-corruption", "diagram".
const char* format_name(ReportFormat f);

// What the report shows went wrong.
enum class Symptom {
  kDataRace,        // KCSAN
  kUseAfterFree,    // KASAN use-after-free, a diagram whose text says the memory was freed
  kDoubleFree,      // KASAN double-free
  kBlocked,         // a task blocked forever (hung task, a wake-up that never comes)
  kBadPageState,    // "BUG: Bad page state"
  kBug,             // kernel BUG at, VM_BUG_ON*, BUG_ON
  kWarning,         // WARNING: CPU: ... at (a WARN_ON*, VM_WARN_ON*)
  kBadAccess,       // general protection fault, unable to handle page fault
  kListCorruption,  // list_del / list_add corruption
  kLockOrder,       // lockdep: a possible circular locking dependency
  kOther,           // something the reader could not place (a KASAN out-of-bounds, ...)
  kUnstated,        // a diagram whose text does not say
};
const char* symptom_name(Symptom s);

// One function of a stack or a diagram column.
struct Frame {
  std::string function;  // as the kernel names it, offsets and compiler suffixes stripped
  std::string where;     // "mm/zsmalloc.c:1036", when printed
  bool inlined = false;
  int depth = 0;     // diagrams: nesting within the column (0 = the column's own level)
  std::string text;  // diagrams: the step as written ("obj = handle_to_obj(handle)")
  std::string note;  // diagrams: its comment ("/* taken */")
  int row = 0;       // diagrams: the row (steps of one row happen together)
  int line = 0;      // the report's line
};

// One side of the report: an access and its stack (KCSAN, KASAN), where an object was
// allocated or freed (KASAN), the stack of the task that hung or crashed, a link of a lockdep
// chain, or a diagram column.
struct Side {
  std::string
      title;  // "write to 0x... of 8 bytes by task 52 on cpu 1", "CPU0", "Freed by task 2105"
  std::string role;    // "access", "allocation", "free", "blocked", "crash", "lock chain", "column"
  std::string access;  // KCSAN / KASAN: "read", "write", "read-write" (with "(marked)" if so)
  int size = 0;        // KCSAN / KASAN: the access's size in bytes
  std::vector<Frame> frames;  // stacks: innermost first; diagrams: in time order
  int line = 0;
};

struct Report {
  std::string file;
  int first_line = 0;  // where the report starts and ends in the file (1-based)
  int last_line = 0;
  ReportFormat format = ReportFormat::kDiagram;
  std::string title;                  // the headline, or the commit subject of a diagram
  std::optional<std::string> kernel;  // as the report prints it: "5.17.0-rc5"
  Symptom symptom = Symptom::kUnstated;
  std::string detail;  // what the report says of the symptom: "value changed: ...", a reason
  std::vector<Side> sides;
  std::vector<std::string> locks;    // lockdep: the lock classes, in the chain's order
  std::vector<std::string> modules;  // "Modules linked in:", when printed
  std::vector<std::string> skipped;  // what was read but not understood, "line N: why"
  // The sides a reproduction must show racing: the accesses (KCSAN), the access and the free
  // (KASAN), the columns (diagram), every side otherwise.
  std::vector<const Side*> racing_sides() const;
};

// Finds and reads the first report in `text`. On failure returns nothing and sets `error` to
// "file:line: expected ..." (the line where the report is cut, or 1 when none was found).
std::optional<Report> read_report(std::string_view text, const std::string& file,
                                  std::string* error);

// A kernel version as a model version string: "5.17.0-rc5" -> "5.17-rc5", "5.2.1" -> "5.2.1",
// "3.16.0" -> "3.16", "6.11.0-rc6+" -> "6.11-rc6".
std::string kernel_version_for_model(const std::string& printed);

// Function names as a report prints them, reduced to the kernel's name:
// "create_page_chain.isra.0" -> "create_page_chain", "__kasan_report.cold" -> "__kasan_report".
std::string strip_compiler_suffix(std::string_view function);

}  // namespace traces
