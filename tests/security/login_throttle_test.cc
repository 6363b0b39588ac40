// Failed-login throttling (issue 13 item 5): the class with a fake clock,
// and the real server's 429 with Retry-After and Ditto's error JSON.
#include "src/http/login_throttle.h"

#include <gtest/gtest.h>

#include "tests/integration/http_client.h"
#include "tests/integration/json_util.h"
#include "tests/integration/server_process.h"

namespace connectivity::http {
namespace {

using ::connectivity::testing::Fetch;
using ::connectivity::testing::HttpRequestSpec;
using ::connectivity::testing::HttpResponse;
using ::connectivity::testing::Json;
using ::connectivity::testing::ServerOptions;
using ::connectivity::testing::ServerProcess;
using ::connectivity::testing::TempDir;

class FakeClock final : public Clock {
 public:
  int64_t NowMicros() const override { return now_us; }
  int64_t MonotonicMicros() const override { return now_us; }
  int64_t now_us = 1'000'000'000;
};

TEST(LoginThrottleTest, ThrottlesAnAddressPastTheLimitForTheRestOfTheMinute) {
  FakeClock clock;
  LoginThrottle throttle(3, clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.RetryAfterSeconds("10.0.0.1"), 0);
    throttle.RecordFailure("10.0.0.1");
    clock.now_us += 1'000'000;
  }
  // Failures at t=0, 1, 2 s; now t=3 s: allowed again at t=60 s.
  EXPECT_EQ(throttle.RetryAfterSeconds("10.0.0.1"), 57);
  EXPECT_EQ(throttle.RetryAfterSeconds("10.0.0.2"), 0);  // per address
  clock.now_us += 56'000'000;
  EXPECT_EQ(throttle.RetryAfterSeconds("10.0.0.1"), 1);
  clock.now_us += 1'000'000;  // the first failure is a minute old
  EXPECT_EQ(throttle.RetryAfterSeconds("10.0.0.1"), 0);
}

TEST(LoginThrottleTest, ZeroNeverThrottlesAndOldAddressesArePruned) {
  FakeClock clock;
  LoginThrottle unlimited(0, clock);
  for (int i = 0; i < 100; ++i) unlimited.RecordFailure("a");
  EXPECT_EQ(unlimited.RetryAfterSeconds("a"), 0);
  LoginThrottle throttle(1, clock);
  for (int i = 0; i < 5000; ++i) {
    throttle.RecordFailure("addr-" + std::to_string(i));
    clock.now_us += 100'000;  // 500 s in all: most are long expired
  }
  EXPECT_EQ(throttle.RetryAfterSeconds("addr-0"), 0);
  EXPECT_GT(throttle.RetryAfterSeconds("addr-4999"), 0);
}

TEST(LoginThrottleServerTest, RepeatedFailedLoginsGet429WithoutLoggingThePassword) {
  TempDir dir;
  ServerOptions options;
  options.data_dir = dir.path() + "/data";
  options.env["CONNECTIVITY_AUTH_FAILURES_PER_MINUTE"] = "3";
  ServerProcess server(options);
  ASSERT_TRUE(server.ok()) << server.log();
  HttpRequestSpec retrieve;
  retrieve.path = "/api/2/connections";
  // Requests without credentials are not failed logins.
  HttpRequestSpec anonymous = retrieve;
  anonymous.basic_auth.clear();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Fetch(server.port(), anonymous).status, 401);
  EXPECT_EQ(Fetch(server.port(), retrieve).status, 200);
  HttpRequestSpec wrong = retrieve;
  for (int i = 0; i < 3; ++i) {
    wrong.basic_auth = "devops:Wr0ngGuess-" + std::to_string(i);
    EXPECT_EQ(Fetch(server.port(), wrong).status, 401);
  }
  wrong.basic_auth = "devops:Wr0ngGuess-3";
  const HttpResponse throttled = Fetch(server.port(), wrong);
  EXPECT_EQ(throttled.status, 429);
  const int retry_after = std::atoi(throttled.Header("retry-after").c_str());
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  const Json body(throttled.body);
  EXPECT_EQ(body.Int("/status"), 429);
  EXPECT_EQ(body.String("/error"), "too.many.requests");
  EXPECT_EQ(body.String("/message"), "You made too many requests.");
  EXPECT_EQ(body.String("/description"), "Try again soon.");
  // Even the right password waits; the health check needs no login.
  EXPECT_EQ(Fetch(server.port(), retrieve).status, 429);
  HttpRequestSpec health;
  health.path = "/health";
  EXPECT_EQ(Fetch(server.port(), health).status, 200);
  const std::string log = server.log();
  EXPECT_NE(log.find("failed login from 127.0.0.1"), std::string::npos) << log;
  EXPECT_NE(log.find("login refused from 127.0.0.1"), std::string::npos) << log;
  EXPECT_EQ(log.find("Wr0ngGuess"), std::string::npos) << log;
  EXPECT_EQ(log.find("foobar"), std::string::npos) << log;
}

}  // namespace
}  // namespace connectivity::http
