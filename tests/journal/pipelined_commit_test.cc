// Goal: the pipelined group commit (journal/group_commit.h) keeps "synced
// before the reply" and "no read beyond what is synced": a batch written
// (sync=false) but not yet synced is invisible to every API read and its
// callback has not run; the unsynced bound holds the commit thread; a WAL
// append that fails while a sync runs does not abort the process, the batch
// synced before it is acknowledged, and that append and every later one
// fail with a sticky kUnavailable with no further WAL sync; a failed sync
// likewise; and under random power cuts every acknowledged event survives
// (a ledger of acknowledgements checked after reopen). Real RocksDB over
// the fault-injection file system.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "journal/journal.h"
#include "journal/journal_testing.h"
#include "storage/fault_injection_fs.h"
#include "storage/temp_dir.h"
#include "tests/journal/journal_test_util.h"

namespace connectivity::journal {
namespace {

// Collects callback outcomes in arrival order.
class Outcomes {
 public:
  AppendCallback Callback() {
    return [this](const Status& status, const Event& event) {
      std::lock_guard lock(mutex_);
      results_.push_back({status, event});
      arrived_.notify_all();
    };
  }
  struct Outcome {
    Status status;
    Event event;
  };
  std::vector<Outcome> Wait(size_t count) {
    std::unique_lock lock(mutex_);
    arrived_.wait(lock, [&] { return results_.size() >= count; });
    return results_;
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return results_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Outcome> results_;
};

class PipelinedCommitTest : public ::testing::Test {
 protected:
  PipelinedCommitTest() : temp_("pipelined-commit"), fault_(storage::MakeFaultInjectionEnv()) {
    options_.env = fault_.env.get();
  }

  void Open() {
    journal_.reset();
    journal_ = OpenJournal(temp_.path(), options_);
    ASSERT_NE(journal_, nullptr);
  }

  // Written to RocksDB, synced or not (bypasses the watermark).
  bool InRocksDb(const std::string& stream, uint64_t revision) {
    Result<std::optional<std::string>> raw = TEST_ReadRawEvent(*journal_, stream, revision);
    EXPECT_TRUE(raw.ok()) << raw.status().ToString();
    return raw.ok() && raw->has_value();
  }

