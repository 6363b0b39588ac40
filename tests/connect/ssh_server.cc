#include "tests/connect/ssh_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace connectivity::connect::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

std::string Output(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[1024];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  pclose(pipe);
  return output;
}

// A port nothing listens on right now (the kernel's choice, released for sshd).
int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

// True once sshd answers with its banner.
bool Answers(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const timeval bound{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
  char banner[8] = {};
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::recv(fd, banner, 4, MSG_WAITALL) == 4 && std::string(banner, 4) == "SSH-";
  ::close(fd);
  return ok;
}

// The PIDs whose parent is `pid`, from /proc.
std::vector<int> Children(int pid) {
  std::vector<int> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = readdir(proc)) {
    const int candidate = std::atoi(entry->d_name);
    if (candidate <= 0) continue;
    std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');  // the command may hold spaces and parentheses
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    int parent = 0;
    fields >> state >> parent;
    if (parent == pid) children.push_back(candidate);
  }
  closedir(proc);
  return children;
}

void KillTree(int pid) {
  for (int child : Children(pid)) KillTree(child);
  ::kill(pid, SIGTERM);
}

// "256 MD5:ba:41:... comment (ED25519)" -> "MD5:ba:41:...".
std::string Fingerprint(const std::string& public_key_file, const char* hash) {
  std::istringstream line(Output(std::string("ssh-keygen -l -E ") + hash + " -f '" + public_key_file + "'"));
  std::string bits, fingerprint;
  line >> bits >> fingerprint;
  return fingerprint;
}

}  // namespace

SshServer::SshServer() {
  if (geteuid() != 0) {
    error_ = "needs root (a throw-away system user and sshd's privilege separation)";
    return;
  }
  if (!Prepare() || !CreateUser() || !Start()) {
    if (error_.empty()) error_ = "sshd did not start; its log: " + Log();
  }
}

SshServer::~SshServer() {
  Stop();
  if (user_created_) Run("userdel '" + user_ + "'");
  if (!dir_.empty()) Run("rm -rf '" + dir_ + "'");
}

bool SshServer::Prepare() {
  std::string tmp = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
  std::string pattern = tmp + "/connectivity-sshd.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    error_ = "mkdtemp failed";
    return false;
  }
  dir_ = pattern;
  ::mkdir("/run/sshd", 0755);  // sshd's privilege separation directory (Debian's service makes it)
  const std::string d = "'" + dir_ + "'";
  if (!Run("ssh-keygen -q -t ed25519 -N '' -f " + d + "/host_ed25519") ||
      !Run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + d + "/user.pem") ||
      !Run("openssl pkey -in " + d + "/user.pem -pubout -out " + d + "/user.pub.pem")) {
    error_ = "generating the throw-away keys failed (ssh-keygen, openssl)";
    return false;
  }
  const std::string authorized = Output("ssh-keygen -i -m PKCS8 -f " + d + "/user.pub.pem");
  if (authorized.rfind("ssh-rsa ", 0) != 0 || !(std::ofstream(dir_ + "/authorized_keys") << authorized)) {
    error_ = "converting the user key for authorized_keys failed (ssh-keygen -i)";
    return false;
  }
  // sshd reads authorized_keys as the user: the directory and that file must be readable by it.
  ::chmod(dir_.c_str(), 0755);
  ::chmod((dir_ + "/authorized_keys").c_str(), 0644);
  private_key_pem_ = ReadFile(dir_ + "/user.pem");
  public_key_pem_ = ReadFile(dir_ + "/user.pub.pem");
  host_md5_ = Fingerprint(dir_ + "/host_ed25519.pub", "md5");
  host_sha256_ = Fingerprint(dir_ + "/host_ed25519.pub", "sha256");
  port_ = FreeLoopbackPort();
  std::ofstream config(dir_ + "/sshd_config");
  config << "Port " << port_ << "\nListenAddress 127.0.0.1\n"
         << "HostKey " << dir_ << "/host_ed25519\nPidFile " << dir_ << "/sshd.pid\n"
         << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
         << "StrictModes no\nUsePAM no\nPasswordAuthentication yes\nPubkeyAuthentication yes\n"
         << "KbdInteractiveAuthentication no\nPermitRootLogin no\nAllowTcpForwarding yes\n"
         << "X11Forwarding no\nPrintMotd no\nLogLevel DEBUG1\n";
  return static_cast<bool>(config);
}

bool SshServer::CreateUser() {
  user_ = "cxssh" + std::to_string(getpid());
  password_ = "Tunnel-pass-" + std::to_string(getpid());
  Run("userdel '" + user_ + "'");  // a leftover of a crashed run with the same PID
  if (!Run("useradd -M -s /usr/sbin/nologin '" + user_ + "'")) {
    error_ = "useradd failed";
    return false;
  }
  user_created_ = true;
  if (!Run("echo '" + user_ + ":" + password_ + "' | chpasswd")) {
    error_ = "chpasswd failed";
    return false;
  }
  return true;
}

bool SshServer::Start() {
  if (pid_ > 0) return true;
  const std::string config = dir_ + "/sshd_config";
  const std::string log = dir_ + "/sshd.log";
  const char* argv[] = {"/usr/sbin/sshd", "-D", "-f", config.c_str(), "-E", log.c_str(), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return false;
  pid_ = pid;
  for (int i = 0; i < 100; ++i) {
    if (Answers(port_)) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void SshServer::Stop() {
  if (pid_ <= 0) return;
  KillTree(pid_);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string SshServer::Log() const { return ReadFile(dir_ + "/sshd.log"); }

int SshServer::ForwardsTo(int port) const {
  const std::string needle = "target 127.0.0.1 port " + std::to_string(port);
  const std::string log = Log();
  int count = 0;
  for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++count;
  return count;
}

}  // namespace connectivity::connect::testing
