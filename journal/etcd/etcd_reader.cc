#include "journal/etcd/etcd_reader.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "journal/codec.h"
#include "journal/etcd/etcd_watch.h"

namespace connectivity::journal::etcd {
namespace {

// Point reads per transaction (etcd allows 128 operations per transaction).
constexpr size_t kValuesPerTxn = 64;
// Keys per page of a stream read.
constexpr int64_t kStreamPageKeys = 256;

class ErrorCursor final : public EventCursor {
 public:
  explicit ErrorCursor(Status status) : status_(std::move(status)) {}
  Result<std::optional<Event>> Next() override { return status_; }

 private:
  Status status_;
};

class VectorCursor final : public EventCursor {
 public:
  VectorCursor(std::shared_ptr<const std::vector<Event>> events, size_t next)
      : events_(std::move(events)), next_(next) {}
  Result<std::optional<Event>> Next() override {
    if (events_ == nullptr || next_ >= events_->size()) return std::optional<Event>();
    return std::optional<Event>((*events_)[next_++]);
  }

 private:
  std::shared_ptr<const std::vector<Event>> events_;
  size_t next_;
};

class RankedCursor final : public EventCursor {
 public:
  RankedCursor(std::shared_ptr<EtcdClient> client, std::shared_ptr<const RankTable> ranks, size_t next)
      : client_(std::move(client)), ranks_(std::move(ranks)), next_(next) {}

  Result<std::optional<Event>> Next() override {
    if (!error_.ok()) return error_;
    if (buffered_next_ >= buffer_.size()) {
      if (next_ >= ranks_->size()) return std::optional<Event>();
      error_ = Fill();
      if (!error_.ok()) return error_;
    }
    return std::optional<Event>(std::move(buffer_[buffered_next_++]));
  }

 private:
  // Reads the values of the next keys, in one transaction.
  Status Fill() {
    buffer_.clear();
    buffered_next_ = 0;
    std::vector<mvccpb::KeyValue> values;
    CONNECTIVITY_RETURN_IF_ERROR(ReadValues(*client_, *ranks_, next_, &values));
    for (const mvccpb::KeyValue& kv : values) {
      Event event;
      CONNECTIVITY_RETURN_IF_ERROR(DecodeEtcdEvent(kv, ++next_, &event));
      buffer_.push_back(std::move(event));
    }
    return Status::Ok();
  }

  std::shared_ptr<EtcdClient> client_;
  std::shared_ptr<const RankTable> ranks_;
  size_t next_;
  std::vector<Event> buffer_;
  size_t buffered_next_ = 0;
  Status error_;
};

class StreamCursor final : public EventCursor {
 public:
  StreamCursor(std::shared_ptr<EtcdClient> client, std::string stream, uint64_t from, uint64_t to,
               SequenceOf sequence_of)
      : client_(std::move(client)),
        stream_(std::move(stream)),
        expected_(std::max<uint64_t>(from, 1)),
        to_(to),
        sequence_of_(std::move(sequence_of)) {
    next_key_ = EventKey(stream_, expected_);
  }

  Result<std::optional<Event>> Next() override {
    if (!error_.ok()) return error_;
    if (buffered_next_ >= buffer_.size()) {
      if (ended_) return std::optional<Event>();
      error_ = Fill();
      if (!error_.ok()) return error_;
      if (buffer_.empty()) return std::optional<Event>();
    }
    return std::optional<Event>(std::move(buffer_[buffered_next_++]));
  }

 private:
  Status Fill() {
    buffer_.clear();
    buffered_next_ = 0;
    if (expected_ > to_) {
      ended_ = true;
      return Status::Ok();
    }
    etcdserverpb::RangeRequest request;
    request.set_key(next_key_);
    request.set_range_end(to_ == UINT64_MAX ? StreamEventsEnd(stream_) : EventKey(stream_, to_ + 1));
    request.set_limit(page_);
    etcdserverpb::RangeResponse response;
    const std::unique_ptr<grpc::ClientContext> context = client_->NewContext();
    const grpc::Status status = client_->kv().Range(context.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && page_ > 1) {
      page_ /= 2;
      return Fill();
    }
    if (!status.ok()) return ToStatus(status, "reading the events of '" + stream_ + "'");
    for (const mvccpb::KeyValue& kv : response.kvs()) {
      Event event;
      CONNECTIVITY_RETURN_IF_ERROR(DecodeEtcdEvent(kv, sequence_of_ ? sequence_of_(kv.mod_revision()) : 0, &event));
      if (event.stream != stream_ || event.revision != expected_) {
        return Status::Corruption(DescribeEtcdKey(kv.key()) + ": expected revision " +
                                  std::to_string(expected_) + " of '" + stream_ + "' (a gap)");
      }
      ++expected_;
      buffer_.push_back(std::move(event));
    }
    if (!response.more()) ended_ = true;
    next_key_ = EventKey(stream_, expected_);
    return Status::Ok();
  }

