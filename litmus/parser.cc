// Hand-written lexer and recursive-descent parser for C litmus tests; see parser.h for the
// accepted syntax.
//
// Structure: the header (`C name`, comments, doc strings, info lines) is line-oriented and is
// scanned character by character up to the `{` of the initial state. From there a lexer turns
// the rest into tokens (tracking brace depth, because `(* *)` comments exist only outside
// braces) and the parser works on the token vector. Internally errors are thrown as SyntaxError
// and caught at section boundaries (initial state, each thread, each trailing clause), where the
// parser skips to the next section so that one run reports several independent errors.
#include "litmus/parser.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

namespace litmus {
namespace {

// Deeper input is rejected rather than overflowing the stack: the parser's own recursion, and
// the height of every expression and condition tree it builds (a chain such as 1+1+1, built by
// a loop, is as deep as it is long), which bounds every later recursive walk of the tree.
constexpr int kMaxNesting = 128;
std::string nesting_limit_text() {
  return "at most " + std::to_string(kMaxNesting) +
         " levels of nesting (each operator of a chain such as 1+1+1 is a level)";
}
constexpr int kMaxThreadIndex = 9999;  // P0..P9999, also bounds `N:reg` references

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_space(char c) { return is_blank(c) || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

// Clipped to kQuoteMax: a message never quotes unbounded input.
std::string quote(std::string_view s) {
  std::string quoted = "'";  // appends rather than "'" + ...: GCC 12 -O3 warns falsely on that
  quoted += clip(s, kQuoteMax);
  quoted += '\'';
  return quoted;
}

// Renders a single input character for the "found ..." part of a diagnostic.
std::string describe_char(char c) {
  if (c == '\n') return "end of line";
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte >= 0x7f) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "byte 0x%02x", byte);
    return buffer;
  }
  return quote(std::string(1, c));
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}
std::string_view trim(std::string_view s) { return trim_right(trim_left(s)); }

// Setting keys: an identifier that may also contain '.' and '-'.
bool is_setting_key(std::string_view key) {
  if (key.empty() || !is_ident_start(key.front())) return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return is_ident_char(c) || c == '.' || c == '-'; });
}

// Words that may start a declaration, as in C. Other type names (atomic_t, spinlock_t, ...) are
// recognised by position: a name followed by another name or by '*'.
bool is_type_keyword(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      "void",     "char",  "short", "int",   "long",     "float",  "double", "signed",
      "unsigned", "_Bool", "bool",  "const", "volatile", "struct", "union",  "enum"};
  return std::find(std::begin(kWords), std::end(kWords), word) != std::end(kWords);
}

// Statement keywords: never usable as a variable or function name.
bool is_statement_keyword(std::string_view word) {
  static constexpr std::string_view kWords[] = {"if",      "else",  "while",    "for",    "do",
                                                "return",  "break", "continue", "switch", "case",
                                                "default", "goto",  "sizeof",   "typedef"};
  return std::find(std::begin(kWords), std::end(kWords), word) != std::end(kWords);
}

bool is_reserved(std::string_view word) {
  return is_type_keyword(word) || is_statement_keyword(word);
}

// ---------------------------------------------------------------------------------------------
// Source cursor

struct Position {
  size_t offset = 0;
  int line = 1;
  int column = 1;
};

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_.offset >= text_.size(); }
  // The character `ahead` positions on, or '\0' past the end (use at_end() to tell them apart).
  char peek(size_t ahead = 0) const {
    const size_t index = pos_.offset + ahead;
    return index < text_.size() ? text_[index] : '\0';
  }
  bool starts_with(std::string_view s) const {
    return (s.empty() || peek() == s.front()) && text_.substr(pos_.offset).starts_with(s);
  }
  void advance(size_t count = 1) {
    for (; count > 0 && !at_end(); --count) {
      if (text_[pos_.offset] == '\n') {
        ++pos_.line;
        pos_.column = 1;
      } else {
        ++pos_.column;
      }
      ++pos_.offset;
    }
  }
  // Length of a backslash-newline line continuation at the cursor, or 0.
  size_t continuation_length() const {
    if (peek() != '\\') return 0;
    if (peek(1) == '\n') return 2;
    if (peek(1) == '\r' && peek(2) == '\n') return 3;
    return 0;
  }
  const Position& position() const { return pos_; }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  Position pos_;
};

// Whether header text holds a comment marker: a value or a kind that does cannot be printed
// back inside the header comment as it was read (the printer breaks the markers).
bool has_comment_marker(std::string_view text) {
  return text.find("(*") != std::string_view::npos || text.find("*)") != std::string_view::npos;
}

// Skips a herd `(* ... *)` comment starting at the cursor. Comments nest, as in herd. Returns
// false at end of input and sets `unclosed` to the innermost opening still open.
bool skip_herd_comment(Cursor& cursor, Position& unclosed) {
  std::vector<Position> open;
  while (true) {
    if (cursor.starts_with("(*")) {
      open.push_back(cursor.position());
      cursor.advance(2);
    } else if (cursor.starts_with("*)")) {
      open.pop_back();
      cursor.advance(2);
      if (open.empty()) return true;
    } else if (cursor.at_end()) {
      unclosed = open.back();
      return false;
    } else {
      cursor.advance();
    }
  }
}

// What to tell the user about a herd comment left open at end of input.
std::string unclosed_comment_expectation(const Position& start, const Position& unclosed) {
  std::string expected = "'*)' closing this comment";
  if (unclosed.offset != start.offset) {
    expected += " and the '(*' nested in it at " + std::to_string(unclosed.line) + ":" +
                std::to_string(unclosed.column) + " (herd comments nest)";
  }
  return expected;
}

// ---------------------------------------------------------------------------------------------
// Tokens and lexer

enum class TokenKind { kEnd, kIdentifier, kInteger, kPunct, kError };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // spelling; for kError what was found
  int64_t value = 0;  // kInteger
  Position pos;
  int depth = 0;         // number of braces open before this token
  std::string expected;  // kError: what the lexer expected instead

  bool is(std::string_view punct) const { return kind == TokenKind::kPunct && text == punct; }
  bool is_word(std::string_view word) const {
    return kind == TokenKind::kIdentifier && text == word;
  }
};

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kError:
      return token.text;
    default:
      return quote(token.text);
  }
}

// Longest first, so that e.g. "<<=" wins over "<<" and "<".
constexpr std::string_view kPunctuators[] = {
    "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==",  "!=",  "&&",
    "||",  "+=",  "-=", "*=", "/=", "%=", "&=", "^=", "|=", "/\\", "\\/", "=>",
    "{",   "}",   "(",  ")",  "[",  "]",  ";",  ",",  ":",  "?",   ".",   "+",
    "-",   "*",   "/",  "%",  "<",  ">",  "=",  "&",  "^",  "|",   "!",   "~"};

class Lexer {
 public:
  explicit Lexer(Cursor cursor) : cursor_(cursor) {}

