#include "journal/etcd/etcd_journal.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <random>

#include "journal/codec.h"
#include "journal/etcd/etcd_pending.h"
#include "src/base/log.h"

namespace connectivity::journal::etcd {
namespace {

using SteadyClock = std::chrono::steady_clock;

uint64_t MicrosSince(SteadyClock::time_point start) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count();
  return micros > 0 ? static_cast<uint64_t>(micros) : 0;
}

Event StreamOnly(std::string stream) {
  Event event;
  event.stream = std::move(stream);
  return event;
}

// A transaction's bytes beyond the payload: the record's header and
// checksum, the head, three keys (event, head, compare) and gRPC framing.
constexpr size_t kTxnOverheadBytes =
    kRecordOverheadBytes + kHeadBytes + 3 * (32 + kStreamBytesMax) + 256;

}  // namespace

EtcdJournal::EtcdJournal(std::shared_ptr<EtcdClient> client, const JournalOptions& options)
    : client_(std::move(client)),
      options_(options),
      clock_(options.clock != nullptr ? options.clock : SystemClock::Instance()) {
  std::random_device random;
  instance_nonce_ = (static_cast<uint64_t>(random()) << 32) ^ random() ^
                    static_cast<uint64_t>(SteadyClock::now().time_since_epoch().count());
}

EtcdJournal::~EtcdJournal() {
  Close();
  snapshots_.reset();
  if (local_ != nullptr) (void)local_->Close();
  local_.reset();
  if (local_is_temporary_) {
    std::error_code ignored;
    std::filesystem::remove_all(local_dir_, ignored);
  }
}

size_t EtcdJournal::payload_bytes_max() const {
  if (options_.request_bytes_max <= kTxnOverheadBytes) return 0;
  return std::min(options_.request_bytes_max - kTxnOverheadBytes, kPayloadBytesMax);
}

void EtcdJournal::TEST_HoldDelivery(bool hold) {
  {
    std::lock_guard lock(mutex_);
    hold_delivery_ = hold;
  }
  wake_.notify_all();
}

uint64_t EtcdJournal::TEST_watch_streams() const {
  std::lock_guard lock(mutex_);
  return watch_ != nullptr ? watch_->streams_opened() : 0;
}

// --- appends -----------------------------------------------------------------

