// EtcdJournal: open, positioning and reads (see etcd_journal.h).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>

#include "journal/codec.h"
#include "journal/etcd/etcd_journal.h"
#include "src/base/log.h"

namespace connectivity::journal::etcd {
namespace {

// Local meta keys (default column family), written with the rows and the
// watermark in one batch: the etcd revision of the event at the watermark,
// and the etcd cluster the snapshots were taken from.
constexpr std::string_view kAnchorSequenceKey = "etcd_anchor_sequence";
constexpr std::string_view kAnchorRevisionKey = "etcd_anchor_revision";
constexpr std::string_view kClusterIdKey = "etcd_cluster_id";

storage::StoreOptions LocalStoreOptions(const JournalOptions& options, storage::OpenMode mode) {
  storage::StoreOptions store;
  store.mode = mode;
  store.secondary_path = options.secondary_path;
  store.env = options.env;
  store.block_cache_bytes = options.block_cache_bytes;
  store.write_buffer_bytes = std::min<size_t>(options.write_buffer_bytes, 16u << 20);
  store.disk_headroom_bytes = options.disk_headroom_bytes;
  store.default_point_lookups = true;
  // The RocksDB journal's families, so that SnapshotStoreImpl finds state
  // and history where codec.h puts them; events and order stay empty.
  store.column_families = {
      {std::string(kColumnFamilyNames[kEventsColumnFamily]), true},
      {std::string(kColumnFamilyNames[kOrderColumnFamily]), true},
      {std::string(kColumnFamilyNames[kStateColumnFamily]), true},
      {std::string(kColumnFamilyNames[kHistoryColumnFamily]), false},
  };
  return store;
}

Result<uint64_t> ReadMeta(storage::Store& store, std::string_view key) {
  std::string value;
  Result<bool> found = store.Get(kMetaColumnFamily, key, &value);
  if (!found.ok()) return found.status();
  if (!*found) return uint64_t{0};
  uint64_t decoded = 0;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeMetaU64(key, value, &decoded));
  return decoded;
}

}  // namespace

Result<std::unique_ptr<Journal>> EtcdJournal::Open(const std::string& dir, const JournalOptions& options) {
  Result<std::vector<std::string>> endpoints = ParseEtcdUri(options.uri);
  if (!endpoints.ok()) return endpoints.status();
  EtcdClientOptions client_options;
  client_options.endpoints = std::move(*endpoints);
  client_options.request_timeout_us = options.request_timeout_us;
  Result<std::shared_ptr<EtcdClient>> client = EtcdClient::Connect(client_options);
  if (!client.ok()) return client.status();
  std::unique_ptr<EtcdJournal> journal(new EtcdJournal(std::move(*client), options));
  CONNECTIVITY_RETURN_IF_ERROR(journal->OpenLocal(dir));
  CONNECTIVITY_RETURN_IF_ERROR(journal->Initialize());
  CONNECTIVITY_RETURN_IF_ERROR(journal->Position());
  return std::unique_ptr<Journal>(std::move(journal));
}

