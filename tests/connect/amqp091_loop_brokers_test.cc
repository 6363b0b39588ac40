// AMQP 0.9.1 live connections on the shared loop (src/connect/amqp091_loop.h) against the real
// RabbitMQ: many connections cost no thread each, heartbeats keep an idle connection open well
// past the heartbeat interval, a broker that falls silent is detected by its missed heartbeats,
// and a broker restart loses and reconnects every connection on the same few threads.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "src/base/mutex.h"
#include "src/connect/supervisor.h"
#include "tests/connect/broker_admin.h"
#include "tests/connect/broker_env.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;
using testing::WaitUntil;

int ThreadCount() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// A TCP forwarder from a local port to RabbitMQ that can be frozen: the connections stay up but
// nothing passes either way, as with a hung broker (the peer's heartbeats stop arriving).
class FreezableProxy {
 public:
  explicit FreezableProxy(int upstream_port) : upstream_port_(upstream_port) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t size = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    listen(listener_, 16);
    thread_ = std::thread([this] { Run(); });
  }
  ~FreezableProxy() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) ::close(fd);
    ::close(listener_);
  }
  int port() const { return port_; }
  void Freeze() { frozen_ = true; }

 private:
  void Run() {
    while (!stop_) {
      std::vector<pollfd> polls{{listener_, POLLIN, 0}};
      if (!frozen_) {
        for (int fd : fds_) polls.push_back({fd, POLLIN, 0});
      }
      if (poll(polls.data(), polls.size(), 20) <= 0) continue;
      if (polls[0].revents & POLLIN) Accept();
      for (size_t i = 1; i < polls.size(); ++i) {
        if (!(polls[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const size_t index = i - 1;
        char buffer[16384];
        const ssize_t n = ::read(fds_[index], buffer, sizeof(buffer));
        const int peer = fds_[index ^ 1];  // pairs: (client, upstream) at (2k, 2k+1)
        if (n <= 0) {
          shutdown(peer, SHUT_WR);
          continue;
        }
        [[maybe_unused]] ssize_t written = ::send(peer, buffer, n, MSG_NOSIGNAL);
      }
    }
  }

  void Accept() {
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return;
    const int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(upstream_port_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(client);
      ::close(upstream);
      return;
    }
    fds_.push_back(client);
    fds_.push_back(upstream);
  }

  const int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> frozen_{false};
  std::vector<int> fds_;  // proxy thread only (and the destructor, after the join)
  std::thread thread_;
};

Supervisor::Options Options() {
  Supervisor::Options options;
  options.connect.timeout_us = 5'000'000;
  options.connect.heartbeat_us = 1'000'000;  // the broker drops a client silent for ~2 s
  options.backoff_min_us = 100'000;
  options.backoff_max_us = 500'000;
  options.handshake_threads = 2;
  options.check_threads = 1;
  return options;
}

class Amqp091LoopBrokers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
  void SetUp() override {
    REQUIRE_BROKERS();
    supervisor_.SetEventListener([this](const ConnectEvent& event) {
      MutexLock lock(mutex_);
      events_.push_back(event);
    });
  }

  std::string Uri(int port) const { return "amqp://guest:guest@127.0.0.1:" + std::to_string(port); }
  std::string Live(const std::string& id) {
    std::optional<LiveStatus> status = supervisor_.Status(id);
    return status ? status->live_status : "none";
  }
  int CountLive(const std::vector<std::string>& ids, const std::string& live) {
    int count = 0;
    for (const std::string& id : ids) count += Live(id) == live ? 1 : 0;
    return count;
  }
  // Loss events (failures of connections that were open) whose message contains `text`.
  int Losses(const std::string& text) {
    MutexLock lock(mutex_);
    int count = 0;
    for (const ConnectEvent& event : events_) {
      count += !event.success && event.message.find(text) != std::string::npos ? 1 : 0;
    }
    return count;
  }
  int Failures() {
    MutexLock lock(mutex_);
    int count = 0;
    for (const ConnectEvent& event : events_) count += event.success ? 0 : 1;
    return count;
  }

  // Declared before the supervisor, so that they outlive it: its threads call the listener until
  // its destructor has stopped them (TSan saw the events destroyed under a running listener).
  Mutex mutex_;
  std::vector<ConnectEvent> events_ GUARDED_BY(mutex_);
  SystemClock clock_;
  Supervisor supervisor_{Options(), clock_};
};

TEST_F(Amqp091LoopBrokers, ManyConnectionsShareAFixedSetOfThreads) {
  constexpr int kCount = 150;
  const int port = testing::RabbitPort();
  ASSERT_TRUE(testing::RabbitDeclareQueue("loop-many"));
  const int threads_before = ThreadCount();
  supervisor_.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < kCount; ++i) {
    ids.push_back("loop-many-" + std::to_string(i));
    model::Connection connection = MakeConnection(ids.back(), ConnectionType::kAmqp091, Uri(port));
    model::Source source;  // checked at every connect: a passive declare on the pool
    source.addresses = {"loop-many"};
    source.authorization_context = {"integration:test"};
    connection.sources.push_back(source);
    supervisor_.Open(connection, [](const ConnectOutcome&) {});
  }
  ASSERT_TRUE(WaitUntil([&] { return CountLive(ids, "open") == kCount; }, 30000)) << CountLive(ids, "open");
  EXPECT_TRUE(WaitUntil([&] { return testing::ServerSideConnections(port) == kCount; }, 2000))
      << testing::ServerSideConnections(port);
  // The Supervisor's own: timer, MQTT loop + resolver, AMQP loop + 2 handshake threads, 1 check
  // thread (a thread per connection would be 150 more).
  EXPECT_LE(ThreadCount() - threads_before, 8) << ThreadCount() << " threads, " << threads_before << " before";
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past two heartbeats
  EXPECT_EQ(CountLive(ids, "open"), kCount);
  EXPECT_EQ(Failures(), 0);
  // Stop closes every one at the protocol level: the broker sees them go.
  supervisor_.Stop();
  EXPECT_TRUE(WaitUntil([&] { return testing::ServerSideConnections(port) == 0; }, 5000))
      << testing::ServerSideConnections(port);
  EXPECT_TRUE(testing::RabbitDeleteQueue("loop-many"));
}

