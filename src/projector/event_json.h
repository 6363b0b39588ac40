// Ditto's event JSON (REF §6.1) for one journal event, as the history API
// and the replay tool print it:
//   {"type":"connectivity.events:connectionModified","_timestamp":"...",
//    "_metadata":null,"revision":3,"connectionId":"...","connection":{...}}
// created/modified carry the connection as stored, with its hidden fields
// (__lifecycle, _revision, _modified, _created) as they were after the event.
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
