// EtcdMembers: real etcd members (Debian's etcd 3.4) as child processes on
// free loopback ports, for the cluster-mode tests. Each member keeps its
// data in a temporary folder; members can be killed (kill -9), stopped and
// started again with their data, to drill failures.
#ifndef CONNECTIVITY_TESTS_CLUSTER_ETCD_MEMBERS_H_
#define CONNECTIVITY_TESTS_CLUSTER_ETCD_MEMBERS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace connectivity::testing {

struct EtcdMembersOptions {
  int members = 3;
  // Extra flags for every member (e.g. --quota-backend-bytes).
  std::vector<std::string> flags;
};

class EtcdMembers {
 public:
  explicit EtcdMembers(EtcdMembersOptions options = {});
  ~EtcdMembers();  // kills every member, removes the data
  EtcdMembers(const EtcdMembers&) = delete;
  EtcdMembers& operator=(const EtcdMembers&) = delete;

  // Every member started and the cluster answered a quorum read.
  bool ok() const { return ok_; }
  // "etcd://127.0.0.1:P1,127.0.0.1:P2,..."
  std::string uri() const;
  // "127.0.0.1:P1,..." (etcdctl --endpoints)
  std::string endpoints() const;
  std::string endpoint(int member) const;
  int size() const { return static_cast<int>(members_.size()); }

  // kill -9 (or `signal`) member i and reaps it.
  void Kill(int member, int signal = 9);
  // Sends `signal` to member i without waiting (SIGSTOP / SIGCONT).
  void Signal(int member, int signal);
  // Starts member i again on its data.
  bool Start(int member);
  bool alive(int member) const { return members_[member].pid > 0; }
  // Waits until a quorum answers (etcdctl endpoint health on the live ones).
  bool WaitHealthy(int timeout_ms = 20000) const;
  // Runs etcdctl (API 3) against every endpoint; returns its exit status, output in *output.
  int Etcdctl(const std::string& arguments, std::string* output = nullptr) const;
  const std::string& dir() const { return dir_; }

 private:
  struct Member {
    std::string name;
    uint16_t client_port = 0;
    uint16_t peer_port = 0;
    pid_t pid = -1;
    bool started_once = false;
  };

  bool Spawn(int member);

  EtcdMembersOptions options_;
  std::string dir_;
  std::vector<Member> members_;
  bool ok_ = false;
};

// A free TCP port on 127.0.0.1 (bound once and released).
uint16_t FreeLoopbackPort();

// A private Mosquitto (anonymous, loopback, every log line kept) for the
// ownership drills: its log shows a second client taking a client id.
class MosquittoProcess {
 public:
  MosquittoProcess();
  ~MosquittoProcess();
  MosquittoProcess(const MosquittoProcess&) = delete;
  MosquittoProcess& operator=(const MosquittoProcess&) = delete;

  bool ok() const { return pid_ > 0 && port_ != 0; }
  uint16_t port() const { return port_; }
  // Lines of its log containing `text`.
  int CountLogLines(const std::string& text) const;

 private:
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_CLUSTER_ETCD_MEMBERS_H_