  std::shared_ptr<EtcdClient> client_;
  const std::string stream_;
  uint64_t expected_;
  const uint64_t to_;
  SequenceOf sequence_of_;
  std::string next_key_;
  int64_t page_ = kStreamPageKeys;
  std::vector<Event> buffer_;
  size_t buffered_next_ = 0;
  bool ended_ = false;
  Status error_;
};

// Every event in key order at one revision, page by page.
class ScanCursor final : public EventCursor {
 public:
  ScanCursor(std::shared_ptr<EtcdClient> client, int64_t revision, SequenceOf sequence_of)
      : client_(std::move(client)), revision_(revision), sequence_of_(std::move(sequence_of)) {
    next_key_ = EventsBegin();
  }

  Result<std::optional<Event>> Next() override {
    if (!error_.ok()) return error_;
    if (buffered_next_ >= buffer_.size()) {
      if (ended_) return std::optional<Event>();
      error_ = Fill();
      if (!error_.ok()) return error_;
      if (buffer_.empty()) return std::optional<Event>();
    }
    return std::optional<Event>(std::move(buffer_[buffered_next_++]));
  }

 private:
  Status Fill() {
    buffer_.clear();
    buffered_next_ = 0;
    etcdserverpb::RangeRequest request;
    request.set_key(next_key_);
    request.set_range_end(EventsEnd());
    request.set_limit(page_);
    request.set_revision(revision_);
    etcdserverpb::RangeResponse response;
    const std::unique_ptr<grpc::ClientContext> context = client_->NewContext();
    const grpc::Status status = client_->kv().Range(context.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && page_ > 1) {
      page_ /= 2;
      return Fill();
    }
    if (!status.ok()) return ToStatus(status, "scanning the events");
    if (revision_ == 0) revision_ = response.header().revision();
    for (const mvccpb::KeyValue& kv : response.kvs()) {
      Event event;
      CONNECTIVITY_RETURN_IF_ERROR(DecodeEtcdEvent(kv, sequence_of_ ? sequence_of_(kv.mod_revision()) : 0, &event));
      if (event.stream != stream_) {
        stream_ = event.stream;
        last_revision_ = 0;
      }
      if (event.revision != last_revision_ + 1) {
        return Status::Corruption(DescribeEtcdKey(kv.key()) + ": expected revision " +
                                  std::to_string(last_revision_ + 1) + " (a gap)");
      }
      last_revision_ = event.revision;
      buffer_.push_back(std::move(event));
    }
    if (!response.more() || response.kvs().empty()) {
      ended_ = true;
    } else {
      next_key_ = response.kvs(response.kvs_size() - 1).key();
      next_key_.push_back('\0');
    }
    return Status::Ok();
  }

  std::shared_ptr<EtcdClient> client_;
  int64_t revision_;
  SequenceOf sequence_of_;
  std::string next_key_;
  int64_t page_ = kStreamPageKeys;
  std::string stream_;
  uint64_t last_revision_ = 0;
  std::vector<Event> buffer_;
  size_t buffered_next_ = 0;
  bool ended_ = false;
  Status error_;
};

}  // namespace

std::unique_ptr<EventCursor> NewEtcdScanCursor(std::shared_ptr<EtcdClient> client, int64_t revision,
                                               SequenceOf sequence_of) {
  return std::make_unique<ScanCursor>(std::move(client), revision, std::move(sequence_of));
}

SequenceOf RankedSequences(std::shared_ptr<const RankTable> ranks) {
  return [ranks = std::move(ranks)](int64_t mod_revision) -> uint64_t {
    const auto it = std::lower_bound(ranks->begin(), ranks->end(), mod_revision,
                                     [](const RankedKey& ranked, int64_t value) { return ranked.mod_revision < value; });
    if (it == ranks->end() || it->mod_revision != mod_revision) return 0;
    return static_cast<uint64_t>(it - ranks->begin()) + 1;
  };
}

Status DecodeEtcdEvent(const mvccpb::KeyValue& kv, uint64_t sequence, Event* event, CommandId* command_id) {
  std::string_view stream;
  uint64_t revision = 0;
  if (!ParseEventKey(kv.key(), &stream, &revision)) {
    return Status::Corruption(DescribeEtcdKey(kv.key()) + ": not an event key");
  }
  Record record;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeRecord(kv.key(), kv.value(), &record));
  if (record.type == 0) return Status::Corruption(DescribeEtcdKey(kv.key()) + ": event type 0");
  event->stream.assign(stream);
  event->revision = revision;
  event->sequence = sequence;
  event->timestamp_us = record.timestamp_us;
  event->type = record.type;
  event->payload.assign(record.payload);
  if (command_id != nullptr) *command_id = record.command_id;
  return Status::Ok();
}

