// Goal: the group-commit writer shares one synced write among concurrent
// appenders (fewer batches than events), keeps per-stream revisions and the
// global sequence contiguous under concurrency, chains several requests for
// one stream inside one batch (a stale one fails alone), calls back in
// sequence order, and reports its figures in JournalMetrics.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "journal/journal.h"
#include "storage/fault_injection_fs.h"
#include "storage/temp_dir.h"
#include "tests/journal/journal_test_util.h"

namespace connectivity::journal {
namespace {

// Holds the sync thread inside the WAL sync of a batch (a slow disk) until
// Release(). With JournalOptions::unsynced_bytes_max = 1 (HeldOptions) the
// commit thread then waits for room before it takes the next batch, so the
// requests appended meanwhile all land in that batch. (Callbacks run on
// another thread, so holding one would not do.)
class CommitThreadGate {
 public:
  explicit CommitThreadGate(storage::FaultInjectionFileSystem& fs) : fs_(fs) { fs_.HoldSyncs(".log"); }
  void WaitUntilEntered() { fs_.WaitUntilSyncHeld(); }
  void Release() { fs_.ReleaseSyncs(); }

 private:
  storage::FaultInjectionFileSystem& fs_;
};

JournalOptions HeldOptions(const storage::FaultInjectionEnv& slow_disk) {
  JournalOptions options;
  options.env = slow_disk.env.get();
  options.unsynced_bytes_max = 1;  // one batch written but not synced, at most
  return options;
}

// Collects callback outcomes; Wait() blocks until `count` arrived.
class Outcomes {
 public:
  AppendCallback Callback(int tag) {
    return [this, tag](const Status& status, const Event& event) {
      std::lock_guard lock(mutex_);
      results_.push_back({tag, status, event});
      arrived_.notify_all();
    };
  }
  struct Outcome {
    int tag;
    Status status;
    Event event;
  };
  std::vector<Outcome> Wait(size_t count) {
    std::unique_lock lock(mutex_);
    arrived_.wait(lock, [&] { return results_.size() >= count; });
    return results_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Outcome> results_;
};

TEST(GroupCommitTest, ConcurrentAppendersShareSyncedWrites) {
  storage::ScopedTempDir temp("group-commit");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  constexpr int kThreads = 16;
  constexpr int kAppendsPerThread = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = "stream-" + std::to_string(t);
      for (uint64_t revision = 0; revision < kAppendsPerThread; ++revision) {
        Result<Event> event = journal->AppendAndWait(Request(stream, revision));
        if (!event.ok() || event->revision != revision + 1) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  constexpr uint64_t kEvents = kThreads * kAppendsPerThread;
  EXPECT_EQ(journal->last_sequence(), kEvents);

  const JournalMetrics metrics = journal->metrics();
  EXPECT_EQ(metrics.events_written, kEvents);
  EXPECT_LT(metrics.batches_written, kEvents) << "no two appends shared a synced write";
  EXPECT_EQ(metrics.batch_events.count, metrics.batches_written);
  EXPECT_EQ(metrics.batch_events.sum, kEvents);
  EXPECT_EQ(metrics.sync_write_latency_us.count, metrics.batches_written);
  EXPECT_EQ(metrics.append_latency_us.count, kEvents);

  // The global order is contiguous, and each stream's revisions increase
  // along it without gaps.
  Result<std::vector<Event>> global = Drain(*journal->ReadGlobal(1));
  ASSERT_RESULT_OK(global);
  ASSERT_EQ(global->size(), kEvents);
  std::map<std::string, uint64_t> last_revision;
  for (size_t i = 0; i < global->size(); ++i) {
    const Event& event = (*global)[i];
    EXPECT_EQ(event.sequence, i + 1);
    EXPECT_EQ(event.revision, ++last_revision[event.stream]) << event.stream;
  }
}

TEST(GroupCommitTest, RequestsForOneStreamChainInsideOneBatch) {
  storage::ScopedTempDir temp("group-commit");
  storage::FaultInjectionEnv slow_disk = storage::MakeFaultInjectionEnv();
  std::unique_ptr<Journal> journal = OpenJournal(temp.path(), HeldOptions(slow_disk));
  ASSERT_NE(journal, nullptr);
  CommitThreadGate gate(*slow_disk.fs);
  journal->Append(Request("s", 0), [](const Status&, const Event&) {});
  gate.WaitUntilEntered();  // revision 1 is in its sync; the commit thread waits for room
  Outcomes outcomes;
  journal->Append(Request("s", 1), outcomes.Callback(1));  // -> revision 2
  journal->Append(Request("s", 1), outcomes.Callback(2));  // stale: conflict
  journal->Append(Request("s", 2), outcomes.Callback(3));  // chains on 2 -> 3
  journal->Append(Request("t", 0), outcomes.Callback(4));  // another stream
  gate.Release();
  const std::vector<Outcomes::Outcome> results = outcomes.Wait(4);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_EQ(results[0].event.revision, 2u);
  EXPECT_EQ(results[1].status.code(), ErrorCode::kConflict);
  EXPECT_TRUE(results[2].status.ok());
  EXPECT_EQ(results[2].event.revision, 3u);
  EXPECT_TRUE(results[3].status.ok());
  EXPECT_EQ(results[3].event.revision, 1u);
  const JournalMetrics metrics = journal->metrics();
  EXPECT_EQ(metrics.batches_written, 2u) << "the four requests were not one batch";
  EXPECT_EQ(metrics.appends_rejected, 1u);
  EXPECT_EQ(metrics.batch_events.counts[2], 1u) << "no batch of 3 events (bucket 3..4)";
  EXPECT_EQ(journal->last_sequence(), 4u);
}

TEST(GroupCommitTest, CallbacksRunInSequenceOrderAfterTheWrite) {
  storage::ScopedTempDir temp("group-commit");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  Outcomes outcomes;
  constexpr int kAppends = 100;
  for (int i = 0; i < kAppends; ++i) {
    journal->Append(Request("s" + std::to_string(i % 7), static_cast<uint64_t>(i / 7)),
                    [&, i](const Status& status, const Event& event) {
                      // Durable and readable before the callback runs.
                      EXPECT_GE(journal->last_sequence(), event.sequence);
                      outcomes.Callback(i)(status, event);
                    });
  }
  const std::vector<Outcomes::Outcome> results = outcomes.Wait(kAppends);
  for (int i = 0; i < kAppends; ++i) {
    ASSERT_TRUE(results[i].status.ok()) << results[i].status.ToString();
    EXPECT_EQ(results[i].tag, i);
    EXPECT_EQ(results[i].event.sequence, static_cast<uint64_t>(i + 1));
  }
}

TEST(GroupCommitTest, BatchEventsMaxSplitsTheQueue) {
  storage::ScopedTempDir temp("group-commit");
  storage::FaultInjectionEnv slow_disk = storage::MakeFaultInjectionEnv();
  JournalOptions options = HeldOptions(slow_disk);
  options.batch_events_max = 2;
  std::unique_ptr<Journal> journal = OpenJournal(temp.path(), options);
  ASSERT_NE(journal, nullptr);
  CommitThreadGate gate(*slow_disk.fs);
  journal->Append(Request("held", 0), [](const Status&, const Event&) {});
  gate.WaitUntilEntered();
  Outcomes outcomes;
  for (int i = 0; i < 5; ++i) journal->Append(Request("s", i), outcomes.Callback(i));
  gate.Release();
  for (const Outcomes::Outcome& outcome : outcomes.Wait(5)) EXPECT_TRUE(outcome.status.ok());
  // 1 (held) + ceil(5 / 2) batches, none larger than 2 events.
  const JournalMetrics metrics = journal->metrics();
  EXPECT_EQ(metrics.batches_written, 4u);
  EXPECT_EQ(metrics.batch_events.counts[0] + metrics.batch_events.counts[1], 4u);
}

TEST(GroupCommitTest, CloseCompletesEverythingQueued) {
  storage::ScopedTempDir temp("group-commit");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  std::atomic<int> completed{0};
  for (uint64_t i = 0; i < 50; ++i) {
    journal->Append(Request("s", i), [&](const Status& status, const Event&) {
      if (status.ok()) completed.fetch_add(1);
    });
  }
  journal->Close();
  EXPECT_EQ(completed.load(), 50);
}

}  // namespace
}  // namespace connectivity::journal
