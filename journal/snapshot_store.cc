#include <utility>

#include "journal/codec.h"
#include "journal/snapshot_store_impl.h"

namespace connectivity::journal {
namespace {

Status ValidateBlob(std::string_view stream, std::string_view blob) {
  if (blob.size() <= kBlobBytesMax) return Status::Ok();
  return Status::InvalidArgument("the snapshot of stream '" + std::string(stream) + "' has " +
                                 std::to_string(blob.size()) + " bytes, at most " +
                                 std::to_string(kBlobBytesMax) + " are allowed");
}

Status DecodeHistorical(std::string_view key, std::string_view value,
                        HistoricalSnapshot* snapshot) {
  std::string_view stream;
  uint64_t revision = 0;
  if (!ParseStreamKey(key, &stream, &revision)) {
    return Status::Corruption(DescribeKey(kHistoryColumnFamily, key) + ": malformed history key");
  }
  std::string_view blob;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeSnapshot(CrcTag::kHistory, key, value, &blob));
  snapshot->stream.assign(stream);
  snapshot->revision = revision;
  snapshot->blob.assign(blob);
  return Status::Ok();
}

// Iterates a whole column family, decoding each entry into T. Keeps an
// error once seen; never reports an error as the end.
template <typename Base, typename T, Status (*kDecode)(std::string_view, std::string_view, T*)>
class ColumnFamilyCursor final : public Base {
 public:
  // Starts at the first key >= `start` (the first key if empty).
  explicit ColumnFamilyCursor(std::unique_ptr<storage::Iterator> iterator, std::string start = {})
      : iterator_(std::move(iterator)), start_(std::move(start)) {}

  Result<std::optional<T>> Next() override {
    if (!error_.ok()) return error_;
    if (ended_) return std::optional<T>();
    if (started_) {
      iterator_->Next();
    } else if (start_.empty()) {
      iterator_->SeekToFirst();
      started_ = true;
    } else {
      iterator_->Seek(start_);
      started_ = true;
    }
    if (!iterator_->Valid()) {
      error_ = iterator_->status();
      ended_ = error_.ok();
      if (!error_.ok()) return error_;
      return std::optional<T>();
    }
    T item;
    error_ = kDecode(iterator_->key(), iterator_->value(), &item);
    if (!error_.ok()) return error_;
    return std::optional<T>(std::move(item));
  }

 private:
  std::unique_ptr<storage::Iterator> iterator_;
  const std::string start_;
  bool started_ = false;
  bool ended_ = false;
  Status error_;
};

Status DecodeStateRow(std::string_view key, std::string_view value, StateRow* row) {
  std::string_view blob;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeSnapshot(CrcTag::kState, key, value, &blob));
  row->stream.assign(key);
  row->blob.assign(blob);
  return Status::Ok();
}

// Adds deletions of every key of `cf` to `batch` (exact: up to the last key
// there is, so no key is too long to be covered).
Status DeleteAll(const storage::Store& store, size_t cf, storage::WriteBatch& batch) {
  const std::unique_ptr<storage::Iterator> iterator = store.NewIterator(cf, storage::ScanOptions{});
  iterator->SeekToLast();
  if (!iterator->Valid()) return iterator->status();
  const std::string last(iterator->key());
  batch.DeleteRange(cf, std::string_view(), last);
  batch.Delete(cf, last);
  return Status::Ok();
}

}  // namespace

Status SnapshotStoreImpl::WriteStateRows(const std::vector<StateRow>& rows, uint64_t watermark,
                                         bool sync) {
  storage::Store& current = store();  // once: a batch belongs to one store
  storage::WriteBatch batch(current);
  std::string value;
  for (const StateRow& row : rows) {
    CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(row.stream));
    CONNECTIVITY_RETURN_IF_ERROR(ValidateBlob(row.stream, row.blob));
    EncodeSnapshot(CrcTag::kState, row.stream, row.blob, &value);
    batch.Put(kStateColumnFamily, row.stream, value);
  }
  EncodeMetaU64(kWatermarkKey, watermark, &value);
  batch.Put(kMetaColumnFamily, kWatermarkKey, value);
  if (hook_) CONNECTIVITY_RETURN_IF_ERROR(hook_(watermark, batch));
  return current.Write(batch, sync);
}

Result<uint64_t> SnapshotStoreImpl::Watermark() {
  std::string value;
  Result<bool> found = store().Get(kMetaColumnFamily, kWatermarkKey, &value);
  if (!found.ok()) return found.status();
  if (!*found) return uint64_t{0};
  uint64_t watermark = 0;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeMetaU64(kWatermarkKey, value, &watermark));
  return watermark;
}

std::unique_ptr<StateRowCursor> SnapshotStoreImpl::ReadStateRows() {
  storage::ScanOptions scan;
  scan.full_scan = true;
  return std::make_unique<ColumnFamilyCursor<StateRowCursor, StateRow, DecodeStateRow>>(
      store().NewIterator(kStateColumnFamily, scan));
}

std::unique_ptr<StateRowCursor> SnapshotStoreImpl::ReadStateRowsAfter(std::string_view after) {
  storage::ScanOptions scan;
  scan.full_scan = true;
  // The smallest key after `after`: `after` followed by 0x00.
  std::string start(after);
  if (!start.empty()) start.push_back('\0');
  return std::make_unique<ColumnFamilyCursor<StateRowCursor, StateRow, DecodeStateRow>>(
      store().NewIterator(kStateColumnFamily, scan), std::move(start));
}