// rabbitmq-c sends heartbeats only inside its calls: unless the loop's polls (on the broker's
// heartbeats arriving, and on the timer) send ours, the broker drops this idle connection after
// about two heartbeat intervals.
TEST_F(Amqp091LoopBrokers, HeartbeatsKeepAnIdleConnectionOpen) {
  supervisor_.Start();
  supervisor_.Open(MakeConnection("loop-idle", ConnectionType::kAmqp091, Uri(testing::RabbitPort())),
                   [](const ConnectOutcome&) {});
  ASSERT_TRUE(WaitUntil([&] { return Live("loop-idle") == "open"; }, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(5000));  // five heartbeat intervals
  EXPECT_EQ(Live("loop-idle"), "open");
  EXPECT_EQ(Failures(), 0);
  EXPECT_EQ(testing::RabbitConnectionsNamed("loop-idle"), 1);
}

// A broker that hangs (the TCP connection stays, nothing arrives) is found by its missing
// heartbeats, since the loop polls every connection on a timer even when its socket is quiet
// (without the timer's polls this test fails: nothing would ever wake the connection up).
TEST_F(Amqp091LoopBrokers, ASilentBrokerIsDetectedByMissedHeartbeats) {
  FreezableProxy proxy(testing::RabbitPort());
  supervisor_.Start();
  supervisor_.Open(MakeConnection("loop-silent", ConnectionType::kAmqp091, Uri(proxy.port())),
                   [](const ConnectOutcome&) {});
  ASSERT_TRUE(WaitUntil([&] { return Live("loop-silent") == "open"; }, 5000));
  proxy.Freeze();
  const auto frozen = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return Losses("heartbeat") > 0; }, 5000)) << Live("loop-silent");
  // rabbitmq-c gives up after two heartbeat intervals without a byte from the broker.
  EXPECT_LT(std::chrono::steady_clock::now() - frozen, std::chrono::milliseconds(3500));
  EXPECT_NE(Live("loop-silent"), "open");
}

// Every connection is lost with the broker's reason and comes back once RabbitMQ is up again,
// without a thread per reconnect attempt.
TEST_F(Amqp091LoopBrokers, BrokerRestartLosesAndReconnectsEveryConnection) {
  constexpr int kCount = 40;
  const int port = testing::RabbitPort();
  const int threads_before = ThreadCount();
  supervisor_.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < kCount; ++i) {
    ids.push_back("loop-restart-" + std::to_string(i));
    supervisor_.Open(MakeConnection(ids.back(), ConnectionType::kAmqp091, Uri(port)), [](const ConnectOutcome&) {});
  }
  ASSERT_TRUE(WaitUntil([&] { return CountLive(ids, "open") == kCount; }, 10000));
  std::atomic<int> peak{0};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      peak = std::max(peak.load(), ThreadCount());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  ASSERT_EQ(testing::Brokers("stop rabbitmq"), 0);
  EXPECT_TRUE(WaitUntil([&] { return CountLive(ids, "failed") == kCount; }, 5000)) << CountLive(ids, "failed");
  EXPECT_EQ(Losses("CONNECTION_FORCED"), kCount);
  ASSERT_EQ(testing::Brokers("start rabbitmq"), 0);
  EXPECT_TRUE(WaitUntil([&] { return CountLive(ids, "open") == kCount; }, 15000)) << CountLive(ids, "open");
  sampling = false;
  sampler.join();
  EXPECT_LE(peak.load() - threads_before, 9) << peak.load() << " threads at the peak, " << threads_before << " before";
  EXPECT_TRUE(WaitUntil([&] { return testing::ServerSideConnections(port) == kCount; }, 2000));
}

}  // namespace
}  // namespace connectivity::connect
