// The etcd journal against real etcd members (tests/cluster/etcd_members.h):
// the journal.h contract, several writers, reopening from local snapshots,
// the limits etcd sets, and appends whose outcome is unknown.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "journal/etcd/etcd_journal.h"
#include "journal/open.h"
#include "journal/snapshot_store.h"
#include "tests/cluster/etcd_members.h"
#include "tests/integration/server_process.h"

namespace connectivity::journal {
namespace {

using testing::EtcdMembers;
using testing::EtcdMembersOptions;
using testing::TempDir;

AppendRequest Request(std::string stream, uint64_t expected, std::string payload = "payload", uint8_t type = 1) {
  return AppendRequest{std::move(stream), expected, type, std::move(payload)};
}

Result<std::vector<Event>> Drain(EventCursor& cursor) {
  std::vector<Event> events;
  while (true) {
    Result<std::optional<Event>> next = cursor.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return events;
    events.push_back(std::move(**next));
  }
}

class EtcdJournalTest : public ::testing::Test {
 protected:
  std::unique_ptr<Journal> Open(const std::string& dir, OpenMode mode = OpenMode::kReadWrite) {
    JournalOptions options;
    options.uri = members_->uri();
    options.mode = mode;
    options.request_timeout_us = request_timeout_us_;
    Result<std::unique_ptr<Journal>> journal = OpenJournal(dir, options);
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    return journal.ok() ? std::move(*journal) : nullptr;
  }

  void StartMembers(EtcdMembersOptions options = {.members = 1, .flags = {}}) {
    members_ = std::make_unique<EtcdMembers>(options);
    ASSERT_TRUE(members_->ok()) << "etcd did not start (is etcd-server installed? scripts/setup)";
  }

  std::unique_ptr<EtcdMembers> members_;
  int64_t request_timeout_us_ = 5'000'000;
  TempDir local_a_;
  TempDir local_b_;
};

TEST_F(EtcdJournalTest, EveryReaderReturnsWhatWasAppended) {
  StartMembers();
  std::unique_ptr<Journal> journal = Open(local_a_.path());
  ASSERT_NE(journal, nullptr);
  EXPECT_EQ(journal->last_sequence(), 0u);
  std::vector<Event> appended;
  for (int i = 0; i < 3; ++i) {
    for (const char* stream : {"b", "a", "a:b"}) {
      Result<Event> event = journal->AppendAndWait(Request(stream, i, "p" + std::to_string(i)));
      ASSERT_TRUE(event.ok()) << event.status().ToString();
      appended.push_back(*event);
    }
  }
  for (size_t i = 0; i < appended.size(); ++i) EXPECT_EQ(appended[i].sequence, i + 1);
  EXPECT_EQ(journal->last_sequence(), 9u);
  Result<uint64_t> last = journal->LastRevision("a");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 3u);

  Result<std::vector<Event>> stream = Drain(*journal->ReadStream("a", 2, UINT64_MAX));
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ((*stream)[0].payload, "p1");
  EXPECT_EQ((*stream)[1].revision, 3u);
  EXPECT_LT((*stream)[0].timestamp_us, (*stream)[1].timestamp_us);

