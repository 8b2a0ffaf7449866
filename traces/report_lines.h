// Inside the report reader: the text as lines and what every format's reader shares.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "traces/report.h"

namespace traces::detail {

// Lines longer than this are cut there: no kernel report line comes near it, and the
// readers' regular expressions (libstdc++'s recurse once per character) must stay far from
// the stack's limit on hostile input.
inline constexpr size_t kMaxLineLength = 2048;

struct Line {
  int number;        // in the file, 1-based
  std::string text;  // console prefixes ("[  12.345678]", "[T1234]") removed
  bool cut = false;  // longer than kMaxLineLength: only the first kMaxLineLength characters
};

std::vector<Line> split_lines(std::string_view text);
std::string trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view p);
// A stack frame in any of the kernel's layouts, or nothing (unreliable "?" frames included).
std::optional<Frame> parse_frame(const std::string& text, int line);
// The version printed in lines [begin, end), if any.
std::optional<std::string> find_kernel_version(const std::vector<Line>& lines, size_t begin,
                                               size_t end);

// The format of the tool report whose first line is lines[i], if one starts there.
std::optional<ReportFormat> tool_report_at(const std::vector<Line>& lines, size_t i);
// Reads the tool report starting at lines[start] (report_formats.cc).
std::optional<Report> read_tool_report(const std::vector<Line>& lines, size_t start,
                                       ReportFormat format, const std::string& file,
                                       std::string* error);
// Reads the first two-column race diagram in the text (diagram.cc).
std::optional<Report> read_diagram(const std::vector<Line>& lines, const std::string& file,
                                   std::string* error);

}  // namespace traces::detail
