#include "journal/journal.h"

#include <utility>

#include "journal/codec.h"
#include "journal/cursors.h"
#include "journal/journal_impl.h"

namespace connectivity::journal {
namespace {

storage::StoreOptions ToStoreOptions(const JournalOptions& options) {
  storage::StoreOptions store;
  switch (options.mode) {
    case OpenMode::kReadWrite: store.mode = storage::OpenMode::kReadWrite; break;
    case OpenMode::kReadOnly: store.mode = storage::OpenMode::kReadOnly; break;
    case OpenMode::kSecondary: store.mode = storage::OpenMode::kSecondary; break;
  }
  store.secondary_path = options.secondary_path;
  store.env = options.env;
  store.block_cache_bytes = options.block_cache_bytes;
  store.write_buffer_bytes = options.write_buffer_bytes;
  store.disk_headroom_bytes = options.disk_headroom_bytes;
  store.hold_lock = options.mode == OpenMode::kReadOnly && options.read_only_for_space;
  // Bloom filters where the journal does point lookups: events (ReadEvent,
  // ReadGlobal), order (FirstSequenceAtOrAfter), state (ReadStateRow) and
  // meta. History is only read by SeekForPrev, which filters cannot help.
  store.default_point_lookups = true;
  store.column_families = {
      {std::string(kColumnFamilyNames[kEventsColumnFamily]), true},
      {std::string(kColumnFamilyNames[kOrderColumnFamily]), true},
      {std::string(kColumnFamilyNames[kStateColumnFamily]), true},
      {std::string(kColumnFamilyNames[kHistoryColumnFamily]), false},
  };
  static_assert(kEventsColumnFamily == 1 && kOrderColumnFamily == 2 && kStateColumnFamily == 3 &&
                    kHistoryColumnFamily == 4,
                "the list above is in column family index order");
  return store;
}

Event StreamOnly(std::string stream) {
  Event event;
  event.stream = std::move(stream);
  return event;
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& dir,
                                               const JournalOptions& options) {
  Result<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(dir, ToStoreOptions(options));
  if (!store.ok()) return store.status();
  auto journal = std::make_unique<JournalImpl>(std::move(*store), options);
  CONNECTIVITY_RETURN_IF_ERROR(journal->Recover());
  return std::unique_ptr<Journal>(std::move(journal));
}

Status Journal::ForEachEvent(const EventVisitor& visit) {
  const std::unique_ptr<EventCursor> cursor = ScanAll();
  while (true) {
    Result<std::optional<Event>> next = cursor->Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return Status::Ok();
    const Event& event = **next;
    CONNECTIVITY_RETURN_IF_ERROR(visit(EventView{event.stream, event.revision, event.sequence,
                                                 event.timestamp_us, event.type, event.payload}));
  }
}

Result<std::optional<std::string>> Journal::ReadMetaBlob(std::string_view) {
  return Status::InvalidArgument("this journal keeps no meta blobs");
}

Status Journal::WriteMetaBlob(std::string_view, std::optional<std::string_view>, bool) {
  return Status::InvalidArgument("this journal keeps no meta blobs");
}

Status Journal::RewritePayloads(const std::vector<PayloadRewrite>&, std::string_view, std::string_view, bool) {
  return Status::InvalidArgument("this journal cannot rewrite events");
}

Status Journal::CompactAll() { return Status::InvalidArgument("this journal cannot compact"); }

namespace {

// The default ScanFrom: a full scan that skips what lies before the start.
class SkippingCursor final : public EventCursor {
 public:
  SkippingCursor(std::unique_ptr<EventCursor> all, std::string start) : all_(std::move(all)), start_(std::move(start)) {}
  Result<std::optional<Event>> Next() override {
    while (true) {
      Result<std::optional<Event>> next = all_->Next();
      if (!next.ok() || !next->has_value()) return next;
      if (StreamKey((*next)->stream, (*next)->revision) >= start_) return next;
    }
  }