  storage::ScopedTempDir temp_;
  storage::FaultInjectionEnv fault_;
  JournalOptions options_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(PipelinedCommitTest, ReadersNeverSeeAnEventBeyondTheSyncedWatermark) {
  Open();
  ASSERT_RESULT_OK(journal_->AppendAndWait(Request("s", 0, "one")));
  fault_.fs->HoldSyncs(".log");
  Outcomes outcomes;
  journal_->Append(Request("s", 1, "two"), outcomes.Callback());
  fault_.fs->WaitUntilSyncHeld();  // "two" is written; its sync is held

  ASSERT_TRUE(InRocksDb("s", 2)) << "the batch is not written before its sync";
  EXPECT_EQ(outcomes.count(), 0u) << "a callback ran before the sync";
  EXPECT_EQ(journal_->last_sequence(), 1u);
  Result<uint64_t> last = journal_->LastRevision("s");
  ASSERT_RESULT_OK(last);
  EXPECT_EQ(*last, 1u);
  Result<std::optional<Event>> event = journal_->ReadEvent("s", 2);
  ASSERT_RESULT_OK(event);
  EXPECT_FALSE(event->has_value());
  Result<std::vector<Event>> stream = Drain(*journal_->ReadStream("s", 1, ~uint64_t{0}));
  ASSERT_RESULT_OK(stream);
  EXPECT_EQ(stream->size(), 1u);
  Result<std::vector<Event>> global = Drain(*journal_->ReadGlobal(1));
  ASSERT_RESULT_OK(global);
  EXPECT_EQ(global->size(), 1u);
  Result<std::vector<Event>> scan = Drain(*journal_->ScanAll());
  ASSERT_RESULT_OK(scan);
  EXPECT_EQ(scan->size(), 1u);
  size_t visited = 0;
  ASSERT_OK(journal_->ForEachEvent([&](const EventView&) {
    ++visited;
    return Status::Ok();
  }));
  EXPECT_EQ(visited, 1u);

  fault_.fs->ReleaseSyncs();
  const std::vector<Outcomes::Outcome> results = outcomes.Wait(1);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_EQ(journal_->last_sequence(), 2u);
  event = journal_->ReadEvent("s", 2);
  ASSERT_RESULT_OK(event);
  ASSERT_TRUE(event->has_value());
  EXPECT_EQ((*event)->payload, "two");
  global = Drain(*journal_->ReadGlobal(1));
  ASSERT_RESULT_OK(global);
  EXPECT_EQ(global->size(), 2u);
  last = journal_->LastRevision("s");
  ASSERT_RESULT_OK(last);
  EXPECT_EQ(*last, 2u);
}

TEST_F(PipelinedCommitTest, TheUnsyncedBoundHoldsTheCommitThread) {
  options_.unsynced_bytes_max = 1;  // one written batch waits for its sync, at most
  Open();
  fault_.fs->HoldSyncs(".log");
  Outcomes outcomes;
  journal_->Append(Request("a", 0), outcomes.Callback());
  fault_.fs->WaitUntilSyncHeld();
  journal_->Append(Request("b", 0), outcomes.Callback());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(InRocksDb("b", 1)) << "written beyond the unsynced bound";
  fault_.fs->ReleaseSyncs();
  for (const Outcomes::Outcome& outcome : outcomes.Wait(2)) EXPECT_TRUE(outcome.status.ok());
  EXPECT_TRUE(InRocksDb("b", 1));
}

TEST_F(PipelinedCommitTest, WithoutTheBoundTheNextBatchIsWrittenDuringTheSync) {
  Open();
  fault_.fs->HoldSyncs(".log");
  Outcomes outcomes;
  journal_->Append(Request("a", 0), outcomes.Callback());
  fault_.fs->WaitUntilSyncHeld();
  journal_->Append(Request("b", 0), outcomes.Callback());
  // The overlap: "b" reaches RocksDB while "a"'s sync still runs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!InRocksDb("b", 1) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(InRocksDb("b", 1)) << "the commit thread waited for the running sync";
  EXPECT_EQ(outcomes.count(), 0u);
  fault_.fs->ReleaseSyncs();
  const std::vector<Outcomes::Outcome> results = outcomes.Wait(2);
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_TRUE(results[1].status.ok());
  EXPECT_LT(results[0].event.sequence, results[1].event.sequence) << "completed out of order";
}

TEST_F(PipelinedCommitTest, FailedAppendWhileASyncRunsIsStickyWithoutAnotherSync) {
  options_.unsynced_bytes_max = 1 << 20;
  Open();
  fault_.fs->HoldSyncs(".log");
  Outcomes outcomes;
  journal_->Append(Request("a", 0, "synced"), outcomes.Callback());
  fault_.fs->WaitUntilSyncHeld();  // "a" is in its sync
  const uint64_t syncs = TEST_WalSyncs(*journal_);
  fault_.fs->SetFaults(storage::Faults{.fail_append = true, .file_suffix = ".log"});
  journal_->Append(Request("b", 0, "failed"), outcomes.Callback());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // "b"'s append fails meanwhile
  fault_.fs->ReleaseSyncs();
  const std::vector<Outcomes::Outcome> results = outcomes.Wait(2);
  // "a" was written before the failure and its sync began before it too.
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_EQ(results[1].status.code(), ErrorCode::kUnavailable) << results[1].status.ToString();
  EXPECT_GT(fault_.fs->injected_failures(), 0u);
  EXPECT_EQ(journal_->health().code(), ErrorCode::kUnavailable);

  fault_.fs->ClearFaults();
  EXPECT_EQ(journal_->AppendAndWait(Request("c", 0)).status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(TEST_WalSyncs(*journal_), syncs) << "a WAL sync ran after the failed append";
  EXPECT_EQ(journal_->last_sequence(), 1u);

  Open();  // a restart: "a" is there
  Result<std::optional<Event>> a = journal_->ReadEvent("a", 1);
  ASSERT_RESULT_OK(a);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->payload, "synced");
  EXPECT_TRUE(journal_->AppendAndWait(Request("c", 0)).ok());
}

TEST_F(PipelinedCommitTest, FailedSyncFailsTheBatchesItCoveredAndStopsSyncing) {
  Open();
  ASSERT_RESULT_OK(journal_->AppendAndWait(Request("a", 0)));
  fault_.fs->SetFaults(storage::Faults{.fail_sync = true, .file_suffix = ".log"});
  Outcomes outcomes;
  for (int i = 0; i < 8; ++i) journal_->Append(Request("s" + std::to_string(i), 0), outcomes.Callback());
  for (const Outcomes::Outcome& outcome : outcomes.Wait(8)) {
    EXPECT_EQ(outcome.status.code(), ErrorCode::kUnavailable) << outcome.status.ToString();
  }
  EXPECT_GT(fault_.fs->injected_failures(), 0u);
  const uint64_t syncs = TEST_WalSyncs(*journal_);
  fault_.fs->ClearFaults();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(journal_->AppendAndWait(Request("t", 0)).status().code(), ErrorCode::kUnavailable);
  }
  EXPECT_EQ(TEST_WalSyncs(*journal_), syncs) << "a WAL sync ran after the failed one";
  EXPECT_EQ(journal_->last_sequence(), 1u) << "the watermark moved past an unsynced batch";
  Result<std::vector<Event>> global = Drain(*journal_->ReadGlobal(1));
  ASSERT_RESULT_OK(global);
  EXPECT_EQ(global->size(), 1u);
}

// Appenders on several threads, a power cut after a random number of file
// writes; every acknowledged event must be there after the reopen.
TEST_F(PipelinedCommitTest, RandomPowerCutsKeepEveryAcknowledgedEvent) {
  constexpr int kRounds = 12;
  constexpr int kThreads = 8;
  constexpr int kStreamsPerThread = 3;
  std::mt19937_64 random(20261208);
  std::atomic<int> cuts{0};
  size_t acknowledged_total = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    storage::ScopedTempDir temp("pipelined-power-cut");
    storage::FaultInjectionEnv fault = storage::MakeFaultInjectionEnv();
    JournalOptions options;
    options.env = fault.env.get();
    // Some rounds keep at most one batch unsynced, others let many pile up.
    options.unsynced_bytes_max = round % 3 == 0 ? 1 : (round % 3 == 1 ? 4096 : 16u << 20);
    options.batch_events_max = round % 2 == 0 ? 4 : 4096;
    std::unique_ptr<Journal> journal = OpenJournal(temp.path(), options);
    ASSERT_NE(journal, nullptr);
    const uint64_t cut_after = 20 + random() % 400;
    fault.fs->PlanPowerLoss(cut_after, [fs = fault.fs.get(), &cuts] {
      fs->SimulateCrash();
      cuts.fetch_add(1);
    });

    std::mutex ledger_mutex;
    std::map<std::pair<std::string, uint64_t>, Event> ledger;  // acknowledged
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t, seed = random()] {
        std::mt19937_64 local(seed);
        std::vector<uint64_t> revisions(kStreamsPerThread, 0);
        for (int i = 0; i < 2000; ++i) {
          const int s = static_cast<int>(local() % kStreamsPerThread);
          const std::string stream = "t" + std::to_string(t) + "-" + std::to_string(s);
          const std::string payload(1 + local() % 2048, static_cast<char>('a' + i % 26));
          Result<Event> event = journal->AppendAndWait(Request(stream, revisions[s], payload));
          if (!event.ok()) return;  // the power is out (sticky from now on)
          revisions[s] = event->revision;
          std::lock_guard lock(ledger_mutex);
          ledger[{event->stream, event->revision}] = *event;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    fault.fs->SimulateCrash();  // if the plan was not reached
    journal.reset();
    ASSERT_OK(fault.fs->DropUnsyncedData());

    journal = OpenJournal(temp.path(), options);
    ASSERT_NE(journal, nullptr);
    acknowledged_total += ledger.size();
    for (const auto& [key, acknowledged] : ledger) {
      Result<std::optional<Event>> read = journal->ReadEvent(key.first, key.second);
      ASSERT_RESULT_OK(read);
      ASSERT_TRUE(read->has_value()) << key.first << " rev " << key.second
                                     << " was acknowledged and lost (cut after " << cut_after
                                     << " writes)";
      ExpectSameEvent(**read, acknowledged);
    }
    // What survived is a consistent journal (contiguous order, streams).
    Result<std::vector<Event>> global = Drain(*journal->ReadGlobal(1));
    ASSERT_RESULT_OK(global);
    EXPECT_GE(global->size(), ledger.size());
    EXPECT_EQ(global->size(), journal->last_sequence());
    ASSERT_RESULT_OK(Drain(*journal->ScanAll()));
    Result<uint64_t> last = journal->LastRevision("t0-0");
    ASSERT_RESULT_OK(last);
    EXPECT_TRUE(journal->AppendAndWait(Request("t0-0", *last)).ok());
    journal.reset();
  }
  EXPECT_EQ(cuts.load(), kRounds) << "a round ended before its power cut";
  EXPECT_GT(acknowledged_total, static_cast<size_t>(kRounds)) << "nothing was acknowledged";
}

}  // namespace
}  // namespace connectivity::journal
