// ConnectionState and the five connection events (REF §6.1).
//
// The state of one connection as the projector folds it from the journal.
// It keeps the connection as its canonical JSON bytes (Ditto's retrieve
// shape, produced by model::SerializeConnection) instead of a parsed model:
// reads serve those bytes directly, a replay copies them without parsing,
// and memory stays close to the JSON size. The few fields commands need are
// read from the bytes on demand (see stored_connection.h).
#ifndef CONNECTIVITY_PROJECTOR_CONNECTION_STATE_H_
#define CONNECTIVITY_PROJECTOR_CONNECTION_STATE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace connectivity::projector {

// Journal event type codes. The numbers are part of the on-disk format.
enum class EventType : uint8_t {
  kCreated = 1,
  kModified = 2,
  kOpened = 3,
  kClosed = 4,
  kDeleted = 5,
};
inline constexpr size_t kEventTypeCount = 5;

std::optional<EventType> EventTypeFromCode(uint8_t code);
// "connectionCreated", ... (the names SPEC §4.5 uses in the journal metrics).
std::string_view EventTypeName(EventType type);
// "connectivity.events:connectionCreated", ... (REF §6.1).
std::string_view EventTypeDittoName(EventType type);
inline size_t EventTypeIndex(EventType type) { return static_cast<size_t>(type) - 1; }

// Per event type: how many events of that type the connection has had, and
// when the last one happened. Survives restarts because it is folded from
// the journal.
struct EventTypeStats {
  uint64_t total = 0;
  int64_t last_us = 0;  // 0: never
  bool operator==(const EventTypeStats&) const = default;
};

struct ConnectionState {
  std::string id;
  // entity-revision: the journal revision of the connection's last event.
  uint64_t revision = 0;
  // _revision: the revision of the last create or modify (open/close don't change it).
  uint64_t connection_revision = 0;
  // __lifecycle: DELETED after a delete until the next create.
  bool deleted = false;
  // _created: time of the latest create. Modify keeps it (SPEC §4.3).
  int64_t created_us = 0;
  // _modified: time of the latest create, modify or delete.
  int64_t modified_us = 0;
  // Canonical connection JSON (retrieve shape); its connectionStatus is kept
  // current by open/close. Empty only before the first create.
  std::string json;
  std::array<EventTypeStats, kEventTypeCount> stats{};

  bool exists() const { return revision > 0 && !deleted; }
  bool operator==(const ConnectionState&) const = default;
};

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_CONNECTION_STATE_H_
