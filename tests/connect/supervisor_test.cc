// The Supervisor without brokers: first-attempt answers, backoff and recovery status, reconnect
// after loss, close/modify/stop semantics, bounded concurrency, metrics and events. The peers are
// in-process (closed port, silent peer, the HTTP test server).
#include "src/connect/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "tests/connect/broker_env.h"
#include "tests/connect/test_servers.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;
using testing::WaitUntil;

// Records first-attempt answers and events.
class Recorder {
 public:
  std::function<void(const ConnectOutcome&)> FirstAttempt() {
    return [this](const ConnectOutcome& outcome) {
      std::lock_guard<std::mutex> lock(mutex_);
      answers_.push_back(outcome);
    };
  }
  std::function<void(const ConnectEvent&)> Listener() {
    return [this](const ConnectEvent& event) {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(event);
    };
  }
  std::vector<ConnectOutcome> answers() {
    std::lock_guard<std::mutex> lock(mutex_);
    return answers_;
  }
  std::vector<ConnectEvent> events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::vector<ConnectOutcome> answers_;
  std::vector<ConnectEvent> events_;
};

Supervisor::Options FastOptions() {
  Supervisor::Options options;
  options.connect.timeout_us = 1'000'000;
  options.connect.recheck_interval_us = 200'000;
  options.backoff_min_us = 50'000;
  options.backoff_max_us = 200'000;
  options.instance = "7";
  return options;
}

std::string LiveStatusOf(const Supervisor& supervisor, const std::string& id) {
  std::optional<LiveStatus> status = supervisor.Status(id);
  return status ? status->live_status : "none";
}

class SupervisorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
  ManualClock clock_{1'800'000'000'000'000};
};

TEST_F(SupervisorTest, RefusedFirstAttemptIsAnsweredOnceAndRetriedWithBackoff) {
  testing::ClosedPort closed;
  Supervisor supervisor(FastOptions(), clock_);
  Recorder recorder;
  supervisor.SetEventListener(recorder.Listener());
  supervisor.Start();
  supervisor.Open(MakeConnection("c1", ConnectionType::kMqtt,
                                 "tcp://127.0.0.1:" + std::to_string(closed.port())),
                  recorder.FirstAttempt());
  ASSERT_TRUE(WaitUntil([&] { return recorder.answers().size() == 1; }, 2000));
  EXPECT_EQ(recorder.answers()[0].failure, FailureKind::kRefused);
  ASSERT_TRUE(WaitUntil([&] { return recorder.events().size() >= 4; }, 3000));
  const LiveStatus status = *supervisor.Status("c1");
  EXPECT_EQ(status.live_status, "failed");
  ASSERT_EQ(status.client_status.size(), 1u);
  EXPECT_EQ(status.client_status[0].client, "7");
  EXPECT_NE(status.client_status[0].status_details.find("Connection refused"), std::string::npos);
  EXPECT_EQ(status.client_status[0].in_state_since_us, clock_.NowMicros());
  // 50 ms doubling to the 200 ms cap within four attempts.
  EXPECT_EQ(status.recovery_status, "backOffLimitReached");
  EXPECT_GE(status.metrics.connect_failures.Count(clock_.NowMicros()).last_minute, 4);
  EXPECT_EQ(status.metrics.connect_successes.Count(clock_.NowMicros()).last_minute, 0);
  EXPECT_EQ(status.target_status.size(), 1u);
  EXPECT_EQ(status.target_status[0].status, "failed");
  EXPECT_EQ(recorder.answers().size(), 1u);  // exactly once
  for (const ConnectEvent& event : recorder.events()) EXPECT_FALSE(event.success);
}

