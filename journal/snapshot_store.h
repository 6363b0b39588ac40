// SnapshotStore: snapshots of stream state, beside the journal in the same
// RocksDB (own column families). The blobs are opaque here (the projector
// encodes them); the store adds a format version and a checksum of its own
// and verifies it on every read.
//
// Two kinds:
//   * state rows: the newest state of every stream, all current up to one
//     global sequence, the watermark. Written together with the watermark in
//     one batch, so recovery = load every state row + replay the journal from
//     watermark + 1.
//   * historical snapshots: the state of a stream at one revision, kept for
//     history queries ("state at revision N" = nearest snapshot <= N + replay).
//
// Thread-safe.
#ifndef CONNECTIVITY_JOURNAL_SNAPSHOT_STORE_H_
#define CONNECTIVITY_JOURNAL_SNAPSHOT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/status.h"

namespace connectivity::journal {

struct StateRow {
  std::string stream;
  std::string blob;
};

struct HistoricalSnapshot {
  std::string stream;
  uint64_t revision = 0;
  std::string blob;
};

class StateRowCursor {
 public:
  virtual ~StateRowCursor() = default;
  // A row, a clean end (nullopt), or an error naming the key.
  virtual Result<std::optional<StateRow>> Next() = 0;
};

class HistoricalCursor {
 public:
  virtual ~HistoricalCursor() = default;
  virtual Result<std::optional<HistoricalSnapshot>> Next() = 0;
};

class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;

  // Writes `rows` (replacing older rows of the same streams) and the new
  // watermark atomically. `sync` is explicit at every call site.
  virtual Status WriteStateRows(const std::vector<StateRow>& rows, uint64_t watermark, bool sync) = 0;
  // The global sequence the state rows are current to (0 if none were written).
  virtual Result<uint64_t> Watermark() = 0;
  virtual std::unique_ptr<StateRowCursor> ReadStateRows() = 0;
  // The state rows of the streams after `after`, in stream order (for walks
  // in batches). Not pure; the default reads all and skips.
  virtual std::unique_ptr<StateRowCursor> ReadStateRowsAfter(std::string_view after);
  // Every state row in stream order, without copying: the views are valid
  // only during the call. Stops at the first non-OK Status `visit` returns
  // (and returns it); checksum failures name the key. Used by start-up,
  // where a copy per row is measurable.
  using StateRowVisitor = std::function<Status(std::string_view stream, std::string_view blob)>;
  virtual Status ForEachStateRow(const StateRowVisitor& visit) = 0;
  virtual Result<std::optional<std::string>> ReadStateRow(std::string_view stream) = 0;

  virtual Status PutHistorical(const std::vector<HistoricalSnapshot>& snapshots, bool sync) = 0;
  // The newest historical snapshot of `stream` with revision <= `revision`.
  virtual Result<std::optional<HistoricalSnapshot>> FindHistoricalAtOrBefore(std::string_view stream,
                                                                            uint64_t revision) = 0;
  // All historical snapshots in (stream, revision) order.
  virtual std::unique_ptr<HistoricalCursor> ScanHistorical() = 0;
  // Those of the streams after `after` (every one if empty). Not pure; the
  // default reads all and skips.
  virtual std::unique_ptr<HistoricalCursor> ScanHistoricalAfter(std::string_view after);
  // Deletes every state row, historical snapshot and the watermark
  // (journal-replay rebuild-snapshots).
  virtual Status Clear() = 0;
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_SNAPSHOT_STORE_H_
