#include "src/projector/secret_codec.h"

#include "src/projector/event_payload.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::projector {
namespace {

class Plain final : public SecretCodec {
 public:
  Status Seal(std::string&) const override { return Status::Ok(); }
  Status Open(std::string&) const override { return Status::Ok(); }
  bool Seals() const override { return false; }
};

}  // namespace

const SecretCodec& PlainSecrets() {
  static const Plain plain;
  return plain;
}

bool CarriesConnection(uint8_t event_type) {
  return event_type == static_cast<uint8_t>(EventType::kCreated) ||
         event_type == static_cast<uint8_t>(EventType::kModified);
}

Status OpenEvent(const SecretCodec& secrets, journal::Event& event) {
  if (!CarriesConnection(event.type)) return Status::Ok();
  // Only the body holds secrets; the audit section stays as it is.
  const size_t body_size = PayloadBody(event.payload).size();
  Status opened = Status::Ok();
  if (body_size == event.payload.size()) {
    opened = secrets.Open(event.payload);
  } else {
    std::string body = event.payload.substr(0, body_size);
    opened = secrets.Open(body);
    if (opened.ok()) event.payload.replace(0, body_size, body);
  }
  if (opened.ok()) return opened;
  return Status(opened.code(), "event '" + event.stream + "' revision " + std::to_string(event.revision) + ": " +
                                   opened.message());
}

Result<std::string> EncodeSealedSnapshot(const ConnectionState& state, const SecretCodec& secrets) {
  if (!secrets.Seals()) return EncodeSnapshot(state);
  std::string sealed = state.json;
  CONNECTIVITY_RETURN_IF_ERROR(secrets.Seal(sealed));
  return EncodeSnapshot(state, sealed);
}

Result<ConnectionState> DecodeOpenedSnapshot(std::string_view bytes, const SecretCodec& secrets) {
  Result<ConnectionState> state = DecodeSnapshot(bytes);
  if (!state.ok()) return state;
  CONNECTIVITY_RETURN_IF_ERROR(secrets.Open(state->json));
  return state;
}

}  // namespace connectivity::projector