void EtcdJournal::Append(AppendRequest request, AppendCallback done) {
  Status valid = ValidateStream(request.stream);
  if (valid.ok() && request.type == 0) valid = Status::InvalidArgument("event type 0 is invalid");
  if (valid.ok() && request.payload.size() > payload_bytes_max()) {
    valid = Status::InvalidArgument("the event payload has " + std::to_string(request.payload.size()) +
                                    " bytes, at most " + std::to_string(payload_bytes_max()) +
                                    " fit etcd's --max-request-bytes of " +
                                    std::to_string(options_.request_bytes_max));
  }
  if (options_.mode != OpenMode::kReadWrite) valid = Status::Unavailable("the etcd journal is open read-only");
  if (!valid.ok()) {
    counters_.appends_rejected.fetch_add(1, std::memory_order_relaxed);
    return done(valid, StreamOnly(std::move(request.stream)));
  }
  StartDelivery();
  auto pending = std::make_shared<Pending>();
  pending->enqueued = SteadyClock::now();
  pending->deadline = pending->enqueued + std::chrono::microseconds(options_.request_timeout_us);
  const uint64_t counter = command_counter_.fetch_add(1) + 1;
  for (int i = 0; i < 8; ++i) {
    pending->command_id[i] = static_cast<uint8_t>(instance_nonce_ >> (56 - 8 * i));
    pending->command_id[8 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
  }
  pending->done = std::move(done);
  pending->request = std::move(request);
  const AppendRequest& req = pending->request;
  std::optional<int64_t> conflict_at;
  {
    std::unique_lock lock(mutex_);
    Status refused = closing_ ? Status::Unavailable("the journal is closed") : sticky_;
    if (!refused.ok()) {
      lock.unlock();
      counters_.appends_failed.fetch_add(1, std::memory_order_relaxed);
      return pending->done(refused, StreamOnly(std::move(pending->request.stream)));
    }
    const auto known = known_.find(req.stream);
    if (known == known_.end()) {
      if (req.expected_revision == 0) pending->compare_mod_revision = 0;
    } else if (known->second.revision == req.expected_revision) {
      pending->compare_mod_revision = known->second.mod_revision;
      pending->previous_timestamp_us = known->second.timestamp_us;
    } else if (known->second.revision > req.expected_revision) {
      conflict_at = known->second.mod_revision;
    }
    pending_.emplace(pending->command_id, pending);
  }
  PostAt(pending->deadline, [this, pending] {
    const Status unsettled = Status::Unavailable(
        "etcd did not settle the append within the request timeout (no quorum?); "
        "the change may or may not have been stored: read the connection to know");
    if (Complete(pending, unsettled, StreamOnly(pending->request.stream))) SetReachable(unsettled);
  });
  if (conflict_at) {
    return CompleteConflictAt(pending, *conflict_at,
                              "stream '" + req.stream + "' moved past revision " +
                                  std::to_string(req.expected_revision));
  }
  if (pending->compare_mod_revision < 0) return SendAfterHeadRead(pending);
  Send(pending);
}

Result<Event> EtcdJournal::AppendAndWait(AppendRequest request) {
  auto promise = std::make_shared<std::promise<Result<Event>>>();
  std::future<Result<Event>> future = promise->get_future();
  Append(std::move(request), [promise](const Status& status, const Event& event) {
    if (status.ok()) {
      promise->set_value(event);
    } else {
      promise->set_value(status);
    }
  });
  return future.get();
}

// The head's mod_revision is not known (a stream not seen since open):
// read it, then send the transaction.
void EtcdJournal::SendAfterHeadRead(const std::shared_ptr<Pending>& pending) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    etcdserverpb::RangeRequest request;
    etcdserverpb::RangeResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context = client_->NewContext();
  call->request.set_key(HeadKey(pending->request.stream));
  client_->kv().async()->Range(call->context.get(), &call->request, &call->response,
                               [this, pending, call](grpc::Status status) {
    if (!status.ok()) {
      if (OutcomeUnknown(status) && SteadyClock::now() < pending->deadline) {
        return PostAt(SteadyClock::now() + std::chrono::milliseconds(100),
                      [this, pending] { SendAfterHeadRead(pending); });
      }
      return Fail(pending, ToStatus(status, "reading the head of '" + pending->request.stream + "'"));
    }
    const uint64_t expected = pending->request.expected_revision;
    Head head;
    int64_t mod_revision = 0;
    if (!call->response.kvs().empty()) {
      const mvccpb::KeyValue& kv = call->response.kvs(0);
      if (Status decoded = DecodeHead(kv.key(), kv.value(), &head); !decoded.ok()) return Fail(pending, decoded);
      mod_revision = kv.mod_revision();
    }
    if (head.revision != expected) {
      return CompleteConflictAt(pending, mod_revision,
                                "stream '" + pending->request.stream + "' is at revision " +
                                    std::to_string(head.revision) + ", the append expected revision " +
                                    std::to_string(expected));
    }
    pending->compare_mod_revision = mod_revision;
    pending->previous_timestamp_us = head.timestamp_us;
    Send(pending);
  });
}