Status SnapshotStoreImpl::ForEachStateRow(const StateRowVisitor& visit) {
  storage::ScanOptions scan;
  scan.full_scan = true;
  const std::unique_ptr<storage::Iterator> iterator = store().NewIterator(kStateColumnFamily, scan);
  for (iterator->SeekToFirst(); iterator->Valid(); iterator->Next()) {
    std::string_view blob;
    CONNECTIVITY_RETURN_IF_ERROR(DecodeSnapshot(CrcTag::kState, iterator->key(), iterator->value(), &blob));
    CONNECTIVITY_RETURN_IF_ERROR(visit(iterator->key(), blob));
  }
  return iterator->status();
}

Result<std::optional<std::string>> SnapshotStoreImpl::ReadStateRow(std::string_view stream) {
  CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(stream));
  std::string value;
  Result<bool> found = store().Get(kStateColumnFamily, stream, &value);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  std::string_view blob;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeSnapshot(CrcTag::kState, stream, value, &blob));
  return std::optional<std::string>(std::string(blob));
}

Status SnapshotStoreImpl::PutHistorical(const std::vector<HistoricalSnapshot>& snapshots,
                                        bool sync) {
  storage::Store& current = store();  // once: a batch belongs to one store
  storage::WriteBatch batch(current);
  std::string key;
  std::string value;
  for (const HistoricalSnapshot& snapshot : snapshots) {
    CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(snapshot.stream));
    CONNECTIVITY_RETURN_IF_ERROR(ValidateBlob(snapshot.stream, snapshot.blob));
    key.clear();
    AppendStreamKey(&key, snapshot.stream, snapshot.revision);
    EncodeSnapshot(CrcTag::kHistory, key, snapshot.blob, &value);
    batch.Put(kHistoryColumnFamily, key, value);
  }
  return current.Write(batch, sync);
}

Result<std::optional<HistoricalSnapshot>> SnapshotStoreImpl::FindHistoricalAtOrBefore(
    std::string_view stream, uint64_t revision) {
  CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(stream));
  storage::ScanOptions scan;
  scan.lower_bound = StreamBegin(stream);  // never step into another stream
  scan.upper_bound = StreamEnd(stream);
  const std::unique_ptr<storage::Iterator> iterator =
      store().NewIterator(kHistoryColumnFamily, scan);
  iterator->SeekForPrev(StreamKey(stream, revision));
  if (!iterator->Valid()) {
    CONNECTIVITY_RETURN_IF_ERROR(iterator->status());
    return std::optional<HistoricalSnapshot>();
  }
  HistoricalSnapshot snapshot;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeHistorical(iterator->key(), iterator->value(), &snapshot));
  return std::optional<HistoricalSnapshot>(std::move(snapshot));
}

std::unique_ptr<HistoricalCursor> SnapshotStoreImpl::ScanHistorical() {
  storage::ScanOptions scan;
  scan.full_scan = true;
  return std::make_unique<
      ColumnFamilyCursor<HistoricalCursor, HistoricalSnapshot, DecodeHistorical>>(
      store().NewIterator(kHistoryColumnFamily, scan));
}

std::unique_ptr<HistoricalCursor> SnapshotStoreImpl::ScanHistoricalAfter(std::string_view after) {
  storage::ScanOptions scan;
  scan.full_scan = true;
  return std::make_unique<ColumnFamilyCursor<HistoricalCursor, HistoricalSnapshot, DecodeHistorical>>(
      store().NewIterator(kHistoryColumnFamily, scan), after.empty() ? std::string() : StreamEnd(after));
}

Status SnapshotStoreImpl::Clear() {
  storage::Store& current = store();  // once: a batch belongs to one store
  storage::WriteBatch batch(current);
  CONNECTIVITY_RETURN_IF_ERROR(DeleteAll(current, kStateColumnFamily, batch));
  CONNECTIVITY_RETURN_IF_ERROR(DeleteAll(current, kHistoryColumnFamily, batch));
  batch.Delete(kMetaColumnFamily, kWatermarkKey);
  return current.Write(batch, /*sync=*/true);
}

namespace {

// The defaults of the *After readers: read everything, skip the streams up
// to `after`.
template <typename Base, typename T>
class SkippingCursor final : public Base {
 public:
  SkippingCursor(std::unique_ptr<Base> all, std::string after) : all_(std::move(all)), after_(std::move(after)) {}
  Result<std::optional<T>> Next() override {
    while (true) {
      Result<std::optional<T>> next = all_->Next();
      if (!next.ok() || !next->has_value() || after_.empty() || (*next)->stream > after_) return next;
    }
  }

 private:
  std::unique_ptr<Base> all_;
  const std::string after_;
};

}  // namespace

std::unique_ptr<StateRowCursor> SnapshotStore::ReadStateRowsAfter(std::string_view after) {
  return std::make_unique<SkippingCursor<StateRowCursor, StateRow>>(ReadStateRows(), std::string(after));
}

std::unique_ptr<HistoricalCursor> SnapshotStore::ScanHistoricalAfter(std::string_view after) {
  return std::make_unique<SkippingCursor<HistoricalCursor, HistoricalSnapshot>>(ScanHistorical(),
                                                                                std::string(after));
}

}  // namespace connectivity::journal
