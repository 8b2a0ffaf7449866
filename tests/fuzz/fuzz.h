// What the fuzz harnesses share. Each harness is one LLVMFuzzerTestOneInput; built with clang's
// libFuzzer (MIGCHECK_FUZZ) it is a fuzzer, otherwise replay_main.cc runs it over saved inputs
// (the regression tests). A harness checks the contract of what it calls, not only that it
// returns: a broken contract aborts with what broke, which libFuzzer saves as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

inline std::string_view text_of(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts, naming the broken property, when `ok` is false.
inline void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz: contract broken: %s\n", what.c_str());
  std::abort();
}

// A message migcheck prints for input: never empty, and bounded, whatever the input (it may
// quote a token, not the whole input).
inline void require_message(const std::string& message, size_t limit, const std::string& what) {
  require(!message.empty(), what + ": empty message");
  require(message.size() <= limit, what + ": message of " + std::to_string(message.size()) +
                                       " bytes (at most " + std::to_string(limit) + " expected)");
}

}  // namespace fuzz