  // Always ends with a kEnd token. Lexical errors become kError tokens for the parser to report
  // in context; an unterminated comment ends the token stream.
  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (skip_trivia(tokens) && !cursor_.at_end()) tokens.push_back(next_token());
    Token end = make(TokenKind::kEnd, cursor_.position());
    tokens.push_back(std::move(end));
    return tokens;
  }

 private:
  Token make(TokenKind kind, const Position& start) const {
    Token token;
    token.kind = kind;
    token.pos = start;
    token.depth = depth_;
    return token;
  }

  Token error(const Position& start, std::string expected, std::string found) const {
    Token token = make(TokenKind::kError, start);
    token.expected = std::move(expected);
    token.text = std::move(found);
    return token;
  }

  // Skips blanks, comments and line continuations. Returns false (after appending an error
  // token) on an unterminated comment.
  bool skip_trivia(std::vector<Token>& tokens) {
    while (!cursor_.at_end()) {
      if (is_space(cursor_.peek())) {
        cursor_.advance();
      } else if (const size_t length = cursor_.continuation_length(); length > 0) {
        cursor_.advance(length);
      } else if (cursor_.starts_with("//")) {
        while (!cursor_.at_end() && cursor_.peek() != '\n') cursor_.advance();
      } else if (cursor_.starts_with("/*")) {
        const Position start = cursor_.position();
        cursor_.advance(2);
        while (!cursor_.at_end() && !cursor_.starts_with("*/")) cursor_.advance();
        if (cursor_.at_end()) {
          tokens.push_back(error(start, "'*/' closing this comment", "end of input"));
          return false;
        }
        cursor_.advance(2);
      } else if (depth_ == 0 && cursor_.starts_with("(*")) {
        const Position start = cursor_.position();
        Position unclosed;
        if (!skip_herd_comment(cursor_, unclosed)) {
          tokens.push_back(
              error(start, unclosed_comment_expectation(start, unclosed), "end of input"));
          return false;
        }
      } else {
        return true;
      }
    }
    return true;
  }

  Token next_token() {
    const Position start = cursor_.position();
    const char c = cursor_.peek();
    if (is_ident_start(c)) {
      Token token = make(TokenKind::kIdentifier, start);
      while (is_ident_char(cursor_.peek())) {
        token.text += cursor_.peek();
        cursor_.advance();
      }
      return token;
    }
    if (is_digit(c)) return lex_number(start);
    for (std::string_view punct : kPunctuators) {
      if (punct.front() != c || !cursor_.starts_with(punct)) continue;
      Token token = make(TokenKind::kPunct, start);
      token.text = std::string(punct);
      cursor_.advance(punct.size());
      if (punct == "{") ++depth_;
      if (punct == "}" && depth_ > 0) --depth_;
      return token;
    }
    cursor_.advance();
    return error(start, "an identifier, number or operator", describe_char(c));
  }

  // Decimal, 0x hexadecimal or 0 octal, with optional u/l suffixes (ignored), as in C.
  Token lex_number(const Position& start) {
    std::string spelling;
    while (is_ident_char(cursor_.peek())) {
      spelling += cursor_.peek();
      cursor_.advance();
    }
    std::string_view digits = spelling;
    while (!digits.empty() && (digits.back() == 'u' || digits.back() == 'U' ||
                               digits.back() == 'l' || digits.back() == 'L')) {
      digits.remove_suffix(1);
    }
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
      base = 16;
      digits.remove_prefix(2);
    } else if (digits.size() > 1 && digits[0] == '0') {
      base = 8;
      digits.remove_prefix(1);
    }
    uint64_t value = 0;
    for (char d : digits) {
      int digit = -1;
      if (is_digit(d)) digit = d - '0';
      if (d >= 'a' && d <= 'f') digit = d - 'a' + 10;
      if (d >= 'A' && d <= 'F') digit = d - 'A' + 10;
      if (digit < 0 || digit >= base) {
        return error(start, "a number", quote(spelling));
      }
      if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) / base) {
        return error(start, "an integer no larger than 9223372036854775807", quote(spelling));
      }
      value = value * base + digit;
    }
    Token token = make(TokenKind::kInteger, start);
    token.text = spelling;
    token.value = static_cast<int64_t>(value);
    return token;
  }

  Cursor cursor_;
  int depth_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Parser

struct SyntaxError {
  Diagnostic diagnostic;
};

struct BinaryOperator {
  std::string_view spelling;
  BinaryOp op;
  int precedence;  // larger binds tighter
};

constexpr BinaryOperator kBinaryOperators[] = {
    {"||", BinaryOp::kLogicalOr, 1},    {"&&", BinaryOp::kLogicalAnd, 2},
    {"|", BinaryOp::kBitOr, 3},         {"^", BinaryOp::kBitXor, 4},
    {"&", BinaryOp::kBitAnd, 5},        {"==", BinaryOp::kEqual, 6},
    {"!=", BinaryOp::kNotEqual, 6},     {"<", BinaryOp::kLess, 7},
    {"<=", BinaryOp::kLessEqual, 7},    {">", BinaryOp::kGreater, 7},
    {">=", BinaryOp::kGreaterEqual, 7}, {"<<", BinaryOp::kShiftLeft, 8},
    {">>", BinaryOp::kShiftRight, 8},   {"+", BinaryOp::kAdd, 9},
    {"-", BinaryOp::kSub, 9},           {"*", BinaryOp::kMul, 10},
    {"/", BinaryOp::kDiv, 10},          {"%", BinaryOp::kMod, 10},
};

const BinaryOperator* find_binary_operator(const Token& token) {
  if (token.kind != TokenKind::kPunct) return nullptr;
  for (const BinaryOperator& entry : kBinaryOperators) {
    if (token.text == entry.spelling) return &entry;
  }
  return nullptr;
}

// For an assignment operator token: true, with `compound` set for `op=` forms.
bool find_assignment_operator(const Token& token, std::optional<BinaryOp>& compound) {
  if (token.kind != TokenKind::kPunct) return false;
  if (token.text == "=") {
    compound.reset();
    return true;
  }
  if (token.text.size() < 2 || token.text.back() != '=' || token.text == "==" ||
      token.text == "!=" || token.text == "<=" || token.text == ">=") {
    return false;
  }
  Token op_token = token;
  op_token.text.pop_back();
  const BinaryOperator* entry = find_binary_operator(op_token);
  if (entry == nullptr) return false;
  compound = entry->op;
  return true;
}

bool is_thread_header(const Token& token) {
  if (token.kind != TokenKind::kIdentifier) return false;
  const std::string& text = token.text;
  return text.size() >= 2 && text.size() <= 5 && text[0] == 'P' &&
         std::all_of(text.begin() + 1, text.end(), is_digit);
}

