// StreamReplayer: folds the events of one connection at a time through
// projector::Apply, the server's one fold (no second implementation here).
//
// Full replays hand out events as views in (connection, revision) order
// (Journal::ForEachEvent); Apply takes a journal::Event. The replayer copies
// each view into one reused Event and folds it into one reused
// ConnectionState, so once their buffers have grown a replay allocates
// nothing per event. The caller watches for the next connection
// (StartsNewStream), takes what it needs from state(), then Reset()s.
//
// Not thread-safe.
#ifndef CONNECTIVITY_SRC_TOOLS_STREAM_REPLAYER_H_
#define CONNECTIVITY_SRC_TOOLS_STREAM_REPLAYER_H_

#include <string>
#include <string_view>
#include <utility>

#include "journal/event.h"
#include "src/base/status.h"
#include "src/projector/apply.h"
#include "src/projector/connection_state.h"
#include "src/projector/secret_codec.h"

namespace connectivity::tools {

class StreamReplayer {
 public:
  // `secrets` opens each event before the fold (the tool with a key); it
  // must outlive the replayer.
  explicit StreamReplayer(const projector::SecretCodec& secrets = projector::PlainSecrets())
      : secrets_(secrets) {}

  // True if `stream` is not the connection being folded (also before the
  // first event).
  bool StartsNewStream(std::string_view stream) const { return stream != state_.id; }

  // Folds one event. On error (kCorruption from Apply, naming the event)
  // the state is unchanged.
  Status Apply(const journal::EventView& view) {
    event_.stream.assign(view.stream);
    event_.revision = view.revision;
    event_.sequence = view.sequence;
    event_.timestamp_us = view.timestamp_us;
    event_.type = view.type;
    event_.payload.assign(view.payload);
    CONNECTIVITY_RETURN_IF_ERROR(projector::OpenEvent(secrets_, event_));
    return projector::Apply(state_, event_);
  }
  Status Apply(const journal::Event& event) {
    if (&secrets_ == &projector::PlainSecrets()) return projector::Apply(state_, event);
    event_ = event;
    CONNECTIVITY_RETURN_IF_ERROR(projector::OpenEvent(secrets_, event_));
    return projector::Apply(state_, event_);
  }

  // Back to "no event yet", keeping the string buffers (moved out and back
  // in, so that fields added to ConnectionState later are reset too).
  void Reset() {
    std::string id = std::move(state_.id);
    std::string json = std::move(state_.json);
    state_ = projector::ConnectionState{};
    id.clear();
    json.clear();
    state_.id = std::move(id);
    state_.json = std::move(json);
  }

  // The state after the events folded since the last Reset(); revision 0
  // if none.
  const projector::ConnectionState& state() const { return state_; }
  // The last event handed to Apply(view).
  const journal::Event& event() const { return event_; }

 private:
  const projector::SecretCodec& secrets_;
  journal::Event event_;
  projector::ConnectionState state_;
};

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_STREAM_REPLAYER_H_