  Result<std::vector<Event>> global = Drain(*journal->ReadGlobal(4));
  ASSERT_TRUE(global.ok()) << global.status().ToString();
  ASSERT_EQ(global->size(), 6u);
  for (size_t i = 0; i < global->size(); ++i) {
    EXPECT_EQ((*global)[i].sequence, i + 4);
    EXPECT_EQ((*global)[i].stream, appended[i + 3].stream);
    EXPECT_EQ((*global)[i].timestamp_us, appended[i + 3].timestamp_us);
  }
  std::vector<std::pair<std::string, uint64_t>> scanned;
  ASSERT_TRUE(journal->ForEachEvent([&](const EventView& event) {
    scanned.emplace_back(std::string(event.stream), event.sequence);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(scanned.size(), 9u);
  EXPECT_EQ(scanned[0].first, "a");  // key order: "a" < "a:b" < "b"
  EXPECT_EQ(scanned[3].first, "a:b");
  EXPECT_EQ(scanned[0].second, 2u);  // the first "a" was the second append
  Result<std::optional<Event>> read = journal->ReadEvent("b", 2);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->payload, "p1");
}

TEST_F(EtcdJournalTest, WrongExpectedRevisionConflictsAndWritesNothing) {
  StartMembers();
  std::unique_ptr<Journal> journal = Open(local_a_.path());
  ASSERT_NE(journal, nullptr);
  ASSERT_TRUE(journal->AppendAndWait(Request("s", 0)).ok());
  EXPECT_TRUE(journal->AppendAndWait(Request("s", 0)).status().IsConflict());
  EXPECT_TRUE(journal->AppendAndWait(Request("s", 5)).status().IsConflict());
  EXPECT_TRUE(journal->AppendAndWait(Request("new", 3)).status().IsConflict());
  Result<uint64_t> last = journal->LastRevision("s");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 1u);
  EXPECT_EQ(journal->last_sequence(), 1u);
}

TEST_F(EtcdJournalTest, AnotherWritersEventsAreDeliveredInOrderWithTheSameSequences) {
  StartMembers();
  std::unique_ptr<Journal> a = Open(local_a_.path());
  std::unique_ptr<Journal> b = Open(local_b_.path());
  ASSERT_TRUE(a && b);
  std::mutex mutex;
  std::vector<Event> seen_by_b;
  b->SetExternalEventHandler([&](const Event& event) {
    std::lock_guard lock(mutex);
    seen_by_b.push_back(event);
  });
  std::vector<Event> from_a;
  for (int i = 0; i < 5; ++i) {
    Result<Event> event = a->AppendAndWait(Request("x", i, "v" + std::to_string(i)));
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    from_a.push_back(*event);
  }
  // b's barrier: once it returns, b has delivered everything committed before.
  std::promise<Status> barrier;
  b->AwaitCurrent([&barrier](const Status& status) { barrier.set_value(status); });
  ASSERT_TRUE(barrier.get_future().get().ok());
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen_by_b.size(), from_a.size());
  for (size_t i = 0; i < from_a.size(); ++i) {
    EXPECT_EQ(seen_by_b[i].sequence, from_a[i].sequence);
    EXPECT_EQ(seen_by_b[i].payload, from_a[i].payload);
    EXPECT_EQ(seen_by_b[i].timestamp_us, from_a[i].timestamp_us);
  }
  // b continues the stream where a left it: it knows the head from the watch.
  Result<Event> next = b->AppendAndWait(Request("x", 5));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->sequence, 6u);
  EXPECT_GT(next->timestamp_us, from_a.back().timestamp_us);
}

TEST_F(EtcdJournalTest, OfTwoConcurrentAppendsWithOneExpectationExactlyOneWins) {
  StartMembers();
  std::unique_ptr<Journal> a = Open(local_a_.path());
  std::unique_ptr<Journal> b = Open(local_b_.path());
  ASSERT_TRUE(a && b);
  for (int round = 0; round < 20; ++round) {
    const std::string stream = "race-" + std::to_string(round);
    std::promise<Status> first;
    std::promise<Status> second;
    a->Append(Request(stream, 0, "a"), [&first](const Status& s, const Event&) { first.set_value(s); });
    b->Append(Request(stream, 0, "b"), [&second](const Status& s, const Event&) { second.set_value(s); });
    const Status from_a = first.get_future().get();
    const Status from_b = second.get_future().get();
    EXPECT_NE(from_a.ok(), from_b.ok()) << from_a.ToString() << " / " << from_b.ToString();
    EXPECT_TRUE(from_a.ok() || from_a.IsConflict()) << from_a.ToString();
    EXPECT_TRUE(from_b.ok() || from_b.IsConflict()) << from_b.ToString();
    Result<uint64_t> last = a->LastRevision(stream);
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(*last, 1u);
  }
}

TEST_F(EtcdJournalTest, ReopenReplaysOnlyWhatTheLocalSnapshotsMissed) {
  StartMembers();
  {
    std::unique_ptr<Journal> a = Open(local_a_.path());
    ASSERT_NE(a, nullptr);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(a->AppendAndWait(Request("s", i)).ok());
    // A snapshot pass at sequence 4 (the rows' blobs are opaque here).
    ASSERT_TRUE(a->snapshots().WriteStateRows({StateRow{"s", "state-at-4"}}, 4, /*sync=*/true).ok());
  }
  {
    std::unique_ptr<Journal> b = Open(local_b_.path());
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->last_sequence(), 4u);
    // Enough that the watch reading them back takes a while (an early
    // "caught up" would lose some).
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(b->AppendAndWait(Request("t", i)).ok());
  }
  std::unique_ptr<Journal> a = Open(local_a_.path());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->last_sequence(), 304u);
  Result<uint64_t> watermark = a->snapshots().Watermark();
  ASSERT_TRUE(watermark.ok());
  EXPECT_EQ(*watermark, 4u);
  Result<std::vector<Event>> tail = Drain(*a->ReadGlobal(5));
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  ASSERT_EQ(tail->size(), 300u);
  EXPECT_EQ((*tail)[0].stream, "t");
  EXPECT_EQ((*tail)[0].sequence, 5u);
  EXPECT_EQ((*tail)[299].sequence, 304u);
  // The whole order is still there for whoever asks from the start.
  Result<std::vector<Event>> all = Drain(*a->ReadGlobal(1));
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 304u);
}