class Parser {
 public:
  Parser(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  std::optional<Test> run() {
    Test test;
    Cursor cursor(text_);
    if (!parse_header(cursor, test)) return std::nullopt;
    tokens_ = Lexer(cursor).run();
    parse_sections(test);
    if (!errors_.empty()) return std::nullopt;
    return test;
  }

  std::vector<Diagnostic>& errors() { return errors_; }

 private:
  friend class NestingGuard;

  // ----- diagnostics

  SourceLoc loc(const Position& pos) const { return SourceLoc{file_, pos.line, pos.column}; }
  SourceLoc loc(const Token& token) const { return loc(token.pos); }

  void add_error(const Position& pos, std::string expected, std::string found) {
    expected = clip(expected, kMessageMax);
    found = clip(found, kQuoteMax);  // it may be the rest of a line
    errors_.push_back(Diagnostic{loc(pos), std::move(expected), std::move(found)});
  }

  [[noreturn]] void fail(const Token& at, std::string expected) const {
    expected = clip(expected, kMessageMax);  // it may quote names
    if (at.kind == TokenKind::kError) {
      throw SyntaxError{
          Diagnostic{loc(at), clip(at.expected, kMessageMax), clip(at.text, kQuoteMax)}};
    }
    throw SyntaxError{Diagnostic{loc(at), std::move(expected), describe(at)}};
  }

  // Records a caught error; false when there are too many to continue.
  bool record(const SyntaxError& error) {
    errors_.push_back(error.diagnostic);
    return errors_.size() < kMaxErrorsPerFile;
  }

  // ----- header: everything before the `{` of the initial state

  bool parse_header(Cursor& cursor, Test& test) {
    if (cursor.starts_with("\xEF\xBB\xBF")) cursor.advance(3);  // UTF-8 byte order mark
    while (!cursor.at_end() && is_space(cursor.peek())) cursor.advance();
    const Position arch_pos = cursor.position();
    const std::string arch = read_word(cursor);
    if (arch.empty()) {
      add_error(arch_pos, "a first line 'C <test name>'", "end of input");
      return false;
    }
    if (arch != "C") {
      add_error(arch_pos, "architecture 'C' (the only one supported)", quote(arch));
      return false;
    }
    test.arch = arch;
    test.loc = loc(arch_pos);

    while (is_blank(cursor.peek())) cursor.advance();
    const Position name_pos = cursor.position();
    test.name = read_word(cursor);
    if (test.name.empty()) {
      add_error(name_pos, "a test name after 'C'",
                cursor.at_end() ? "end of input" : describe_char(cursor.peek()));
      return false;
    }
    while (is_blank(cursor.peek())) cursor.advance();
    if (!cursor.at_end() && cursor.peek() != '\n' && !cursor.starts_with("(*") &&
        !cursor.starts_with("//") && !cursor.starts_with("/*")) {
      const Position extra_pos = cursor.position();
      add_error(extra_pos, "end of line after the test name", quote(read_word(cursor)));
      return false;
    }

    std::vector<std::string> doc_paragraphs;
    while (true) {
      while (!cursor.at_end() && is_space(cursor.peek())) cursor.advance();
      const Position pos = cursor.position();
      if (cursor.at_end()) {
        add_error(pos, "'{' opening the initial state", "end of input");
        return false;
      }
      if (cursor.peek() == '{') break;
      if (cursor.starts_with("(*")) {
        Position unclosed;
        if (!skip_herd_comment(cursor, unclosed)) {
          add_error(pos, unclosed_comment_expectation(pos, unclosed), "end of input");
          return false;
        }
        const size_t body_begin = pos.offset + 2;
        const size_t body_end = cursor.position().offset - 2;
        Position body_pos = pos;
        body_pos.column += 2;
        if (!parse_header_comment(text_.substr(body_begin, body_end - body_begin), body_pos, test,
                                  doc_paragraphs)) {
          return false;
        }
      } else if (cursor.starts_with("//")) {
        while (!cursor.at_end() && cursor.peek() != '\n') cursor.advance();
      } else if (cursor.starts_with("/*")) {
        cursor.advance(2);
        while (!cursor.at_end() && !cursor.starts_with("*/")) cursor.advance();
        if (cursor.at_end()) {
          add_error(pos, "'*/' closing this comment", "end of input");
          return false;
        }
        cursor.advance(2);
      } else if (cursor.peek() == '"') {
        // herd doc string: "free text" on one line.
        cursor.advance();
        std::string doc;
        while (!cursor.at_end() && cursor.peek() != '"' && cursor.peek() != '\n') {
          doc += cursor.peek();
          cursor.advance();
        }
        if (cursor.peek() != '"') {
          add_error(cursor.position(), "'\"' closing the doc string",
                    cursor.at_end() ? "end of input" : "end of line");
          return false;
        }
        cursor.advance();
        if (!trim(doc).empty()) doc_paragraphs.emplace_back(trim(doc));
      } else if (is_ident_start(cursor.peek()) && info_line_follows(cursor)) {
        // herd info line such as `Hash=...` or `Cycle=Rfe PodRR Fre PodWW`.
        std::string key;
        while (is_ident_char(cursor.peek()) || cursor.peek() == '.' || cursor.peek() == '-') {
          key += cursor.peek();
          cursor.advance();
        }
        while (is_blank(cursor.peek())) cursor.advance();
        cursor.advance();  // '='
        std::string value;
        while (!cursor.at_end() && cursor.peek() != '\n') {
          value += cursor.peek();
          cursor.advance();
        }
        test.info.push_back({key, std::string(trim(value)), loc(pos)});
      } else {
        add_error(pos, "'{' opening the initial state", found_word_at(cursor));
        return false;
      }
    }
    for (const std::string& paragraph : doc_paragraphs) {
      if (!test.doc.empty()) test.doc += "\n\n";
      test.doc += paragraph;
    }
    return true;
  }

  // A run of non-blank characters.
  static std::string read_word(Cursor& cursor) {
    std::string word;
    while (!cursor.at_end() && !is_space(cursor.peek())) {
      word += cursor.peek();
      cursor.advance();
    }
    return word;
  }

  static std::string found_word_at(Cursor cursor) {
    std::string word = read_word(cursor);
    if (word.size() > 30) word = word.substr(0, 30) + "...";
    return word.empty() ? describe_char(cursor.peek()) : quote(word);
  }

  // `Key=` (optionally with blanks before '=') at the cursor.
  static bool info_line_follows(Cursor cursor) {
    while (is_ident_char(cursor.peek()) || cursor.peek() == '.' || cursor.peek() == '-') {
      cursor.advance();
    }
    while (is_blank(cursor.peek())) cursor.advance();
    return cursor.peek() == '=';
  }

  bool add_setting(const Position& pos, const std::string& key, std::string value, Test& test) {
    if (has_comment_marker(value)) {
      add_error(pos, "a value for '" + clip(key, kQuoteMax) + "' without '(*' or '*)'",
                quote(value));
      return false;
    }
    if (test.settings.count(key) > 0) {
      add_error(pos, "each setting at most once", "a second '" + key + "'");
      return false;
    }
    test.settings[key] = std::move(value);
    test.setting_locs[key] = loc(pos);
    return true;
  }

  // `Expect [bug=NAME] [KERNEL...]: KIND, KIND...` (or `: none`); `at` is where "Expect"
  // starts. Kinds are separated by commas (a kind may contain blanks: "end state").
  bool parse_expect_line(std::string_view line, Position at, Test& test) {
    FindingExpectation e;
    e.loc = loc(at);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      Position end = at;
      end.column += static_cast<int>(line.size());
      add_error(end, "':' after 'Expect' and its optional bug and kernel versions", "end of line");
      return false;
    }
    std::vector<std::pair<std::string_view, int>> words;
    size_t i = 6;
    while (i < colon) {
      while (i < colon && (is_blank(line[i]) || line[i] == ',')) ++i;
      const size_t start = i;
      while (i < colon && !is_blank(line[i]) && line[i] != ',') ++i;
      if (i > start)
        words.emplace_back(line.substr(start, i - start), at.column + static_cast<int>(start));
    }
    for (const auto& [word, column] : words) {
      if (!word.starts_with("bug=")) {
        e.kernels.emplace_back(word);
        continue;
      }
      Position p = at;
      p.column = column;
      if (!e.bug.empty() || word.size() == 4) {
        add_error(p, "one 'bug=NAME' in an Expect line", std::string(word));
        return false;
      }
      e.bug = std::string(word.substr(4));
    }
    const std::string_view rest = trim(line.substr(colon + 1));
    Position p = at;
    p.column = at.column + static_cast<int>(colon) + 1;
    if (rest.empty()) {
      add_error(p,
                "finding kinds after 'Expect ...:' ('none', or e.g. 'lost-wakeup, data-race', "
                "'VM_BUG_ON_PAGE')",
                "end of line");
      return false;
    }
    std::vector<std::string> kinds;
    size_t from = 0;
    while (from <= rest.size()) {
      size_t comma = rest.find(',', from);
      if (comma == std::string_view::npos) comma = rest.size();
      const std::string_view kind = trim(rest.substr(from, comma - from));
      if (kind.empty() || has_comment_marker(kind)) {
        add_error(p, "a finding kind between commas after 'Expect ...:'", std::string(rest));
        return false;
      }
      kinds.emplace_back(kind);
      from = comma + 1;
    }
    std::sort(kinds.begin(), kinds.end());
    kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
    if (kinds.size() > 1 && std::find(kinds.begin(), kinds.end(), "none") != kinds.end()) {
      add_error(p, "'none' alone, or finding kinds without 'none'", std::string(rest));
      return false;
    }
    if (kinds.front() != "none") e.findings = std::move(kinds);
    test.expected_findings.push_back(std::move(e));
    return true;
  }

