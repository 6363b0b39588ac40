// The payload of a journal event, as the projector encodes it. Part of the
// on-disk format (journal events, etcd values, exports keep it apart):
//
//   payload  := body [audit]
//   body     := canonical connection JSON      -- connectionCreated, connectionModified
//             | (nothing)                      -- connectionOpened, -Closed, -Deleted
//   audit    := 0x00 version:u8 (=1) user:str client_address:str correlation_id:str route:str
//   str      := size:u32 bytes                 -- little-endian
//
// The audit section records the RequestOrigin of the command that caused the
// event (request_origin.h). Events written before the audit trail, and
// events of commands without an origin (tests that drive the service
// directly), have none: their origin is unknown and their `_metadata` null.
// A body never holds a NUL byte (JSON escapes control characters inside
// strings and has none outside), so the first NUL ends it; everything that
// reads the body (Apply, the secret codec, the encryption migration, export)
// goes through PayloadBody, and whatever rewrites the body (re-encryption)
// keeps the audit section as it is.
#ifndef CONNECTIVITY_PROJECTOR_EVENT_PAYLOAD_H_
#define CONNECTIVITY_PROJECTOR_EVENT_PAYLOAD_H_

#include <optional>
#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/projector/request_origin.h"

namespace connectivity::projector {

inline constexpr char kAuditMarker = '\0';
inline constexpr uint8_t kAuditVersion = 1;

// The body: everything before the audit section.
std::string_view PayloadBody(std::string_view payload);
// The audit section with its marker; empty if there is none.
std::string_view PayloadAudit(std::string_view payload);

// Appends the audit section for `origin` to a payload that has none.
void AppendAudit(const RequestOrigin& origin, std::string& payload);

// True if the payload has no audit section or a well-formed one (no copy).
bool AuditWellFormed(std::string_view payload);
// The origin the audit section records; nullopt if there is none;
// kCorruption if it is not one this program writes.
Result<std::optional<RequestOrigin>> PayloadOrigin(std::string_view payload);

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_EVENT_PAYLOAD_H_
