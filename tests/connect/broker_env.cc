#include "tests/connect/broker_env.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace connectivity::connect::testing {

bool BrokersAvailable() { return !EnvString("CONNECTIVITY_BROKERS").empty(); }

int EnvInt(const char* name, int fallback) {
  const std::string value = EnvString(name);
  return value.empty() ? fallback : std::atoi(value.c_str());
}

std::string EnvString(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

int RabbitPort() { return EnvInt("CONNECTIVITY_RABBITMQ_PORT", 5672); }
int RabbitTlsPort() { return EnvInt("CONNECTIVITY_RABBITMQ_TLS_PORT", 5671); }
int MosquittoPort() { return EnvInt("CONNECTIVITY_MOSQUITTO_PORT", 1883); }
int MosquittoAnonPort() { return EnvInt("CONNECTIVITY_MOSQUITTO_ANON_PORT", 1884); }
int MosquittoTlsPort() { return EnvInt("CONNECTIVITY_MOSQUITTO_TLS_PORT", 8883); }
std::string KafkaBootstrap() { return EnvString("CONNECTIVITY_KAFKA_BOOTSTRAP"); }
std::string KafkaMissingTopic() {
  const std::string topic = EnvString("CONNECTIVITY_KAFKA_MISSING_TOPIC");
  return topic.empty() ? "connectivity-missing-topic" : topic;
}

std::string TlsDir() {
  const std::string dir = EnvString("CONNECTIVITY_BROKERS_DIR");
  return (dir.empty() ? std::string(CONNECTIVITY_SOURCE_DIR) + "/.brokers" : dir) + "/tls";
}

std::string TlsCaPem() {
  std::ifstream in(TlsDir() + "/ca.pem");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

std::string Script() {
  const std::string script = EnvString("CONNECTIVITY_BROKERS_SCRIPT");
  return script.empty() ? std::string(CONNECTIVITY_SOURCE_DIR) + "/scripts/brokers" : script;
}

}  // namespace

int Brokers(const std::string& args) {
  const int rc = std::system((Script() + " " + args).c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string BrokersOutput(const std::string& args) {
  std::string output;
  FILE* pipe = popen((Script() + " " + args + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  pclose(pipe);
  return output;
}

MosquittoClientsWatcher::MosquittoClientsWatcher() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  const std::string port = std::to_string(MosquittoAnonPort());
  const char* argv[] = {"mosquitto_sub", "-h", "127.0.0.1", "-p", port.c_str(),
                        "-t", "$SYS/broker/clients/connected", "-W", "120", nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  pid_t pid = -1;
  if (posix_spawnp(&pid, "mosquitto_sub", &actions, nullptr, const_cast<char**>(argv), environ) == 0) {
    pid_ = pid;
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  pipe_ = fds[0];
  reader_ = std::thread([this] {
    std::string line;
    char c;
    while (!stop_.load() && ::read(pipe_, &c, 1) == 1) {
      if (c != '\n') {
        line += c;
        continue;
      }
      value_.store(std::atoi(line.c_str()));
      line.clear();
    }
  });
}

MosquittoClientsWatcher::~MosquittoClientsWatcher() {
  stop_.store(true);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();  // EOF once the child is gone
  if (pipe_ >= 0) ::close(pipe_);
}

int MosquittoClientsWatcher::clients() const {
  const int value = value_.load();
  return value < 0 ? -1 : value - 1;
}

bool MosquittoClientsWatcher::WaitFor(int clients, int timeout_ms) const {
  return WaitUntil([&] { return this->clients() == clients; }, timeout_ms);
}

int RabbitConnectionsNamed(const std::string& name) {
  const std::string output = BrokersOutput("rabbitmqctl -q list_connections client_properties");
  const std::string needle = "{\"connection_name\",\"" + name + "\"}";
  int count = 0;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(needle) != std::string::npos) ++count;
  }
  return count;
}

int ServerSideConnections(int port) {
  // Lines: "sl local_address rem_address st ...", e.g. "0: 0100007F:1628 0100007F:A1B2 01 ...".
  char local[32];
  std::snprintf(local, sizeof(local), "0100007F:%04X", port);
  std::ifstream in("/proc/net/tcp");
  int count = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state;
    fields >> slot >> local_address >> remote_address >> state;
    if (local_address == local && state == "01") ++count;
  }
  return count;
}

bool WaitUntil(const std::function<bool()>& condition, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

model::Connection MakeConnection(std::string id, model::ConnectionType type, std::string uri) {
  model::Connection connection;
  connection.id = std::move(id);
  connection.connection_type = type;
  connection.connection_status = "open";
  connection.uri = std::move(uri);
  model::Target target;
  target.address = type == model::ConnectionType::kHttpPush ? "POST:/events" : "events";
  target.qos = 0;
  target.authorization_context = {"integration:test"};
  connection.targets.push_back(std::move(target));
  return connection;
}

}  // namespace connectivity::connect::testing