void EtcdJournal::Send(const std::shared_ptr<Pending>& pending) {
  {
    std::lock_guard lock(mutex_);
    if (pending->completed) return;
  }
  const AppendRequest& request = pending->request;
  if (pending->record.empty()) {
    // Stamped once: a retry sends the very same event.
    const int64_t timestamp = std::max(clock_->NowMicros(), pending->previous_timestamp_us + 1);
    pending->event_key = EventKey(request.stream, request.expected_revision + 1);
    pending->head_key = HeadKey(request.stream);
    EncodeRecord(pending->event_key, Record{request.type, timestamp, pending->command_id, request.payload},
                 &pending->record);
    pending->head = EncodeHead(pending->head_key, Head{request.expected_revision + 1, timestamp});
  }
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    etcdserverpb::TxnRequest request;
    etcdserverpb::TxnResponse response;
    SteadyClock::time_point start;
  };
  auto call = std::make_shared<Call>();
  // Each try gets a quarter of the request timeout: a try that went to a
  // follower whose leader just died waits for etcd's own timeout (longer
  // than ours) otherwise, while a new try reaches the new leader.
  const int64_t left_us = std::chrono::duration_cast<std::chrono::microseconds>(pending->deadline - SteadyClock::now()).count();
  const int64_t try_us = std::min(left_us, std::max<int64_t>(options_.request_timeout_us / 4, 500'000));
  call->context = client_->NewContext(std::max<int64_t>(try_us, 1000));
  etcdserverpb::Compare* compare = call->request.add_compare();
  compare->set_key(pending->head_key);
  compare->set_result(etcdserverpb::Compare::EQUAL);
  if (pending->compare_mod_revision == 0) {
    compare->set_target(etcdserverpb::Compare::CREATE);
    compare->set_create_revision(0);
  } else {
    compare->set_target(etcdserverpb::Compare::MOD);
    compare->set_mod_revision(pending->compare_mod_revision);
  }
  etcdserverpb::PutRequest* put_event = call->request.add_success()->mutable_request_put();
  put_event->set_key(pending->event_key);
  put_event->set_value(pending->record);
  etcdserverpb::PutRequest* put_head = call->request.add_success()->mutable_request_put();
  put_head->set_key(pending->head_key);
  put_head->set_value(pending->head);
  call->request.add_failure()->mutable_request_range()->set_key(pending->head_key);
  call->request.add_failure()->mutable_request_range()->set_key(pending->event_key);
  ++pending->attempts;
  call->start = SteadyClock::now();
  client_->kv().async()->Txn(call->context.get(), &call->request, &call->response,
                             [this, pending, call](grpc::Status status) {
    counters_.sync_write_latency_us.Record(MicrosSince(call->start));
    if (status.ok() && call->response.succeeded() && lose_answers_.load() > 0 && lose_answers_.fetch_sub(1) > 0) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "answer lost (test)");
    }
    if (status.ok() && !call->response.succeeded()) {
      return OnCompareFailed(pending, call->response);
    }
    OnTxn(pending, status);
  });
}

void EtcdJournal::OnTxn(const std::shared_ptr<Pending>& pending, const grpc::Status& status) {
  if (status.ok()) {
    // Committed: the watch delivers it and completes the append.
    SetReachable(Status::Ok());
    std::lock_guard lock(space_mutex_);
    space_ = Status::Ok();
    return;
  }
  if (OutcomeUnknown(status)) {
    if (SteadyClock::now() >= pending->deadline) return;  // the deadline task answers
    retries_.fetch_add(1);
    const int64_t backoff_ms = std::min<int64_t>(50LL << std::min(pending->attempts, 4), 500);
    return PostAt(SteadyClock::now() + std::chrono::milliseconds(backoff_ms), [this, pending] { Send(pending); });
  }
  Status failed = ToStatus(status, "appending to '" + pending->request.stream + "'");
  if (failed.IsNoSpace()) {
    std::lock_guard lock(space_mutex_);
    if (space_.ok()) log::Error("journal", failed.message());
    space_ = failed;
  }
  Fail(pending, failed);
}