Result<RankTable> ReadRankTable(EtcdClient& client, int64_t revision, int64_t* revision_read) {
  RankTable ranks;
  etcdserverpb::RangeRequest request;
  request.set_key(EventsBegin());
  request.set_range_end(EventsEnd());
  request.set_keys_only(true);
  int64_t read = revision;
  CONNECTIVITY_RETURN_IF_ERROR(client.RangeAll(
      request, revision,
      [&ranks](const mvccpb::KeyValue& kv) {
        ranks.push_back(RankedKey{kv.mod_revision(), kv.key()});
        return Status::Ok();
      },
      &read));
  std::sort(ranks.begin(), ranks.end(),
            [](const RankedKey& a, const RankedKey& b) { return a.mod_revision < b.mod_revision; });
  for (size_t i = 1; i < ranks.size(); ++i) {
    if (ranks[i].mod_revision == ranks[i - 1].mod_revision) {
      return Status::Corruption(DescribeEtcdKey(ranks[i].key) + " and " + DescribeEtcdKey(ranks[i - 1].key) +
                                " were written by one transaction (mod_revision " +
                                std::to_string(ranks[i].mod_revision) + ")");
    }
  }
  if (revision_read != nullptr) *revision_read = read;
  return ranks;
}

Status ReadValues(EtcdClient& client, const RankTable& ranks, size_t first,
                  std::vector<mvccpb::KeyValue>* values) {
  size_t count = std::min(kValuesPerTxn, ranks.size() - first);
  while (count > 0) {
    etcdserverpb::TxnRequest request;
    for (size_t i = 0; i < count; ++i) {
      request.add_success()->mutable_request_range()->set_key(ranks[first + i].key);
    }
    etcdserverpb::TxnResponse response;
    const std::unique_ptr<grpc::ClientContext> context = client.NewContext();
    const grpc::Status status = client.kv().Txn(context.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && count > 1 &&
        status.error_message().find("space exceeded") == std::string::npos) {
      count /= 2;  // the answer would pass gRPC's 4 MiB
      continue;
    }
    if (!status.ok()) return ToStatus(status, "reading events in revision order");
    for (size_t i = 0; i < count; ++i) {
      const RankedKey& ranked = ranks[first + i];
      auto* kvs = response.mutable_responses(static_cast<int>(i))->mutable_response_range()->mutable_kvs();
      if (kvs->empty()) return Status::Corruption(DescribeEtcdKey(ranked.key) + ": vanished while reading");
      if ((*kvs)[0].mod_revision() != ranked.mod_revision) {
        return Status::Corruption(DescribeEtcdKey(ranked.key) + ": was rewritten (mod_revision " +
                                  std::to_string((*kvs)[0].mod_revision()) + ", was " +
                                  std::to_string(ranked.mod_revision) + ")");
      }
      values->push_back(std::move((*kvs)[0]));
    }
    return Status::Ok();
  }
  return Status::Ok();
}

std::unique_ptr<EventCursor> NewRankedCursor(std::shared_ptr<EtcdClient> client,
                                             std::shared_ptr<const RankTable> ranks, size_t first) {
  return std::make_unique<RankedCursor>(std::move(client), std::move(ranks), first);
}

std::unique_ptr<EventCursor> NewVectorCursor(std::shared_ptr<const std::vector<Event>> events, size_t first) {
  return std::make_unique<VectorCursor>(std::move(events), first);
}

std::unique_ptr<EventCursor> NewEtcdStreamCursor(std::shared_ptr<EtcdClient> client, std::string stream,
                                                 uint64_t from_revision, uint64_t to_revision,
                                                 SequenceOf sequence_of) {
  if (Status valid = ValidateStream(stream); !valid.ok()) return NewEtcdErrorCursor(valid);
  return std::make_unique<StreamCursor>(std::move(client), std::move(stream), from_revision, to_revision,
                                        std::move(sequence_of));
}

