// Real instances (build/connectivityd --journal etcd://...) on real etcd
// members: the projection every instance keeps, conflicts across
// instances, restarts from local snapshots, reads without a quorum.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "tests/cluster/cluster_env.h"

namespace connectivity::testing {
namespace {

TEST(ClusterInstancesTest, AWriteOnOneInstanceIsReadOnTheOthers) {
  ClusterEnv cluster(3, 3);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  ASSERT_EQ(cluster.Rest(0, "PUT", "/c-1", ClosedConnection()).status, 201);
  for (int i = 1; i < 3; ++i) {
    // Linearizable by default: the very next read on another instance sees it.
    HttpResponse read = cluster.Rest(i, "GET", "/c-1");
    EXPECT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.Header("etag"), "\"rev:1\"");
  }
  ASSERT_EQ(cluster.Rest(2, "POST", "/c-1/command", "connectivity.commands:closeConnection",
                         {"correlation-id: close-on-2"}, "text/plain")
                .status,
            200);
  HttpResponse history = cluster.Rest(1, "GET", "/c-1/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_NE(history.body.find("connectionClosed"), std::string::npos) << history.body;
  // The audit trail travels through etcd with the event: who closed it, on instance 2.
  EXPECT_NE(history.body.find(R"("_metadata":{"audit":{"user":"devops","clientAddress":"127.0.0.1",)"
                              R"("correlationId":"close-on-2","route":"rest"}})"),
            std::string::npos)
      << history.body;
  HttpResponse ids = cluster.Rest(0, "GET", "");
  EXPECT_NE(ids.body.find("\"c-1\""), std::string::npos) << ids.body;
  // A create of the same id on another instance conflicts, as on one server.
  HttpResponse again = cluster.Piggyback(1, CreateCommand("c-1"));
  EXPECT_NE(again.body.find("connection.conflict"), std::string::npos) << again.body;
}

TEST(ClusterInstancesTest, TwoInstancesModifyingWithOneIfMatchExactlyOneWins) {
  ClusterEnv cluster(3, 2);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  for (int round = 0; round < 10; ++round) {
    const std::string id = "/race-" + std::to_string(round);
    ASSERT_EQ(cluster.Rest(0, "PUT", id, ClosedConnection()).status, 201);
    std::promise<long> from_0;
    std::promise<long> from_1;
    std::thread a([&] { from_0.set_value(cluster.Rest(0, "PUT", id, ClosedConnection("a/#"), {"If-Match: \"rev:1\""}).status); });
    std::thread b([&] { from_1.set_value(cluster.Rest(1, "PUT", id, ClosedConnection("b/#"), {"If-Match: \"rev:1\""}).status); });
    a.join();
    b.join();
    const long first = from_0.get_future().get();
    const long second = from_1.get_future().get();
    EXPECT_TRUE((first == 204 && second == 412) || (first == 412 && second == 204)) << first << " " << second;
    EXPECT_EQ(cluster.Rest(0, "GET", id).Header("etag"), "\"rev:2\"");
    EXPECT_EQ(cluster.Rest(1, "GET", id).Header("etag"), "\"rev:2\"");
  }
}

// A refusal (404, 409, 412) is decided on state as current as etcd's: an
// instance whose watch has not yet delivered another's acknowledged write
// must not refuse on what it has (found by the crash test with 3 instances).
TEST(ClusterInstancesTest, ARefusalIsNeverDecidedOnStateBehindAnAcknowledgedWrite) {
  ClusterEnv cluster(1, 2);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  for (int i = 0; i < 60; ++i) {
    const std::string id = "/fresh-" + std::to_string(i);
    ASSERT_EQ(cluster.Rest(0, "PUT", id, ClosedConnection()).status, 201);
    // At once on the other instance: it exists (no 404), at revision 1 (no 412).
    EXPECT_EQ(cluster.Rest(1, "PUT", id, ClosedConnection("x/#"), {"If-Match: \"rev:1\""}).status, 204) << i;
    EXPECT_EQ(cluster.Rest(0, "DELETE", id).status, 204) << i;
    // Deleted (no 412 for If-None-Match: *), then re-created: it exists again (no 404).
    EXPECT_EQ(cluster.Rest(1, "PUT", id, ClosedConnection(), {"If-None-Match: *"}).status, 201) << i;
    EXPECT_EQ(cluster.Rest(0, "POST", id + "/command", "connectivity.commands:closeConnection", {}, "text/plain").status,
              200) << i;
  }
}

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

// Ditto's gateway aggregates the answers of every connectivity instance to
// a piggyback addressed to the service (REF §1.4): a read is answered by
// every live instance, each under its own id; a write runs once.
TEST(ClusterInstancesTest, AnAggregatedPiggybackReadIsAnsweredByEveryLiveInstance) {
  const std::vector<std::string> timeout = {"--cluster-request-timeout", "1s"};
  ClusterEnv cluster(1, 3, {timeout, timeout, timeout});
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  ASSERT_EQ(cluster.Rest(0, "PUT", "/agg-1", ClosedConnection()).status, 201);
  const std::string ids = R"({"type":"connectivity.commands:retrieveConnection","connectionId":"agg-1"})";
  HttpResponse all = cluster.Piggyback(1, ids, "{}");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.body.rfind(R"({"connectivity":{"0":{)", 0), 0u) << all.body;
  EXPECT_NE(all.body.find(R"("1":{)"), std::string::npos) << all.body;
  EXPECT_NE(all.body.find(R"("2":{)"), std::string::npos) << all.body;
  EXPECT_EQ(Count(all.body, R"("id":"agg-1")"), 3u) << all.body;
  // aggregate false: the first answer, the asked instance's.
  HttpResponse one = cluster.Piggyback(1, ids);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body.find("connectivity\":{"), std::string::npos) << one.body;
  EXPECT_EQ(Count(one.body, R"("id":"agg-1")"), 1u) << one.body;
  // A write runs once, answered by the asked instance.
  HttpResponse create = cluster.Piggyback(2, CreateCommand("agg-2"), "{}");
  ASSERT_EQ(create.status, 200) << create.body;
  EXPECT_EQ(create.body.rfind(R"({"connectivity":{"2":{)", 0), 0u) << create.body;
  EXPECT_EQ(Count(create.body, R"("status":)"), 1u) << create.body;
  HttpResponse history = cluster.Rest(0, "GET", "/agg-2/history");
  EXPECT_EQ(Count(history.body, "connectionCreated"), 1u) << history.body;
  // An instance that does not answer is left out (it stays a member until its lease ends).
  cluster.StopInstance(0, SIGKILL);
  HttpResponse two = cluster.Piggyback(1, ids, "{}");
  ASSERT_EQ(two.status, 200) << two.body;
  EXPECT_EQ(two.body.rfind(R"({"connectivity":{"1":{)", 0), 0u) << two.body;
  EXPECT_EQ(Count(two.body, R"("id":"agg-1")"), 2u) << two.body;
}

