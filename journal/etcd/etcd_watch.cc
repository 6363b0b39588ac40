#include "journal/etcd/etcd_watch.h"

#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>

#include "src/base/log.h"

namespace connectivity::journal::etcd {

EtcdWatch::EtcdWatch(std::shared_ptr<EtcdClient> client, std::string key, std::string range_end,
                     int64_t start_revision, Sink sink)
    : client_(std::move(client)),
      key_(std::move(key)),
      range_end_(std::move(range_end)),
      sink_(std::move(sink)),
      next_revision_(start_revision) {}

EtcdWatch::~EtcdWatch() { Stop(); }

void EtcdWatch::Start() {
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "etcd-watch");
}

void EtcdWatch::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EtcdWatch::RequestProgress() {
  etcdserverpb::WatchRequest request;
  request.mutable_progress_request();
  std::lock_guard lock(mutex_);
  if (stream_ != nullptr) stream_->Write(request);
}

void EtcdWatch::Run() {
  int64_t backoff_ms = 100;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const int64_t before = next_revision_;
    if (!RunStream()) return;
    if (next_revision_ > before) backoff_ms = 100;  // it made progress: retry soon
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [this] { return stopping_; });
    backoff_ms = std::min<int64_t>(backoff_ms * 2, 1000);
  }
}

bool EtcdWatch::RunStream() {
  grpc::ClientContext context;
  // A member without a leader cancels the watch rather than going quiet.
  context.AddMetadata("hasleader", "true");
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>> stream =
      client_->watch().Watch(&context);
  etcdserverpb::WatchRequest create;
  etcdserverpb::WatchCreateRequest* spec = create.mutable_create_request();
  spec->set_key(key_);
  spec->set_range_end(range_end_);
  spec->set_start_revision(next_revision_);
  spec->set_fragment(true);
  bool written = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return true;
    context_ = &context;
    written = stream->Write(create);
    if (written) stream_ = stream.get();
  }
  streams_opened_.fetch_add(1);
  bool go_on = true;
  WatchBatch batch;
  etcdserverpb::WatchResponse response;
  while (written && stream->Read(&response)) {
    if (response.canceled()) {
      if (response.compact_revision() != 0) {
        log::Warn("etcd", "the watch from revision " + std::to_string(next_revision_) +
                              " was refused: etcd compacted up to revision " +
                              std::to_string(response.compact_revision()));
        WatchBatch compacted;
        compacted.compacted_revision = response.compact_revision();
        sink_(std::move(compacted));
        go_on = false;
      }
      break;
    }
    if (response.created()) continue;
    for (mvccpb::Event& event : *response.mutable_events()) batch.events.push_back(std::move(event));
    if (response.fragment()) continue;
    if (batch.events.empty()) {
      batch.progress_revision = response.header().revision();
    } else {
      next_revision_ = batch.events.back().kv().mod_revision() + 1;
    }
    sink_(std::move(batch));
    batch = WatchBatch();
  }
  {
    std::lock_guard lock(mutex_);
    context_ = nullptr;
    stream_ = nullptr;
  }
  context.TryCancel();
  const grpc::Status status = stream->Finish();
  std::lock_guard lock(mutex_);
  if (!stopping_ && go_on) {
    log::Debug("etcd", "the watch stream ended (" + status.error_message() + "); reopening from revision " +
                           std::to_string(next_revision_));
  }
  return go_on;
}

}  // namespace connectivity::journal::etcd