  // Interprets one header comment body (without the delimiters). `pos` is where it starts.
  bool parse_header_comment(std::string_view body, Position pos, Test& test,
                            std::vector<std::string>& doc_paragraphs) {
    std::vector<std::string> doc_lines;
    size_t line_begin = 0;
    bool first_line = true;
    while (line_begin <= body.size()) {
      size_t line_end = body.find('\n', line_begin);
      if (line_end == std::string_view::npos) line_end = body.size();
      const std::string_view raw = body.substr(line_begin, line_end - line_begin);
      const int first_column = first_line ? pos.column : 1;
      // Strip the margin: leading blanks, then one `*` and one blank after it if present.
      size_t i = 0;
      while (i < raw.size() && is_blank(raw[i])) ++i;
      if (i < raw.size() && raw[i] == '*') {
        ++i;
        if (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) ++i;
      }
      const std::string_view content = trim_right(raw.substr(i));
      const std::string_view stripped = trim_left(content);
      Position at = pos;
      at.column = first_column + static_cast<int>(i + (content.size() - stripped.size()));
      if (stripped.starts_with("Result:")) {
        if (!parse_result_line(stripped, at, test)) return false;
      } else if (stripped.starts_with("Expect") &&
                 (stripped.size() == 6 || stripped[6] == ':' || is_blank(stripped[6]))) {
        if (!parse_expect_line(stripped, at, test)) return false;
      } else if (stripped.starts_with("Setting:")) {
        std::string_view rest = stripped.substr(8);
        at.column += 8 + static_cast<int>(rest.size() - trim_left(rest).size());
        rest = trim(rest);
        const size_t equals = rest.find('=');
        const std::string_view key =
            equals == std::string_view::npos ? rest : trim(rest.substr(0, equals));
        const std::string_view value =
            equals == std::string_view::npos ? std::string_view() : trim(rest.substr(equals + 1));
        if (!is_setting_key(key) || value.empty()) {
          add_error(at, "'key=value' after 'Setting:'", rest.empty() ? "end of line" : quote(rest));
          return false;
        }
        if (!add_setting(at, std::string(key), std::string(value), test)) return false;
      } else if (const size_t equals = stripped.find('=');
                 equals != std::string_view::npos && is_setting_key(stripped.substr(0, equals)) &&
                 equals + 1 < stripped.size() &&
                 std::none_of(stripped.begin() + equals + 1, stripped.end(), is_space)) {
        if (!add_setting(at, std::string(stripped.substr(0, equals)),
                         std::string(stripped.substr(equals + 1)), test)) {
          return false;
        }
      } else {
        doc_lines.emplace_back(content);
      }
      first_line = false;
      ++pos.line;
      line_begin = line_end + 1;
    }
    while (!doc_lines.empty() && doc_lines.back().empty()) doc_lines.pop_back();
    size_t first = 0;
    while (first < doc_lines.size() && doc_lines[first].empty()) ++first;
    std::string paragraph;
    for (size_t i = first; i < doc_lines.size(); ++i) {
      if (i > first) paragraph += '\n';
      paragraph += doc_lines[i];
    }
    if (!paragraph.empty()) doc_paragraphs.push_back(std::move(paragraph));
    return true;
  }

  // `Result: <outcome> [DATARACE]`; `at` is the position of "Result:".
  bool parse_result_line(std::string_view line, Position at, Test& test) {
    if (test.expected_result) {
      add_error(at, "a single 'Result:' line", "a second one");
      return false;
    }
    // Split the rest into words, remembering each word's column.
    std::vector<std::pair<std::string_view, int>> words;
    size_t i = 7;  // after "Result:"
    while (i < line.size()) {
      while (i < line.size() && is_blank(line[i])) ++i;
      const size_t start = i;
      while (i < line.size() && !is_blank(line[i])) ++i;
      if (i > start)
        words.emplace_back(line.substr(start, i - start), at.column + static_cast<int>(start));
    }
    const std::string outcomes =
        "'Never', 'Sometimes', 'Always', 'Maybe', 'Flag' or 'DEADLOCK' after 'Result:'";
    if (words.empty()) {
      Position end = at;
      end.column += static_cast<int>(line.size());
      add_error(end, outcomes, "end of line");
      return false;
    }
    const auto [outcome, outcome_column] = words[0];
    if (outcome == "Never") {
      test.expected_result = ExpectedResult::kNever;
    } else if (outcome == "Sometimes") {
      test.expected_result = ExpectedResult::kSometimes;
    } else if (outcome == "Always") {
      test.expected_result = ExpectedResult::kAlways;
    } else if (outcome == "DEADLOCK") {
      test.expected_result = ExpectedResult::kDeadlock;
    } else if (outcome == "Maybe") {
      test.expected_result = ExpectedResult::kMaybe;
    } else if (outcome == "Flag") {
      test.expected_result = ExpectedResult::kFlag;
    } else {
      at.column = outcome_column;
      add_error(at, outcomes, quote(outcome));
      return false;
    }
    for (size_t w = 1; w < words.size(); ++w) {
      if (words[w].first == "DATARACE" && !test.expected_data_race) {
        test.expected_data_race = true;
        continue;
      }
      // `Result: Flag data-race`: the names of the flags expected.
      if (test.expected_result == ExpectedResult::kFlag && words[w].first != "DATARACE") {
        test.expected_flags.emplace_back(words[w].first);
        continue;
      }
      at.column = words[w].second;
      add_error(at,
                test.expected_result == ExpectedResult::kFlag
                    ? "flag names or 'DATARACE' after 'Flag'"
                    : "end of line or 'DATARACE' after the result",
                quote(words[w].first));
      return false;
    }
    return true;
  }

  // ----- token access

  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& advance() {
    const Token& token = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return token;
  }
  bool accept(std::string_view punct) {
    if (!peek().is(punct)) return false;
    advance();
    return true;
  }
  bool accept_word(std::string_view word) {
    if (!peek().is_word(word)) return false;
    advance();
    return true;
  }
  // Consumes `punct` or fails with "expected '<punct>'<context>".
  const Token& expect(std::string_view punct, std::string_view context) {
    if (!peek().is(punct)) fail(peek(), quote(punct) + std::string(context));
    return advance();
  }
  const Token& expect_name(std::string_view what) {
    const Token& token = peek();
    if (token.kind != TokenKind::kIdentifier || is_reserved(token.text))
      fail(token, std::string(what));
    return advance();
  }