// The local snapshot store: the data dir for the server; for the tools the
// data dir if it holds one, else a private temporary store.
Status EtcdJournal::OpenLocal(const std::string& dir) {
  storage::OpenMode mode = storage::OpenMode::kReadWrite;
  local_dir_ = dir;
  if (options_.mode != OpenMode::kReadWrite || dir.empty()) {
    std::error_code error;
    if (!dir.empty() && std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", error)) {
      mode = options_.mode == OpenMode::kSecondary ? storage::OpenMode::kSecondary : storage::OpenMode::kReadOnly;
    } else {
      std::string pattern = (std::filesystem::temp_directory_path(error) / "connectivity-etcd-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) return Status::IOError("cannot create a temporary directory");
      local_dir_ = pattern;
      local_is_temporary_ = true;
    }
  }
  Result<std::unique_ptr<storage::Store>> store = storage::Store::Open(local_dir_, LocalStoreOptions(options_, mode));
  if (!store.ok()) return store.status();
  local_ = std::move(*store);
  local_current_.store(local_.get());
  snapshots_ = std::make_unique<SnapshotStoreImpl>(
      &local_current_, [this](uint64_t watermark, storage::WriteBatch& batch) { return WriteAnchor(watermark, batch); });
  return Status::Ok();
}

// Checks (or, for the first instance, writes) the format version, and
// learns the cluster's id and current revision.
Status EtcdJournal::Initialize() {
  const std::string key = FormatKey();
  etcdserverpb::TxnRequest request;
  etcdserverpb::Compare* absent = request.add_compare();
  absent->set_key(key);
  absent->set_target(etcdserverpb::Compare::CREATE);
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_create_revision(0);
  if (options_.mode == OpenMode::kReadWrite) {
    etcdserverpb::PutRequest* put = request.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(EncodeMeta(key, kEtcdFormatVersion));
  }
  request.add_failure()->mutable_request_range()->set_key(key);
  Result<etcdserverpb::TxnResponse> response = client_->Txn(request);
  if (!response.ok()) {
    return Status::Unavailable("cannot open the etcd journal at " + options_.uri + ": " + response.status().message());
  }
  cluster_id_ = response->header().cluster_id();
  open_revision_ = response->header().revision();
  if (response->succeeded()) return Status::Ok();
  const auto& kvs = response->responses(0).response_range().kvs();
  if (kvs.empty()) return Status::Ok();
  uint64_t version = 0;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeMeta(key, kvs[0].value(), &version));
  if (version != kEtcdFormatVersion) {
    return Status::Corruption("the etcd journal at " + options_.uri + " has format version " + std::to_string(version) +
                              "; this build reads version " + std::to_string(kEtcdFormatVersion));
  }
  return Status::Ok();
}

// Finds where the journal stands and what recovery will read after the
// local snapshots (etcd_journal.h, Open).
Status EtcdJournal::Position() {
  {
    std::lock_guard lock(mutex_);
    delivered_revision_ = open_revision_;
  }
  if (options_.mode != OpenMode::kReadWrite) return PositionFull();
  Result<uint64_t> watermark = snapshots_->Watermark();
  if (!watermark.ok()) return watermark.status();
  std::string reason;
  if (*watermark > 0) {
    Result<uint64_t> anchor_sequence = ReadMeta(*local_, kAnchorSequenceKey);
    Result<uint64_t> anchor_revision = ReadMeta(*local_, kAnchorRevisionKey);
    Result<uint64_t> cluster = ReadMeta(*local_, kClusterIdKey);
    if (!anchor_sequence.ok()) return anchor_sequence.status();
    if (!anchor_revision.ok()) return anchor_revision.status();
    if (!cluster.ok()) return cluster.status();
    if (*cluster != cluster_id_) {
      reason = "they were taken from another etcd cluster";
    } else if (*anchor_sequence != *watermark || *anchor_revision == 0 ||
               static_cast<int64_t>(*anchor_revision) > open_revision_) {
      reason = "their etcd revision is unknown";
    } else {
      const Status positioned = PositionFromAnchor(*watermark, static_cast<int64_t>(*anchor_revision));
      if (positioned.ok()) return positioned;
      if (!positioned.IsNotFound()) return positioned;
      reason = positioned.message();
    }
  }
  if (!reason.empty()) {
    log::Info("journal", "dropping the local snapshots (" + reason + "); reading the whole journal from etcd");
    CONNECTIVITY_RETURN_IF_ERROR(snapshots_->Clear());
  }
  return PositionFull();
}

// The local snapshots stand for the event at etcd revision `anchor`: read
// what came after, by a watch (kNotFound if etcd compacted it).
Status EtcdJournal::PositionFromAnchor(uint64_t watermark, int64_t anchor) {
  Result<std::vector<mvccpb::KeyValue>> missed = ReadByWatch(client_, anchor + 1, open_revision_);
  if (!missed.ok()) return missed.status();
  auto tail = std::make_shared<std::vector<Event>>();
  tail->reserve(missed->size());
  std::lock_guard lock(mutex_);
  recent_.emplace_back(watermark, anchor);
  uint64_t sequence = watermark;
  for (const mvccpb::KeyValue& kv : *missed) {
    Event event;
    CONNECTIVITY_RETURN_IF_ERROR(DecodeEtcdEvent(kv, ++sequence, &event));
    known_[event.stream] = Known{event.revision, kv.mod_revision(), event.timestamp_us};
    recent_.emplace_back(sequence, kv.mod_revision());
    tail->push_back(std::move(event));
  }
  last_sequence_ = sequence;
  last_sequence_published_.store(sequence);
  tail_ = std::move(tail);
  tail_first_sequence_ = watermark + 1;
  log::Info("journal", "local snapshots at etcd revision " + std::to_string(anchor) + "; " +
                           std::to_string(missed->size()) + " events to replay up to revision " +
                           std::to_string(open_revision_));
  return Status::Ok();
}

