// ConnectionTable: admission, the phases of a connection and what the watchdog does when their
// deadlines pass, on real sockets (socketpair) so that every shutdown(2) is seen by the peer.
#include "src/http/connection_table.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace connectivity::http {
namespace {

constexpr int64_t kSecond = 1'000'000;

ConnectionLimits Limits() {
  ConnectionLimits limits;
  limits.connections_max = 2;
  limits.header_timeout_us = 1 * kSecond;
  limits.body_timeout_us = 2 * kSecond;
  limits.idle_timeout_us = 5 * kSecond;
  return limits;
}

// One end for the table, one for the "client".
class SocketPair {
 public:
  SocketPair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  ~SocketPair() {
    close(fds_[0]);
    close(fds_[1]);
  }
  int server() const { return fds_[0]; }
  // The client's next read: nullopt if nothing arrives within 100 ms, "" at end of stream.
  std::optional<std::string> ClientRead() const {
    pollfd poll_fd{fds_[1], POLLIN, 0};
    if (poll(&poll_fd, 1, 100) != 1) return std::nullopt;
    char buffer[256];
    const ssize_t n = read(fds_[1], buffer, sizeof(buffer));
    return n <= 0 ? std::string() : std::string(buffer, static_cast<size_t>(n));
  }
  // Whether the server side can still read (both sides shut down: end of stream at once).
  bool ServerReadShut() const {
    pollfd poll_fd{fds_[0], POLLIN, 0};
    if (poll(&poll_fd, 1, 0) != 1) return false;
    char byte;
    return recv(fds_[0], &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
  }

 private:
  int fds_[2] = {-1, -1};
};

struct Answers {
  std::vector<model::DittoError> errors;
  void Arm(HttpConnection& connection) {
    connection.set_error_answer([this](const model::DittoError& error) { errors.push_back(error); });
  }
};

TEST(ConnectionTableTest, AdmitsUpToTheLimit) {
  ConnectionTable table(Limits());
  SocketPair a, b, c, d;
  auto first = table.Open(a.server());
  auto second = table.Open(b.server());
  auto third = table.Open(c.server());
  EXPECT_TRUE(first->admitted());
  EXPECT_TRUE(second->admitted());
  EXPECT_FALSE(third->admitted());
  EXPECT_EQ(table.open(), 3u) << "a refused connection is tracked until it is closed";
  EXPECT_EQ(table.rejected_total(), 1u);
  table.Close(third);
  table.Close(first);
  EXPECT_TRUE(table.Open(d.server())->admitted());
  EXPECT_EQ(table.open(), 2u);
}

TEST(ConnectionTableTest, SilentNewConnectionIsShutAfterTheHeaderTimeout) {
  ConnectionTable table(Limits());
  SocketPair pair;
  const int64_t start = MonotonicMicros();
  auto connection = table.Open(pair.server());
  table.Tick(start + kSecond / 2);
  EXPECT_FALSE(pair.ClientRead().has_value());
  table.Tick(start + kSecond + kWatchdogTickUs);
  EXPECT_EQ(pair.ClientRead(), std::string()) << "closed without an answer";
  EXPECT_TRUE(pair.ServerReadShut()) << "Pistache sees the end and removes the peer";
}

TEST(ConnectionTableTest, SlowHeadIs408) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  Answers answers;
  answers.Arm(*connection);
  const int64_t start = MonotonicMicros();
  ASSERT_TRUE(connection->AcceptInput());
  ASSERT_TRUE(connection->BeginRequest(start));
  table.Tick(start + kSecond - 1);
  EXPECT_TRUE(answers.errors.empty());
  table.Tick(start + kSecond);
  ASSERT_EQ(answers.errors.size(), 1u);
  EXPECT_EQ(answers.errors[0].status, 408);
  EXPECT_EQ(answers.errors[0].error, "gateway:request.timeout");
  EXPECT_NE(answers.errors[0].message.find("headers"), std::string::npos);
  EXPECT_EQ(connection->phase(), HttpConnection::Phase::kClosing);
  EXPECT_FALSE(connection->AcceptInput()) << "late bytes are dropped";
  EXPECT_FALSE(connection->Dispatch(true)) << "a request completed after its 408 is not served";
  EXPECT_EQ(table.timeouts_total(), 1u);
}

TEST(ConnectionTableTest, SlowBodyIs408AfterTheBodyTimeout) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  Answers answers;
  answers.Arm(*connection);
  const int64_t start = MonotonicMicros();
  connection->BeginRequest(start);
  connection->BeginBody(start + kSecond / 2);
  table.Tick(start + 2 * kSecond);
  EXPECT_TRUE(answers.errors.empty()) << "the body has its own timeout from the end of the head";
  table.Tick(start + kSecond / 2 + 2 * kSecond);
  ASSERT_EQ(answers.errors.size(), 1u);
  EXPECT_NE(answers.errors[0].message.find("body"), std::string::npos);
}

