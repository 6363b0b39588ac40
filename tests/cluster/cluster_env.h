// ClusterEnv: etcd members and instances of the real server on them, for
// the cluster-mode tests. Instance i runs build/connectivityd with
// --journal etcd://... --instance i, its own data dir (local snapshots) and
// any extra flags given for it; instances can be stopped and started again
// on the same data dir.
#ifndef CONNECTIVITY_TESTS_CLUSTER_CLUSTER_ENV_H_
#define CONNECTIVITY_TESTS_CLUSTER_CLUSTER_ENV_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/cluster/etcd_members.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace connectivity::testing {

class ClusterEnv {
 public:
  // `flags[i]`: extra flags of instance i (missing entries: none).
  // `member_flags`: extra flags of every etcd member.
  ClusterEnv(int members, int instances, std::vector<std::vector<std::string>> flags = {},
             std::map<std::string, std::string> env = {}, std::vector<std::string> member_flags = {});

  bool ok() const;
  std::string logs() const;
  EtcdMembers& members() { return *members_; }
  int size() const { return static_cast<int>(instances_.size()); }
  uint16_t port(int instance) const;
  bool running(int instance) const { return instances_[instance] != nullptr; }
  pid_t pid(int instance) const;
  std::string instance_log(int instance) const;
  // Stops instance i with `signal` (its data dir stays).
  void StopInstance(int instance, int signal);
  bool StartInstance(int instance);
  // Starts one more instance; returns its index.
  int AddInstance(std::vector<std::string> flags = {});

  HttpResponse Rest(int instance, const std::string& method, const std::string& path, const std::string& body = "",
                    std::vector<std::string> headers = {}, const std::string& content_type = "application/json",
                    long timeout_ms = 30000);
  // Clients this instance runs that are connected (its /metrics).
  int LiveOpen(int instance);
  HttpResponse Piggyback(int instance, const std::string& command, const std::string& headers = R"({"aggregate":false})",
                         const std::string& path = "/devops/piggyback/connectivity");

 private:
  std::unique_ptr<EtcdMembers> members_;
  std::vector<std::vector<std::string>> flags_;
  std::map<std::string, std::string> env_;
  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::vector<std::unique_ptr<ServerProcess>> instances_;
  std::vector<std::string> last_logs_;  // of stopped instances
};

// A closed MQTT connection for the REST API (no broker needed), optionally
// with a given source address.
std::string ClosedConnection(const std::string& address = "devices/#");
// An open MQTT connection to 127.0.0.1:port for the REST API.
std::string OpenConnection(uint16_t port, int client_count = 1);
// A piggyback createConnection of a closed connection.
std::string CreateCommand(const std::string& id);

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_CLUSTER_CLUSTER_ENV_H_