TEST_F(EtcdJournalTest, SnapshotsOfAnotherClusterAreDropped) {
  StartMembers();
  {
    std::unique_ptr<Journal> a = Open(local_a_.path());
    ASSERT_NE(a, nullptr);
    ASSERT_TRUE(a->AppendAndWait(Request("s", 0)).ok());
    ASSERT_TRUE(a->snapshots().WriteStateRows({StateRow{"s", "state"}}, 1, true).ok());
  }
  StartMembers();  // a new, empty cluster
  std::unique_ptr<Journal> a = Open(local_a_.path());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->last_sequence(), 0u);
  Result<uint64_t> watermark = a->snapshots().Watermark();
  ASSERT_TRUE(watermark.ok());
  EXPECT_EQ(*watermark, 0u);
}

TEST_F(EtcdJournalTest, EventsOverEtcdsRequestLimitAreRefusedBeforeSending) {
  StartMembers();
  std::unique_ptr<Journal> journal = Open(local_a_.path());
  ASSERT_NE(journal, nullptr);
  const size_t max = journal->payload_bytes_max();
  EXPECT_GT(max, 1500000u);
  EXPECT_LT(max, 1572864u);
  Status refused = journal->AppendAndWait(Request("big", 0, std::string(max + 1, 'x'))).status();
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument) << refused.ToString();
  Result<Event> largest = journal->AppendAndWait(Request("big", 0, std::string(max, 'x')));
  ASSERT_TRUE(largest.ok()) << largest.status().ToString();
  // Read back through gRPC's 4 MiB limit: pages shrink to fit.
  for (int i = 1; i < 4; ++i) ASSERT_TRUE(journal->AppendAndWait(Request("big", i, std::string(max, 'y'))).ok());
  Result<std::vector<Event>> events = Drain(*journal->ReadStream("big", 1, UINT64_MAX));
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->size(), 4u);
  Result<std::vector<Event>> global = Drain(*journal->ReadGlobal(1));
  ASSERT_TRUE(global.ok()) << global.status().ToString();
  EXPECT_EQ(global->size(), 4u);
}

TEST_F(EtcdJournalTest, NoSpaceAlarmRefusesWritesWithNoSpace) {
  StartMembers({.members = 1, .flags = {"--quota-backend-bytes", "3145728"}});
  std::unique_ptr<Journal> journal = Open(local_a_.path());
  ASSERT_NE(journal, nullptr);
  Status failed;
  for (int i = 0; i < 200 && failed.ok(); ++i) {
    failed = journal->AppendAndWait(Request("fill", i, std::string(200000, 'f'))).status();
  }
  ASSERT_TRUE(failed.IsNoSpace()) << failed.ToString();
  EXPECT_NE(failed.message().find("NOSPACE"), std::string::npos) << failed.message();
  EXPECT_TRUE(journal->health().IsNoSpace());
  std::string alarms;
  members_->Etcdctl("alarm list", &alarms);
  EXPECT_NE(alarms.find("NOSPACE"), std::string::npos) << alarms;
}

