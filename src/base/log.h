// Log: the server's one log of what happened, on stderr.
//
// Every line is "<UTC time, µs> <level> <component>: <message>", e.g.
//   2026-12-07T14:55:22.123456Z warn journal: refusing writes: ...
// so a fault can be matched with the requests around it. Backed by spdlog
// (Debian's libspdlog); thread-safe; lines from different threads never
// interleave. Messages never contain a password: callers pass only what
// they would show a user.
#ifndef CONNECTIVITY_BASE_LOG_H_
#define CONNECTIVITY_BASE_LOG_H_

#include <string_view>

namespace connectivity::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// Lines below `level` are dropped (default kInfo; kOff drops every line).
void SetMinimumLevel(Level level);

void Write(Level level, std::string_view component, std::string_view message);

inline void Debug(std::string_view component, std::string_view message) {
  Write(Level::kDebug, component, message);
}
inline void Info(std::string_view component, std::string_view message) {
  Write(Level::kInfo, component, message);
}
inline void Warn(std::string_view component, std::string_view message) {
  Write(Level::kWarn, component, message);
}
inline void Error(std::string_view component, std::string_view message) {
  Write(Level::kError, component, message);
}

}  // namespace connectivity::log

#endif  // CONNECTIVITY_BASE_LOG_H_