 private:
  std::unique_ptr<EventCursor> all_;
  std::string start_;
};

}  // namespace

std::unique_ptr<EventCursor> Journal::ScanFrom(std::string_view stream, uint64_t revision) {
  return std::make_unique<SkippingCursor>(ScanAll(), StreamKey(stream, revision));
}

JournalImpl::JournalImpl(std::unique_ptr<storage::Store> store, const JournalOptions& options)
    : options_(options), current_store_(store.get()), snapshots_(&current_store_) {
  stores_.push_back(std::move(store));
  read_only_for_space_.store(options.mode == OpenMode::kReadOnly && options.read_only_for_space);
}

JournalImpl::~JournalImpl() { Close(); }

Status JournalImpl::Recover() {
  CONNECTIVITY_RETURN_IF_ERROR(RecoverFormatVersion());
  GroupCommitter::Position position;
  CONNECTIVITY_RETURN_IF_ERROR(RecoverPosition(store(), &position));
  last_sequence_read_only_.store(position.last_sequence);
  if (options_.mode == OpenMode::kReadWrite) StartCommitter(position);
  return Status::Ok();
}

void JournalImpl::StartCommitter(const GroupCommitter::Position& position) {
  const Clock* clock = options_.clock != nullptr ? options_.clock : SystemClock::Instance();
  auto started = std::make_unique<GroupCommitter>(&store(), clock, options_, position, &counters_);
  started->Start();
  committer_.store(started.get(), std::memory_order_release);
  committer_owner_ = std::move(started);
}

Status JournalImpl::ReopenForWriting() {
  if (!read_only_for_space_.load()) {
    return Status::InvalidArgument("the journal was not opened read-only for lack of space");
  }
  JournalOptions writable = options_;
  writable.mode = OpenMode::kReadWrite;
  // The read-only store holds the LOCK (so no other process could write
  // meanwhile); the read-write open takes it over.
  store().ReleaseLock();
  Result<std::unique_ptr<storage::Store>> opened = storage::Store::Open(store().dir(), ToStoreOptions(writable));
  if (!opened.ok()) return opened.status();
  GroupCommitter::Position position;
  CONNECTIVITY_RETURN_IF_ERROR(RecoverPosition(**opened, &position));
  if (position.last_sequence != last_sequence_read_only_.load()) {
    return Status::Corruption("the journal in " + store().dir() + " ends at sequence " +
                              std::to_string(position.last_sequence) + " when opened for writing, but at " +
                              std::to_string(last_sequence_read_only_.load()) + " when opened read-only");
  }
  storage::Store* next = opened->get();
  stores_.push_back(std::move(*opened));
  current_store_.store(next, std::memory_order_release);
  StartCommitter(position);
  read_only_for_space_.store(false);
  return Status::Ok();
}

Status JournalImpl::ReadOnlyRefusal() const {
  if (read_only_for_space_.load()) {
    return Status::NoSpace("the journal in " + store().dir() +
                           " is open read-only: the disk had too little free space at start-up");
  }
  return Status::Unavailable("the journal in " + store().dir() + " is open read-only");
}

Status JournalImpl::RecoverFormatVersion() {
  std::string value;
  Result<bool> found = store().Get(kMetaColumnFamily, kFormatVersionKey, &value);
  if (!found.ok()) return found.status();
  if (*found) {
    uint64_t version = 0;
    CONNECTIVITY_RETURN_IF_ERROR(DecodeMetaU64(kFormatVersionKey, value, &version));
    if (version == kFormatVersion) return Status::Ok();
    return Status::Corruption("the journal in " + store().dir() + " has format version " +
                              std::to_string(version) + "; this build reads version " +
                              std::to_string(kFormatVersion));
  }
  if (options_.mode != OpenMode::kReadWrite) return Status::Ok();
  EncodeMetaU64(kFormatVersionKey, kFormatVersion, &value);
  return store().Put(kMetaColumnFamily, kFormatVersionKey, value, /*sync=*/true);
}

Status JournalImpl::RecoverPosition(storage::Store& store, GroupCommitter::Position* position) {
  const std::unique_ptr<storage::Iterator> iterator =
      store.NewIterator(kOrderColumnFamily, storage::ScanOptions{});
  iterator->SeekToLast();
  if (!iterator->Valid()) {
    *position = GroupCommitter::Position{};
    return iterator->status();
  }
  uint64_t sequence = 0;
  if (!ParseSequenceKey(iterator->key(), &sequence)) {
    return Status::Corruption(DescribeKey(kOrderColumnFamily, iterator->key()) +
                              ": malformed order key");
  }
  // Reading the last event through a global cursor checks the order entry,
  // its record, and that the two agree.
  Result<std::optional<Event>> last = NewGlobalCursor(store, sequence, kAllVisible)->Next();
  if (!last.ok()) return last.status();
  if (!last->has_value()) {
    return Status::Corruption(DescribeKey(kOrderColumnFamily, iterator->key()) +
                              ": the last order entry vanished while opening");
  }
  position->last_sequence = sequence;
  position->last_timestamp_us = (*last)->timestamp_us;
  return Status::Ok();
}

void JournalImpl::Append(AppendRequest request, AppendCallback done) {
  GroupCommitter* const running = committer();
  if (running == nullptr) {
    done(ReadOnlyRefusal(), StreamOnly(std::move(request.stream)));
    return;
  }
  running->Append(std::move(request), std::move(done));
}

Result<Event> JournalImpl::AppendAndWait(AppendRequest request) {
  GroupCommitter* const running = committer();
  if (running == nullptr) return ReadOnlyRefusal();
  return running->AppendAndWait(std::move(request));
}

Status JournalImpl::health() const {
  if (read_only_for_space_.load()) return ReadOnlyRefusal();
  GroupCommitter* const running = committer();
  return running != nullptr ? running->health() : Status::Ok();
}

void JournalImpl::RefreshSpace() {
  if (GroupCommitter* const running = committer()) running->RefreshSpace();
}

void JournalImpl::Close() {
  if (GroupCommitter* const running = committer()) running->Close();
}

Status JournalImpl::Flush() {
  if (committer() == nullptr) return Status::InvalidArgument("the journal is open read-only");
  return store().Flush();
}

Result<std::optional<std::string>> JournalImpl::ReadMetaBlob(std::string_view key) {
  if (!IsMetaBlobKey(key)) return Status::InvalidArgument("'" + std::string(key) + "' is not a meta blob key");
  std::string value;
  Result<bool> found = store().Get(kMetaColumnFamily, key, &value);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  std::string_view blob;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeMetaBlob(key, value, &blob));
  return std::optional<std::string>(std::string(blob));
}

Status JournalImpl::WriteMetaBlob(std::string_view key, std::optional<std::string_view> blob, bool sync) {
  if (!IsMetaBlobKey(key)) return Status::InvalidArgument("'" + std::string(key) + "' is not a meta blob key");
  if (committer() == nullptr) return ReadOnlyRefusal();
  if (!blob) return store().Delete(kMetaColumnFamily, key, sync);
  if (blob->size() > kBlobBytesMax) return Status::InvalidArgument("meta blob too large");
  std::string value;
  EncodeMetaBlob(key, *blob, &value);
  return store().Put(kMetaColumnFamily, key, value, sync);
}

Status JournalImpl::RewritePayloads(const std::vector<PayloadRewrite>& rewrites, std::string_view meta_key,
                                    std::string_view meta_blob, bool sync) {
  if (!IsMetaBlobKey(meta_key)) return Status::InvalidArgument("'" + std::string(meta_key) + "' is not a meta blob key");
  if (committer() == nullptr) return ReadOnlyRefusal();
  storage::Store& current = store();  // once: a batch belongs to one store
  storage::WriteBatch batch(current);
  std::string key;
  std::string value;
  for (const PayloadRewrite& rewrite : rewrites) {
    CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(rewrite.stream));
    if (rewrite.payload.size() > kPayloadBytesMax) return Status::InvalidArgument("payload too large");
    if (rewrite.revision == 0 || rewrite.sequence == 0 || rewrite.type == 0) {
      return Status::InvalidArgument("a rewrite names no event");
    }
    key = StreamKey(rewrite.stream, rewrite.revision);
    EncodeRecord(key, RecordFields{rewrite.type, rewrite.timestamp_us, rewrite.sequence, rewrite.payload}, &value);
    batch.Put(kEventsColumnFamily, key, value);
  }
  EncodeMetaBlob(meta_key, meta_blob, &value);
  batch.Put(kMetaColumnFamily, meta_key, value);
  return current.Write(batch, sync);
}