  // ----- sections after the header

  static bool is_clause_keyword(const Token& token) {
    return token.is_word("locations") || token.is_word("filter") || token.is_word("exists") ||
           token.is_word("forall");
  }

  // Whether the current token starts a top-level section.
  bool at_section_start() const {
    const Token& token = peek();
    if (token.depth != 0) return false;
    if (is_thread_header(token) || is_clause_keyword(token)) return true;
    return token.is("~") && peek(1).is_word("exists");
  }

  // Skips to the start of the next section after an error in the section that began at
  // `section_start`: a top-level thread header or clause keyword, or just past a `}` that closes
  // a top-level brace.
  void recover(size_t section_start) {
    if (pos_ == section_start) advance();  // always make progress
    while (peek().kind != TokenKind::kEnd) {
      if (at_section_start()) return;
      const bool closes_top_level = peek().is("}") && peek().depth == 1;
      advance();
      if (closes_top_level) return;
    }
  }

  void parse_sections(Test& test) {
    size_t section_start = pos_;
    try {
      parse_init_block(test);
    } catch (const SyntaxError& error) {
      if (!record(error)) return;
      recover(section_start);
    }

    int next_thread = 0;
    bool threads_allowed = true;
    bool final_attempted = false;
    bool final_parsed = false;
    bool locations_seen = false;
    while (peek().kind != TokenKind::kEnd && !final_attempted) {
      section_start = pos_;
      const Token& token = peek();
      try {
        if (threads_allowed && is_thread_header(token)) {
          parse_thread(test, next_thread);
        } else if (token.is_word("locations")) {
          threads_allowed = false;
          if (locations_seen) add_error(token.pos, "a single 'locations' clause", "a second one");
          locations_seen = true;
          parse_locations(test);
        } else if (token.is_word("filter")) {
          threads_allowed = false;
          if (test.filter) add_error(token.pos, "a single 'filter' clause", "a second one");
          advance();
          test.filter = parse_condition();
        } else if (token.is_word("exists") || token.is_word("forall") || token.is("~")) {
          final_attempted = true;
          if (next_thread == 0) {
            add_error(token.pos, "at least one thread 'P0(...) { ... }' before the final condition",
                      describe(token));
          }
          parse_final(test);
          final_parsed = true;
        } else {
          fail(token, threads_allowed
                          ? "a thread 'P<n>(...)', 'locations', 'filter', 'exists', '~exists' or "
                            "'forall'"
                          : "'locations', 'filter', 'exists', '~exists' or 'forall'");
        }
      } catch (const SyntaxError& error) {
        if (!record(error)) return;
        recover(section_start);
      }
    }
    if (!final_attempted) {
      add_error(peek().pos, "a final condition ('exists', '~exists' or 'forall')",
                describe(peek()));
    } else if (final_parsed && peek().kind != TokenKind::kEnd) {
      if (peek().kind == TokenKind::kError) {
        add_error(peek().pos, peek().expected, peek().text);
      } else {
        add_error(peek().pos, "end of input after the final condition", describe(peek()));
      }
    }
  }

  // `{ entry; entry; ... }`
  void parse_init_block(Test& test) {
    const Token& open = expect("{", " opening the initial state");
    while (!peek().is("}")) {
      if (accept(";")) continue;
      if (peek().kind == TokenKind::kEnd) {
        fail(peek(), "'}' closing the initial state opened at " + position_text(open));
      }
      test.init.push_back(parse_init_entry());
      if (!peek().is("}")) expect(";", " or '}' after the initial-state entry");
    }
    advance();
  }

  std::string position_text(const Token& token) const {
    return std::to_string(token.pos.line) + ":" + std::to_string(token.pos.column);
  }

  // The type words before a declared name, as in C: keywords (`unsigned long`, `const int`),
  // `struct tag`, or one typedef name (`atomic_t`), which counts only when followed by a name,
  // by '*' or by a register reference (`atomic_t 0:r1`). After the base type, a further name is
  // the declared name. Returns "" when there are no type words.
  std::string parse_type_words() {
    std::string base;
    bool have_base = false;  // a base type is complete: later names are declarators
    auto append = [&base](const std::string& word) {
      if (!base.empty()) base += ' ';
      base += word;
    };
    while (peek().kind == TokenKind::kIdentifier) {
      const std::string& word = peek().text;
      if (word == "struct" || word == "union" || word == "enum") {
        append(advance().text);
        append(expect_name("a tag name after '" + word + "'").text);
        have_base = true;
      } else if (is_type_keyword(word)) {
        if (word != "const" && word != "volatile") have_base = true;
        append(advance().text);
      } else {
        const Token& next = peek(1);
        const bool names_a_type = next.kind == TokenKind::kIdentifier || next.is("*") ||
                                  (next.kind == TokenKind::kInteger && peek(2).is(":"));
        if (have_base || !names_a_type) break;
        have_base = true;
        append(advance().text);
      }
    }
    return base;
  }

  int parse_stars() {
    int stars = 0;
    while (accept("*")) ++stars;
    return stars;
  }

  // `N:` before a register name.
  int parse_thread_prefix() {
    const Token& number = advance();
    if (number.value > kMaxThreadIndex) {
      fail(number, "a thread number no larger than " + std::to_string(kMaxThreadIndex));
    }
    expect(":", " after the thread number");
    return static_cast<int>(number.value);
  }

  std::optional<int64_t> parse_array_size() {
    if (!accept("[")) return std::nullopt;
    const Token& size = peek();
    if (size.kind != TokenKind::kInteger) fail(size, "an array size");
    advance();
    expect("]", " after the array size");
    return size.value;
  }

  InitEntry parse_init_entry() {
    InitEntry entry;
    const Token& first = peek();
    entry.loc = loc(first);
    if (first.kind == TokenKind::kIdentifier && !is_reserved(first.text) && peek(1).is("(")) {
      entry.call = parse_expression();  // a setup call (our extension)
      if (entry.call->kind != ExprKind::kCall)
        fail(first, "a call such as 'refdrv_alloc(drv, 42)' as a setup step");
      return entry;
    }
    const std::string base = parse_type_words();
    if (!base.empty()) entry.type = TypeName{base, parse_stars()};
    if (peek().kind == TokenKind::kInteger) entry.thread = parse_thread_prefix();
    const Token& name = peek();
    if (name.kind != TokenKind::kIdentifier || is_reserved(name.text)) {
      if (entry.thread) fail(name, "a register name after the thread number");
      fail(name, entry.type ? "a variable name after '" + entry.type->text() + "'"
                            : "an initial-state entry such as 'int x;', 'x = 1;' or '0:r1 = 1;'");
    }
    entry.name = advance().text;
    entry.array_size = parse_array_size();
    if (accept("=")) entry.value = parse_init_value();
    return entry;
  }

  int64_t parse_signed_integer(const std::string& what) {
    const bool negative = accept("-");
    const Token& number = peek();
    if (number.kind != TokenKind::kInteger) fail(number, what);
    advance();
    return negative ? -number.value : number.value;
  }

