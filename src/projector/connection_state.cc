#include "src/projector/connection_state.h"

namespace connectivity::projector {

std::optional<EventType> EventTypeFromCode(uint8_t code) {
  if (code < static_cast<uint8_t>(EventType::kCreated) ||
      code > static_cast<uint8_t>(EventType::kDeleted)) {
    return std::nullopt;
  }
  return static_cast<EventType>(code);
}

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kCreated: return "connectionCreated";
    case EventType::kModified: return "connectionModified";
    case EventType::kOpened: return "connectionOpened";
    case EventType::kClosed: return "connectionClosed";
    case EventType::kDeleted: return "connectionDeleted";
  }
  return "unknown";
}

std::string_view EventTypeDittoName(EventType type) {
  switch (type) {
    case EventType::kCreated: return "connectivity.events:connectionCreated";
    case EventType::kModified: return "connectivity.events:connectionModified";
    case EventType::kOpened: return "connectivity.events:connectionOpened";
    case EventType::kClosed: return "connectivity.events:connectionClosed";
    case EventType::kDeleted: return "connectivity.events:connectionDeleted";
  }
  return "unknown";
}

}  // namespace connectivity::projector
