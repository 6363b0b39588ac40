// Apply: the one fold from events to connection state, used by the live
// write path, recovery, the replay tool and the tests alike.
//
// Rules (REF §6.1, §6.2, SPEC §4.3):
//   created   -> json := payload; _revision := revision; _created := _modified := time;
//                lifecycle ACTIVE. Allowed on a new or deleted connection.
//   modified  -> json := payload; _revision := revision; _modified := time; _created kept.
//   opened    -> connectionStatus := "open"   (neither _revision nor _modified change)
//   closed    -> connectionStatus := "closed"
//   deleted   -> lifecycle DELETED; _modified := time.
//   every event: revision := event revision, which must be state revision + 1.
// "payload" is the event payload's body: its audit section (event_payload.h)
// is not part of the state; it must only be well formed.
// A violation (gap, unknown type, event on a deleted connection, bad payload)
// is corruption: the journal contains something this program never writes.
#ifndef CONNECTIVITY_PROJECTOR_APPLY_H_
#define CONNECTIVITY_PROJECTOR_APPLY_H_

#include "journal/event.h"
#include "src/base/status.h"
#include "src/projector/connection_state.h"

namespace connectivity::projector {

// Folds `event` into `state` in place. On error `state` is unchanged and the
// Status (kCorruption) names the stream and revision.
Status Apply(ConnectionState& state, const journal::Event& event);

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_APPLY_H_