  InitValue parse_init_value() {
    InitValue value;
    const Token& first = peek();
    value.loc = loc(first);
    if (accept("&")) {
      value.kind = InitValue::Kind::kAddress;
      value.ampersand = true;
      value.symbol = expect_name("a variable name after '&'").text;
    } else if (first.is("-") || first.kind == TokenKind::kInteger) {
      value.kind = InitValue::Kind::kInteger;
      value.integer = parse_signed_integer("an integer after '-'");
    } else if (first.kind == TokenKind::kIdentifier && !is_reserved(first.text)) {
      advance();
      if (accept("(")) {
        value.kind = InitValue::Kind::kMacro;
        value.macro = first.text;
        // An initialiser macro (in capitals: ATOMIC_INIT(1), ZS_POOL(3, 2)) takes integers; a
        // function's name there is a call, which an initial value cannot be.
        const bool macro_name = std::none_of(first.text.begin(), first.text.end(),
                                             [](char c) { return c >= 'a' && c <= 'z'; });
        if (!macro_name)
          throw SyntaxError{Diagnostic{
              loc(first),
              "an initial value (an integer, '&var', 'var' or 'ATOMIC_INIT(n)'): the initial state "
              "runs no code, so call '" +
                  first.text + "' in a thread ('r1 = " + first.text +
                  "(...);'), or as a set-up step on a line of its own ('" + first.text + "(...);')",
              "a call of '" + first.text + "'"}};
        do {
          value.args.push_back(parse_signed_integer("an integer argument of '" + first.text + "'"));
        } while (accept(","));
        value.integer = value.args.front();
        expect(")", " closing '" + first.text + "('");
      } else {
        value.kind = InitValue::Kind::kAddress;
        value.symbol = first.text;
      }
    } else {
      fail(first, "an initial value: an integer, '&var', 'var' or 'ATOMIC_INIT(n)'");
    }
    return value;
  }

  void parse_thread(Test& test, int& next_thread) {
    const Token& header = advance();
    const int index = std::stoi(header.text.substr(1));
    if (index != next_thread) {
      add_error(header.pos,
                "thread P" + std::to_string(next_thread) + " (threads are numbered P0, P1, ...)",
                quote(header.text));
    }
    next_thread = std::max(next_thread, index + 1);
    Thread thread;
    thread.loc = loc(header);
    thread.index = index;
    expect("(", " after '" + header.text + "'");
    if (!peek().is(")")) {
      if (peek().is_word("void") && peek(1).is(")")) {
        advance();
      } else {
        do {
          thread.params.push_back(parse_param());
        } while (accept(","));
      }
    }
    expect(")", " or ',' in the parameter list of " + header.text);
    if (!peek().is("{")) fail(peek(), "'{' starting the body of " + header.text);
    thread.body = parse_block();
    test.threads.push_back(std::move(thread));
  }

  Param parse_param() {
    Param param;
    const Token& first = peek();
    param.loc = loc(first);
    const std::string base = parse_type_words();
    if (base.empty()) fail(first, "a parameter such as 'int *x'");
    param.type = TypeName{base, parse_stars()};
    param.name = expect_name("a parameter name after '" + param.type.text() + "'").text;
    return param;
  }

  // ----- statements

  StmtPtr make_stmt(StmtKind kind, const Token& at) const {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = kind;
    stmt->loc = loc(at);
    return stmt;
  }

  StmtPtr parse_block();
  StmtPtr parse_statement();
  StmtPtr parse_declaration();
  bool looks_like_declaration() const;

  // ----- expressions

  ExprPtr make_expr(ExprKind kind, const Token& at) const {
    auto expr = std::make_unique<Expr>();
    expr->kind = kind;
    expr->loc = loc(at);
    return expr;
  }

  // Sets the node's height from its operands; taller than the nesting limit is an error at `at`.
  template <class Node>
  void bound_height(Node& node, const Token& at) const {
    int below = 0;
    for (const auto& operand : node.operands) below = std::max(below, operand->height);
    node.height = below + 1;
    if (node.height > kMaxNesting) fail(at, nesting_limit_text());
  }

  ExprPtr parse_expression() { return parse_assignment(); }
  ExprPtr parse_assignment();
  ExprPtr parse_conditional();
  ExprPtr parse_binary(int min_precedence);
  ExprPtr parse_unary();
  ExprPtr parse_postfix();
  ExprPtr parse_primary();
  bool looks_like_cast() const;
  TypeName parse_type_name();

  // ----- trailing clauses and conditions

  void parse_locations(Test& test) {
    advance();  // locations
    expect("[", " after 'locations'");
    while (!peek().is("]")) {
      test.locations.push_back(parse_location_ref("a location such as 'x' or '0:r1'"));
      if (!peek().is("]")) expect(";", " or ']' in the locations list");
    }
    advance();
  }

  void parse_final(Test& test) {
    const Token& keyword = advance();
    FinalClause& clause = test.final_clause;
    clause.loc = loc(keyword);
    if (keyword.is("~")) {
      if (!peek().is_word("exists")) fail(peek(), "'exists' after '~'");
      advance();
      clause.quantifier = Quantifier::kNotExists;
    } else {
      clause.quantifier = keyword.is_word("exists") ? Quantifier::kExists : Quantifier::kForall;
    }
    clause.condition = parse_condition();
  }

  LocationRef parse_location_ref(const std::string& what) {
    LocationRef ref;
    const Token& first = peek();
    ref.loc = loc(first);
    if (first.kind == TokenKind::kInteger) {
      ref.thread = parse_thread_prefix();
      ref.name = expect_name("a register name after the thread number").text;
    } else if (first.kind == TokenKind::kIdentifier && !is_reserved(first.text)) {
      ref.name = advance().text;
    } else {
      fail(first, what);
    }
    return ref;
  }

  CondPtr make_cond(CondKind kind, const Token& at) const {
    auto cond = std::make_unique<Condition>();
    cond->kind = kind;
    cond->loc = loc(at);
    return cond;
  }

  CondPtr make_cond_pair(CondKind kind, const Token& op, CondPtr lhs, CondPtr rhs) const {
    CondPtr cond = make_cond(kind, op);
    cond->operands.push_back(std::move(lhs));
    cond->operands.push_back(std::move(rhs));
    bound_height(*cond, op);
    return cond;
  }

  // implies := or ['=>' implies];  or := and {'\/' and};  and := unary {'/\' unary}
  CondPtr parse_condition() {
    CondPtr lhs = parse_condition_or();
    if (!peek().is("=>")) return lhs;
    const Token& op = advance();
    return make_cond_pair(CondKind::kImplies, op, std::move(lhs), parse_condition());
  }

  CondPtr parse_condition_or() {
    CondPtr lhs = parse_condition_and();
    while (peek().is("\\/")) {
      const Token& op = advance();
      lhs = make_cond_pair(CondKind::kOr, op, std::move(lhs), parse_condition_and());
    }
    return lhs;
  }

  CondPtr parse_condition_and() {
    CondPtr lhs = parse_condition_unary();
    while (peek().is("/\\")) {
      const Token& op = advance();
      lhs = make_cond_pair(CondKind::kAnd, op, std::move(lhs), parse_condition_unary());
    }
    return lhs;
  }

  CondPtr parse_condition_unary();
  CondValue parse_condition_value();

  std::string_view text_;
  std::string file_;
  std::vector<Diagnostic> errors_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;
};

