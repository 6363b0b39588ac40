#include "src/model/java_compat.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace connectivity::model {
namespace {

// Calls `visit(unit)` for each UTF-16 code unit of the UTF-8 text. Malformed bytes count as one
// unit each (Java would have replaced them with U+FFFD, also one unit).
template <typename Visit>
void ForEachUtf16Unit(std::string_view utf8, Visit visit) {
  size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i + length > utf8.size()) length = 1;
    uint32_t code_point = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (size_t k = 1; k < length; ++k) {
      code_point = (code_point << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    if (length == 1 && lead >= 0x80) code_point = 0xFFFD;
    if (code_point >= 0x10000) {
      const uint32_t v = code_point - 0x10000;
      visit(static_cast<uint16_t>(0xD800 + (v >> 10)));
      visit(static_cast<uint16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      visit(static_cast<uint16_t>(code_point));
    }
    i += length;
  }
}

int32_t JavaStringHash(std::string_view text) {
  uint32_t hash = 0;
  ForEachUtf16Unit(text, [&hash](uint16_t unit) { hash = 31 * hash + unit; });
  return static_cast<int32_t>(hash);
}

// The characters Typesafe Config's getUnits strips from the end: letters (ASCII is enough here;
// a non-ASCII letter would make the unit unparseable either way).
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::optional<int64_t> UnitNanos(std::string unit) {
  if (unit.size() > 2 && unit.back() != 's') unit += 's';
  constexpr int64_t kSecond = 1'000'000'000;
  if (unit.empty() || unit == "ms" || unit == "millis" || unit == "milliseconds") return 1'000'000;
  if (unit == "us" || unit == "micros" || unit == "microseconds") return 1'000;
  if (unit == "ns" || unit == "nanos" || unit == "nanoseconds") return 1;
  if (unit == "d" || unit == "days") return 86'400 * kSecond;
  if (unit == "h" || unit == "hours") return 3'600 * kSecond;
  if (unit == "s" || unit == "seconds") return kSecond;
  if (unit == "m" || unit == "minutes") return 60 * kSecond;
  return std::nullopt;
}

bool IsSignedDigits(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Double#parseDouble for the decimal forms (sign, digits, '.', exponent, f/d suffix); nullopt for
// anything else. Hex floats, "NaN" and "Infinity" cannot reach here (their letters are a unit).
std::optional<double> ParseJavaDouble(std::string_view text) {
  text = JavaTrim(text);
  if (!text.empty() && (text.back() == 'd' || text.back() == 'D' || text.back() == 'f' ||
                        text.back() == 'F')) {
    text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return std::nullopt;
    }
  }
  std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

int64_t SaturatingMultiply(int64_t value, int64_t factor) {
  if (value > std::numeric_limits<int64_t>::max() / factor) return std::numeric_limits<int64_t>::max();
  if (value < std::numeric_limits<int64_t>::min() / factor) return std::numeric_limits<int64_t>::min();
  return value * factor;
}

int64_t SaturatingFromDouble(double value) {
  if (std::isnan(value)) return 0;
  if (value >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (value <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

}  // namespace

std::string JavaFormatInteger(int64_t value) {
  const std::string digits = std::to_string(value < 0 ? -(value + 1) + uint64_t{1} : uint64_t(value));
  std::string out = value < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string JavaListToString(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + "]";
}

std::vector<std::string> JavaHashOrder(std::vector<std::string> keys) {
  size_t capacity = 16;
  while (keys.size() * 4 > capacity * 3) capacity *= 2;  // HashMap grows past 0.75 load
  std::vector<std::vector<std::string>> buckets(capacity);
  for (std::string& key : keys) {
    const auto hash = static_cast<uint32_t>(JavaStringHash(key));
    buckets[(hash ^ (hash >> 16)) & (capacity - 1)].push_back(std::move(key));
  }
  std::vector<std::string> ordered;
  for (auto& bucket : buckets) {
    for (std::string& key : bucket) ordered.push_back(std::move(key));
  }
  return ordered;
}

std::vector<std::string> JavaSplit(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (text.empty()) return parts;  // "".split(",") is [""]
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

std::string_view JavaTrim(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= 0x20) text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= 0x20) text.remove_suffix(1);
  return text;
}

bool IsJavaWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r';
}

bool IsJavaLineTerminatorAt(std::string_view text, size_t i) {
  const char c = text[i];
  if (c == '\n' || c == '\r') return true;
  return text.substr(i, 2) == "\xC2\x85" || text.substr(i, 3) == "\xE2\x80\xA8" ||
         text.substr(i, 3) == "\xE2\x80\xA9";
}

std::optional<int64_t> ParseJavaLong(std::string_view text) {
  if (!IsSignedDigits(text)) return std::nullopt;
  if (text[0] == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int32_t> ParseJavaInt(std::string_view text) {
  const std::optional<int64_t> value = ParseJavaLong(text);
  if (!value || *value < std::numeric_limits<int32_t>::min() ||
      *value > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(*value);
}

size_t Utf16Length(std::string_view utf8) {
  size_t length = 0;
  ForEachUtf16Unit(utf8, [&length](uint16_t) { ++length; });
  return length;
}

std::variant<int64_t, std::string> TypesafeDurationNanos(std::string_view key,
                                                         std::string_view value) {
  const std::string prefix = "Invalid value at '" + std::string(key) + "': ";
  const std::string_view trimmed = JavaTrim(value);
  size_t unit_start = trimmed.size();
  while (unit_start > 0 && IsAsciiLetter(trimmed[unit_start - 1])) --unit_start;
  const std::string unit(trimmed.substr(unit_start));
  const std::string_view number = JavaTrim(trimmed.substr(0, unit_start));
  if (number.empty()) {
    return prefix + "No number in duration value '" + std::string(value) + "'";
  }
  const std::optional<int64_t> unit_nanos = UnitNanos(unit);
  if (!unit_nanos) {
    return prefix + "Could not parse time unit '" + unit + "' (try ns, us, ms, s, m, h, d)";
  }
  if (IsSignedDigits(number)) {
    if (const std::optional<int64_t> whole = ParseJavaLong(number)) {
      return SaturatingMultiply(*whole, *unit_nanos);
    }
  } else if (const std::optional<double> fraction = ParseJavaDouble(number)) {
    return SaturatingFromDouble(*fraction * static_cast<double>(*unit_nanos));
  }
  return prefix + "Could not parse duration number '" + std::string(number) + "'";
}

std::variant<int32_t, std::string> TypesafeInt(std::string_view key, std::string_view value) {
  int64_t whole = 0;
  if (const std::optional<int64_t> parsed = ParseJavaLong(value)) {
    whole = *parsed;
  } else if (const std::optional<double> fraction = ParseJavaDouble(value)) {
    whole = SaturatingFromDouble(*fraction);
  } else {
    return std::string(key) + " has type STRING rather than NUMBER";
  }
  if (whole < std::numeric_limits<int32_t>::min() || whole > std::numeric_limits<int32_t>::max()) {
    return std::string(key) + " has type out-of-range value " + std::to_string(whole) +
           " rather than 32-bit integer";
  }
  return static_cast<int32_t>(whole);
}

}  // namespace connectivity::model
