// Readers of the etcd journal (internal to journal/etcd/).
//
// etcd reads ranges in key order, page by page, cheaply; a range sorted by
// another field (or filtered by revision) is read whole on the server for
// every page. So global order is never asked of a sorted range:
//   * the rank table: one keys-only scan of every event key, in key order,
//     sorted here by mod_revision (about 100 bytes of memory per event);
//     entry i is the event with sequence i + 1;
//   * values in that order: point reads, 64 per transaction (halved while an
//     answer would pass gRPC's 4 MiB);
//   * what happened after a known revision: a watch from there (etcd reads
//     its revision-keyed store in order), unless that revision is compacted,
//     up to a sync marker written for the purpose (etcd 3.4.23 answers
//     progress requests before a watch caught up, so they prove nothing).
// Stream reads and full scans are plain key-order pages.
// Every record's checksum is verified; revisions must be contiguous per
// stream from 1; a failure is kCorruption naming the key. Cursors never
// report an error as the end.
#ifndef CONNECTIVITY_JOURNAL_ETCD_ETCD_READER_H_
#define CONNECTIVITY_JOURNAL_ETCD_ETCD_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "journal/etcd/etcd_client.h"
#include "journal/etcd/etcd_codec.h"
#include "journal/journal.h"

namespace connectivity::journal::etcd {

struct RankedKey {
  int64_t mod_revision = 0;
  std::string key;
};
// Sorted by mod_revision: entry i is the event with sequence i + 1.
using RankTable = std::vector<RankedKey>;

// The sequence of the event written at `mod_revision`, 0 if unknown.
using SequenceOf = std::function<uint64_t(int64_t mod_revision)>;
// A SequenceOf over a rank table (binary search).
SequenceOf RankedSequences(std::shared_ptr<const RankTable> ranks);

// Decodes an event key-value (record checksum included).
Status DecodeEtcdEvent(const mvccpb::KeyValue& kv, uint64_t sequence, Event* event,
                       CommandId* command_id = nullptr);

// Every event key at `revision` (0: now; the revision read goes to
// *revision_read), ordered by mod_revision.
Result<RankTable> ReadRankTable(EtcdClient& client, int64_t revision, int64_t* revision_read);

// The values of ranks[first...], as many as one transaction reads (at most
// 64, fewer while an answer would pass gRPC's 4 MiB), appended to *values.
Status ReadValues(EtcdClient& client, const RankTable& ranks, size_t first,
                  std::vector<mvccpb::KeyValue>* values);
// Events of `ranks` from index `first` on (sequence first + 1, ...).
std::unique_ptr<EventCursor> NewRankedCursor(std::shared_ptr<EtcdClient> client,
                                             std::shared_ptr<const RankTable> ranks, size_t first);
// The events `events[first...]` (read at open).
std::unique_ptr<EventCursor> NewVectorCursor(std::shared_ptr<const std::vector<Event>> events, size_t first);
// Events of one stream with from <= revision <= to, ascending, read now.
std::unique_ptr<EventCursor> NewEtcdStreamCursor(std::shared_ptr<EtcdClient> client, std::string stream,
                                                 uint64_t from_revision, uint64_t to_revision,
                                                 SequenceOf sequence_of);
// Every event at `revision` (0: now) in (stream, revision) order.
std::unique_ptr<EventCursor> NewEtcdScanCursor(std::shared_ptr<EtcdClient> client, int64_t revision,
                                               SequenceOf sequence_of);
// Every event at `revision` in (stream, revision) order, as views.
Status ScanEtcdEvents(EtcdClient& client, int64_t revision, const SequenceOf& sequence_of,
                      const EventVisitor& visit);
// The last revision of a stream (its head; 0 if none), read now.
Result<uint64_t> ReadEtcdLastRevision(EtcdClient& client, std::string_view stream);

// Every key-value event of the journal prefix with from <= mod_revision <=
// to, in revision order, read by a watch. kNotFound if `from` is compacted.
Result<std::vector<mvccpb::KeyValue>> ReadByWatch(std::shared_ptr<EtcdClient> client, int64_t from, int64_t to);

// Writes the sync marker (etcd_codec.h) and returns its revision: once a
// watch of the prefix delivered it, it delivered everything before it.
Result<int64_t> PutSyncMarker(EtcdClient& client);

std::unique_ptr<EventCursor> NewEtcdErrorCursor(Status status);

}  // namespace connectivity::journal::etcd

#endif  // CONNECTIVITY_JOURNAL_ETCD_ETCD_READER_H_