// Bounds recursion depth so that pathological input yields an error, not a stack overflow.
class NestingGuard {
 public:
  NestingGuard(Parser& parser, const Token& at) : parser_(parser) {
    if (parser_.nesting_ >= kMaxNesting) {
      parser_.fail(at, nesting_limit_text());
    }
    ++parser_.nesting_;
  }
  ~NestingGuard() { --parser_.nesting_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

 private:
  Parser& parser_;
};

StmtPtr Parser::parse_block() {
  NestingGuard guard(*this, peek());
  const Token& open = expect("{", " opening a block");
  StmtPtr block = make_stmt(StmtKind::kBlock, open);
  while (!peek().is("}")) {
    if (peek().kind == TokenKind::kEnd) {
      fail(peek(), "'}' closing the block opened at " + position_text(open));
    }
    block->statements.push_back(parse_statement());
  }
  advance();
  return block;
}

StmtPtr Parser::parse_statement() {
  NestingGuard guard(*this, peek());
  const Token& first = peek();
  if (first.is("{")) return parse_block();
  if (first.is(";")) {
    advance();
    return make_stmt(StmtKind::kEmpty, first);
  }
  if (first.is_word("if") || first.is_word("while")) {
    const bool is_if = first.is_word("if");
    advance();
    StmtPtr stmt = make_stmt(is_if ? StmtKind::kIf : StmtKind::kWhile, first);
    expect("(", " after '" + first.text + "'");
    stmt->expr = parse_expression();
    expect(")", " closing the condition of '" + first.text + "'");
    stmt->body = parse_statement();
    if (is_if && accept_word("else")) stmt->else_branch = parse_statement();
    return stmt;
  }
  if (first.is_word("for")) {
    advance();
    StmtPtr stmt = make_stmt(StmtKind::kFor, first);
    expect("(", " after 'for'");
    if (peek().is(";")) {
      stmt->init = make_stmt(StmtKind::kEmpty, peek());
    } else if (looks_like_declaration()) {
      stmt->init = parse_declaration();
    } else {
      stmt->init = make_stmt(StmtKind::kExpression, peek());
      stmt->init->expr = parse_expression();
    }
    expect(";", " after the loop initialisation");
    if (!peek().is(";")) stmt->expr = parse_expression();
    expect(";", " after the loop condition");
    if (!peek().is(")")) stmt->step = parse_expression();
    expect(")", " closing the 'for' header");
    stmt->body = parse_statement();
    return stmt;
  }
  if (first.is_word("return")) {
    advance();
    StmtPtr stmt = make_stmt(StmtKind::kReturn, first);
    if (!peek().is(";")) stmt->expr = parse_expression();
    expect(";", " after 'return'");
    return stmt;
  }
  if (first.is_word("break") || first.is_word("continue")) {
    advance();
    StmtPtr stmt =
        make_stmt(first.is_word("break") ? StmtKind::kBreak : StmtKind::kContinue, first);
    expect(";", " after '" + first.text + "'");
    return stmt;
  }
  if (first.is_word("else")) fail(first, "a statement ('else' must follow an 'if' statement)");
  if (first.kind == TokenKind::kIdentifier && is_statement_keyword(first.text)) {
    fail(first, "a statement ('" + first.text + "' statements are not supported)");
  }
  if (looks_like_declaration()) {
    StmtPtr stmt = parse_declaration();
    expect(";", " or ',' after the declaration");
    return stmt;
  }
  StmtPtr stmt = make_stmt(StmtKind::kExpression, first);
  stmt->expr = parse_expression();
  expect(";", " after the expression");
  return stmt;
}

// A declaration starts with a type keyword, or with a name followed by a name (`atomic_t v`),
// or with `name *... name` followed by one of ; = , [ (`spinlock_t *l;`), which as an expression
// statement would be a pointless multiplication.
bool Parser::looks_like_declaration() const {
  const Token& first = peek();
  if (first.kind != TokenKind::kIdentifier || is_statement_keyword(first.text)) return false;
  if (is_type_keyword(first.text)) return true;
  if (peek(1).kind == TokenKind::kIdentifier) return true;
  size_t i = 1;
  while (peek(i).is("*")) ++i;
  if (i == 1 || peek(i).kind != TokenKind::kIdentifier) return false;
  const Token& after = peek(i + 1);
  return after.is(";") || after.is("=") || after.is(",") || after.is("[");
}

StmtPtr Parser::parse_declaration() {
  const Token& first = peek();
  StmtPtr stmt = make_stmt(StmtKind::kDeclaration, first);
  const std::string base = parse_type_words();
  if (base.empty()) fail(first, "a type at the start of the declaration");
  do {
    Declarator declarator;
    const int stars = parse_stars();
    const Token& name = expect_name("a variable name in the declaration of type '" + base + "'");
    declarator.loc = loc(name);
    declarator.type = TypeName{base, stars};
    declarator.name = name.text;
    declarator.array_size = parse_array_size();
    if (accept("=")) declarator.initializer = parse_assignment();
    stmt->declarators.push_back(std::move(declarator));
  } while (accept(","));
  return stmt;
}

ExprPtr Parser::parse_assignment() {
  NestingGuard guard(*this, peek());
  ExprPtr target = parse_conditional();
  std::optional<BinaryOp> compound;
  if (!find_assignment_operator(peek(), compound)) return target;
  const Token& op = advance();
  ExprPtr assign = make_expr(ExprKind::kAssign, op);
  assign->compound_op = compound;
  assign->operands.push_back(std::move(target));
  assign->operands.push_back(parse_assignment());
  bound_height(*assign, op);
  return assign;
}

ExprPtr Parser::parse_conditional() {
  ExprPtr condition = parse_binary(1);
  if (!peek().is("?")) return condition;
  const Token& op = advance();
  ExprPtr expr = make_expr(ExprKind::kConditional, op);
  expr->operands.push_back(std::move(condition));
  expr->operands.push_back(parse_expression());
  expect(":", " in the conditional expression");
  NestingGuard guard(*this, peek());
  expr->operands.push_back(parse_conditional());
  bound_height(*expr, op);
  return expr;
}

// Precedence climbing; all binary operators are left-associative.
ExprPtr Parser::parse_binary(int min_precedence) {
  ExprPtr lhs = parse_unary();
  while (const BinaryOperator* entry = find_binary_operator(peek())) {
    if (entry->precedence < min_precedence) break;
    const Token& op = advance();
    ExprPtr rhs = parse_binary(entry->precedence + 1);
    ExprPtr binary = make_expr(ExprKind::kBinary, op);
    binary->binary_op = entry->op;
    binary->operands.push_back(std::move(lhs));
    binary->operands.push_back(std::move(rhs));
    bound_height(*binary, op);
    lhs = std::move(binary);
  }
  return lhs;
}

ExprPtr Parser::parse_unary() {
  NestingGuard guard(*this, peek());
  const Token& first = peek();
  static constexpr std::pair<std::string_view, UnaryOp> kPrefix[] = {
      {"*", UnaryOp::kDeref},         {"&", UnaryOp::kAddressOf},    {"!", UnaryOp::kLogicalNot},
      {"~", UnaryOp::kBitNot},        {"-", UnaryOp::kNegate},       {"+", UnaryOp::kPlus},
      {"++", UnaryOp::kPreIncrement}, {"--", UnaryOp::kPreDecrement}};
  for (const auto& [spelling, op] : kPrefix) {
    if (!first.is(spelling)) continue;
    advance();
    ExprPtr unary = make_expr(ExprKind::kUnary, first);
    unary->unary_op = op;
    unary->operands.push_back(parse_unary());
    bound_height(*unary, first);
    return unary;
  }
  if (first.is("(") && looks_like_cast()) {
    advance();
    ExprPtr cast = make_expr(ExprKind::kCast, first);
    cast->cast_type = parse_type_name();
    expect(")", " closing the cast");
    cast->operands.push_back(parse_unary());
    bound_height(*cast, first);
    return cast;
  }
  return parse_postfix();
}

// `(` type `)`: names then stars then `)`, where the names are clearly a type: a type keyword,
// several names, a name ending in _t, or a name followed by '*'. `(x)` stays a parenthesis.
bool Parser::looks_like_cast() const {
  size_t i = 1;
  size_t names = 0;
  while (peek(i).kind == TokenKind::kIdentifier) {
    ++i;
    ++names;
  }
  size_t stars = 0;
  while (peek(i).is("*")) {
    ++i;
    ++stars;
  }
  if (names == 0 || !peek(i).is(")")) return false;
  const std::string& word = peek(1).text;
  return is_type_keyword(word) || names > 1 || stars > 0 || word.ends_with("_t");
}

TypeName Parser::parse_type_name() {
  TypeName type;
  while (peek().kind == TokenKind::kIdentifier) {
    if (!type.base.empty()) type.base += ' ';
    type.base += advance().text;
  }
  type.pointer_depth = parse_stars();
  return type;
}

ExprPtr Parser::parse_postfix() {
  ExprPtr expr = parse_primary();
  while (true) {
    const Token& op = peek();
    if (op.is("(")) {
      if (expr->kind != ExprKind::kIdentifier) {
        fail(op, "an operator or ';' (only named functions can be called)");
      }
      advance();
      expr->kind = ExprKind::kCall;  // keep name and location of the callee
      if (!peek().is(")")) {
        do {
          expr->operands.push_back(parse_assignment());
        } while (accept(","));
      }
      expect(")", " or ',' in the arguments of '" + expr->name + "'");
      bound_height(*expr, op);
    } else if (op.is("[")) {
      advance();
      ExprPtr index = make_expr(ExprKind::kIndex, op);
      index->operands.push_back(std::move(expr));
      index->operands.push_back(parse_expression());
      expect("]", " closing the index");
      bound_height(*index, op);
      expr = std::move(index);
    } else if (op.is("->") || op.is(".")) {
      advance();
      ExprPtr member = make_expr(ExprKind::kMember, op);
      member->arrow = op.is("->");
      member->name = expect_name("a field name after '" + op.text + "'").text;
      member->operands.push_back(std::move(expr));
      bound_height(*member, op);
      expr = std::move(member);
    } else if (op.is("++") || op.is("--")) {
      advance();
      ExprPtr unary = make_expr(ExprKind::kUnary, op);
      unary->unary_op = op.is("++") ? UnaryOp::kPostIncrement : UnaryOp::kPostDecrement;
      unary->operands.push_back(std::move(expr));
      bound_height(*unary, op);
      expr = std::move(unary);
    } else {
      return expr;
    }
  }
}

ExprPtr Parser::parse_primary() {
  const Token& first = peek();
  if (first.kind == TokenKind::kInteger) {
    advance();
    ExprPtr literal = make_expr(ExprKind::kInteger, first);
    literal->integer = first.value;
    return literal;
  }
  if (first.kind == TokenKind::kIdentifier && !is_reserved(first.text)) {
    advance();
    ExprPtr name = make_expr(ExprKind::kIdentifier, first);
    name->name = first.text;
    return name;
  }
  if (first.is("(")) {
    advance();
    ExprPtr inner = parse_expression();
    expect(")", " closing the parenthesis");
    return inner;
  }
  fail(first, "an expression");
}

CondPtr Parser::parse_condition_unary() {
  NestingGuard guard(*this, peek());
  const Token& first = peek();
  if (first.is("~")) {
    advance();
    CondPtr negation = make_cond(CondKind::kNot, first);
    negation->operands.push_back(parse_condition_unary());
    bound_height(*negation, first);
    return negation;
  }
  if (first.is("(")) {
    advance();
    CondPtr inner = parse_condition();
    expect(")", " closing the parenthesis in the condition");
    return inner;
  }
  if (first.is_word("true") || first.is_word("false")) {
    advance();
    return make_cond(first.is_word("true") ? CondKind::kTrue : CondKind::kFalse, first);
  }
  CondPtr compare = make_cond(CondKind::kCompare, first);
  compare->lhs = parse_location_ref("a condition such as 'x=1', '0:r0=1', 'true' or '(...)'");
  const Token& op = peek();
  if (op.is("=") || op.is("==")) {
    compare->op = CompareOp::kEqual;
  } else if (op.is("!=")) {
    compare->op = CompareOp::kNotEqual;
  } else {
    fail(op, "'=' or '!=' after '" + compare->lhs.text() + "'");
  }
  advance();
  compare->rhs = parse_condition_value();
  return compare;
}

CondValue Parser::parse_condition_value() {
  CondValue value;
  const Token& first = peek();
  value.loc = loc(first);
  if (first.kind == TokenKind::kInteger && peek(1).is(":")) {
    value.kind = CondValue::Kind::kLocation;
    value.location = parse_location_ref("");
  } else if (first.is("-") || first.kind == TokenKind::kInteger) {
    value.kind = CondValue::Kind::kInteger;
    value.integer = parse_signed_integer("an integer after '-'");
  } else if (first.kind == TokenKind::kIdentifier && !is_reserved(first.text)) {
    value.kind = CondValue::Kind::kAddress;
    value.location.loc = loc(first);
    value.location.name = advance().text;
  } else {
    fail(first, "a value: an integer, a variable name (its address) or a register like '0:r1'");
  }
  return value;
}

}  // namespace

