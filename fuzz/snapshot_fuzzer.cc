// Fuzz target `snapshot`: the projector's snapshot blobs as start-up reads them from the state
// rows and history snapshots (src/projector/snapshot_codec.cc), and the stored connection JSON
// readers behind them (stored_connection.cc), which rely on IsCanonicalConnectionJson.
//
// Input: bytes taken as one blob (the journal's own framing and checksum are fuzzed by
// `journal_codec`).
// Properties, beyond "corrupt bytes give a Status, never a crash":
//   - every failure is kCorruption;
//   - a blob that decodes encodes back to the same bytes;
//   - the readers of a canonical connection JSON work on every JSON the check accepts (the check
//     only looks for the markers they rely on; what they read from a JSON this program did not
//     write is garbage, but never out of bounds).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "src/projector/snapshot_codec.h"
#include "src/projector/stored_connection.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  const std::string_view bytes = fuzz::AsText(data, size);
  Result<projector::ConnectionState> state = projector::DecodeSnapshot(bytes);
  if (!state.ok()) {
    fuzz::Expect(state.status().code() == ErrorCode::kCorruption, "DecodeSnapshot fails with kCorruption",
                 state.status().ToString());
    return 0;
  }
  fuzz::Expect(projector::EncodeSnapshot(state.value()) == bytes, "a snapshot encodes back to its bytes");
  const std::string& json = state.value().json;
  if (!projector::IsCanonicalConnectionJson(json)) return 0;
  projector::StoredConnectionStatus(json);
  projector::StoredConnectionType(json);
  projector::StoredTags(json);
  projector::StoredJsonWithHiddenFields(state.value());
  std::string edited = json;
  fuzz::Expect(projector::ReplaceStoredConnectionStatus(edited, "closed") &&
                   projector::StoredConnectionStatus(edited) == "closed",
               "the status of a canonical connection can be replaced", json);
  return 0;
}