// Appends go on while a member is killed under them; every acknowledged
// append is in the journal exactly once, and none is there twice.
TEST_F(EtcdJournalTest, AppendsSurviveAMemberKilledMidTransaction) {
  StartMembers({.members = 3, .flags = {}});
  std::unique_ptr<Journal> journal = Open(local_a_.path());
  ASSERT_NE(journal, nullptr);
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::set<std::string> unknown;
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      const std::string stream = "w" + std::to_string(w);
      uint64_t revision = 0;
      for (int i = 0; !stop.load() && i < 2000; ++i) {
        const std::string payload = stream + "-" + std::to_string(i);
        Result<Event> event = journal->AppendAndWait(Request(stream, revision, payload));
        std::lock_guard lock(mutex);
        if (event.ok()) {
          acknowledged.insert(payload);
          revision = event->revision;
        } else {
          unknown.insert(payload);
          std::fprintf(stderr, "append %s: %s\n", payload.c_str(), event.status().ToString().c_str());
          Result<uint64_t> last = journal->LastRevision(stream);
          if (last.ok()) revision = *last;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  members_->Kill(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(members_->Start(0));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  members_->Kill(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (std::thread& writer : writers) writer.join();
  ASSERT_TRUE(members_->Start(1));
  ASSERT_TRUE(members_->WaitHealthy());

  std::map<std::string, int> stored;
  ASSERT_TRUE(journal->ForEachEvent([&](const EventView& event) {
    ++stored[std::string(event.payload)];
    return Status::Ok();
  }).ok());
  for (const auto& [payload, count] : stored) EXPECT_EQ(count, 1) << payload << " stored twice";
  for (const std::string& payload : acknowledged) EXPECT_EQ(stored.count(payload), 1u) << payload << " lost";
  for (const auto& [payload, count] : stored) {
    EXPECT_TRUE(acknowledged.count(payload) || unknown.count(payload)) << payload << " was never sent";
  }
  EXPECT_GT(acknowledged.size(), 100u);
  // Tries cut by the kill are retried, so almost every append is answered.
  EXPECT_LE(unknown.size() * 100, acknowledged.size()) << unknown.size() << " appends without an answer";
  const auto* etcd = dynamic_cast<etcd::EtcdJournal*>(journal.get());
  ASSERT_NE(etcd, nullptr);
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  RecordProperty("outcome_unknown", static_cast<int>(unknown.size()));
  RecordProperty("retries", static_cast<int>(etcd->TEST_retries()));
  RecordProperty("resolved_by_command_id", static_cast<int>(etcd->TEST_resolved()));
}

// The transaction was applied but its answer never came: the retry finds
// the append's own command id after the expected revision.
TEST_F(EtcdJournalTest, AnAppendWhoseOutcomeIsUnknownIsAnsweredOnceAndAppliedOnce) {
  StartMembers();
  std::unique_ptr<Journal> writer = Open(local_a_.path());
  std::unique_ptr<Journal> observer = Open(local_b_.path());
  ASSERT_TRUE(writer && observer);
  std::mutex mutex;
  std::vector<Event> seen;
  observer->SetExternalEventHandler([&](const Event& event) {
    std::lock_guard lock(mutex);
    seen.push_back(event);
  });
  auto* etcd = dynamic_cast<etcd::EtcdJournal*>(writer.get());
  ASSERT_NE(etcd, nullptr);
  etcd->TEST_LoseAnswers(1);
  etcd->TEST_HoldDelivery(true);  // the retry must settle it, not the watch
  std::atomic<int> answers{0};
  std::promise<Result<Event>> first;
  writer->Append(Request("u", 0, "once"), [&](const Status& status, const Event& event) {
    ++answers;
    if (status.ok()) {
      first.set_value(event);
    } else {
      first.set_value(status);
    }
  });
  std::future<Result<Event>> answered = first.get_future();
  for (int i = 0; i < 100 && etcd->TEST_resolved() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(answered.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
      << "answered before the local apply";
  etcd->TEST_HoldDelivery(false);
  Result<Event> event = answered.get();
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->revision, 1u);
  EXPECT_EQ(etcd->TEST_retries(), 1u);
  EXPECT_EQ(etcd->TEST_resolved(), 1u);
  // Applied once: one event in etcd, delivered once elsewhere, and the next append follows it.
  ASSERT_TRUE(writer->AppendAndWait(Request("u", 1, "next")).ok());
  std::promise<Status> barrier;
  observer->AwaitCurrent([&barrier](const Status& status) { barrier.set_value(status); });
  ASSERT_TRUE(barrier.get_future().get().ok());
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].payload, "once");
  EXPECT_EQ(seen[1].payload, "next");
  EXPECT_EQ(answers, 1);
}

TEST_F(EtcdJournalTest, WithoutAQuorumAppendsAndBarriersAnswerUnavailableInTime) {
  StartMembers({.members = 3, .flags = {}});
  request_timeout_us_ = 2'000'000;
  std::unique_ptr<Journal> journal = Open(local_a_.path());
  ASSERT_NE(journal, nullptr);
  ASSERT_TRUE(journal->AppendAndWait(Request("q", 0)).ok());
  members_->Kill(1);
  members_->Kill(2);
  const auto start = std::chrono::steady_clock::now();
  Status append = journal->AppendAndWait(Request("q", 1)).status();
  EXPECT_TRUE(append.IsUnavailable()) << append.ToString();
  std::promise<Status> barrier;
  journal->AwaitCurrent([&barrier](const Status& status) { barrier.set_value(status); });
  Status read = barrier.get_future().get();
  EXPECT_TRUE(read.IsUnavailable()) << read.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(6));
  ASSERT_TRUE(members_->Start(1));
  ASSERT_TRUE(members_->Start(2));
  ASSERT_TRUE(members_->WaitHealthy());
  // The outcome of the refused append was unknown: it may be there; decide on the truth.
  Result<uint64_t> last = journal->LastRevision("q");
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  Result<Event> resumed = journal->AppendAndWait(Request("q", *last));
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
}

}  // namespace
}  // namespace connectivity::journal
