// connect-bench: the figures of the live-connection work, against the brokers of scripts/brokers.
//
//   build/connect-bench open [--count N] [--port P] [--user-info U:P] [--concurrency C]
//       Supervisor with N open MQTT 3.1.1 connections (distinct client ids) to Mosquitto:
//       time from process start and from Supervisor::Start until every Status() says liveStatus
//       "open", RSS per open connection, the broker-side socket count, and the time Stop() takes.
//   build/connect-bench latency [--runs N] [--addresses 0|1]
//       TestConnection per protocol (median and p90 of N, after one warm-up), reading the broker
//       addresses from `eval "$(scripts/brokers env)"`; HTTP if CONNECTIVITY_BENCH_HTTP names a
//       URI (e.g. a local `python3 -m http.server`). With --addresses 1 (the default) each
//       connection has one source and one target, which the clients check at connect
//       (src/connect/address.h): the queue and topic are created first.
//   build/connect-bench tunnel [--runs N]
//       TestConnection per protocol directly and through an SSH tunnel (password credentials) of
//       a real sshd started here (tests/connect/ssh_server.h; needs root and openssh-server).
//
// The process raises its open-files limit as far as the hard limit allows.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/connect/supervisor.h"
#include "src/connect/test_connection.h"
#include "tests/connect/broker_admin.h"
#include "tests/connect/broker_env.h"
#include "tests/connect/ssh_server.h"

