// EncryptionMark: the journal's durable note that it may hold encrypted
// secrets (journal meta blob "secrets_encrypted", journal/codec.h).
//
// Why: a server started without any key on a journal with encrypted
// secrets could neither read them nor tell them from plaintext a user
// wrote, so it must refuse to start, naming the setting (SPEC §9). Scanning
// the whole journal at every start to find out would cost a full replay;
// the mark answers in one read.
// Rule: the mark is on disk before the first encrypted value is: Ensure()
// runs (synced) before every write that may carry one (an append with
// sealed secrets, a snapshot pass that seals), and returns at once after
// the first success. Only a completed disable migration removes it
// (src/service/encryption_migration.h), which then Reset()s this object.
//
// Thread-safe.
#ifndef CONNECTIVITY_SERVICE_ENCRYPTION_MARK_H_
#define CONNECTIVITY_SERVICE_ENCRYPTION_MARK_H_

#include <atomic>

#include "journal/journal.h"
#include "src/base/mutex.h"
#include "src/base/status.h"

namespace connectivity::service {

class EncryptionMark {
 public:
  explicit EncryptionMark(journal::Journal& journal) : journal_(journal) {}

  // True if the journal carries the mark (a read; errors count as marked,
  // which is the safe answer for the start-up check).
  static bool IsMarked(journal::Journal& journal);

  // Writes the mark (sync=true) unless this process already did or found it.
  Status Ensure();
  // Removes the mark (sync=true); the next Ensure() writes it again.
  Status Remove();

 private:
  journal::Journal& journal_;
  std::atomic<bool> written_{false};
  Mutex mutex_;  // one writer at a time
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_ENCRYPTION_MARK_H_
