// ServerProcess: the real build/connectivityd as a child process on an
// ephemeral loopback port, for integration tests.
#ifndef CONNECTIVITY_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define CONNECTIVITY_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace connectivity::testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ServerOptions {
  std::string data_dir;
  // The binary under build/: connectivityd, or the test-only
  // connectivityd-faultfs.
  std::string binary = "connectivityd";
  // Where the server's stderr goes (default: beside the data dir). Tests
  // that put the data dir on a small filesystem keep the log elsewhere.
  std::string log_path;
  std::vector<std::string> args;             // extra flags
  std::map<std::string, std::string> env;    // extra environment
  bool wait_until_ready = true;              // wait for /health 200
  int ready_timeout_ms = 30000;
};

class ServerProcess {
 public:
  // Starts the server; check ok() (and log() on failure).
  explicit ServerProcess(ServerOptions options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool ok() const { return port_ != 0 && running_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the exit; returns the exit status, or
  // 128 + signal number if killed by a signal, or -1 on timeout.
  int Stop(int signal, int timeout_ms = 15000);
  // Waits for the process to exit by itself (e.g. on a start-up error).
  int WaitExit(int timeout_ms);
  // The server's stderr so far.
  std::string log() const;
  std::string stdout_text() const { return stdout_; }

 private:
  void ReadPort(int stdout_fd, int timeout_ms);

  ServerOptions options_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool running_ = false;
  std::string log_path_;
  std::string stdout_;
  int stdout_fd_ = -1;
};

// POST /devops/piggyback/connectivity with the given command and headers.
struct HttpResponse;
HttpResponse Piggyback(uint16_t port, const std::string& command_json,
                       const std::string& headers_json = R"({"aggregate":false})",
                       const std::string& selection = "/system/sharding/connection");

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_INTEGRATION_SERVER_PROCESS_H_