namespace {

using connectivity::SystemClock;
using namespace connectivity::connect;
using connectivity::connect::testing::ServerSideConnections;
using connectivity::model::ConnectionType;

const auto kProcessStart = std::chrono::steady_clock::now();

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

rlim_t RaiseOpenFilesLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

long RssKb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

const char* Flag(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

connectivity::model::Connection Mqtt(const std::string& id, const std::string& uri) {
  connectivity::model::Connection connection;
  connection.id = id;
  connection.connection_type = ConnectionType::kMqtt;
  connection.connection_status = "open";
  connection.uri = uri;
  connectivity::model::Target target;
  target.address = "bench/" + id;
  target.qos = 0;
  connection.targets.push_back(target);
  return connection;
}

int Open(int argc, char** argv) {
  const int count = std::atoi(Flag(argc, argv, "--count", "1000"));
  const int port = std::atoi(Flag(argc, argv, "--port", "1884"));
  const std::string user_info = Flag(argc, argv, "--user-info", "");  // e.g. test:test for 1883
  Supervisor::Options options;
  options.concurrent_connects_max = std::strtoul(Flag(argc, argv, "--concurrency", "256"), nullptr, 10);
  const rlim_t files = RaiseOpenFilesLimit();
  std::printf("open-files limit %llu, concurrency %zu, %d connections to 127.0.0.1:%d\n",
              static_cast<unsigned long long>(files), options.concurrent_connects_max, count, port);
  SystemClock clock;
  Supervisor supervisor(options, clock);
  const long rss_before = RssKb();
  const auto start = std::chrono::steady_clock::now();
  supervisor.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    ids.push_back("bench-mqtt-" + std::to_string(i));
    supervisor.Open(Mqtt(ids.back(), "tcp://" + (user_info.empty() ? "" : user_info + "@") +
                                         "127.0.0.1:" + std::to_string(port)),
                    [](const ConnectOutcome&) {});
  }
  const double opened_s = SecondsSince(start);
  int open = 0;
  while (SecondsSince(start) < 60) {
    open = 0;
    for (const std::string& id : ids) {
      std::optional<LiveStatus> status = supervisor.Status(id);
      open += status && status->live_status == "open" ? 1 : 0;
    }
    if (open == count) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double all_open_s = SecondsSince(start);
  const double from_process_s = SecondsSince(kProcessStart);
  const long rss_after = RssKb();
  std::printf("Open() x%d returned in %.3f s\n", count, opened_s);
  std::printf("all %d liveStatus open: %s after %.3f s (%.3f s from process start); open=%d\n", count,
              open == count ? "yes" : "NO", all_open_s, from_process_s, open);
  std::printf("Ditto's default pace (1 reconnect/s): %d s = %.1f min\n", count, count / 60.0);
  std::printf("broker-side sockets on :%d: %d\n", port, ServerSideConnections(port));
  std::printf("RSS %ld kB before, %ld kB with %d open: %.1f kB per open connection\n", rss_before,
              rss_after, count, static_cast<double>(rss_after - rss_before) / count);
  const auto stop_start = std::chrono::steady_clock::now();
  supervisor.Stop();
  std::printf("Stop() closed all in %.3f s; broker-side sockets left: %d\n", SecondsSince(stop_start),
              ServerSideConnections(port));
  return open == count ? 0 : 1;
}

std::string Env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

void Latency(const char* name, const connectivity::model::Connection& connection, int runs) {
  ConnectSettings settings;
  std::vector<double> ms, verdict_ms;
  ConnectOutcome last = TestConnection(connection, settings);  // warm-up
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    last = TestConnection(connection, settings);
    ms.push_back(SecondsSince(start) * 1000);
    verdict_ms.push_back(last.duration_us / 1000.0);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(verdict_ms.begin(), verdict_ms.end());
  std::printf("%-16s ok=%d  call median %7.2f ms  p90 %7.2f ms  max %7.2f ms | verdict median %6.2f ms\n",
              name, last.ok ? 1 : 0, ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms.back(),
              verdict_ms[verdict_ms.size() / 2]);
}

// One source and one target of `connection` (an address of each kind the protocol checks).
connectivity::model::Connection WithAddresses(connectivity::model::Connection connection,
                                              const std::string& source, const std::string& target) {
  connectivity::model::Source in;
  in.addresses = {source};
  in.qos = 1;
  in.authorization_context = {"integration:test"};
  connection.sources.push_back(in);
  connection.targets.at(0).address = target;
  return connection;
}

int Latencies(int argc, char** argv) {
  const int runs = std::atoi(Flag(argc, argv, "--runs", "20"));
  const bool addresses = std::atoi(Flag(argc, argv, "--addresses", "1")) != 0;
  const std::string rabbit = Env("CONNECTIVITY_RABBITMQ_PORT", "5672");
  const std::string mqtt = Env("CONNECTIVITY_MOSQUITTO_PORT", "1883");
  const std::string kafka = Env("CONNECTIVITY_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
  auto make = [addresses](ConnectionType type, std::string uri, const std::string& source,
                          const std::string& target) {
    connectivity::model::Connection c = Mqtt("latency", std::move(uri));
    c.connection_type = type;
    if (addresses) return WithAddresses(std::move(c), source, target);
    c.targets.clear();  // the baseline: connect and handshake, nothing to check
    return c;
  };
  if (addresses && (!connectivity::connect::testing::RabbitDeclareQueue("bench-latency") ||
                    !connectivity::connect::testing::KafkaCreateTopic("bench-latency"))) {
    std::fprintf(stderr, "connect-bench: cannot create the queue and topic the sources name\n");
    return 1;
  }
  std::printf("TestConnection, %d runs each, %s; call = connect + handshake + checks + close, "
              "verdict = connect + handshake + checks (duration_us)\n",
              runs, addresses ? "one source and one target each" : "no sources or targets");
  Latency("AMQP 0.9.1", make(ConnectionType::kAmqp091, "amqp://guest:guest@127.0.0.1:" + rabbit,
                             "bench-latency", "amq.topic/bench"), runs);
  Latency("AMQP 1.0", make(ConnectionType::kAmqp10, "amqp://guest:guest@127.0.0.1:" + rabbit,
                           "/amq/queue/bench-latency", "/exchange/amq.topic/bench"), runs);
  Latency("MQTT 3.1.1", make(ConnectionType::kMqtt, "tcp://test:test@127.0.0.1:" + mqtt,
                             "bench/latency/#", "bench/out"), runs);
  Latency("MQTT 5", make(ConnectionType::kMqtt5, "tcp://test:test@127.0.0.1:" + mqtt,
                         "bench/latency/#", "bench/out"), runs);
  Latency("Kafka", make(ConnectionType::kKafka, "tcp://" + kafka, "bench-latency", "bench-latency"), runs);
  const std::string http = Env("CONNECTIVITY_BENCH_HTTP", "");
  if (!http.empty()) {  // HTTP push has no sources; its target is not checked
    connectivity::model::Connection c = Mqtt("latency", http);
    c.connection_type = ConnectionType::kHttpPush;
    c.targets.at(0).address = "POST:/bench";
    Latency("HTTP", c, runs);
  }
  return 0;
}

int Tunnel(int argc, char** argv) {
  const int runs = std::atoi(Flag(argc, argv, "--runs", "20"));
  connectivity::connect::testing::SshServer ssh;
  if (!ssh.ok()) {
    std::fprintf(stderr, "connect-bench: no sshd: %s\n", ssh.error().c_str());
    return 1;
  }
  const std::string rabbit = Env("CONNECTIVITY_RABBITMQ_PORT", "5672");
  const std::string mqtt = Env("CONNECTIVITY_MOSQUITTO_PORT", "1883");
  auto make = [](ConnectionType type, std::string uri) {
    connectivity::model::Connection c = Mqtt("latency", std::move(uri));
    c.connection_type = type;
    c.targets.clear();
    return c;
  };
  auto tunneled = [&ssh](connectivity::model::Connection c) {
    connectivity::model::SshTunnel tunnel;
    tunnel.enabled = true;
    tunnel.uri = ssh.uri();
    tunnel.credentials = connectivity::model::UserPasswordCredentials{ssh.user(), ssh.password()};
    c.ssh_tunnel = tunnel;
    return c;
  };
  std::printf("TestConnection, %d runs each, direct and through an SSH tunnel (sshd on 127.0.0.1:%d, "
              "password); no sources or targets\n", runs, ssh.port());
  const std::pair<const char*, connectivity::model::Connection> cases[] = {
      {"AMQP 0.9.1", make(ConnectionType::kAmqp091, "amqp://guest:guest@127.0.0.1:" + rabbit)},
      {"AMQP 1.0", make(ConnectionType::kAmqp10, "amqp://guest:guest@127.0.0.1:" + rabbit)},
      {"MQTT 3.1.1", make(ConnectionType::kMqtt, "tcp://test:test@127.0.0.1:" + mqtt)},
      {"MQTT 5", make(ConnectionType::kMqtt5, "tcp://test:test@127.0.0.1:" + mqtt)},
  };
  for (const auto& [name, connection] : cases) {
    Latency(name, connection, runs);
    Latency((std::string(name) + " ssh").c_str(), tunneled(connection), runs);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "open") return Open(argc, argv);
  if (mode == "latency") return Latencies(argc, argv);
  if (mode == "tunnel") return Tunnel(argc, argv);
  std::fprintf(stderr, "usage: connect-bench open [--count N] [--port P] [--user-info U:P] [--concurrency C]\n"
                       "       connect-bench latency [--runs N] [--addresses 0|1]\n"
                       "       connect-bench tunnel [--runs N]\n");
  return 2;
}
