#include "tests/cluster/etcd_members.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace connectivity::testing {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    socklen_t length = sizeof(address);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

EtcdMembers::EtcdMembers(EtcdMembersOptions options) : options_(std::move(options)) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/connectivity-etcd-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return;
  dir_ = pattern;
  for (int i = 0; i < options_.members; ++i) {
    Member member;
    member.name = "m" + std::to_string(i + 1);
    member.client_port = FreeLoopbackPort();
    member.peer_port = FreeLoopbackPort();
    members_.push_back(member);
  }
  bool spawned = true;
  for (int i = 0; i < size(); ++i) spawned = Spawn(i) && spawned;
  ok_ = spawned && WaitHealthy();
}

EtcdMembers::~EtcdMembers() {
  for (int i = 0; i < size(); ++i) Kill(i);
  std::error_code error;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, error);
}

std::string EtcdMembers::endpoint(int member) const {
  return "127.0.0.1:" + std::to_string(members_[member].client_port);
}

std::string EtcdMembers::endpoints() const {
  std::string list;
  for (int i = 0; i < size(); ++i) list += (i ? "," : "") + endpoint(i);
  return list;
}

std::string EtcdMembers::uri() const { return "etcd://" + endpoints(); }

bool EtcdMembers::Spawn(int index) {
  Member& member = members_[index];
  std::string cluster;
  for (int i = 0; i < size(); ++i) {
    cluster += (i ? "," : "") + members_[i].name + "=http://127.0.0.1:" + std::to_string(members_[i].peer_port);
  }
  const std::string data = dir_ + "/" + member.name;
  const std::string client_url = "http://127.0.0.1:" + std::to_string(member.client_port);
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(member.peer_port);
  std::vector<std::string> args = {"etcd", "--name", member.name, "--data-dir", data,
                                   "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
                                   "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                                   "--initial-cluster", cluster, "--initial-cluster-state",
                                   member.started_once ? "existing" : "new",
                                   "--initial-cluster-token", "connectivity-test",
                                   "--auto-compaction-mode", "periodic", "--auto-compaction-retention", "10m",
                                   "--logger", "zap", "--log-level", "error"};
  args.insert(args.end(), options_.flags.begin(), options_.flags.end());
  const std::string log_path = dir_ + "/" + member.name + ".log";
  const pid_t pid = fork();
  if (pid == 0) {
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execvp("etcd", argv.data());
    _exit(127);
  }
  member.pid = pid;
  member.started_once = true;
  return pid > 0;
}

void EtcdMembers::Kill(int member, int signal) {
  Member& m = members_[member];
  if (m.pid <= 0) return;
  kill(m.pid, signal);
  waitpid(m.pid, nullptr, 0);
  m.pid = -1;
}

void EtcdMembers::Signal(int member, int signal) {
  if (members_[member].pid > 0) kill(members_[member].pid, signal);
}

bool EtcdMembers::Start(int member) {
  if (members_[member].pid > 0) return true;
  return Spawn(member);
}

int EtcdMembers::Etcdctl(const std::string& arguments, std::string* output) const {
  std::string live;
  for (int i = 0; i < size(); ++i) {
    if (members_[i].pid > 0) live += (live.empty() ? "" : ",") + endpoint(i);
  }
  const std::string command =
      "ETCDCTL_API=3 etcdctl --endpoints " + live + " --command-timeout 3s " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buffer;
  std::string text;
  while (size_t read = fread(buffer.data(), 1, buffer.size(), pipe)) text.append(buffer.data(), read);
  const int status = pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool EtcdMembers::WaitHealthy(int timeout_ms) const {
  const int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    // A quorum read: answers only with a leader and a quorum.
    if (Etcdctl("get --consistency=l connectivity/health-probe") == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

MosquittoProcess::MosquittoProcess() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/connectivity-mqtt-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return;
  dir_ = pattern;
  port_ = FreeLoopbackPort();
  const std::string config = dir_ + "/mosquitto.conf";
  FILE* file = std::fopen(config.c_str(), "w");
  if (file == nullptr) return;
  std::fprintf(file,
               "user root\nlistener %u 127.0.0.1\nallow_anonymous true\nmax_connections -1\n"
               "persistence false\nlog_dest file %s/mosquitto.log\nlog_type all\n",
               port_, dir_.c_str());
  std::fclose(file);
  pid_ = fork();
  if (pid_ == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    execlp("mosquitto", "mosquitto", "-c", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Ready once it accepts connections.
  for (int i = 0; i < 100; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port_);
    const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    close(fd);
    if (connected) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  port_ = 0;
}

MosquittoProcess::~MosquittoProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code error;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, error);
}

int MosquittoProcess::CountLogLines(const std::string& text) const {
  FILE* file = std::fopen((dir_ + "/mosquitto.log").c_str(), "r");
  if (file == nullptr) return 0;
  int count = 0;
  char line[4096];
  while (std::fgets(line, sizeof(line), file) != nullptr) {
    if (std::string(line).find(text) != std::string::npos) ++count;
  }
  std::fclose(file);
  return count;
}

}  // namespace connectivity::testing
