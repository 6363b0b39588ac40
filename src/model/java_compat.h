// Small emulations of Java library behaviour that shows in Ditto's error messages and checks.
//
// Ditto builds its messages with java.text.MessageFormat, prints Java collections with their
// toString(), iterates HashMaps/HashSets in hash order, splits with String#split and reads
// `specificConfig` values through Typesafe Config. Reproducing exactly those behaviours here keeps
// the validation messages byte-identical to Ditto's without scattering the quirks over the
// validators. All functions are pure.
#ifndef CONNECTIVITY_MODEL_JAVA_COMPAT_H_
#define CONNECTIVITY_MODEL_JAVA_COMPAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace connectivity::model {

// MessageFormat's `{0}` for an integer argument: decimal with ',' grouping ("1,234", "-5").
std::string JavaFormatInteger(int64_t value);

// AbstractCollection#toString: "[a, b, c]".
std::string JavaListToString(const std::vector<std::string>& items);

// The iteration order of a java.util.HashSet / HashMap keySet holding `keys` (inserted in the given
// order, duplicates already removed), e.g. for messages that print Ditto's `Set`s. Uses Java's
// String#hashCode (UTF-16 code units) and HashMap's bucket spreading and growth.
std::vector<std::string> JavaHashOrder(std::vector<std::string> keys);

// String#split(regex) for a one-character literal separator: trailing empty strings are removed;
// an empty input gives one empty string.
std::vector<std::string> JavaSplit(std::string_view text, char separator);

// String#trim: strips characters <= U+0020 at both ends.
std::string_view JavaTrim(std::string_view text);

// java.util.regex `\s`: [ \t\n\x0B\f\r].
bool IsJavaWhitespace(char c);

// java.util.regex's `.` does not match a line terminator: \n, \r, U+0085, U+2028, U+2029.
// True if one starts at byte `i` of the UTF-8 text.
bool IsJavaLineTerminatorAt(std::string_view text, size_t i);

// Long#parseLong / Integer#parseInt (ASCII digits with an optional sign); nullopt on a format
// error or overflow.
std::optional<int64_t> ParseJavaLong(std::string_view text);
std::optional<int32_t> ParseJavaInt(std::string_view text);

// The number of UTF-16 code units of the UTF-8 text (Java's String#length / char index).
size_t Utf16Length(std::string_view utf8);

// Typesafe Config (com.typesafe.config) reading one string value of `specificConfig`, as Ditto's
// HttpPushSpecificConfig / MqttSpecificConfig do. An error is the text of Typesafe's exception
// after its origin, e.g. "Invalid value at 'idleTimeout': No number in duration value 'x'".
//
// Config#getDuration: a number with an optional unit (ns, us, ms, s, m, h, d and their long forms);
// no unit means milliseconds. Returns nanoseconds.
std::variant<int64_t, std::string> TypesafeDurationNanos(std::string_view key,
                                                         std::string_view value);
// Config#getInt: a whole number, or a decimal number truncated towards zero; must fit 32 bits.
std::variant<int32_t, std::string> TypesafeInt(std::string_view key, std::string_view value);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_JAVA_COMPAT_H_