TEST(ConnectionTableTest, AnswerWithoutDeadlineThenIdleTimeout) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  const int64_t start = MonotonicMicros();
  connection->BeginRequest(start);
  ASSERT_TRUE(connection->Dispatch(/*keep_alive=*/true));
  table.Tick(start + 100 * kSecond);
  EXPECT_FALSE(pair.ClientRead().has_value()) << "a slow answer is the service's to bound, not a timeout";
  EXPECT_TRUE(connection->AnswerDecided());
  EXPECT_TRUE(connection->QueueLastWrite(true, start + 100 * kSecond, [] {}));
  EXPECT_EQ(connection->phase(), HttpConnection::Phase::kIdle);
  table.Tick(start + 104 * kSecond);
  EXPECT_FALSE(pair.ClientRead().has_value());
  table.Tick(start + 105 * kSecond);
  EXPECT_EQ(pair.ClientRead(), std::string()) << "idle keep-alive connection closed";
}

TEST(ConnectionTableTest, BytesWhileAnsweringArePipelinedAndClose) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  const int64_t start = MonotonicMicros();
  connection->BeginRequest(start);
  ASSERT_TRUE(connection->Dispatch(true));
  EXPECT_FALSE(connection->AcceptInput());
  EXPECT_FALSE(connection->AnswerDecided()) << "the answer says Connection: close";
  EXPECT_FALSE(connection->QueueLastWrite(false, start, [] {}));
  EXPECT_EQ(connection->phase(), HttpConnection::Phase::kClosing);
}

TEST(ConnectionTableTest, BytesWhileWritingAlsoClose) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  connection->BeginRequest(MonotonicMicros());
  ASSERT_TRUE(connection->Dispatch(true));
  ASSERT_TRUE(connection->AnswerDecided());
  EXPECT_FALSE(connection->AcceptInput());
  EXPECT_FALSE(connection->QueueLastWrite(true, MonotonicMicros(), [] {}));
}

// The client may send its next request as soon as it has read the answer's last bytes, and the
// worker may read it before the answering thread has returned from queueing them: input waits
// for the last write, and then finds the connection idle, not a pipelined request.
TEST(ConnectionTableTest, InputAfterTheLastWriteFindsTheConnectionIdle) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  connection->BeginRequest(MonotonicMicros());
  ASSERT_TRUE(connection->Dispatch(true));
  ASSERT_TRUE(connection->AnswerDecided());
  std::atomic<bool> written{false};
  std::atomic<bool> accepted{false};
  std::atomic<bool> accepted_after_write{false};
  std::thread worker;
  const bool keep = connection->QueueLastWrite(true, MonotonicMicros(), [&] {
    // The "client" answers at once, while the last write is still being queued.
    worker = std::thread([&] {
      accepted = connection->AcceptInput();
      accepted_after_write = written.load();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    written = true;
  });
  worker.join();
  EXPECT_TRUE(keep);
  EXPECT_TRUE(accepted) << "the next request is read, not dropped as pipelined";
  EXPECT_TRUE(accepted_after_write) << "input waited for the last write to be queued";
  EXPECT_TRUE(connection->BeginRequest(MonotonicMicros()));
  EXPECT_EQ(connection->phase(), HttpConnection::Phase::kHead);
}

TEST(ConnectionTableTest, ClosingAnswerThenFinThenLingerThenShutdown) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  const int64_t start = MonotonicMicros();
  connection->BeginRequest(start);
  ASSERT_TRUE(connection->Dispatch(/*keep_alive=*/false));
  EXPECT_FALSE(connection->AnswerDecided());
  ASSERT_EQ(write(pair.server(), "answer", 6), 6);
  EXPECT_FALSE(connection->QueueLastWrite(false, start, [] {}));
  connection->ShutdownWrite();
  EXPECT_EQ(pair.ClientRead(), "answer");
  EXPECT_EQ(pair.ClientRead(), std::string()) << "FIN after the answer";
  EXPECT_FALSE(pair.ServerReadShut()) << "the read side lingers for the client's close";
  table.Tick(MonotonicMicros() + kLingerUs + kWatchdogTickUs);
  EXPECT_TRUE(pair.ServerReadShut());
}

TEST(ConnectionTableTest, NothingIsShutDownAfterPistacheRemovedTheConnection) {
  ConnectionTable table(Limits());
  SocketPair pair;
  auto connection = table.Open(pair.server());
  table.Close(connection);  // the descriptor may now belong to another connection
  connection->ShutdownWrite();
  EXPECT_EQ(connection->Expire(MonotonicMicros() + 100 * kSecond), HttpConnection::Expiry::kNone);
  EXPECT_FALSE(pair.ClientRead().has_value());
  EXPECT_EQ(table.open(), 0u);
}

TEST(ConnectionTableTest, WatchdogThreadActsOnItsOwn) {
  ConnectionLimits limits = Limits();
  limits.header_timeout_us = 200'000;
  ConnectionTable table(limits);
  table.Start();
  SocketPair pair;
  auto connection = table.Open(pair.server());
  std::optional<std::string> read;
  for (int i = 0; i < 20 && !read; ++i) read = pair.ClientRead();
  EXPECT_EQ(read, std::string());
  table.Stop();
  table.Stop();  // idempotent
}

}  // namespace
}  // namespace connectivity::http
