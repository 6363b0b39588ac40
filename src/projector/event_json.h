// Ditto's event JSON (REF §6.1) for one journal event, as the history API
// and the replay tool print it:
//   {"type":"connectivity.events:connectionModified","_timestamp":"...",
//    "_metadata":{"audit":{...}},"revision":3,"connectionId":"...","connection":{...}}
// created/modified carry the connection as stored, with its hidden fields
// (__lifecycle, _revision, _modified, _created) as they were after the event.
//
// `_metadata` (the audit trail, issue 13 item 4) says who caused the event
// and from where, from the payload's audit section (event_payload.h):
//   "_metadata":{"audit":{"user":"devops","clientAddress":"127.0.0.1",
//                         "correlationId":"...","route":"rest"}}
//   user           the authenticated user; null when authentication is off
//   clientAddress  the client's IP address; null if unknown
//   correlationId  the request's correlation-id, else the UUID the server
//                  generated for the request
//   route          "rest" (/api/2/connections) or "piggyback" (/devops/piggyback)
// It is null for events without an audit section: written before the audit
// trail existed, or by a command that came from no request.
#ifndef CONNECTIVITY_PROJECTOR_EVENT_JSON_H_
#define CONNECTIVITY_PROJECTOR_EVENT_JSON_H_

#include <string>

#include "journal/event.h"
#include "src/projector/connection_state.h"

namespace connectivity::projector {

// `state_after` is the state with `event` applied.
std::string DittoEventJson(const journal::Event& event, const ConnectionState& state_after);

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_EVENT_JSON_H_
