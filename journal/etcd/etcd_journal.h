// EtcdJournal: the journal of cluster mode (SPEC §8) on an etcd cluster,
// behind the same journal.h contract as the RocksDB journal. The key layout
// and the global order are in etcd_codec.h.
//
// Write path (per append; many run at once over one gRPC channel)
//   1. Append() checks the request and queues nothing: it sends one
//      transaction at once (gRPC's callback API): "the head's mod_revision
//      is the one the stream had at the expected revision" -> put the record
//      (type, timestamp, a fresh command id, payload, checksum) and the head.
//      The head's mod_revision comes from the events delivered so far; a
//      stream not seen since open reads its head first.
//   2. Committed: nothing is answered yet. The watch delivers the event (in
//      etcd's revision order, with the next sequence), and only then does
//      the append's callback run, so a reply follows the local apply.
//   3. Compare failed: the transaction's else branch read the head and the
//      event after the expected revision. If that event carries our command
//      id, an earlier try of this same append won: as 2. Otherwise another
//      writer won: the callback gets kConflict once the watch has delivered
//      the winner, so the caller decides again on fresh state.
//   4. No answer (member gone, deadline, no quorum): the outcome is unknown;
//      the same transaction (same command id) is sent again until it is
//      decided by 2 or 3, or the request timeout passes (kUnavailable: the
//      event may still arrive later, through the watch, as an event of
//      another writer: applied once, never answered twice).
//   etcd's NOSPACE alarm answers kNoSpace (no change was made); an event
//   over --max-request-bytes is refused before it is sent (kInvalidArgument).
// Delivery ("journal-done" thread): every watch response, in revision
// order. Each new event key gets the next sequence, updates the stream's
// head in memory, and goes to its append's callback if it is ours
// (matched by command id, whether or not the transaction's answer has
// arrived), else to the external handler. Keys that are not events
// (heads, src/cluster's members) only advance the delivered revision.
// Read barrier (AwaitCurrent): one quorum read gives etcd's revision R
// (concurrent barriers share a read); the callback runs once the delivered
// revision reaches R (a sync marker covers revisions of keys outside the
// journal's prefix, which the watch never sees).
// Open
//   The local snapshot store (RocksDB in the data dir) remembers the etcd
//   revision its watermark stands for, and the etcd cluster id. If both
//   are usable, the events after it are read by a watch from there (only
//   what was missed); otherwise (first start, another cluster, compacted)
//   the local snapshots are dropped and the whole order is read (a scan of
//   every event key, then the values in revision order, 64 per
//   transaction). ReadGlobal(watermark + 1) serves what open read.
// Threads: Append, reads and AwaitCurrent from any thread; callbacks and the
// external handler on "journal-done"; transactions' answers on gRPC's
// threads; the watch on "etcd-watch".
#ifndef CONNECTIVITY_JOURNAL_ETCD_ETCD_JOURNAL_H_
#define CONNECTIVITY_JOURNAL_ETCD_ETCD_JOURNAL_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "journal/etcd/etcd_client.h"
#include "journal/etcd/etcd_codec.h"
#include "journal/etcd/etcd_reader.h"
#include "journal/etcd/etcd_watch.h"
#include "journal/journal.h"
#include "journal/snapshot_store_impl.h"
#include "storage/store.h"

namespace connectivity::journal::etcd {

class EtcdJournal final : public Journal {
 public:
  static Result<std::unique_ptr<Journal>> Open(const std::string& dir, const JournalOptions& options);
  ~EtcdJournal() override;

  void Append(AppendRequest request, AppendCallback done) override;
  Result<Event> AppendAndWait(AppendRequest request) override;
  Status health() const override;
  void Close() override;
  Status Flush() override;

  uint64_t last_sequence() const override;
  Result<uint64_t> LastRevision(std::string_view stream) override;
  Result<std::optional<Event>> ReadEvent(std::string_view stream, uint64_t revision) override;
  std::unique_ptr<EventCursor> ReadStream(std::string_view stream, uint64_t from_revision,
                                          uint64_t to_revision) override;
  std::unique_ptr<EventCursor> ReadGlobal(uint64_t from_sequence) override;
  std::unique_ptr<EventCursor> ScanAll() override;
  Status ForEachEvent(const EventVisitor& visit) override;
  Result<uint64_t> FirstSequenceAtOrAfter(int64_t timestamp_us) override;
  Status Refresh() override;
  JournalStats Stats() override;
  SnapshotStore& snapshots() override { return *snapshots_; }
  JournalMetrics metrics() const override { return counters_.Snapshot(); }

  void SetExternalEventHandler(ExternalEventHandler handler) override;
  bool shared() const override { return true; }
  void AwaitCurrent(std::function<void(const Status&)> done) override;
  size_t payload_bytes_max() const override;

  // For tests: watch streams opened (reconnects + 1) and transactions resent.
  uint64_t TEST_watch_streams() const;
  uint64_t TEST_retries() const { return retries_.load(); }
  // Tries whose compare failed on an event of this very append (an earlier
  // try had been applied): answered once, applied once.
  uint64_t TEST_resolved() const { return resolved_.load(); }
  // The answers of the next `count` committed transactions are dropped, as
  // if the member died after applying them: their outcome is unknown.
  void TEST_LoseAnswers(int count) { lose_answers_.store(count); }
  // While held, watch responses wait (nothing is delivered).
  void TEST_HoldDelivery(bool hold);

