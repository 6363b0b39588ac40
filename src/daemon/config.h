// The server's configuration (SPEC §3): flags, each with an environment
// variable; flags win. Unknown flags and bad values are one-line errors
// naming the flag (the caller exits with status 2).
#ifndef CONNECTIVITY_DAEMON_CONFIG_H_
#define CONNECTIVITY_DAEMON_CONFIG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "src/crypto/encryption_settings.h"
#include "src/model/hono_connection.h"

namespace connectivity::daemon {

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string data_dir = "./data";
  int threads = 2;  // default: number of cores
  std::string devops_password = "foobar";
  bool devops_secured = true;
  std::string instance = "0";
  bool piggyback_ditto2 = false;
  size_t body_bytes_max = 1048576;
  // Limits on what HTTP clients control (SPEC §5; README "Limits").
  size_t connections_max = 10000;
  size_t header_bytes_max = 8192;
  size_t request_line_bytes_max = 8192;
  int64_t idle_timeout_us = 60LL * 1000000;
  int64_t header_timeout_us = 10LL * 1000000;
  int64_t body_timeout_us = 30LL * 1000000;
  size_t queued_commands_max = 256;
  std::optional<std::string> cors_allow_origin;
  // Failed logins from one client address in a minute before it gets 429
  // (src/http/login_throttle.h); 0: no limit.
  uint64_t auth_failures_per_minute = 20;
  // TLS on the HTTP endpoint (src/daemon/tls_front.h): all empty = plain
  // HTTP. Certificate chain and key PEM files; with a client CA, clients
  // must present a certificate it signed.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // The haproxy binary that terminates TLS in front of the server.
  std::string tls_haproxy = "haproxy";
  size_t sources_max = 4;
  size_t targets_max = 4;
  uint64_t snapshot_threshold = 25;
  int64_t logger_log_duration_us = 3600LL * 1000000;
  uint64_t logger_success_capacity = 10;
  uint64_t logger_failure_capacity = 10;
  int64_t logger_active_check_interval_us = 300LL * 1000000;
  int64_t client_connect_timeout_us = 10LL * 1000000;
  int64_t client_backoff_min_us = 1LL * 1000000;
  int64_t client_backoff_max_us = 120LL * 1000000;
  // Connect attempts in flight at once (the rest queue), and the threads running AMQP 0.9.1
  // handshakes (src/connect/amqp091_loop.h).
  size_t client_connects_in_flight = 64;
  size_t client_handshake_threads = 4;
  size_t client_check_threads = 2;  // HTTP push and Kafka checks (src/connect/pooled_client.h)
  std::string blocked_hostnames;
  std::string blocked_subnets;
  std::string blocked_host_regex;
  std::string allowed_hostnames;
  bool oauth2_enforce_https = true;
  model::HonoSettings hono;  // HONO_CONNECTION_*, Ditto's defaults
  // Free-space guard (storage/store.h): writes stop (503) while the data
  // dir's filesystem has less than this free beyond the memtables; a start
  // below it serves reads only until space returns. Covers a compaction
  // step (128 MiB, storage/rocksdb_options.cc) plus RocksDB's metadata.
  uint64_t disk_headroom_bytes = 256ull << 20;
  // Cluster mode (SPEC §8): etcd://HOST:PORT[,...]; empty keeps the RocksDB
  // journal in data_dir (which then holds only the local snapshots).
  std::string journal_uri;
  bool cluster_reads_linearizable = true;      // --cluster-reads linearizable|local
  int64_t cluster_lease_ttl_us = 10LL * 1000000;
  int64_t cluster_request_timeout_us = 5LL * 1000000;
  size_t cluster_request_bytes_max = 1572864;  // etcd's --max-request-bytes
  std::string cluster_advertise;               // HOST:PORT others reach us at; default: --listen
  // Secrets at rest (SPEC §9): Ditto's connection.encryption settings.
  crypto::EncryptionSettings encryption;
};

struct HelpRequested {};

// Reads the environment through `getenv` (tests pass a map) and the flags.
std::variant<Config, HelpRequested, std::string> ParseConfig(
    int argc, const char* const* argv,
    const std::function<std::optional<std::string>(const char*)>& getenv);

std::string UsageText();

}  // namespace connectivity::daemon

#endif  // CONNECTIVITY_DAEMON_CONFIG_H_
