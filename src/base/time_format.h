// ISO-8601 UTC timestamps with microseconds, and human durations.
//
// Output is always `YYYY-MM-DDTHH:MM:SS.ffffffZ` (six fraction digits), e.g.
// `2026-11-26T12:00:00.123456Z` (SPEC §4.4). Input accepts an optional
// fraction of 0-9 digits and either `Z` or a `+HH:MM` / `-HH:MM` offset.
#ifndef CONNECTIVITY_BASE_TIME_FORMAT_H_
#define CONNECTIVITY_BASE_TIME_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace connectivity {

std::string FormatIsoMicros(int64_t micros_since_epoch);
// Appends the formatted timestamp to `out` (no allocation beyond growth).
void AppendIsoMicros(std::string& out, int64_t micros_since_epoch);

std::optional<int64_t> ParseIsoMicros(std::string_view text);

// Durations such as `500ms`, `30s`, `5m`, `1h`, `2d`; a bare number means
// seconds (as Ditto parses unit-less durations). Returns microseconds.
std::optional<int64_t> ParseDurationMicros(std::string_view text);

}  // namespace connectivity

#endif  // CONNECTIVITY_BASE_TIME_FORMAT_H_