// No usable snapshot: every event key, ranked by revision.
Status EtcdJournal::PositionFull() {
  Result<RankTable> ranks = ReadRankTable(*client_, open_revision_, nullptr);
  if (!ranks.ok()) return ranks.status();
  auto shared = std::make_shared<const RankTable>(std::move(*ranks));
  std::lock_guard lock(mutex_);
  last_sequence_ = shared->size();
  last_sequence_published_.store(last_sequence_);
  if (!shared->empty()) recent_.emplace_back(shared->size(), shared->back().mod_revision);
  ranks_ = std::move(shared);
  ranks_revision_ = open_revision_;
  tail_.reset();
  return Status::Ok();
}

Status EtcdJournal::WriteAnchor(uint64_t watermark, storage::WriteBatch& batch) {
  int64_t revision = 0;
  {
    std::lock_guard lock(mutex_);
    const auto it = std::lower_bound(recent_.begin(), recent_.end(), watermark,
                                     [](const std::pair<uint64_t, int64_t>& entry, uint64_t value) {
                                       return entry.first < value;
                                     });
    if (watermark > 0) {
      if (it == recent_.end() || it->first != watermark) {
        return Status::Unavailable("the etcd revision of sequence " + std::to_string(watermark) +
                                   " is no longer known; the next pass takes a newer one");
      }
      revision = it->second;
      recent_.erase(recent_.begin(), it);  // older watermarks never come again
    }
  }
  std::string value;
  EncodeMetaU64(kAnchorSequenceKey, watermark, &value);
  batch.Put(kMetaColumnFamily, kAnchorSequenceKey, value);
  EncodeMetaU64(kAnchorRevisionKey, static_cast<uint64_t>(revision), &value);
  batch.Put(kMetaColumnFamily, kAnchorRevisionKey, value);
  EncodeMetaU64(kClusterIdKey, cluster_id_, &value);
  batch.Put(kMetaColumnFamily, kClusterIdKey, value);
  return Status::Ok();
}

// --- reads -----------------------------------------------------------------------

// The rank table and the revision it was read at: the one open read, or a
// new one (at open's revision before delivery starts, so that it agrees
// with last_sequence(); at the current revision after).
Result<std::pair<std::shared_ptr<const RankTable>, int64_t>> EtcdJournal::Ranks() {
  bool now = false;
  {
    std::lock_guard lock(mutex_);
    if (ranks_ != nullptr) return std::make_pair(ranks_, ranks_revision_);
    now = delivering_;
  }
  int64_t revision = now ? 0 : open_revision_;
  Result<RankTable> read = ReadRankTable(*client_, revision, &revision);
  if (!read.ok()) return read.status();
  auto ranks = std::make_shared<const RankTable>(std::move(*read));
  std::lock_guard lock(mutex_);
  if (!now) {
    ranks_ = ranks;
    ranks_revision_ = revision;
  }
  return std::make_pair(std::shared_ptr<const RankTable>(ranks), revision);
}

uint64_t EtcdJournal::last_sequence() const { return last_sequence_published_.load(std::memory_order_acquire); }

Result<uint64_t> EtcdJournal::LastRevision(std::string_view stream) {
  return ReadEtcdLastRevision(*client_, stream);
}