Status JournalImpl::CompactAll() {
  if (committer() == nullptr) return ReadOnlyRefusal();
  return store().CompactAll();
}

uint64_t JournalImpl::last_sequence() const {
  GroupCommitter* const running = committer();
  return running != nullptr ? running->last_sequence() : last_sequence_read_only_.load();
}

uint64_t JournalImpl::visible_through() const {
  GroupCommitter* const running = committer();
  return running != nullptr ? running->last_sequence() : kAllVisible;
}

Result<uint64_t> JournalImpl::LastRevision(std::string_view stream) {
  return ReadLastRevision(store(), stream, visible_through());
}

Result<std::optional<Event>> JournalImpl::ReadEvent(std::string_view stream, uint64_t revision) {
  CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(stream));
  const std::string key = StreamKey(stream, revision);
  std::string value;
  Result<bool> found = store().Get(kEventsColumnFamily, key, &value);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<Event>();
  Event event;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeEvent(key, value, &event));
  if (event.sequence > visible_through()) return std::optional<Event>();  // not yet synced
  return std::optional<Event>(std::move(event));
}

std::unique_ptr<EventCursor> JournalImpl::ReadStream(std::string_view stream,
                                                     uint64_t from_revision,
                                                     uint64_t to_revision) {
  return NewStreamCursor(store(), stream, from_revision, to_revision, visible_through());
}

