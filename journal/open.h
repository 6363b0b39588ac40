// OpenJournal: the one place that picks the journal behind journal.h from
// JournalOptions::uri, so that nothing outside journal/ knows which one runs:
//   ""                               the RocksDB journal in `dir`
//   "etcd://HOST:PORT[,HOST:PORT]"   the etcd journal (cluster mode, SPEC §8),
//                                    with its local snapshots in `dir`
#ifndef CONNECTIVITY_JOURNAL_OPEN_H_
#define CONNECTIVITY_JOURNAL_OPEN_H_

#include <memory>
#include <string>
#include <string_view>

#include "journal/journal.h"

namespace connectivity::journal {

Result<std::unique_ptr<Journal>> OpenJournal(const std::string& dir, const JournalOptions& options);

// kInvalidArgument naming what is wrong, for a --journal value.
Status ValidateJournalUri(std::string_view uri);

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_OPEN_H_