std::string Diagnostic::to_string() const {
  return loc.to_string() + ": expected " + expected + ", found " + found;
}

std::string ParseResult::error_text() const {
  std::string text;
  for (const Diagnostic& error : errors) text += error.to_string() + "\n";
  return text;
}

ParseResult parse_litmus(std::string_view text, std::string filename) {
  ParseResult result;
  try {
    Parser parser(text, filename);
    std::optional<Test> test = parser.run();
    if (test && parser.errors().empty()) {
      result.test = std::move(test);
    } else {
      result.errors = std::move(parser.errors());
      if (result.errors.empty()) {  // cannot happen; keeps the ok() <=> no-errors contract
        result.errors.push_back({SourceLoc{filename, 1, 1}, "a valid litmus test", "no test"});
      }
    }
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: report instead of escaping
    result.test.reset();
    result.errors.push_back(
        {SourceLoc{filename, 1, 1}, "input the parser can process", std::string(e.what())});
  } catch (...) {
    result.test.reset();
    result.errors.push_back(
        {SourceLoc{filename, 1, 1}, "input the parser can process", "an internal error"});
  }
  return result;
}

ParseResult parse_litmus_file(const std::string& path) {
  ParseResult result;
  const SourceLoc start{path, 1, 1};
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    result.errors.push_back({start, "a readable litmus file", "a directory"});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int saved_errno = errno;
    result.errors.push_back({start, "a readable litmus file",
                             saved_errno != 0 ? std::string(std::strerror(saved_errno))
                                              : std::string("a file that cannot be opened")});
    return result;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    result.errors.push_back({start, "a readable litmus file", "a read error"});
    return result;
  }
  return parse_litmus(contents.str(), path);
}

}  // namespace litmus
