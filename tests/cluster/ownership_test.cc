// Ownership of live connections across real instances (src/cluster), with
// a private Mosquitto whose log shows any second client taking a client id
// ("Client <id> already connected, closing old connection.").
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <set>
#include <thread>

#include "tests/cluster/cluster_env.h"

namespace connectivity::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kTakenOver[] = "already connected, closing old connection";

int TotalLiveOpen(ClusterEnv& cluster) {
  int total = 0;
  for (int i = 0; i < cluster.size(); ++i) total += cluster.LiveOpen(i);
  return total;
}

// Waits until `want` clients are connected over the live instances; returns the time it took.
std::optional<Clock::duration> WaitLiveOpen(ClusterEnv& cluster, int want, Clock::duration limit) {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (TotalLiveOpen(cluster) == want) return Clock::now() - start;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

TEST(OwnershipTest, KillingAnOwnerHandsItsConnectionsToTheSurvivorsWithinTheLeaseTtl) {
  MosquittoProcess broker;
  ASSERT_TRUE(broker.ok());
  const std::vector<std::string> ttl = {"--cluster-lease-ttl", "4s"};
  ClusterEnv cluster(3, 3, {ttl, ttl, ttl});
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  constexpr int kConnections = 600;  // about 200 per instance
  for (int i = 0; i < kConnections; ++i) {
    ASSERT_EQ(cluster.Rest(i % 3, "PUT", "/live-" + std::to_string(i), OpenConnection(broker.port())).status, 201);
  }
  ASSERT_TRUE(WaitLiveOpen(cluster, kConnections, std::chrono::seconds(30))) << TotalLiveOpen(cluster);
  const int owned = cluster.LiveOpen(1);
  EXPECT_GT(owned, 120);
  EXPECT_LT(owned, 280);
  cluster.StopInstance(1, SIGKILL);
  const std::optional<Clock::duration> failover = WaitLiveOpen(cluster, kConnections, std::chrono::seconds(9));
  ASSERT_TRUE(failover) << TotalLiveOpen(cluster) << " of " << kConnections << " live 9 s after the kill";
  RecordProperty("failover_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(*failover).count()));
  RecordProperty("owned_by_the_killed_instance", owned);
  // Nothing acknowledged is lost, and the survivors agree.
  HttpResponse ids = cluster.Rest(2, "GET", "");
  for (int i = 0; i < kConnections; i += 37) {
    EXPECT_NE(ids.body.find("\"live-" + std::to_string(i) + "\""), std::string::npos) << i;
  }
  // The instance comes back: connections move to it again, each closed on
  // its current owner before the new one connects.
  ASSERT_TRUE(cluster.StartInstance(1)) << cluster.logs();
  std::this_thread::sleep_for(std::chrono::seconds(5));  // its old lease expires, it joins, hand-over
  ASSERT_TRUE(WaitLiveOpen(cluster, kConnections, std::chrono::seconds(20))) << TotalLiveOpen(cluster);
  EXPECT_GT(cluster.LiveOpen(1), 120);
  EXPECT_EQ(broker.CountLogLines(kTakenOver), 0) << "a client was taken over while its owner still held it";
}

TEST(OwnershipTest, ClientsOfOneConnectionRunOnDistinctInstances) {
  MosquittoProcess broker;
  ASSERT_TRUE(broker.ok());
  ClusterEnv cluster(1, 3);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(cluster.Rest(0, "PUT", "/multi-" + std::to_string(i), OpenConnection(broker.port(), 3)).status, 201);
  }
  ASSERT_TRUE(WaitLiveOpen(cluster, 60, std::chrono::seconds(20))) << TotalLiveOpen(cluster);
  // Every instance runs exactly one client of each connection.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.LiveOpen(i), 20) << "instance " << i;
  EXPECT_EQ(broker.CountLogLines(kTakenOver), 0);
}

TEST(OwnershipTest, AnInstanceCutOffFromEtcdDropsItsClientsBeforeTheLeaseEnds) {
  MosquittoProcess broker;
  ASSERT_TRUE(broker.ok());
  const std::vector<std::string> ttl = {"--cluster-lease-ttl", "6s", "--cluster-request-timeout", "2s"};
  ClusterEnv cluster(1, 2, {ttl, ttl});
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(cluster.Rest(i % 2, "PUT", "/cut-" + std::to_string(i), OpenConnection(broker.port())).status, 201);
  }
  ASSERT_TRUE(WaitLiveOpen(cluster, 40, std::chrono::seconds(20)));
  // Freeze etcd: no instance can renew. Each closes its clients at its
  // local deadline (2/3 of the TTL after its last renewal), before the TTL.
  cluster.members().Signal(0, SIGSTOP);
  const auto start = Clock::now();
  const std::optional<Clock::duration> dropped = WaitLiveOpen(cluster, 0, std::chrono::seconds(6));
  ASSERT_TRUE(dropped) << TotalLiveOpen(cluster) << " clients still up 6 s (the TTL) after etcd froze";
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(6));
  RecordProperty("dropped_after_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(*dropped).count()));
  cluster.members().Signal(0, SIGCONT);
  ASSERT_TRUE(WaitLiveOpen(cluster, 40, std::chrono::seconds(20))) << TotalLiveOpen(cluster);
  EXPECT_EQ(broker.CountLogLines(kTakenOver), 0);
}

}  // namespace
}  // namespace connectivity::testing

namespace connectivity::testing {
namespace {

TEST(OwnershipTest, StatusIsAnsweredByTheOwnerWhicheverInstanceIsAsked) {
  MosquittoProcess broker;
  ASSERT_TRUE(broker.ok());
  ClusterEnv cluster(1, 3);
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(cluster.Rest(0, "PUT", "/s-" + std::to_string(i), OpenConnection(broker.port())).status, 201);
  }
  ASSERT_TRUE(WaitLiveOpen(cluster, 6, std::chrono::seconds(20)));
  std::set<std::string> owners;
  for (int i = 0; i < 6; ++i) {
    std::string seen;
    for (int asked = 0; asked < 3; ++asked) {
      HttpResponse status = cluster.Rest(asked, "GET", "/s-" + std::to_string(i) + "/status");
      ASSERT_EQ(status.status, 200) << status.body;
      EXPECT_NE(status.body.find("\"liveStatus\":\"open\""), std::string::npos) << status.body;
      const size_t at = status.body.find("\"client\":\"");
      ASSERT_NE(at, std::string::npos) << status.body;
      const std::string client = status.body.substr(at, status.body.find('"', at + 10) - at);
      if (seen.empty()) seen = client;
      EXPECT_EQ(client, seen) << "instance " << asked << " answered for another owner";
    }
    owners.insert(seen);
  }
  EXPECT_GT(owners.size(), 1u);  // spread over the instances
  // The piggyback path of another instance reaches that instance.
  HttpResponse other = cluster.Piggyback(0, R"({"type":"connectivity.commands:retrieveConnectionStatus","connectionId":"s-0"})",
                                         "{}", "/devops/piggyback/connectivity/2");
  EXPECT_EQ(other.status, 200) << other.body;
  EXPECT_NE(other.body.find("{\"connectivity\":{\"2\":"), std::string::npos) << other.body;
  HttpResponse unknown = cluster.Piggyback(0, R"({"type":"connectivity.commands:retrieveConnectionStatus","connectionId":"s-0"})",
                                           "{}", "/devops/piggyback/connectivity/9");
  EXPECT_EQ(unknown.status, 408) << unknown.body;
}

}  // namespace
}  // namespace connectivity::testing
