// Snapshot encoding of a ConnectionState (the blob the SnapshotStore keeps;
// the store adds its own version byte and checksum around it).
//
//   snapshot    := version:u8 (=1)
//                  revision:u64 connection_revision:u64 deleted:u8
//                  created_us:i64 modified_us:i64
//                  stats[5] := (total:u64 last_us:i64)      -- in EventType order
//                  id_size:u32 id:bytes json_size:u32 json:bytes
// Integers are little-endian, fixed width.
#ifndef CONNECTIVITY_PROJECTOR_SNAPSHOT_CODEC_H_
#define CONNECTIVITY_PROJECTOR_SNAPSHOT_CODEC_H_

#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/projector/connection_state.h"

namespace connectivity::projector {

inline constexpr uint8_t kSnapshotVersion = 1;

std::string EncodeSnapshot(const ConnectionState& state);
// The same with `json` in place of state.json (its stored form).
std::string EncodeSnapshot(const ConnectionState& state, std::string_view json);
// kCorruption if the bytes are not a snapshot this program wrote.
Result<ConnectionState> DecodeSnapshot(std::string_view bytes);

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_SNAPSHOT_CODEC_H_
