#include "src/base/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace connectivity::log {
namespace {

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::err;
}

// Built on first use (function-local static: thread-safe initialisation),
// never destroyed, so threads that log during exit still find it.
spdlog::logger& Logger() {
  static spdlog::logger* logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto* made = new spdlog::logger("connectivity", std::move(sink));
    made->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
    made->set_level(spdlog::level::info);
    // A fault line must be out before a crash or kill that may follow it.
    made->flush_on(spdlog::level::trace);
    return made;
  }();
  return *logger;
}

}  // namespace

void SetMinimumLevel(Level level) { Logger().set_level(ToSpdlog(level)); }

void Write(Level level, std::string_view component, std::string_view message) {
  Logger().log(ToSpdlog(level), "{}: {}", component, message);
}

}  // namespace connectivity::log
