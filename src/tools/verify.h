// journal-replay verify, internals shared by verify.cc (command, meta keys,
// global order, report) and verify_events.cc (events, state rows and
// historical snapshots against a replay).
//
// verify reads the journal's RocksDB key by key (open.h, OpenStoreForReading)
// rather than through the journal's cursors: a cursor stops at the first
// bad record, and verify must report every problem and go on. It decodes
// with the journal's own codec (journal/codec.h) and folds with the
// projector's Apply, so it checks what the server would read.
//
// Passes, each one sequential scan of a column family:
//   1. meta ("default"): format version, watermark.
//   2. order: every entry decodes; sequences run 1..last without gaps;
//      timestamps strictly increase. Entries are kept, compactly, in a
//      table indexed by sequence.
//   3. events, merged with state rows and historical snapshots (all three
//      families are in (connection, revision) key order): every record
//      decodes; revisions run 1..last per connection; each record equals
//      its order entry; Apply accepts every event; every historical
//      snapshot equals the replay at its revision; every state row equals
//      the replay at its revision, and that revision is the connection's
//      last one at or before the watermark (what recovery assumes).
//      Secrets: with a key (src/tools/secrets.h) events and snapshots are
//      decrypted and compared in plaintext (two encryptions of one value
//      differ by nonce); without one, snapshots are compared with their
//      encrypted values masked, and the report says so.
//   4. order entries whose event no record matched.
// After the first problem in a connection (bad record, gap, rejected
// event), the rest of that connection is not replayed: its later snapshots
// are counted as unchecked instead of producing follow-on problems.
#ifndef CONNECTIVITY_SRC_TOOLS_VERIFY_H_
#define CONNECTIVITY_SRC_TOOLS_VERIFY_H_

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/base/status.h"
#include "src/crypto/connection_secrets.h"
#include "src/tools/output.h"
#include "storage/store.h"

namespace connectivity::tools::verify {

// Problems past this many are counted, not listed (a journal damaged
// everywhere must not flood the terminal).
inline constexpr size_t kProblemsListedMax = 10'000;
// An order key more than this far past the previous one is not believed
// (it would make the order table huge); the order pass stops there.
inline constexpr uint64_t kSequenceJumpMax = 1u << 20;

struct Problem {
  std::string key;  // codec.h DescribeKey form, e.g. events['c1' rev 5]
  std::string message;
};

// Collects problems; in human mode prints each as it is found.
class Problems {
 public:
  Problems(std::ostream& out, bool json) : out_(out), json_(json) {}
  void Add(std::string key, std::string message);
  // A key of `column_family` and a Status whose message may already start
  // with that key's description (the codec's messages do): not repeated.
  void Add(size_t column_family, std::string_view raw_key, const Status& status);
  void Add(size_t column_family, std::string_view raw_key, std::string message);

  uint64_t count() const { return count_; }
  const std::vector<Problem>& listed() const { return listed_; }

 private:
  std::ostream& out_;
  const bool json_;
  uint64_t count_ = 0;
  std::vector<Problem> listed_;
};

// One order entry as read (sequence = index + 1).
struct OrderSlot {
  uint64_t revision = 0;
  int64_t timestamp_us = 0;
  uint32_t stream = 0;  // index into Ledger::stream_names
  uint8_t type = 0;
  bool present = false;  // the entry exists and decoded
  bool damaged = false;  // the key exists but its value did not decode
  bool matched = false;  // a record agreed with it
};

// Lookups by string_view without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// What the passes learn and share.
struct Ledger {
  uint64_t watermark = 0;
  uint64_t last_sequence = 0;  // the highest order key
  std::vector<OrderSlot> order;
  std::vector<std::string> stream_names;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> stream_indexes;
  // (stream index, revision) of records that failed to decode: their order
  // entries are left unmatched, and pass 4 need not say so again.
  std::set<std::pair<uint32_t, uint64_t>> damaged_records;

  // Counts for the report.
  uint64_t events = 0;
  uint64_t connections = 0;
  uint64_t state_rows = 0;
  uint64_t historical = 0;
  uint64_t snapshots_unchecked = 0;
  // Without a key: snapshots whose encrypted values are the very ciphertext
  // of the replay (compared as stored), and those whose ciphertexts differ
  // (a fresh nonce) and could not be compared.
  uint64_t encrypted_same_ciphertext = 0;
  uint64_t encrypted_not_compared = 0;
  bool decrypted = false;  // a key was given: secrets compared in plaintext

  uint32_t InternStream(std::string_view stream);
  // Index of `stream`, or UINT32_MAX if no order entry names it.
  uint32_t FindStream(std::string_view stream) const;
};

// Pass 3 (verify_events.cc).
Status VerifyEvents(const storage::Store& store, const crypto::ConnectionSecrets& secrets,
                    Ledger& ledger, Problems& problems, Output& output);

}  // namespace connectivity::tools::verify

#endif  // CONNECTIVITY_SRC_TOOLS_VERIFY_H_
