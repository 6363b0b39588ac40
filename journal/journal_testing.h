// Test-only access to a journal's raw storage, for fault-injection tests here
// and in the replay tool's tests. Never call these from the server.
//
// They write through RocksDB (not by editing files), so RocksDB's own block
// checksums stay valid and our codec's checks are what a test exercises: a
// record with a flipped byte, a missing revision (gap), a snapshot with
// arbitrary content. Writes are synced. They bypass the group-commit
// writer: do not run them while appends are in flight, and reopen the
// journal afterwards when the change affects what Open() recovers (the
// writer caches each stream's last revision).
//
// All need a journal opened by Journal::Open in kReadWrite mode (reads work
// in every mode); otherwise they return kInvalidArgument.
#ifndef CONNECTIVITY_JOURNAL_JOURNAL_TESTING_H_
#define CONNECTIVITY_JOURNAL_JOURNAL_TESTING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "journal/journal.h"
#include "src/base/status.h"

namespace connectivity::journal {

// Any key of any column family (indexes: codec.h, k*ColumnFamily).
Status TEST_PutRaw(Journal& journal, size_t column_family, std::string_view key,
                   std::string_view value);
Status TEST_DeleteRaw(Journal& journal, size_t column_family, std::string_view key);
Result<std::optional<std::string>> TEST_ReadRaw(Journal& journal, size_t column_family,
                                                std::string_view key);

// The record of one event (the value at events key stream 0x00 revision).
Status TEST_PutRawEvent(Journal& journal, std::string_view stream, uint64_t revision,
                        std::string_view raw_value);
Result<std::optional<std::string>> TEST_ReadRawEvent(Journal& journal, std::string_view stream,
                                                     uint64_t revision);
// Deletes an event's record (not its order entry): a revision gap.
Status TEST_DeleteEvent(Journal& journal, std::string_view stream, uint64_t revision);

// A state row / historical snapshot with arbitrary bytes as its value.
Status TEST_PutRawStateRow(Journal& journal, std::string_view stream, std::string_view raw_value);
Status TEST_PutRawHistorical(Journal& journal, std::string_view stream, uint64_t revision,
                             std::string_view raw_value);

// Flushes memtables to table files, so later reads go to disk.
Status TEST_Flush(Journal& journal);

// How many DB::SyncWAL() calls the journal's store made (the WAL gate's
// count): the group commit's syncs. 0 for journals not open read-write.
uint64_t TEST_WalSyncs(Journal& journal);

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_JOURNAL_TESTING_H_