// Time travel and the journal-derived metrics read what every instance
// folded, whichever instance wrote.
TEST(ClusterInstancesTest, TimeTravelAndJournalMetricsCoverEveryInstancesWrites) {
  ClusterEnv cluster(1, 2);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  ASSERT_EQ(cluster.Rest(0, "PUT", "/tt", ClosedConnection("first/#")).status, 201);
  ASSERT_EQ(cluster.Rest(1, "PUT", "/tt", ClosedConnection("second/#")).status, 204);
  for (int i = 0; i < 2; ++i) {
    HttpResponse at_1 = cluster.Rest(i, "GET", "/tt?at-historical-revision=1");
    ASSERT_EQ(at_1.status, 200) << at_1.body;
    EXPECT_NE(at_1.body.find("first/#"), std::string::npos) << at_1.body;
    HttpResponse at_2 = cluster.Rest(i, "GET", "/tt", "", {"at-historical-revision: 2"});
    ASSERT_EQ(at_2.status, 200) << at_2.body;
    EXPECT_NE(at_2.body.find("second/#"), std::string::npos) << at_2.body;
    HttpRequestSpec spec;
    spec.path = "/metrics";
    spec.basic_auth.clear();
    const HttpResponse metrics = Fetch(cluster.port(i), spec);
    EXPECT_NE(metrics.body.find("connectivity_events_total{type=\"connectionCreated\"} 1\n"), std::string::npos)
        << "instance " << i << ":\n" << metrics.body;
    EXPECT_NE(metrics.body.find("connectivity_events_total{type=\"connectionModified\"} 1\n"), std::string::npos)
        << "instance " << i;
  }
}

