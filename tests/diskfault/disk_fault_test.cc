// What the real server does when its disk fills up or fails (SPEC §5,
// issue 10 item 6), through the real binary:
//   * on a real small filesystem (a tmpfs the test mounts; root only),
//     filled by the server's own writes and by another process, with the
//     server running and across restarts on the full disk;
//   * through connectivityd-faultfs for a failing fsync and a failing write.
// Every case: writes answer 503 in Ditto's error JSON, reads and /health
// keep answering, the process never aborts (a clean SIGTERM exit 0), and
// after all of it nothing acknowledged is missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "tests/integration/http_client.h"
#include "tests/integration/json_util.h"
#include "tests/integration/rest_client.h"
#include "tests/integration/server_process.h"

namespace connectivity::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A tmpfs of a few MiB, mounted for the test and unmounted after it.
class SmallFilesystem {
 public:
  explicit SmallFilesystem(int mebibytes) {
    if (geteuid() != 0) return;
    path_ = base_.path() + "/fs";
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + std::to_string(mebibytes) + "m";
    mounted_ = mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallFilesystem() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }

  // Another process's file takes every free byte.
  void Fill() {
    std::ofstream filler(Path("filler"), std::ios::binary);
    const std::string block(64 * 1024, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
    const std::string byte(1, 'f');
    while (filler.write(byte.data(), 1) && filler.flush()) {
    }
  }
  void Unfill() { std::filesystem::remove(Path("filler")); }

 private:
  TempDir base_;
  std::string path_;
  bool mounted_ = false;
};

std::string Body(int size) {
  return R"({"connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://127.0.0.1:1883","name":")" +
         std::string(static_cast<size_t>(size), 'n') +
         R"(","sources":[{"addresses":["a/#"],"qos":1,"authorizationContext":["ditto:inbound"]}]})";
}

