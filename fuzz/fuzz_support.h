// Helpers shared by the fuzz targets of fuzz/: property checks that abort with a readable
// report. libFuzzer treats the abort as a crash and saves the input (crash-<sha1>).
#ifndef CONNECTIVITY_FUZZ_FUZZ_SUPPORT_H_
#define CONNECTIVITY_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <simdjson.h>

#include "src/model/errors.h"

namespace connectivity::fuzz {

// Prints the violated property and what shows it, then aborts.
[[noreturn]] inline void PropertyFailed(std::string_view property, std::string_view detail) {
  std::fprintf(stderr, "\nPROPERTY VIOLATED: %.*s\n%.*s\n", static_cast<int>(property.size()),
               property.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void Expect(bool holds, std::string_view property, std::string_view detail = {}) {
  if (!holds) PropertyFailed(property, detail);
}

// Every answer to a client's bad input is a 4xx (SPEC: never a 500 with internal text).
inline void ExpectClientError(const model::DittoError& error, std::string_view where) {
  Expect(error.status >= 400 && error.status < 500 && !error.error.empty() &&
             !error.message.empty(),
         where, error.ToJson());
}

inline bool IsUtf8(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

// Messages echo client input: from UTF-8 input they must be UTF-8 (the error JSON is).
inline void ExpectUtf8(std::string_view text, std::string_view what) {
  Expect(IsUtf8(text), what, text);
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace connectivity::fuzz

#endif  // CONNECTIVITY_FUZZ_FUZZ_SUPPORT_H_