std::unique_ptr<EventCursor> NewEtcdErrorCursor(Status status) {
  return std::make_unique<ErrorCursor>(std::move(status));
}

Status ScanEtcdEvents(EtcdClient& client, int64_t revision, const SequenceOf& sequence_of,
                      const EventVisitor& visit) {
  etcdserverpb::RangeRequest request;
  request.set_key(EventsBegin());
  request.set_range_end(EventsEnd());
  std::string stream;
  uint64_t last_revision = 0;
  return client.RangeAll(request, revision, [&](const mvccpb::KeyValue& kv) {
    std::string_view key_stream;
    uint64_t key_revision = 0;
    if (!ParseEventKey(kv.key(), &key_stream, &key_revision)) {
      return Status::Corruption(DescribeEtcdKey(kv.key()) + ": not an event key");
    }
    if (key_stream != stream) {
      stream.assign(key_stream);
      last_revision = 0;
    }
    if (key_revision != last_revision + 1) {
      return Status::Corruption(DescribeEtcdKey(kv.key()) + ": expected revision " +
                                std::to_string(last_revision + 1) + " (a gap)");
    }
    last_revision = key_revision;
    Record record;
    CONNECTIVITY_RETURN_IF_ERROR(DecodeRecord(kv.key(), kv.value(), &record));
    const uint64_t sequence = sequence_of ? sequence_of(kv.mod_revision()) : 0;
    return visit(EventView{key_stream, key_revision, sequence, record.timestamp_us, record.type, record.payload});
  });
}

Result<uint64_t> ReadEtcdLastRevision(EtcdClient& client, std::string_view stream) {
  CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(stream));
  etcdserverpb::RangeRequest request;
  const std::string key = HeadKey(stream);
  request.set_key(key);
  Result<etcdserverpb::RangeResponse> response = client.Range(request);
  if (!response.ok()) return response.status();
  if (response->kvs().empty()) return uint64_t{0};
  Head head;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeHead(key, response->kvs(0).value(), &head));
  return head.revision;
}

Result<std::vector<mvccpb::KeyValue>> ReadByWatch(std::shared_ptr<EtcdClient> client, int64_t from, int64_t to) {
  std::vector<mvccpb::KeyValue> events;
  if (from > to) return events;
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  Status outcome;
  int64_t reached = from - 1;
  int64_t marker = INT64_MAX;  // the marker's revision, once written
  EtcdWatch watch(client, PrefixBegin(), PrefixEnd(), from, [&](WatchBatch&& batch) {
    std::lock_guard lock(mutex);
    if (finished) return;
    if (batch.compacted_revision != 0) {
      outcome = Status::NotFound("etcd compacted the journal's history up to revision " +
                                 std::to_string(batch.compacted_revision));
      finished = true;
    }
    for (mvccpb::Event& event : batch.events) {
      reached = std::max(reached, event.kv().mod_revision());
      if (event.kv().mod_revision() > to) continue;
      if (event.type() == mvccpb::Event::PUT && IsEventKey(event.kv().key())) {
        events.push_back(std::move(*event.mutable_kv()));
      }
    }
    if (reached >= marker) finished = true;
    if (finished) done.notify_all();
  });
  watch.Start();
  // etcd 3.4.23 answers a progress request at once, even before the watch
  // has caught up, so it proves nothing: the end is a marker written now,
  // whose revision is past `to`, seen through this very watch.
  Result<int64_t> written = PutSyncMarker(*client);
  if (!written.ok()) {
    watch.Stop();
    return written.status();
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::microseconds(std::max<int64_t>(client->options().request_timeout_us, 1) * 12);
  {
    std::unique_lock lock(mutex);
    marker = *written;
    if (reached >= marker) finished = true;
    if (!done.wait_until(lock, deadline, [&] { return finished; })) {
      outcome = Status::Unavailable("etcd's watch did not reach revision " + std::to_string(marker) + " in time");
      finished = true;
    }
  }
  watch.Stop();
  if (!outcome.ok()) return outcome;
  return events;
}

Result<int64_t> PutSyncMarker(EtcdClient& client) {
  etcdserverpb::PutRequest request;
  request.set_key(SyncMarkerKey());
  request.set_value("sync");
  Result<etcdserverpb::PutResponse> response = client.Put(request);
  if (!response.ok()) return response.status();
  return response->header().revision();
}

}  // namespace connectivity::journal::etcd