TEST_F(SupervisorTest, LostConnectionIsFailedThenReconnectsByItself) {
  testing::HttpTestServer server;
  Supervisor supervisor(FastOptions(), clock_);
  Recorder recorder;
  supervisor.SetEventListener(recorder.Listener());
  supervisor.Start();
  supervisor.Open(MakeConnection("http", ConnectionType::kHttpPush,
                                 "http://test:test@127.0.0.1:" + std::to_string(server.port())),
                  recorder.FirstAttempt());
  ASSERT_TRUE(WaitUntil([&] { return LiveStatusOf(supervisor, "http") == "open"; }, 2000));
  EXPECT_TRUE(recorder.answers().at(0).ok);
  LiveStatus open = *supervisor.Status("http");
  EXPECT_EQ(open.recovery_status, "succeeded");
  EXPECT_EQ(open.connected_since_us, clock_.NowMicros());
  EXPECT_EQ(open.metrics.connected_since_us, clock_.NowMicros());

  server.Stop();
  ASSERT_TRUE(WaitUntil([&] { return LiveStatusOf(supervisor, "http") == "failed"; }, 3000));
  const LiveStatus failed = *supervisor.Status("http");
  EXPECT_NE(failed.client_status[0].status_details.find("refused"), std::string::npos)
      << failed.client_status[0].status_details;
  EXPECT_EQ(failed.connected_since_us, 0);

  ASSERT_TRUE(server.Start());
  ASSERT_TRUE(WaitUntil([&] { return LiveStatusOf(supervisor, "http") == "open"; }, 3000));
  const LiveStatus back = *supervisor.Status("http");
  EXPECT_EQ(back.recovery_status, "succeeded");
  EXPECT_GE(back.metrics.connect_successes.Count(clock_.NowMicros()).last_minute, 2);
  const std::vector<ConnectEvent> events = recorder.events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_TRUE(events.front().success);
  EXPECT_TRUE(events.back().success);
}

int ThreadCount() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// HTTP push connections are checks repeated every recheck interval on the shared check pool: many
// open connections add no thread, each is rechecked, a failed recheck is the loss, and Stop does
// not wait for the pending rechecks.
TEST_F(SupervisorTest, HttpConnectionsShareTheCheckPool) {
  constexpr int kCount = 100;
  testing::HttpTestServer server;
  Supervisor::Options options = FastOptions();
  options.check_threads = 2;
  Supervisor supervisor(options, clock_);
  const int threads_before = ThreadCount();
  supervisor.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < kCount; ++i) {
    ids.push_back("pooled-" + std::to_string(i));
    supervisor.Open(MakeConnection(ids.back(), ConnectionType::kHttpPush,
                                   "http://test:test@127.0.0.1:" + std::to_string(server.port())),
                    [](const ConnectOutcome&) {});
  }
  auto count = [&](const std::string& live) {
    int n = 0;
    for (const std::string& id : ids) n += LiveStatusOf(supervisor, id) == live ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(WaitUntil([&] { return count("open") == kCount; }, 5000)) << count("open");
  // Timer, MQTT loop + resolver, AMQP loop + 4 handshake threads, 2 check threads.
  EXPECT_LE(ThreadCount() - threads_before, 10) << ThreadCount() << " threads, " << threads_before << " before";
  const int accepted = server.accepted();
  EXPECT_TRUE(WaitUntil([&] { return server.accepted() >= accepted + 2 * kCount; }, 3000))
      << "rechecks: " << server.accepted() - accepted;

  server.Stop();
  ASSERT_TRUE(WaitUntil([&] { return count("failed") == kCount; }, 3000)) << count("failed");
  ASSERT_TRUE(server.Start());
  ASSERT_TRUE(WaitUntil([&] { return count("open") == kCount; }, 5000)) << count("open");

  const auto stop_start = std::chrono::steady_clock::now();
  supervisor.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::milliseconds(500));
  EXPECT_LE(ThreadCount(), threads_before);
}