std::unique_ptr<EventCursor> JournalImpl::ReadGlobal(uint64_t from_sequence) {
  return NewGlobalCursor(store(), from_sequence, visible_through());
}

std::unique_ptr<EventCursor> JournalImpl::ScanAll() {
  return NewScanCursor(store(), visible_through());
}

std::unique_ptr<EventCursor> JournalImpl::ScanFrom(std::string_view stream, uint64_t revision) {
  return NewScanCursorFrom(store(), stream, revision, visible_through());
}

Status JournalImpl::ForEachEvent(const EventVisitor& visit) {
  return ScanEvents(store(), visit, visible_through());
}

Result<uint64_t> JournalImpl::FirstSequenceAtOrAfter(int64_t timestamp_us) {
  // Timestamps strictly increase with the sequence: binary search for the
  // first sequence in [1, last + 1) whose timestamp is >= timestamp_us.
  uint64_t low = 1;
  uint64_t high = last_sequence() + 1;
  while (low < high) {
    const uint64_t middle = low + (high - low) / 2;
    Result<int64_t> at = TimestampAt(middle);
    if (!at.ok()) return at.status();
    if (*at >= timestamp_us) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}

Result<int64_t> JournalImpl::TimestampAt(uint64_t sequence) {
  const std::string key = SequenceKey(sequence);
  std::string value;
  Result<bool> found = store().Get(kOrderColumnFamily, key, &value);
  if (!found.ok()) return found.status();
  if (!*found) {
    return Status::Corruption(DescribeKey(kOrderColumnFamily, key) +
                              ": missing (a gap in the global order)");
  }
  OrderEntry entry;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeOrderEntry(key, value, &entry));
  return entry.timestamp_us;
}

Status JournalImpl::Refresh() {
  if (options_.mode != OpenMode::kSecondary) return Status::Ok();
  CONNECTIVITY_RETURN_IF_ERROR(store().CatchUpWithPrimary());
  GroupCommitter::Position position;
  CONNECTIVITY_RETURN_IF_ERROR(RecoverPosition(store(), &position));
  last_sequence_read_only_.store(position.last_sequence);
  return Status::Ok();
}

JournalMetrics JournalImpl::metrics() const {
  JournalMetrics metrics = counters_.Snapshot();
  const storage::Store::MemoryUsage memory = store().Memory();
  metrics.storage_memory = StorageMemory{memory.memtable_bytes, memory.block_cache_bytes,
                                         memory.block_cache_capacity, memory.table_reader_bytes};
  return metrics;
}

JournalStats JournalImpl::Stats() {
  JournalStats stats;
  stats.last_sequence = last_sequence();
  stats.events_bytes = store().ApproximateBytes(kEventsColumnFamily) +
                       store().ApproximateBytes(kOrderColumnFamily);
  stats.snapshots_bytes = store().ApproximateBytes(kStateColumnFamily) +
                          store().ApproximateBytes(kHistoryColumnFamily);
  return stats;
}

}  // namespace connectivity::journal
