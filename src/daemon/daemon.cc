#include "src/daemon/daemon.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <variant>

#include "journal/journal.h"
#include "journal/open.h"
#include "src/cluster/cluster.h"
#include "src/cluster/forwarder.h"
#include "src/http/http_errors.h"
#include "src/connect/resolver.h"
#include "src/connect/supervisor.h"
#include "src/base/clock.h"
#include "src/base/log.h"
#include "src/crypto/connection_secrets.h"
#include "src/daemon/disk_watcher.h"
#include "src/daemon/tls_front.h"
#include "storage/free_space.h"
#include "src/http/router.h"
#include "src/http/server.h"
#include "src/recovery/recovery.h"
#include "src/service/connection_service.h"
#include "src/service/encryption_mark.h"

namespace connectivity::daemon {
namespace {

void Log(const std::string& line) { log::Info("connectivityd", line); }

// Descriptors kept apart from HTTP connections: the journal's files, the clients of open
// connections (one or two sockets each), test connections, logs.
constexpr size_t kReservedDescriptors = 4096;

// HTTP connections and open connections need file descriptors; take as many as the hard limit
// allows. Returns how many HTTP connections fit beside the reserve: --max-connections is lowered
// to that, so the limit is reached before accept(2) runs out of descriptors.
size_t RaiseOpenFilesLimit(size_t connections_max) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return connections_max;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  if (limit.rlim_cur != before) {
    Log("open-files limit raised from " + std::to_string(before) + " to " + std::to_string(limit.rlim_cur));
  }
  if (limit.rlim_cur == RLIM_INFINITY) return connections_max;
  const auto descriptors = static_cast<size_t>(limit.rlim_cur);
  const size_t reserve = std::min(kReservedDescriptors, descriptors / 2);
  const size_t fitting = std::max<size_t>(1, descriptors - reserve);
  if (fitting >= connections_max) return connections_max;
  log::Warn("http", "--max-connections lowered from " + std::to_string(connections_max) + " to " + std::to_string(fitting) +
      ": the open-files limit is " + std::to_string(descriptors) + " and " + std::to_string(reserve) +
      " stay reserved (raise the hard limit, ulimit -Hn, for more)");
  return fitting;
}

http::ServerConfig MakeServerConfig(const Config& config) {
  http::ServerConfig server;
  server.host = config.listen_host;
  server.port = config.listen_port;
  server.threads = config.threads;
  server.limits.connections_max = RaiseOpenFilesLimit(config.connections_max);
  server.limits.idle_timeout_us = config.idle_timeout_us;
  server.limits.header_timeout_us = config.header_timeout_us;
  server.limits.body_timeout_us = config.body_timeout_us;
  server.limits.framing.request_line_bytes_max = config.request_line_bytes_max;
  server.limits.framing.header_bytes_max = config.header_bytes_max;
  server.limits.framing.body_bytes_max = config.body_bytes_max;
  return server;
}

connect::ConnectSettings MakeConnectSettings(const Config& config) {
  connect::ConnectSettings settings;
  settings.timeout_us = config.client_connect_timeout_us;
  settings.outbound = model::HostRulesFromConfig(config.blocked_hostnames, config.blocked_subnets,
                                                 config.blocked_host_regex, config.allowed_hostnames);
  settings.hono = config.hono;
  return settings;
}

connect::Supervisor::Options MakeSupervisorOptions(const Config& config) {
  connect::Supervisor::Options options;
  options.connect = MakeConnectSettings(config);
  options.backoff_min_us = config.client_backoff_min_us;
  options.backoff_max_us = config.client_backoff_max_us;
  // Connect attempts in flight at once. Brokers' listen backlogs are small
  // (Mosquitto: 100); more parallel SYNs than that are dropped and retried
  // a second later, which made 1,000 reconnects at start-up slower, not faster.
  options.concurrent_connects_max = config.client_connects_in_flight;
  options.handshake_threads = config.client_handshake_threads;
  options.check_threads = config.client_check_threads;
  options.instance = config.instance;
  options.single_instance = config.journal_uri.empty();
  return options;
}

http::RouterConfig MakeRouterConfig(const Config& config) {
  http::RouterConfig router;
  router.auth.secured = config.devops_secured;
  router.auth.password = config.devops_password;
  router.piggyback.instance = config.instance;
  router.piggyback.ditto2_compat = config.piggyback_ditto2;
  router.body_bytes_max = config.body_bytes_max;
  router.cors_allow_origin = config.cors_allow_origin;
  router.auth_failures_per_minute = static_cast<uint32_t>(config.auth_failures_per_minute);
  return router;
}

// Threads that resolve the hosts of validations (REF §4.2 item 7), and the lookups that may wait
// for them: only used when a blocked hostname makes the host rules active.
constexpr size_t kHostLookupThreads = 4;
constexpr size_t kHostLookupsQueuedMax = 1024;

TlsFrontOptions MakeTlsFrontOptions(const Config& config) {
  TlsFrontOptions options;
  options.cert_file = config.tls_cert;
  options.key_file = config.tls_key;
  options.client_ca_file = config.tls_client_ca;
  options.haproxy = config.tls_haproxy;
  options.listen_host = config.listen_host;
  options.listen_port = config.listen_port;
  return options;
}

service::ServiceOptions MakeServiceOptions(const Config& config,
                                           std::shared_ptr<const model::PreparedHostRules> prepared_hosts,
                                           std::shared_ptr<connect::ResolverPool> host_lookups) {
  service::ServiceOptions options;
  options.validation.sources_max = config.sources_max;
  options.validation.targets_max = config.targets_max;
  options.validation.oauth2_enforce_https = config.oauth2_enforce_https;
  options.snapshots.historical_every = config.snapshot_threshold;
  options.logs.duration_us = config.logger_log_duration_us;
  options.logs.success_capacity = config.logger_success_capacity;
  options.logs.failure_capacity = config.logger_failure_capacity;
  options.logs.check_interval_us = config.logger_active_check_interval_us;
  options.connect = MakeConnectSettings(config);
  options.queued_commands_max = config.queued_commands_max;
  options.linearizable_reads = config.cluster_reads_linearizable;
  // The validation checks the same rules as every connect attempt, through the same resolver with
  // a deadline, but never on a request or journal thread: the blocked hostnames are resolved in
  // the background (HostRulesRefresher), a connection's own host on the lookup pool. Nothing is
  // resolved while no hostname is blocked (the default).
  options.validation.hosts = options.connect.outbound;
  options.validation.host_resolver = connect::SystemResolver::Instance();
  options.validation.prepared_hosts = std::move(prepared_hosts);
  options.host_lookups = std::move(host_lookups);
  return options;
}

// Read-write, unless the disk is too full to open for writing: RocksDB's
// read-write open replays the WAL into table files and writes a new WAL
// and MANIFEST, and must never meet a full disk (storage/store.h).
Result<std::unique_ptr<journal::Journal>> OpenJournal(const Config& config, rocksdb::Env* env) {
  std::error_code error;
  std::filesystem::create_directories(config.data_dir, error);
  if (error) {
    return Status::IOError("cannot create data directory " + config.data_dir + ": " + error.message());
  }
  journal::JournalOptions options;
  options.mode = journal::OpenMode::kReadWrite;
  options.env = env;
  options.disk_headroom_bytes = config.disk_headroom_bytes;
  options.uri = config.journal_uri;
  options.request_timeout_us = config.cluster_request_timeout_us;
  options.request_bytes_max = config.cluster_request_bytes_max;
  // Cluster mode: the data dir holds only local snapshots (a cache); the
  // free-space guard still protects their RocksDB.
  if (!options.uri.empty()) return journal::OpenJournal(config.data_dir, options);
  Result<uint64_t> free = storage::FreeBytes(config.data_dir);
  const uint64_t needed = BytesNeededToOpenForWriting(config.data_dir, config.disk_headroom_bytes);
  if (free.ok() && *free < needed) {
    if (!std::filesystem::exists(config.data_dir + "/CURRENT")) {
      return Status::NoSpace("the data directory has no journal yet, and its disk has " +
                             storage::FormatBytes(*free) + " free, less than --disk-headroom (" +
                             storage::FormatBytes(config.disk_headroom_bytes) +
                             "): free some space or lower --disk-headroom");
    }
    log::Warn("journal", "the disk holding " + config.data_dir + " has " + storage::FormatBytes(*free) +
                             " free, less than the " + storage::FormatBytes(needed) +
                             " a read-write open needs (--disk-headroom plus the WAL to replay): "
                             "opening read-only; reads are served, writes answer 503 until space returns");
    options.mode = journal::OpenMode::kReadOnly;
    options.read_only_for_space = true;
  }
  return journal::OpenJournal(config.data_dir, options);
}

// What recovery found and did (its normal figures follow in "ready").
void LogRecovery(const recovery::RecoveryReport& report) {
  if (!report.rebuilt) return;
  std::string names;
  for (const std::string& id : report.wrong_row_ids) names += (names.empty() ? "" : ", ") + id;
  if (report.wrong_rows > report.wrong_row_ids.size()) names += ", ...";
  log::Warn("recovery", "the snapshot rows disagreed with the journal (" + report.rebuild_reason +
                            "): every connection was folded again from the journal (" +
                            std::to_string(report.events_replayed) + " events); the rows of " +
                            std::to_string(report.wrong_rows) + " connections were wrong" +
                            (names.empty() ? "" : ": " + names) + "; a snapshot pass rewrites them now");
}

Result<std::unique_ptr<cluster::Cluster>> StartCluster(const Config& config, uint16_t port,
                                                       connect::Supervisor& supervisor) {
  cluster::ClusterOptions options;
  options.instance = config.instance;
  options.advertise = config.cluster_advertise.empty() ? config.listen_host + ":" + std::to_string(port)
                                                       : config.cluster_advertise;
  options.lease_ttl_us = config.cluster_lease_ttl_us;
  return cluster::Cluster::Connect(config.journal_uri, config.cluster_request_timeout_us, options, supervisor);
}

// Status, metrics and logs from the instance that runs a connection; the
// piggyback path of another instance to that instance.
http::ClusterRouting MakeClusterRouting(cluster::Cluster& cluster, cluster::Forwarder& forwarder) {
  http::ClusterRouting routing;
  routing.owner_of = [&cluster](std::string_view id) -> std::optional<std::string> {
    std::optional<cluster::Member> owner = cluster.OwnerOf(id, 0);
    if (!owner || owner->instance == cluster.instance()) return std::nullopt;
    return owner->instance;
  };
  routing.is_other_live = [&cluster](std::string_view instance) {
    return instance != cluster.instance() && cluster.FindMember(instance).has_value();
  };
  routing.other_live = [&cluster] {
    std::vector<std::string> others;
    for (const cluster::Member& member : cluster.members()) {
      if (member.instance != cluster.instance()) others.push_back(member.instance);
    }
    return others;
  };
  routing.forward = [&cluster, &forwarder](const std::string& instance, const http::HttpRequest& request,
                                           http::Respond respond) {
    std::optional<cluster::Member> member = cluster.FindMember(instance);
    if (!member) {
      return respond(http::ErrorAnswer(model::ServiceUnavailable("Instance '" + instance + "' is not a live member of the cluster.")));
    }
    cluster::ForwardRequest forwarded;
    forwarded.method = request.method;
    forwarded.path_and_query = http::PathAndQuery(request);
    forwarded.body = request.body;
    for (const char* name : {"authorization", "content-type", "if-match", "if-none-match"}) {
      if (std::optional<std::string_view> value = request.Header(name)) forwarded.headers[name] = std::string(*value);
    }
    forwarder.Send(member->address, std::move(forwarded), [instance, respond = std::move(respond)](cluster::ForwardAnswer answer) {
      if (answer.status == 0) {
        return respond(http::ErrorAnswer(model::ServiceUnavailable(
            "Instance '" + instance + "', which runs the connection, did not answer: " + answer.error)));
      }
      http::HttpAnswer forwarded{answer.status, std::move(answer.body),
                                 answer.content_type.empty() ? "application/json" : answer.content_type, {}, nullptr};
      respond(std::move(forwarded));
    });
  };
  return routing;
}

// The codec of stored secrets; the settings were validated with the flags.
std::unique_ptr<crypto::ConnectionSecrets> MakeSecrets(const Config& config) {
  auto made = crypto::ConnectionSecrets::Make(config.encryption);
  if (auto* error = std::get_if<std::string>(&made)) {
    log::Error("connectivityd", *error);
    return nullptr;
  }
  auto secrets = std::move(std::get<std::unique_ptr<crypto::ConnectionSecrets>>(made));
  const std::string pointers = std::to_string(config.encryption.pointers.size()) + " pointers";
  if (secrets->encrypts()) {
    log::Info("connectivityd", "connection secrets are stored encrypted (AES-256-GCM, " + pointers +
                                   (secrets->old_key() ? "; the old key still decrypts" : "") + ")");
  } else if (secrets->can_decrypt()) {
    log::Info("connectivityd", "connection secrets are stored in plaintext; stored encrypted values are "
                               "decrypted with the configured key (" + pointers + ")");
  }
  return secrets;
}

// A journal marked as holding encrypted secrets needs a key to be read
// (src/service/encryption_mark.h).
bool CheckKeyForMarkedJournal(journal::Journal& journal, const crypto::ConnectionSecrets& secrets,
                              const std::string& data_dir) {
  // The etcd journal keeps no mark (encryption is refused in cluster mode).
  if (journal.shared()) return true;
  if (secrets.can_decrypt() || !service::EncryptionMark::IsMarked(journal)) return true;
  log::Error("connectivityd",
             std::string("the journal in ") + data_dir + " holds encrypted connection secrets and no key is "
             "configured: set " + crypto::kEncryptionKeyVariable + " (with " + crypto::kEncryptionEnabledVariable +
             "=true), or " + crypto::kOldEncryptionKeyVariable +
             " to decrypt them with migrateEncryption; refusing to start");
  return false;
}

std::string RecoveryFailure(const Status& status) {
  std::string text = "recovery failed, refusing to start: " + status.ToString();
  if (status.message().find("Decryption of connection field failed") != std::string::npos) {
    text += " (the journal's secrets were encrypted with another key than " +
            std::string(crypto::kEncryptionKeyVariable) + " or " + crypto::kOldEncryptionKeyVariable + ")";
  }
  return text;
}

void WaitForStopSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  sigwait(&signals, &received);
  Log(std::string("received ") + (received == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
}

}  // namespace

int RunDaemon(const Config& config, rocksdb::Env* env) {
  auto router = std::make_shared<http::Router>(MakeRouterConfig(config));
  const bool tls = !config.tls_cert.empty();
  TlsFrontOptions tls_options = MakeTlsFrontOptions(config);
  if (tls) {
    // A clear error before anything else starts.
    if (Status checked = CheckTlsFiles(tls_options); !checked.ok()) {
      log::Error("tls", checked.message());
      return 2;
    }
  }
  http::ServerConfig server_config = MakeServerConfig(config);
  if (tls) {
    // With TLS the server speaks plain HTTP to haproxy only, on loopback.
    server_config.host = "127.0.0.1";
    server_config.port = 0;
  }
  server_config.trust_forwarded_for = tls;
  http::HttpServer server(server_config, router);
  if (Status status = server.Start(); !status.ok()) {
    log::Error("http", status.message());
    return 1;
  }
  TlsFront tls_front;
  uint16_t public_port = server.port();
  if (tls) {
    tls_options.backend_port = server.port();
    if (Status started = tls_front.Start(tls_options); !started.ok()) {
      log::Error("tls", started.message());
      server.Shutdown();
      return 1;
    }
    public_port = tls_front.port();
  }
  std::printf("connectivityd: listening on %s:%u\n", config.listen_host.c_str(), public_port);
  std::fflush(stdout);

  Result<std::unique_ptr<journal::Journal>> journal = OpenJournal(config, env);
  if (!journal.ok()) {
    if (journal.status().code() == ErrorCode::kBusy) {
      log::Error("journal", "data directory " + config.data_dir +
          " is in use by another connectivityd process; only one server may own it");
    } else {
      log::Error("journal", "cannot open the journal " +
                                (config.journal_uri.empty() ? "in " + config.data_dir : "at " + config.journal_uri) + ": " +
                                journal.status().ToString());
    }
    return 1;
  }
  if (!config.journal_uri.empty() && config.encryption.enabled) {
    // The etcd journal keeps no meta blobs (the encryption mark, a migration's progress) yet.
    log::Error("connectivityd", "encrypted connection secrets are not supported with --journal etcd://... yet; "
                                "refusing to start");
    return 2;
  }
  const std::unique_ptr<crypto::ConnectionSecrets> secrets = MakeSecrets(config);
  if (!secrets || !CheckKeyForMarkedJournal(**journal, *secrets, config.data_dir)) return 1;
  Result<recovery::Recovered> recovered = recovery::Recover(**journal, *SystemClock::Instance(), *secrets);
  if (!recovered.ok()) {
    log::Error("recovery", RecoveryFailure(recovered.status()));
    return 1;
  }
  const recovery::RecoveryReport report = recovered->report;
  LogRecovery(report);
  const size_t connections = recovered->states.size();
  connect::Supervisor supervisor(MakeSupervisorOptions(config), *SystemClock::Instance());
  supervisor.Start();
  auto prepared_hosts = std::make_shared<model::PreparedHostRules>();
  connect::HostRulesRefresher host_rules(MakeConnectSettings(config).outbound, connect::SystemResolver::Instance(),
                                         prepared_hosts, connect::kBlockedHostsRefreshUs);
  host_rules.Start();  // resolves the blocked hostnames once, before any command is served
  auto host_lookups = std::make_shared<connect::ResolverPool>(connect::SystemResolver::Instance(),
                                                              kHostLookupThreads, kHostLookupsQueuedMax);
  service::ServiceOptions service_options = MakeServiceOptions(config, prepared_hosts, host_lookups);
  service_options.secrets = secrets.get();
  service_options.encryption = secrets.get();
  auto service = std::make_unique<service::ConnectionService>(
      **journal, std::move(*recovered), std::move(service_options), *SystemClock::Instance(), &supervisor);
  // Cluster mode: membership and the ownership of live connections.
  std::unique_ptr<cluster::Cluster> cluster;
  if (!config.journal_uri.empty()) {
    Result<std::unique_ptr<cluster::Cluster>> started = StartCluster(config, server.port(), supervisor);
    if (!started.ok()) {
      log::Error("cluster", "cannot join the cluster: " + started.status().ToString());
      return 1;
    }
    cluster = std::move(*started);
    service->SetPlacement(cluster.get());
  }
  service->Start();  // also reconnects the desired-open connections, in the background
  auto api = std::make_unique<http::Api>(*service, MakeRouterConfig(config));
  std::unique_ptr<cluster::Forwarder> forwarder;
  if (cluster) {
    forwarder = std::make_unique<cluster::Forwarder>(config.instance, config.cluster_request_timeout_us);
    router->SetClusterRouting(MakeClusterRouting(*cluster, *forwarder));
  }
  router->Attach(api.get());
  DiskWatcher disk_watcher(**journal, config.data_dir, config.disk_headroom_bytes);
  disk_watcher.Start();
  Log("ready: " + std::to_string(connections) + " connections recovered in " +
      std::to_string(report.duration_us / 1000) + " ms (" + std::to_string(report.state_rows_loaded) +
      " snapshot rows, " + std::to_string(report.events_replayed) + " events replayed)");

  WaitForStopSignal();
  router->Detach();      // new API requests: 503 while we stop
  host_lookups->Stop();  // waiting validations fail; their commands are answered
  host_rules.Stop();
  if (forwarder) forwarder->Stop();
  if (cluster) cluster->Stop();  // closes our clients, then gives them to the others at once
  supervisor.Stop();     // closes every client cleanly; pending opens answer 504
  disk_watcher.Stop();   // no reopen for writing while we stop
  (*journal)->Close();   // completes (and answers) everything queued
  server.Shutdown();
  tls_front.Stop();      // after the answers above went out through it
  service->Stop();       // last snapshot pass
  // Table files instead of a WAL to replay: the next start-up stays fast.
  // Refused without touching RocksDB after a write error or when the disk
  // has no room for the table files; the next start replays the WAL.
  if (Status flushed = (*journal)->Flush(); !flushed.ok()) {
    log::Warn("journal", "not flushed at shutdown (the next start replays the WAL): " + flushed.message());
  }
  Log("stopped");
  return 0;
}

int DaemonMain(int argc, char** argv, rocksdb::Env* env) {
  auto parsed = ParseConfig(argc, argv, [](const char* name) {
    const char* value = std::getenv(name);
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
  if (std::holds_alternative<HelpRequested>(parsed)) {
    std::fputs(UsageText().c_str(), stdout);
    return 0;
  }
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "connectivityd: %s\n", error->c_str());
    return 2;
  }
  try {
    return RunDaemon(std::get<Config>(parsed), env);
  } catch (const std::exception& e) {
    log::Error("connectivityd", std::string("fatal: ") + e.what());
    return 1;
  }
}

}  // namespace connectivity::daemon
