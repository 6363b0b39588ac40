// History queries (SPEC §4.2): a connection as it was at a revision or a
// time, and its events, from the journal (never from the in-memory states).
// History stays readable after a delete; the journal keeps every event.
#ifndef CONNECTIVITY_SERVICE_HISTORY_H_
#define CONNECTIVITY_SERVICE_HISTORY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "journal/journal.h"
#include "src/model/errors.h"
#include "src/projector/connection_state.h"
#include "src/projector/secret_codec.h"

namespace connectivity::service {

using HistoricalState = std::variant<projector::ConnectionState, model::DittoError>;

inline constexpr size_t kHistoryLimitDefault = 100;
inline constexpr size_t kHistoryLimitMax = 1000;

class History {
 public:
  // `secrets` opens what the journal stores (the answers hold plaintext, as
  // retrieve does); it must outlive the History.
  explicit History(journal::Journal& journal,
                   const projector::SecretCodec& secrets = projector::PlainSecrets())
      : journal_(journal), secrets_(secrets) {}

  // The connection after its event at `revision`. 404 connection.notfound if
  // the id never existed; 404 connection.history.notfound if it had no such
  // revision or did not exist then (deleted).
  HistoricalState AtRevision(std::string_view id, uint64_t revision) const;
  // The state after the last event at or before the time (inclusive).
  HistoricalState AtTime(std::string_view id, int64_t timestamp_us) const;
  // Events with from <= revision <= to, oldest first, at most `limit`, each
  // as Ditto's event JSON (REF §6.1) with the connection as stored after it.
  std::variant<std::vector<std::string>, model::DittoError> Events(std::string_view id,
                                                                   uint64_t from_revision,
                                                                   uint64_t to_revision,
                                                                   size_t limit) const;

 private:
  journal::Journal& journal_;
  const projector::SecretCodec& secrets_;
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_HISTORY_H_
