#include "src/daemon/config.h"

#include <charconv>
#include <cstdint>
#include <string_view>
#include <thread>
#include <vector>

#include "src/base/time_format.h"

namespace connectivity::daemon {
namespace {

// Applies a value; returns an error text (without the option's name) or nullopt.
using Setter = std::function<std::optional<std::string>(Config&, std::string_view)>;

struct Option {
  const char* flag;  // nullptr: environment only
  const char* env;   // nullptr: flag only
  const char* help;
  Setter set;
};

template <typename T>
std::optional<T> ParseInteger(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Setter PositiveSize(size_t Config::*field) {
  return [field](Config& c, std::string_view v) -> std::optional<std::string> {
    const auto n = ParseInteger<uint64_t>(v);
    if (!n || *n == 0) return "must be a positive integer, got '" + std::string(v) + "'";
    c.*field = static_cast<size_t>(*n);
    return std::nullopt;
  };
}

Setter PositiveCount(uint64_t Config::*field) {
  return [field](Config& c, std::string_view v) -> std::optional<std::string> {
    const auto n = ParseInteger<uint64_t>(v);
    if (!n || *n == 0) return "must be a positive integer, got '" + std::string(v) + "'";
    c.*field = *n;
    return std::nullopt;
  };
}

Setter Count(uint64_t Config::*field) {
  return [field](Config& c, std::string_view v) -> std::optional<std::string> {
    const auto n = ParseInteger<uint64_t>(v);
    if (!n || *n > UINT32_MAX) return "must be an integer from 0 to 4294967295, got '" + std::string(v) + "'";
    c.*field = *n;
    return std::nullopt;
  };
}

Setter Duration(int64_t Config::*field) {
  return [field](Config& c, std::string_view v) -> std::optional<std::string> {
    const auto micros = ParseDurationMicros(v);
    if (!micros || *micros <= 0) {
      return "must be a duration such as 500ms, 30s, 5m or 1h, got '" + std::string(v) + "'";
    }
    c.*field = *micros;
    return std::nullopt;
  };
}

Setter Text(std::string Config::*field) {
  return [field](Config& c, std::string_view v) -> std::optional<std::string> {
    c.*field = std::string(v);
    return std::nullopt;
  };
}

Setter Boolean(bool Config::*field) {
  return [field](Config& c, std::string_view v) -> std::optional<std::string> {
    if (v == "true") c.*field = true;
    else if (v == "false") c.*field = false;
    else return "must be true or false, got '" + std::string(v) + "'";
    return std::nullopt;
  };
}

// The Hono settings (model::HonoSettings), environment only, as Ditto reads them.
Setter HonoText(std::string model::HonoSettings::*field) {
  return [field](Config& c, std::string_view v) -> std::optional<std::string> {
    c.hono.*field = std::string(v);
    return std::nullopt;
  };
}

std::optional<std::string> SetHonoSasl(Config& c, std::string_view v) {
  const std::optional<std::string> mechanism = model::ParseHonoSaslMechanism(v);
  if (!mechanism) return "must be PLAIN, SCRAM_SHA_256 or SCRAM_SHA_512, got '" + std::string(v) + "'";
  c.hono.sasl_mechanism = *mechanism;
  return std::nullopt;
}

std::optional<std::string> SetHonoValidate(Config& c, std::string_view v) {
  if (v == "true") c.hono.validate_certificates = true;
  else if (v == "false") c.hono.validate_certificates = false;
  else return "must be true or false, got '" + std::string(v) + "'";
  return std::nullopt;
}

// A byte count: digits with an optional unit (KiB, MiB, GiB; KB, MB, GB as
// the same powers of two), e.g. 268435456, 256MiB, 1GiB, 0.
std::optional<std::string> SetDiskHeadroom(Config& c, std::string_view v) {
  struct Unit {
    std::string_view suffix;
    uint64_t factor;
  };
  static constexpr Unit kUnits[] = {{"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
                                     {"KB", 1ull << 10},  {"MB", 1ull << 20},  {"GB", 1ull << 30}};
  std::string_view digits = v;
  uint64_t factor = 1;
  for (const Unit& unit : kUnits) {
    if (digits.size() > unit.suffix.size() && digits.substr(digits.size() - unit.suffix.size()) == unit.suffix) {
      digits.remove_suffix(unit.suffix.size());
      factor = unit.factor;
      break;
    }
  }
  const auto n = ParseInteger<uint64_t>(digits);
  if (!n || *n > (1ull << 50) / factor) {
    return "must be a size such as 268435456, 256MiB or 1GiB, got '" + std::string(v) + "'";
  }
  c.disk_headroom_bytes = *n * factor;
  return std::nullopt;
}

std::optional<std::string> SetListen(Config& c, std::string_view v) {
  const size_t colon = v.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return "must be HOST:PORT, got '" + std::string(v) + "'";
  const auto port = ParseInteger<uint16_t>(v.substr(colon + 1));
  if (!port) return "has an invalid port in '" + std::string(v) + "'";
  c.listen_host = std::string(v.substr(0, colon));
  c.listen_port = *port;
  return std::nullopt;
}

std::optional<std::string> SetThreads(Config& c, std::string_view v) {
  const auto n = ParseInteger<int>(v);
  if (!n || *n < 1 || *n > 1024) return "must be an integer from 1 to 1024, got '" + std::string(v) + "'";
  c.threads = *n;
  return std::nullopt;
}

// A setter of the encryption settings (src/crypto/encryption_settings.h).
Setter Encryption(std::optional<std::string> (*set)(crypto::EncryptionSettings&, std::string_view)) {
  return [set](Config& c, std::string_view v) { return set(c.encryption, v); };
}

std::optional<std::string> SetCompat(Config& c, std::string_view v) {
  if (v == "ditto3") c.piggyback_ditto2 = false;
  else if (v == "ditto2") c.piggyback_ditto2 = true;
  else return "must be ditto3 or ditto2, got '" + std::string(v) + "'";
  return std::nullopt;
}

std::optional<std::string> SetJournal(Config& c, std::string_view v) {
  if (v.substr(0, 7) != "etcd://" || v.size() == 7) {
    return "must be etcd://HOST:PORT[,HOST:PORT...], got '" + std::string(v) + "'";
  }
  c.journal_uri = std::string(v);
  return std::nullopt;
}

std::optional<std::string> SetClusterReads(Config& c, std::string_view v) {
  if (v == "linearizable") c.cluster_reads_linearizable = true;
  else if (v == "local") c.cluster_reads_linearizable = false;
  else return "must be linearizable or local, got '" + std::string(v) + "'";
  return std::nullopt;
}

std::optional<std::string> SetLeaseTtl(Config& c, std::string_view v) {
  const auto micros = ParseDurationMicros(v);
  // etcd grants no lease shorter than about 2 s (its minimum TTL).
  if (!micros || *micros < 2'000'000) return "must be a duration of at least 2s, got '" + std::string(v) + "'";
  c.cluster_lease_ttl_us = *micros;
  return std::nullopt;
}

const std::vector<Option>& Options() {
  static const std::vector<Option> options = {
      {"--listen", "CONNECTIVITY_LISTEN", "HOST:PORT to serve HTTP on (default 127.0.0.1:8080)", SetListen},
      {"--data-dir", "CONNECTIVITY_DATA_DIR", "journal and snapshots directory (default ./data)", Text(&Config::data_dir)},
      {"--threads", "CONNECTIVITY_THREADS", "HTTP worker threads (default: number of cores)", SetThreads},
      {"--instance", "INSTANCE_INDEX", "instance id in piggyback answers (default 0)", Text(&Config::instance)},
      {"--piggyback-compat", "CONNECTIVITY_PIGGYBACK_COMPAT", "ditto3 (default) or ditto2", SetCompat},
      {"--max-body-bytes", "CONNECTIVITY_MAX_BODY_BYTES", "largest request body (default 1048576)", PositiveSize(&Config::body_bytes_max)},
      {"--max-connections", "CONNECTIVITY_MAX_CONNECTIONS", "open HTTP connections; more get 503 (default 10000)", PositiveSize(&Config::connections_max)},
      {"--max-header-bytes", "CONNECTIVITY_MAX_HEADER_BYTES", "largest header section of a request; more gets 431 (default 8192)", PositiveSize(&Config::header_bytes_max)},
      {"--max-request-line-bytes", "CONNECTIVITY_MAX_REQUEST_LINE_BYTES", "longest request line; longer gets 414 (default 8192)", PositiveSize(&Config::request_line_bytes_max)},
      {"--idle-timeout", "CONNECTIVITY_IDLE_TIMEOUT", "an idle keep-alive connection is closed after this (default 60s)", Duration(&Config::idle_timeout_us)},
      {"--header-timeout", "CONNECTIVITY_HEADER_TIMEOUT", "request line and headers must arrive within this; else 408 (default 10s)", Duration(&Config::header_timeout_us)},
      {"--body-timeout", "CONNECTIVITY_BODY_TIMEOUT", "a request body must arrive within this; else 408 (default 30s)", Duration(&Config::body_timeout_us)},
      {"--max-queued-commands", "CONNECTIVITY_MAX_QUEUED_COMMANDS", "commands waiting per connection; more get 503 (default 256)", PositiveSize(&Config::queued_commands_max)},
      {"--disk-headroom", "CONNECTIVITY_DISK_HEADROOM",
       "free disk kept beyond every write; below it writes answer 503 (default 256MiB)", SetDiskHeadroom},
      {"--cors-allow-origin", "CONNECTIVITY_CORS_ALLOW_ORIGIN", "allow browser UIs from this origin (default off)",
       [](Config& c, std::string_view v) -> std::optional<std::string> { c.cors_allow_origin = std::string(v); return std::nullopt; }},
      {"--journal", "CONNECTIVITY_JOURNAL", "etcd://HOST:PORT[,...]: cluster mode on etcd (default: RocksDB in --data-dir)", SetJournal},
      {"--cluster-reads", "CONNECTIVITY_CLUSTER_READS", "linearizable (default) or local: cluster-mode reads", SetClusterReads},
      {"--cluster-lease-ttl", "CONNECTIVITY_CLUSTER_LEASE_TTL", "an instance's etcd lease; owners drop clients before it ends (default 10s)", SetLeaseTtl},
      {"--cluster-request-timeout", "CONNECTIVITY_CLUSTER_REQUEST_TIMEOUT", "bound on every etcd request; then 503 (default 5s)", Duration(&Config::cluster_request_timeout_us)},
      {"--cluster-max-request-bytes", "CONNECTIVITY_CLUSTER_MAX_REQUEST_BYTES", "etcd's --max-request-bytes; larger events get 413 (default 1572864)", PositiveSize(&Config::cluster_request_bytes_max)},
      {"--cluster-advertise", "CONNECTIVITY_CLUSTER_ADVERTISE", "HOST:PORT other instances reach this one at (default: --listen)", Text(&Config::cluster_advertise)},
      {"--auth-failures-per-minute", "CONNECTIVITY_AUTH_FAILURES_PER_MINUTE",
       "failed logins from one client address in a minute before 429 Too Many Requests, 0 = no limit (default 20)",
       Count(&Config::auth_failures_per_minute)},
      {"--tls-cert", "CONNECTIVITY_TLS_CERT", "PEM certificate chain: serve HTTPS (TLS 1.2+) on --listen (default off)",
       Text(&Config::tls_cert)},
      {"--tls-key", "CONNECTIVITY_TLS_KEY", "PEM private key of --tls-cert", Text(&Config::tls_key)},
      {"--tls-client-ca", "CONNECTIVITY_TLS_CLIENT_CA", "PEM CA: require client certificates it signed (default off)",
       Text(&Config::tls_client_ca)},
      {"--tls-haproxy", "CONNECTIVITY_TLS_HAPROXY", "the haproxy binary that terminates TLS (default haproxy)",
       Text(&Config::tls_haproxy)},
      {nullptr, "DEVOPS_PASSWORD", "password of user devops (default foobar)", Text(&Config::devops_password)},
      {nullptr, "DEVOPS_SECURED", "false turns authentication off (default true)", Boolean(&Config::devops_secured)},
      {nullptr, "CONNECTION_SOURCE_NUMBER", "most sources per connection (default 4)", PositiveSize(&Config::sources_max)},
      {nullptr, "CONNECTION_TARGET_NUMBER", "most targets per connection (default 4)", PositiveSize(&Config::targets_max)},
      {nullptr, "CONNECTION_SNAPSHOT_THRESHOLD", "events between historical snapshots (default 25)", PositiveCount(&Config::snapshot_threshold)},
      {nullptr, "CONNECTIVITY_LOGGER_LOG_DURATION", "connection logs stay enabled this long (default 1h)", Duration(&Config::logger_log_duration_us)},
      {nullptr, "CONNECTIVITY_LOGGER_SUCCESS_CAPACITY", "success entries kept per logger (default 10)", PositiveCount(&Config::logger_success_capacity)},
      {nullptr, "CONNECTIVITY_LOGGER_FAILURE_CAPACITY", "failure entries kept per logger (default 10)", PositiveCount(&Config::logger_failure_capacity)},
      {nullptr, "CONNECTIVITY_LOGGER_ACTIVE_CHECK_INTERVAL", "how often log expiry is checked (default 5m)", Duration(&Config::logger_active_check_interval_us)},
      {nullptr, "CONNECTIVITY_CLIENT_CONNECT_TIMEOUT", "bound on a connect or test (default 10s)", Duration(&Config::client_connect_timeout_us)},
      {nullptr, "CONNECTIVITY_CLIENT_BACKOFF_MIN", "first reconnect delay (default 1s)", Duration(&Config::client_backoff_min_us)},
      {nullptr, "CONNECTIVITY_CLIENT_BACKOFF_MAX", "longest reconnect delay (default 2m)", Duration(&Config::client_backoff_max_us)},
      {"--connects-in-flight", "CONNECTIVITY_CLIENT_CONNECTS_IN_FLIGHT",
       "connect attempts of open connections in flight at once; the rest queue (default 64)",
       PositiveSize(&Config::client_connects_in_flight)},
      {"--handshake-threads", "CONNECTIVITY_CLIENT_HANDSHAKE_THREADS",
       "threads running AMQP 0.9.1 handshakes of open connections (default 4)",
       PositiveSize(&Config::client_handshake_threads)},
      {"--check-threads", "CONNECTIVITY_CLIENT_CHECK_THREADS",
       "threads running the connects and rechecks of open HTTP push and Kafka connections (default 2)",
       PositiveSize(&Config::client_check_threads)},
      {nullptr, "CONNECTIVITY_CONNECTION_BLOCKED_HOSTNAMES", "comma list of blocked hosts", Text(&Config::blocked_hostnames)},
      {nullptr, "CONNECTIVITY_CONNECTION_BLOCKED_SUBNETS", "comma list of blocked CIDR subnets", Text(&Config::blocked_subnets)},
      {nullptr, "CONNECTIVITY_CONNECTION_BLOCKED_HOST_REGEX", "regex of blocked hosts", Text(&Config::blocked_host_regex)},
      {nullptr, "CONNECTIVITY_CONNECTION_ALLOWED_HOSTNAMES", "comma list of hosts allowed despite the blocks", Text(&Config::allowed_hostnames)},
      {nullptr, "CONNECTIVITY_HTTP_OAUTH2_ENFORCE_HTTPS", "OAuth token endpoints must be https (default true)", Boolean(&Config::oauth2_enforce_https)},
      {nullptr, "HONO_CONNECTION_URI", "Kafka URI hono connections use (default tcp://localhost:9092)", HonoText(&model::HonoSettings::base_uri)},
      {nullptr, "HONO_CONNECTION_BOOTSTRAP_SERVERS", "their bootstrap servers (default localhost:9092)", HonoText(&model::HonoSettings::bootstrap_servers)},
      {nullptr, "HONO_CONNECTION_SASL_MECHANISM", "PLAIN (default), SCRAM_SHA_256 or SCRAM_SHA_512", SetHonoSasl},
      {nullptr, "HONO_CONNECTION_HONO_USERNAME", "their SASL user (default honoUsername)", HonoText(&model::HonoSettings::username)},
      {nullptr, "HONO_CONNECTION_HONO_PASSWORD", "their SASL password (default honoPassword)", HonoText(&model::HonoSettings::password)},
      {nullptr, "HONO_CONNECTION_VALIDATE_CERTIFICATE", "verify their broker's certificate (default false)", SetHonoValidate},
      {nullptr, "HONO_CONNECTION_CA", "PEM CA certificates they trust (default none)", HonoText(&model::HonoSettings::ca)},
      {nullptr, crypto::kEncryptionEnabledVariable, "true: store connection secrets encrypted (default false)",
       Encryption(crypto::SetEncryptionEnabled)},
      {nullptr, crypto::kEncryptionKeyVariable, "256-bit AES key, URL-safe base64 (openssl rand 32 | basenc --base64url)",
       Encryption(crypto::SetEncryptionKey)},
      {nullptr, crypto::kOldEncryptionKeyVariable, "the previous key: decrypts during a rotation or a disable",
       Encryption(crypto::SetOldEncryptionKey)},
      {nullptr, crypto::kEncryptionPointersVariable, "comma list of JSON pointers to encrypt (default: Ditto's nine)",
       Encryption(crypto::SetEncryptionPointers)},
      {"--encryption-migration-batch-size", crypto::kMigrationBatchSizeVariable,
       "documents per batch of an encryption migration (default 10)", Encryption(crypto::SetMigrationBatchSize)},
      {"--encryption-migration-max-docs-per-minute", crypto::kMigrationMaxDocumentsVariable,
       "throttle of an encryption migration, 0 = none (default 200)",
       Encryption(crypto::SetMigrationMaxDocumentsPerMinute)},
  };
  return options;
}

std::string Describe(const Option& option) {
  return option.flag != nullptr ? option.flag : option.env;
}

}  // namespace

std::string UsageText() {
  std::string text = "usage: connectivityd [flags]\n\nflags (each also read from the environment variable shown; flags win):\n";
  for (const Option& option : Options()) {
    if (option.flag == nullptr) continue;
    text += "  " + std::string(option.flag) + " VALUE   (" + option.env + ")  " + option.help + "\n";
  }
  text += "  --help            this text\n\nenvironment only:\n";
  for (const Option& option : Options()) {
    if (option.flag != nullptr) continue;
    text += "  " + std::string(option.env) + "  " + option.help + "\n";
  }
  return text;
}

std::variant<Config, HelpRequested, std::string> ParseConfig(
    int argc, const char* const* argv,
    const std::function<std::optional<std::string>(const char*)>& getenv) {
  Config config;
  config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (const Option& option : Options()) {
    if (option.env == nullptr) continue;
    if (const std::optional<std::string> value = getenv(option.env)) {
      if (auto error = option.set(config, *value)) return std::string(option.env) + " " + *error;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view argument = argv[i];
    if (argument == "--help" || argument == "-h") return HelpRequested{};
    std::optional<std::string_view> inline_value;
    if (const size_t equals = argument.find('='); equals != std::string_view::npos) {
      inline_value = argument.substr(equals + 1);
      argument = argument.substr(0, equals);
    }
    const Option* match = nullptr;
    for (const Option& option : Options()) {
      if (option.flag != nullptr && argument == option.flag) match = &option;
    }
    if (match == nullptr) return "unknown flag '" + std::string(argument) + "' (see --help)";
    if (!inline_value && i + 1 >= argc) return std::string(match->flag) + " needs a value";
    const std::string_view value = inline_value ? *inline_value : std::string_view(argv[++i]);
    if (auto error = match->set(config, value)) return Describe(*match) + " " + *error;
  }
  if (auto error = crypto::ValidateEncryptionSettings(config.encryption)) return *error;
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return std::string("--tls-cert (CONNECTIVITY_TLS_CERT) and --tls-key (CONNECTIVITY_TLS_KEY) go together");
  }
  if (!config.tls_client_ca.empty() && config.tls_cert.empty()) {
    return std::string("--tls-client-ca (CONNECTIVITY_TLS_CLIENT_CA) needs --tls-cert and --tls-key");
  }
  return config;
}

}  // namespace connectivity::daemon
