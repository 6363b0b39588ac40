// SecretCodec: where a connection's secrets change form between memory and
// disk (SPEC §9, issue 13 item 2: secrets encrypted at rest, as Ditto 3.9).
//
// Design
//   * In memory, a connection's JSON holds its secrets in plaintext: the
//     registry's states, every read (retrieve, list, status), every connect.
//     Reads never decrypt; the read path is what it was without encryption.
//   * On disk (journal events, state rows, historical snapshots) and in
//     exports, the same JSON holds them in their stored form: with
//     encryption enabled, each configured pointer's value (for /uri only the
//     password of the user info) is "encrypted_" + base64url(iv || AES-GCM
//     ciphertext || tag) (src/crypto/connection_secrets.h).
//   * The change of form happens at the edge between the two, and only there:
//       Seal  plaintext -> stored: the write path before an append
//             (ConnectionService), each snapshot pass (Snapshotter);
//       Open  stored -> plaintext: every read of stored JSON that feeds the
//             fold: recovery (state rows, replayed events), history queries
//             (historical snapshots, events), journal-replay with a key.
//   * Apply (apply.h) stays the one pure fold for the server, recovery,
//     history, the tool and the tests: it folds whatever form it is given,
//     and the encrypted form is canonical connection JSON too (only string
//     values differ). The server folds plaintext; journal-replay without a
//     key folds the stored form and shows the encrypted values as they are.
//   * The snapshot invariant (src/service/snapshotter.h) holds on the
//     plaintext: Open(state row) == fold of Open(events) up to the
//     watermark. The bytes differ, since every Seal takes a fresh nonce;
//     journal-replay verify compares decrypted values when it has the key.
// Cost: Seal of a create (two or three short values) is a few microseconds
// next to the ~80 µs a create costs the server; Open of JSON without an
// "encrypted_" value is one memmem.
//
// The projector only knows this interface; the implementation with OpenSSL
// lives in src/crypto, so the fold needs no key and no OpenSSL.
//
// Thread safety: implementations are immutable after construction and
// thread-safe.
#ifndef CONNECTIVITY_PROJECTOR_SECRET_CODEC_H_
#define CONNECTIVITY_PROJECTOR_SECRET_CODEC_H_

#include <string>
#include <string_view>

#include "journal/event.h"
#include "src/base/status.h"
#include "src/projector/connection_state.h"

namespace connectivity::projector {

class SecretCodec {
 public:
  virtual ~SecretCodec() = default;
  // Replaces the secrets of canonical connection JSON by their stored form.
  // Leaves the JSON unchanged when encryption is off. On error (an
  // encryption failure) `json` is unchanged.
  virtual Status Seal(std::string& json) const = 0;
  // Replaces stored secrets by their plaintext; JSON without an encrypted
  // value is left as it is. On error (no key, or no key decrypts a value;
  // the message says which setting to check) `json` is unchanged.
  virtual Status Open(std::string& json) const = 0;
  // False if Seal never changes anything (encryption off): the write path
  // then stores the JSON it folds without a copy.
  virtual bool Seals() const = 0;
};

// Secrets stay as they are in both directions (encryption off, tests).
const SecretCodec& PlainSecrets();

// True for event types whose payload is a connection (created, modified).
bool CarriesConnection(uint8_t event_type);

// Opens the payload of an event that carries a connection, in place (its
// body; the audit section is kept, event_payload.h); an error names the event.
Status OpenEvent(const SecretCodec& secrets, journal::Event& event);

// A state as snapshot bytes with its secrets sealed (snapshot_codec.h).
Result<std::string> EncodeSealedSnapshot(const ConnectionState& state, const SecretCodec& secrets);
// Snapshot bytes decoded, with the secrets opened.
Result<ConnectionState> DecodeOpenedSnapshot(std::string_view bytes, const SecretCodec& secrets);

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_SECRET_CODEC_H_