Result<std::optional<Event>> EtcdJournal::ReadEvent(std::string_view stream, uint64_t revision) {
  CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(stream));
  etcdserverpb::RangeRequest request;
  request.set_key(EventKey(stream, revision));
  Result<etcdserverpb::RangeResponse> response = client_->Range(request);
  if (!response.ok()) return response.status();
  if (response->kvs().empty()) return std::optional<Event>();
  Event event;
  const mvccpb::KeyValue& kv = response->kvs(0);
  CONNECTIVITY_RETURN_IF_ERROR(DecodeEtcdEvent(kv, 0, &event));
  std::shared_ptr<const RankTable> ranks;
  {
    std::lock_guard lock(mutex_);
    ranks = ranks_;
  }
  if (ranks != nullptr) event.sequence = RankedSequences(ranks)(kv.mod_revision());
  return std::optional<Event>(std::move(event));
}

std::unique_ptr<EventCursor> EtcdJournal::ReadStream(std::string_view stream, uint64_t from_revision,
                                                     uint64_t to_revision) {
  std::shared_ptr<const RankTable> ranks;
  {
    std::lock_guard lock(mutex_);
    ranks = ranks_;
  }
  return NewEtcdStreamCursor(client_, std::string(stream), from_revision, to_revision,
                             ranks != nullptr ? RankedSequences(ranks) : SequenceOf());
}

std::unique_ptr<EventCursor> EtcdJournal::ReadGlobal(uint64_t from_sequence) {
  from_sequence = std::max<uint64_t>(from_sequence, 1);
  std::shared_ptr<const std::vector<Event>> tail;
  std::shared_ptr<const RankTable> ranks;
  uint64_t tail_first = 0;
  {
    std::lock_guard lock(mutex_);
    tail = tail_;
    tail_first = tail_first_sequence_;
    ranks = ranks_;
  }
  if (tail != nullptr && from_sequence >= tail_first) return NewVectorCursor(tail, from_sequence - tail_first);
  auto read = Ranks();
  if (!read.ok()) return NewEtcdErrorCursor(read.status());
  ranks = read->first;
  return NewRankedCursor(client_, ranks, std::min<size_t>(from_sequence - 1, ranks->size()));
}

// The scans read the revision the ranks were taken at: the same events.
std::unique_ptr<EventCursor> EtcdJournal::ScanAll() {
  auto ranks = Ranks();
  if (!ranks.ok()) return NewEtcdErrorCursor(ranks.status());
  return NewEtcdScanCursor(client_, ranks->second, RankedSequences(ranks->first));
}

Status EtcdJournal::ForEachEvent(const EventVisitor& visit) {
  auto ranks = Ranks();
  if (!ranks.ok()) return ranks.status();
  return ScanEtcdEvents(*client_, ranks->second, RankedSequences(ranks->first), visit);
}

// Timestamps increase per stream only (several writers stamp them), so the
// answer is the smallest sequence of any event at or after the time.
Result<uint64_t> EtcdJournal::FirstSequenceAtOrAfter(int64_t timestamp_us) {
  uint64_t first = last_sequence() + 1;
  CONNECTIVITY_RETURN_IF_ERROR(ForEachEvent([&first, timestamp_us](const EventView& event) {
    if (event.timestamp_us >= timestamp_us && event.sequence != 0) first = std::min(first, event.sequence);
    return Status::Ok();
  }));
  return first;
}

// Tools (kSecondary): the journal as it is now.
Status EtcdJournal::Refresh() {
  if (options_.mode == OpenMode::kReadWrite) return Status::Ok();
  Result<int64_t> revision = client_->CurrentRevision();
  if (!revision.ok()) return revision.status();
  open_revision_ = *revision;
  if (local_ != nullptr && options_.mode == OpenMode::kSecondary && !local_is_temporary_) {
    CONNECTIVITY_RETURN_IF_ERROR(local_->CatchUpWithPrimary());
  }
  return PositionFull();
}

JournalStats EtcdJournal::Stats() {
  JournalStats stats;
  stats.last_sequence = last_sequence();
  etcdserverpb::StatusRequest request;
  etcdserverpb::StatusResponse response;
  const std::unique_ptr<grpc::ClientContext> context = client_->NewContext();
  if (client_->maintenance().Status(context.get(), request, &response).ok()) {
    stats.events_bytes = static_cast<uint64_t>(response.dbsize());
  }
  if (local_ != nullptr) {
    stats.snapshots_bytes = local_->ApproximateBytes(kStateColumnFamily) + local_->ApproximateBytes(kHistoryColumnFamily);
  }
  return stats;
}

}  // namespace connectivity::journal::etcd