 private:
  struct Pending;
  struct Known {  // a stream as the delivered events left it
    uint64_t revision = 0;
    int64_t mod_revision = 0;
    int64_t timestamp_us = 0;
  };
  using Task = std::function<void()>;
  // Sequence -> etcd revision of the latest delivered events, for the
  // snapshot anchor; a snapshot pass covers far fewer (every 5 s).
  static constexpr size_t kRecentMax = 1u << 22;

  EtcdJournal(std::shared_ptr<EtcdClient> client, const JournalOptions& options);

  // --- open (etcd_journal_open.cc) ---
  Status OpenLocal(const std::string& dir);
  Status Initialize();
  Status Position();
  Status PositionFromAnchor(uint64_t watermark, int64_t anchor);
  Status PositionFull();
  Status WriteAnchor(uint64_t watermark, storage::WriteBatch& batch);
  Result<std::pair<std::shared_ptr<const RankTable>, int64_t>> Ranks();

  // --- appends ---
  void Send(const std::shared_ptr<Pending>& pending);
  void SendAfterHeadRead(const std::shared_ptr<Pending>& pending);
  void OnTxn(const std::shared_ptr<Pending>& pending, const grpc::Status& status);
  void OnCompareFailed(const std::shared_ptr<Pending>& pending, const etcdserverpb::TxnResponse& response);
  // Completes `pending` once (later calls do nothing); on the delivery thread.
  bool Complete(const std::shared_ptr<Pending>& pending, const Status& status, Event event);
  // health() follows whether etcd answers: kUnavailable after an append or a
  // quorum read timed out, OK again at the next that succeeds.
  void SetReachable(const Status& status);
  void CompleteConflictAt(const std::shared_ptr<Pending>& pending, int64_t revision, std::string why);
  void Fail(const std::shared_ptr<Pending>& pending, const Status& status);

  // --- delivery and the read barrier (etcd_delivery.cc) ---
  void StartDelivery();
  void RunDelivery();
  void OnWatch(WatchBatch&& batch);
  void Deliver(const mvccpb::Event& event);
  void DeliverEvent(const mvccpb::KeyValue& kv);
  void Advance(int64_t revision);
  // Runs `task` on the delivery thread once the delivered revision reaches
  // `revision` (at once there if it has).
  void WhenDelivered(int64_t revision, Task task);
  void Post(Task task);
  void PostAt(std::chrono::steady_clock::time_point at, Task task);
  void ReadMissed();
  void StartBarrierRead();
  void RequestMarker();

  const std::shared_ptr<EtcdClient> client_;
  const JournalOptions options_;
  const Clock* const clock_;

  // Local snapshots.
  std::string local_dir_;
  bool local_is_temporary_ = false;
  std::unique_ptr<storage::Store> local_;
  std::atomic<storage::Store*> local_current_{nullptr};
  std::unique_ptr<SnapshotStoreImpl> snapshots_;

  uint64_t cluster_id_ = 0;
  int64_t open_revision_ = 0;  // etcd's revision when the journal opened (or Refresh)
  // What open read for ReadGlobal(watermark + 1), and the order of every event
  // key (full open, tools); shared with cursors.
  std::shared_ptr<const std::vector<Event>> tail_;
  uint64_t tail_first_sequence_ = 0;
  std::shared_ptr<const RankTable> ranks_;  // guarded by mutex_
  int64_t ranks_revision_ = 0;              // guarded by mutex_

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WatchBatch> batches_;                           // guarded by mutex_
  std::deque<Task> tasks_;                                   // guarded by mutex_
  std::multimap<std::chrono::steady_clock::time_point, Task> timers_;  // guarded by mutex_
  std::multimap<int64_t, Task> waiters_;                     // guarded by mutex_: by revision
  std::unordered_map<std::string, Known> known_;             // guarded by mutex_
  std::map<CommandId, std::shared_ptr<Pending>> pending_;    // guarded by mutex_
  std::deque<std::pair<uint64_t, int64_t>> recent_;          // guarded by mutex_: sequence -> revision
  uint64_t last_sequence_ = 0;                               // guarded by mutex_
  int64_t delivered_revision_ = 0;                           // guarded by mutex_
  bool marker_in_flight_ = false;                            // guarded by mutex_
  bool hold_delivery_ = false;                               // guarded by mutex_ (tests)
  bool closing_ = false;                                     // guarded by mutex_
  bool delivering_ = false;                                  // guarded by mutex_
  Status sticky_;                                            // guarded by mutex_: a corrupt event delivered
  std::vector<std::function<void(const Status&)>> barrier_next_;  // guarded by mutex_
  bool barrier_reading_ = false;                             // guarded by mutex_
  ExternalEventHandler external_;                            // set before delivery starts

  mutable std::mutex space_mutex_;
  Status space_;  // guarded by space_mutex_: etcd's NOSPACE alarm, until a write succeeds
  Status reachable_;  // guarded by space_mutex_: see SetReachable
  std::atomic<uint64_t> last_sequence_published_{0};
  std::atomic<uint64_t> command_counter_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> resolved_{0};
  std::atomic<int> lose_answers_{0};
  uint64_t instance_nonce_ = 0;
  JournalCounters counters_;
  std::unique_ptr<EtcdWatch> watch_;
  std::thread delivery_thread_;
  std::mutex close_mutex_;
};

}  // namespace connectivity::journal::etcd

#endif  // CONNECTIVITY_JOURNAL_ETCD_ETCD_JOURNAL_H_