class DiskFaultTest : public ::testing::Test {
 protected:
  // Each start logs to its own file (a ServerProcess removes its log when
  // it goes); ServerLog() reads the latest.
  enum class Wait { kReady, kAnswer, kNone };
  std::unique_ptr<ServerProcess> Start(const std::string& data_dir, std::vector<std::string> args = {},
                                       const std::string& binary = "connectivityd", Wait wait = Wait::kReady) {
    log_path_ = log_dir_.path() + "/server-" + std::to_string(++starts_) + ".log";
    ServerOptions options;
    options.data_dir = data_dir;
    options.binary = binary;
    options.log_path = log_path_;
    options.args = std::move(args);
    options.wait_until_ready = wait == Wait::kReady;
    auto server = std::make_unique<ServerProcess>(std::move(options));
    if (wait == Wait::kAnswer) WaitForAnswer(*server);
    return server;
  }
  // A read-only start answers /health with 503 DOWN: wait until recovery
  // is done and the API serves (any answer but "recovering").
  static void WaitForAnswer(const ServerProcess& server) {
    for (int i = 0; i < 500 && server.port() != 0; ++i) {
      HttpRequestSpec health;
      health.path = "/health";
      const HttpResponse response = Fetch(server.port(), health);
      if (response.status != 0 && response.body.find("recovering") == std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // PUT a new connection; records it if acknowledged. Returns the status.
  long Create(uint16_t port, const std::string& id, int size = 1500) {
    const HttpResponse response = Rest(port, "PUT", "/" + id, Body(size));
    if (response.status == 201) acknowledged_[id] = response.body;
    return response.status;
  }
  // Every acknowledged connection is served as it was acknowledged.
  void ExpectEveryAcknowledged(uint16_t port) {
    ASSERT_FALSE(acknowledged_.empty());
    for (const auto& [id, body] : acknowledged_) {
      const HttpResponse response = Rest(port, "GET", "/" + id);
      ASSERT_EQ(response.status, 200) << "LOST: " << id;
      EXPECT_EQ(Json(response.body).Raw("/name"), Json(body).Raw("/name")) << id;
    }
  }
  static long Health(uint16_t port, std::string* body = nullptr) {
    HttpRequestSpec spec;
    spec.path = "/health";
    spec.timeout_ms = 2000;
    const HttpResponse response = Fetch(port, spec);
    if (body != nullptr) *body = response.body;
    return response.status;
  }
  static void ExpectRefusedWithDittoError(const HttpResponse& response, const std::string& message_part) {
    EXPECT_EQ(response.status, 503) << response.body;
    const Json json(response.body);
    EXPECT_EQ(json.Int("/status"), 503);
    EXPECT_EQ(json.String("/error"), "connectivity:connection.unavailable");
    EXPECT_NE(json.String("/message").value_or("").find(message_part), std::string::npos) << response.body;
  }
  // Creates until the first refusal; returns its answer.
  HttpResponse CreateUntilRefused(uint16_t port, const std::string& prefix, int limit) {
    for (int i = 0; i < limit; ++i) {
      const std::string id = prefix + std::to_string(i);
      const HttpResponse response = Rest(port, "PUT", "/" + id, Body(1500));
      if (response.status == 201) {
        acknowledged_[id] = response.body;
        continue;
      }
      return response;
    }
    return HttpResponse{};
  }
  // Milliseconds until a create is accepted (bounded), or -1.
  long MillisUntilAccepted(uint16_t port, const std::string& id, int timeout_ms) {
    const auto start = Clock::now();
    while (Clock::now() - start < std::chrono::milliseconds(timeout_ms)) {
      if (Create(port, id, 100) == 201) {
        return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string ServerLog() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  TempDir log_dir_;
  std::string log_path_;
  int starts_ = 0;
  std::map<std::string, std::string> acknowledged_;
};

#define REQUIRE_SMALL_FILESYSTEM(fs) \
  if (!(fs).mounted()) GTEST_SKIP() << "needs root to mount a tmpfs"

// The server fills the disk itself: 503 before RocksDB could meet ENOSPC,
// reads go on, SIGTERM exits cleanly, and a restart serves everything.
TEST_F(DiskFaultTest, ServerFillingTheDiskGets503NotAnAbort) {
  SmallFilesystem fs(16);
  REQUIRE_SMALL_FILESYSTEM(fs);
  auto server = Start(fs.Path("data"), {"--disk-headroom", "2MiB"});
  ASSERT_TRUE(server->ok()) << ServerLog();
  const HttpResponse refused = CreateUntilRefused(server->port(), "c", 20000);
  ExpectRefusedWithDittoError(refused, "nearly full");
  ASSERT_GT(acknowledged_.size(), 100u);
  // Refused from then on, within one commit: no create slips through.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Create(server->port(), "late" + std::to_string(i)), 503);
  std::string health;
  EXPECT_EQ(Health(server->port(), &health), 503);
  EXPECT_NE(health.find("nearly full"), std::string::npos) << health;
  ExpectEveryAcknowledged(server->port());
  EXPECT_EQ(server->Stop(SIGTERM), 0) << ServerLog();
  EXPECT_NE(ServerLog().find("refusing writes (503) until the disk has room"), std::string::npos);

  server = Start(fs.Path("data"), {"--disk-headroom", "2MiB"}, "connectivityd", Wait::kAnswer);
  ASSERT_NE(server->port(), 0) << ServerLog();
  ExpectEveryAcknowledged(server->port());
  EXPECT_EQ(server->Stop(SIGTERM), 0) << ServerLog();
}

// Another process fills the disk while the server runs, the server restarts
// on the full disk (read-only), and space returns: writes resume without a
// restart, everything acknowledged is there.
TEST_F(DiskFaultTest, DiskFilledByAnotherProcessRefusesThenResumesByItself) {
  SmallFilesystem fs(24);
  REQUIRE_SMALL_FILESYSTEM(fs);
  const std::vector<std::string> args = {"--disk-headroom", "4MiB"};
  auto server = Start(fs.Path("data"), args);
  ASSERT_TRUE(server->ok()) << ServerLog();
  for (int i = 0; i < 50; ++i) ASSERT_EQ(Create(server->port(), "a" + std::to_string(i)), 201);

  fs.Fill();
  ExpectRefusedWithDittoError(Rest(server->port(), "PUT", "/refused-1", Body(100)), "nearly full");
  // A refused modify leaves the connection's revision where it was.
  ExpectRefusedWithDittoError(Rest(server->port(), "PUT", "/a0", Body(200)), "nearly full");
  ExpectEveryAcknowledged(server->port());
  EXPECT_EQ(Health(server->port()), 503);

  // Space returns while it runs: writes resume by themselves.
  fs.Unfill();
  const long resumed_ms = MillisUntilAccepted(server->port(), "after-unfill", 5000);
  EXPECT_GE(resumed_ms, 0) << ServerLog();
  const HttpResponse modified = Rest(server->port(), "PUT", "/a0", Body(300));
  EXPECT_EQ(modified.status, 204) << modified.body;
  EXPECT_EQ(modified.Header("etag"), "\"rev:2\"");
  if (modified.status == 204) acknowledged_["a0"] = R"({"name":")" + std::string(300, 'n') + R"("})";
  std::printf("[ figure ] writes accepted %ld ms after space returned (running server)\n", resumed_ms);
  EXPECT_EQ(Health(server->port()), 200);

  // Full again, and a restart on the full disk: read-only, reads served.
  fs.Fill();
  EXPECT_EQ(server->Stop(SIGTERM), 0) << ServerLog();
  server = Start(fs.Path("data"), args, "connectivityd", Wait::kAnswer);
  ASSERT_NE(server->port(), 0) << ServerLog();
  std::string health;
  EXPECT_EQ(Health(server->port(), &health), 503);
  EXPECT_NE(health.find("nearly full"), std::string::npos) << health;
  ExpectEveryAcknowledged(server->port());
  ExpectRefusedWithDittoError(Rest(server->port(), "PUT", "/refused-2", Body(100)), "nearly full");
  EXPECT_NE(ServerLog().find("opening read-only"), std::string::npos) << ServerLog();

  // Space returns: the disk watcher reopens the journal for writing.
  fs.Unfill();
  const long reopened_ms = MillisUntilAccepted(server->port(), "after-reopen", 10000);
  EXPECT_GE(reopened_ms, 0) << ServerLog();
  std::printf("[ figure ] writes accepted %ld ms after space returned (read-only start)\n", reopened_ms);
  EXPECT_EQ(Health(server->port()), 200);
  EXPECT_NE(ServerLog().find("reopened for writing"), std::string::npos);
  ExpectEveryAcknowledged(server->port());
  EXPECT_EQ(server->Stop(SIGTERM), 0) << ServerLog();

  server = Start(fs.Path("data"), args);
  ASSERT_TRUE(server->ok()) << ServerLog();
  ExpectEveryAcknowledged(server->port());
}

// A second server must not take a data dir that a read-only one serves.
TEST_F(DiskFaultTest, ReadOnlyStartStillOwnsTheDataDir) {
  SmallFilesystem fs(16);
  REQUIRE_SMALL_FILESYSTEM(fs);
  auto first = Start(fs.Path("data"), {"--disk-headroom", "1MiB"});
  ASSERT_TRUE(first->ok()) << ServerLog();
  ASSERT_EQ(Create(first->port(), "owned"), 201);
  EXPECT_EQ(first->Stop(SIGTERM), 0);
  fs.Fill();
  auto read_only = Start(fs.Path("data"), {"--disk-headroom", "1MiB"}, "connectivityd", Wait::kAnswer);
  ASSERT_NE(read_only->port(), 0) << ServerLog();
  auto second = Start(fs.Path("data"), {"--disk-headroom", "0"}, "connectivityd", Wait::kNone);
  EXPECT_EQ(second->WaitExit(10000), 1) << ServerLog();
  ExpectEveryAcknowledged(read_only->port());
}

// A new data dir on a disk below the headroom: nothing to serve read-only,
// so the start fails at once with a message that says why.
TEST_F(DiskFaultTest, NewDataDirOnAFullDiskFailsWithAClearMessage) {
  SmallFilesystem fs(8);
  REQUIRE_SMALL_FILESYSTEM(fs);
  auto server = Start(fs.Path("data"), {}, "connectivityd", Wait::kNone);
  EXPECT_EQ(server->WaitExit(10000), 1);
  EXPECT_NE(ServerLog().find("--disk-headroom"), std::string::npos) << ServerLog();
  EXPECT_EQ(ServerLog().find("CURRENT"), std::string::npos) << ServerLog();
}

// Through the fault file system: a failing fsync (SIGUSR2) or a failing
// WAL append (SIGRTMIN). The journal refuses every write from then on, even
// after the disk recovers (SIGRTMIN+1), until a restart; no abort.
class InjectedFaultTest : public DiskFaultTest, public ::testing::WithParamInterface<int> {};

TEST_P(InjectedFaultTest, FailedWriteRefusesWritesUntilRestartAndLosesNothing) {
  const std::string data = log_dir_.path() + "/data";
  auto server = Start(data, {}, "connectivityd-faultfs");
  ASSERT_TRUE(server->ok()) << ServerLog();
  for (int i = 0; i < 30; ++i) ASSERT_EQ(Create(server->port(), "f" + std::to_string(i)), 201);

  kill(server->pid(), GetParam());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const HttpResponse refused = Rest(server->port(), "PUT", "/doubt", Body(100));
  ExpectRefusedWithDittoError(refused, "storage failure");
  kill(server->pid(), SIGRTMIN + 1);  // the disk works again; the journal still refuses
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ExpectRefusedWithDittoError(Rest(server->port(), "PUT", "/after", Body(100)), "storage failure");
  std::string health;
  EXPECT_EQ(Health(server->port(), &health), 503);
  EXPECT_NE(health.find("storage failed"), std::string::npos) << health;
  ExpectEveryAcknowledged(server->port());
  EXPECT_EQ(server->Stop(SIGTERM), 0) << ServerLog();
  EXPECT_NE(ServerLog().find("refuses writes after a failed write"), std::string::npos) << ServerLog();

  server = Start(data);
  ASSERT_TRUE(server->ok()) << ServerLog();
  ExpectEveryAcknowledged(server->port());
  EXPECT_EQ(Create(server->port(), "after-restart"), 201);
}

INSTANTIATE_TEST_SUITE_P(FsyncAndAppend, InjectedFaultTest, ::testing::Values(SIGUSR2, SIGRTMIN),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGUSR2 ? "FailingFsync" : "FailingAppend");
                         });

}  // namespace
}  // namespace connectivity::testing