void EtcdJournal::OnCompareFailed(const std::shared_ptr<Pending>& pending,
                                  const etcdserverpb::TxnResponse& response) {
  const std::string& stream = pending->request.stream;
  const uint64_t expected = pending->request.expected_revision;
  const auto& heads = response.responses(0).response_range().kvs();
  const auto& events = response.responses(1).response_range().kvs();
  Head head;
  int64_t head_mod_revision = 0;
  if (!heads.empty()) {
    if (Status decoded = DecodeHead(heads[0].key(), heads[0].value(), &head); !decoded.ok()) {
      return Fail(pending, decoded);
    }
    head_mod_revision = heads[0].mod_revision();
  }
  if (!events.empty()) {
    Record record;
    if (Status decoded = DecodeRecord(events[0].key(), events[0].value(), &record); !decoded.ok()) {
      return Fail(pending, decoded);
    }
    // An earlier try of this append was applied: the watch completes it.
    if (record.command_id == pending->command_id) {
      resolved_.fetch_add(1);
      return;
    }
    return CompleteConflictAt(pending, head_mod_revision,
                              "stream '" + stream + "' is at revision " + std::to_string(head.revision) +
                                  ", the append expected revision " + std::to_string(expected));
  }
  if (!heads.empty() && head.revision == expected && pending->attempts < 3) {
    // Only the head's mod_revision was not the one known: compare with the
    // real one (an import rewrote heads, or it was read before a restore).
    pending->compare_mod_revision = head_mod_revision;
    return Send(pending);
  }
  CompleteConflictAt(pending, head_mod_revision,
                     "stream '" + stream + "' is at revision " + std::to_string(head.revision) +
                         ", the append expected revision " + std::to_string(expected));
}

void EtcdJournal::CompleteConflictAt(const std::shared_ptr<Pending>& pending, int64_t revision, std::string why) {
  WhenDelivered(revision, [this, pending, why = std::move(why)] {
    Complete(pending, Status::Conflict(why), StreamOnly(pending->request.stream));
  });
}

void EtcdJournal::Fail(const std::shared_ptr<Pending>& pending, const Status& status) {
  Post([this, pending, status] { Complete(pending, status, StreamOnly(pending->request.stream)); });
}

bool EtcdJournal::Complete(const std::shared_ptr<Pending>& pending, const Status& status, Event event) {
  {
    std::lock_guard lock(mutex_);
    if (pending->completed) return false;
    pending->completed = true;
    pending_.erase(pending->command_id);
  }
  if (status.ok()) {
    counters_.batches_written.fetch_add(1, std::memory_order_relaxed);
    counters_.events_written.fetch_add(1, std::memory_order_relaxed);
    counters_.batch_events.Record(1);
    counters_.append_latency_us.Record(MicrosSince(pending->enqueued));
  } else if (status.IsConflict() || status.code() == ErrorCode::kInvalidArgument) {
    counters_.appends_rejected.fetch_add(1, std::memory_order_relaxed);
  } else {
    counters_.appends_failed.fetch_add(1, std::memory_order_relaxed);
  }
  pending->done(status, event);
  return true;
}

void EtcdJournal::SetReachable(const Status& status) {
  std::lock_guard lock(space_mutex_);
  if (reachable_.ok() != status.ok()) {
    if (status.ok()) {
      log::Info("journal", "etcd answers again");
    } else {
      log::Warn("journal", "etcd does not answer (" + status.message() + "); writes and linearizable reads answer 503");
    }
  }
  reachable_ = status;
}

Status EtcdJournal::health() const {
  {
    std::lock_guard lock(mutex_);
    if (!sticky_.ok()) return sticky_;
  }
  std::lock_guard lock(space_mutex_);
  return space_.ok() ? reachable_ : space_;
}

// --- close -------------------------------------------------------------------

void EtcdJournal::Close() {
  std::lock_guard close_lock(close_mutex_);
  {
    std::unique_lock lock(mutex_);
    if (closing_ && !delivery_thread_.joinable()) return;
    closing_ = true;
  }
  wake_.notify_all();
  // The delivery thread ends once every append and waiter is settled: by
  // the watch, or by their deadlines (the request timeout).
  if (delivery_thread_.joinable()) delivery_thread_.join();
  std::unique_ptr<EtcdWatch> watch;
  {
    std::lock_guard lock(mutex_);
    watch = std::move(watch_);
  }
  if (watch != nullptr) watch->Stop();
}

Status EtcdJournal::Flush() {
  if (local_ == nullptr || options_.mode != OpenMode::kReadWrite) {
    return Status::InvalidArgument("the journal is open read-only");
  }
  return local_->Flush();
}

}  // namespace connectivity::journal::etcd
