// UTF-8 validation (RFC 3629): the one definition of "a valid sequence" for the JSON writer and
// for decoders that replace malformed input with U+FFFD, as Java's decoders do.
#ifndef CONNECTIVITY_BASE_UTF8_H_
#define CONNECTIVITY_BASE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace connectivity {

// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at `text[i]` (1 for ASCII), or 0 if none starts there:
// a continuation byte, a truncated sequence, an overlong form, a surrogate or a value beyond
// U+10FFFF. REQUIRES: i < text.size().
inline size_t ValidUtf8Length(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return 1;
  const size_t length = lead >= 0xF5 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || i + length > text.size()) return 0;
  uint32_t code_point = lead & (0x3F >> (length - 1));
  for (size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  const uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
  if (code_point < minimum || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

}  // namespace connectivity

#endif  // CONNECTIVITY_BASE_UTF8_H_
