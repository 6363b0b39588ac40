// EtcdWatch: one etcd watch on a key range, from a revision on, kept alive
// across member failures (internal to journal/etcd/).
//
// A thread ("etcd-watch") opens a gRPC watch stream, asks for fragments (so
// no message exceeds gRPC's 4 MiB; etcd splits a revision's events at
// --max-request-bytes) and for the leader requirement (a member cut off from
// the quorum cancels the watch instead of going silent), reassembles
// fragments, and hands every response to `sink`:
//   * events, in revision order, each revision whole;
//   * a progress notification: every event up to `progress_revision` has
//     been handed over (answers RequestProgress(), which etcd 3.4 answers
//     only once the watch has caught up, so callers repeat it);
//   * compaction: the revision to resume from was compacted; the watch
//     stops and the owner decides (re-read what it missed, start anew).
// When the stream breaks it reopens from the revision after the last event
// handed over, after 100 ms to 1 s.
// Threads: `sink` runs on the watch thread and must not block for long.
#ifndef CONNECTIVITY_JOURNAL_ETCD_ETCD_WATCH_H_
#define CONNECTIVITY_JOURNAL_ETCD_ETCD_WATCH_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "journal/etcd/etcd_client.h"

namespace connectivity::journal::etcd {

struct WatchBatch {
  std::vector<mvccpb::Event> events;
  int64_t progress_revision = 0;   // set for a progress notification
  int64_t compacted_revision = 0;  // set when etcd compacted past the start
};

class EtcdWatch {
 public:
  using Sink = std::function<void(WatchBatch&& batch)>;

  EtcdWatch(std::shared_ptr<EtcdClient> client, std::string key, std::string range_end,
            int64_t start_revision, Sink sink);
  ~EtcdWatch();  // Stop()
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

  void Start();
  // Cancels the stream and joins the thread. Idempotent.
  void Stop();
  // Asks etcd for a progress notification (any thread).
  void RequestProgress();
  // Streams opened so far (1 + reconnects), for tests and logs.
  uint64_t streams_opened() const { return streams_opened_.load(); }

 private:
  void Run();
  // One stream, until it breaks or Stop(); false once compaction ended the watch.
  bool RunStream();

  const std::shared_ptr<EtcdClient> client_;
  const std::string key_;
  const std::string range_end_;
  const Sink sink_;
  int64_t next_revision_;  // watch thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                     // guarded by mutex_
  grpc::ClientContext* context_ = nullptr;    // guarded by mutex_: the open stream's
  grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>* stream_ =
      nullptr;                                // guarded by mutex_ (writes too)
  std::atomic<uint64_t> streams_opened_{0};
  std::thread thread_;
};

}  // namespace connectivity::journal::etcd

#endif  // CONNECTIVITY_JOURNAL_ETCD_ETCD_WATCH_H_