TEST_F(SupervisorTest, CloseBeforeTheFirstAttemptCompletesAnswersOnce) {
  testing::SilentPeer silent;
  Supervisor supervisor(FastOptions(), clock_);
  Recorder recorder;
  supervisor.Start();
  supervisor.Open(MakeConnection("slow", ConnectionType::kAmqp091,
                                 "amqp://127.0.0.1:" + std::to_string(silent.port())),
                  recorder.FirstAttempt());
  ASSERT_TRUE(WaitUntil([&] { return silent.accepted() == 1; }, 2000));
  supervisor.Close("slow");
  supervisor.Close("slow");  // idempotent
  EXPECT_FALSE(supervisor.Status("slow").has_value());
  ASSERT_EQ(recorder.answers().size(), 1u);
  EXPECT_EQ(recorder.answers()[0].failure, FailureKind::kOther);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(recorder.answers().size(), 1u);
}

TEST_F(SupervisorTest, OpenAgainReplacesTheConfiguration) {
  testing::SilentPeer silent;
  testing::HttpTestServer server;
  Supervisor supervisor(FastOptions(), clock_);
  Recorder first, second;
  supervisor.Start();
  supervisor.Open(MakeConnection("mod", ConnectionType::kMqtt,
                                 "tcp://127.0.0.1:" + std::to_string(silent.port())),
                  first.FirstAttempt());
  supervisor.Open(MakeConnection("mod", ConnectionType::kHttpPush,
                                 "http://test:test@127.0.0.1:" + std::to_string(server.port())),
                  second.FirstAttempt());
  ASSERT_TRUE(WaitUntil([&] { return second.answers().size() == 1; }, 2000));
  EXPECT_TRUE(second.answers()[0].ok) << second.answers()[0].description;
  ASSERT_EQ(first.answers().size(), 1u);
  EXPECT_NE(first.answers()[0].description.find("Superseded"), std::string::npos);
  EXPECT_EQ(LiveStatusOf(supervisor, "mod"), "open");
  EXPECT_EQ(supervisor.supervised_count(), 1u);
}

