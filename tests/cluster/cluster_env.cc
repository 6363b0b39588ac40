#include "tests/cluster/cluster_env.h"

namespace connectivity::testing {

ClusterEnv::ClusterEnv(int members, int instances, std::vector<std::vector<std::string>> flags,
                       std::map<std::string, std::string> env, std::vector<std::string> member_flags)
    : flags_(std::move(flags)), env_(std::move(env)) {
  members_ = std::make_unique<EtcdMembers>(EtcdMembersOptions{members, std::move(member_flags)});
  flags_.resize(instances);
  instances_.resize(instances);
  last_logs_.resize(instances);
  for (int i = 0; i < instances; ++i) dirs_.push_back(std::make_unique<TempDir>());
  if (!members_->ok()) return;
  for (int i = 0; i < instances; ++i) StartInstance(i);
}

bool ClusterEnv::ok() const {
  if (!members_->ok()) return false;
  for (const auto& instance : instances_) {
    if (instance == nullptr || !instance->ok()) return false;
  }
  return true;
}

std::string ClusterEnv::logs() const {
  std::string text = members_->ok() ? "" : "etcd members did not start (dir " + members_->dir() + ")\n";
  for (int i = 0; i < size(); ++i) text += "--- instance " + std::to_string(i) + "\n" + instance_log(i);
  return text;
}

uint16_t ClusterEnv::port(int instance) const {
  return instances_[instance] != nullptr ? instances_[instance]->port() : 0;
}

pid_t ClusterEnv::pid(int instance) const {
  return instances_[instance] != nullptr ? instances_[instance]->pid() : -1;
}

std::string ClusterEnv::instance_log(int instance) const {
  return instances_[instance] != nullptr ? instances_[instance]->log() : last_logs_[instance];
}

void ClusterEnv::StopInstance(int instance, int signal) {
  if (instances_[instance] == nullptr) return;
  instances_[instance]->Stop(signal);
  last_logs_[instance] = instances_[instance]->log();
  instances_[instance].reset();
}

int ClusterEnv::AddInstance(std::vector<std::string> flags) {
  flags_.push_back(std::move(flags));
  instances_.emplace_back();
  last_logs_.emplace_back();
  dirs_.push_back(std::make_unique<TempDir>());
  const int index = size() - 1;
  StartInstance(index);
  return index;
}

bool ClusterEnv::StartInstance(int instance) {
  ServerOptions options;
  options.data_dir = dirs_[instance]->path() + "/data";
  options.log_path = dirs_[instance]->path() + "/log-" + std::to_string(last_logs_[instance].size());
  options.args = {"--journal", members_->uri(), "--instance", std::to_string(instance)};
  options.args.insert(options.args.end(), flags_[instance].begin(), flags_[instance].end());
  options.env = env_;
  instances_[instance] = std::make_unique<ServerProcess>(options);
  return instances_[instance]->ok();
}

HttpResponse ClusterEnv::Rest(int instance, const std::string& method, const std::string& path, const std::string& body,
                              std::vector<std::string> headers, const std::string& content_type, long timeout_ms) {
  HttpRequestSpec spec;
  spec.method = method;
  spec.path = "/api/2/connections" + path;
  spec.body = body;
  spec.headers = std::move(headers);
  spec.timeout_ms = timeout_ms;
  if (!body.empty() || method == "POST" || method == "PUT") spec.headers.push_back("Content-Type: " + content_type);
  return Fetch(port(instance), spec);
}

HttpResponse ClusterEnv::Piggyback(int instance, const std::string& command, const std::string& headers,
                                   const std::string& path) {
  HttpRequestSpec spec;
  spec.method = "POST";
  spec.path = path;
  spec.body = R"({"targetActorSelection":"/system/sharding/connection","headers":)" + headers +
              R"(,"piggybackCommand":)" + command + "}";
  return Fetch(port(instance), spec);
}

int ClusterEnv::LiveOpen(int instance) {
  if (!running(instance)) return 0;
  HttpRequestSpec spec;
  spec.path = "/metrics";
  spec.basic_auth.clear();
  spec.timeout_ms = 5000;
  const HttpResponse metrics = Fetch(port(instance), spec);
  const std::string marker = "connectivity_connections_live{live_status=\"open\"} ";
  const size_t at = metrics.body.find(marker);
  if (at == std::string::npos) return 0;
  return std::atoi(metrics.body.c_str() + at + marker.size());
}

std::string OpenConnection(uint16_t port, int client_count) {
  // MQTT 3.1.1 allows one client only (Ditto's rule); MQTT 5 more.
  const std::string type = client_count > 1 ? "mqtt-5" : "mqtt";
  return R"({"connectionType":")" + type + R"(","connectionStatus":"open","uri":"tcp://127.0.0.1:)" + std::to_string(port) +
         R"(","clientCount":)" + std::to_string(client_count) +
         R"(,"sources":[{"addresses":["a/#"],"qos":1,"authorizationContext":["ditto:inbound"]}]})";
}

std::string ClosedConnection(const std::string& address) {
  return R"({"connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://127.0.0.1:1883",)"
         R"("sources":[{"addresses":[")" + address + R"("],"qos":1,"authorizationContext":["ditto:inbound"]}]})";
}

std::string CreateCommand(const std::string& id) {
  return R"({"type":"connectivity.commands:createConnection","connection":{"id":")" + id +
         R"(","connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://127.0.0.1:1883",)"
         R"("sources":[{"addresses":["a/#"],"qos":1,"authorizationContext":["ditto:inbound"]}]}})";
}

}  // namespace connectivity::testing