TEST(ClusterInstancesTest, ConcurrentModifiesWithoutPreconditionsAllLand) {
  ClusterEnv cluster(1, 3);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  ASSERT_EQ(cluster.Rest(0, "PUT", "/hot", ClosedConnection()).status, 201);
  std::vector<std::thread> writers;
  std::atomic<int> ok{0};
  for (int w = 0; w < 6; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 10; ++i) {
        HttpResponse put = cluster.Rest(w % 3, "PUT", "/hot", ClosedConnection("w" + std::to_string(w) + "/#"));
        if (put.status == 204) {
          ++ok;
        } else {
          ADD_FAILURE() << put.status << " " << put.body;
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(ok.load(), 60);  // conflicts are decided again, never answered
  EXPECT_EQ(cluster.Rest(2, "GET", "/hot").Header("etag"), "\"rev:61\"");
}

TEST(ClusterInstancesTest, ARestartedInstanceReplaysOnlyWhatItMissed) {
  ClusterEnv cluster(1, 2);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(cluster.Rest(0, "PUT", "/r-" + std::to_string(i), ClosedConnection()).status, 201);
  ASSERT_EQ(cluster.Rest(1, "GET", "/r-19").status, 200);
  cluster.StopInstance(1, SIGTERM);  // writes its last snapshot pass
  for (int i = 20; i < 30; ++i) ASSERT_EQ(cluster.Rest(0, "PUT", "/r-" + std::to_string(i), ClosedConnection()).status, 201);
  ASSERT_TRUE(cluster.StartInstance(1)) << cluster.logs();
  EXPECT_NE(cluster.instance_log(1).find("10 events replayed"), std::string::npos) << cluster.instance_log(1);
  EXPECT_EQ(cluster.Rest(1, "GET", "/r-29").status, 200);
  cluster.StopInstance(1, SIGKILL);
  ASSERT_EQ(cluster.Rest(0, "PUT", "/r-30", ClosedConnection()).status, 201);
  ASSERT_TRUE(cluster.StartInstance(1)) << cluster.logs();
  EXPECT_EQ(cluster.Rest(1, "GET", "/r-30").status, 200);
  EXPECT_EQ(cluster.Rest(1, "GET", "/r-5").status, 200);
}

TEST(ClusterInstancesTest, WithoutAQuorumWritesAndReadsAnswer503AndLocalReadsGoOn) {
  ClusterEnv cluster(3, 2, {{}, {"--cluster-reads", "local"}});
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  ASSERT_EQ(cluster.Rest(0, "PUT", "/q", ClosedConnection()).status, 201);
  // Instance 1 reads locally: it serves the create once its watch has delivered it (the watch
  // delay, milliseconds; a loaded machine took longer than one request), not at once.
  const auto seen_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cluster.Rest(1, "GET", "/q").status != 200 && std::chrono::steady_clock::now() < seen_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(cluster.Rest(1, "GET", "/q").status, 200);
  cluster.members().Kill(1);
  cluster.members().Kill(2);
  const auto start = std::chrono::steady_clock::now();
  HttpResponse write = cluster.Rest(0, "PUT", "/q2", ClosedConnection());
  EXPECT_EQ(write.status, 503) << write.body;
  HttpResponse read = cluster.Rest(0, "GET", "/q");
  EXPECT_EQ(read.status, 503) << read.body;
  EXPECT_NE(read.body.find("quorum"), std::string::npos) << read.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  HttpResponse local = cluster.Rest(1, "GET", "/q");
  EXPECT_EQ(local.status, 200) << local.body;
  HttpRequestSpec health;
  health.path = "/health";
  HttpResponse down = Fetch(cluster.port(0), health);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_NE(down.body.find("etcd"), std::string::npos) << down.body;
  ASSERT_TRUE(cluster.members().Start(1));
  ASSERT_TRUE(cluster.members().Start(2));
  ASSERT_TRUE(cluster.members().WaitHealthy());
  // Writes resume; what was acknowledged is there.
  HttpResponse after = cluster.Rest(0, "PUT", "/q3", ClosedConnection());
  EXPECT_EQ(after.status, 201) << after.body;
  EXPECT_EQ(Fetch(cluster.port(0), health).status, 200);
  EXPECT_EQ(cluster.Rest(1, "GET", "/q").status, 200);
}

TEST(ClusterInstancesTest, WritesGoOnWhileAnEtcdMemberIsKilledUnderLoad) {
  ClusterEnv cluster(3, 2);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::vector<std::string> failures;
  std::mutex mutex;
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = "/load-" + std::to_string(w) + "-" + std::to_string(i);
        HttpResponse put = cluster.Rest(w % 2, "PUT", id, ClosedConnection());
        if (put.status == 201) {
          ++acknowledged;
        } else {
          std::lock_guard lock(mutex);
          failures.push_back(std::to_string(put.status) + " " + put.body.substr(0, 200));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int before = acknowledged.load();
  cluster.members().Kill(0);  // one of three: the quorum stays
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const int during = acknowledged.load() - before;
  stop = true;
  for (std::thread& writer : writers) writer.join();
  EXPECT_GT(during, 50) << "writes stopped while one member was down";
  EXPECT_TRUE(failures.empty()) << failures.size() << " writes failed, e.g. " << failures.front();
  ASSERT_TRUE(cluster.members().Start(0));
}

TEST(ClusterInstancesTest, EventsOverEtcdsRequestLimitAnswer413) {
  ClusterEnv cluster(1, 1, {{"--cluster-max-request-bytes", "65536"}});
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  std::string big = ClosedConnection();
  big.insert(big.size() - 1, R"(,"specificConfig":{"big":")" + std::string(70000, 'x') + R"("})");
  HttpResponse refused = cluster.Rest(0, "PUT", "/big", big);
  EXPECT_EQ(refused.status, 413) << refused.body;
  EXPECT_NE(refused.body.find("request.entity.too.large"), std::string::npos) << refused.body;
  EXPECT_EQ(cluster.Rest(0, "GET", "/big").status, 404);
}

// etcd's quota alarm (NOSPACE) refuses every write: the service answers
// 503 naming it, never 500, /health says DOWN with the reason, reads go on.
TEST(ClusterInstancesTest, EtcdsQuotaAlarmAnswers503AndReadsGoOn) {
  ClusterEnv cluster(1, 1, {}, {}, {"--quota-backend-bytes", "3145728"});
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  ASSERT_EQ(cluster.Rest(0, "PUT", "/kept", ClosedConnection()).status, 201);
  HttpResponse refused;
  for (int i = 0; i < 200; ++i) {
    std::string big = ClosedConnection();
    big.insert(big.size() - 1, R"(,"specificConfig":{"fill":")" + std::string(200000, 'f') + R"("})");
    refused = cluster.Rest(0, "PUT", "/fill-" + std::to_string(i), big);
    if (refused.status != 201) break;
  }
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("NOSPACE"), std::string::npos) << refused.body;
  EXPECT_EQ(cluster.Rest(0, "PUT", "/more", ClosedConnection()).status, 503);
  EXPECT_EQ(cluster.Rest(0, "GET", "/kept").status, 200);
  HttpRequestSpec spec;
  spec.path = "/health";
  spec.basic_auth.clear();
  const HttpResponse health = Fetch(cluster.port(0), spec);
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find("NOSPACE"), std::string::npos) << health.body;
}

}  // namespace
}  // namespace connectivity::testing