TEST_F(SupervisorTest, ConnectsAreBoundedAndOpenNeverBlocks) {
  testing::SilentPeer silent;
  Supervisor::Options options = FastOptions();
  options.concurrent_connects_max = 2;
  Supervisor supervisor(options, clock_);
  supervisor.Start();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {
    supervisor.Open(MakeConnection("b" + std::to_string(i), ConnectionType::kMqtt,
                                   "tcp://127.0.0.1:" + std::to_string(silent.port())),
                    [](const ConnectOutcome&) {});
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  ASSERT_TRUE(WaitUntil([&] { return silent.accepted() == 2; }, 1000));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(silent.accepted(), 2);  // the others wait for a slot (1 s timeout each)
  ASSERT_TRUE(WaitUntil([&] { return silent.accepted() >= 4; }, 2000));
  EXPECT_EQ(LiveStatusOf(supervisor, "b0"), "failed");
}

TEST_F(SupervisorTest, StopAnswersPendingAttemptsAndReturnsPromptly) {
  testing::SilentPeer silent;
  Supervisor::Options options = FastOptions();
  options.connect.timeout_us = 10'000'000;
  Supervisor supervisor(options, clock_);
  Recorder recorder;
  supervisor.Start();
  const std::string port = std::to_string(silent.port());
  supervisor.Open(MakeConnection("a", ConnectionType::kAmqp091, "amqp://127.0.0.1:" + port), recorder.FirstAttempt());
  supervisor.Open(MakeConnection("b", ConnectionType::kAmqp10, "amqp://127.0.0.1:" + port), recorder.FirstAttempt());
  supervisor.Open(MakeConnection("c", ConnectionType::kMqtt5, "tcp://127.0.0.1:" + port), recorder.FirstAttempt());
  // https: plain HTTP's whole check is the TCP connection, which the silent peer accepts.
  supervisor.Open(MakeConnection("d", ConnectionType::kHttpPush, "https://127.0.0.1:" + port), recorder.FirstAttempt());
  supervisor.Open(MakeConnection("e", ConnectionType::kKafka, "tcp://127.0.0.1:" + port), recorder.FirstAttempt());
  ASSERT_TRUE(WaitUntil([&] { return silent.accepted() >= 5; }, 10000));
  const auto start = std::chrono::steady_clock::now();
  supervisor.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(recorder.answers().size(), 5u);
  for (const ConnectOutcome& answer : recorder.answers()) EXPECT_EQ(answer.failure, FailureKind::kOther);
  Recorder late;
  supervisor.Open(MakeConnection("late", ConnectionType::kMqtt, "tcp://127.0.0.1:" + port), late.FirstAttempt());
  ASSERT_EQ(late.answers().size(), 1u);
  EXPECT_FALSE(late.answers()[0].ok);
}

TEST_F(SupervisorTest, BlockedHostIsMisconfiguredAndNeverContacted) {
  testing::SilentPeer silent;
  Supervisor::Options options = FastOptions();
  options.connect.outbound.blocked_hostnames = {"localhost"};
  Supervisor supervisor(options, clock_);
  Recorder recorder;
  supervisor.Start();
  supervisor.Open(MakeConnection("blocked", ConnectionType::kMqtt,
                                 "tcp://127.0.0.1:" + std::to_string(silent.port())),
                  recorder.FirstAttempt());
  ASSERT_TRUE(WaitUntil([&] { return recorder.answers().size() == 1; }, 2000));
  EXPECT_EQ(recorder.answers()[0].failure, FailureKind::kBlockedHost);
  EXPECT_EQ(LiveStatusOf(supervisor, "blocked"), "misconfigured");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // retries stay blocked too
  EXPECT_EQ(silent.accepted(), 0);
}

TEST_F(SupervisorTest, UnusableConfigurationIsMisconfiguredWithoutRetries) {
  Supervisor supervisor(FastOptions(), clock_);
  Recorder recorder;
  supervisor.Start();
  supervisor.Open(MakeConnection("bad", ConnectionType::kKafka, "http://127.0.0.1:1"), recorder.FirstAttempt());
  ASSERT_TRUE(WaitUntil([&] { return recorder.answers().size() == 1; }, 1000));
  EXPECT_EQ(recorder.answers()[0].failure, FailureKind::kOther);
  EXPECT_NE(recorder.answers()[0].description.find("cannot be connected as configured"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const LiveStatus status = *supervisor.Status("bad");
  EXPECT_EQ(status.live_status, "misconfigured");
  EXPECT_EQ(status.metrics.connect_attempts.Count(clock_.NowMicros()).last_minute, 1);
}

TEST_F(SupervisorTest, MetricsResetAndStatusShapes) {
  testing::HttpTestServer server;
  Supervisor supervisor(FastOptions(), clock_);
  supervisor.Start();
  model::Connection connection = MakeConnection(
      "shape", ConnectionType::kHttpPush, "http://test:test@127.0.0.1:" + std::to_string(server.port()));
  connection.client_count = 2;
  model::Target second = connection.targets[0];
  second.address = "PUT:/other";
  connection.targets.push_back(second);
  supervisor.Open(connection, [](const ConnectOutcome&) {});
  ASSERT_TRUE(WaitUntil([&] {
    auto s = supervisor.Status("shape");
    return s && s->client_status[0].status == "open";
  }, 2000));
  LiveStatus status = *supervisor.Status("shape");
  ASSERT_EQ(status.client_status.size(), 2u);
  EXPECT_EQ(status.client_status[1].status, "misconfigured");
  EXPECT_EQ(status.live_status, "misconfigured");  // one instance cannot serve two clients
  ASSERT_EQ(status.target_status.size(), 2u);
  EXPECT_EQ(status.target_status[1].address, "PUT:/other");
  EXPECT_EQ(status.target_status[1].status, "open");
  EXPECT_EQ(status.metrics.connect_attempts.Count(clock_.NowMicros()).last_day, 1);
  supervisor.ResetMetrics("shape");
  status = *supervisor.Status("shape");
  EXPECT_EQ(status.metrics.connect_attempts.Count(clock_.NowMicros()).last_day, 0);
  EXPECT_EQ(status.metrics.connect_attempts.Count(clock_.NowMicros()).last_at_us, 0);
  EXPECT_NE(status.metrics.connected_since_us, 0);  // state, not a counter
}

}  // namespace
}  // namespace connectivity::connect
