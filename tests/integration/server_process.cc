#include "tests/integration/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/http_client.h"

namespace connectivity::testing {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string ServerBinary(const std::string& name) { return std::string(CONNECTIVITY_BINARY_DIR) + "/" + name; }

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/connectivity-test-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made != nullptr) path_ = made;
}

TempDir::~TempDir() {
  std::error_code error;
  if (!path_.empty()) std::filesystem::remove_all(path_, error);
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
  log_path_ = options_.log_path.empty() ? options_.data_dir + ".log" : options_.log_path;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    const int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log_fd, STDERR_FILENO);
    close(pipe_fds[0]);
    for (const auto& [name, value] : options_.env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> args = {ServerBinary(options_.binary), "--listen", "127.0.0.1:0", "--data-dir",
                                     options_.data_dir, "--threads", "4"};
    args.insert(args.end(), options_.args.begin(), options_.args.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
  running_ = pid_ > 0;
  ReadPort(stdout_fd_, options_.ready_timeout_ms);
  if (port_ == 0 || !options_.wait_until_ready) return;
  const int64_t deadline = NowMs() + options_.ready_timeout_ms;
  while (NowMs() < deadline) {
    HttpRequestSpec spec;
    spec.path = "/health";
    spec.timeout_ms = 2000;
    if (Fetch(port_, spec).status == 200) return;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  port_ = 0;  // never became ready
}

void ServerProcess::ReadPort(int fd, int timeout_ms) {
  const int64_t deadline = NowMs() + timeout_ms;
  constexpr std::string_view kMarker = "listening on ";
  while (NowMs() < deadline) {
    pollfd poll_fd{fd, POLLIN, 0};
    if (poll(&poll_fd, 1, 50) <= 0) continue;
    char buffer[512];
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) return;
    stdout_.append(buffer, static_cast<size_t>(n));
    const size_t marker = stdout_.find(kMarker);
    const size_t end = marker == std::string::npos ? marker : stdout_.find('\n', marker);
    if (end == std::string::npos) continue;
    const std::string address = stdout_.substr(marker + kMarker.size(), end - marker - kMarker.size());
    port_ = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    return;
  }
}

int ServerProcess::WaitExit(int timeout_ms) {
  const int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      running_ = false;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int ServerProcess::Stop(int signal, int timeout_ms) {
  if (!running_) return -1;
  kill(pid_, signal);
  return WaitExit(timeout_ms);
}

ServerProcess::~ServerProcess() {
  if (running_) {
    if (Stop(SIGTERM, 10000) < 0) Stop(SIGKILL, 5000);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  std::error_code error;
  std::filesystem::remove(log_path_, error);
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HttpResponse Piggyback(uint16_t port, const std::string& command_json, const std::string& headers_json,
                       const std::string& selection) {
  HttpRequestSpec spec;
  spec.method = "POST";
  spec.path = "/devops/piggyback/connectivity";
  spec.body = R"({"targetActorSelection":")" + selection + R"(","headers":)" + headers_json +
              R"(,"piggybackCommand":)" + command_json + "}";
  spec.headers.push_back("Content-Type: application/json");
  return Fetch(port, spec);
}

}  // namespace connectivity::testing
